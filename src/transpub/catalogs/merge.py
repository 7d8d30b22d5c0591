"""Templates + existing catalog -> updated catalog, keeping msgmerge's promise: no translation is lost.

* an unchanged segment keeps its translation, flags and comments (a reviewed entry is never touched);
* a changed segment gets the closest old translation as a fuzzy suggestion, with the old text as the
  previous msgid (``#|``) so the translator sees what changed;
* a segment that disappeared becomes obsolete (``#~``), and comes back with its translation if the text
  returns;
* a segment whose only change is the value of its tokens (``{month:2024-11}`` corrected to
  ``{month:2024-12}``: same kinds, same count, same order of kinds) is not new work: its translation is
  carried over with the new values put in, its state kept, and a translator comment says what changed.
  Tokens are language-neutral, so no word of the translation can have become wrong.

Fuzzy matching uses rapidfuzz over the release's own old entries only, so the cost stays linear in
the number of releases (msgmerge and Babel compare every pair of a combined catalog: quadratic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polib

from ..source.tokens import TOKEN_RE
from .approvals import entry_digest
from .pofile import copy_header, entry_key, new_entry

# 0–100; below this an old translation is more misleading than helpful (msgmerge uses about 60)
FUZZY_CUTOFF = 70.0


@dataclass(frozen=True, slots=True)
class MergeReport:
    kept: int = 0
    fuzzy: int = 0
    revived: int = 0
    new: int = 0
    obsoleted: int = 0
    values: int = 0  # carried over with new token values (state kept)
    # (digest before, digest after) of each entry carried over with new values: an approval follows it
    revalued: tuple[tuple[str, str], ...] = ()


def merge_catalog(
    template: polib.POFile,
    old: polib.POFile,
    header_from: polib.POFile,
    prefill: Callable[[polib.POEntry], str | None] | None = None,
) -> tuple[polib.POFile, MergeReport]:
    """A new catalog with ``template``'s entries in template order, translations taken from ``old``.

    ``header_from`` supplies the header (the old file's, or a fresh one). ``prefill`` may give a default
    translation for an entry that has none (names.po uses it for CLDR country names).
    """
    active = {entry_key(e): e for e in old if not e.obsolete}
    obsolete = {entry_key(e): e for e in old if e.obsolete}
    wanted = {entry_key(e) for e in template}
    # fuzzy candidates: translated entries whose text is no longer wanted (changed or removed)
    candidates = [e for key, e in {**obsolete, **active}.items() if key not in wanted and e.msgstr]
    choices = [e.msgid for e in candidates]
    by_shape: dict[tuple[str | None, str], list[polib.POEntry]] = {}
    for candidate in candidates:
        if "{" in candidate.msgid:
            by_shape.setdefault((candidate.msgctxt, token_shape(candidate.msgid)), []).append(candidate)
    revalued: list[tuple[str, str]] = []

    merged = polib.POFile(wrapwidth=header_from.wrapwidth, encoding=header_from.encoding)
    copy_header(header_from, merged)  # the old file's header, field for field: see copy_header
    counts = dict(kept=0, fuzzy=0, revived=0, new=0, obsoleted=0, values=0)

    for fresh in template:
        key = entry_key(fresh)
        entry = _copy_shape(fresh)
        previous = active.get(key) or obsolete.get(key)
        if previous is not None:
            _take_translation(entry, previous)
            counts["kept" if key in active else "revived"] += 1
        elif (carried := _with_new_values(fresh, by_shape)) is not None:
            old_entry, msgstr, note = carried
            _take_translation(entry, old_entry)
            entry.msgstr = msgstr
            entry.tcomment = f"{entry.tcomment}\n{note}" if entry.tcomment else note
            revalued.append((entry_digest(old_entry), entry_digest(entry)))
            counts["values"] += 1
        else:
            if choices:  # rapidfuzz is loaded by the first catalog with texts to match (`extract` never needs it)
                from rapidfuzz import fuzz, process
            match = process.extractOne(fresh.msgid, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) if choices else None
            if match is not None:
                suggestion = candidates[match[2]]
                entry.msgstr = suggestion.msgstr
                entry.tcomment = suggestion.tcomment
                entry.flags = ["fuzzy"] + [f for f in suggestion.flags if f != "fuzzy"]
                entry.previous_msgid = suggestion.msgid
                entry.previous_msgctxt = suggestion.msgctxt if suggestion.msgctxt != fresh.msgctxt else None
                counts["fuzzy"] += 1
            else:
                default = prefill(fresh) if prefill else None
                if default:
                    entry.msgstr = default
                counts["new"] += 1
        merged.append(entry)

    for key, entry in active.items():
        if key not in wanted and entry.msgstr:
            merged.append(_as_obsolete(entry))
            counts["obsoleted"] += 1
    for key, entry in obsolete.items():
        if key not in wanted and key not in active:
            merged.append(entry)
    return merged, MergeReport(**counts, revalued=tuple(revalued))


def token_shape(msgid: str) -> str:
    """The msgid with each token's value taken out (``{month:2024-11}`` -> ``{month:}``)."""
    return TOKEN_RE.sub(lambda m: "{" + m.group(1) + ":}", msgid)


def _with_new_values(fresh: polib.POEntry, by_shape) -> tuple[polib.POEntry, str, str] | None:
    """An old translated entry that differs from ``fresh`` only in its tokens' values, with its msgstr
    carrying the new values, and the note saying so; None when there is none, or it is ambiguous."""
    if "{" not in fresh.msgid:
        return None
    found = by_shape.get((fresh.msgctxt, token_shape(fresh.msgid)), [])
    if len(found) != 1:
        return None  # none, or two old texts this could come from: a person decides (fuzzy)
    old = found[0]
    before, after = _raw(old.msgid), _raw(fresh.msgid)
    mapping: dict[str, str] = {}
    for was, now in zip(before, after):
        if mapping.setdefault(was, now) != now:
            return None  # one old value became two new ones: which one stands where cannot be told
    if any(old.msgstr.count(raw) != before.count(raw) for raw in mapping):
        return None  # the translation does not carry the tokens as the source does
    msgstr = TOKEN_RE.sub(lambda m: mapping.get(m.group(0), m.group(0)), old.msgstr)
    changes = ", ".join(f"{was} → {now}" for was, now in mapping.items() if was != now)
    return old, msgstr, f"source values changed: {changes}"


def _raw(text: str) -> list[str]:
    return [match.group(0) for match in TOKEN_RE.finditer(text)]


def _copy_shape(fresh: polib.POEntry) -> polib.POEntry:
    return new_entry(fresh.msgid, msgctxt=fresh.msgctxt, occurrences=list(fresh.occurrences), comment=fresh.comment)


def _take_translation(entry: polib.POEntry, previous: polib.POEntry) -> None:
    entry.msgstr = previous.msgstr
    entry.tcomment = previous.tcomment
    entry.flags = list(previous.flags)
    entry.previous_msgid = previous.previous_msgid
    entry.previous_msgctxt = previous.previous_msgctxt
    if not entry.msgstr and "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")  # gettext: an empty translation is never fuzzy


def _as_obsolete(entry: polib.POEntry) -> polib.POEntry:
    return new_entry(
        entry.msgid,
        msgctxt=entry.msgctxt,
        msgstr=entry.msgstr,
        tcomment=entry.tcomment,
        flags=list(entry.flags),
        previous_msgid=entry.previous_msgid,
        obsolete=True,
    )
