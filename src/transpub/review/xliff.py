"""XLIFF 1.2 for translation agencies and CAT tools: ``transpub xliff export`` and ``transpub xliff import``.

What an exported file holds
    One ``<file>`` per release (``original`` = the release id, ``datatype="x-markdown"``), then one for
    the names.po entries those releases need (``original="names.po"``, ``datatype="plaintext"``): the
    same sections and entries as a review document (:mod:`.contents`). One ``<trans-unit>`` per entry;
    its ``id`` is the review document's row key (:func:`.docformat.entry_hash` of msgctxt and msgid), so
    it is stable across exports and tools. ``<source>`` and ``<target>`` carry tokens and markup as inline
    elements made by :func:`~transpub.translate.protect.inline_pieces` (the protection engines get):
    ``<x id="N" ctype="x-transpub-token" equiv-text="{date:…}"/>`` for what stands alone, ``<g id="N"
    ctype="bold|italic|link|…">…</g>`` around words that markup wraps. Notes (``from="transpub"``) give
    the block kind and source line, the tokens as the target language renders them, the glossary terms
    that apply, where a machine or memory text came from and a changed entry's previous source.

transpub's bookkeeping
    In attributes of its own namespace (:data:`TP_NS`), which XLIFF 1.2 allows and CAT tools keep:
    on ``<file>`` the project, the language and the format version; on each unit ``tp:msgstr`` (the
    hash of the msgstr at export: a catalog changed since is a conflict), ``tp:state`` (the transpub
    state at export) and ``tp:target`` (a fingerprint of the exported ``<target>``: whether the
    translator changed it).

States, both ways
    ==============  =====================================================  ================================
    transpub        exported as                                            imported as
    ==============  =====================================================  ================================
    untranslated    ``state="new"``, no ``<target>``                        ``new``/``needs-*``: fuzzy
    machine         ``needs-review-translation`` + ``mt-suggestion``,      ``needs-review-*``: fuzzy
                    ``tm-suggestion`` (memory, exact) or ``fuzzy-match``
                    (memory, similar text)
    changed         ``needs-review-translation``
    translated      ``translated``                                         ``translated``: fuzzy cleared,
                                                                           no approval
    reviewed,       ``signed-off``, ``approved="yes"``                     ``signed-off``/``final`` (or
    approved                                                               ``approved="yes"`` without a
                                                                           state): reviewed; two-step: an
                                                                           approval by ``--by``
    ==============  =====================================================  ================================

    A unit whose state says what it said at export keeps the entry's state (a corrected text included),
    as a review document's row does; only a changed state is a decision. Every unit goes through
    :meth:`.apply.CatalogImporter.apply`, the review document's rules: conflicts, check errors and
    approvals are judged once for both.

Bad input
    A file that is not XLIFF 1.2 from this project and language (not XML, another root or version, a
    DTD or entity, over :data:`MAX_XLIFF_BYTES`, unknown, duplicated or mismatched unit ids) is refused
    with one :class:`~transpub.errors.ReviewError` at its line, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import polib
from lxml import etree

from .. import __version__, clock
from ..catalogs.states import State, provenance
from ..config import SAFE_ID_RE, Project
from ..errors import ReviewError, UsageError
from ..fsutil import project_lock, read_named_file
from ..localize.names import read_names
from ..localize.ui import bcp47
from ..source.tokens import TOKEN_RE, split_form
from ..translate.protect import (
    PlaceholderError,
    Protected,
    Tag,
    inline_pieces,
    placeholder_text,
    protect,
    restore,
)
from . import docformat as fmt
from .apply import (
    CatalogImporter,
    Decision,
    EntryChange,
    ImportReport,
    Outcome,
    RowResult,
)
from .checks import CatalogContext, catalog_context, glossary_terms
from .contents import ReviewItem, review_contents

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS_PREFIX = "urn:oasis:names:tc:xliff:document:2."
TP_NS = "urn:transpub:xliff:1"
FORMAT_VERSION = "1"
MAX_XLIFF_BYTES = 50 * 1024 * 1024
TOOL_ID = "transpub"

_X = f"{{{XLIFF_NS}}}"
_TP = f"{{{TP_NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_KEY_RE = re.compile(r"[0-9a-f]{12}")
_DTD_MARKS = tuple(
    mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("ascii", "utf-16-le", "utf-16-be")
)

APPROVING_STATES = frozenset({"signed-off", "final"})
NEEDS_WORK_STATES = frozenset({
    "new", "needs-translation", "needs-adaptation", "needs-l10n",
    "needs-review-translation", "needs-review-adaptation", "needs-review-l10n",
})  # fmt: skip
XLIFF_STATES = APPROVING_STATES | NEEDS_WORK_STATES | {"translated"}


# --- inline elements ------------------------------------------------------------------------------


def _ctype(tag: Tag) -> str:
    """The XLIFF ``ctype`` of an inline element, from the Markdown it stands for."""
    original = tag.original
    if tag.kind in ("open", "close"):
        opener = original if tag.kind == "open" else ""
        if original.startswith("]"):
            return "link"
        return {"**": "bold", "__": "bold", "*": "italic", "_": "italic", "[": "link"}.get(opener, "x-transpub-markup")
    if TOKEN_RE.fullmatch(original.lstrip("\\")):
        return "x-transpub-token"
    if original.startswith("!["):
        return "image"
    if original.startswith("`"):
        return "x-transpub-code"
    if original.strip(" \t\\\n") == "":
        return "lb"  # a hard line break
    if original.startswith("<") and original.endswith(">"):
        return "x-transpub-html"
    if original.startswith(("\\", "&")):
        return "x-transpub-escape"
    return "x-transpub-literal"


def _pair_ctypes(pieces: list[str | Tag]) -> dict[int, str]:
    return {p.number: _ctype(p) for p in pieces if isinstance(p, Tag) and p.kind == "open"}


def _write_inline(parent: etree._Element, pieces: list[str | Tag], ctypes: Mapping[int, str]) -> None:
    """Pieces as the mixed content of ``parent``: text, ``<x/>`` and ``<g>…</g>`` (nested as they nest)."""
    stack = [parent]
    last: etree._Element | None = None  # where the next text goes: the tail of the last element closed or written

    def add_text(text: str) -> None:
        text = fmt.xml_safe(text)
        if last is None:
            stack[-1].text = (stack[-1].text or "") + text
        else:
            last.tail = (last.tail or "") + text

    for piece in pieces:
        if isinstance(piece, str):
            add_text(piece)
        elif piece.kind == "x":
            last = etree.SubElement(stack[-1], _X + "x", id=str(piece.number), ctype=_ctype(piece))
            if piece.original and _ctype(piece) == "x-transpub-token":
                last.set("equiv-text", fmt.xml_safe(piece.original))
        elif piece.kind == "open":
            element = etree.SubElement(
                stack[-1], _X + "g", id=str(piece.number), ctype=ctypes.get(piece.number, "x-transpub-markup")
            )
            stack.append(element)
            last = None
        else:
            last = stack.pop()


def _write_native(parent: etree._Element, pieces: list[str | Tag], ctypes: Mapping[int, str]) -> None:
    """Pieces as ``<ph>`` (standalone) and ``<bpt>``/``<ept>`` (pairs) holding the Markdown or token they
    stand for: OmegaT can match these against a TMX with the same native codes; it cannot for x/g."""
    last: etree._Element | None = None
    for piece in pieces:
        if isinstance(piece, str):
            if last is None:
                parent.text = (parent.text or "") + fmt.xml_safe(piece)
            else:
                last.tail = (last.tail or "") + fmt.xml_safe(piece)
            continue
        if piece.kind == "x":
            last = etree.SubElement(parent, _X + "ph", id=str(piece.number), ctype=_ctype(piece))
        elif piece.kind == "open":
            last = etree.SubElement(
                parent, _X + "bpt", id=str(piece.number), ctype=ctypes.get(piece.number, "x-transpub-markup")
            )
        else:
            last = etree.SubElement(parent, _X + "ept", id=str(piece.number))
        last.text = fmt.xml_safe(piece.original)


INLINE_WRITERS = {"x-g": _write_inline, "native": _write_native}


def _signature(pieces: list[str | Tag]) -> str:
    """A fingerprint of a text with inline elements: text (as XML carries it), element kinds and ids."""
    parts: list[str] = []
    text = ""
    for piece in pieces:
        if isinstance(piece, str):
            text += fmt.xml_safe(piece)
            continue
        if text:
            parts.append("t" + text)
            text = ""
        parts.append(f"{piece.kind}{piece.number}")
    if text:
        parts.append("t" + text)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class _Target:
    """A translation as inline pieces numbered as its source's, and the grammatical forms its tokens ask for."""

    pieces: list[str | Tag]
    forms: Mapping[int, str]  # tag number -> "{org:WIPO|gen}" where the source has "{org:WIPO}"


