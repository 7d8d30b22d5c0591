"""`build`: render every publishable (release, language) as HTML and DOCX, plus the index pages.

Published outputs go to ``outputs/<lang>/``. With ``--draft``, the pairs that are not fully reviewed are
rendered too, visibly marked, into ``outputs/drafts/<lang>/``: a separate folder, so a draft can never
overwrite or be mistaken for a published page, and the site can be deployed without it. The source
language is built straight from the source.

Builds are incremental. ``outputs/.transpub-manifest.json`` records, for every (release, language), a
digest of everything its result depends on (the source, its catalog, names.po, the glossary,
transpub.toml, transpub's own code) and, for every output file, that digest plus the images, templates,
format and the set of published language versions; index pages are keyed on what they list. Content,
not modification times, decides: a no-op rebuild reads and hashes files but parses and renders nothing
(it does not even import the parsers and renderers, nor take the project lock, since it writes nothing),
and changing one release re-renders only that release's outputs (and an index page only if what it lists
changed). Pairs that need rendering are spread over a process pool; every output is deterministic, so a
parallel build writes the same bytes as a serial one.

A page that was published and is no longer publishable (its source changed, a translation became fuzzy)
is left as it was, the last reviewed version, and reported as skipped.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..config import Project, load_project, release_id_of
from ..errors import UsageError
from ..fsutil import atomic_write_text, process_pool, project_lock
from ..staging import Staged, commit, discard, stage_bytes

if TYPE_CHECKING:
    from ..localize.names import Names
    from ..localize.release import LocalizedRelease
    from ..source.model import Release

# Parsing, checking and rendering modules (markdown-it, Babel, Jinja, python-docx) are imported by the
# code that renders, not here: a build with nothing to render (the common no-op) never loads them.

FORMATS = ("html", "docx")
DRAFTS = "drafts"
MANIFEST = ".transpub-manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Output:
    release: str
    lang: str
    path: str  # relative to the project root
    draft: bool
    changed: bool  # False: the file already held exactly this content (or nothing it depends on changed)


@dataclass(frozen=True)
class Skipped:
    release: str
    lang: str
    reason: str


@dataclass(frozen=True)
class BuildReport:
    outputs: tuple[Output, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    indexes: tuple[str, ...] = ()
    rendered: int = 0  # (release, language) pairs actually rendered in this run
    reused: int = 0  # outputs whose inputs had not changed
    published: dict = field(default_factory=dict)  # lang -> number of published releases

    def built_for(self, lang: str) -> bool:
        return any(o.lang == lang for o in self.outputs)


@dataclass(frozen=True)
class PairInfo:
    """What the manifest remembers about one (release, language): enough for indexes and skips."""

    key: str
    publishable: bool
    reason: str
    title: str
    date: str


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
    paths = {release_id_of(path): path for path in project.release_paths()}
    if release_id is not None and release_id not in paths:
        raise UsageError(f"no release {release_id!r} in sources/")
    args = (project, languages, paths, release_id, tuple(formats), draft, jobs, on_progress)
    try:
        # Most builds find everything up to date: that is decided from the manifest and the inputs'
        # digests, reading only, so it needs no lock (every file transpub writes is replaced atomically:
        # a reader sees its old or its new version), and does not wait for filelock's import.
        return _build(*args, dry_run=True)
    except _MustWrite:
        pass
    # outputs/ is written under the project lock, like locale/: two builds never interleave outputs and
    # manifest, and the lock's sweep of a killed run's temporary files never meets a live one.
    with project_lock(project.root):
        return _build(*args)


class _MustWrite(Exception):
    """A dry run found something to render or write: the build starts again under the lock."""


def _build(project, languages, paths, release_id, formats, draft, jobs, on_progress, *, dry_run: bool = False) -> BuildReport:
    manifest = _read_manifest(project)
    digests = _Digests(project)
    pairs: dict[tuple[str, str], PairInfo] = {}
    outputs: list[Output] = []
    skipped: list[Skipped] = []
    workers = _Workers(project, formats, jobs)
    staged: list[Staged] = []
    listing = _Listing(project.outputs_dir)
    try:
        for job in _jobs(project, languages, paths, release_id, formats, draft, manifest, digests, listing):
            cached = {lang: manifest["pairs"].get(f"{job.release}/{lang}") for lang in languages}
            if all(c and c.get("key") == job.keys[lang] for lang, c in cached.items()):
                # nothing this release depends on changed: decide from the manifest, parse nothing
                result = _plan(project, job, {lang: PairInfo(**c) for lang, c in cached.items()})
                if not result.to_render:
                    _collect(result, pairs, outputs, skipped, manifest)
                    continue
            if dry_run:
                raise _MustWrite
            workers.submit(job)  # a worker starts on it while the next releases are being digested
        reused = len(outputs)
        rendered = 0
        for result in workers.results(on_progress):
            _collect(result, pairs, outputs, skipped, manifest)
            staged.extend(result.staged)
            rendered += result.rendered
    except BaseException:
        workers.abandon()  # the files of jobs that finished but were never collected
        discard(staged)  # a bad source or catalog anywhere: no output changes
        raise
    finally:
        workers.close()
    commit(staged)

    published = {rid: {lang: f"{lang}/{rid}.html" for lang in languages if pairs[rid, lang].publishable} for rid in paths}
    indexes: list[str] = []
    if "html" in formats:
        indexes = _write_indexes(project, list(paths), pairs, published, languages, digests, manifest, dry_run)
    manifest["pairs"].update({f"{rid}/{lang}": info.__dict__ for (rid, lang), info in pairs.items()})
    manifest["pairs"] = {k: v for k, v in manifest["pairs"].items() if k.rsplit("/", 1)[0] in paths}
    # forget outputs deleted by hand; a dry run wrote nothing, so the listing taken before is still true
    out_dir = str(project.outputs_dir)
    exists = listing.has if dry_run else (lambda relative: os.path.isfile(os.path.join(out_dir, relative)))
    manifest["outputs"] = {p: k for p, k in manifest["outputs"].items() if exists(p)}
    _write_manifest(project, manifest, dry_run)
    counts = {lang: sum(1 for rid in paths if lang in published[rid]) for lang in languages}
    outputs.sort(key=lambda o: (o.lang, o.release, o.path))
    skipped.sort(key=lambda s: (languages.index(s.lang) if s.lang in languages else 0, s.release))
    return BuildReport(tuple(outputs), tuple(skipped), tuple(indexes), rendered, reused, counts)


def _jobs(project, languages, paths, release_id, formats, draft, manifest, digests, listing) -> Iterator[_ReleaseJob]:
    """One job per release: the digests of its inputs and the state of its outputs (no parsing)."""
    outputs_by_release: dict[str, dict[str, str]] = {}  # grouped once: a scan per release would be quadratic
    for relative, key in manifest["outputs"].items():
        outputs_by_release.setdefault(relative.rsplit("/", 1)[-1].rsplit(".", 1)[0], {})[relative] = key
    root, config = str(project.root), digests.file(project.config_path)
    for rid, path in paths.items():
        wanted = languages if release_id in (None, rid) else ()
        yield _ReleaseJob(
            release=rid,
            root=root,
            config=config,
            source=str(path),
            keys={lang: digests.pair(rid, lang) for lang in languages},
            languages=wanted,
            existing={
                lang: f"{lang}/{rid}.html"
                for lang in project.all_languages
                if lang not in languages and listing.has(f"{lang}/{rid}.html")
            },
            formats=tuple(formats),
            draft=draft,
            assets=digests.assets,
            old_outputs=outputs_by_release.get(rid, {}),
            present=frozenset(
                relative
                for lang in wanted
                for folder in (lang, f"{DRAFTS}/{lang}")
                for fmt in formats
                if listing.has(relative := f"{folder}/{rid}.{fmt}")
            ),
        )


@dataclass(frozen=True)
class _ReleaseJob:
    """Everything a worker needs to decide and render one release's outputs (paths and digests only)."""

    release: str
    root: str
    config: str  # digest of transpub.toml: a worker's cached settings are never stale
    source: str
    keys: dict[str, str]  # language being built -> digest of the pair's inputs
    languages: tuple[str, ...]  # languages to render (empty: only refresh what the indexes need)
    existing: dict[str, str]  # languages not being built whose published page exists: still linked
    formats: tuple[str, ...]
    draft: bool
    assets: str
    old_outputs: dict[str, str]  # output path (relative to outputs/) -> key it was built with
    present: frozenset[str]  # which of this release's possible outputs exist (relative to outputs/)


