"""Review states, read from a PO entry alone (SPEC "Review states").

    untranslated   empty msgstr
    machine        msgstr + fuzzy, no previous msgid (pre-translated, or marked "needs work")
    changed        msgstr + fuzzy + "#|" previous msgid (the source changed since it was translated)
    reviewed       msgstr, no fuzzy flag: the only state that publishes
"""

from __future__ import annotations

from enum import Enum

import polib


class State(str, Enum):
    UNTRANSLATED = "untranslated"
    MACHINE = "machine"
    CHANGED = "changed"
    REVIEWED = "reviewed"

    @property
    def publishable(self) -> bool:
        return self is State.REVIEWED


def entry_state(entry: polib.POEntry | None) -> State:
    if entry is None or not entry.msgstr.strip():
        return State.UNTRANSLATED
    if "fuzzy" in entry.flags:
        return State.CHANGED if entry.previous_msgid else State.MACHINE
    return State.REVIEWED


def mark_reviewed(entry: polib.POEntry) -> None:
    """A human confirmed the translation: clear fuzzy and the previous-msgid hints that go with it."""
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    entry.previous_msgid_plural = None
    entry.previous_msgctxt = None
