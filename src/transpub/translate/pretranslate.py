"""`pretranslate`: fill empty catalog entries from translation memory, then from a machine-translation engine.

Order per entry: an exact match among *reviewed* entries of any catalog of the same language (the
project's translation memory), else one in the external memories of ``[translate] memory`` (TMX files,
in the order listed: the project's own wins a tie), else the most similar text of either, from
``memory_threshold`` up, else one engine call per distinct text. A memory's text is offered only if it
carries exactly the source's tokens and markup (:func:`~transpub.translate.protect.translation_fits`):
a memory never puts a wrong token into a catalog. Every filled entry is marked fuzzy with a
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
from ..catalogs.states import (
    ORIGIN_MACHINE,
    ORIGIN_MEMORY,
    ORIGIN_SIMILAR,
    State,
    entry_state,
    origin_note,
)
from ..config import Project
from ..errors import CatalogError, EngineError, FileError, UsageError
from ..fsutil import project_lock, read_file
from ..source.reader import read_releases
from ..source.tokens import TOKEN_RE
from ..staging import file_signature, replace_if_unchanged
from .engines import Engine, make_engine
from .protect import PlaceholderError, translation_fits
from .runner import RunAbortedError, translate_unique
from .tmx import SHORTCUT_RE, TranslationMemory, from_omegat, omegat_text, read_tmx

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
    from_external: int = 0  # entries filled from the same text in an external memory ([translate] memory)
    from_external_fuzzy: int = 0  # entries filled from a similar text in an external memory
    memory_unfit: int = 0  # distinct texts a memory matched, refused: its tokens or markup differ from the source's
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

    external = _external_memories(project, lang)  # read (and refused if bad) before anything is written
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
        found, unfit = _memory_matches(list(todo), memory, external, project.translate.memory_threshold, today)
        by_path: dict[Path, dict[Key, tuple[str, str]]] = {}
        for key, match in found.items():
            for path in todo.pop(key):
                by_path.setdefault(path, {})[key] = (match.msgstr, match.note)
        counts = dict.fromkeys(("from_memory", "from_fuzzy", "from_external", "from_external_fuzzy"), 0)
        for path, fills in by_path.items():
            for key in _fill(path, fills):
                counts[found[key].kind] += 1
            written.add(path)

        name = engine.name if engine is not None else _engine_name(project, engine_name)
        report = dict(lang=lang, engine=name, **counts, memory_unfit=len(unfit & set(todo)), already_filled=already)
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
                    per_file.setdefault(path, {})[key] = (translation, origin_note(ORIGIN_MACHINE, detail, translation))
                for path, fills in per_file.items():
                    filled_engine += len(_fill(path, fills))
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


def _fill(path: Path, fills: dict[Key, tuple[str, str]]) -> list[Key]:
    """Fill those entries of ``path`` that are still empty, and write it back, never over a save; return
    the keys of the entries filled.

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
        filled: list[Key] = []
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
            filled.append(entry_key(entry))
        if not filled or replace_if_unchanged(path, data, signature, catalog_to_bytes(po, path)):
            return filled
    return []  # saved over and over while we tried: left to the translator; a re-run fills what is still empty


@dataclass(frozen=True)
class _Candidate:
    """A text a memory holds: its source, its translation, which memory (a release id or a memory file);
    ``shortcuts``: both written with OmegaT's tag shortcuts (an OmegaT memory), not as Markdown."""

    source: str
    msgstr: str
    origin: str
    external: bool
    shortcuts: bool = False

    def translation_for(self, msgid: str) -> str | None:
        """The translation as Markdown for ``msgid``, if it carries exactly the msgid's tokens and markup."""
        if self.shortcuts:
            try:
                return from_omegat(self.msgstr, msgid)
            except PlaceholderError:
                return None
        return self.msgstr if translation_fits(msgid, self.msgstr) else None


@dataclass(frozen=True)
class _Match:
    msgstr: str
    note: str  # the origin note
    kind: str  # the report's count it adds to