@dataclass
class _ReleaseResult:
    release: str
    infos: dict[str, PairInfo]
    outputs: list[Output] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    output_keys: dict[str, str] = field(default_factory=dict)
    to_render: list[tuple[str, bool, tuple[str, ...]]] = field(default_factory=list)  # (lang, draft, formats)
    rendered: int = 0
    staged: list[Staged] = field(default_factory=list)  # rendered files, put in place only if the whole build succeeds


def _plan(project: Project, job: _ReleaseJob, infos: dict[str, PairInfo]) -> _ReleaseResult:
    """Which outputs of this release are up to date, which must be rendered, which pairs are skipped."""
    rid = job.release
    result = _ReleaseResult(rid, infos)
    # the same for every language and draft state of the release: encoded once, not once per output
    versions = json.dumps(_versions(job, infos, rid), sort_keys=True)
    for lang in job.languages:
        info = infos[lang]
        if not info.publishable and not job.draft:
            result.skipped.append(Skipped(rid, lang, info.reason))
            continue
        is_draft = not info.publishable
        folder = f"{DRAFTS}/{lang}" if is_draft else lang
        todo = []
        for fmt in job.formats:
            relative = f"{folder}/{rid}.{fmt}"
            key = _hash(info.key, job.assets, fmt, is_draft, versions if fmt == "html" else "{}")
            result.output_keys[relative] = key
            if job.old_outputs.get(relative) == key and relative in job.present:
                result.outputs.append(Output(rid, lang, f"outputs/{relative}", is_draft, False))
            else:
                todo.append(fmt)
        if todo:
            result.to_render.append((lang, is_draft, tuple(todo)))
    return result


