"""The work on one release, and the process pool that runs it: read, decide, render.

A release job (:func:`build_release`) reads the release and the catalogs of the languages being built,
once, has ``review.publishing.decide`` decide each pair, plans the release (``plan``) and renders what
the plan asks for. Only the languages being built are read and checked: the cost of a build follows what
it builds. The one exception is a page of a language not built whose published versions changed (its
remembered decision holds: ``plan``): its catalog is read to render that page again. Rendered files are
staged beside their targets and put in place by the build only when every job succeeded.

Jobs run one after another in this process, or, from the second one on, in a process pool whose workers
each load everything a render needs as they start (:func:`load_renderers`): this process, which digests,
plans and holds the records of every release, never loads the renderers when it has a pool (at 5,000
releases in five languages that kept its peak ~20 MB higher than any worker's). Every output is
deterministic, so a parallel build writes the same bytes as a serial one.

The parsing, checking and rendering modules (markdown-it, Babel, Jinja, python-docx) are imported by
the functions that use them, not at the top: a build with nothing to render (the common no-op) never
loads them.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Project, load_project
from ..errors import changed_while_reading
from ..fsutil import process_pool, recorded_reads
from ..staging import Staged, StagedFiles, discard, stage_bytes
from .digests import changed_input, language_digests, language_paths
from .indexes import IndexPage, stage_index_page, stage_index_pages
from .manifest import PairInfo
from .plan import (
    Output,
    ReleaseJob,
    ReleasePlan,
    output_folder,
    plan_release,
)

if TYPE_CHECKING:
    from ..localize.names import Names
    from ..localize.release import LocalizedRelease
    from ..source.model import Release


@dataclass(frozen=True)
class ReleaseResult:
    """One release done: its plan, and what was rendered for it (staged: not yet in place)."""

    plan: ReleasePlan
    rendered_outputs: tuple[Output, ...] = ()
    rendered: int = 0  # (release, language) pairs rendered
    staged: tuple[Staged, ...] = ()  # put in place only if the whole build succeeds

    @property
    def outputs(self) -> tuple[Output, ...]:
        return self.plan.current + self.rendered_outputs


IN_FLIGHT = 4  # jobs per worker submitted and not yet collected: enough to keep every worker busy


class Workers:
    """Runs release jobs: in a process pool started as soon as a second job turns up (so workers begin
    while the build is still digesting later releases), or one after another in this process (a single
    job, or ``--jobs 1``).

    At most :data:`IN_FLIGHT` jobs per worker are submitted and not yet collected: the build takes the
    results of finished jobs (:meth:`finished`) while it digests later releases, so neither the jobs
    waiting in the pool's queue nor their results pile up with the number of releases.
    """

    def __init__(self, project: Project, formats: tuple[str, ...], jobs: int | None):
        self.project, self.formats = project, formats
        self.size = jobs or os.cpu_count() or 1
        self.pending: list = []  # futures once the pool runs; jobs before that (or with --jobs 1)
        self.pool = None
        self.started = False

    def submit(self, job: ReleaseJob) -> None:
        if self.size <= 1 or not self.pending and self.pool is None:
            self.pending.append(job)  # the first job waits: for one release alone a pool costs more than it saves
            return
        if self.pool is None:
            self._freeze()
            # its workers end with this process, even when it is killed; each loads the renderers as it starts
            self.pool = process_pool(self.size, _prepare_worker, job.root, job.config, tuple(job.keys), self.formats)
            self.pending = [self.pool.submit(build_release, waiting) for waiting in self.pending]
        self.pending.append(self.pool.submit(build_release, job))

    def _freeze(self) -> None:
        """What this process holds now lives as long as the run: moved out of the garbage collector's sight,
        its passes no longer walk it (rendering allocates fast and triggers many), and forked workers do
        not touch, hence copy, the memory pages that hold it."""
        if not self.started:
            self.started = True
            gc.freeze()

    def _run_here(self, job: ReleaseJob) -> None:
        """Jobs are about to run in this process (no pool): load the renderers once, as a worker does."""
        if not self.started:
            load_renderers(job.root, job.config, tuple(job.keys), self.formats)
            self._freeze()

    def finished(self) -> Iterator[ReleaseResult]:
        """The results of the jobs done so far; with a full window, waits for the first to finish."""
        if self.pool is None:
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        if len(self.pending) >= IN_FLIGHT * self.size:
            wait(self.pending, return_when=FIRST_COMPLETED)
        for future in [future for future in self.pending if future.done()]:
            result = future.result()
            self.pending.remove(future)  # collected: its files are the caller's to commit or discard
            yield result

    def results(self) -> Iterator[ReleaseResult]:
        """The results of every job not collected yet, as they finish."""
        if self.pool is None:
            if self.pending:
                self._run_here(self.pending[0])
            results: Iterable[ReleaseResult] = map(build_release, self.pending)
        else:
            from concurrent.futures import as_completed

            results = (future.result() for future in as_completed(self.pending))
        yield from results
        self.pending = []

    def stage_pages(self, pages: Sequence[IndexPage], languages: dict[str, str], config: str, staged: StagedFiles) -> None:
        """The index pages, rendered and added to ``staged`` by the workers (by this process without a
        pool): the sitemap of thousands of releases takes tens of megabytes to render, better spent in a
        worker than on top of everything this process holds by then. Every page staged is added, even
        when another one failed (its error is raised after): the caller discards them all."""
        if self.pool is None:
            stage_index_pages(self.project, pages, languages, staged)
            return
        from concurrent.futures import wait

        root = str(self.project.root)
        futures = [self.pool.submit(stage_site_page, root, config, page, languages) for page in pages]
        wait(futures)
        staged.extend(item for future in futures if future.exception() is None and (item := future.result()) is not None)
        for future in futures:
            if future.exception() is not None:
                raise future.exception()

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


def _prepare_worker(root: str, config: str, languages: tuple[str, ...], formats: tuple[str, ...]) -> None:
    """A pool worker's start: the renderers loaded (:func:`load_renderers`), then, as they live as long as
    the worker, moved out of the garbage collector's sight.

    Loading is only done ahead of need here: what fails (a names.po that does not parse) fails again in
    the first job that needs it, which reports it with its file and line. Raised here, it would break the
    pool, and the build would end on a broken pool instead of on the error.
    """
    try:
        load_renderers(root, config, languages, formats)
    except Exception:  # noqa: BLE001  (reported by the job that needs it, as said above)
        pass
    gc.freeze()


def load_renderers(root: str, config: str, languages: tuple[str, ...], formats: tuple[str, ...]) -> None:
    """Load, once per process that renders, everything its first release would otherwise load piecemeal:
    the parsers and renderers, the CLDR data of every language built (``languages``) and of the source
    language (country codes are checked against it), the Markdown parser, every template (those a page
    extends and includes too), the project's settings and each language's names. The index pages, which
    the workers render at the end, need most of it too.
    """
    from babel import Locale

    from ..localize import release as localize  # noqa: F401
    from ..render import html
    from ..review import checks  # noqa: F401
    from ..source import reader, tokens  # noqa: F401
    from ..source.markdown import fast_parser

    if "docx" in formats:
        from ..render import docx  # noqa: F401
    project = project_for(root, config)
    for lang in dict.fromkeys((project.source_lang, *languages)):
        Locale.parse(lang).territories  # noqa: B018  (reads the locale's CLDR data into Babel's cache)
    for lang in languages:
        _names_for(project, config, lang)
    tokens.is_country_code("CH")  # reads CLDR's territory codes, against which country tokens are checked
    fast_parser()  # the parser nearly every text takes; markdown-it-py is loaded by a text that needs it
    if "html" in formats:
        from jinja2 import TemplateError

        try:
            html.load_templates(templates_dir(project))
        except TemplateError:
            pass  # reported, with its file and line, by the first page that uses the template


def stage_site_page(root: str, config: str, page: IndexPage, languages: dict[str, str]) -> Staged | None:
    """One index page, feed or sitemap rendered and staged (:func:`indexes.stage_index_page`). Runs in a worker."""
    return stage_index_page(project_for(root, config), page, languages)


def build_release(job: ReleaseJob) -> ReleaseResult:
    """Read one release and its catalogs once, decide every pair, render what changed. Runs in a worker.

    The source and catalogs parsed must be the very content the job's keys were made from: a file saved
    after the build digested it, even if undone before the job ends, stops the build (nothing staged is
    kept), or its pages would be recorded as up to date under a content they were not made from."""
    project = project_for(job.root, job.config)
    with recorded_reads() as read:  # what was parsed is checked against the keys, not read again
        return _build_release(project, job, read)


def _build_release(project: Project, job: ReleaseJob, read: dict[str, str]) -> ReleaseResult:
    from ..localize.release import catalog_for
    from ..source.inline import forget_parsed_texts
    from ..source.reader import read_release

    release = read_release(Path(job.source), project)
    # only the languages being built are read and checked: the cost of a build follows what it builds
    catalogs = {lang: catalog_for(project, release, lang) for lang in job.keys}
    names = {lang: _names_for(project, job.config, lang, job.language_digests.get(lang)) for lang in job.keys}
    decided = {lang: decide_pair(project, release, lang, catalogs[lang], names[lang], key) for lang, key in job.keys.items()}
    pairs = {lang: info for lang, (info, _loc) in decided.items()}
    plan = plan_release(job, pairs)
    outputs: list[Output] = []
    staged: list[Staged] = []
    for render in plan.to_render:
        if render.lang not in decided:
            # a language not built whose page links to versions that changed: its remembered decision holds
            # (same key), its catalog is read now, to render the page again
            lang, key = render.lang, job.others[render.lang].key
            names_now = _names_for(project, job.config, lang, job.language_digests.get(lang))
            decided[lang] = decide_pair(project, release, lang, catalog_for(project, release, lang), names_now, key)
        loc = decided[render.lang][1]  # (a draft exactly when the pair is not publishable, as the plan decided)
        try:
            outputs.extend(render_pair(project, loc, render.formats, plan.versions, staged, links_docx=render.links_docx))
        except BaseException:
            discard(staged)
            raise
    try:
        outputs.extend(mark_outdated(project, release.id, plan.to_mark, staged))
    except BaseException:
        discard(staged)
        raise
    forget_parsed_texts()
    shared = (
        (os.fspath(path), digest)
        for lang in decided
        for path, digest in zip(language_paths(project, lang), job.language_digests.get(lang, ()), strict=False)
    )
    changed = changed_input(job.inputs, read, shared)
    if changed is not None:
        discard(staged)
        raise changed_while_reading(project.shown(changed), "the build")
    return ReleaseResult(plan, tuple(outputs), len(plan.to_render), tuple(staged))


def mark_outdated(project: Project, release_id: str, outputs: Iterable[str], staged: list[Staged]) -> list[Output]:
    """Add the outdated notice to published outputs (relative to outputs/), staged beside them: the last
    published version stays, saying that the original was updated, and linking it."""
    from ..fsutil import read_file
    from ..localize.names import read_names
    from ..localize.ui import ui_words
    from ..render.outdated import (
        mark_document_outdated,
        mark_page_outdated,
        notice_html,
    )

    source_lang = project.source_lang
    source_page = f"{source_lang}/{release_id}.html"
    marked = []
    for relative in outputs:
        lang = relative.split("/", 1)[0]
        # the notice in the page's language: built in, or names.po's word for a language without built-in ones
        text = ui_words(project, lang, read_names(project, lang), draft=False).words["outdated"]
        path = project.outputs_dir / relative
        data = read_file(path)
        if relative.endswith(".html"):
            data = mark_page_outdated(data, notice_html(lang, source_lang, f"../{source_page}", text))
        else:
            url = f"{project.base_url.rstrip('/')}/{source_page}" if project.base_url else None
            data = mark_document_outdated(data, lang, source_lang, url, source_page, text)
        item = stage_bytes(path, data, sync=False)
        if item is not None:
            staged.append(item)
        marked.append(Output(release_id, lang, relative.rsplit(".", 1)[1], False, item is not None))
    return marked


def decide_pair(project: Project, release: Release, lang: str, catalog, names: Names, key: str) -> tuple[PairInfo, LocalizedRelease]:
    """Whether the pair publishes (and why not), with the localized release a render of it uses."""
    from ..localize.release import LocalizedRelease
    from ..review.publishing import decide

    decision = decide(project, release, lang, catalog, names)
    # the title shown in index pages: the published one, or what a draft shows
    loc = LocalizedRelease(project, release, lang, catalog=catalog, names=names, draft=not decision.publishable)
    images = tuple(sorted({image.src for image in release.images()}))
    return PairInfo(key, decision.publishable, decision.reason, loc.plain(release.title), release.date.isoformat(), images), loc


def render_pair(
    project: Project, loc: LocalizedRelease, formats: tuple[str, ...], versions: dict[str, str], staged: list[Staged], *, links_docx: bool
) -> list[Output]:
    """Render one (release, language); files are staged beside their targets, not yet in place."""
    from ..render import html

    release = loc.release
    folder = output_folder(loc.lang, loc.draft)
    base = project.outputs_dir / folder
    outputs = []

    def stage(path: Path, data: bytes) -> bool:
        item = stage_bytes(path, data, sync=False)
        if item is not None:
            staged.append(item)
        return item is not None

    if "html" in formats:
        page_path = f"{folder}/{release.id}.html"
        text = html.render_release_page(
            loc, page_path=page_path, versions=versions, templates_dir=templates_dir(project), docx_href=f"{release.id}.docx" if links_docx else None
        )
        outputs.append(Output(release.id, loc.lang, "html", loc.draft, stage(base / f"{release.id}.html", text.encode("utf-8"))))
        # images go next to the pages that use them, at the same relative path as in the source
        for image in release.images():
            stage(base / image.src, (release.path.parent / image.src).read_bytes())
    if "docx" in formats:
        from ..render.docx import render_release_docx

        data = render_release_docx(loc, image_root=release.path.parent)
        outputs.append(Output(release.id, loc.lang, "docx", loc.draft, stage(base / f"{release.id}.docx", data)))
    return outputs


def _names_for(project: Project, config: str, lang: str, digests: tuple[str, ...] | None = None) -> Names:
    """A language's names, read once per process for every release: keyed on the digests of names.po, the
    glossary and the approvals, as the build made them (``digests``; the build checks, before putting
    anything in place, that the files still hold that content), else as they are now."""
    return _read_names_cached(str(project.root), config, lang, digests or language_digests(project, lang))


@lru_cache(maxsize=64)
def _read_names_cached(root: str, config: str, lang: str, _digests: tuple[str, ...]) -> Names:
    from ..localize.names import read_names

    return read_names(project_for(root, config), lang)


@lru_cache(maxsize=8)
def project_for(root: str, _config_digest: str) -> Project:
    """The project's settings, read once per process for each version of transpub.toml."""
    return load_project(Path(root))


def templates_dir(project: Project) -> Path | None:
    """The project's own templates, if it has any (None: transpub's)."""
    return project.templates_dir if project.templates_dir.is_dir() else None
