"""HTML pages: one per release and language, an index per language, and the root language chooser.

The page body is written here, in Python, from the release's block tree: every text is escaped with
:func:`markupsafe.escape` and the only markup is the markup this module writes, so nothing a translator
types (``<script>``, ``{{ 7*7 }}``, ``javascript:`` links) can become markup or template code. The
result goes to a Jinja2 template as :class:`~markupsafe.Markup`; the templates only place pieces that
are already safe, and escape everything else (autoescape is on for every template).

Templates are looked up first in the project's ``templates/`` folder, then in the ones shipped with
transpub (``transpub/templates/*.j2``), so a site maintainer overrides a page by copying one file. They
run in Jinja's sandbox with ``StrictUndefined``: a project's template can neither reach Python
internals nor silently print an empty string for a misspelt name, and its loader refuses ``../``.

Decisions a site maintainer may want to know:

* **Heading levels.** The title is the page's only ``h1`` and the "Division in Charge" and "Related
  website" blocks are ``h2``. Body headings are ranked: the shallowest level the release uses becomes
  ``h2``, the next one ``h3``, and so on (``##``/``###``/``#####`` → h2/h3/h4), so levels never skip
  and a release written with only ``###`` sections gets ``h2`` sections.
* **Draft marks** (``loc.draft``): a banner with ``ui["draft_banner"]``; each machine-translated or
  changed segment in ``<span class="unreviewed" title="Not reviewed. Source text: …">``; each
  untranslated segment (shown in the source language) in ``<span class="untranslated" lang="ja"
  title="Not translated yet…">``. An unreviewed image alt text marks the ``<img>`` itself. Outside
  drafts, a source-language fallback keeps only its ``lang`` (and ``dir``), which is a fact about the
  text rather than a mark.
* **Links** are written only for ``http``, ``https`` and ``mailto`` URLs; any other link keeps its text
  and loses the link.
* **Bidirectional controls** that open a scope (U+202A–U+202E embeddings and overrides, U+2066–U+2069
  isolates) and code points HTML forbids (C0/C1 controls, noncharacters) are removed from every text:
  an unbalanced U+202E would otherwise reverse the text after it. Direction marks (LRM, RLM, ALM) stay.
* **Table alignment**: Markdown's left/right are read as start/end, so a mirrored (RTL) page mirrors
  its tables too.
* **Language versions** (with a ``base_url``): every page names itself, every other published version
  and an ``x-default`` with absolute URLs, so the set is the same on each page (search engines ignore a
  pair that is not reciprocal). A release's ``x-default`` is its source-language version, the original
  every translation is made from (the root index, the language chooser, while that page is not on the
  site); the index pages' is the root index. The sitemap lists the same sets (:func:`hreflang_set`).
* **Discovery**: ``<meta name="description">`` is the subtitle, else the first paragraph, as plain text
  with tokens rendered; Open Graph gives the title, description, ``og:locale`` (CLDR's likely territory:
  ``ja_JP``) and one ``og:locale:alternate`` per other published version. A language's Atom feed and
  the sitemap are written from the same values (:func:`render_feed`, :func:`sitemap_pieces`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import posixpath
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit

from babel.core import Locale, get_global
from jinja2 import (
    ChoiceLoader,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2 import __version__ as jinja2_version
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from ..config import Project
from ..errors import ConfigError, FileError
from ..fsutil import read_text_inside
from ..localize.names import NO_NAMES, name_table, names_formatter, read_names
from ..localize.release import LocalizedRelease, Shown
from ..localize.ui import (
    UiWords,
    bcp47,
    language_name,
    text_direction,
    ui_table,
    ui_words,
    ui_words_needed,
)
from ..source.inline import inline_plain_text
from ..source.model import (
    Block,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Paragraph,
    Plain,
    Quote,
    Rule,
    Strong,
    Table,
    TableCell,
    Text,
    walk_blocks,
)

RELEASE_TEMPLATE = "release.html.j2"
LANGUAGE_INDEX_TEMPLATE = "language_index.html.j2"
ROOT_INDEX_TEMPLATE = "root_index.html.j2"
FEED_TEMPLATE = "feed.atom.j2"
SITEMAP_TEMPLATE = "sitemap.xml.j2"
STYLESHEET_NAME = "transpub.css"
STYLESHEET_PATH = "static/transpub.css"  # relative to outputs/
ROOT_INDEX_PATH = "index.html"  # relative to outputs/

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
ALIGN_CLASSES = {"left": "align-start", "center": "align-center", "right": "align-end"}

# Removed from every text (see the module docstring): C0/C1 controls except tab and newlines,
# bidi embeddings/overrides/isolates, and noncharacters.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]")
# The noncharacters of planes 1–16 (U+1FFFE, U+1FFFF, …) in a pattern of their own: in one class with the
# rest they make every search ten times slower, and only a text with an astral character can hold one.
_FORBIDDEN_ASTRAL = re.compile("[" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Every text is asked first whether it holds any character the two patterns above could remove, or an
# astral one: one scan of the allowed ranges (the complement of both), and most texts need nothing more.
_REMOVABLE_OR_ASTRAL = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2029\u202f-\u2065\u206a-\ufdcf\ufdf0-\ufffd]")
_CODE_LANGUAGE = re.compile(r"[A-Za-z0-9_+-]{1,40}")


# --- values handed to templates -----------------------------------------------------------------
@dataclass(frozen=True)
class IndexItem:
    """One release on a language's index page (``href`` relative to that index page)."""

    release_id: str
    title: str
    date: dt.date
    href: str


