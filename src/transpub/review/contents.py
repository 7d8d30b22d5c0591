"""What a review document for one language holds, gathered from the project (no Word here).

One :class:`ReviewSection` per release that has a catalog in the language, each with its rows (one per
catalog entry, in catalog order) and whether the release publishes in that language and why — the
decision of :func:`transpub.review.publishing.decide`, the one every command uses — then a last section
for the names.po entries those releases need (publisher, organizations). The writer,
:mod:`transpub.render.review_docx`, turns this into a document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import polib

from ..catalogs.approvals import NAMES_CATALOG, clean_reviewer
from ..catalogs.pofile import index_entries, read_catalog
from ..catalogs.states import ONE_STEP, Review, State
from ..config import Project
from ..errors import ReviewError
from ..localize.names import names_needed, read_names
from ..localize.release import LocalizedRelease, catalog_for
from ..localize.ui import ui_words_needed
from ..source.model import Release
from ..source.reader import read_releases
from . import docformat as fmt
from .checks import catalog_context
from .publishing import Decision, decide


@dataclass(frozen=True)
class ReviewItem:
    """One row of the document: a catalog entry and where its text comes from."""

    row_id: str
    entry: polib.POEntry
    state: State
    note: str  # what kind of text and where: "paragraph · line 14", "full name of organization WIPO"


@dataclass(frozen=True)
class ReviewSection:
    catalog_id: str  # a release id, or "names.po"
    title: str  # the release's title in the source language, tokens rendered; "" for names
    rows: tuple[ReviewItem, ...]
    loc: LocalizedRelease | None  # renders the source's tokens (source language); None for names
    decision: Decision | None = None  # whether the release publishes in the language; None for names


@dataclass(frozen=True)
class ReviewContents:
    """Everything a review document for ``lang`` shows, in order."""

    project: Project
    lang: str
    sections: tuple[ReviewSection, ...]
    review: Review = ONE_STEP  # the language's review policy: which states rows can be in
    reviewer: str | None = None  # who approves in this document (two-step review)

    @property
    def releases(self) -> tuple[ReviewSection, ...]:
        return tuple(section for section in self.sections if section.catalog_id != fmt.NAMES_ID)

    @property
    def counts(self) -> Mapping[str, int]:
        """Rows per state, every state in State's order (zeros included)."""
        counts = Counter(row.state.value for section in self.sections for row in section.rows)
        return {state.value: counts.get(state.value, 0) for state in self.review.states}


def review_contents(
    project: Project, lang: str, release_id: str | None = None, *, reviewer: str | None = None
) -> ReviewContents:
    """The contents of the review document for ``lang``: every release with a catalog, or the one asked for."""
    _check_target(project, lang)
    releases = read_releases(project, release_id)
    names = read_names(project, lang)
    review = names.review
    context = catalog_context(project, lang, names)
    sections: list[ReviewSection] = []
    included: list[Release] = []
    for release in releases:
        catalog = catalog_for(project, release, lang)
        if catalog is None:
            if release_id is not None:
                raise ReviewError(f"no {lang} catalog for {release.id} yet (run 'transpub update --lang {lang}')",
                                  path=project.catalog_path(lang, release.id))  # fmt: skip
            continue
        loc = LocalizedRelease(project, release, project.source_lang)
        rows = tuple(
            ReviewItem(fmt.row_id(release.id, n), entry, review.state(entry, release.id), _note(entry))
            for n, entry in enumerate(fmt.reviewable_entries(catalog), 1)
        )
        decision = decide(project, release, lang, catalog, names, context=context)
        sections.append(ReviewSection(release.id, loc.plain(release.title), rows, loc, decision))
        included.append(release)
    if not sections:
        raise ReviewError(f"nothing to review in {lang}: no catalogs yet (run 'transpub update --lang {lang}')")
    names_section = _names_section(project, lang, included, review)
    if names_section is not None:
        sections.append(names_section)
    return ReviewContents(project, lang, tuple(sections), review, clean_reviewer(reviewer) if reviewer else None)


def _check_target(project: Project, lang: str) -> None:
    if lang == project.source_lang:
        raise ReviewError(f"{lang} is the source language; review one of the target languages ({', '.join(project.languages)})")
    if lang not in project.languages:
        raise ReviewError(f"language {lang!r} is not in this project (languages: {', '.join(project.languages)})",
                          path=project.config_path)  # fmt: skip


def _note(entry: polib.POEntry) -> str:
    kind = (entry.comment or "").split("\n")[0]
    lines = sorted({int(line) for _path, line in entry.occurrences if str(line).isdigit()})
    where = f"line {', '.join(map(str, lines))}" if lines else ""
    return " · ".join(part for part in (kind, where) if part)


def _names_section(project: Project, lang: str, releases: list[Release], review: Review) -> ReviewSection | None:
    path = project.names_path(lang)
    if not path.exists() or not releases:
        return None
    catalog = read_catalog(path)
    needed: list[tuple[str, str]] = []
    for release in releases:
        needed += [key for key in names_needed(project, release) if key not in needed]
    needed += [key for key in ui_words_needed(project, lang) if key not in needed]  # a language's own interface words
    index = index_entries(catalog)
    order = {id(entry): n for n, entry in enumerate(fmt.reviewable_entries(catalog), 1)}
    rows = []
    for context, msgid in needed:
        entry = index.get((context, msgid))
        if entry is not None:
            note = entry.comment.split("\n")[0].split(";")[0] if entry.comment else context
            rows.append(ReviewItem(fmt.row_id(fmt.NAMES_ID, order[id(entry)]), entry, review.state(entry, NAMES_CATALOG), note))
    if not rows:
        return None
    return ReviewSection(fmt.NAMES_ID, "", tuple(rows), None)


__all__ = ["ReviewContents", "ReviewItem", "ReviewSection", "review_contents"]