def _versions(job: _ReleaseJob, infos: dict[str, PairInfo], rid: str) -> dict[str, str]:
    """The language versions a page links to: those published by this build, and the published pages
    of languages this build does not touch (their last published version stays on the site)."""
    versions = dict(job.existing)
    versions.update({lang: f"{lang}/{rid}.html" for lang, info in infos.items() if info.publishable})
    return versions


def _collect(result: _ReleaseResult, pairs, outputs, skipped, manifest) -> None:
    for lang, info in result.infos.items():
        pairs[result.release, lang] = info
    outputs.extend(result.outputs)
    skipped.extend(result.skipped)
    manifest["outputs"].update(result.output_keys)


def _pair_info(project: Project, release: Release, lang: str, catalog, names: Names, key: str) -> tuple[PairInfo, LocalizedRelease]:
    """Whether the pair publishes (and why not), with the localized release a render of it uses."""
    from ..localize.release import LocalizedRelease
    from ..review.publishing import decide

    decision = decide(project, release, lang, catalog, names)
    # the title shown in index pages: the published one, or what a draft shows
    loc = LocalizedRelease(project, release, lang, catalog=catalog, names=names, draft=not decision.publishable)
    return PairInfo(key, decision.publishable, decision.reason, loc.plain(release.title), release.date.isoformat()), loc


# --- one release per job, serial or in a process pool ----------------------------------------------
def _load_renderers(project: Project, job: _ReleaseJob, formats: Sequence[str]) -> None:
    """Load, once and before the pool starts, everything a worker would otherwise load for itself.

    Worker processes are forked from this one (Linux), so they begin with all of it instead of each
    loading it again on its first release: the parsers and renderers, the CLDR data of every language
    they render and of the source language (country codes are checked against it), the Markdown parser,
    every template (those a page extends and includes too), the project's settings and each language's
    names. The index pages, rendered here at the end, need most of it too.
    """
    from babel import Locale

    from ..localize import release as localize  # noqa: F401
    from ..render import html
    from ..review import checks  # noqa: F401
    from ..source import reader, tokens  # noqa: F401
    from ..source.inline import markdown_parser

    if "docx" in formats:
        from ..render import docx  # noqa: F401
    project = _project_for(job.root, job.config)
    for lang in dict.fromkeys((project.source_lang, *job.keys)):
        Locale.parse(lang).territories  # noqa: B018  (reads the locale's CLDR data into Babel's cache)
    for lang in job.keys:
        _names_for(project, job.config, lang)
    tokens.is_country_code("CH")  # reads CLDR's territory codes, against which country tokens are checked
    markdown_parser()
    if "html" in formats:
        from jinja2 import TemplateError

        try:
            html.load_templates(_templates(project))
        except TemplateError:
            pass  # reported, with its file and line, by the first page that uses the template