@dataclass(frozen=True)
class LanguageLink:
    """One entry of a language switcher: the language in its own name, and where its version is."""

    lang: str
    tag: str  # BCP 47, for lang= and hreflang=
    direction: str
    name: str
    href: str
    current: bool
    hint: str = ""  # the root index shows "News Releases" in each language under its name


@dataclass(frozen=True)
class Alternate:
    tag: str  # BCP 47, or "x-default"
    href: str  # absolute


@dataclass(frozen=True)
class SitemapRelease:
    """One release in the sitemap: its published versions (lang -> page relative to outputs/) and date."""

    release_id: str
    versions: Mapping[str, str]
    date_iso: str


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None
    alternates: tuple[Alternate, ...]


@dataclass(frozen=True)
class FeedEntry:
    id: str
    href: str
    title: str
    updated: str  # RFC 3339


@dataclass(frozen=True)
class Crumb:
    label: Markup
    href: str | None  # None: the current page


@dataclass(frozen=True)
class RelatedItem:
    title: Markup
    href: str | None  # None: not an http(s)/mailto URL, shown as text


@dataclass(frozen=True)
class IndexEntry:
    title: Markup
    href: str
    date_iso: str
    date_text: str


@dataclass(frozen=True)
class MonthGroup:
    id: str  # "2023-07", the anchor a release page's breadcrumb links to
    label: str
    items: tuple[IndexEntry, ...]


# --- public API ------------------------------------------------------------------------------------
def render_release_page(
    loc: LocalizedRelease,
    *,
    page_path: str,
    versions: Mapping[str, str],
    templates_dir: Path | None = None,
    docx_href: str | None = None,
) -> str:
    """The HTML page of one release in one language.

    ``page_path`` is this page's path relative to outputs/; ``versions`` maps each published language
    of the release to its page's path relative to outputs/ (the current one may be missing);
    ``docx_href``, the page's Word document (relative to the page), when there is one.
    """
    release, project = loc.release, loc.project
    body = BodyWriter(loc)
    index_href = relative_href(page_path, posixpath.join(posixpath.dirname(page_path), "index.html"))
    month_id = f"{release.date:%Y-%m}"
    words = ui_markup(loc.ui_words, loc.draft, loc.direction)
    breadcrumb = [
        Crumb(words["home"], relative_href(page_path, ROOT_INDEX_PATH)),
        # one label for the index heading, the footer and this crumb, which leads to that index; the
        # release's own section is the page's article:section
        Crumb(words["news_releases"], index_href),
        Crumb(text_markup(loc.month_text), f"{index_href}#{month_id}"),
        Crumb(body.segment(release.title, inline=False), None),
    ]
    related = [
        RelatedItem(body.segment(link.title, inline=False), safe_url(link.url)) for link in release.related
    ]
    all_versions = dict(versions)
    all_versions.setdefault(loc.lang, page_path)
    # a published page names itself among its alternates (search engines want the set to be symmetric)
    published = versions if loc.draft else all_versions
    description = plain_text(" ".join(_description(body, release).split()))
    context = {
        **_common_context(project, loc.lang, page_path, loc.ui_words, loc.draft),
        "loc": loc,
        "release": release,
        "draft": loc.draft,
        "page_title": plain_text(f"{body.plain(release.title)} | {loc.publisher}"),
        "publisher": body.publisher(),
        "home_href": index_href,
        "index_href": index_href,
        "canonical": absolute_url(project.base_url, page_path),
        "alternates": hreflang_set(project, published, release_x_default(project, published)),
        "language_links": _language_links(project, loc.lang, all_versions, page_path),
        "description": description,
        "og": _open_graph(loc.lang, body.plain(release.title), description, published, "article",
                          body.plain(release.section) if release.section else None),  # fmt: skip
        "feed_href": None if loc.draft or not project.base_url else relative_href(page_path, f"{loc.lang}/feed.atom"),
        "docx_href": docx_href,
        "breadcrumb": breadcrumb,
        "title": body.segment(release.title),
        "subtitle": body.segment(release.subtitle) if release.subtitle else None,
        "date_iso": release.date.isoformat(),
        "date_text": loc.date_text,
        "body": body.blocks(release.body),
        "division": body.segment(release.division) if release.division else None,
        "related": related,
        # "Related website" for one link, "Related websites" for several: the heading follows the list
        "related_heading": words["related_website" if len(related) == 1 else "related_websites"],
    }
    return _render(templates_dir, RELEASE_TEMPLATE, context)


