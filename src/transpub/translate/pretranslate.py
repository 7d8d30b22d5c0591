"""`pretranslate`: fill empty catalog entries from translation memory, then from a machine-translation engine.

Order per entry: an exact match among *reviewed* entries of any catalog of the same language (the
translation memory), else one engine call per distinct text. Every filled entry is marked fuzzy with a
translator comment naming its origin and the date, so `status` counts it as unreviewed and nothing is
published before a person confirms it. A non-empty msgstr is never overwritten.

Progress is saved as each answer arrives: the catalogs holding that text are re-read from disk, only
entries that are *still* empty are filled, and the file is replaced atomically. Killing the run loses at
most the calls in flight, a re-run continues where it stopped, and an edit a translator saved meanwhile
in Poedit is never clobbered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..catalogs.pofile import (
    catalog_from_bytes,
    catalog_to_bytes,
    entry_key,
    read_catalog,
)
from ..catalogs.states import State, entry_state, origin_note
from ..config import Project
from ..errors import CatalogError, EngineError, FileError, UsageError
from ..fsutil import project_lock, read_file
from ..source.reader import read_releases
from ..staging import file_signature, replace_if_unchanged
from .engines import Engine, make_engine
from .runner import RunAbortedError, translate_unique

Key = tuple[str | None, str]


@dataclass(frozen=True)
class Failure:
    msgid: str
    reason: str


@dataclass(frozen=True)
class PretranslateReport:
    lang: str
    engine: str
    from_memory: int = 0  # entries filled from reviewed translations of the same text
    from_fuzzy: int = 0  # entries filled from a reviewed translation of a similar text (fuzzy, to review)
    from_engine: int = 0  # entries filled by the engine
    rejected: int = 0  # distinct texts whose answer lost or invented a placeholder
    failed: int = 0  # distinct texts whose call failed
    engine_texts: int = 0  # distinct texts sent to the engine
    engine_calls: int = 0
    already_filled: int = 0  # entries left alone because they have a translation
    failures: tuple[Failure, ...] = ()
    aborted: str = ""  # why the engine run stopped early, if it did
    files_written: tuple[str, ...] = field(default=())


def pretranslate(
    project: Project,
    lang: str,
    *,
    engine_name: str | None = None,
    release_id: str | None = None,
    engine: Engine | None = None,
    today: dt.date | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> PretranslateReport:
    """Fill the empty entries of ``lang``'s catalogs (one release's, or all, and names.po)."""
    if lang == project.source_lang or lang not in project.languages:
        raise UsageError(f"--lang {lang}: pretranslate fills a target language ({', '.join(project.languages)})")
    today = today or _today()
    releases = read_releases(project, release_id)
    paths = [project.catalog_path(lang, r.id) for r in releases]
    if release_id is None and project.names_path(lang).exists():
        paths.append(project.names_path(lang))
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"{project.shown(missing[0])} does not exist yet: run 'transpub update' first")

    with project_lock(project.root):
        catalogs = {path: read_catalog(path) for path in paths}
        memory = _translation_memory(project, lang)
        todo: dict[Key, list[Path]] = {}
        already = 0
        for path, po in catalogs.items():
            for entry in po:
                if entry.obsolete:
                    continue
                if entry.msgstr.strip():
                    already += 1
                    continue
                todo.setdefault(entry_key(entry), []).append(path)

        written: set[Path] = set()
        filled_memory = 0
        by_memory: dict[Path, dict[Key, tuple[str, str]]] = {}
        for key in list(todo):
            hit = memory.get(key)
            if hit is None:
                continue
            msgstr, origin = hit
            for path in todo.pop(key):
                by_memory.setdefault(path, {})[key] = (msgstr, origin_note("translation memory", f"{origin}, {today.isoformat()}", msgstr))
        for path, fills in by_memory.items():
            filled_memory += _fill(path, fills)
            written.add(path)
        # then the best similar text, from the threshold up: a suggestion to review, never asked of the engine
        filled_fuzzy = 0
        by_fuzzy: dict[Path, dict[Key, tuple[str, str]]] = {}
        for key, (msgstr, note) in _fuzzy_matches(list(todo), memory, project.translate.memory_threshold, today).items():
            for path in todo.pop(key):
                by_fuzzy.setdefault(path, {})[key] = (msgstr, note)
        for path, fills in by_fuzzy.items():
            filled_fuzzy += _fill(path, fills)
            written.add(path)

        name = engine.name if engine is not None else _engine_name(project, engine_name)
        report = dict(lang=lang, engine=name, from_memory=filled_memory, from_fuzzy=filled_fuzzy, already_filled=already)
        if not todo:
            return PretranslateReport(**report, files_written=_names(project, written))

        engine = engine or make_engine(name, project.translate, source=project.source_lang, targets=(lang,))
        name = report["engine"] = engine.name  # the engine's own name ("libre" is an alias of "libretranslate")
        # Texts are translated without context, so an identical msgid under two contexts is sent once.
        by_text: dict[str, list[tuple[Key, Path]]] = {}
        for key, where in todo.items():
            for path in where:
                by_text.setdefault(key[1], []).append((key, path))
        done = 0
        filled_engine = 0
        detail = f"{name}, {today.isoformat()}"

        def on_result(text: str, translation: str | None, error: EngineError | None) -> None:
            nonlocal done, filled_engine
            done += 1
            if translation is not None and translation.strip():
                per_file: dict[Path, dict[Key, tuple[str, str]]] = {}
                for key, path in by_text[text]:
                    per_file.setdefault(path, {})[key] = (translation, origin_note("machine translation", detail, translation))
                for path, fills in per_file.items():
                    filled_engine += _fill(path, fills)
                    written.add(path)
            if on_progress:
                on_progress(done, len(by_text))

        aborted = ""
        try:
            result = translate_unique(
                engine,
                list(by_text),
                project.source_lang,
                lang,
                concurrency=project.translate.concurrency,
                on_result=on_result,
            )
        except RunAbortedError as exc:
            result, aborted = exc.report, str(exc)
        failures = tuple(Failure(f.text, str(f.error)) for f in result.failures)
        report.update(
            from_engine=filled_engine,
            rejected=result.rejected,
            failed=result.failed,
            engine_texts=result.sent,
            engine_calls=result.calls,
            failures=failures,
            aborted=aborted,
        )
        return PretranslateReport(**report, files_written=_names(project, written))


#: how often a fill is redone when a translator keeps saving the catalog while it is being filled
FILL_ATTEMPTS = 50


def _fill(path: Path, fills: dict[Key, tuple[str, str]]) -> int:
    """Fill those entries of ``path`` that are still empty, and write it back, never over a save.

    A translator's editor takes no lock of ours, so the catalog is read, filled, and put in place only
    if it still holds what was read; if someone saved meanwhile, it is read again (their save included)
    and filled again. Entries a person filled meanwhile are theirs: they are not filled.
    """
    for _attempt in range(FILL_ATTEMPTS):
        try:
            signature = file_signature(path)
            data = read_file(path, what="catalog")
        except (FileNotFoundError, FileError) as exc:
            raise CatalogError(f"cannot read the catalog: {getattr(exc, 'message', None) or exc.strerror}", path) from None
        po = catalog_from_bytes(data, path)
        count = 0
        for entry in po:
            if entry.obsolete or entry.msgstr.strip():
                continue
            fill = fills.get(entry_key(entry))
            if fill is None:
                continue
            entry.msgstr, note = fill
            if "fuzzy" not in entry.flags:
                entry.flags.insert(0, "fuzzy")
            entry.tcomment = note if not entry.tcomment else f"{entry.tcomment}\n{note}"
            count += 1
        if not count or replace_if_unchanged(path, data, signature, catalog_to_bytes(po, path)):
            return count
    return 0  # saved over and over while we tried: left to the translator; a re-run fills what is still empty


def _fuzzy_matches(
    keys: list[Key], memory: dict[Key, tuple[str, str]], threshold: int, today: dt.date
) -> dict[Key, tuple[str, str]]:
    """For each key without an exact match, the memory's most similar text of the same context, when it is
    at least ``threshold`` % alike (rapidfuzz's ratio): its translation, and a note giving the score, where
    it came from and the text it translates."""
    if threshold >= 100 or not memory:
        return {}
    from rapidfuzz import fuzz, process

    by_context: dict[str | None, list[tuple[str, str, str]]] = {}
    for (context, msgid), (msgstr, origin) in memory.items():
        by_context.setdefault(context, []).append((msgid, msgstr, origin))
    found: dict[Key, tuple[str, str]] = {}
    for context, msgid in keys:
        candidates = by_context.get(context)
        if not candidates:
            continue
        match = process.extractOne(msgid, [c[0] for c in candidates], scorer=fuzz.ratio, score_cutoff=threshold)
        if match is None:
            continue
        source, msgstr, origin = candidates[match[2]]
        detail = f"{origin}, {today.isoformat()}, {match[1]:.0f} % like {source!r}"
        found[context, msgid] = (msgstr, origin_note("translation memory (similar text)", detail, msgstr))
    return found


def _translation_memory(project: Project, lang: str) -> dict[Key, tuple[str, str]]:
    """Reviewed translations of every catalog of ``lang``: (msgctxt, msgid) -> (msgstr, catalog name)."""
    memory: dict[Key, tuple[str, str]] = {}
    folder = project.locale_dir / lang / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        if path.name == "glossary.po":
            continue
        for entry in read_catalog(path):
            if not entry.obsolete and entry_state(entry) is State.REVIEWED:
                memory.setdefault(entry_key(entry), (entry.msgstr, path.stem))
    return memory


def _engine_name(project: Project, requested: str | None) -> str:
    name = requested or project.translate.engine
    if not name:
        raise UsageError('no engine: give --engine NAME or set engine = "…" in [translate] of transpub.toml')
    return name


def _today() -> dt.date:
    return clock.today()




def _names(project: Project, paths: set[Path]) -> tuple[str, ...]:
    return tuple(sorted(project.shown(p) for p in paths))
