"""How transpub parses Markdown: the one home of the parsers and of the tokens they give.

transpub's Markdown is CommonMark + GFM tables, raw HTML off, with backslash escapes and entities kept
as tokens of their own ("text_special"), so one parse tells both the structure and which markup
characters were left as text. Two parsers give exactly that token stream:

* **markdown-it-py** (:func:`markdown_parser`), the reference: pure Python, the parser every rule of
  transpub was written against, and the one :mod:`transpub.translate.protect` uses (raw HTML on).
* **markdown-it-pyrs** (markdown-it.rs, compiled): the same algorithm in Rust; it parses a release body
  ~6× and a segment ~3× faster than markdown-it-py (~2× with the conversion below).
  Its syntax tree is turned here into the reference's flat tokens (:class:`Tok`, with the attributes
  transpub reads: ``type tag content markup info attrs children map``).

:func:`parse_blocks` and :func:`parse_inline` use the compiled parser wherever it is known to give the
reference's tokens, and markdown-it-py for the few constructs where the two differ (see
:func:`_fast_path_ok`); ``tests/test_markdown_parsers.py`` compares both, token by token, on generated
markup of every construct transpub supports.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@cache
def markdown_parser(*, raw_html: bool = False) -> MarkdownIt:
    """The reference parser (markdown-it-py): CommonMark + GFM tables, raw HTML off.

    ``text_join`` is off so a backslash-escaped character stays a token of its own ("text_special"):
    the same parse then tells both the structure and which markup characters were left as text.
    ``raw_html=True`` is for protecting text from machine translation only: there, anything that
    could be a tag (``<span>``) is kept from the engine, though sources and translations never make one.
    """
    from markdown_it import MarkdownIt

    parser = (
        MarkdownIt("commonmark", {"html": raw_html, "linkify": False, "typographer": False})
        .enable("table")
        .disable("text_join")
    )
    # markdown-it stops its plain-text rule at every character some inline rule *might* start at,
    # plugins' included ("{", ":", "-", "=", …), and then tries each rule there in turn. Release texts
    # are full of such characters ({country:FR}, 2024-03-01), so stopping only where an enabled rule
    # can start makes inline parsing markedly faster; the tokens are identical
    # (tests/test_fuzz.py compares both parsers on generated markup).
    if hasattr(parser.inline, "terminator_re"):
        parser.inline.terminator_re = re.compile(INLINE_RULE_STARTS)
    return parser


#: where CommonMark's inline rules can start (newline, escape, code, emphasis, link, image, autolink,
#: entity) plus "]", which ends a link label while markdown-it skips over the label's inline content
INLINE_RULE_STARTS = r"[\n!&*<\[\\\]_`]"

#: the rules of the compiled parser: CommonMark's, raw HTML left out, and GFM tables
_FAST_RULES = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table",
]  # fmt: skip


@cache
def fast_parser() -> Any:
    """markdown-it.rs configured as :func:`markdown_parser` (raw HTML off), or None where it is missing."""
    try:
        import markdown_it_pyrs
    except ImportError:  # pragma: no cover - a dependency; markdown-it-py still gives every answer
        return None
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(_FAST_RULES)


class Tok:
    """One token, as markdown-it-py would give it (only what transpub reads)."""

    __slots__ = ("type", "tag", "content", "markup", "info", "attrs", "children", "map")

    def __init__(self, type_: str, content: str = "", markup: str = "", info: str = "", attrs: dict | None = None,
                 children: list | None = None, tag: str = "", map_: list[int] | None = None):  # fmt: skip
        self.type, self.content, self.markup, self.info = type_, content, markup, info
        self.attrs = attrs if attrs is not None else {}
        self.children, self.tag, self.map = children, tag, map_

    def __repr__(self) -> str:  # pragma: no cover - for debugging
        return f"Tok({self.type!r}, {self.content!r}, markup={self.markup!r}, attrs={self.attrs!r})"


# --- when the compiled parser gives the reference's tokens -------------------------------------------------
# markdown-it.rs follows an older CommonMark than markdown-it-py 4 in a few corners, found by
# tests/test_markdown_parsers.py; a text with any of these characters goes to markdown-it-py:
#   "\0" (replaced by U+FFFD at different points), "\t" (tab stops in list and code indentation),
#   "\r", form feed, vertical tab and Unicode spaces (line ends and whitespace), "<" (autolinks: URL
#   and e-mail rules); so does a text with a block quote (lazy continuation lines), or with "|" and "`"
#   on one line (a code span in a table row).
_SLOW_CHARS = re.compile(r"[\0\t\r\x0b\x0c<\u0080-\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]")
_QUOTE_LINE = re.compile(r"^ *(?:(?:[-+*]|[0-9]{1,9}[.)]) +)*>", re.M)
_PIPE_AND_CODE = re.compile(r"^[^\n]*(?:\|[^\n]*`|`[^\n]*\|)", re.M)


# markdown-it-py 4 follows CommonMark 0.31 (Unicode symbols such as "¢" count as punctuation next to a
# delimiter; IDN link hosts), markdown-it.rs 0.6 an older one; and the two pair "*" and "_" delimiters
# differently in some runs ("*\\!*a_b_*_c_*"): such texts go to the reference
_UNDERSCORE_DELIMITER = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")  # (snake_case is no delimiter)
_WIDE_IN_LINK = re.compile(r"\]\([^)]*[^\x00-\x7f]")


def _symbol_by_delimiter(text: str) -> bool:
    """Whether a non-ASCII character other than a letter, digit or mark stands next to a "*" or "_"
    (letters, CJK ones included, flank a delimiter alike in both parsers; punctuation and symbols not)."""
    # found from each delimiter (few) rather than from each non-ASCII character (all of a French text)
    for delimiter in "*_":
        at = text.find(delimiter)
        while at != -1:
            for char in (text[at - 1] if at else "", text[at + 1 : at + 2]):
                if char and not char.isascii() and unicodedata.category(char)[0] not in "LNM":
                    return True
            at = text.find(delimiter, at + 1)
    return False


def _fast_path_ok(text: str) -> bool:
    if "*" in text and "_" in text and _UNDERSCORE_DELIMITER.search(text):
        return False
    if not text.isascii() and (_symbol_by_delimiter(text) or ("](" in text and _WIDE_IN_LINK.search(text))):
        return False
    if "`" in text and ("[" in text or ("|" in text and _PIPE_AND_CODE.search(text))):
        return False  # markdown-it.rs 0.6 panics on a backtick inside a link label ("[`")
    return not _SLOW_CHARS.search(text) and not (">" in text and _QUOTE_LINE.search(text))


def _tree(parser, text: str):
    """The compiled parser's tree, or None if it failed (a Rust panic arrives as a BaseException)."""
    try:
        return parser.tree(text)
    except Exception:
        return None
    except BaseException as exc:  # pyo3's PanicException; never swallow an interrupt or an exit
        if type(exc).__name__ != "PanicException":
            raise
        return None


