"""`extract` and `update`: sources -> templates -> catalogs, all validated before anything is written.

Each release is handled on its own (in a process pool when there are many): its source is read, its
template built and merged into every target language's catalog, and every file that changes is staged
beside its target (see :mod:`transpub.staging`). Only when every release and every existing catalog has
been read without error are the staged files renamed into place, under the project lock. So a bad source
or a malformed PO file stops the run with nothing on disk changed; memory holds one release at a time;
and a second run with no source change rewrites nothing.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import polib
from babel import Locale

from ..clock import po_stamp
from ..config import Project, load_project
from ..errors import CatalogError, TokenError, changed_while_reading
from ..fsutil import content_digest, pool_workers, process_pool, project_lock
from ..source.inline import forget_parsed_texts
from ..source.reader import read_release, read_releases, release_id_of, source_ref  # noqa: F401  (re-exported)
from ..source.tokens import parse_token
from ..staging import Staged, commit, discard, file_signature, stage_bytes
from .approvals import (
    NAMES_CATALOG,
    Approval,
    entry_digest,
    read_approvals,
    write_approvals,
)
from .merge import MergeReport, merge_catalog
from .pofile import (
    catalog_from_bytes,
    catalog_to_bytes,
    complete_header,
    header_is_missing,
    new_catalog,
    read_catalog,
    reuse_entry_texts,
)
from .releases import LikelyRename, ReleaseFiles, likely_renames, vanished_releases
from .states import refresh_origin_note
from .templates import (
    catalog_forms,
    countries_in,
    country_context,
    forms_used,
    names_template,
    names_template_for,
    release_template,
    with_forms,
)

DATE_FIELDS = ("POT-Creation-Date",)
# The work of one release, in seconds (measured, 2 cores): its template, then each language's merge.
RELEASE_SECONDS, LANGUAGE_SECONDS = 0.005, 0.0035


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str  # relative to the project root
    changed: bool
    merge: MergeReport | None = None


@dataclass(frozen=True)
class DroppedApprovals:
    """Approvals ``update`` forgot because their entry (that exact text) no longer exists."""

    path: str  # the approvals file, relative to the project root
    approvals: tuple[Approval, ...]


@dataclass(frozen=True)
class UpdateReport:
    releases: int
    files: tuple[FileResult, ...]
    dropped: tuple[DroppedApprovals, ...] = ()
    orphaned: tuple[ReleaseFiles, ...] = ()  # releases whose source is gone: their catalogs, template and approvals stay until `transpub rm`
    renames: tuple[LikelyRename, ...] = ()  # an orphaned release that is probably a new one renamed: `transpub mv`
    notes: tuple[str, ...] = ()  # what the user should know: form entries in names.po that name nothing

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.changed)


@dataclass(frozen=True)
class _ReleaseResult:
    files: tuple[FileResult, ...]
    staged: tuple[Staged, ...]
    countries: frozenset[str] = field(default_factory=frozenset)
    forms: dict = field(default_factory=dict)  # lang -> {catalog file name: the grammatical forms its old translations ask for}
    read: tuple[tuple[str, int], ...] = ()  # each catalog staged, with its signature when it was read (_signature)


def extract(project: Project, *, jobs: int | None = None) -> UpdateReport:
    """Write the templates only."""
    return _run(project, (), jobs)


def update(project: Project, languages: tuple[str, ...] | None = None, *, jobs: int | None = None) -> UpdateReport:
    """Extract, then merge every template into every target language's catalog."""
    return _run(project, tuple(languages or project.languages), jobs)


