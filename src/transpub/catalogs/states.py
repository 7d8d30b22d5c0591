"""Review states, read from a PO entry and, under two-step review, the language's approvals.

    untranslated   empty msgstr
    machine        msgstr + fuzzy, no previous msgid (pre-translated, or marked "needs work")
    changed        msgstr + fuzzy + "#|" previous msgid (the source changed since it was translated)
    reviewed       one-step review: msgstr, no fuzzy flag — publishes
    translated     two-step review: a person's text (no fuzzy flag), not yet approved
    approved       two-step review: that exact text approved by a reviewer (approvals.tsv) — publishes

:class:`Review` is the one place that reads a state: every command asks it, so what ``status`` counts,
what ``check`` and ``build`` decide and what a review document shows cannot disagree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum

import polib

from ..config import Project
from .approvals import Approval, Approvals, read_approvals


class State(str, Enum):
    UNTRANSLATED = "untranslated"
    MACHINE = "machine"
    CHANGED = "changed"
    TRANSLATED = "translated"
    REVIEWED = "reviewed"
    APPROVED = "approved"

    @property
    def publishable(self) -> bool:
        return self in (State.REVIEWED, State.APPROVED)


def entry_state(entry: polib.POEntry | None) -> State:
    """The state the PO text alone tells (one-step review: no fuzzy flag is reviewed)."""
    if entry is None or not entry.msgstr.strip():
        return State.UNTRANSLATED
    if "fuzzy" in entry.flags:
        return State.CHANGED if entry.previous_msgid else State.MACHINE
    return State.REVIEWED


@dataclass(frozen=True)
class Review:
    """How one language's entries are judged: the project's review policy and, for two-step, its approvals."""

    two_step: bool = False
    approvals: Approvals = field(default_factory=lambda: Approvals({}))

    def state(self, entry: polib.POEntry | None, catalog: str) -> State:
        """The entry's state; ``catalog`` is its catalog's id (the release id, or "names")."""
        state = entry_state(entry)
        if state is State.REVIEWED and self.two_step:
            return State.APPROVED if self.approvals.of(catalog, entry) is not None else State.TRANSLATED
        return state

    @property
    def states(self) -> tuple[State, ...]:
        """The states an entry can be in under this policy, in the order reports list them."""
        if self.two_step:
            return (State.APPROVED, State.TRANSLATED, State.MACHINE, State.CHANGED, State.UNTRANSLATED)
        return (State.REVIEWED, State.MACHINE, State.CHANGED, State.UNTRANSLATED)

    def approval(self, entry: polib.POEntry | None, catalog: str) -> Approval | None:
        if entry is None or not self.two_step:
            return None
        return self.approvals.of(catalog, entry)


ONE_STEP = Review()


def read_review(project: Project, lang: str) -> Review:
    """The review of ``lang``: one-step, or two-step with the approvals in locale/<lang>/approvals.tsv."""
    if not project.review.two_step or lang == project.source_lang:
        return ONE_STEP
    return Review(True, read_approvals(project.approvals_path(lang)))


def mark_reviewed(entry: polib.POEntry) -> None:
    """A human confirmed the translation: clear fuzzy and the previous-msgid hints that go with it."""
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    entry.previous_msgid_plural = None
    entry.previous_msgctxt = None


# --- where a translation came from ---------------------------------------------------------------------
# The origins a note can name. A memory's detail says which memory: a release id (the project's own
# reviewed catalogs) or a memory file of [translate] memory ("tm/agency.tmx"), then the date:
#   translation memory: 2023-07-18-wipo-assemblies, 2026-12-04 (text #1a2b3c4d)
#   translation memory (similar text): tm/agency.tmx, 2026-12-04, 83 % like '…' (text #1a2b3c4d)
ORIGIN_MACHINE = "machine translation"
ORIGIN_SIMILAR = "translation memory (similar text)"
ORIGIN_MEMORY = "translation memory"
ORIGINS = (ORIGIN_MACHINE, ORIGIN_SIMILAR, ORIGIN_MEMORY)
_FINGERPRINT = re.compile(r" \(text #([0-9a-f]{8})\)$")


def text_fingerprint(msgstr: str) -> str:
    return hashlib.sha256(msgstr.encode("utf-8")).hexdigest()[:8]


def origin_note(origin: str, detail: str, msgstr: str) -> str:
    """The translator comment ``pretranslate`` leaves on a filled entry: where the text came from, and a
    fingerprint of it, so that whether a person has rewritten it since can always be told.

    ``machine translation: libretranslate, 2026-12-04 (text #1a2b3c4d)``
    """
    return f"{origin}: {detail} (text #{text_fingerprint(msgstr)})"


@dataclass(frozen=True)
class Provenance:
    origin: str | None  # "machine translation: libretranslate, 2026-12-04", or None: a person's own text
    edited: bool | None  # rewritten by a person since (None: a note written before fingerprints)

    def describe(self) -> str:
        if self.origin is None:
            return "a person's translation"
        if self.edited is None:
            return self.origin
        return f"{self.origin}, {'since edited by a person' if self.edited else 'unedited'}"


def provenance(entry: polib.POEntry) -> Provenance:
    """Where an entry's text came from, read from the note ``pretranslate`` left (the last one wins)."""
    notes = [line for line in (entry.tcomment or "").splitlines() if line.startswith(tuple(f"{o}:" for o in ORIGINS))]
    if not notes:
        return Provenance(None, None)
    note = notes[-1]
    found = _FINGERPRINT.search(note)
    if found is None:
        return Provenance(note, None)
    return Provenance(note[: found.start()], found.group(1) != text_fingerprint(entry.msgstr))


EDITED = ", since edited by a person"


def refresh_origin_note(entry: polib.POEntry) -> bool:
    """Once a person has rewritten a filled text, its note no longer describes it: say so in the note
    (``machine translation: libretranslate, 2026-12-04, since edited by a person``). True if changed."""
    if not provenance(entry).edited:
        return False
    lines = (entry.tcomment or "").splitlines()
    for index in range(len(lines) - 1, -1, -1):
        found = _FINGERPRINT.search(lines[index])
        if found is not None and lines[index].startswith(tuple(f"{o}:" for o in ORIGINS)):
            lines[index] = lines[index][: found.start()] + EDITED
            entry.tcomment = "\n".join(lines)
            return True
    return False
