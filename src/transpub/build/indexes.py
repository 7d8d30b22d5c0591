"""The site's pages that list releases: an index per language and per language's drafts, the root index,
an Atom feed per language, the sitemap, and the stylesheet.

A language's index lists its published releases; drafts get an index of their own, so a draft page's
breadcrumb leads somewhere; the root index chooses the language. With a ``base_url``, each language with
a published release has a feed (``<lang>/feed.atom``, the newest :data:`FEED_ENTRIES` releases) and the
site a ``sitemap.xml`` naming every published page with its language versions (hreflang alternates and
an ``x-default``). Feeds and sitemaps need absolute URLs (RFC 4287 requires an absolute IRI for every
``atom:id``; the sitemap protocol, fully qualified URLs): without a ``base_url`` they are not written,
and the build report says so (:data:`NO_BASE_URL`).

Every language is listed, not only the languages built: what a page lists is decided from the releases'
published versions (``plan``), and the titles and dates from the pairs' decisions, made by this build or
remembered by the manifest, so a page is made without reading any release and building the languages
one at a time leaves the same pages as building them together. Each page is keyed, like a release output,
on everything it shows (titles, dates, links, languages) plus the code, settings, templates and the
language's names; one whose key is unchanged and whose file exists is neither rendered nor rewritten.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..config import Project
from ..staging import Staged, StagedFiles, stage_bytes, stage_pieces
from .digests import Digests, OutputListing, hash_pieces
from .plan import DRAFTS

ROOT_INDEX = "index.html"
STYLESHEET = "static/transpub.css"
SITEMAP = "sitemap.xml"
FEED = "feed.atom"  # in each language's folder
FEED_ENTRIES = 50  # the newest releases a feed holds: readers poll it, a feed of every release ever would only grow
NO_BASE_URL = "no base_url in transpub.toml: the Atom feeds and sitemap.xml need absolute URLs and were not written"


@dataclass(frozen=True, slots=True)
class Listed:
    """What the index pages need of one (release, language): whether it publishes, its title and date."""

    publishable: bool
    title: str
    date: str  # ISO 8601


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One release as an index page lists it."""

    release: str
    title: str
    date: str  # ISO 8601


@dataclass(frozen=True)
class IndexPage:
    """One page of the site that is not a release: what it is, and everything it shows."""

    path: str  # relative to outputs/
    kind: str  # "index", "drafts", "feed", "root", "sitemap" or "stylesheet"
    lang: str | None  # None: the pages that are not in one language
    rows: tuple[IndexRow, ...] = ()
    versions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # sitemap: release -> the languages of its published pages

    def shows(self, languages: Mapping[str, str], *, size: int = 256) -> Iterator[str]:
        """Everything the page shows, as text to key it on, in pieces: together, ``json.dumps([kind, lang,
        rows, versions, languages], sort_keys=True)``. Whole, the text of a sitemap or index of thousands of
        releases (and the lists it is encoded from) would be megabytes at once. ``size``: rows per piece."""
        encode = json.JSONEncoder(sort_keys=True).encode
        yield f"[{encode(self.kind)}, {encode(self.lang)}, "
        yield from _list_pieces(encode, ([row.release, row.title, row.date] for row in self.rows), size)
        yield ", "
        yield from _list_pieces(encode, self.versions, size)
        yield f", {encode(languages)}]"


def _list_pieces(encode: Callable[[object], str], items: Iterable[object], size: int) -> Iterator[str]:
    """A JSON list of the items, as ``encode`` (a default-separator encoder) writes it, a few hundred items at a time."""
    yield "["
    items = iter(items)
    separator = ""
    while chunk := list(itertools.islice(items, size)):
        yield separator + encode(chunk)[1:-1]
        separator = ", "
    yield "]"


@dataclass(frozen=True)
class SitePages:
    pages: tuple[IndexPage, ...]
    languages: dict[str, str]  # the languages the pages link to -> their index page
    notes: tuple[str, ...] = ()  # for the build report
    left: frozenset[str] = frozenset()  # pages left as they are (a title no build remembers): neither rendered nor removed


def site_pages(
    project: Project,
    release_ids: Sequence[str],
    versions: Mapping[str, Sequence[str]],
    info: Callable[[str, str], Listed | None],
    draft_exists: Callable[[str], bool],
) -> SitePages:
    """Every listing page of the site, from each release's published ``versions`` (the languages of its
    published pages, each ``<lang>/<release>.html``) and
    the pairs' decisions (``info``: this build's or the manifest's). ``draft_exists`` says whether a draft
    page (relative to outputs/) is on disk or staged by this build."""
    languages = {
        lang: f"{lang}/index.html" for lang in project.all_languages if any(lang in versions[rid] for rid in release_ids)
    }

    def rows(lang: str, wanted: Callable[[str, Listed | None], bool]) -> tuple[IndexRow, ...] | None:
        found = []
        for rid in release_ids:
            pair = info(rid, lang)
            if wanted(rid, pair):
                if pair is None:
                    return None  # a page on the site whose title no build remembers: its index is left as it is
                found.append(IndexRow(rid, pair.title, pair.date))
        return tuple(found)

    pages: list[IndexPage] = []
    left: set[str] = set()
    for lang in languages:
        listed = rows(lang, lambda rid, _pair, lang=lang: lang in versions[rid])
        if listed is None:
            left.update((f"{lang}/index.html", f"{lang}/{FEED}"))
            continue
        pages.append(IndexPage(f"{lang}/index.html", "index", lang, listed))
        if project.base_url:
            newest = sorted(listed, key=lambda row: (row.date, row.release), reverse=True)[:FEED_ENTRIES]
            pages.append(IndexPage(f"{lang}/{FEED}", "feed", lang, tuple(newest)))
    for lang in project.all_languages:
        drafts = rows(
            lang,
            lambda rid, pair, lang=lang: pair is not None and not pair.publishable and draft_exists(f"{DRAFTS}/{lang}/{rid}.html"),
        )
        if drafts is None:
            left.add(f"{DRAFTS}/{lang}/index.html")
        elif drafts:
            pages.append(IndexPage(f"{DRAFTS}/{lang}/index.html", "drafts", lang, drafts))
    pages.append(IndexPage(ROOT_INDEX, "root", None))
    pages.append(IndexPage(STYLESHEET, "stylesheet", None))
    notes: tuple[str, ...] = ()
    if project.base_url:
        dates = {rid: pair.date for rid in release_ids for lang in versions[rid] if (pair := info(rid, lang)) is not None}
        listed_versions = tuple((rid, tuple(versions[rid])) for rid in release_ids if versions[rid])
        rows_by_date = tuple(IndexRow(rid, "", dates.get(rid, "")) for rid, _ in listed_versions)
        pages.append(IndexPage(SITEMAP, "sitemap", None, rows_by_date, listed_versions))
    else:
        notes = (NO_BASE_URL,)
    return SitePages(tuple(pages), languages, notes, frozenset(left))


