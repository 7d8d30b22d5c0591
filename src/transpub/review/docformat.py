"""The review document's format: what the writer puts in a document and the reader looks for again.

The writer (:mod:`transpub.render.review_docx`) and the reader (:mod:`.reading`, :mod:`.apply`) sit in
different layers; everything both must agree on is defined here, once.

Recognizing a document
    Custom document properties (File > Properties > Custom): :data:`MARKER` (``transpub-review``, the
    format version :data:`FORMAT_VERSION`), ``transpub-lang``, ``transpub-project``,
    ``transpub-exported``, ``transpub-releases``. Word and LibreOffice keep them when they save.

Matching rows to catalog entries
    A segment table has :data:`COLUMNS` in that order. The ID cell holds the visible row id
    ``<catalog>#<n>`` (a release id or :data:`NAMES_ID`), ``k:<hash>`` (:func:`entry_hash`: the entry's
    ``msgctxt \\x04 msgid``) and, in a hidden run (``w:vanish``), ``t:<hash> s:<state>``
    (:func:`text_hash` of the exported msgstr and the exported state). Rows are matched by ``k``, so
    sorting or deleting rows is harmless; ``t`` tells whether the reviewer edited the translation and
    whether the catalog changed since export. The raw msgid and msgstr are not copied into the document:
    the hashes alone detect every change.

Right-to-left translations
    Each token is shown between two LEFT-TO-RIGHT MARKs (:func:`mark_token`) so its braces are not
    mirrored apart; :func:`unmark_tokens` removes exactly those marks again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import polib

from ..source.tokens import TOKEN_RE

FORMAT_VERSION = "1"
MARKER = "transpub-review"
PROPERTY_LANG = "transpub-lang"
PROPERTY_PROJECT = "transpub-project"
PROPERTY_EXPORTED = "transpub-exported"
PROPERTY_RELEASES = "transpub-releases"
PROPERTY_REVIEWER = "transpub-reviewer"  # who approves in this document (two-step review), from export --by
CUSTOM_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

NAMES_ID = "names.po"  # the catalog id of the names table's rows
COLUMNS = ("id", "source", "translation", "state", "comment")
ID, SOURCE, TRANSLATION, STATE, COMMENT = range(len(COLUMNS))

LRM = "\u200e"
_MARKED_TOKEN_RE = re.compile(f"{LRM}({TOKEN_RE.pattern}){LRM}")

_ROW_ID_RE = re.compile(r"^\s*(?P<catalog>[A-Za-z0-9][A-Za-z0-9._-]*)#(?P<n>\d+)")
_KEY_RE = re.compile(r"\bk:([0-9a-f]{12})\b")
_TEXT_HASH_RE = re.compile(r"\bt:([0-9a-f]{12})\b")
_STATE_RE = re.compile(r"\bs:([a-z]+)\b")

# Characters XML 1.0 cannot carry at all: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters no XML document can carry (escaping is lxml's job).

    It is defined here, in the lowest layer that needs it, because the review document's text hashes
    are taken over what a document can hold; every DOCX writer uses it through
    :func:`transpub.render.docx_oxml.xml_safe`.
    """
    return _INVALID_XML.sub("", text)


def reviewable_entries(catalog: polib.POFile) -> list[polib.POEntry]:
    """The entries that are rows of a review document, in catalog order (row ``n`` is the n-th)."""
    return [entry for entry in catalog if not entry.obsolete and entry.msgid]


# --- identities -----------------------------------------------------------------------------------


def entry_hash(msgctxt: str | None, msgid: str) -> str:
    """The row key: the entry's (msgctxt, msgid), as gettext joins them (``\\x04``), hashed."""
    return _hash((msgctxt + "\x04" if msgctxt is not None else "") + msgid)


def text_hash(text: str) -> str:
    """The hash of a translation as a document shows it."""
    return _hash(xml_safe(text))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def row_id(catalog_id: str, n: int) -> str:
    return f"{catalog_id}#{n}"


def key_text(entry: polib.POEntry) -> str:
    """The visible key under the row id."""
    return f"k:{entry_hash(entry.msgctxt, entry.msgid)}"


def hidden_text(msgstr: str, state: str) -> str:
    """The hidden run after the key: the exported translation's hash and state."""
    return f" t:{text_hash(msgstr)} s:{state}"


@dataclass(frozen=True)
class RowIdentity:
    """What an ID cell says about its row; a part the reviewer damaged is None."""

    row_id: str
    catalog_id: str
    key: str | None
    exported_hash: str | None
    exported_state: str | None


def parse_id_cell(text: str) -> RowIdentity | None:
    """The identity in an ID cell's text (hidden runs included), or None for a cell that is no row id."""
    match = _ROW_ID_RE.match(text)
    if not match:
        return None
    key, exported, state = _KEY_RE.search(text), _TEXT_HASH_RE.search(text), _STATE_RE.search(text)
    return RowIdentity(
        row_id=f"{match.group('catalog')}#{match.group('n')}",  # as the cell writes it
        catalog_id=match.group("catalog"),
        key=key.group(1) if key else None,
        exported_hash=exported.group(1) if exported else None,
        exported_state=state.group(1) if state else None,
    )


# --- right-to-left display ------------------------------------------------------------------------


def mark_token(token: str) -> str:
    """A raw ``{…}`` token between two LEFT-TO-RIGHT MARKs: in a right-to-left paragraph its braces would
    otherwise be mirrored and moved apart."""
    return f"{LRM}{token}{LRM}"


def unmark_tokens(text: str) -> str:
    """The marks :func:`mark_token` added, and only those, removed."""
    return _MARKED_TOKEN_RE.sub(r"\1", text)