def render_language_index(
    project: Project,
    lang: str,
    items: Sequence[IndexItem],
    *,
    page_path: str,
    languages: Mapping[str, str],
    templates_dir: Path | None = None,
    draft: bool = False,
    feed_href: str | None = None,
) -> str:
    """A language's list of releases, newest first, grouped by month (``languages``: lang -> its index).

    ``draft``: the index of the language's drafts, marked and kept out of search engines like the drafts;
    ``feed_href``: the language's Atom feed, relative to the page.
    """
    po_names = read_names(project, lang)
    names = name_table(project, lang, po_names, draft=False)
    fmt = names_formatter(project, lang, po_names, draft=False)
    words = ui_words(project, lang, po_names, draft)
    ui = words.words
    ordered = sorted(items, key=lambda item: (item.date, item.release_id), reverse=True)
    groups: list[MonthGroup] = []
    for item in ordered:
        month_id = f"{item.date:%Y-%m}"
        entry = IndexEntry(text_markup(item.title), item.href, item.date.isoformat(), fmt.date(item.date))
        if groups and groups[-1].id == month_id:
            groups[-1] = MonthGroup(month_id, groups[-1].label, (*groups[-1].items, entry))
        else:
            groups.append(MonthGroup(month_id, fmt.month(item.date.year, item.date.month), (entry,)))
    all_languages = dict(languages)
    all_languages.setdefault(lang, page_path)
    publisher = names.publisher or project.publisher
    title = plain_text(f"{ui['news_releases']} | {publisher}" if publisher else ui["news_releases"])
    listed = languages if draft else all_languages
    context = {
        **_common_context(project, lang, page_path, words, draft),
        "draft": draft,
        "page_title": title,
        "publisher": _name_markup(publisher, project, lang),
        "home_href": relative_href(page_path, page_path),
        "index_href": relative_href(page_path, page_path),
        "canonical": None if draft else absolute_url(project.base_url, page_path),
        "alternates": hreflang_set(project, listed, ROOT_INDEX_PATH),
        "language_links": _language_links(project, lang, all_languages, page_path),
        "description": title,
        "og": _open_graph(lang, title, title, listed, "website"),
        "feed_href": feed_href,
        "docx_href": None,
        "breadcrumb": [
            Crumb(ui_markup(words, draft, text_direction(lang))["home"], relative_href(page_path, ROOT_INDEX_PATH)),
            Crumb(ui_markup(words, draft, text_direction(lang))["news_releases"], None),
        ],
        "months": groups,
    }
    return _render(templates_dir, LANGUAGE_INDEX_TEMPLATE, context)


def render_root_index(project: Project, languages: Mapping[str, str], templates_dir: Path | None = None) -> str:
    """outputs/index.html: a choice of languages, each named in itself (``languages``: lang -> its index)."""
    page_path = ROOT_INDEX_PATH
    lang = project.source_lang
    ui = UiWords(ui_table(lang))
    links = [
        LanguageLink(link.lang, link.tag, link.direction, link.name, link.href, False, _published_words(project, link.lang)["news_releases"])
        for link in _language_links(project, None, languages, page_path)
    ]
    context = {
        **_common_context(project, lang, page_path, ui, False),
        "draft": False,
        "page_title": plain_text(project.publisher or project.name),
        "publisher": text_markup(project.publisher or project.name),
        "home_href": relative_href(page_path, page_path),
        "index_href": relative_href(page_path, page_path),
        "canonical": absolute_url(project.base_url, page_path),
        "alternates": hreflang_set(project, languages, ROOT_INDEX_PATH),
        "language_links": links,
        "description": plain_text(project.publisher or project.name),
        "og": None,
        "feed_href": None,
        "docx_href": None,
    }
    return _render(templates_dir, ROOT_INDEX_TEMPLATE, context)


