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
deterministic, so a parallel build writes the same bytes as a serial one. A page is recorded under the
digests of the very files it was made from: each job compares the digests of the bytes it parsed (its
release's source and catalogs, the names, glossary and approvals it read) with those the build made, and
the build checks the files many pages share before it puts anything in place; a file saved in between
stops the build, nothing written.

The package, in the order a build uses it:

- ``libraries``: the versions of the libraries that shape a page or document, found without importing them;
- ``digests``: the digests of every input, and which outputs exist;
- ``manifest``: what the last build decided and wrote, a record per release, read and written a record at a time;
- ``plan``: for one release, which outputs are up to date, which to render, which pairs are skipped (pure);
- ``workers``: the job of one release (read, decide, render) and the process pool that runs the jobs
  (imported with the first release to render);
- ``indexes``: the index pages, the Atom feeds and the sitemap;
- here: :func:`build`, which runs them, first without the lock, and under it only when there is work.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import Project, release_id_of
from ..errors import UsageError, changed_while_reading
from ..fsutil import project_lock
from ..staging import StagedFiles, commit, discard
from .digests import Digests, OutputListing
from .indexes import (
    Listed,
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
    ManifestWriter,
    PairInfo,
    ReleaseRecord,
    encode_record,
    manifest_header,
    manifest_path,
    manifest_pieces,
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
)

if TYPE_CHECKING:
    from .workers import ReleaseResult, Workers

__all__ = ["DRAFTS", "FORMATS", "BuildReport", "Outdated", "Output", "Skipped", "build", "parse_formats"]


@dataclass(frozen=True)
class BuildReport:
    outputs: tuple[Output, ...] = ()  # those written; and those up to date, unless the build was asked not to list them
    skipped: tuple[Skipped, ...] = ()
    indexes: tuple[str, ...] = ()
    rendered: int = 0  # (release, language) pairs actually rendered in this run
    reused: int = 0  # outputs whose inputs had not changed
    published: dict = field(default_factory=dict)  # lang -> number of published releases
    notes: tuple[str, ...] = ()  # what the build chose not to write, and why (no base_url: no feeds, no sitemap)
    removed: tuple[str, ...] = ()  # outputs of releases that no longer exist, and images no page shows any more
    outdated: tuple[Outdated, ...] = ()  # published pages whose source changed since, and what [publish] outdated did
    built: frozenset[str] = frozenset()  # the languages with an output (written or up to date)

    def built_for(self, lang: str) -> bool:
        return lang in self.built


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
    list_unchanged: bool = True,
) -> BuildReport:
    """Build, and report what was done; ``list_unchanged=False``: the report's outputs are only those
    written (at thousands of releases, a build with little to do would otherwise hold an entry for
    every output of the site)."""
    languages = tuple(project.check_language(lang) for lang in languages) if languages else project.all_languages
    # as text: at thousands of releases, Path objects are megabytes; the ids interned: the output listing
    # and the manifest's reader hold theirs so, and share their text
    paths = {sys.intern(release_id_of(path)): path for path in project.release_files()}
    if release_id is not None and release_id not in paths:
        raise UsageError(f"no release {release_id!r} in sources/")
    request = _Request(project, languages, paths, release_id, tuple(formats), draft, jobs, on_progress, list_unchanged)
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
    list_unchanged: bool


def _build(request: _Request, *, dry_run: bool = False) -> BuildReport:
    """One build: every release (planned, and rendered where needed), the index pages, then the manifest.

    A ``dry_run`` reads only, and raises :class:`_MustWrite` at the first thing it would render or write.
    """
    with read_manifest(manifest_path(request.project.outputs_dir)) as manifest:
        done = _Releases(manifest, request.project.all_languages, dry_run=dry_run, list_unchanged=request.list_unchanged)
        try:
            return _build_from(request, manifest, done, dry_run)
        finally:
            done.writer.close()