def target_pieces(source: Protected, msgstr: str) -> _Target | None:
    """``msgstr`` as inline pieces whose tags are the source's (same numbers), or None when it cannot be.

    Each token or standalone piece of markup of the translation is matched with the source's one that
    has the same original (the n-th with the n-th), each pair with the source's pair of the same
    opening and closing originals; a translation with a token or markup the source lacks (a check error)
    cannot be matched and is written as plain text. The result is proved by restoring it.
    """
    wanted: dict[tuple, list[int]] = {}
    source_pieces = inline_pieces(source)
    closers = {p.number: p.original for p in source_pieces if isinstance(p, Tag) and p.kind == "close"}
    for piece in source_pieces:
        if isinstance(piece, Tag) and piece.kind == "x":
            wanted.setdefault(("x", piece.original), []).append(piece.number)
        elif isinstance(piece, Tag) and piece.kind == "open":
            wanted.setdefault(("g", piece.original, closers[piece.number]), []).append(piece.number)
    own = inline_pieces(protect(msgstr))
    own_closers = {p.number: p.original for p in own if isinstance(p, Tag) and p.kind == "close"}
    numbers: dict[int, int] = {}
    forms: dict[int, str] = {}
    pieces: list[str | Tag] = []
    for piece in own:
        if isinstance(piece, str):
            pieces.append(piece)
            continue
        if piece.kind == "close":
            if piece.number not in numbers:
                return None
            pieces.append(Tag("close", numbers[piece.number], closers[numbers[piece.number]]))
            continue
        if piece.kind == "x":
            base, form = split_form(piece.original) if TOKEN_RE.fullmatch(piece.original) else (piece.original, None)
            queue = wanted.get(("x", base))
        else:
            queue = wanted.get(("g", piece.original, own_closers.get(piece.number)))
        if not queue:
            return None
        number = queue.pop(0)
        numbers[piece.number] = number
        if piece.kind == "x" and form is not None:
            forms[number] = piece.original
        pieces.append(Tag(piece.kind, number, piece.original))
    try:
        if restore(placeholder_text(pieces), _with_forms(source, forms)) != msgstr:
            return None
    except PlaceholderError:
        return None
    return _Target(pieces, forms)