def render_feed(
    project: Project, lang: str, items: Sequence[IndexItem], *, page_path: str, templates_dir: Path | None = None
) -> str:
    """A language's Atom 1.0 feed (RFC 4287), newest first; ``items`` hrefs are relative to the feed.

    Needs a ``base_url``: every id and link is absolute. A release's id is its page's URL (stable as long
    as the site's address is), ``updated`` its release date (a page carries no time of day: midnight UTC),
    the feed's ``updated`` the newest entry's, never the clock, so a feed changes only with its entries.
    """
    if not project.base_url:
        raise ValueError("an Atom feed needs absolute URLs: set base_url")
    names = name_table(project, lang, read_names(project, lang), draft=False)
    ui = _published_words(project, lang)
    publisher = plain_text(names.publisher or project.publisher or project.name)
    folder = posixpath.dirname(page_path)
    ordered = sorted(items, key=lambda item: (item.date, item.release_id), reverse=True)
    entries = []
    for item in ordered:
        url = absolute_url(project.base_url, posixpath.join(folder, item.href))
        entries.append(FeedEntry(url, url, plain_text(item.title), _rfc3339(item.date)))
    context = {
        "lang_tag": bcp47(lang),
        "title": plain_text(f"{ui['news_releases']} | {publisher}"),
        "id": absolute_url(project.base_url, page_path),
        "self_href": absolute_url(project.base_url, page_path),
        "index_href": absolute_url(project.base_url, posixpath.join(folder, "index.html")),
        "updated": entries[0].updated if entries else _rfc3339(dt.date(1970, 1, 1)),
        "author": publisher,
        "entries": entries,
    }
    return _render(templates_dir, FEED_TEMPLATE, context)


def sitemap_pieces(
    project: Project, releases: Iterable[SitemapRelease], languages: Mapping[str, str], templates_dir: Path | None = None
) -> Iterator[str]:
    """outputs/sitemap.xml: every published page with its language versions (``xhtml:link`` hreflang
    alternates and the ``x-default``: the same sets the pages name). Needs a ``base_url``.

    Its text comes a piece at a time: at thousands of releases the sitemap is tens of megabytes, and its
    entries and the template's fragments are made as the text is written, never all held."""
    if not project.base_url:
        raise ValueError("a sitemap needs absolute URLs: set base_url")

    def entries() -> Iterator[SitemapEntry]:
        for release in releases:
            alternates = tuple(hreflang_set(project, release.versions, release_x_default(project, release.versions)))
            for lang in _language_order(project, release.versions):
                yield SitemapEntry(absolute_url(project.base_url, release.versions[lang]), release.date_iso, alternates)
        index_alternates = tuple(hreflang_set(project, languages, ROOT_INDEX_PATH))
        yield SitemapEntry(absolute_url(project.base_url, ROOT_INDEX_PATH), None, index_alternates)
        for lang in _language_order(project, languages):
            yield SitemapEntry(absolute_url(project.base_url, languages[lang]), None, index_alternates)

    return _render_pieces(templates_dir, SITEMAP_TEMPLATE, {"entries": entries()})


def release_x_default(project: Project, versions: Mapping[str, str]) -> str:
    """Where a release's ``x-default`` points: its source-language version, the original; the root index
    (the language chooser) while that page is not on the site."""
    return versions.get(project.source_lang, ROOT_INDEX_PATH)


def hreflang_set(project: Project, paths: Mapping[str, str], x_default: str) -> list[Alternate]:
    """The language versions of a page (lang -> path relative to outputs/) and its ``x-default``, as
    absolute URLs; empty without a ``base_url`` (search engines ignore relative ones)."""
    if not project.base_url or not paths:
        return []
    alternates = [Alternate(bcp47(lang), absolute_url(project.base_url, paths[lang])) for lang in _language_order(project, paths)]
    alternates.append(Alternate("x-default", absolute_url(project.base_url, x_default)))
    return alternates