def _build_from(request: _Request, manifest: Manifest, done: _Releases, dry_run: bool) -> BuildReport:
    project, languages, paths = request.project, request.languages, request.paths
    libraries = installed_libraries(manifest.libraries)
    digests = Digests(project, libraries)
    listing = OutputListing(project.outputs_dir)
    done.exists = listing.has
    staged, workers = _build_releases(request, manifest, digests, listing, done, dry_run)

    published = done.versions  # release -> the languages of its published versions
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
                done.listed,
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
            del site, stale
    except BaseException:
        discard(staged)
        staged.close()
        raise
    finally:
        if workers is not None:
            workers.close()
    # the outputs of releases that no longer exist: outputs/ mirrors the project
    gone = done.withdrawn_releases(paths) | set(done.withdrawn)
    if gone and dry_run:
        raise _MustWrite
    if not dry_run:
        _check_unchanged(project, digests, staged)
    commit(staged)
    staged.close()
    for relative in withdrawn:  # feeds and sitemap of a base_url no longer set: their URLs would be wrong
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(project.outputs_dir, relative))

    # forget index pages deleted by hand; a dry run wrote nothing, so the listing taken before is still true
    out_dir = str(project.outputs_dir)
    exists = listing.has if dry_run else (lambda relative: os.path.isfile(os.path.join(out_dir, relative)))
    index_keys_after = manifest.indexes
    if new_index_keys is not None:
        index_keys_after = {
            path: key for path, key in {**(manifest.indexes or {}), **new_index_keys}.items() if path not in gone and exists(path)
        }
    # an index page or feed that lists nothing now goes, unless its folder still holds a release's
    # page (an outdated page kept up links to its index)
    unlisted = {relative for relative in unlisted if relative.rsplit("/", 1)[0] not in done.live}
    if unlisted and index_keys_after is not None:
        index_keys_after = {path: key for path, key in index_keys_after.items() if path not in unlisted}
    images = unused_images(done.images_before, done.images_after, exists)
    if (unlisted or images) and dry_run:
        raise _MustWrite
    removed = sorted(gone | unlisted | images)
    for relative in removed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(out_dir, relative))
        _remove_empty_folders(out_dir, os.path.dirname(relative))
    path = manifest_path(project.outputs_dir)
    header = manifest_header(index_keys_after, libraries)
    if dry_run:
        # every record was compared with the file's as it was made (:meth:`_Releases.add`)
        if header != manifest.header or not manifest.canonical or manifest.releases() != paths.keys():
            raise _MustWrite
    else:
        records = done.writer.records()
        write_manifest(path, lambda: manifest_pieces(header, records))

    counts = {lang: sum(1 for rid in paths if lang in published[rid]) for lang in languages}
    outputs = sorted(done.outputs, key=lambda o: (o.lang, o.release, o.path))
    skipped = sorted(done.skipped, key=lambda s: (languages.index(s.lang) if s.lang in languages else 0, s.release))
    return BuildReport(
        tuple(outputs), tuple(skipped), tuple(indexes), done.rendered, done.reused, counts, notes,
        tuple(f"outputs/{r}" for r in removed), tuple(sorted(done.outdated, key=lambda o: (o.release, o.lang))),
        frozenset(done.built),
    )


def _check_unchanged(project: Project, digests: Digests, staged: StagedFiles) -> None:
    """Before anything is put in place: every file many outputs depend on still holds what this build's keys
    were made from (each job checked its release's own files). A file saved while the build read it
    would otherwise leave pages made from one version under the key of another, and a page made from
    an edit undone since would pass for up to date."""
    changed = digests.shared_change()
    if changed is not None:
        discard(staged)
        staged.close()
        raise changed_while_reading(project.shown(changed), "the build")


def _remove_empty_folders(root: str, relative: str) -> None:
    """Remove the folder and its parents below ``root`` while they are empty (a withdrawn release's
    images folder); a folder that holds anything is left."""
    while relative:
        try:
            os.rmdir(os.path.join(root, relative))
        except OSError:  # not empty, or already gone
            return
        relative = os.path.dirname(relative)


