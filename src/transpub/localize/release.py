"""A release seen in one language: each segment's text to show, its review state, and the names to use.

Renderers (HTML, DOCX) walk the release's block tree and ask a :class:`LocalizedRelease` for every Text;
they never read catalogs themselves. What a draft shows for a segment that is not reviewed is decided
here; whether a (release, language) publishes is decided in :mod:`transpub.review.publishing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

from ..catalogs.pofile import index_entries, read_catalog
from ..catalogs.states import State
from ..config import Project
from ..source.inline import inline_plain_text, text_to_inline
from ..source.model import Inline, Release, Text
from .names import NO_NAMES, Names, name_table, names_formatter
from .ui import bcp47, text_direction, ui_words


@dataclass(frozen=True)
class Shown:
    """A segment as shown in one language."""

    nodes: tuple[Inline, ...]
    state: State | None  # None: the source language, shown as written
    source: str  # the source text (msgid), for draft marks and Word comments
    fallback: bool = False  # untranslated: the source text is shown instead

    @property
    def unreviewed(self) -> bool:
        return self.state is not None and not self.state.publishable


class LocalizedRelease:
    def __init__(
        self,
        project: Project,
        release: Release,
        lang: str,
        *,
        catalog: polib.POFile | None = None,
        names: Names | None = None,
        draft: bool = False,
    ):
        self.project = project
        self.release = release
        self.lang = lang
        self.draft = draft
        self.is_source = lang == project.source_lang
        self.entries = index_entries(catalog) if catalog is not None else {}
        names = names if names is not None else NO_NAMES
        self.review = names.review  # the language's review policy and approvals, read with its names
        self.names = name_table(project, lang, names, draft)
        self.fmt = names_formatter(project, lang, names, draft)  # (made from the same name table, self.names)
        self.ui_words = ui_words(project, lang, names, draft)
        self.ui = self.ui_words.words
        self.tag = bcp47(lang)
        self.direction = text_direction(lang)

    def shown(self, text: Text) -> Shown:
        if self.is_source or not self.release.has_words(text):  # nothing to translate: the source, tokens rendered
            return Shown(text_to_inline(text.source), None, text.source)
        entry = self.entries.get((None, text.source))
        state = self.review.state(entry, self.release.id)
        if state is State.UNTRANSLATED:
            return Shown(text_to_inline(text.source), state, text.source, fallback=True)
        return Shown(text_to_inline(entry.msgstr), state, text.source)

    def plain(self, text: Text | None) -> str:
        """A segment as plain text with tokens rendered (titles, alt text, document properties)."""
        if text is None:
            return ""
        return self.fmt.render_text(inline_plain_text(self.shown(text).nodes))

    def render(self, plain: str) -> str:
        return self.fmt.render_text(plain)

    @property
    def publisher(self) -> str:
        return self.names.publisher

    @property
    def date_text(self) -> str:
        return self.fmt.date(self.release.date)

    @property
    def month_text(self) -> str:
        return self.fmt.month(self.release.date.year, self.release.date.month)

    def unreviewed_texts(self) -> list[Text]:
        return [t for t in self.release.texts() if self.shown(t).unreviewed]


def catalog_for(project: Project, release: Release, lang: str) -> polib.POFile | None:
    path: Path = project.catalog_path(lang, release.id)
    return read_catalog(path) if lang != project.source_lang and path.exists() else None