class _Workers:
    """Runs release jobs: in a process pool started as soon as a second job turns up (so workers begin
    while the build is still digesting later releases), or one after another in this process (a single
    job, or ``--jobs 1``)."""

    def __init__(self, project: Project, formats: Sequence[str], jobs: int | None):
        self.project, self.formats = project, formats
        self.size = jobs or os.cpu_count() or 1
        self.pending: list = []  # futures once the pool runs; jobs before that (or with --jobs 1)
        self.pool = None
        self.started = False

    def submit(self, job: _ReleaseJob) -> None:
        if not self.started:
            self.started = True
            _load_renderers(self.project, job, self.formats)
            # What is loaded now lives as long as the run: moved out of the garbage collector's sight,
            # its passes no longer walk it (rendering allocates fast and triggers many), and forked
            # workers do not touch, hence copy, the memory pages that hold it.
            gc.freeze()
        if self.size <= 1 or not self.pending:
            self.pending.append(job)  # the first job waits: for one release alone a pool costs more than it saves
            return
        if self.pool is None:
            self.pool = process_pool(self.size)  # its workers end with this process, even when it is killed
            self.pending = [self.pool.submit(_build_release, waiting) for waiting in self.pending]
        self.pending.append(self.pool.submit(_build_release, job))

    def results(self, on_progress: Callable[[int, int], None] | None) -> Iterator[_ReleaseResult]:
        total = len(self.pending)
        if self.pool is None:
            results: Iterable[_ReleaseResult] = map(_build_release, self.pending)
        else:
            from concurrent.futures import as_completed

            results = (future.result() for future in as_completed(self.pending))
        for done, result in enumerate(results, 1):
            if on_progress:
                on_progress(done, total)
            yield result

    def abandon(self) -> None:
        """After a failure: stop the pool, waiting for running jobs, and remove every file they staged."""
        if self.pool is None:
            return
        self.pool.shutdown(wait=True, cancel_futures=True)
        for future in self.pending:
            if future.done() and not future.cancelled() and future.exception() is None:
                discard(future.result().staged)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.started:
            gc.unfreeze()
            self.started = False


def _build_release(job: _ReleaseJob) -> _ReleaseResult:
    """Read one release and its catalogs once, decide every pair, render what changed. Runs in a worker."""
    from ..localize.release import catalog_for
    from ..source.inline import forget_parsed_texts
    from ..source.reader import read_release

    project = _project_for(job.root, job.config)
    release = read_release(Path(job.source), project)
    # only the languages being built are read and checked: the cost of a build follows what it builds
    catalogs = {lang: catalog_for(project, release, lang) for lang in job.keys}
    names = {lang: _names_for(project, job.config, lang) for lang in job.keys}
    decided = {lang: _pair_info(project, release, lang, catalogs[lang], names[lang], key) for lang, key in job.keys.items()}
    infos = {lang: info for lang, (info, _loc) in decided.items()}
    result = _plan(project, job, infos)
    versions = _versions(job, infos, release.id)
    for lang, _draft, formats in result.to_render:
        loc = decided[lang][1]  # (a draft exactly when the pair is not publishable, as _plan decided)
        try:
            result.outputs.extend(_render(project, loc, formats, versions, result.staged))
        except BaseException:
            discard(result.staged)
            raise
        result.rendered += 1
    result.to_render = []
    forget_parsed_texts()
    return result


def _names_for(project: Project, config: str, lang: str) -> Names:
    # names.po is the same file for every release of a language: read it once per process and digest
    digest = hashlib.sha256(project.names_path(lang).read_bytes()).hexdigest() if project.names_path(lang).exists() else "-"
    return _read_names_cached(str(project.root), config, lang, digest)


@lru_cache(maxsize=64)
def _read_names_cached(root: str, config: str, lang: str, _digest: str) -> Names:
    from ..localize.names import read_names

    return read_names(_project_for(root, config), lang)


def _render(project: Project, loc: LocalizedRelease, formats: tuple[str, ...], versions: dict[str, str], staged: list[Staged]) -> list[Output]:
    """Render one (release, language); files are staged beside their targets, not yet in place."""
    from ..render import html

    release = loc.release
    folder = f"{DRAFTS}/{loc.lang}" if loc.draft else loc.lang
    base = project.outputs_dir / folder
    outputs = []

    def stage(path: Path, data: bytes) -> bool:
        item = stage_bytes(path, data)
        if item is not None:
            staged.append(item)
        return item is not None

    if "html" in formats:
        page_path = f"{folder}/{release.id}.html"
        text = html.render_release_page(loc, page_path=page_path, versions=versions, templates_dir=_templates(project))
        outputs.append(Output(release.id, loc.lang, f"outputs/{page_path}", loc.draft, stage(base / f"{release.id}.html", text.encode("utf-8"))))
        # images go next to the pages that use them, at the same relative path as in the source
        for image in release.images():
            stage(base / image.src, (release.path.parent / image.src).read_bytes())
    if "docx" in formats:
        from ..render.docx import render_release_docx

        data = render_release_docx(loc, image_root=release.path.parent)
        outputs.append(Output(release.id, loc.lang, f"outputs/{folder}/{release.id}.docx", loc.draft, stage(base / f"{release.id}.docx", data)))
    return outputs