@functools.cache  # (CLDR's answer is fixed, and every page asks it)
def og_locale(lang: str) -> str:
    """An Open Graph locale (``language_TERRITORY``): the language with CLDR's likely territory (ja -> ja_JP)."""
    likely = get_global("likely_subtags")
    locale = Locale.parse(lang)
    territory = locale.territory
    if territory is None:
        full = likely.get(lang) or likely.get(locale.language) or ""
        territory = Locale.parse(full).territory if full else None
    return f"{locale.language}_{territory}" if territory else locale.language


def stylesheet(templates_dir: Path | None) -> str:
    """The CSS for outputs/static/transpub.css: the project's templates/transpub.css if any, else transpub's."""
    if templates_dir is not None:
        override = Path(templates_dir) / STYLESHEET_NAME
        if override.exists() or override.is_symlink():
            return read_project_template(Path(templates_dir), STYLESHEET_NAME)
    return resources.files("transpub").joinpath("static", STYLESHEET_NAME).read_text(encoding="utf-8")


def read_project_template(templates_dir: Path, name: str) -> str:
    """A file of the project's templates/ folder as text: a regular UTF-8 file inside that folder.

    A symbolic link that leads out of the folder (``transpub.css -> /etc/passwd``) is refused, as
    sources and images are: nothing outside the project is ever published.
    """
    try:
        return read_text_inside(templates_dir / name, templates_dir, limit=MAX_TEMPLATE_BYTES, what="template")
    except FileError as exc:
        raise ConfigError(exc.message, path=exc.path, line=exc.line) from None


#: templates and the stylesheet are small; anything larger is not one
MAX_TEMPLATE_BYTES = 4 * 1024 * 1024


