"""The inline codec: a translatable text as CommonMark inline text, shared by extraction and rendering.

A segment's msgid is *CommonMark inline text*, normalized so that the same source always gives the same
msgid and so a translator can read and reorder it in any PO editor:

    *emphasis*   **strong**   `code`   [link text](https://example.org "title")   \\ + newline = line break

Typed tokens (``{date:2023-07-18}``) stay as written. A translation is parsed back with the very same
Markdown parser (raw HTML off), so nothing a translator types can become markup other than these four
constructs, and links only with the URL schemes markdown-it accepts (no ``javascript:``).

* :func:`inline_tokens_to_text` turns markdown-it inline tokens into the msgid (used while reading a source).
* :func:`text_to_inline` parses a msgid or msgstr into :mod:`transpub.source.model` inline nodes (used
  while rendering, checking and protecting).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from .markdown import INLINE_RULE_STARTS, markdown_parser, parse_inline  # noqa: F401  (re-exported)
from .model import Code, Emphasis, Inline, LineBreak, Link, Plain, Strong
from .tokens import Token, check_token_like, parse_token

if TYPE_CHECKING:
    from markdown_it.token import Token as MdToken


# --- source tokens -> msgid ---------------------------------------------------------------------
class InlineImageError(ValueError):
    """An image inside running text: transpub places images as blocks of their own."""


def inline_tokens_to_text(children: Sequence[MdToken]) -> str:
    parts: list[str] = []
    run: list[str] = []  # adjacent text and escaped characters, escaped together (see below)
    opened: list[str] = []  # the delimiter each open emphasis was written with, to close it alike

    def flush() -> None:
        # escape_text decides by the neighbours ("&" before "amp;", "!" before "\[", "_" inside a word),
        # so one run of text is escaped as a whole, however the parser split it into tokens
        if run:
            parts.append(escape_text("".join(run)))
            run.clear()

    for index, token in enumerate(children):
        kind = token.type
        if kind == "text_special" and token.info == "entity":
            # an entity stays as written: its decoded character could change how the "*" next to it
            # parses (the parser sees ";" before it in the source, not the character it stands for)
            flush()
            parts.append(token.markup)
            continue
        if kind in ("text", "text_special"):
            run.append(token.content)
            continue
        flush()
        if kind == "softbreak":
            before = "".join(parts)[-1:]
            after = _next_text(children, index + 1)[:1]
            parts.append("" if _is_wide(before) and _is_wide(after) else " ")
        elif kind == "hardbreak":
            parts.append("\\\n")
        elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
            # "*" as a rule, so the same emphasis always reads the same; "_" where the source wrote it right
            # after another "*" delimiter ("*a*_b_"), where "*a**b*" would parse as one emphasis
            star = "*" if kind.startswith("em") else "**"
            underscore = token.markup == star.replace("*", "_")
            parts.append(star.replace("*", "_") if underscore and kind.endswith("_open") and "".join(parts).endswith("*") else star)
            if kind.endswith("_open"):
                opened.append(parts[-1])
            else:
                parts[-1] = opened.pop() if opened else parts[-1]
        elif kind == "code_inline":
            parts.append(_code_span(token.content))
        elif kind == "link_open":
            if parts and _ends_with_unescaped(parts[-1], "!"):
                parts[-1] = parts[-1][:-1] + "\\!"  # a literal "!" before a link: "![" would make it an image
            parts.append("[")
        elif kind == "link_close":
            opener = _matching_link_open(children, index)
            parts.append("](" + _link_destination(opener) + ")")
        elif kind == "image":
            raise InlineImageError("an image must stand alone in its own paragraph to get a caption")
        else:  # html_inline cannot happen with html off; keep anything else as literal text
            parts.append(escape_text(token.content))
    flush()
    text = "".join(parts).strip()
    while _ends_with_unescaped(text, "\\"):  # a hard break the strip left last ("\\\n\x1f"): it breaks nothing
        text = text[:-1].rstrip()
    return text


def _ends_with_unescaped(text: str, char: str) -> bool:
    if not text.endswith(char):
        return False
    backslashes = len(text) - len(text[:-1].rstrip("\\")) - 1
    return backslashes % 2 == 0


_ESCAPE_ALWAYS = re.compile(r"([\\`*\[\]<])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MAY_NEED_ESCAPE = "\\`*[]<&!_"
_BANG_BEFORE_BRACKET = re.compile(r"!(?=\\\[)")
_UNDERSCORE_AT_BOUNDARY = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape_text(text: str) -> str:
    """Backslash-escape what the inline parser would read as markup (and nothing more, for readability)."""
    if not _holds_any(text, _MAY_NEED_ESCAPE):
        return text  # most text runs: nothing any of the rules below would touch
    text = _ESCAPE_ALWAYS.sub(r"\\\1", text)
    text = _ENTITY_LIKE.sub(r"\\&", text)
    text = _BANG_BEFORE_BRACKET.sub(r"\\!", text)
    # "_" only makes emphasis at a word boundary; intraword underscores (snake_case, URLs) stay readable
    return _UNDERSCORE_AT_BOUNDARY.sub(r"\\_", text)


def _code_span(content: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    # the parser strips one space from each end unless the content is nothing but spaces
    padded = content.strip(" ") and (content.startswith(("`", " ")) or content.endswith(("`", " ")))
    pad = " " if padded else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _matching_link_open(children: Sequence[MdToken], close_index: int) -> MdToken:
    depth = 0
    for token in reversed(children[:close_index]):
        if token.type == "link_close":
            depth += 1
        elif token.type == "link_open":
            if depth == 0:
                return token
            depth -= 1
    raise ValueError("unbalanced link tokens")


def _link_destination(opener: MdToken) -> str:
    href = str(opener.attrs.get("href", ""))
    dest = f"<{href}>" if re.search(r"[\s()<>]", href) or not href else href
    title = opener.attrs.get("title")
    if title:
        escaped = str(title).replace("\\", "\\\\").replace('"', '\\"')
        dest += f' "{escaped}"'
    return dest


def _next_text(children: Sequence[MdToken], start: int) -> str:
    for token in children[start:]:
        if token.content:
            return token.content
    return ""


def _is_wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


# --- msgid / msgstr -> inline nodes --------------------------------------------------------------
# Emphasis may nest without limit in CommonMark ("***…x…***"), and every renderer and check walks the
# nodes recursively: deeper markup than this is kept as the literal text it was written as.
MAX_INLINE_DEPTH = 20


@lru_cache(maxsize=8192)
def inline_children(text: str) -> tuple[MdToken, ...]:
    """The inline tokens of a segment text (as markdown-it-py gives them), parsed once (callers must not
    change them). :mod:`transpub.source.markdown` parses it, with the compiled parser where it can."""
    return tuple(parse_inline(text))


# every character at which CommonMark inline parsing can do something other than keep plain text
# (besides spaces and tabs at either end, which it strips)
_MARKUP_START = "\\`*_[]<>&!\n\r"


def is_plain_text(text: str) -> bool:
    """Whether ``text`` has no character at which inline markup could start: it parses to itself."""
    if text and (text[0] in " \t" or text[-1] in " \t"):
        return False
    return not _holds_any(text, _MARKUP_START)


def _holds_any(text: str, chars: str) -> bool:
    # a substring test per character is several times faster than a regular expression's character class
    # (every text of a release is asked, most of them long and with none of the characters)
    for char in chars:
        if char in text:
            return True
    return False


@lru_cache(maxsize=8192)
def text_to_inline(text: str) -> tuple[Inline, ...]:
    """Parse a segment text (source or translation) into inline nodes, merging adjacent plain text.

    Cached: the nodes are immutable, and every renderer and check asks for the same texts again. Most
    segments hold no character that could start markup; they are plain text without asking the parser.
    """
    if is_plain_text(text):
        return (Plain(text),) if text else ()
    return tokens_to_inline(inline_children(text))


def tokens_to_inline(children: Sequence[MdToken]) -> tuple[Inline, ...]:
    """markdown-it's inline tokens as transpub's inline nodes (adjacent plain text merged)."""
    root: list[Inline] = []
    stack: list[tuple[str, list[Inline], MdToken | None]] = []
    current = root

    def add(node: Inline) -> None:
        if isinstance(node, Plain) and current and isinstance(current[-1], Plain):
            current[-1] = Plain(current[-1].text + node.text)
        elif not (isinstance(node, Plain) and not node.text):
            current.append(node)

    for index, token in enumerate(children):
        kind = token.type
        if kind == "text":
            add(Plain(token.content))
        elif kind == "softbreak":
            before = current[-1].text[-1:] if current and isinstance(current[-1], Plain) else ""
            after = _next_text(children, index + 1)[:1]
            add(Plain("" if _is_wide(before) and _is_wide(after) else " "))
        elif kind == "hardbreak":
            current.append(LineBreak())
        elif kind == "code_inline":
            current.append(Code(token.content))
        elif kind in ("em_open", "strong_open", "link_open"):
            if len(stack) >= MAX_INLINE_DEPTH:
                stack.append(("flat", current, token))
                add(Plain(token.markup if kind != "link_open" else ""))
            else:
                stack.append((kind, current, token))
                current = []
        elif kind in ("em_close", "strong_close", "link_close"):
            opened, parent, opener = stack.pop()
            if opened == "flat":
                add(Plain(token.markup if kind != "link_close" else ""))
                continue
            node: Inline
            if opened == "em_open":
                node = Emphasis(tuple(current))
            elif opened == "strong_open":
                node = Strong(tuple(current))
            else:
                assert opener is not None
                node = Link(str(opener.attrs.get("href", "")), _opt_str(opener.attrs.get("title")), tuple(current))
            current = parent
            current.append(node)
        elif kind == "image":
            add(Plain(token.content))  # never an image from a translation: its alt text, as text
        else:
            add(Plain(token.content))
    return tuple(root)


def forget_parsed_texts() -> None:
    """Empty the parse caches. A build and ``update`` call it after each release: the texts of one release
    are asked for again and again (checks, then rendering), the next release's hardly ever, and parsed
    markdown-it tokens are large, so memory then follows one release instead of growing with the corpus."""
    inline_children.cache_clear()
    text_to_inline.cache_clear()


def _opt_str(value: object) -> str | None:
    return str(value) if value else None


def inline_plain_text(nodes: Iterable[Inline]) -> str:
    """The text a reader sees, markup removed and tokens left raw (for word counts and checks)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, (Plain, Code)):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append("\n")
        else:
            out.append(inline_plain_text(node.children))
    return "".join(out)