# --- block and inline parses ------------------------------------------------------------------------------
def parse_blocks(text: str) -> list:
    """The block tokens of a document (markdown-it-py's ``parse``): *_open/*_close, "inline" with children."""
    parser = fast_parser()
    if parser is None or not _fast_path_ok(text):
        return markdown_parser().parse(text)
    root = _tree(parser, text)
    if root is None:
        return markdown_parser().parse(text)
    return _Blocks(text).run(root)


def parse_inline(text: str) -> list:
    """The inline tokens of one text (the children of markdown-it-py's ``parseInline``)."""
    parser = fast_parser()
    if parser is None or "\n" in text or text[:1] in _SPACES or text[-1:] in _SPACES or not _fast_path_ok(text):
        tokens = markdown_parser().parseInline(text)
        return list(tokens[0].children or ()) if tokens else []
    # a text without a line end is one paragraph, unless a line of it alone is a block of another kind
    # ("# x", "- x", "> x", "---", "    x", "[a]: b", a table): then the reference reads it inline all the same
    root = _tree(parser, text)
    nodes = root.children if root is not None else ()
    if len(nodes) != 1 or nodes[0].name != "paragraph":
        tokens = markdown_parser().parseInline(text)
        return list(tokens[0].children or ()) if tokens else []
    return _inline(nodes[0].children, text)