def _with_forms(source: Protected, forms: Mapping[int, str]) -> Protected:
    """The source's protection with a translation's grammatical forms in place of its name tokens, so that
    restoring puts ``{org:WIPO|gen}`` back where the translation had it."""
    if not forms:
        return source
    originals = dict(source.originals)
    for number, token in forms.items():
        originals[f"<x{number}/>"] = token
    return Protected(source.text, originals)


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XliffExport:
    data: bytes
    lang: str
    files: int
    units: int
    counts: Mapping[str, int]  # units per transpub state

    def summary(self) -> str:
        counts = ", ".join(f"{n} {state}" for state, n in self.counts.items() if n)
        return f"{self.units} unit(s) in {self.files} file(s) [{self.lang}]: {counts or 'nothing'}"


def xliff_state(entry: polib.POEntry, state: State) -> tuple[str, str | None, bool]:
    """The XLIFF ``state``, ``state-qualifier`` and ``approved`` of an entry in transpub ``state``.

    Memory texts: an exact match is ``tm-suggestion`` (it still needs review: ``exact-match`` would tell a
    CAT tool it need not be read), a similar text's translation is ``fuzzy-match``, the qualifier that
    makes CAT tools show it as a fuzzy match, which is what it is: the translation of another text.
    """
    if state is State.UNTRANSLATED:
        return "new", None, False
    if state in (State.REVIEWED, State.APPROVED):
        return "signed-off", None, True
    if state is State.TRANSLATED:
        return "translated", None, False
    qualifier = None
    if state is State.MACHINE:
        origin = provenance(entry)
        if origin.origin is not None and not origin.edited:
            if origin.origin.startswith("machine translation"):
                qualifier = "mt-suggestion"
            elif origin.origin.startswith("translation memory (similar text)"):
                qualifier = "fuzzy-match"
            elif origin.origin.startswith("translation memory"):
                qualifier = "tm-suggestion"
    return "needs-review-translation", qualifier, False