def _run(project: Project, languages: tuple[str, ...], jobs: int | None) -> UpdateReport:
    paths = project.release_paths()
    for path in paths:
        release_id_of(path)  # an unsafe file name is refused before any work
    staged: list[Staged] = []
    files: list[FileResult] = []
    read: list[tuple[str, int]] = []
    countries: set[str] = set()
    forms: dict[str, dict[str, tuple[str, ...]]] = {lang: {} for lang in languages}
    # The catalogs are read under the lock, not before it: a `pretranslate` or `review import` that
    # finished between our read and our write would otherwise have its translations merged away.
    with project_lock(project.root):
        try:
            for result in _each_release(project, paths, languages, jobs):
                staged.extend(result.staged)
                files.extend(result.files)
                read.extend(result.read)
                countries |= result.countries
                for lang, found in result.forms.items():
                    forms[lang].update(found)
            notes = [note for lang in languages for note in _stray_forms(project, lang)]
            names = _names(project, languages, countries, forms)
            staged.extend(names.staged)
            files.extend(names.files)
            read.extend(names.read)
            # editors take no lock of ours: a catalog saved since update read it would be replaced by the
            # merge of the version before, the translator's save lost
            changed = next((path for path, signature in read if _signature(path) != signature), None)
            if changed is not None:
                raise changed_while_reading(project.shown(changed), "update")
        except BaseException:
            discard(staged)
            raise
        commit(staged)
        release_ids = [release_id_of(p) for p in paths]
        dropped = tuple(_prune_approvals(project, lang, release_ids, files) for lang in languages)
        orphaned = vanished_releases(project, release_ids)
        renames = likely_renames(project, orphaned, release_ids)
    return UpdateReport(len(paths), tuple(files), tuple(d for d in dropped if d.approvals), orphaned, renames, tuple(notes))


def _stray_forms(project: Project, lang: str) -> list[str]:
    """Grammatical-form entries of names.po whose name token names nothing this project has (a removed
    organization, a mistyped context): they are kept as obsolete entries, and the user is told."""
    path = project.names_path(lang)
    if not path.exists():
        return []
    notes = []
    for entry in read_catalog(path):
        if entry.obsolete or not entry.msgctxt or "|" not in entry.msgctxt:
            continue
        base, _, form = entry.msgctxt.partition("|")
        try:
            parse_token("{" + base + "|" + form + "}", project.organizations)
        except TokenError as exc:
            notes.append(f"{project.shown(path)}:{entry.linenum}: msgctxt \"{entry.msgctxt}\" is a form of no name of this project ({exc.message}); it is made obsolete")
    return notes


def _prune_approvals(project: Project, lang: str, release_ids: list[str], files: list[FileResult]) -> DroppedApprovals:
    """Forget the approvals of texts that no catalog of ``lang`` holds any more (two-step review); an
    approved entry carried over with new token values keeps its approval, now of the new text."""
    path = project.approvals_path(lang)
    if not project.review.two_step or not path.exists():
        return DroppedApprovals(project.shown(path), ())
    approvals = read_approvals(path)
    kept: set[tuple[str, str]] = set()
    catalogs = {release_id: project.catalog_path(lang, release_id) for release_id in release_ids}
    catalogs[NAMES_CATALOG] = project.names_path(lang)
    merges = {result.path: result.merge for result in files if result.merge is not None}
    moved = False
    for catalog, catalog_path in catalogs.items():
        report = merges.get(project.shown(catalog_path))
        for before, after in report.revalued if report is not None else ():
            approval = approvals.entries.pop((catalog, before), None)
            if approval is not None:
                approvals.entries[catalog, after] = replace(approval, digest=after)
                moved = True
    for catalog, _digest in approvals.entries:
        # a release whose source is gone keeps its approvals while its catalog is there: `transpub mv`
        # carries them to its new name, `transpub rm` removes them
        if catalog not in catalogs and project.catalog_path(lang, catalog).exists():
            catalogs[catalog] = project.catalog_path(lang, catalog)
    for catalog, catalog_path in catalogs.items():
        if catalog_path.exists():
            kept.update((catalog, entry_digest(e)) for e in read_catalog(catalog_path) if not e.obsolete and e.msgstr)
    every = {catalog for catalog, _digest in approvals.entries}
    dropped = approvals.drop_except(kept, every)
    if dropped or moved:
        write_approvals(path, approvals)
    return DroppedApprovals(project.shown(path), tuple(dropped))