_SPACES = (" ", "\t")  # a paragraph drops them at either end, an inline parse keeps them


def _encoded(text: str) -> bytes | None:
    return None if text.isascii() else text.encode("utf-8")


def _inline(nodes, text: str) -> list:
    out: list = []
    for node in nodes:
        name = node.name
        if name == "text":
            out.append(Tok("text", node.meta["content"]))
        elif name == "text_special":
            meta = node.meta
            info = meta.get("info", "")
            if info == "autolink":  # only inside an autolink, which becomes link_open / text / link_close
                out.append(Tok("text", meta["content"]))
            else:
                out.append(Tok("text_special", meta["content"], meta.get("markup", ""), info))
        elif name == "softbreak":
            out.append(Tok("softbreak"))
        elif name == "hardbreak":
            out.append(Tok("hardbreak"))
        elif name == "em" or name == "strong":
            marker = node.meta["marker"]
            markup = marker if name == "em" else marker * 2
            out.append(Tok(f"{name}_open", markup=markup))
            out.extend(_inline(node.children, text))
            out.append(Tok(f"{name}_close", markup=markup))
        elif name == "code_inline":
            out.append(Tok("code_inline", "".join(child.meta["content"] for child in node.children), markup="`" * node.meta["marker_len"]))
        elif name == "link" or name == "autolink":
            meta = node.meta
            attrs = {"href": meta["url"]}
            title = meta.get("title")
            if title is not None:
                attrs["title"] = title
            if name == "autolink":
                out.append(Tok("link_open", markup="autolink", info="auto", attrs=attrs))
            else:
                out.append(Tok("link_open", attrs=attrs))
            out.extend(_inline(node.children, text))
            out.append(Tok("link_close", markup="autolink" if name == "autolink" else ""))
        elif name == "image":
            meta = node.meta
            attrs = {"src": meta["url"], "alt": ""}
            title = meta.get("title")
            if title is not None:
                attrs["title"] = title
            out.append(Tok("image", _label(node, text), attrs=attrs, children=_inline(node.children, text)))
        else:
            raise _Unexpected(name)
    return out


def _label(node, text: str) -> str:
    """An image's alt text as written (markdown-it-py's ``content``): between "![" and its "]"."""
    if not node.children:
        return ""
    start, end = node.srcmap[0] + 2, node.children[-1].srcmap[1]  # (offsets in UTF-8 bytes)
    data = _encoded(text)  # (only here: images are few, and most texts are never encoded)
    return text[start:end] if data is None else data[start:end].decode("utf-8")


class _Unexpected(Exception):
    """A node the conversion does not know: the reference parser answers instead."""