class _Releases:
    """What the releases of one build add up to, as their plans and renders come in.

    Each release's new manifest record is made as soon as the release is done, from the old record and
    the release's plan, and goes to the manifest's writer (in a dry run, it is only compared with the old
    one): no record is held for the whole build. What is held is what the index pages list (each pair's
    title and date), the outputs reported, and the images shown.
    """

    def __init__(self, manifest: Manifest, languages: Sequence[str], *, dry_run: bool, list_unchanged: bool = True):
        self.manifest = manifest
        self.dry_run = dry_run
        self.list_unchanged = list_unchanged
        self.built: set[str] = set()  # the languages with an output
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.writer = ManifestWriter()
        self.exists: Callable[[str], bool] = lambda relative: False  # which outputs are on disk (before this build)
        self.languages = {lang: number for number, lang in enumerate(languages)}  # every language of the project
        # release -> what the index pages show of each pair: (publishable, title, date) for each language in
        # turn, or (None, None, None); one flat tuple a release, not an object a pair
        self._listed: dict[str, tuple[bool | str | None, ...]] = {}
        self.versions: dict[str, tuple[str, ...]] = {}  # release -> the languages of its published versions (pages: <lang>/<release>.html)
        self.outputs: list[Output] = []
        self.skipped: list[Skipped] = []
        self.outdated: list[Outdated] = []
        self.withdrawn: list[str] = []  # outdated outputs to take down
        self.images_before: dict[str, set[str]] = {}  # folder -> the images the last build's pages showed
        self.images_after: dict[str, set[str]] = {}  # folder -> the images this build's pages show
        self.live: set[str] = set()  # the folders holding a release's page after this build
        self.reused = 0  # outputs of releases that needed no render
        self.rendered = 0  # pairs rendered

    def add(self, plan: ReleasePlan, outputs: Sequence[Output], old: ReleaseRecord, staged: Sequence[str] = ()) -> None:
        """A release done: ``plan`` made from its ``old`` record; ``staged``: its outputs written, staged to be
        put in place (relative to outputs/)."""
        rid = plan.release
        pairs = {**old.pairs, **plan.pairs}
        # an output is remembered while its file is there: staged now, or on disk and not taken down
        withdrawn, staged_here, exists = set(plan.withdrawn), set(staged), self.exists
        kept = {
            relative: key
            for relative, key in {**old.outputs, **plan.output_keys}.items()
            if relative in staged_here or (relative not in withdrawn and exists(relative))
        }
        record = ReleaseRecord(pairs, kept)
        if self.dry_run:
            if encode_record(record) != self.manifest.raw_record(rid):
                raise _MustWrite
        else:
            self.writer.add(rid, record)
        listed: list[bool | str | None] = [None] * (3 * len(self.languages))
        dates: dict[str, str] = {}  # a release's languages share its date: held once
        for lang, info in pairs.items():
            number = self.languages.get(lang)
            if number is not None:
                listed[3 * number : 3 * number + 3] = (info.publishable, info.title, dates.setdefault(info.date, info.date))
        self._listed[rid] = tuple(listed)
        for folder, image in old.shown_images(rid):
            self.images_before.setdefault(folder, set()).add(image)
        for folder, image in record.shown_images(rid):
            self.images_after.setdefault(folder, set()).add(image)
        self.live.update(relative.rsplit("/", 1)[0] for relative in kept if relative.endswith(".html"))
        versions = tuple(plan.versions)
        self.versions[rid] = self._shared.setdefault(versions, versions)  # most releases have the same languages
        self.built.update(output.lang for output in outputs)
        self.outputs.extend(output for output in outputs if output.changed or self.list_unchanged)
        self.skipped.extend(plan.skipped)
        self.outdated.extend(plan.outdated)
        self.withdrawn.extend(plan.withdrawn)

    def listed(self, release: str, lang: str) -> Listed | None:
        """What the index pages show of a pair: this build's decision, or the one the manifest remembers."""
        number = self.languages.get(lang)
        entry = self._listed[release][3 * number : 3 * number + 3] if number is not None else (None,)
        return None if entry[0] is None else Listed(*entry)

    def withdrawn_releases(self, releases: Mapping[str, str]) -> set[str]:
        """The pages and documents an earlier build wrote for releases that no longer exist (relative to
        outputs/): only files the manifest says transpub wrote, and only those still there. The images
        their pages showed count as shown before this build."""
        gone: set[str] = set()
        for rid in self.manifest.releases():
            if rid not in releases:
                old = self.manifest.record(rid)
                gone.update(relative for relative in old.outputs if self.exists(relative))
                for folder, image in old.shown_images(rid):
                    self.images_before.setdefault(folder, set()).add(image)
        return gone

    def staged_drafts(self) -> frozenset[str]:
        """The draft pages and documents this build staged (relative to outputs/): its drafts that changed."""
        return frozenset(output.path.removeprefix("outputs/") for output in self.outputs if output.draft and output.changed)

    def add_rendered(self, result: ReleaseResult, staged: StagedFiles) -> None:
        """A release the workers rendered: its outputs, and the files staged for it."""
        written = [output.path.removeprefix("outputs/") for output in result.rendered_outputs if output.changed]
        self.add(result.plan, result.outputs, self.manifest.record(result.plan.release), written)
        staged.extend(result.staged)
        self.rendered += result.rendered