def _each_release(project: Project, paths: list[Path], languages: tuple[str, ...], jobs: int | None):
    if not paths:
        return
    # the first release is done here: what it loads (the Markdown parser, CLDR data, the fuzzy matcher)
    # is then loaded once, before any worker is forked, rather than once by each worker
    yield _update_release(project, paths[0], languages)
    rest = paths[1:]
    workers = pool_workers(jobs, len(rest), RELEASE_SECONDS + LANGUAGE_SECONDS * len(languages))
    if workers <= 1:
        for path in rest:
            yield _update_release(project, path, languages)
        return
    root = str(project.root)
    config = content_digest(project.config_path.read_bytes())  # a forked worker's cache is never stale
    gc.freeze()  # what is loaded now is not walked by the workers' collections, so not copied into them
    try:
        with process_pool(workers) as pool:  # its workers end with this process, even when it is killed
            # map keeps the order of the sources, so reports and errors are the same as a serial run
            yield from pool.map(_update_release_in_worker, [(root, config, str(p), languages) for p in rest], chunksize=8)
    finally:
        gc.unfreeze()


def _update_release_in_worker(args: tuple[str, str, str, tuple[str, ...]]) -> _ReleaseResult:
    root, config, path, languages = args
    return _update_release(_project_for(root, config), Path(path), languages)


@cache
def _project_for(root: str, _config_digest: str) -> Project:
    return load_project(Path(root))


def _update_release(project: Project, path: Path, languages: tuple[str, ...]) -> _ReleaseResult:
    """Template and catalogs of one release, staged; nothing is renamed into place here."""
    release = read_release(path, project)
    template = release_template(release, project, source_ref(project, release))
    outcome = [(project.template_path(release.id), template, None, None, None)]
    forms: dict[str, dict[str, tuple[str, ...]]] = {}
    for lang in languages:
        merged = _merged(project, template, project.catalog_path(lang, release.id), lang, prefill=None)
        outcome.append(merged)
        path, old = merged[0], merged[3]
        if old is not None:  # read here, under the lock, as names.po's forms would read it again (forms_used)
            forms[lang] = {path.name: catalog_forms(project, old)}
    files, staged, read = _stage_all(project, outcome)
    result = _ReleaseResult(files, staged, frozenset(countries_in(release, project)), forms, read)
    # the parsed texts of this release are not asked for again: memory follows one release, as in a build
    # (kept, the parse caches of a worker running thousands of releases fill to their bound, ~20 MB)
    forget_parsed_texts()
    return result


def _names(project: Project, languages: tuple[str, ...], countries: set[str], forms: dict | None = None) -> _ReleaseResult:
    template = names_template(project, countries)
    outcome = [(project.names_template_path(), template, None, None, None)]
    for lang in languages:
        own = names_template_for(template, lang)  # interface words only for a language without built-in ones
        # the grammatical forms this language's translations ask for ({org:EUIPO|gen}) are its own entries
        own = with_forms(own, project, forms_used(project, lang, (forms or {}).get(lang)))
        outcome.append(_merged(project, own, project.names_path(lang), lang, prefill=_country_prefill(project, lang)))
    files, staged, read = _stage_all(project, outcome)
    return _ReleaseResult(files, staged, read=read)


def _signature(path: str | Path) -> int:
    """:func:`staging.file_signature` as one int (-1: no such file): an update of thousands of releases
    holds one for every catalog it rewrites until it commits them all (as a Path and a tuple, ~0.6 kB each).
    Equal for an unchanged file; a change leaves it equal only by a 64-bit hash collision."""
    signature = file_signature(path)
    return -1 if signature is None else hash(signature)


def _merged(project: Project, template: polib.POFile, path: Path, lang: str, prefill):
    read_as = _signature(path)  # taken before reading: a save after it is seen before anything is renamed
    old = read_catalog(path) if path.exists() else None  # a malformed catalog raises here, before any rename
    # an existing catalog keeps its own header, Plural-Forms included, whatever Babel or plural data this
    # machine has: one project, one header. Only a new catalog, or one without a header (deleted by hand,
    # a 0-byte names.po: msgfmt refuses both), asks new_catalog for one.
    if old is None or header_is_missing(old):
        header = complete_header(old if old is not None else polib.POFile(), new_catalog(lang, project=project.name))
    else:
        header = old
    merged, report = merge_catalog(template, old if old is not None else polib.POFile(), header, prefill)
    for entry in merged:  # a filled text a person has since rewritten: its note says so now
        refresh_origin_note(entry)
    return path, merged, report, old, read_as


