"""A release's segments as catalog entries: each distinct text once, with every place it occurs.

A text with nothing to translate — only typed tokens, numbers, punctuation, symbols and spaces, such as a
table cell holding ``{country:KZ}``, ``{date:2024-07-10}`` or ``12.5 %`` — is not a segment: every
language renders it (its tokens per locale) and no one is asked to translate or review it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .inline import inline_plain_text, text_to_inline
from .model import Inline, Release
from .tokens import TOKEN_RE


@dataclass(frozen=True)
class Segment:
    """One catalog entry to be: a msgid with every place it occurs in the release."""

    msgid: str
    kinds: tuple[str, ...]
    lines: tuple[int, ...]


def has_words(text: str, nodes: tuple[Inline, ...] | None = None) -> bool:
    """Whether a segment text holds anything to translate: a letter outside its tokens (the one rule).

    ``nodes``: the text's inline nodes where the caller has them (the reader: from its release's parse),
    which spares parsing it again; otherwise it is parsed (:func:`text_to_inline`)."""
    if "{" not in text and not any(char.isalpha() for char in text):
        return False
    plain = TOKEN_RE.sub(" ", inline_plain_text(text_to_inline(text) if nodes is None else nodes))
    return any(char.isalpha() for char in plain)


def release_segments(release: Release) -> list[Segment]:
    """The release's segments in reading order, identical texts merged into one entry; texts with
    nothing to translate (:func:`has_words`) are left out."""
    order: list[str] = []
    found: dict[str, tuple[list[str], list[int]]] = {}
    for text in release.texts():
        if not release.has_words(text):
            continue
        if text.source not in found:
            order.append(text.source)
            found[text.source] = ([], [])
        kinds, lines = found[text.source]
        if text.kind not in kinds:
            kinds.append(text.kind)
        lines.append(text.line)
    return [Segment(msgid, tuple(found[msgid][0]), tuple(found[msgid][1])) for msgid in order]


WORD_PATTERN = r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+(?:['’-][^\W_]+)*"


@cache
def _word_re() -> re.Pattern[str]:
    return re.compile(WORD_PATTERN)  # compiled when words are first counted (a millisecond every command paid)


def count_words(text: str) -> int:
    """Words as translators count them: each CJK character is one word, elsewhere runs of letters/digits.

    Tokens count as one word each (they render as one name or date).
    """
    tokens = len(TOKEN_RE.findall(text))
    return tokens + len(_word_re().findall(TOKEN_RE.sub(" ", inline_plain_text(text_to_inline(text)))))

