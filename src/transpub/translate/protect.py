"""Shield typed tokens and inline Markdown from a machine-translation engine, and put them back.

A segment goes to an engine with everything that is not prose replaced by placeholders::

    {date:2023-07-06}から**第64回**の[総会](https://www.wipo.int/)が開催
    <x1/>から<g2>第64回</g2>の<g3>総会</g3>が開催

``<xN/>`` stands alone (a token, a code span, a hard break, an escape, an entity, raw HTML, an image,
an autolink); ``<gN>…</gN>`` wraps words the engine must translate and may move as a unit (emphasis,
strong emphasis, link text; the closing one carries ``](url "title")``). After the call,
:func:`restore` swaps them back and rejects an answer that lost, duplicated, invented or crossed one,
so a broken answer is never saved.

Why XML-like tags rather than ``⟦1⟧`` or ``__1__``: the characters ``< > / x g`` and digits are in
every engine's vocabulary (rare symbols such as ``⟦`` become unknown tokens and vanish in some
neural models, e.g. LibreTranslate's Argos models), these are the inline tags of XLIFF (``<x/>``,
``<g>``) that CAT tools have always sent to engines, and engines that know markup (DeepL
``tag_handling="xml"``, Google and Microsoft HTML mode, LibreTranslate ``format=html``) keep such tags
and move a pair together with the words inside it. Engines in plain-text mode still sometimes pad
or reshape them, so :data:`PLACEHOLDER_RE` also accepts ``< x1 />``, ``<X1/>``, full-width
``＜ｘ１／＞``, other digit scripts (Arabic-Indic, full-width) and HTML-escaped ``&lt;x1/&gt;``.
Source text that already contains anything that pattern matches is itself hidden behind a
placeholder, so ``restore(protect(t).text, protect(t)) == t`` holds for every text.

Markup is found by markdown-it-py's CommonMark inline parser, never by hand: its tokens say what
is markup, and this module only locates each token in the source to copy the exact original text.
If that location ever fails (or the round trip would not be exact), the segment falls back to
protecting tokens only: less help for the engine, never a wrong restore.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from ..errors import EngineError
from ..source.inline import escape_text, markdown_parser, text_to_inline
from ..source.model import Code, Link, Plain
from ..source.tokens import TOKEN_RE, split_form

# Loose on purpose: see the module docstring. `\d` matches every Unicode decimal digit and int()
# reads them, so "<x١/>" from an Arabic answer is still placeholder 1.
PLACEHOLDER_RE = re.compile(
    r"(?:<|＜|&lt;)\s*(?P<slash>[/／]?)\s*(?P<kind>[xXgGｘＸｇＧ])\s*(?P<number>\d+)"
    r"\s*(?P<selfclose>[/／]?)\s*(?:>|＞|&gt;)"
)

# Whitespace an engine may put just inside an emphasis pair ("<g1> word </g1>"). CommonMark never
# has any there (a delimiter next to whitespace is not emphasis), so restore can drop it.
_INNER_SPACE = " \u00a0\u3000"


class PlaceholderError(EngineError):
    """An engine answer lost, duplicated, invented or misordered a placeholder."""


@dataclass(frozen=True)
class Protected:
    """A segment ready for an engine: ``text`` with placeholders, and what each one stands for."""

    text: str
    originals: Mapping[str, str]  # canonical placeholder ("<x1/>", "<g2>", "</g2>") -> source text


def protect(text: str) -> Protected:
    """Replace tokens and inline markup in ``text`` with placeholders an engine leaves alone."""
    atoms = _atom_spans(text)
    try:
        protected = _assemble(text, _markup_pieces(_mask(text, atoms)), atoms)
        if _restore(protected.text, protected, _as_is) == text:
            return protected
    except (_Misaligned, PlaceholderError):
        pass
    return _assemble(text, [], atoms)


def restore(translated: str, protected: Protected) -> str:
    """Put the originals back into an engine's answer; raise PlaceholderError if it is unusable.

    The answer's markup is exactly the source's, restored from placeholders: when the engine's own words
    would add some (``**bold**``, ``[a link](https://…)``), they are escaped into plain text, and an
    answer whose markup still differs from the source's is refused.
    """
    source = _restore(protected.text, protected, _as_is)
    wanted = _markup_of(source)
    restored = _restore(translated, protected, _as_is)
    if _markup_of(restored) == wanted:
        return restored
    escaped = _restore(translated, protected, escape_text)
    if _markup_of(escaped) == wanted:
        return escaped
    raise PlaceholderError("the engine's answer changes the source's markup (links, emphasis, code)")


def _as_is(text: str) -> str:
    return text


def _markup_of(text: str) -> Counter:
    """What markup a text holds, whatever its order: emphasis, strong, code, line breaks, links by target."""
    found: Counter = Counter()

    def walk(nodes) -> None:
        for node in nodes:
            if isinstance(node, Link):
                found["link", node.url, node.title] += 1
            elif not isinstance(node, Plain):
                found[type(node).__name__, getattr(node, "text", None) if isinstance(node, Code) else None] += 1
            walk(getattr(node, "children", ()))

    walk(text_to_inline(text))
    return found


def _restore(translated: str, protected: Protected, prose: Callable[[str], str]) -> str:
    originals = protected.originals
    seen: set[str] = set()
    open_pairs: list[str] = []
    parts: list[str] = []
    pos = 0
    strip_next = False  # set after an emphasis opener: drop the space an engine put inside it
    for match in PLACEHOLDER_RE.finditer(translated):
        placeholder = _canonical(match)
        before = translated[pos : match.start()]
        if strip_next:
            before = before.lstrip(_INNER_SPACE)
        _check_prose(before)
        if placeholder is None or placeholder not in originals:
            raise PlaceholderError(f"the engine's answer has a placeholder that was not sent: {match.group(0)!r}")
        if placeholder in seen:
            raise PlaceholderError(f"the engine's answer repeats the placeholder {placeholder}")
        seen.add(placeholder)
        original = originals[placeholder]
        tight = _is_emphasis(original)
        if placeholder.startswith("</"):
            opener = "<" + placeholder[2:]
            if opener not in seen:
                raise PlaceholderError(f"the engine's answer closes {placeholder} before opening it")
            if not open_pairs or open_pairs[-1] != opener:
                raise PlaceholderError(f"the engine's answer crosses {placeholder} with another pair")
            open_pairs.pop()
            if tight:
                before = before.rstrip(_INNER_SPACE)
        elif placeholder.startswith("<g"):
            open_pairs.append(placeholder)
        parts += [prose(before), original]
        strip_next = tight and not placeholder.startswith("</")
        pos = match.end()
    missing = [p for p in originals if p not in seen]
    if missing:
        lost = ", ".join(f"{p} ({originals[p]!r})" for p in missing)
        raise PlaceholderError(f"the engine's answer lost {lost}")
    rest = translated[pos:]
    _check_prose(rest)
    parts.append(prose(rest.lstrip(_INNER_SPACE) if strip_next else rest))
    return "".join(parts)


def _check_prose(text: str) -> None:
    """Every token of the source travels as a placeholder: one in the engine's own words is invented."""
    token = TOKEN_RE.search(text)
    if token:
        raise PlaceholderError(f"the engine's answer adds a token that is not in the source: {token.group(0)!r}")


def needs_translation(protected: Protected) -> bool:
    """Whether any words are left once placeholders are taken out (else the text is its own translation)."""
    return any(char.isalpha() for char in PLACEHOLDER_RE.sub("", protected.text))


# --- inline elements for exchange files (XLIFF, TMX) --------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A placeholder as an exchange file's inline element: ``kind`` is "x" (standalone), "open" or "close".

    ``number`` is the placeholder's number (XLIFF ``id``, TMX ``i``/``x``); ``original`` the source text it
    stands for ("{date:2023-07-06}", "**", "](https://…)"); empty when read back from a file, where only
    kind and number matter: :func:`restore` takes the originals from the source again.
    """

    kind: str
    number: int
    original: str = ""


_CANONICAL_RE = re.compile(r"<x(\d+)/>|<g(\d+)>|</g(\d+)>")


def inline_pieces(protected: Protected) -> list[str | Tag]:
    """``protected.text`` as plain-text pieces and :class:`Tag` s, in order: what XLIFF and TMX write."""
    pieces: list[str | Tag] = []
    pos = 0
    for match in _CANONICAL_RE.finditer(protected.text):
        if match.start() > pos:
            pieces.append(protected.text[pos : match.start()])
        x, opening, closing = match.groups()
        kind, number = ("x", x) if x else ("open", opening) if opening else ("close", closing)
        pieces.append(Tag(kind, int(number), protected.originals[match.group(0)]))
        pos = match.end()
    if pos < len(protected.text):
        pieces.append(protected.text[pos:])
    return pieces


def placeholder_text(pieces: list[str | Tag]) -> str:
    """Pieces read back from an exchange file as placeholder text, ready for :func:`restore`.

    Text that looks like a placeholder cannot pose as one: the source's own such text travels as a tag,
    so in a translation it is a tag typed as text, refused like a broken tag.
    """
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, Tag):
            out.append(f"<x{piece.number}/>" if piece.kind == "x"
                       else f"<g{piece.number}>" if piece.kind == "open" else f"</g{piece.number}>")  # fmt: skip
        elif match := PLACEHOLDER_RE.search(piece):
            raise PlaceholderError(f"the text has {match.group(0)!r} typed as text where an inline tag belongs")
        else:
            out.append(piece)
    return "".join(out)


def pieces_numbered_like(target: list[str | Tag], source: list[str | Tag], *, strict: bool = False) -> list[str | Tag]:
    """A translation's pieces with the numbers of the source's tags, so an exchange file shows the same
    token or markup under the same number on both sides (what a CAT tool pairs).

    Both sides are :func:`inline_pieces` of their own :func:`protect`, so the translation's tags carry its
    own numbers. A standalone tag takes the number of the source's first unused standalone tag with the
    same original (a grammatical form counts as its token: ``{org:WIPO|gen}`` is ``{org:WIPO}``); a pair
    takes that of the source's first unused pair with the same opening *and* closing originals, so two
    links, or the same emphasis twice, moved around in the translation are told apart by their order of
    occurrence. The translation's own originals are kept (the form stays). A tag the source does not have
    gets a number after the source's; with ``strict`` it, or a source tag the translation lacks, raises
    :class:`PlaceholderError` instead.
    """
    standalone = [(_code_key(t.original), t.number) for t in source if isinstance(t, Tag) and t.kind == "x"]
    pairs = [(_pair_key(source, t.number), t.number) for t in source if isinstance(t, Tag) and t.kind == "open"]
    numbers: dict[tuple[str, int], int] = {}  # (kind "x" or "pair", the translation's number) -> the source's
    fresh = max((t.number for t in source if isinstance(t, Tag)), default=0)
    for tag in target:
        if not isinstance(tag, Tag) or tag.kind == "close":
            continue
        wanted = _code_key(tag.original) if tag.kind == "x" else _pair_key(target, tag.number)
        pool = standalone if tag.kind == "x" else pairs
        found = next((i for i, (key, _number) in enumerate(pool) if key == wanted), None)
        slot = ("x" if tag.kind == "x" else "pair", tag.number)
        if found is not None:
            numbers[slot] = pool.pop(found)[1]
        elif strict:
            raise PlaceholderError(f"the translation has {tag.original!r}, which the source does not")
        else:
            fresh += 1
            numbers[slot] = fresh
    if strict and (standalone or pairs):
        raise PlaceholderError("the translation lacks tokens or markup of the source")
    return [
        Tag(piece.kind, numbers["x" if piece.kind == "x" else "pair", piece.number], piece.original)
        if isinstance(piece, Tag) else piece
        for piece in target
    ]  # fmt: skip


def translation_fits(msgid: str, msgstr: str) -> bool:
    """Whether ``msgstr`` carries exactly the tokens and markup of ``msgid``, each once (moved is fine, a
    grammatical form of a name token too): what a translation memory's text must do to be offered."""
    source = protect(msgid)
    try:
        numbered = pieces_numbered_like(inline_pieces(protect(msgstr)), inline_pieces(source), strict=True)
        restore(placeholder_text(numbered), source)
    except PlaceholderError:
        return False
    return True


def _code_key(original: str) -> str:
    """What must be equal for a translation's tag to be the source's: the original, a form left out."""
    match = TOKEN_RE.search(original)
    if match is None or "|" not in match.group(0):
        return original
    return original[: match.start()] + split_form(match.group(0))[0] + original[match.end() :]


def _pair_key(pieces: list[str | Tag], number: int) -> tuple[str, str]:
    opening = next(t.original for t in pieces if isinstance(t, Tag) and t.kind == "open" and t.number == number)
    closing = next((t.original for t in pieces if isinstance(t, Tag) and t.kind == "close" and t.number == number), "")
    return opening, closing


# --- placeholders -------------------------------------------------------------------------------


def _canonical(match: re.Match[str]) -> str | None:
    """The canonical form of a (possibly reshaped) placeholder, or None if it cannot be one."""
    kind = unicodedata.normalize("NFKC", match["kind"]).lower()
    number = int(match["number"])
    if kind == "x":
        return f"<x{number}/>"  # a standalone tag may come back as <x1>, </x1>: it is still x1
    if match["selfclose"]:
        return None  # "<g1/>" is neither the opening nor the closing half of a pair
    return f"</g{number}>" if match["slash"] else f"<g{number}>"


def _is_emphasis(original: str) -> bool:
    return bool(original) and set(original) <= {"*", "_"}


@dataclass(frozen=True)
class _Piece:
    """Markup found in the source: ``kind`` is "x", "open" or "close"; ``pair`` links open and close."""

    kind: str
    start: int
    end: int
    pair: int = 0


def _assemble(text: str, pieces: list[_Piece], atoms: list[tuple[int, int]]) -> Protected:
    """Number the pieces in order of appearance; source between them stays, atoms in it become x."""
    starts = [start for start, _ in atoms]
    ends = [end for _, end in atoms]
    out: list[str] = []
    originals: dict[str, str] = {}
    pair_numbers: dict[int, int] = {}
    counter = 0

    def add(placeholder: str, original: str) -> None:
        out.append(placeholder)
        originals[placeholder] = original

    def add_literal(start: int, end: int) -> None:
        nonlocal counter
        first = bisect.bisect_left(ends, start + 1)  # first atom that ends after `start`
        for atom_start, atom_end in atoms[first:]:
            if atom_start >= end:
                break
            if atom_start < start or atom_end > end:
                raise _Misaligned  # markup that cuts through a token: do not guess
            out.append(text[start:atom_start])
            counter += 1
            add(f"<x{counter}/>", text[atom_start:atom_end])
            start = atom_end
        out.append(text[start:end])

    cursor = 0
    for piece in pieces:
        i = bisect.bisect_right(starts, piece.start) - 1
        if piece.kind == "x" and i >= 0 and piece.end <= ends[i]:
            continue  # inside an atom (the escape in "\\{date:…}"): the atom already covers it
        for edge in (piece.start, piece.end):  # a piece must not cut an atom in two
            i = bisect.bisect_right(starts, edge) - 1
            if i >= 0 and starts[i] < edge < ends[i]:
                raise _Misaligned
        add_literal(cursor, piece.start)
        original = text[piece.start : piece.end]
        if piece.kind == "close":
            add(f"</g{pair_numbers[piece.pair]}>", original)
        else:
            counter += 1
            if piece.kind == "open":
                pair_numbers[piece.pair] = counter
            add(f"<g{counter}>" if piece.kind == "open" else f"<x{counter}/>", original)
        cursor = piece.end
    add_literal(cursor, len(text))
    return Protected("".join(out), originals)


# --- finding tokens and markup ------------------------------------------------------------------


class _Misaligned(Exception):
    """The parser's tokens could not be located in the source text."""


def _atom_spans(text: str) -> list[tuple[int, int]]:
    """Spans that must travel untouched: typed tokens and anything that looks like a placeholder."""
    found = sorted([m.span() for m in TOKEN_RE.finditer(text)] + [m.span() for m in PLACEHOLDER_RE.finditer(text)])
    spans: list[tuple[int, int]] = []
    for start, end in found:
        # "\{date:…}": the backslash escapes the brace; keep it with the token so the parser
        # cannot split the two (an even run of backslashes escapes itself and stays outside).
        first = start
        while first > 0 and text[first - 1] == "\\":
            first -= 1
        if (start - first) % 2:
            start -= 1
        if spans and start < spans[-1][1]:
            continue  # overlaps an earlier one (e.g. a placeholder look-alike inside a token)
        spans.append((start, end))
    return spans


def _mask(text: str, atoms: list[tuple[int, int]]) -> str:
    """``text`` with each atom's inside overwritten by a private-use character, same length.

    The parser then cannot see Markdown inside a token (``{org:A_B}``) and offsets stay those of
    ``text``; first and last characters are kept so emphasis next to a token parses as before.
    """
    if not atoms:
        return text
    filler = next(chr(c) for c in range(0xE000, 0xF8FF) if chr(c) not in text)
    chars = list(text)
    for start, end in atoms:
        chars[start + 1 : end - 1] = filler * (end - start - 2)
    return "".join(chars)


def _parser() -> MarkdownIt:
    # the one parser of transpub (text_join off there too: an escape or entity stays a token of its
    # own, so its source form, "\\*" or "&amp;", can be found and protected); raw HTML on, so
    # anything tag-like is protected too
    return markdown_parser(raw_html=True)


def _markup_pieces(masked: str) -> list[_Piece]:
    if "\r" in masked or "\0" in masked:
        raise _Misaligned  # the parser rewrites these first, so its offsets would no longer match
    (inline,) = _parser().parseInline(masked)
    pieces: list[_Piece] = []
    try:
        _Aligner(masked, pieces).walk(inline.children or [], 0)
    except (ValueError, IndexError) as exc:  # no ">" after "<", no closing token: not what we expect
        raise _Misaligned from exc
    return pieces


class _Aligner:
    """Walks the parser's inline tokens along the source, recording where each piece of markup is."""

    def __init__(self, src: str, pieces: list[_Piece]):
        self.src = src
        self.pieces = pieces
        self.pairs: list[int] = []
        self.next_pair = 0

    def walk(self, tokens: list[Token], cursor: int) -> int:
        src = self.src
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if kind == "text":
                cursor = self.expect(cursor, token.content) + len(token.content)
            elif kind == "softbreak":
                cursor = self.expect(cursor, "\n") + 1  # a line break in prose stays prose
            elif kind == "hardbreak":
                cursor = self.hardbreak(cursor)
            elif kind in ("text_special", "html_inline"):
                source_form = token.markup if kind == "text_special" else token.content
                start = self.expect(cursor, source_form)
                cursor = self.add("x", start, start + len(source_form))
            elif kind == "code_inline":
                start = self.expect(cursor, token.markup)
                cursor = self.add("x", start, self.code_span_end(start, token.markup))
            elif kind in ("em_open", "strong_open"):
                start = self.expect(cursor, token.markup)
                cursor = self.add("open", start, start + len(token.markup), self.open_pair())
            elif kind in ("em_close", "strong_close"):
                start = self.expect(cursor, token.markup)
                cursor = self.add("close", start, start + len(token.markup), self.pairs.pop())
            elif kind == "link_open" and token.markup == "autolink":
                start = self.expect(cursor, "<")
                cursor = self.add("x", start, src.index(">", start) + 1)
                while tokens[i].type != "link_close":
                    i += 1
            elif kind == "link_open":
                start = self.expect(cursor, "[")
                cursor = self.add("open", start, start + 1, self.open_pair())
            elif kind == "link_close":
                start = self.expect(cursor, "]")
                cursor = self.add("close", start, self.link_tail_end(start), self.pairs.pop())
            elif kind == "image":
                start = self.expect(cursor, "![")
                inner = _Aligner(src, []).walk(token.children or [], start + 2)  # alt text travels too
                cursor = self.add("x", start, self.link_tail_end(self.expect(inner, "]")))
            else:
                raise _Misaligned
            i += 1
        return cursor

    def expect(self, cursor: int, source_form: str) -> int:
        """Where ``source_form`` starts, skipping the spaces the parser drops around line breaks."""
        pos = cursor
        while not self.src.startswith(source_form, pos):
            if pos < len(self.src) and self.src[pos] in " \t":
                pos += 1
            else:
                raise _Misaligned
        return pos

    def add(self, kind: str, start: int, end: int, pair: int = 0) -> int:
        self.pieces.append(_Piece(kind, start, end, pair))
        return end

    def open_pair(self) -> int:
        self.next_pair += 1
        self.pairs.append(self.next_pair)
        return self.next_pair

    def hardbreak(self, cursor: int) -> int:
        # "  \n" or "\\\n", plus the indentation the parser skips on the next line: all one piece,
        # so an engine cannot turn a hard break into a soft one by trimming spaces.
        src, pos = self.src, cursor
        while pos < len(src) and src[pos] in " \t":
            pos += 1
        if src.startswith("\\\n", pos):
            pos += 2
        elif src.startswith("\n", pos):
            pos += 1
        else:
            raise _Misaligned
        while pos < len(src) and src[pos] in " \t":
            pos += 1
        return self.add("x", cursor, pos)

    def code_span_end(self, start: int, fence: str) -> int:
        for run in re.finditer(r"`+", self.src[start + len(fence) :]):
            if len(run.group(0)) == len(fence):
                return start + len(fence) + run.end()
        raise _Misaligned

    def link_tail_end(self, pos: int) -> int:
        """End of ``](destination "title")`` starting at ``]``, as markdown-it's link rule reads it."""
        src, end = self.src, len(self.src)
        if not src.startswith("](", pos):
            raise _Misaligned
        pos = self.skip_space(pos + 2)
        destination = parseLinkDestination(src, pos, end)
        if destination.ok:
            pos = after_destination = destination.pos
            pos = self.skip_space(pos)
            title = parseLinkTitle(src, pos, end)
            if pos < end and pos != after_destination and title.ok:
                pos = self.skip_space(title.pos)
        if not src.startswith(")", pos):
            raise _Misaligned
        return pos + 1

    def skip_space(self, pos: int) -> int:
        while pos < len(self.src) and self.src[pos] in " \t\n":
            pos += 1
        return pos