class _Blocks:
    """markdown-it.rs's syntax tree as markdown-it-py's flat block tokens, with their source lines."""

    def __init__(self, text: str):
        self.text = text
        self.data = _encoded(text)
        raw = self.data if self.data is not None else text
        newline = b"\n" if self.data is not None else "\n"
        # offsets of every line end, to turn a node's offset into its line
        ends, at = [], raw.find(newline)
        while at != -1:
            ends.append(at)
            at = raw.find(newline, at + 1)
        self.ends = ends
        self.size = len(raw)
        self.out: list = []

    def line(self, node) -> int:
        return bisect.bisect_left(self.ends, node.srcmap[0]) if node.srcmap else 0

    def run(self, root) -> list:
        try:
            self.blocks(root.children)
        except _Unexpected:
            return markdown_parser().parse(self.text)
        return self.out

    def inline(self, nodes) -> Tok:
        return Tok("inline", children=_inline(nodes, self.text))

    def blocks(self, nodes, tight: bool = False) -> None:
        out = self.out
        run: list = []  # inline nodes straight inside a tight list item: its hidden paragraph
        for node in nodes:
            name = node.name
            if tight and name in _INLINE_NAMES:
                run.append(node)
                continue
            if run:
                self.paragraph(run)
                run = []
            if name == "paragraph":
                self.paragraph(node.children, self.line(node))
            elif name == "heading" or name == "lheading":
                tag = f"h{node.meta['level']}"
                out.append(Tok("heading_open", tag=tag, map_=[self.line(node)]))
                out.append(self.inline(node.children))
                out.append(Tok("heading_close", tag=tag))
            elif name == "bullet_list" or name == "ordered_list":
                attrs = {}
                if name == "ordered_list" and node.meta.get("start", 1) != 1:
                    attrs["start"] = node.meta["start"]
                out.append(Tok(f"{name}_open", attrs=attrs, map_=[self.line(node)]))
                for item in node.children:
                    out.append(Tok("list_item_open", map_=[self.line(item)]))
                    self.blocks(item.children, tight=True)
                    out.append(Tok("list_item_close"))
                out.append(Tok(f"{name}_close"))
            elif name == "blockquote":
                out.append(Tok("blockquote_open", map_=[self.line(node)]))
                self.blocks(node.children)
                out.append(Tok("blockquote_close"))
            elif name == "table":
                self.table(node)
            elif name == "fence" or name == "code_block":
                if node.srcmap and node.srcmap[1] >= self.size and not self.text.endswith("\n"):
                    # code running to the end of a text with no line end: markdown-it.rs gives it one
                    raise _Unexpected(name)
                info = node.meta.get("info", "") if name == "fence" else ""
                out.append(Tok(name, node.meta["content"], info=info, map_=[self.line(node)]))
            elif name == "hr":
                out.append(Tok("hr", map_=[self.line(node)]))
            elif name == "definition":
                pass  # a link reference definition: the reference gives no token for it either
            else:
                raise _Unexpected(name)
        if run:
            self.paragraph(run)

    def paragraph(self, children, line: int | None = None) -> None:
        if line is None:  # a tight list item's hidden paragraph: where its first piece of text is
            # (not the first node's own offset: an emphasis node's can lie past its first text's)
            start = min(node.srcmap[0] for child in children for node in child.walk() if node.srcmap)
            line = bisect.bisect_left(self.ends, start)
        self.out.append(Tok("paragraph_open", map_=[line]))
        self.out.append(self.inline(children))
        self.out.append(Tok("paragraph_close"))

    def row_starts_with_pipe(self, row) -> bool:
        line = self.line(row)
        start = self.ends[line - 1] + 1 if line else 0
        raw = self.data if self.data is not None else self.text
        head = raw[start : start + 4].lstrip(b" " if self.data is not None else " ")
        return head[:1] in ("|", b"|")

    def table(self, node) -> None:
        out = self.out
        aligns = node.meta.get("alignments") or []
        out.append(Tok("table_open", map_=[self.line(node)]))
        for part in node.children:
            section = "thead" if part.name == "thead" else "tbody"
            if part.name not in ("thead", "tbody"):
                raise _Unexpected(part.name)
            cell = "th" if section == "thead" else "td"
            out.append(Tok(f"{section}_open"))
            for row in part.children:
                if not self.row_starts_with_pipe(row):
                    # markdown-it-py ends a table at a line that starts another block ("2) x", "> x"),
                    # markdown-it.rs 0.6 reads it as a row: rows written with a leading "|" are the same
                    raise _Unexpected("table row")
                out.append(Tok("tr_open", map_=[self.line(row)]))
                for index, item in enumerate(row.children):
                    align = aligns[index] if index < len(aligns) else "none"
                    attrs = {"style": f"text-align:{align}"} if align and align != "none" else {}
                    out.append(Tok(f"{cell}_open", attrs=attrs))
                    out.append(self.inline(item.children))
                    out.append(Tok(f"{cell}_close"))
                out.append(Tok("tr_close"))
            out.append(Tok(f"{section}_close"))
        out.append(Tok("table_close"))


_INLINE_NAMES = frozenset(
    ["text", "text_special", "softbreak", "hardbreak", "em", "strong", "code_inline", "link", "autolink", "image"]
)