def _stage_all(project: Project, outcome) -> tuple[tuple[FileResult, ...], tuple[Staged, ...], tuple[tuple[str, int], ...]]:
    """Stage what changed; returns the files' results, the staged files, and each catalog staged with its
    signature when it was read (``read_as``; None for a template, transpub's own file)."""
    files, staged, read = [], [], []
    try:
        for path, po, report, old, read_as in outcome:
            data = _bytes_to_write(path, po, old)
            item = stage_bytes(path, data, sync=False) if data is not None else None
            if item is not None:
                staged.append(item)
                if read_as is not None:
                    read.append((item.target_text, read_as))  # (the staged file's own text: not held twice)
            files.append(FileResult(project.shown(path), item is not None, report))
    except BaseException:
        discard(staged)
        raise
    return tuple(files), tuple(staged), tuple(read)


def _country_prefill(project: Project, lang: str):
    overrides = project.names.get(lang, {})
    territories = Locale.parse(lang).territories

    def prefill(entry: polib.POEntry) -> str | None:
        if entry.msgctxt and entry.msgctxt.startswith("country:"):
            code = entry.msgctxt.split(":", 1)[1]
            return overrides.get(code) or territories.get(code)
        return None

    return prefill


def stamped_bytes(path: Path, po: polib.POFile) -> bytes:
    """The catalog's bytes with its creation date set to now (SOURCE_DATE_EPOCH when set)."""
    for name in DATE_FIELDS:
        if name in po.metadata:
            po.metadata[name] = _now_stamp()
    return catalog_to_bytes(po, path)


def _bytes_to_write(path: Path, po: polib.POFile, old: polib.POFile | None) -> bytes | None:
    """The bytes of ``po``, dated now (:func:`stamped_bytes`), if it says something the file at ``path``
    does not, its creation date aside; None when it does not.

    ``old`` is the file as read (None for a template, which is read here). Both are compared as transpub
    writes them, with the file's own date put back: a file that another tool saved in its own layout
    (``msgcat``'s line wrapping, an editor's CRLF line ends) is unchanged when it says the same, as
    ``msgmerge --update`` compares catalogs rather than bytes; so it is neither rewritten nor re-dated.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return stamped_bytes(path, po)
    if old is None:
        try:
            old = catalog_from_bytes(data, path)
        except CatalogError:
            return stamped_bytes(path, po)  # a template that is not one any more: transpub's own output, replaced
    if header_is_missing(old):
        return stamped_bytes(path, po)  # written with the header it lacks
    if _written_keys(po) != _written_keys(old):
        # other entries, or in another order: the texts differ, as the bytes would (the usual change, seen
        # before ``po`` is written out: it is written once, dated)
        return stamped_bytes(path, po)
    with reuse_entry_texts():  # written twice, compared then dated: its entries once
        for name in DATE_FIELDS:
            if name in po.metadata and name in old.metadata:
                po.metadata[name] = old.metadata[name]
        new = catalog_to_bytes(po, path)
        if new == data or new == catalog_to_bytes(old, path):
            return None
        return stamped_bytes(path, po)


def _written_keys(po: polib.POFile) -> list[tuple[str | None, str]]:
    """The (msgctxt, msgid) of the entries in the order :func:`catalog_to_bytes` writes them (active, then
    obsolete). Both are written verbatim (escaped), so two catalogs whose lists differ differ as text."""
    return [(e.msgctxt, e.msgid) for e in po if not e.obsolete] + [(e.msgctxt, e.msgid) for e in po if e.obsolete]


def _now_stamp() -> str:
    return po_stamp()


__all__ = ["UpdateReport", "FileResult", "extract", "update", "read_releases", "country_context", "stamped_bytes"]