# --- where typed tokens count ---------------------------------------------------------------------
def _texts_outside_code(nodes: Iterable[Inline]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, Plain):
            yield node.text
        elif isinstance(node, (Emphasis, Strong, Link)):
            yield from _texts_outside_code(node.children)


def raw_tokens_in(text: str, nodes: tuple[Inline, ...] | None = None) -> list[str]:
    """The raw typed tokens of a segment text where they count: in its words, never inside a code span
    (a code span is shown as written, so `` `{date:2023-07-18}` `` documents the syntax) or a link's URL.

    Anything outside code that looks like a token and is not one (``{date :2023-07-18}``, an unclosed
    ``{date:2023-07-18``, ``{list:{country:KZ}}``) raises :class:`~transpub.errors.TokenError`.
    ``nodes``: the text's inline nodes, if the caller has them (otherwise the text is parsed).
    """
    if "{" not in text:
        return []
    found: list[str] = []
    for plain in _texts_outside_code(text_to_inline(text) if nodes is None else nodes):
        found += check_token_like(plain)
    return found


def tokens_in(text: str, organizations: Mapping[str, object], nodes: tuple[Inline, ...] | None = None) -> list[Token]:
    """The typed tokens of a segment text (see :func:`raw_tokens_in`), each validated."""
    return [parse_token(raw, organizations) for raw in raw_tokens_in(text, nodes)]
