"""Applying a reviewed document to the PO catalogs (``transpub review import``).

What the reviewer does, and what each row becomes
    * corrects the text in the Translation column (tokens such as ``{country:KZ}`` may move, never change;
      a correction that loses or alters a token, a link or markup — any check ERROR — is rejected with the
      reason);
    * writes in the State column, case-insensitively: one of :data:`APPROVE_WORDS` (``approved``, ``ok``,
      ``✓`` …) to approve the row (the entry becomes reviewed: ``#, fuzzy`` and ``#|`` cleared); one of
      :data:`UNAPPROVE_WORDS` (``needs work`` …) to send it back (``#, fuzzy`` set); leaving the exported
      word (or emptying the cell) keeps the state. A corrected row keeps its state unless approved; an
      untranslated row that gets a translation without approval becomes fuzzy;
    * writes notes in the Comment column (Word comments anchored in the row count too): they become
      translator comments (``# review: …``).

A row whose catalog entry changed since export (its source or its translation) is a conflict; a row
asking for something invalid is rejected. Neither changes anything, and the other rows still apply.
Importing the same document twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import polib

from .. import clock
from ..catalogs.approvals import NAMES_CATALOG
from ..catalogs.pofile import catalog_to_bytes, read_catalog
from ..catalogs.states import (
    Review,
    State,
    entry_state,
    mark_reviewed,
    read_review,
    refresh_origin_note,
)
from ..config import SAFE_ID_RE, Project
from ..errors import ReviewError
from ..fsutil import project_lock
from ..localize.names import read_names
from ..staging import Staged, commit, discard, stage_bytes
from . import docformat as fmt
from .approve import reviewer_name
from .checks import CatalogContext, Severity, catalog_context, check_translation
from .docx_guard import read_review_file
from .reading import ReviewRow, read_review_document

APPROVE_WORDS = frozenset({"approved", "approve", "ok", "okay", "reviewed", "✓", "✔", "☑", "✅"})
UNAPPROVE_WORDS = frozenset({"needs work", "fuzzy", "machine", "changed", "untranslated"})
REVIEW_COMMENT_PREFIX = "review: "


class Outcome(str, Enum):
    APPLIED = "applied"  # correction, sent back, or comment written
    APPROVED = "approved"  # reviewed now (with or without a correction)
    CONFLICT = "conflict"  # the catalog changed since export: nothing applied
    REJECTED = "rejected"  # the row asks for something invalid: nothing applied
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RowResult:
    row_id: str
    outcome: Outcome
    detail: str = ""

    def line_text(self, path_label: str) -> str:
        return f"{path_label}: {self.row_id}: {self.outcome.value}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class ImportReport:
    path_label: str
    lang: str
    rows: tuple[RowResult, ...]
    written: tuple[str, ...] = ()  # catalogs written, relative to the project
    item: str = "row"  # what the file's items are called: a review document's rows, an XLIFF file's units

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(row.outcome.value for row in self.rows)
        return {outcome.value: counts.get(outcome.value, 0) for outcome in Outcome}

    @property
    def problems(self) -> tuple[RowResult, ...]:
        return tuple(row for row in self.rows if row.outcome in (Outcome.CONFLICT, Outcome.REJECTED))

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts.items())
        files = f"; wrote {', '.join(self.written)}" if self.written else "; no catalog changed"
        return f"{self.path_label} [{self.lang}]: {len(self.rows)} {self.item}(s): {counts}{files}"

    def as_dict(self) -> dict:
        return {
            "path": self.path_label,
            "lang": self.lang,
            "counts": self.counts,
            "written": list(self.written),
            "rows": [{"id": r.row_id, "outcome": r.outcome.value, "detail": r.detail} for r in self.rows],
        }


def import_review_file(
    project: Project, path: Path, *, now: dt.datetime | None = None, reviewer: str | None = None
) -> ImportReport:
    """Apply the review document at ``path`` (read with the size limit first); see :func:`import_review`."""
    return import_review(project, read_review_file(path), path_label=str(path), now=now, reviewer=reviewer)


def import_review(
    project: Project, data: bytes, *, path_label: str, now: dt.datetime | None = None, reviewer: str | None = None
) -> ImportReport:
    """Apply a reviewed document to the catalogs; every row's outcome is in the report.

    Rows are validated one by one; the valid ones are applied and every changed catalog is written
    atomically, all under the project lock. A document that cannot be read, is not a transpub review
    document or reviews a language this project does not have is refused (ReviewError) before anything
    is written. Under two-step review, "approved" in a row records an approval of the row's translation
    (corrected, if it was) by ``reviewer``, else the reviewer named in the document at export, else
    $TRANSPUB_REVIEWER or git's user.name.
    """
    document = read_review_document(data, path_label)
    if document.lang not in project.languages:
        raise ReviewError(f"the document reviews language {document.lang!r}, which is not a target language of this "
                          f"project ({', '.join(project.languages)})", path=path_label)  # fmt: skip
    if not document.rows:
        raise ReviewError("the review document has no segment rows (was the table deleted?)", path=path_label)

    with project_lock(project.root):
        importer = CatalogImporter(project, document.lang, reviewer or document.properties.get(fmt.PROPERTY_REVIEWER))
        results = tuple(importer.apply_row(row) for row in document.rows)
        written = importer.write(now)
    return ImportReport(path_label, document.lang, results, tuple(written))


class Decision(str, Enum):
    """What a row or unit asks for its entry's state, whatever file it came in."""

    KEEP = "keep"  # as exported: a correction keeps the entry's state (an untranslated one becomes fuzzy)
    APPROVE = "approve"  # reviewed (fuzzy cleared); under two-step, an approval of the text as it then stands
    NEEDS_WORK = "needs work"  # sent back: fuzzy
    TRANSLATED = "translated"  # a person's translation, not approved: fuzzy cleared, no approval (XLIFF "translated")


