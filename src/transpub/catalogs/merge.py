"""Templates + existing catalog -> updated catalog, keeping msgmerge's promise: no translation is lost.

* an unchanged segment keeps its translation, flags and comments (a reviewed entry is never touched);
* a changed segment gets the closest old translation as a fuzzy suggestion, with the old text as the
  previous msgid (``#|``) so the translator sees what changed;
* a segment that disappeared becomes obsolete (``#~``), and comes back with its translation if the text
  returns.

Fuzzy matching uses rapidfuzz over the release's own old entries only, so the cost stays linear in
the number of releases (msgmerge and Babel compare every pair of a combined catalog: quadratic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polib
from rapidfuzz import fuzz, process

from .pofile import copy_header, entry_key

# 0–100; below this an old translation is more misleading than helpful (msgmerge uses about 60)
FUZZY_CUTOFF = 70.0


@dataclass(frozen=True)
class MergeReport:
    kept: int = 0
    fuzzy: int = 0
    revived: int = 0
    new: int = 0
    obsoleted: int = 0


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

    merged = polib.POFile(wrapwidth=header_from.wrapwidth, encoding=header_from.encoding)
    copy_header(header_from, merged)  # the old file's header, field for field: see copy_header
    counts = dict(kept=0, fuzzy=0, revived=0, new=0, obsoleted=0)

    for fresh in template:
        key = entry_key(fresh)
        entry = _copy_shape(fresh)
        previous = active.get(key) or obsolete.get(key)
        if previous is not None:
            _take_translation(entry, previous)
            counts["kept" if key in active else "revived"] += 1
        else:
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
    return merged, MergeReport(**counts)


def _copy_shape(fresh: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgctxt=fresh.msgctxt,
        msgid=fresh.msgid,
        msgstr="",
        occurrences=list(fresh.occurrences),
        comment=fresh.comment,
    )


def _take_translation(entry: polib.POEntry, previous: polib.POEntry) -> None:
    entry.msgstr = previous.msgstr
    entry.tcomment = previous.tcomment
    entry.flags = list(previous.flags)
    entry.previous_msgid = previous.previous_msgid
    entry.previous_msgctxt = previous.previous_msgctxt
    if not entry.msgstr and "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")  # gettext: an empty translation is never fuzzy


def _as_obsolete(entry: polib.POEntry) -> polib.POEntry:
    gone = polib.POEntry(
        msgctxt=entry.msgctxt,
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        tcomment=entry.tcomment,
        flags=list(entry.flags),
        previous_msgid=entry.previous_msgid,
        obsolete=True,
    )
    return gone
