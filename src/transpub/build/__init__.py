"""`build`: render every publishable (release, language) as HTML and DOCX, plus the index pages.

Published outputs go to ``outputs/<lang>/``. With ``--draft``, the pairs that are not fully reviewed are
rendered too, visibly marked, into ``outputs/drafts/<lang>/``: a separate folder, so a draft can never
overwrite or be mistaken for a published page, and the site can be deployed without it. The source
language is built straight from the source.

Builds are incremental. ``outputs/.transpub-manifest.json`` records, for every (release, language), a
digest of everything its result depends on (the source, its catalog, names.po, the glossary,
transpub.toml, transpub's own code, the versions of Babel, Jinja2, markdown-it-py and python-docx) and,
for every output file, that digest plus the images, templates, format and the set of published language
versions; index pages, feeds and the sitemap are keyed on what they list. A page that was published and
is no longer publishable is left as it was, the last reviewed version, and reported as skipped; when
its source changed since it was published, it is also reported as outdated and, as ``[publish]
outdated`` says, marked with a notice (the default), taken down, or kept as it was. The
outputs of a release that no longer exists (removed, renamed) are removed, with the images no page shows
any more, and its index, feed and sitemap entries go: only files the manifest says a build wrote.

The order in which languages are built does not change the site: ``build --lang en`` then ``--lang ar``
leaves ``outputs/`` byte for byte as one ``build``. A page lists the published versions of its release in
every language; the languages not built are judged from the manifest and their inputs' digests, without
parsing (``_other_languages``; ``plan`` explains the rule), and their pages, index pages, feeds and the
sitemap are rendered again in this build when the set of versions they show changed.
Content, not modification times, decides: a no-op rebuild reads and hashes files but parses and renders
nothing (it does not even import the parsers and renderers, nor take the project lock, since it writes
nothing), and changing one release re-renders only that release's outputs (and an index page only if
what it lists changed). Pairs that need rendering are spread over a process pool; every output is
deterministic, so a parallel build writes the same bytes as a serial one.

The package, in the order a build uses it:

- ``libraries``: the versions of the libraries that shape a page or document, found without importing them;
- ``digests``: the digests of every input, and which outputs exist;
- ``manifest``: what the last build decided and wrote (a frozen :class:`Manifest`), read and written;
- ``plan``: for one release, which outputs are up to date, which to render, which pairs are skipped (pure);
- ``workers``: the job of one release (read, decide, render) and the process pool that runs the jobs
  (imported with the first release to render);
- ``indexes``: the index pages, the Atom feeds and the sitemap;
- here: :func:`build`, which runs them, first without the lock, and under it only when there is work.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..config import Project, release_id_of
from ..errors import UsageError
from ..fsutil import project_lock
from ..staging import StagedFiles, commit, discard
from .digests import Digests, OutputListing
from .indexes import (
    index_keys,
    site_pages,
    stage_index_pages,
    stale_pages,
    unlisted_pages,
    withdrawn_pages,
)
from .libraries import installed_libraries
from .manifest import (
    Manifest,
    PairInfo,
    manifest_is_written,
    manifest_path,
    read_manifest,
    write_manifest,
)
from .plan import (
    DRAFTS,
    FORMATS,
    Outdated,
    Output,
    ReleaseJob,
    ReleasePlan,
    Skipped,
    plan_release,
    remembered_pairs,
    unused_images,
    withdrawn_outputs,
)

if TYPE_CHECKING:
    from .workers import ReleaseResult, Workers

__all__ = ["DRAFTS", "FORMATS", "BuildReport", "Outdated", "Output", "Skipped", "build", "parse_formats"]


@dataclass(frozen=True)
class BuildReport:
    outputs: tuple[Output, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    indexes: tuple[str, ...] = ()
    rendered: int = 0  # (release, language) pairs actually rendered in this run
    reused: int = 0  # outputs whose inputs had not changed
    published: dict = field(default_factory=dict)  # lang -> number of published releases
    notes: tuple[str, ...] = ()  # what the build chose not to write, and why (no base_url: no feeds, no sitemap)
    removed: tuple[str, ...] = ()  # outputs of releases that no longer exist, and images no page shows any more
    outdated: tuple[Outdated, ...] = ()  # published pages whose source changed since, and what [publish] outdated did

    def built_for(self, lang: str) -> bool:
        return any(o.lang == lang for o in self.outputs)


def parse_formats(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return FORMATS
    items = value.split(",") if isinstance(value, str) else list(value)
    formats = tuple(dict.fromkeys(item.strip().lower() for item in items if item.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return formats


def build(
    project: Project,
    languages: Sequence[str] | None = None,
    release_id: str | None = None,
    formats: Sequence[str] = FORMATS,
    draft: bool = False,
    *,
    jobs: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    languages = tuple(project.check_language(lang) for lang in languages) if languages else project.all_languages
    # as text: at thousands of releases, Path objects held for the whole build are megabytes
    paths = {release_id_of(path): str(path) for path in project.release_paths()}
    if release_id is not None and release_id not in paths:
        raise UsageError(f"no release {release_id!r} in sources/")
    request = _Request(project, languages, paths, release_id, tuple(formats), draft, jobs, on_progress)
    try:
        # Most builds find everything up to date: that is decided from the manifest and the inputs'
        # digests, reading only, so it needs no lock (every file transpub writes is replaced atomically:
        # a reader sees its old or its new version), and does not wait for filelock's import.
        return _build(request, dry_run=True)
    except _MustWrite:
        pass
    # outputs/ is written under the project lock, like locale/: two builds never interleave outputs and
    # manifest, and the lock's sweep of a killed run's temporary files never meets a live one.
    with project_lock(project.root):
        return _build(request)


class _MustWrite(Exception):
    """A dry run found something to render or write: the build starts again under the lock."""


@dataclass(frozen=True)
class _Request:
    """What :func:`build` was asked for, checked."""

    project: Project
    languages: tuple[str, ...]
    paths: dict[str, str]  # release id -> its source file
    release_id: str | None
    formats: tuple[str, ...]
    draft: bool
    jobs: int | None
    on_progress: Callable[[int, int], None] | None


def _build(request: _Request, *, dry_run: bool = False) -> BuildReport:
    """One build: every release (planned, and rendered where needed), the index pages, then the manifest.

    A ``dry_run`` reads only, and raises :class:`_MustWrite` at the first thing it would render or write.
    """
    project, languages, paths = request.project, request.languages, request.paths
    manifest = read_manifest(manifest_path(project.outputs_dir))
    libraries = installed_libraries(manifest.libraries)
    digests = Digests(project, libraries)
    listing = OutputListing(project.outputs_dir)
    done, staged, workers = _build_releases(request, manifest, digests, listing, dry_run)

    published = done.versions  # release -> its published versions in every language (lang -> page)
    indexes: list[str] = []
    notes: tuple[str, ...] = ()
    withdrawn: list[str] = []
    unlisted: set[str] = set()
    new_index_keys = None
    try:
        if "html" in request.formats:
            coming = done.staged_drafts()
            site = site_pages(
                project,
                list(paths),
                published,
                lambda rid, lang: done.pairs.get((rid, lang)) or manifest.pair(rid, lang),
                lambda relative: relative in coming or listing.has(relative),
            )
            notes = site.notes
            new_index_keys = index_keys(site.pages, site.languages, digests)
            stale = stale_pages(site.pages, new_index_keys, manifest.indexes or {}, listing)
            if stale and dry_run:
                raise _MustWrite
            # staged with the release outputs: a bad template or stylesheet changes nothing
            if workers is not None:  # rendered where the releases were: in the workers, which hold the renderers
                workers.stage_pages(stale, site.languages, digests.file(project.config_path), staged)
            else:
                stage_index_pages(project, stale, site.languages, staged)
            indexes = [f"outputs/{page.path}" for page in site.pages if page.kind not in ("stylesheet",)]
            withdrawn = withdrawn_pages(project, listing)
            unlisted = unlisted_pages(site, manifest.indexes or {}, listing)
            if withdrawn and dry_run:
                raise _MustWrite
    except BaseException:
        discard(staged)
        staged.close()
        raise
    finally:
        if workers is not None:
            workers.close()
    # the outputs of releases that no longer exist: outputs/ mirrors the project
    gone = withdrawn_outputs(manifest, paths, listing.has) | set(done.withdrawn)
    if gone and dry_run:
        raise _MustWrite
    commit(staged)
    staged.close()
    for relative in withdrawn:  # feeds and sitemap of a base_url no longer set: their URLs would be wrong
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(project.outputs_dir, relative))

    # forget outputs deleted by hand; a dry run wrote nothing, so the listing taken before is still true
    out_dir = str(project.outputs_dir)
    exists = listing.has if dry_run else (lambda relative: os.path.isfile(os.path.join(out_dir, relative)))
    after = manifest.after_build(
        pairs=done.pairs,
        outputs=done.output_keys,
        indexes=new_index_keys,
        libraries=libraries,
        releases=paths,
        exists=lambda relative: relative not in gone and exists(relative),
    )
    done.pairs.clear()  # folded into the new manifest (which holds the same objects)
    done.output_keys.clear()
    # an index page or feed that lists nothing now goes, unless its folder still holds a release's
    # page (an outdated page kept up links to its index)
    live = {relative.rsplit("/", 1)[0] for relative in after.outputs if relative.endswith(".html")}
    unlisted = {relative for relative in unlisted if relative.rsplit("/", 1)[0] not in live}
    if unlisted:
        after = replace(after, indexes={path: key for path, key in (after.indexes or {}).items() if path not in unlisted})
    images = unused_images(manifest, after, exists)
    manifest = None  # the old manifest is not needed any more: only the new one is held while it is written
    if (unlisted or images) and dry_run:
        raise _MustWrite
    removed = sorted(gone | unlisted | images)
    for relative in removed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(out_dir, relative))
        _remove_empty_folders(out_dir, os.path.dirname(relative))
    path = manifest_path(project.outputs_dir)
    if dry_run:
        if not manifest_is_written(path, after):
            raise _MustWrite
    else:
        write_manifest(path, after)

    counts = {lang: sum(1 for rid in paths if lang in published[rid]) for lang in languages}
    outputs = sorted(done.outputs, key=lambda o: (o.lang, o.release, o.path))
    skipped = sorted(done.skipped, key=lambda s: (languages.index(s.lang) if s.lang in languages else 0, s.release))
    return BuildReport(
        tuple(outputs), tuple(skipped), tuple(indexes), done.rendered, done.reused, counts, notes,
        tuple(f"outputs/{r}" for r in removed), tuple(sorted(done.outdated, key=lambda o: (o.release, o.lang))),
    )


def _remove_empty_folders(root: str, relative: str) -> None:
    """Remove the folder and its parents below ``root`` while they are empty (a withdrawn release's
    images folder); a folder that holds anything is left."""
    while relative:
        try:
            os.rmdir(os.path.join(root, relative))
        except OSError:  # not empty, or already gone
            return
        relative = os.path.dirname(relative)


@dataclass
class _Releases:
    """What the releases of one build add up to, as their plans and renders come in.

    At thousands of releases this is as large as the manifest: output paths and keys, and the texts of
    the pairs' decisions, that are unchanged since the last build are kept as the very strings the old
    manifest holds (``old_outputs``), and the texts that repeat from pair to pair are held once.
    """

    old_outputs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # release -> its outputs in the old manifest
    pairs: dict[tuple[str, str], PairInfo] = field(default_factory=dict)  # (release, lang) -> decision
    versions: dict[str, dict[str, str]] = field(default_factory=dict)  # release -> its published versions (lang -> page)
    outputs: list[Output] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    output_keys: dict[str, str] = field(default_factory=dict)  # every output wanted -> its key
    outdated: list[Outdated] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)  # outdated outputs to take down
    reused: int = 0  # outputs of releases that needed no render
    rendered: int = 0  # pairs rendered
    _texts: dict[str, str] = field(default_factory=dict)

    def add(self, plan: ReleasePlan, outputs: Sequence[Output]) -> None:
        texts = self._texts
        for lang, info in plan.pairs.items():
            reason = texts.setdefault(info.reason, info.reason)
            date = texts.setdefault(info.date, info.date)
            source = texts.setdefault(info.published_source, info.published_source)
            if reason is not info.reason or date is not info.date or source is not info.published_source:
                info = replace(info, reason=reason, date=date, published_source=source)
            self.pairs[plan.release, lang] = info
        self.versions[plan.release] = plan.versions
        self.outputs.extend(outputs)
        self.skipped.extend(plan.skipped)
        old = self.old_outputs.get(plan.release, {})
        old_paths = {relative: relative for relative in old}
        for relative, key in plan.output_keys.items():
            before = old.get(relative)
            self.output_keys[old_paths.get(relative, relative)] = before if before == key else key
        self.outdated.extend(plan.outdated)
        self.withdrawn.extend(plan.withdrawn)

    def staged_drafts(self) -> frozenset[str]:
        """The draft pages and documents this build staged (relative to outputs/): its drafts that changed."""
        return frozenset(output.path.removeprefix("outputs/") for output in self.outputs if output.draft and output.changed)

    def add_rendered(self, result: ReleaseResult, staged: StagedFiles) -> None:
        """A release the workers rendered: its outputs, and the files staged for it."""
        self.add(result.plan, result.outputs)
        staged.extend(result.staged)
        self.rendered += result.rendered


def _build_releases(
    request: _Request, manifest: Manifest, digests: Digests, listing: OutputListing, dry_run: bool
) -> tuple[_Releases, StagedFiles, Workers | None]:
    """Plan every release; render those with something to render, in the workers. The files are staged,
    not yet in place: the caller commits them with the index pages, once everything succeeded, and closes
    the workers (still running: they render the index pages too)."""
    outputs_by_release = manifest.outputs_by_release()
    done = _Releases(outputs_by_release)
    workers: Workers | None = None  # loaded with the first release to render: a no-op build never imports them
    staged = StagedFiles()  # on disk, not in memory: a build of thousands of releases stages a file per output
    # progress: releases done (up to date, or rendered) out of all of them, a total known from the start
    report = request.on_progress or (lambda done, total: None)
    total, finished = len(request.paths), 0

    def rendered(result: ReleaseResult) -> None:
        nonlocal finished
        done.add_rendered(result, staged)
        finished += 1
        report(finished, total)

    try:
        for job in _jobs(request, manifest, digests, listing, outputs_by_release):
            remembered = remembered_pairs(job, manifest)
            if remembered is not None:
                # nothing this release depends on changed: decide from the manifest, parse nothing
                plan = plan_release(job, remembered)
                if not plan.to_render and not plan.to_mark:
                    done.add(plan, plan.current)
                    done.reused += len(plan.current)
                    finished += 1
                    report(finished, total)
                    continue
            if dry_run:
                raise _MustWrite
            if workers is None:
                from .workers import Workers

                workers = Workers(request.project, request.formats, request.jobs)
            workers.submit(job)  # a worker starts on it while the next releases are being digested
            for result in workers.finished():
                rendered(result)
        for result in workers.results() if workers else ():
            rendered(result)
    except BaseException:
        if workers:
            workers.abandon()  # the files of jobs that finished but were never collected
        discard(staged)  # a bad source or catalog anywhere: no output changes
        staged.close()
        if workers:
            workers.close()
        raise
    done.old_outputs = {}  # folded in: no longer needed
    return done, staged, workers  # put in place by the caller, with the index pages


def _jobs(
    request: _Request, manifest: Manifest, digests: Digests, listing: OutputListing, outputs_by_release: Mapping[str, dict[str, str]]
) -> Iterator[ReleaseJob]:
    """One job per release: the digests of its inputs and the state of its outputs (no parsing)."""
    project, languages, formats = request.project, request.languages, request.formats
    root, config = str(project.root), digests.file(project.config_path)
    not_built = tuple(lang for lang in project.all_languages if lang not in languages)
    for rid, path in request.paths.items():
        selected = request.release_id in (None, rid)
        wanted = languages if selected else ()
        existing, others = _other_languages(request, manifest, digests, listing, rid, not_built, selected)
        yield ReleaseJob(
            release=rid,
            root=root,
            config=config,
            source=path,
            keys={lang: digests.pair(rid, lang) for lang in languages},
            languages=wanted,
            existing=existing,
            others=others,
            formats=formats,
            draft=request.draft,
            assets=digests.assets,
            old_outputs=outputs_by_release.get(rid, {}),
            source_digest=digests.source(rid),
            published={lang: info.published_source for lang in wanted if (info := manifest.pair(rid, lang)) is not None},
            outdated=project.publish.outdated,
            present=frozenset(
                relative
                for lang in (*wanted, *others)
                for folder in (lang, f"{DRAFTS}/{lang}")
                for fmt in FORMATS
                if listing.has(relative := f"{folder}/{rid}.{fmt}")
            ),
        )


def _other_languages(
    request: _Request, manifest: Manifest, digests: Digests, listing: OutputListing, rid: str, not_built: Sequence[str], selected: bool
) -> tuple[dict[str, str], dict[str, PairInfo]]:
    """The languages of a release this build does not build, judged without parsing anything.

    Returns the pages linked as they are (``existing``: the decision is not known to hold, the last
    published page is on the site) and the languages whose remembered decision still holds (same key)
    and whose page is there (``others``: linked when they publish, and kept up to date; their drafts too,
    with ``--draft``). A language decided not to publish is not linked, as in a build of every language.
    """
    existing: dict[str, str] = {}
    others: dict[str, PairInfo] = {}
    for lang in not_built:
        page = f"{lang}/{rid}.html"
        info = manifest.pair(rid, lang)
        if info is None or info.key != digests.pair(rid, lang):
            if listing.has(page):
                existing[lang] = page
            continue
        if info.publishable:
            if listing.has(page):
                if selected:
                    others[lang] = info
                else:
                    existing[lang] = page
        elif selected and request.draft and listing.has(f"{DRAFTS}/{lang}/{rid}.html"):
            others[lang] = info
    return existing, others