def _build_releases(
    request: _Request, manifest: Manifest, digests: Digests, listing: OutputListing, done: _Releases, dry_run: bool
) -> tuple[StagedFiles, Workers | None]:
    """Plan every release; render those with something to render, in the workers; each release, once
    done, goes to ``done``. The files are staged, not yet in place: the caller commits them with the index
    pages, once everything succeeded, and closes the workers (still running: they render the index pages too)."""
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
        for job, old in _jobs(request, manifest, digests, listing):
            remembered = remembered_pairs(job, old)
            if remembered is not None:
                # nothing this release depends on changed: decide from the manifest, parse nothing
                plan = plan_release(job, remembered)
                if not plan.to_render and not plan.to_mark:
                    done.add(plan, plan.current, old)
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
    return staged, workers  # put in place by the caller, with the index pages


def _jobs(request: _Request, manifest: Manifest, digests: Digests, listing: OutputListing) -> Iterator[tuple[ReleaseJob, ReleaseRecord]]:
    """One job per release, with the release's record in the manifest: the digests of its inputs and the
    state of its outputs (no parsing)."""
    project, languages, formats = request.project, request.languages, request.formats
    root, config = str(project.root), digests.file(project.config_path)
    not_built = tuple(lang for lang in project.all_languages if lang not in languages)
    language_digests = {lang: digests.language_digests(lang) for lang in project.all_languages if lang != project.source_lang}
    for rid, path in request.paths.items():
        old = manifest.record(rid)
        selected = request.release_id in (None, rid)
        wanted = languages if selected else ()
        existing, others = _other_languages(request, old, digests, listing, rid, not_built, selected)
        job = ReleaseJob(
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
            old_outputs=dict(old.outputs),
            source_digest=digests.source(rid),
            published={lang: info.published_source for lang in wanted if (info := old.pairs.get(lang)) is not None},
            outdated=project.publish.outdated,
            inputs=digests.release_inputs(rid, (*languages, *others)),
            language_digests=language_digests,
            present=frozenset(
                relative
                for lang in (*wanted, *others)
                for folder in (lang, f"{DRAFTS}/{lang}")
                for fmt in FORMATS
                if listing.has(relative := f"{folder}/{rid}.{fmt}")
            ),
        )
        yield job, old


def _other_languages(
    request: _Request, old: ReleaseRecord, digests: Digests, listing: OutputListing, rid: str, not_built: Sequence[str], selected: bool
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
        info = old.pairs.get(lang)
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