@dataclass(frozen=True)
class EntryChange:
    """One row of a review document or one unit of an XLIFF file, read back: what it asks of one entry.

    ``exported_hash`` is :func:`~.docformat.text_hash` of the msgstr at export; ``text`` the translation
    the file now holds (as it would be stored), ``edited`` whether it differs from the exported one.
    """

    row_id: str
    catalog_id: str
    key: str
    exported_hash: str
    text: str
    edited: bool
    decision: Decision
    comments: tuple[str, ...] = ()


@dataclass
class _Catalog:
    path: Path
    po: polib.POFile
    by_key: dict[str, polib.POEntry]
    changed: bool = False


@dataclass
class CatalogImporter:
    """Applies :class:`EntryChange` s to one language's catalogs and approvals, in memory; :meth:`write`
    then puts every changed file in place at once. Used under the project lock by every importer (review
    documents, XLIFF), so both detect conflicts, reject and approve in exactly the same way."""

    project: Project
    lang: str
    reviewer: str | None = None  # two-step review: who approves (resolved when a row first approves)
    item: str = "row"  # what the file's items are called in messages
    source: str = "review document"  # what the file is called in messages
    catalogs: dict[str, _Catalog | None] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)  # (catalog id, key) of rows applied so far
    context: CatalogContext = field(init=False)
    review: Review = field(init=False)
    approvals_changed: bool = False

    def __post_init__(self) -> None:
        self.review = read_review(self.project, self.lang)
        self.context = catalog_context(self.project, self.lang, read_names(self.project, self.lang, self.review))

    def approve(self, catalog_id: str, entry: polib.POEntry) -> bool:
        """Two-step review: record the reviewer's approval of the entry's present text; False if it had one."""
        catalog = NAMES_CATALOG if catalog_id == fmt.NAMES_ID else catalog_id
        if self.review.approvals.of(catalog, entry) is not None:
            return False
        if self.reviewer is None or not self.reviewer.strip():
            self.reviewer = reviewer_name(None, self.project)  # a UsageError when no one can be named
        self.review.approvals.approve(catalog, entry, self.reviewer, clock.today().isoformat())
        self.approvals_changed = True
        return True

    def withdraw(self, catalog_id: str, entry: polib.POEntry) -> bool:
        """Two-step review: forget the approval of the entry's present text; False if it had none."""
        catalog = NAMES_CATALOG if catalog_id == fmt.NAMES_ID else catalog_id
        if self.review.approvals.withdraw(catalog, entry) is None:
            return False
        self.approvals_changed = True
        return True

    def catalog(self, catalog_id: str) -> _Catalog | None:
        if catalog_id not in self.catalogs:
            if catalog_id == fmt.NAMES_ID:
                path = self.project.names_path(self.lang)
            elif SAFE_ID_RE.fullmatch(catalog_id):
                path = self.project.catalog_path(self.lang, catalog_id)
            else:
                path = None
            if path is None or not path.exists():
                self.catalogs[catalog_id] = None
            else:
                po = read_catalog(path)
                by_key = {fmt.entry_hash(e.msgctxt, e.msgid): e for e in fmt.reviewable_entries(po)}
                self.catalogs[catalog_id] = _Catalog(path, po, by_key)
        return self.catalogs[catalog_id]

    def apply_row(self, row: ReviewRow) -> RowResult:
        """A review document's row: its ID, State and Comment cells read, then :meth:`apply`."""
        if row.key is None or row.exported_hash is None or row.exported_state is None:
            return RowResult(row.row_id, Outcome.REJECTED, "the ID cell was changed, so this row cannot be matched to its segment")
        decision = _decision(row.state, row.exported_state)
        if decision is None:
            return RowResult(row.row_id, Outcome.REJECTED, f"State {row.state.strip()!r} is not understood: write approved "
                             "(or ok, ✓) to approve, needs work to send back, or leave it as exported")  # fmt: skip
        text = row.translation.strip()
        edited = row.exported_hash not in (fmt.text_hash(row.translation), fmt.text_hash(text))
        comments = tuple(line.strip() for line in row.comment.splitlines() if line.strip())
        return self.apply(EntryChange(row.row_id, row.catalog_id, row.key, row.exported_hash, text, edited, decision, comments))

    def apply(self, change: EntryChange) -> RowResult:
        """Apply one change to its entry (in memory), or say why not: the one rule set of every import."""

        def result(outcome: Outcome, detail: str = "") -> RowResult:
            return RowResult(change.row_id, outcome, detail)

        decision, text, edited = change.decision, change.text, change.edited
        if not edited and decision is Decision.KEEP and not change.comments:
            return result(Outcome.UNCHANGED)

        catalog = self.catalog(change.catalog_id)
        if catalog is None:
            return result(Outcome.REJECTED, f"there is no {self.lang} catalog for {change.catalog_id!r} in this project")
        if (change.catalog_id, change.key) in self.seen:
            return result(Outcome.REJECTED, f"this segment has another {self.item} earlier in the {self.source}; "
                                            "only the first is applied")  # fmt: skip
        self.seen.add((change.catalog_id, change.key))
        entry = catalog.by_key.get(change.key)
        if entry is None:
            return result(Outcome.CONFLICT, "the source text of this segment changed (or it was removed) since export; "
                                            f"export a new {self.source}")  # fmt: skip
        current = entry.msgstr
        already_in = edited and text in (current, fmt.xml_safe(current).strip())
        if fmt.text_hash(current) != change.exported_hash and not already_in:
            return result(Outcome.CONFLICT, f"the translation in the catalog changed since export (now: "
                                            f"{_excerpt(current) or 'empty'}); nothing applied")  # fmt: skip
        if already_in:
            edited = False  # this very correction is already in the catalog (a second import of the file)

        new_text = text if edited else current
        if edited and not new_text:
            return result(Outcome.REJECTED, f"the new translation is empty; to send a segment back mark it needs work "
                                            f"in this {self.item}'s state")  # fmt: skip
        if decision in (Decision.APPROVE, Decision.TRANSLATED) and not new_text.strip():
            return result(Outcome.REJECTED, "cannot approve an empty translation" if decision is Decision.APPROVE
                                            else "cannot mark an empty translation translated")  # fmt: skip
        if edited or decision is Decision.APPROVE:
            errors = [i.message for i in check_translation(self.context, entry.msgid, new_text, entry.flags)
                      if i.level is Severity.ERROR]  # fmt: skip
            if errors:
                verb = "correction rejected" if edited else "cannot approve"
                return result(Outcome.REJECTED, f"{verb}: " + "; ".join(errors))

        details: list[str] = []
        state_before = entry_state(entry)
        if edited:
            entry.msgstr = new_text
            refresh_origin_note(entry)  # a corrected machine translation is one no more
            details.append("translation corrected")
        approved = False
        if decision is Decision.APPROVE:
            if state_before is not State.REVIEWED or entry.previous_msgid:
                mark_reviewed(entry)
                approved = True
            if self.review.two_step and self.approve(change.catalog_id, entry):  # the text as it now stands
                approved = True
        elif decision is Decision.TRANSLATED:
            if state_before is not State.REVIEWED or entry.previous_msgid:
                mark_reviewed(entry)
                details.append("marked translated (fuzzy cleared)" if self.review.two_step else "marked reviewed")
            if self.review.two_step and self.withdraw(change.catalog_id, entry):
                details.append("approval withdrawn")
        elif (decision is Decision.NEEDS_WORK or (edited and state_before is State.UNTRANSLATED)) and (
            "fuzzy" not in entry.flags and entry.msgstr.strip()
        ):
            entry.flags.insert(0, "fuzzy")
            details.append("marked fuzzy (needs review)" if decision is Decision.KEEP else "sent back (fuzzy)")
        existing = (entry.tcomment or "").split("\n") if entry.tcomment else []
        new_comments = [REVIEW_COMMENT_PREFIX + line for line in change.comments]
        added = [line for line in new_comments if line not in existing]
        if added:
            entry.tcomment = "\n".join(existing + added)
            details.append(f"{len(added)} comment line(s) added")
        if approved:
            catalog.changed = True
            return result(Outcome.APPROVED, ", ".join(details))
        if details:
            catalog.changed = True
            return result(Outcome.APPLIED, ", ".join(details))
        return result(Outcome.UNCHANGED, f"already as the {self.source} says")

    def write(self, now: dt.datetime | None = None) -> tuple[str, ...]:
        """Write every changed catalog, and the approvals, all together (call it under the project lock):
        every file is made (and checked) before any is written, then all are put in place at once."""
        stamp = clock.po_stamp(now)
        written = []
        changed = [catalog for catalog in self.catalogs.values() if catalog is not None and catalog.changed]
        staged: list[Staged] = []
        try:
            for catalog in changed:
                if "PO-Revision-Date" in catalog.po.metadata:
                    catalog.po.metadata["PO-Revision-Date"] = stamp
                item = stage_bytes(catalog.path, catalog_to_bytes(catalog.po, catalog.path))
                if item is not None:
                    staged.append(item)
                    written.append(self.project.shown(catalog.path))  # a symlinked catalog is named as the project names it
            if self.approvals_changed:  # the approvals go in place with the catalogs they approve
                path = self.project.approvals_path(self.lang)
                item = stage_bytes(path, self.review.approvals.to_text().encode("utf-8"))
                if item is not None:
                    staged.append(item)
                    written.append(self.project.shown(path))
        except BaseException:
            discard(staged)
            raise
        commit(staged)
        return tuple(written)


def _decision(state_cell: str, exported: str | None) -> Decision | None:
    """approve / needs work / keep, or None when the State cell says something else."""
    words = _normalize_state(state_cell)
    if not words or words == exported:
        return Decision.KEEP
    if exported and words.startswith(exported + " "):
        words = _normalize_state(words[len(exported) :])  # "machine → approved"
    if words in APPROVE_WORDS:
        return Decision.APPROVE
    if words in UNAPPROVE_WORDS:
        return Decision.NEEDS_WORK if words != exported else Decision.KEEP
    return None


def _normalize_state(text: str) -> str:
    words = " ".join(text.split()).casefold()
    return words.strip(" .,;:!-–—→>*\"'()[]")


def _excerpt(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…") if text else ""


__all__ = [
    "APPROVE_WORDS",
    "UNAPPROVE_WORDS",
    "CatalogImporter",
    "Decision",
    "EntryChange",
    "ImportReport",
    "Outcome",
    "RowResult",
    "import_review",
    "import_review_file",
]