def _memory_matches(
    keys: list[Key],
    memory: dict[Key, _Candidate],
    external: list[TranslationMemory],
    threshold: int,
    today: dt.date,
) -> tuple[dict[Key, _Match], set[Key]]:
    """The memories' offer for each key: the same text (the project's own first, then each external memory
    in the order listed), else the most similar text of the same context, at least ``threshold`` % alike
    (rapidfuzz's ratio over the words, tokens counted as ``{}``; on a tie the project's own, then the
    first listed). A candidate whose tokens or
    markup differ from the source's is passed over. Also returns the keys that had one passed over."""
    exact: dict[Key, list[_Candidate]] = {key: [candidate] for key, candidate in memory.items()}
    by_context: dict[str | None, list[_Candidate]] = {}
    for (context, msgid), candidate in memory.items():
        by_context.setdefault(context, []).append(candidate)
    for tm in external:
        for unit in tm.units:
            candidate = _Candidate(unit.source, unit.target, tm.origin, True, unit.shortcuts)
            exact.setdefault((unit.context, ("\0" if unit.shortcuts else "") + unit.source), []).append(candidate)
            by_context.setdefault(unit.context, []).append(candidate)
    with_shortcuts = any(unit.shortcuts for tm in external for unit in tm.units)
    found: dict[Key, _Match] = {}
    unfit: set[Key] = set()
    for key in keys:
        candidates = exact.get(key, [])
        if with_shortcuts:  # an OmegaT memory holds the msgid as OmegaT shows it
            candidates = candidates + exact.get((key[0], "\0" + omegat_text(key[1])), [])
        for candidate in candidates:
            msgstr = candidate.translation_for(key[1])
            if msgstr is not None:
                note = origin_note(ORIGIN_MEMORY, f"{candidate.origin}, {today.isoformat()}", msgstr)
                found[key] = _Match(msgstr, note, "from_external" if candidate.external else "from_memory")
                break
            unfit.add(key)
    if threshold >= 100:
        return found, unfit
    from rapidfuzz import fuzz, process

    likeness = {context: [_words(c.source) for c in candidates] for context, candidates in by_context.items()}
    for key in keys:
        context, msgid = key
        candidates = by_context.get(context)
        if key in found or not candidates:
            continue
        scored = process.extract(_words(msgid), likeness[context], scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
        for _text, score, index in sorted(scored, key=lambda hit: (-hit[1], hit[2])):
            candidate = candidates[index]
            msgstr = candidate.translation_for(msgid)
            if msgstr is None:
                unfit.add(key)
                continue
            detail = f"{candidate.origin}, {today.isoformat()}, {score:.0f} % like {candidate.source!r}"
            note = origin_note(ORIGIN_SIMILAR, detail, msgstr)
            found[key] = _Match(msgstr, note, "from_external_fuzzy" if candidate.external else "from_fuzzy")
            break
    return found, unfit


def _words(text: str) -> str:
    """A text as its likeness is judged: each token (and OmegaT tag shortcut) as ``{}``, so that two texts
    sharing a long token (``{org:WIPO:short}``, ``{list:KZ DE …}``) are not alike for that alone."""
    return SHORTCUT_RE.sub("{}", TOKEN_RE.sub("{}", text))


def _external_memories(project: Project, lang: str) -> list[TranslationMemory]:
    """The memories of ``[translate] memory``, in the order listed, with their units for (source, lang)."""
    return [
        read_tmx(project.root / name, project.source_lang, lang, shown=project.shown(project.root / name))
        for name in project.translate.memory
    ]


def _translation_memory(project: Project, lang: str) -> dict[Key, _Candidate]:
    """Reviewed translations of every catalog of ``lang``, by (msgctxt, msgid); the first catalog's wins."""
    memory: dict[Key, _Candidate] = {}
    folder = project.locale_dir / lang / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")):
        if path.name == "glossary.po":
            continue
        for entry in read_catalog(path):
            if not entry.obsolete and entry_state(entry) is State.REVIEWED:
                memory.setdefault(entry_key(entry), _Candidate(entry.msgid, entry.msgstr, path.stem, False))
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
