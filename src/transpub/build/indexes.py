"""The index pages: one per language built, one per language's drafts, the root index and the stylesheet.

A language's index lists its published releases; drafts get an index of their own, so a draft page's
breadcrumb leads somewhere; the root index chooses the language. Each page is keyed, like a release
output, on everything it shows (titles, dates, links, languages) plus the code, settings and templates;
one whose key is unchanged and whose file exists is neither rendered nor rewritten. The titles and dates
come from the pairs' decisions, so an index is made without reading any release.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..config import Project
from ..staging import Staged, stage_bytes
from .digests import Digests, hash_parts
from .manifest import PairInfo
from .plan import DRAFTS

ROOT_INDEX = "index.html"
STYLESHEET = "static/transpub.css"


@dataclass(frozen=True)
class IndexRow:
    """One release as an index page lists it."""

    release: str
    title: str
    date: str  # ISO 8601


@dataclass(frozen=True)
class IndexPage:
    path: str  # relative to outputs/
    lang: str | None  # None: the root index and the stylesheet, which list no release
    rows: tuple[IndexRow, ...] | None

    def shows(self, languages: Mapping[str, str]) -> str:
        """Everything the page shows, as text to key it on."""
        rows = None if self.rows is None else [[row.release, row.title, row.date] for row in self.rows]
        return json.dumps([self.lang, rows, languages], sort_keys=True)


def linked_languages(project: Project, release_ids: Sequence[str], published: Mapping[str, Mapping[str, str]], built: Sequence[str]) -> dict[str, str]:
    """The languages the index pages link to (language -> its index page): those with a published
    release, and those this build does not touch whose index page exists."""
    return {
        lang: f"{lang}/index.html"
        for lang in project.all_languages
        if any(lang in published[r] for r in release_ids)
        or (lang not in built and (project.outputs_dir / lang / "index.html").is_file())
    }


def index_pages(
    project: Project,
    release_ids: Sequence[str],
    pairs: Mapping[tuple[str, str], PairInfo],
    published: Mapping[str, Mapping[str, str]],
    built: Sequence[str],
    languages: Mapping[str, str],
    staged: frozenset[str] = frozenset(),
) -> list[IndexPage]:
    """The index pages of the languages built (and of their drafts: on disk, or ``staged`` by this build,
    as paths relative to outputs/), the root index and the stylesheet."""

    def row(rid: str, lang: str) -> IndexRow:
        return IndexRow(rid, pairs[rid, lang].title, pairs[rid, lang].date)

    pages = []
    for lang in (lang for lang in languages if lang in built):
        pages.append(IndexPage(f"{lang}/index.html", lang, tuple(row(rid, lang) for rid in release_ids if lang in published[rid])))
    for lang in built:
        drafts = tuple(
            row(rid, lang)
            for rid in release_ids
            if not pairs[rid, lang].publishable
            and (f"{DRAFTS}/{lang}/{rid}.html" in staged or os.path.isfile(os.path.join(project.outputs_dir, DRAFTS, lang, f"{rid}.html")))
        )
        if drafts:
            pages.append(IndexPage(f"{DRAFTS}/{lang}/index.html", lang, drafts))
    pages.append(IndexPage(ROOT_INDEX, None, None))
    pages.append(IndexPage(STYLESHEET, None, None))
    return pages


def index_keys(pages: Sequence[IndexPage], languages: Mapping[str, str], digests: Digests) -> dict[str, str]:
    """Each page's key: what it shows, and what every output depends on (code, settings, templates)."""
    return {page.path: hash_parts(digests.base, digests.assets, page.path, page.shows(languages)) for page in pages}


def stale_pages(project: Project, pages: Sequence[IndexPage], keys: Mapping[str, str], old_keys: Mapping[str, str]) -> list[IndexPage]:
    """The pages to render: their key changed, or their file is gone."""
    return [page for page in pages if old_keys.get(page.path) != keys[page.path] or not (project.outputs_dir / page.path).is_file()]


def stage_index_page(project: Project, page: IndexPage, languages: dict[str, str]) -> Staged | None:
    """The page rendered and written beside its target, to be put in place with the build's other files."""
    return stage_bytes(project.outputs_dir / page.path, render_index_page(project, page, languages).encode("utf-8"))


def render_index_page(project: Project, page: IndexPage, languages: dict[str, str]) -> str:
    from ..render import html
    from .workers import templates_dir

    templates = templates_dir(project)
    if page.path == ROOT_INDEX:
        return html.render_root_index(project, languages, templates_dir=templates)
    if page.path == STYLESHEET:
        return html.stylesheet(templates)
    items = [html.IndexItem(row.release, row.title, dt.date.fromisoformat(row.date), f"{row.release}.html") for row in page.rows or ()]
    items.sort(key=lambda item: (item.date, item.release_id), reverse=True)
    return html.render_language_index(project, page.lang, items, page_path=page.path, languages=languages, templates_dir=templates)