@lru_cache(maxsize=8)
def _project_for(root: str, _config_digest: str) -> Project:
    return load_project(Path(root))


def _write_indexes(
    project: Project,
    release_ids: list[str],
    pairs,
    published,
    built: tuple[str, ...],
    digests: _Digests,
    manifest: dict,
    dry_run: bool = False,
) -> list[str]:
    """The index pages of the languages built, the root index and the stylesheet.

    Each page is keyed, like a release output, on everything it shows (titles, dates, links, languages)
    plus the code, settings and templates; one whose key is unchanged is neither rendered nor rewritten.
    """
    languages = {
        lang: f"{lang}/index.html"
        for lang in project.all_languages
        if any(lang in published[r] for r in release_ids)
        or (lang not in built and (project.outputs_dir / lang / "index.html").is_file())
    }
    pages: dict[str, tuple] = {}  # path in outputs/ -> (what the page shows: language, items or None)
    for lang in (lang for lang in languages if lang in built):
        rows = [(rid, pairs[rid, lang].title, pairs[rid, lang].date) for rid in release_ids if lang in published[rid]]
        pages[f"{lang}/index.html"] = (lang, rows)
    for lang in built:
        # drafts get an index of their own, so a draft page's breadcrumb leads somewhere
        rows = [
            (rid, pairs[rid, lang].title, pairs[rid, lang].date)
            for rid in release_ids
            if not pairs[rid, lang].publishable and os.path.isfile(os.path.join(project.outputs_dir, DRAFTS, lang, f"{rid}.html"))
        ]
        if rows:
            pages[f"{DRAFTS}/{lang}/index.html"] = (lang, rows)
    pages["index.html"] = (None, None)
    pages["static/transpub.css"] = (None, None)

    old = manifest.setdefault("indexes", {})
    for path, (lang, rows) in pages.items():
        key = _hash(digests.base, digests.assets, path, json.dumps([lang, rows, languages], sort_keys=True))
        target = project.outputs_dir / path
        if old.get(path) == key and target.is_file():
            continue
        if dry_run:
            raise _MustWrite
        atomic_write_text(target, _render_index(project, path, lang, rows, languages))
        old[path] = key
    manifest["indexes"] = {path: key for path, key in old.items() if (project.outputs_dir / path).is_file()}
    return [f"outputs/{path}" for path in pages if path.endswith(".html")]


def _render_index(project: Project, path: str, lang: str | None, rows, languages: dict[str, str]) -> str:
    from ..render import html

    templates = _templates(project)
    if path == "index.html":
        return html.render_root_index(project, languages, templates_dir=templates)
    if path.endswith(".css"):
        return html.stylesheet(templates)
    items = [html.IndexItem(rid, title, _date(date), f"{rid}.html") for rid, title, date in rows]
    items.sort(key=lambda item: (item.date, item.release_id), reverse=True)
    return html.render_language_index(project, lang, items, page_path=path, languages=languages, templates_dir=templates)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _templates(project: Project) -> Path | None:
    return project.templates_dir if project.templates_dir.is_dir() else None