class _ProjectTemplates(FileSystemLoader):
    """The project's templates/ folder, each file read through :func:`read_project_template`."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment, template: str):
        found = (self.folder / template)
        if not (found.exists() or found.is_symlink()):
            raise TemplateNotFound(template)
        text = read_project_template(self.folder, template)
        mtime = os.path.getmtime(found)
        return text, str(found), lambda: os.path.exists(found) and os.path.getmtime(found) == mtime


# --- the body, from the block tree -------------------------------------------------------------------
class BodyWriter:
    """Writes a release's blocks and segments as HTML for one :class:`LocalizedRelease`."""

    def __init__(self, loc: LocalizedRelease):
        self.loc = loc
        project = loc.project
        self.source_tag = bcp47(project.source_lang)
        self.source_direction = text_direction(project.source_lang)
        # an untranslated segment is shown whole in the source language, its tokens included
        self.source_fmt = names_formatter(project, project.source_lang, NO_NAMES, draft=False)
        levels = sorted({b.level for b in walk_blocks(loc.release.body) if isinstance(b, Heading)})
        self.heading_tags = {level: f"h{min(rank + 2, 6)}" for rank, level in enumerate(levels)}

    # segments
    def segment(self, text: Text, *, inline: bool = True) -> Markup:
        """A segment's HTML with its draft marks; ``inline=False`` drops emphasis and links (inside a link)."""
        shown = self.loc.shown(text)
        render = self.source_fmt.render_text if shown.fallback else self.loc.render
        content = self.inline(shown.nodes, render) if inline else text_markup(self.plain(text))
        attrs = self._marks(shown)
        return Markup(f"<span{attributes(attrs)}>{content}</span>") if attrs else content

    def plain(self, text: Text) -> str:
        """A segment as plain text, tokens rendered (in the source language when it is a fallback)."""
        shown = self.loc.shown(text)
        render = self.source_fmt.render_text if shown.fallback else self.loc.render
        return render(inline_plain_text(shown.nodes))

    def _marks(self, shown: Shown) -> dict[str, str]:
        attrs: dict[str, str] = {}
        if shown.fallback:
            attrs["lang"] = self.source_tag
            if self.source_direction != self.loc.direction:
                attrs["dir"] = self.source_direction
        if self.loc.draft and shown.fallback:
            attrs["class"] = "untranslated"
            attrs["title"] = self.loc.ui["untranslated"]
        elif self.loc.draft and shown.unreviewed:
            attrs["class"] = "unreviewed"
            attrs["title"] = f"{self.loc.ui['unreviewed']} {shown.source}"
        return attrs

    def inline(self, nodes: Iterable[Inline], render: Callable[[str], str]) -> Markup:
        """Inline nodes as HTML; ``render`` turns the typed tokens of plain text into words."""
        parts: list[str] = []
        for node in nodes:
            if isinstance(node, Plain):
                parts.append(text_markup(render(node.text)))
            elif isinstance(node, Code):
                parts.append(f"<code>{text_markup(node.text)}</code>")
            elif isinstance(node, Emphasis):
                parts.append(f"<em>{self.inline(node.children, render)}</em>")
            elif isinstance(node, Strong):
                parts.append(f"<strong>{self.inline(node.children, render)}</strong>")
            elif isinstance(node, Link):
                href = safe_url(node.url)
                children = self.inline(node.children, render)
                if href is None:
                    parts.append(children)
                else:
                    attrs = {"href": href, "title": plain_text(render(node.title)) if node.title else None}
                    parts.append(f"<a{attributes(attrs)}>{children}</a>")
            elif isinstance(node, LineBreak):
                parts.append("<br>")
        return Markup("".join(parts))

    def publisher(self) -> Markup:
        return _name_markup(self.loc.publisher, self.loc.project, self.loc.lang)

    # blocks
    def blocks(self, blocks: Iterable[Block]) -> Markup:
        return Markup("\n".join(self.block(block) for block in blocks))

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            tag = self.heading_tags[block.level]
            return f"<{tag}>{self.segment(block.text)}</{tag}>"
        if isinstance(block, Paragraph):
            return f"<p>{self.segment(block.text)}</p>"
        if isinstance(block, Image):
            return self.image(block)
        if isinstance(block, ListBlock):
            return self.list(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Quote):
            return f"<blockquote>\n{self.blocks(block.blocks)}\n</blockquote>"
        if isinstance(block, CodeBlock):
            language = block.info.split()[0] if block.info.split() else ""
            attrs = {"class": f"language-{language}" if _CODE_LANGUAGE.fullmatch(language) else None}
            return f'<pre dir="ltr"><code{attributes(attrs)}>{text_markup(block.code)}</code></pre>'
        if isinstance(block, Rule):
            return "<hr>"
        raise TypeError(f"unknown block {block!r}")

    def image(self, image: Image) -> str:
        # image.src is a file path ("images/写真 1.png"); a URL needs it %-encoded
        attrs: dict[str, str | None] = {"src": quote(image.src, safe="/"), "alt": ""}
        if image.alt is not None:
            shown = self.loc.shown(image.alt)
            attrs["alt"] = plain_text(self.plain(image.alt))
            attrs.update(self._marks(shown))
        img = f'<img{attributes(attrs)} loading="lazy">'
        if image.caption is None:
            return f"<figure>{img}</figure>"
        return f"<figure>{img}<figcaption>{self.segment(image.caption)}</figcaption></figure>"

    def list(self, block: ListBlock) -> str:
        tag = "ol" if block.ordered else "ul"
        attrs = {"start": str(block.start) if block.ordered and block.start != 1 else None}
        items = "\n".join(f"<li>{self.list_item(item)}</li>" for item in block.items)
        return f"<{tag}{attributes(attrs)}>\n{items}\n</{tag}>"

    def list_item(self, item: ListItem) -> str:
        paragraphs = sum(isinstance(b, Paragraph) for b in item.blocks)
        parts = []
        for block in item.blocks:
            if isinstance(block, Paragraph) and paragraphs == 1:
                parts.append(str(self.segment(block.text)))  # a tight item: its text without <p>
            else:
                parts.append(self.block(block))
        return "\n".join(parts)

    def table(self, table: Table) -> str:
        def row(cells: tuple[TableCell, ...], tag: str) -> str:
            out = []
            for cell in cells:
                attrs = {"class": ALIGN_CLASSES.get(cell.align or ""), "scope": "col" if tag == "th" else None}
                content = self.segment(cell.text) if cell.text else ""
                out.append(f"<{tag}{attributes(attrs)}>{content}</{tag}>")
            return "<tr>" + "".join(out) + "</tr>"

        head = f"<thead>{row(table.header, 'th')}</thead>" if table.header else ""
        body = "\n".join(row(cells, "td") for cells in table.rows)
        return f'<div class="table-wrap"><table>{head}<tbody>\n{body}\n</tbody></table></div>'


# --- small helpers -------------------------------------------------------------------------------
def plain_text(text: str) -> str:
    """``text`` without the code points every page drops (still to be escaped)."""
    if not _REMOVABLE_OR_ASTRAL.search(text):
        return text
    text = _FORBIDDEN.sub("", text)
    return _FORBIDDEN_ASTRAL.sub("", text) if _ASTRAL.search(text) else text


def text_markup(text: str) -> Markup:
    """Text as safe HTML: forbidden code points removed, then escaped."""
    return escape(plain_text(text))