def _decision_class(state: str | None, approved: str | None) -> Decision | None:
    """What a unit's state asks for (None: it says nothing)."""
    if state in APPROVING_STATES:
        return Decision.APPROVE
    if state == "translated":
        return Decision.TRANSLATED
    if state in NEEDS_WORK_STATES:
        return Decision.NEEDS_WORK
    return Decision.APPROVE if approved == "yes" else None


def export_xliff(
    project: Project,
    lang: str,
    release_id: str | None = None,
    *,
    inline: str = "x-g",
    copy_source: bool = False,
    now: dt.datetime | None = None,
) -> XliffExport:
    """An XLIFF 1.2 file of ``lang``'s catalogs (every release, or the one asked for), and its names.

    ``inline``: "x-g" writes tokens and markup as ``<x/>`` and ``<g>`` (what most tools expect), "native"
    as ``<ph>`` and ``<bpt>``/``<ept>`` holding the Markdown (what OmegaT needs to match them against a
    TMX). ``copy_source`` fills the target of an untranslated unit with a copy of its source (state
    ``new``): OmegaT 3.x offers only units with a target for translation. Import reads every variant.
    """
    if inline not in INLINE_WRITERS:
        raise UsageError(f"inline elements are {' or '.join(INLINE_WRITERS)}, not {inline!r}")
    write_inline = INLINE_WRITERS[inline]
    contents = review_contents(project, lang, release_id)
    context = catalog_context(project, lang, read_names(project, lang, contents.review))
    moment = (now or clock.now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = etree.Element(_X + "xliff", nsmap={None: XLIFF_NS, "tp": TP_NS}, version="1.2")
    counts: Counter = Counter()
    files = units = 0
    for section in contents.sections:
        names = section.catalog_id == fmt.NAMES_ID
        file = etree.SubElement(root, _X + "file", {
            "original": section.catalog_id,
            "source-language": bcp47(project.source_lang),
            "target-language": bcp47(lang),
            "datatype": "plaintext" if names else "x-markdown",
            "date": moment,
            _TP + "project": project.name,
            _TP + "lang": lang,
            _TP + "format": FORMAT_VERSION,
        })  # fmt: skip
        header = etree.SubElement(file, _X + "header")
        etree.SubElement(
            header, _X + "tool", {"tool-id": TOOL_ID, "tool-name": "transpub", "tool-version": __version__}
        )
        if section.title:
            _note(header, f"release: {section.title}")
        if section.decision is not None:
            _note(header, "publishes in this language" if section.decision.publishable
                  else f"does not publish yet: {section.decision.reason}")  # fmt: skip
        body = etree.SubElement(file, _X + "body")
        for row in section.rows:
            if row.entry.msgid_plural:
                continue  # transpub's catalogs hold no plural entries (see the README); never exported
            _unit(body, row, section.catalog_id, project, lang, context, write_inline, copy_source)
            counts[row.state.value] += 1
            units += 1
        files += 1
    _indent(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
    ordered = {state.value: counts.get(state.value, 0) for state in contents.review.states}
    return XliffExport(data, lang, files, units, ordered)


def _unit(
    body,
    row: ReviewItem,
    catalog_id: str,
    project: Project,
    lang: str,
    context: CatalogContext,
    write_inline=_write_inline,
    copy_source: bool = False,
) -> None:
    entry = row.entry
    state, qualifier, approved = xliff_state(entry, row.state)
    attributes = {
        "id": fmt.entry_hash(entry.msgctxt, entry.msgid),
        _XML_SPACE: "preserve",
        _TP + "row": row.row_id,
        _TP + "state": row.state.value,
        _TP + "msgstr": fmt.text_hash(entry.msgstr),
    }
    if entry.msgctxt:
        attributes["resname"] = entry.msgctxt
    if approved:
        attributes["approved"] = "yes"
    unit = etree.SubElement(body, _X + "trans-unit", attributes)
    protected = protect(entry.msgid)
    source_pieces = inline_pieces(protected)
    ctypes = _pair_ctypes(source_pieces)
    source = etree.SubElement(unit, _X + "source", {_XML_LANG: bcp47(project.source_lang)})
    write_inline(source, source_pieces, ctypes)
    if row.state is State.UNTRANSLATED:
        copy = source_pieces if copy_source else []
        unit.set(_TP + "target", _signature(copy))
        target = etree.SubElement(unit, _X + "target", {_XML_LANG: bcp47(lang), "state": state})
        write_inline(target, copy, ctypes)
    else:
        found = target_pieces(protected, entry.msgstr)
        pieces = found.pieces if found is not None else [entry.msgstr]
        unit.set(_TP + "target", _signature(pieces))
        target = etree.SubElement(unit, _X + "target", {_XML_LANG: bcp47(lang), "state": state})
        if qualifier:
            target.set("state-qualifier", qualifier)
        write_inline(target, pieces, ctypes)
    for n, (path, line) in enumerate(_locations(entry, catalog_id), 1):
        # where the text is, as XLIFF 1.2 says it: PO converters (Translate Toolkit's xliff2po) read it
        name = f"location-{attributes['id']}-{n}"  # group names are unique in a <file>
        group = etree.SubElement(unit, _X + "context-group", {"name": name, "purpose": "location"})
        etree.SubElement(group, _X + "context", {"context-type": "sourcefile"}).text = path
        if line:
            etree.SubElement(group, _X + "context", {"context-type": "linenumber"}).text = line
    for text in _notes(entry, row, catalog_id, context):
        _note(unit, text)


def _locations(entry: polib.POEntry, catalog_id: str) -> list[tuple[str, str]]:
    """The entry's source lines; a name's place in names.po (its msgctxt tells it apart from others)."""
    if entry.occurrences:
        return [(path, str(line)) for path, line in entry.occurrences]
    return [(f"{catalog_id}:{entry.msgctxt}" if entry.msgctxt else catalog_id, "")]


def _notes(entry: polib.POEntry, row: ReviewItem, catalog_id: str, context: CatalogContext) -> Iterator[str]:
    lines = [f"{path}:{line}" for path, line in entry.occurrences]
    yield " · ".join(part for part in (row.note.split(" · ")[0], ", ".join(lines)) if part) or row.row_id
    tokens = list(dict.fromkeys(match.group(0) for match in TOKEN_RE.finditer(entry.msgid)))
    if tokens and context.target_fmt is not None:
        rendered = "; ".join(f"{token} = {context.target_fmt.render_token(token)}" for token in tokens)
        yield f"tokens in {context.lang}: {rendered}"
    for term in glossary_terms(context, entry.msgid):
        yield f"glossary: {term.source} = {term.target}" + (" (required)" if term.strict else "")
    origin = provenance(entry)
    if origin.origin is not None and entry.msgstr.strip():
        yield f"origin: {origin.describe()}"
    if entry.previous_msgid:
        yield f"previous source: {entry.previous_msgid}"


def _note(parent, text: str) -> None:
    etree.SubElement(parent, _X + "note", {"from": TOOL_ID}).text = fmt.xml_safe(text)


_STRUCTURE = {_X + name for name in ("xliff", "file", "header", "body", "group", "trans-unit")}


def _indent(element, level: int = 0) -> None:
    """Line breaks and indentation between structural elements only: text inside ``<source>``,
    ``<target>`` and ``<note>`` is content, never touched."""
    children = list(element)
    if element.tag not in _STRUCTURE or not children:
        return
    element.text = "\n" + "  " * (level + 1)
    for child in children:
        child.tail = "\n" + "  " * (level + 1)
        _indent(child, level + 1)
    children[-1].tail = "\n" + "  " * level


# --- reading a file back ----------------------------------------------------------------------------


@dataclass(frozen=True)
class XliffUnit:
    """One trans-unit as the CAT tool left it."""

    catalog_id: str
    key: str
    row_id: str
    line: int
    exported_hash: str
    exported_state: State
    exported_target: str  # the signature of the exported <target>
    source: list[str | Tag] | str  # the source's pieces, or why they cannot be read
    target: list[str | Tag] | str | None  # None: no <target>; a string: why it cannot be read
    state: str | None
    approved: str | None


@dataclass(frozen=True)
class XliffDocument:
    lang: str
    project_name: str
    units: tuple[XliffUnit, ...]
    files: Mapping[str, int]  # catalog id -> line of its <file>


def read_xliff_file(path: Path) -> bytes:
    """The bytes of an XLIFF file, refusing an oversized one before reading it."""
    return read_named_file(Path(path), limit=MAX_XLIFF_BYTES, what="XLIFF file")


def parse_xliff(data: bytes, path_label: str) -> XliffDocument:
    """Untrusted bytes -> the transpub XLIFF document they hold, or a ReviewError at its line."""

    def refuse(why: str, line: int | None = None) -> ReviewError:
        return ReviewError(why, path=path_label, line=line)

    if len(data) > MAX_XLIFF_BYTES:
        raise refuse(
            f"the file is {len(data) / 1048576:.1f} MB; an XLIFF file is at most {MAX_XLIFF_BYTES // 1048576} MB"
        )
    for mark in _DTD_MARKS:
        position = data.find(mark)
        if position >= 0:
            newline = b"\n\x00" if mark.endswith(b"\x00") else b"\x00\n" if mark.startswith(b"\x00") else b"\n"
            raise refuse("refused: the file has a DTD or an entity declaration (<!DOCTYPE, <!ENTITY), which XLIFF "
                         "does not need", data.count(newline, 0, position) + 1)  # fmt: skip
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise refuse(f"not an XLIFF file: not well-formed XML ({exc.msg})", exc.lineno or None) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # the second wall: a DTD in an encoding not searched above
        raise refuse("refused: the file has a DTD or an entity declaration (<!DOCTYPE, <!ENTITY), which XLIFF "
                     "does not need", 1)  # fmt: skip
    if (docinfo.encoding or "UTF-8").upper().replace("_", "-") not in ("UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE"):
        raise refuse(f"the file is written in {docinfo.encoding}; XLIFF files are read in UTF-8 or UTF-16", 1)
    if not isinstance(root.tag, str):
        raise refuse("not an XLIFF file")
    qname = etree.QName(root)
    if qname.localname != "xliff":
        raise refuse(f"not an XLIFF file: the root element is <{qname.localname}>, not <xliff>", root.sourceline)
    version = root.get("version", "")
    if (qname.namespace or "").startswith(XLIFF2_NS_PREFIX) or version.startswith("2"):
        raise refuse(f"XLIFF 2.x is not supported yet (this file is XLIFF {version or '2'}); export XLIFF 1.2 "
                     "from your tool", root.sourceline)  # fmt: skip
    if qname.namespace != XLIFF_NS or version != "1.2":
        raise refuse(f"not XLIFF 1.2 (version {version!r}, namespace {qname.namespace!r}); transpub reads XLIFF 1.2 "
                     f"({XLIFF_NS})", root.sourceline)  # fmt: skip

    lang = project_name = None
    units: list[XliffUnit] = []
    files: dict[str, int] = {}
    file_elements = root.findall(_X + "file")
    if not file_elements:
        raise refuse("the XLIFF file has no <file> element", root.sourceline)
    for file in file_elements:
        line = file.sourceline
        original = file.get("original", "")
        if file.get(_TP + "format") is None or file.get(_TP + "lang") is None or file.get(_TP + "project") is None:
            raise refuse(f"<file original={original!r}> was not exported by transpub (it has no tp:project, tp:lang "
                         "and tp:format attributes); import only files made with 'transpub xliff export'", line)  # fmt: skip
        if file.get(_TP + "format") != FORMAT_VERSION:
            raise refuse(f"transpub XLIFF format {file.get(_TP + 'format')!r} is not supported (this transpub reads "
                         f"format {FORMAT_VERSION})", line)  # fmt: skip
        if lang is not None and (file.get(_TP + "lang"), file.get(_TP + "project")) != (lang, project_name):
            raise refuse("the <file> elements were exported for different languages or projects", line)
        lang, project_name = file.get(_TP + "lang"), file.get(_TP + "project")
        target_language = file.get("target-language")
        if target_language is not None and target_language.replace("_", "-").lower() != bcp47(lang).lower():
            raise refuse(f"target-language {target_language!r} does not match the language the file was exported "
                         f"for ({bcp47(lang)})", line)  # fmt: skip
        if original in files:
            raise refuse(f"<file original={original!r}> appears twice (first at line {files[original]})", line)
        if original != fmt.NAMES_ID and not SAFE_ID_RE.fullmatch(original):
            raise refuse(f"unknown <file original={original!r}>: not a release of a transpub project", line)
        files[original] = line
        seen: dict[str, int] = {}
        for unit in file.iter(_X + "trans-unit"):
            units.append(_read_unit(unit, original, seen, refuse))
    assert lang is not None and project_name is not None
    return XliffDocument(lang, project_name, tuple(units), files)


def _read_unit(unit, catalog_id: str, seen: dict[str, int], refuse) -> XliffUnit:
    line = unit.sourceline
    key = unit.get("id", "")
    if not _KEY_RE.fullmatch(key):
        raise refuse(f"unknown trans-unit id {key!r}: transpub's ids are the 12-digit keys it exported", line)
    if key in seen:
        raise refuse(f"trans-unit id {key!r} is duplicated (first at line {seen[key]})", line)
    seen[key] = line
    exported_hash, exported_state, exported_target = (unit.get(_TP + name) for name in ("msgstr", "state", "target"))
    states = {state.value for state in State}
    if not (exported_hash and _KEY_RE.fullmatch(exported_hash) and exported_target and _KEY_RE.fullmatch(exported_target)
            and exported_state in states):  # fmt: skip
        raise refuse(f"trans-unit {key!r} lacks transpub's bookkeeping (tp:msgstr, tp:state, tp:target) or it was "
                     "changed; export the file again", line)  # fmt: skip
    source = unit.find(_X + "source")
    if source is None:
        raise refuse(f"trans-unit {key!r} has no <source>", line)
    target = unit.find(_X + "target")
    return XliffUnit(
        catalog_id=catalog_id,
        key=key,
        row_id=unit.get(_TP + "row") or f"{catalog_id}:{key}",
        line=line,
        exported_hash=exported_hash,
        exported_state=State(exported_state),
        exported_target=exported_target,
        source=_read_inline(source),
        target=_read_inline(target) if target is not None else None,
        state=target.get("state") if target is not None else None,
        approved=unit.get("approved"),
    )


def _read_inline(element) -> list[str | Tag] | str:
    """An element's mixed content as pieces (tags with kind and number only), or why it cannot be read."""
    pieces: list[str | Tag] = []

    def number(child, attribute: str = "id") -> int:
        value = child.get(attribute) or child.get("id") or ""
        if not value.isascii() or not value.isdigit():
            raise ValueError(
                f"an inline element <{etree.QName(child).localname} id={value!r}> that transpub did not write"
            )
        return int(value)

    def walk(node) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if not isinstance(child.tag, str):  # a processing instruction: keep the text around it
                pass
            else:
                name = etree.QName(child).localname if etree.QName(child).namespace == XLIFF_NS else None
                if name == "x":
                    pieces.append(Tag("x", number(child)))
                elif name == "g":
                    pieces.append(Tag("open", number(child)))
                    walk(child)
                    pieces.append(Tag("close", number(child)))
                elif name in ("ph", "bpt", "ept"):  # native codes: their content is the source's, taken from it
                    pieces.append(Tag({"ph": "x", "bpt": "open", "ept": "close"}[name], number(child)))
                elif name == "bx":
                    pieces.append(Tag("open", number(child, "rid")))
                elif name == "ex":
                    pieces.append(Tag("close", number(child, "rid")))
                elif name == "mrk":
                    walk(child)  # a marker (segmentation, a comment): its content is text of the segment
                else:
                    shown = etree.QName(child).localname
                    raise ValueError(f"an inline element <{shown}> that transpub did not write (only <x/>, <g>, <ph>, "
                                     "<bpt>, <ept>, <bx/>, <ex/> and <mrk> are read)")  # fmt: skip
            if child.tail:
                pieces.append(child.tail)

    try:
        walk(element)
    except ValueError as exc:
        return str(exc)
    return pieces


# --- import ---------------------------------------------------------------------------------------


def import_xliff_file(
    project: Project, path: Path, *, reviewer: str | None = None, now: dt.datetime | None = None
) -> ImportReport:
    """Apply the XLIFF file at ``path`` (its size checked before reading); see :func:`import_xliff`."""
    return import_xliff(project, read_xliff_file(path), path_label=str(path), reviewer=reviewer, now=now)


def import_xliff(
    project: Project, data: bytes, *, path_label: str, reviewer: str | None = None, now: dt.datetime | None = None
) -> ImportReport:
    """Apply an XLIFF file's targets and states to the catalogs; every unit's outcome is in the report.

    The whole file is validated first (a bad one is a ReviewError at its line, nothing written); then,
    under the project lock, each unit becomes an :class:`~.apply.EntryChange` applied by the review
    import's rules, and every changed catalog and the approvals are written together.
    """
    document = parse_xliff(data, path_label)
    if document.project_name != project.name:
        raise ReviewError(f"the file was exported from project {document.project_name!r}, not this one "
                          f"({project.name!r})", path=path_label, line=min(document.files.values()))  # fmt: skip
    if document.lang not in project.languages:
        raise ReviewError(f"the file was exported for language {document.lang!r}, which is not a target language of "
                          f"this project ({', '.join(project.languages)})", path=path_label,
                          line=min(document.files.values()))  # fmt: skip
    with project_lock(project.root):
        importer = CatalogImporter(project, document.lang, reviewer, item="unit", source="XLIFF file")
        _check_units(importer, document, path_label)  # before anything is applied
        results = tuple(_apply_unit(importer, unit) for unit in document.units)
        written = importer.write(now)
    return ImportReport(path_label, document.lang, results, written, item="unit")


def _check_units(importer: CatalogImporter, document: XliffDocument, path_label: str) -> None:
    """Every file must be a catalog of the project, and every unit's source the source of its id's entry."""
    for catalog_id, line in document.files.items():
        if importer.catalog(catalog_id) is None:
            raise ReviewError(f"unknown <file original={catalog_id!r}>: there is no {document.lang} catalog for it "
                              "in this project", path=path_label, line=line)  # fmt: skip
    for unit in document.units:
        entry = importer.catalog(unit.catalog_id).by_key.get(unit.key)
        if entry is None:
            continue  # its source changed since export: a conflict, reported with the unit
        if isinstance(unit.source, str) or _source_form(unit.source) != _source_form(
            inline_pieces(protect(entry.msgid))
        ):
            raise ReviewError(f"trans-unit {unit.key!r}: its <source> is not the source text of the segment with this id "
                              "(ids moved or source edited); export the file again", path=path_label, line=unit.line)  # fmt: skip


def _source_form(pieces: list[str | Tag]) -> list[str | tuple[str, int]]:
    """Pieces compared as XML carries them: text (adjacent runs joined), tags by kind and number."""
    out: list[str | tuple[str, int]] = []
    for piece in pieces:
        if isinstance(piece, Tag):
            out.append((piece.kind, piece.number))
        elif out and isinstance(out[-1], str):
            out[-1] += fmt.xml_safe(piece)
        elif piece:
            out.append(fmt.xml_safe(piece))
    return out


def _apply_unit(importer: CatalogImporter, unit: XliffUnit) -> RowResult:
    def reject(why: str) -> RowResult:
        return RowResult(unit.row_id, Outcome.REJECTED, why)

    if unit.state is not None and unit.state not in XLIFF_STATES and not unit.state.startswith("x-"):
        return reject(f"state {unit.state!r} is not an XLIFF 1.2 state")
    if isinstance(unit.target, str):
        return reject(f"the target has {unit.target}")
    exported, _qualifier, exported_approved = _exported_state(unit.exported_state)
    asked = _decision_class(unit.state, unit.approved)
    was = _decision_class(exported, "yes" if exported_approved else None)
    decision = Decision.KEEP if asked is None or asked == was else asked
    edited = unit.target is not None and _signature(unit.target) != unit.exported_target
    text = ""
    entry = importer.catalog(unit.catalog_id).by_key.get(unit.key)
    if edited and entry is not None:
        protected = protect(entry.msgid)
        current = target_pieces(protected, entry.msgstr) if entry.msgstr else None
        try:
            text = restore(placeholder_text(unit.target), _with_forms(protected, current.forms if current else {}))
        except PlaceholderError as exc:
            # protect's messages speak of an engine's answer: here the answer is the translator's target
            return reject("inline tags: " + exc.message.replace("the engine's answer", "the target"))
    change = EntryChange(unit.row_id, unit.catalog_id, unit.key, unit.exported_hash, text, edited, decision)
    return importer.apply(change)


def _exported_state(state: State) -> tuple[str, str | None, bool]:
    return xliff_state(polib.POEntry(msgid="", msgstr=""), state)


__all__ = [
    "MAX_XLIFF_BYTES",
    "TP_NS",
    "XLIFF_NS",
    "XliffExport",
    "export_xliff",
    "import_xliff",
    "import_xliff_file",
    "parse_xliff",
    "target_pieces",
    "xliff_state",
]