# --- what an output depends on -----------------------------------------------------------------------
class _Listing:
    """Which files exist under outputs/, one directory listing per folder (not one stat per file)."""

    def __init__(self, root: Path):
        self.root = str(root)
        self._folders: dict[str, frozenset[str]] = {}

    def has(self, relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        if folder not in self._folders:
            try:
                with os.scandir(os.path.join(self.root, folder)) as entries:
                    self._folders[folder] = frozenset(e.name for e in entries if e.is_file())
            except OSError:  # no such folder (yet)
                self._folders[folder] = frozenset()
        return name in self._folders[folder]


class _Digests:
    """Content digests of every build input, each file read at most once per build.

    Only the digests of files many releases share are kept; a release's source is kept while its
    languages are digested, so memory does not grow with the number of releases.
    """

    def __init__(self, project: Project):
        self.project = project
        self._files: dict[Path, str] = {}
        self._per_language: dict[str, tuple[str, str]] = {}
        self._source: tuple[str, str] = ("", "")  # (release id, digest of its source)
        self._sources_dir = project.sources_dir
        self.base = _hash(
            MANIFEST_VERSION, __version__, _code_digest(), self.file(project.config_path)
        )
        self.assets = _hash(
            _folder_digest(project.sources_dir, exclude_suffix=".md"),
            _folder_digest(project.templates_dir),
        )

    def file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = _file_digest(path)
        return self._files[path]

    def pair(self, release_id: str, lang: str) -> str:
        project = self.project
        if self._source[0] != release_id:
            self._source = (release_id, _file_digest(self._sources_dir.joinpath(f"{release_id}.md")))
        source = self._source[1]
        if lang == project.source_lang:
            return _hash(self.base, lang, source)
        if lang not in self._per_language:  # the same files for every release of a language
            self._per_language[lang] = (self.file(project.names_path(lang)), self.file(project.glossary_path(lang)))
        names, glossary = self._per_language[lang]
        return _hash(self.base, lang, source, _file_digest(project.catalog_path(lang, release_id)), names, glossary)


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "-"


def _hash(*parts: object) -> str:
    """A digest of the parts, each followed by a NUL (one update: a no-op build makes one per output)."""
    return hashlib.sha256("".join(f"{part}\0" for part in parts).encode("utf-8")).hexdigest()


@cache
def _code_digest() -> str:
    """transpub's own code, templates and styles: an editable install changes without a version bump."""
    package = Path(__file__).parent.parent
    return _folder_digest(package, suffixes=(".py", ".j2", ".css"))


def _folder_digest(folder: Path, *, exclude_suffix: str | None = None, suffixes: tuple[str, ...] | None = None) -> str:
    """The names and contents of the files under ``folder`` (a folder symlinked inside is not followed)."""
    if not folder.is_dir():
        return "-"
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [name for name in dirnames if name != "__pycache__"]
        for name in filenames:
            suffix = os.path.splitext(name)[1]
            if (exclude_suffix and suffix == exclude_suffix) or (suffixes and suffix not in suffixes):
                continue
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                files.append((os.path.relpath(path, folder).replace(os.sep, "/"), path))
    digest = hashlib.sha256()
    for relative, path in sorted(files):
        digest.update(relative.encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def _file_holds(path: Path, pieces: Iterable[str]) -> bool:
    """Whether the file holds exactly this ASCII text, given and read in pieces."""
    try:
        with open(path, encoding="ascii", newline="") as handle:
            for piece in pieces:
                if handle.read(len(piece)) != piece:
                    return False
            return handle.read(1) == ""
    except (OSError, ValueError):  # no manifest yet, or not ASCII: not the one this build would write
        return False


def _read_manifest(project: Project) -> dict:
    path = project.outputs_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") == MANIFEST_VERSION and isinstance(data.get("pairs"), dict) and isinstance(data.get("outputs"), dict):
            return data
    except (OSError, ValueError):
        pass  # no manifest, or a damaged one: everything is rebuilt, nothing is lost
    return {"version": MANIFEST_VERSION, "pairs": {}, "outputs": {}}


def _write_manifest(project: Project, manifest: dict, dry_run: bool = False) -> None:
    path = project.outputs_dir / MANIFEST
    if dry_run:
        if not _file_holds(path, _manifest_pieces(manifest)):
            raise _MustWrite
        return
    atomic_write_text(path, "".join(_manifest_pieces(manifest)), encoding="ascii")


def _manifest_pieces(manifest: dict, entries: int = 256) -> Iterator[str]:
    """The manifest as JSON, a few hundred entries at a time; together, exactly ``json.dumps`` of it.

    Compact, for only then does json use its C encoder, and ASCII: a title in Japanese would make Python
    hold a whole piece at two bytes a character, or four. In pieces, because the encoder holds every
    fragment of its output until it joins them: the whole manifest at once would take ~9 MB at 500
    releases in five languages, and a no-op build compares the text with the file and writes nothing.
    """
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    yield "{"
    for number, key in enumerate(sorted(manifest)):
        value = manifest[key]
        yield ("," if number else "") + encode(key) + ":"
        if not (isinstance(value, dict) and value):
            yield encode(value)
            continue
        names = sorted(value)
        yield "{"
        for start in range(0, len(names), entries):
            chunk = encode({name: value[name] for name in names[start : start + entries]})
            yield ("," if start else "") + chunk[1:-1]
        yield "}"
    yield "}\n"