def attributes(attrs: Mapping[str, str | None]) -> str:
    """` name="value"` pairs, values escaped; None values are left out."""
    return "".join(f' {name}="{text_markup(value)}"' for name, value in attrs.items() if value is not None)


def safe_url(url: str) -> str | None:
    """The URL if it may become a link (http, https with a host, or mailto), else None."""
    url = url.strip()
    if not url or plain_text(url) != url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES or (scheme != "mailto" and not parts.netloc):
        return None
    return url


def relative_href(page_path: str, target: str) -> str:
    """The link from the page at ``page_path`` to ``target`` (both relative to outputs/)."""
    start = posixpath.dirname(page_path) or "."
    # both made absolute under one root, so relpath need not ask the system for the working folder
    return quote(posixpath.relpath("/" + target, "/" + start), safe="/#")


def absolute_url(base_url: str | None, path: str) -> str | None:
    return f"{base_url}{quote(path, safe='/')}" if base_url else None


def _name_markup(name: str, project: Project, lang: str) -> Markup:
    """A name that may still be in the source language (names.po not reviewed): tag its language."""
    if lang != project.source_lang and name == project.publisher:
        attrs = {"lang": bcp47(project.source_lang)}
        if text_direction(project.source_lang) != text_direction(lang):
            attrs["dir"] = text_direction(project.source_lang)
        return Markup(f"<span{attributes(attrs)}>{text_markup(name)}</span>")
    return text_markup(name)


def _language_order(project: Project, langs: Iterable[str]) -> list[str]:
    known = list(project.all_languages)
    return sorted(set(langs), key=lambda lang: (known.index(lang) if lang in known else len(known), lang))


def _language_links(project: Project, current: str | None, paths: Mapping[str, str], page_path: str) -> list[LanguageLink]:
    return [
        LanguageLink(
            lang=lang,
            tag=bcp47(lang),
            direction=text_direction(lang),
            name=language_name(lang),
            href=relative_href(page_path, paths[lang]),
            current=lang == current,
        )
        for lang in _language_order(project, paths)
    ]


@dataclass(frozen=True)
class OpenGraph:
    type: str
    title: str
    description: str
    locale: str
    alternates: tuple[str, ...]
    section: str | None = None  # article:section: the release's own section (front matter), in this language


def _open_graph(
    lang: str, title: str, description: str, versions: Mapping[str, str], kind: str, section: str | None = None
) -> OpenGraph:
    others = sorted({og_locale(other) for other in versions if other != lang})
    return OpenGraph(kind, plain_text(title), description, og_locale(lang), tuple(others), plain_text(section) if section else None)


def _description(body: BodyWriter, release) -> str:
    """A release in a sentence or a few: its subtitle, else its first paragraph, else its title."""
    if release.subtitle:
        return body.plain(release.subtitle)
    for block in walk_blocks(release.body):
        if isinstance(block, Paragraph):
            return body.plain(block.text)
    return body.plain(release.title)


def _rfc3339(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def ui_markup(ui: UiWords, draft: bool, direction: str) -> dict[str, Markup]:
    """The interface words as HTML for visible text: escaped; a word shown in the source language keeps
    its ``lang`` (and ``dir``), and in a draft an unreviewed or untranslated word is marked as a segment is."""
    out: dict[str, Markup] = {}
    for key, word in ui.words.items():
        mark = ui.marks.get(key)
        if mark is None:
            out[key] = text_markup(word)
            continue
        attrs: dict[str, str | None] = {}
        if mark.fallback:
            attrs["lang"] = bcp47(ui.source_lang)
            attrs["dir"] = text_direction(ui.source_lang) if text_direction(ui.source_lang) != direction else None
        if draft and mark.fallback:
            attrs.update({"class": "untranslated", "title": ui.words["untranslated"]})
        elif draft:
            attrs.update({"class": "unreviewed", "title": f"{ui.words['unreviewed']} {mark.source}"})
        out[key] = Markup(f"<span{attributes(attrs)}>{text_markup(word)}</span>") if attrs else text_markup(word)
    return out


def _published_words(project: Project, lang: str) -> Mapping[str, str]:
    """A language's interface words as its published pages show them (names.po is read only for a
    language without built-in words: a build of one language parses no other language's catalogs)."""
    if not ui_words_needed(project, lang):
        return ui_table(lang)
    return ui_words(project, lang, read_names(project, lang), draft=False).words


def _common_context(project: Project, lang: str, page_path: str, ui: UiWords, draft: bool) -> dict[str, object]:
    return {
        "project": project,
        "lang": lang,
        "lang_tag": bcp47(lang),
        "direction": text_direction(lang),
        "ui": dict(ui.words),  # plain text, for attributes and for a project's own templates
        "ui_html": ui_markup(ui, draft, text_direction(lang)),  # for visible text: marked in a draft when not reviewed
        "page_path": page_path,
        "stylesheet_href": relative_href(page_path, STYLESHEET_PATH),
        "root_href": relative_href(page_path, ROOT_INDEX_PATH),
    }


# --- templates -----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)
def template_environment(templates_dir: Path | None) -> SandboxedEnvironment:
    """Project templates first, then transpub's; autoescape on everywhere; sandboxed; strict about names."""
    loaders = []
    if templates_dir is not None:
        loaders.append(_ProjectTemplates(templates_dir))
    loaders.append(FileSystemLoader(str(resources.files("transpub").joinpath("templates"))))
    return SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=template_bytecode_cache(),
    )