def withdrawn_pages(project: Project, listing: OutputListing) -> list[str]:
    """Without a ``base_url``, the feeds and sitemap an earlier build wrote with one: removed, since every
    URL in them named the old address (the other pages are rendered again without absolute links)."""
    if project.base_url:
        return []
    candidates = (SITEMAP, *(f"{lang}/{FEED}" for lang in project.all_languages))
    return [relative for relative in candidates if listing.has(relative)]


def unlisted_pages(site: SitePages, old_keys: Mapping[str, str], listing: OutputListing) -> set[str]:
    """The index pages and feeds an earlier build wrote that list nothing now (their language's last
    release was removed or renamed): removed, like the releases they listed."""
    now = {page.path for page in site.pages}
    return {path for path in old_keys if path not in now and path not in site.left and listing.has(path)}


def index_keys(pages: Sequence[IndexPage], languages: Mapping[str, str], digests: Digests) -> dict[str, str]:
    """Each page's key: what it shows, and what every output depends on (code, settings, templates), and
    for a page in one language, that language's names (the publisher's name)."""
    return {
        page.path: hash_pieces(
            (digests.base, digests.assets, page.path, page.shows(languages), digests.language(page.lang) if page.lang else "-")
        )
        for page in pages
    }


def stale_pages(
    pages: Sequence[IndexPage], keys: Mapping[str, str], old_keys: Mapping[str, str], listing: OutputListing
) -> list[IndexPage]:
    """The pages to render: their key changed, or their file is gone."""
    return [page for page in pages if old_keys.get(page.path) != keys[page.path] or not listing.has(page.path)]


def stage_index_page(project: Project, page: IndexPage, languages: dict[str, str]) -> Staged | None:
    """The page rendered and written beside its target, to be put in place with the build's other files.

    The sitemap is rendered and written a piece at a time (tens of megabytes at thousands of releases)."""
    target = project.outputs_dir / page.path
    if page.kind == "sitemap":
        return stage_pieces(target, lambda: (piece.encode("utf-8") for piece in sitemap_pieces(project, page, languages)), sync=False)
    return stage_bytes(target, render_index_page(project, page, languages).encode("utf-8"), sync=False)


def stage_index_pages(project: Project, pages: Iterable[IndexPage], languages: dict[str, str], staged: StagedFiles) -> None:
    """Every page rendered and staged here, in this process, each added to ``staged`` as it is made (if a
    page fails, those before it are in ``staged`` for the caller to discard)."""
    for page in pages:
        item = stage_index_page(project, page, languages)
        if item is not None:
            staged.append(item)


def sitemap_pieces(project: Project, page: IndexPage, languages: dict[str, str]) -> Iterator[str]:
    """The sitemap's text, in pieces; each release's entry is made as its turn comes."""
    from ..render import html
    from .workers import templates_dir

    dates = {row.release: row.date for row in page.rows}
    releases = (html.SitemapRelease(rid, {lang: f"{lang}/{rid}.html" for lang in langs}, dates[rid]) for rid, langs in page.versions)
    return html.sitemap_pieces(project, releases, languages, templates_dir=templates_dir(project))


def render_index_page(project: Project, page: IndexPage, languages: dict[str, str]) -> str:
    """Any page but the sitemap, whole (the sitemap is made in pieces: :func:`stage_index_page`)."""
    from ..render import html
    from .workers import templates_dir

    templates = templates_dir(project)
    if page.kind == "root":
        return html.render_root_index(project, languages, templates_dir=templates)
    if page.kind == "stylesheet":
        return html.stylesheet(templates)
    items = [html.IndexItem(row.release, row.title, dt.date.fromisoformat(row.date), f"{row.release}.html") for row in page.rows]
    items.sort(key=lambda item: (item.date, item.release_id), reverse=True)
    if page.kind == "feed":
        return html.render_feed(project, page.lang, items, page_path=page.path, templates_dir=templates)
    return html.render_language_index(
        project, page.lang, items, page_path=page.path, languages=languages, templates_dir=templates, draft=page.kind == "drafts",
        feed_href=FEED if page.kind == "index" and project.base_url else None,
    )
