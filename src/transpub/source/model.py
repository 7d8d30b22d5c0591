"""The parsed form of a source release: a tree of blocks whose translatable leaves are :class:`Text`.

Extraction walks this tree to write catalogs; rendering walks the very same tree and asks, for each
Text, what to show in the target language. That is what keeps "what was extracted" and "what gets
replaced" identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Union


@dataclass(frozen=True)
class Text:
    """One translatable segment: its msgid (inline Markdown with tokens), what it is, and where."""

    source: str
    kind: str  # "title", "subtitle", "heading", "paragraph", "list item", "table cell", …
    line: int


# --- inline nodes (a segment's text parsed for rendering) ----------------------------------------
@dataclass(frozen=True)
class Plain:
    text: str  # may contain typed tokens


@dataclass(frozen=True)
class Code:
    text: str  # literal; tokens inside code are not rendered


@dataclass(frozen=True)
class Emphasis:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Link:
    url: str
    title: str | None
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class LineBreak:
    pass


Inline = Union[Plain, Code, Emphasis, Strong, Link, LineBreak]


# --- blocks --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    level: int  # 1–6 as written in Markdown (the title and subtitle are taken out of the body)
    text: Text


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class Image:
    src: str  # relative to the source file's folder, checked to stay inside sources/
    alt: Text | None
    caption: Text | None
    line: int


@dataclass(frozen=True)
class ListItem:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class TableCell:
    text: Text | None  # None for an empty cell
    align: str | None  # "left", "center", "right" or None


@dataclass(frozen=True)
class Table:
    header: tuple[TableCell, ...]
    rows: tuple[tuple[TableCell, ...], ...]


@dataclass(frozen=True)
class Quote:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class CodeBlock:
    code: str  # shown as written, never translated
    info: str


@dataclass(frozen=True)
class Rule:
    pass


Block = Union[Heading, Paragraph, Image, ListBlock, Table, Quote, CodeBlock, Rule]


@dataclass(frozen=True)
class RelatedLink:
    title: Text
    url: str


@dataclass(frozen=True)
class Release:
    id: str
    path: Path
    date: dt.date
    title: Text
    subtitle: Text | None
    section: Text | None
    division: Text | None
    related: tuple[RelatedLink, ...]
    body: tuple[Block, ...]
    # msgid -> its inline nodes as the document's own parse produced them, for the body texts that have
    # markup: checks compare a translation with these instead of parsing every msgid again
    parsed: Mapping[str, tuple[Inline, ...]] = field(default_factory=dict, compare=False, repr=False)
    # msgid -> whether it has anything to translate, decided once when the release is read: publishing,
    # extraction and every renderer ask it of every text (see :meth:`has_words`)
    words: Mapping[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def has_words(self, text: Text) -> bool:
        """Whether ``text`` holds anything to translate (the rule is
        :func:`transpub.source.segments.has_words`; this is its answer remembered for the release's texts)."""
        found = self.words.get(text.source)
        if found is None:  # a text the release's reader did not see
            from .segments import has_words

            return has_words(text.source)
        return found

    def texts(self) -> list[Text]:
        """Every translatable segment in reading order (title, subtitle, body, then front matter)."""
        return list(self._texts)

    @cached_property
    def _texts(self) -> tuple[Text, ...]:  # (walked once: reading, deciding and rendering each ask)
        texts = [self.title]
        if self.subtitle:
            texts.append(self.subtitle)
        texts.extend(_block_texts(self.body))
        for text in (self.section, self.division):
            if text:
                texts.append(text)
        texts.extend(link.title for link in self.related)
        return tuple(texts)

    def images(self) -> list[Image]:
        return [block for block in walk_blocks(self.body) if isinstance(block, Image)]


def walk_blocks(blocks: tuple[Block, ...]):
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_blocks(item.blocks)
        elif isinstance(block, Quote):
            yield from walk_blocks(block.blocks)


def _block_texts(blocks: tuple[Block, ...]) -> list[Text]:
    texts: list[Text] = []
    for block in walk_blocks(blocks):
        if isinstance(block, (Heading, Paragraph)):
            texts.append(block.text)
        elif isinstance(block, Image):
            texts.extend(t for t in (block.alt, block.caption) if t)
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                texts.extend(cell.text for cell in row if cell.text)
    return texts