class _BytecodeCache(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, for which a write that fails is no error (a full disk, a cache
    folder removed meanwhile): the template was compiled all the same, the next run compiles it again."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@functools.cache
def template_bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs, like Python's own ``.pyc`` files: compiling transpub's five
    templates costs every build ~30 ms before its first page, loading them ~2 ms.

    Jinja recompiles a template whose source changed (the cache is keyed on its path and checked against
    a checksum of its text). The folder, ``$XDG_CACHE_HOME/transpub`` or ``~/.cache/transpub``, is named
    after the Jinja and Python versions, since the compiled code is theirs. It is used only if it is this
    user's and no one else may write to it (what it holds is run as code); otherwise, or when it cannot be
    made, templates are compiled in every run, as without a cache. ``TRANSPUB_NO_CACHE=1`` turns it off.
    """
    if os.environ.get("TRANSPUB_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "transpub", f"templates-jinja{jinja2_version}-py{sys.version_info[0]}.{sys.version_info[1]}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid  # (Windows has no uid: its folder ACLs apply)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or info.st_mode & 0o022:
        return None
    return _BytecodeCache(folder)


def load_templates(templates_dir: Path | None) -> None:
    """Compile the templates now (a build does it before its worker processes start, so they share them).

    Every template is compiled, not only the three pages: those they extend or include would otherwise
    be compiled by each worker on its first page.
    """
    environment = _environment(templates_dir)
    for name in environment.list_templates(extensions=["j2"]):
        environment.get_template(name)


def _environment(templates_dir: Path | None) -> SandboxedEnvironment:
    return template_environment(Path(templates_dir).resolve() if templates_dir is not None else None)


def _template(templates_dir: Path | None, name: str):
    return _environment(templates_dir).get_template(name)


def _render(templates_dir: Path | None, name: str, context: Mapping[str, object]) -> str:
    template = None
    try:
        template = _template(templates_dir, name)
        return template.render(context)
    except ConfigError:
        raise
    except Exception as exc:  # a template is code a project wrote: whatever it raises is reported at its line
        raise _template_error(exc, template, name) from None


def _render_pieces(templates_dir: Path | None, name: str, context: Mapping[str, object], size: int = 1 << 16) -> Iterator[str]:
    """:func:`_render`, in pieces of about ``size`` characters (Jinja's fragments joined a few thousand at
    a time, never all of them); a template's error is raised, and reported, as the pieces are taken."""
    template = None
    try:
        template = _template(templates_dir, name)
        fragments: list[str] = []
        length = 0
        for fragment in template.generate(context):
            fragments.append(fragment)
            length += len(fragment)
            if length >= size:
                yield "".join(fragments)
                fragments, length = [], 0
        yield "".join(fragments)
    except ConfigError:
        raise
    except Exception as exc:
        raise _template_error(exc, template, name) from None


def _template_error(exc: Exception, template, name: str) -> ConfigError:
    filename, line = _template_location(exc, (template.filename if template is not None else None) or name)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return ConfigError(f"template {Path(filename).name}: {message}", path=filename, line=line)


def _template_location(exc: Exception, filename: str) -> tuple[str, int | None]:
    """The template file and line where ``exc`` arose (Jinja puts template frames into the traceback)."""
    if getattr(exc, "filename", None):
        return exc.filename, getattr(exc, "lineno", None)
    import traceback

    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.endswith(".j2")]
    if frames:
        return frames[-1].filename, frames[-1].lineno
    return filename, getattr(exc, "lineno", None)
