"""`approve`: a reviewer approves the translated entries of a language (two-step review).

Every *translated* entry (a person's text, no fuzzy flag, not yet approved) of the catalogs asked for,
names.po included, is approved in exactly its present form by the reviewer named; an entry with a check
error (a lost token, a broken link) is refused and listed, never approved. The approvals are written to
``locale/<lang>/approvals.tsv`` (:mod:`transpub.catalogs.approvals`), under the project lock.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

from .. import clock
from ..catalogs.approvals import (
    NAMES_CATALOG,
    Approval,
    clean_reviewer,
    write_approvals,
)
from ..catalogs.pofile import read_catalog
from ..catalogs.states import State, read_review
from ..config import Project
from ..errors import CatalogError, UsageError
from ..fsutil import project_lock
from ..localize.names import names_needed, read_names
from ..source.reader import read_releases
from .checks import ERROR, ERROR_CHECKS, Finding, catalog_context, check_catalog

REVIEWER_VARIABLE = "TRANSPUB_REVIEWER"


def reviewer_name(given: str | None, project: Project) -> str:
    """Who approves: ``--by``, else $TRANSPUB_REVIEWER, else git's user.name; none at all is an error."""
    for candidate in (given, os.environ.get(REVIEWER_VARIABLE), _git_user_name(project)):
        if candidate and candidate.strip():
            try:
                return clean_reviewer(candidate)
            except CatalogError as exc:
                raise UsageError(exc.message) from None
    raise UsageError(
        f"who approves? give --by NAME, set {REVIEWER_VARIABLE}, or set git's user.name (git config user.name NAME)"
    )


def _git_user_name(project: Project) -> str | None:
    try:
        result = subprocess.run(
            ["git", "config", "user.name"], cwd=project.root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


@dataclass(frozen=True)
class ApproveReport:
    lang: str
    by: str
    approved: tuple[Approval, ...] = ()
    refused: tuple[Finding, ...] = ()  # check errors: those entries are not approved
    dry_run: bool = False
    files_written: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        verb = "would approve" if self.dry_run else "approved"
        text = f"{self.lang}: {verb} {len(self.approved)} entr{'y' if len(self.approved) == 1 else 'ies'} as {self.by}"
        if self.refused:
            text += f"; {len(self.refused)} refused for check errors (fix them, then approve again)"
        return text


def approve(
    project: Project, lang: str, *, release_id: str | None = None, by: str | None = None, dry_run: bool = False
) -> ApproveReport:
    """Approve every translated entry of ``lang``'s catalogs (one release's, or all) and the names they need."""
    if lang == project.source_lang or lang not in project.languages:
        raise UsageError(f"--lang {lang}: approve takes a target language ({', '.join(project.languages)})")
    if not project.review.two_step:
        raise UsageError(
            'approve records approvals under two-step review; this project is one-step (set [review] policy = "two-step" '
            "in transpub.toml), where clearing the fuzzy flag is the review"
        )
    reviewer = reviewer_name(by, project)
    with project_lock(project.root):  # read, decide and write the approvals as one step
        return _approve(project, lang, release_id, reviewer, dry_run)


def _approve(project: Project, lang: str, release_id: str | None, reviewer: str, dry_run: bool) -> ApproveReport:
    review = read_review(project, lang)
    names = read_names(project, lang, review)
    context = catalog_context(project, lang, names)
    today = clock.today().isoformat()
    approved: list[Approval] = []
    refused: list[Finding] = []
    needed_names: set[tuple[str, str]] = set()
    for release in read_releases(project, release_id):
        needed_names.update(names_needed(project, release))
        path = project.catalog_path(lang, release.id)
        if not path.exists():
            continue
        catalog = read_catalog(path)
        errors = [f for f in check_catalog(project, release, lang, catalog, names, context=context, checks=ERROR_CHECKS) if f.severity is ERROR]
        refused += errors
        blocked = {(f.msgctxt, f.msgid) for f in errors}
        for entry in catalog:
            if entry.obsolete or not entry.msgid or review.state(entry, release.id) is not State.TRANSLATED:
                continue
            if (entry.msgctxt, entry.msgid) not in blocked:
                approved.append(review.approvals.approve(release.id, entry, reviewer, today))
    for (context_, msgid), entry in names.entries.items():
        if release_id is not None and (context_, msgid) not in needed_names:
            continue  # one release: only the names it shows
        if entry.obsolete or not entry.msgid or review.state(entry, NAMES_CATALOG) is not State.TRANSLATED:
            continue
        approved.append(review.approvals.approve(NAMES_CATALOG, entry, reviewer, today))
    written: tuple[str, ...] = ()
    if approved and not dry_run:
        path = project.approvals_path(lang)
        if write_approvals(path, review.approvals):
            written = (project.shown(path),)
    return ApproveReport(lang, reviewer, tuple(approved), tuple(refused), dry_run, written)
