"""TMX 1.4b: the project's reviewed translations written as a translation memory, and memories read back.

Writing (``transpub tm export``): one ``<tu>`` per distinct reviewed pair of a language — approved under
two-step review, reviewed under one-step — from every catalog of the language, names.po included (its
names and interface words are reviewed translations like any other; they carry their msgctxt as
``<prop type="x-context">``). Tokens and inline Markdown become TMX inline elements, from
:func:`~transpub.translate.protect.inline_pieces`: a standalone piece is ``<ph x="N">``, a pair
``<bpt i="N" x="N">…<ept i="N">``, each holding the native code (the Markdown it stands for), numbered
as ``protect(msgid)`` numbers its placeholders — the numbers XLIFF's ``<x id>``/``<g id>`` use — and
the translation's tags take the source's numbers (:func:`~transpub.translate.protect.pieces_numbered_like`).
The bytes are deterministic: units sorted, no timestamp but the approvals' dates.

Reading (``[translate] memory``): TMX 1.1 to 1.4b as tools write them. A segment's text is its text with
every inline element (``<ph>``, ``<bpt>``, ``<ept>``, ``<it>``, ``<ut>``) replaced by its native code and
``<hi>`` (and any element TMX does not define) read through, so a transpub-made memory gives back the
exact Markdown. Untrusted bytes: at most :data:`MAX_TMX_BYTES`; a DTD's internal subset or an entity
declaration is refused before parsing (a bare ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``, which many tools
write, is accepted and never loaded); lxml parses with entities unresolved and no network. Every
problem is one :class:`~transpub.errors.FileError` at the file's line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..catalogs.approvals import NAMES_CATALOG, Approval, entry_digest
from ..catalogs.pofile import read_catalog
from ..catalogs.states import State, read_review
from ..config import Project
from ..errors import FileError, UsageError
from ..fsutil import read_file
from .protect import (
    PlaceholderError,
    Tag,
    inline_pieces,
    pieces_numbered_like,
    protect,
    restore,
)

#: the largest memory file read: far above any agency's memory, far below what would exhaust memory
MAX_TMX_BYTES = 200 * 1024 * 1024

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODES = frozenset({"ph", "bpt", "ept", "it", "ut"})  # inline elements whose content is native code
# characters XML 1.0 cannot hold, not even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryUnit:
    """One source text and its translation in a memory, as Markdown (native code put back); or, when
    ``shortcuts``, as OmegaT writes them (``<d0/>``, ``<f1>…</f1>`` standing for the source's tags):
    :func:`omegat_text` and :func:`from_omegat` match and restore those against a msgid."""

    source: str
    target: str
    context: str | None  # <prop type="x-context"> (transpub's msgctxt); None in other tools' memories
    origin: str  # the memory file, as shown ("tm/agency.tmx")
    line: int  # where its <tu> starts
    shortcuts: bool = False


@dataclass(frozen=True)
class TranslationMemory:
    origin: str
    units: tuple[MemoryUnit, ...]  # in file order
    languages: tuple[str, ...]  # every language of the file's <tuv>s, as written, sorted


def language_match(tag: str, lang: str) -> int:
    """How well a memory's language ``tag`` fits the project language ``lang``: 2 the same (``fr-FR`` and
    ``fr_fr`` are one), 1 one is the other with subtags added (``fr-FR`` for ``fr``, ``zh`` for
    ``zh_Hans``), 0 not at all (``fr-CA`` for ``fr_FR``, ``zh-Hant`` for ``zh_Hans``)."""
    a = tag.strip().replace("_", "-").lower().split("-")
    b = lang.strip().replace("_", "-").lower().split("-")
    if a == b:
        return 2
    shorter = min(len(a), len(b))
    return 1 if a[:shorter] == b[:shorter] else 0


def read_tmx(path: Path, source_lang: str, target_lang: str, *, shown: str | None = None) -> TranslationMemory:
    """The units of the TMX file at ``path`` that translate ``source_lang`` into ``target_lang``."""
    shown = shown or str(path)
    try:
        data = read_file(path, limit=MAX_TMX_BYTES, what="translation memory")
    except FileNotFoundError:
        raise FileError("cannot read the translation memory: no such file", shown) from None
    except FileError as exc:
        raise FileError(exc.message, shown) from None
    return parse_tmx(data, source_lang, target_lang, origin=shown)


def parse_tmx(data: bytes, source_lang: str, target_lang: str, *, origin: str) -> TranslationMemory:
    """The units of a TMX document (bytes) for the language pair; ``origin`` names it in errors and units."""
    from lxml import etree

    text = _decode(data, origin)
    _refuse_dtd(text, origin)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True, encoding="utf-8",
    )  # fmt: skip
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise FileError(f"not a TMX file: not well-formed XML ({exc.msg})", origin, line) from None
    if _local(root) != "tmx":
        raise FileError(f"not a TMX file: the root element is <{_local(root)}>, not <tmx>", origin, root.sourceline)
    version = root.get("version", "")
    if not re.fullmatch(r"1\.[1-4][a-z]?", version):
        raise FileError(f"not a TMX 1.1–1.4b file: version {version!r}", origin, root.sourceline)
    body = next((child for child in root if _local(child) == "body"), None)
    if body is None:
        raise FileError("not a TMX file: no <body>", origin, root.sourceline)
    header = next((child for child in root if _local(child) == "header"), None)
    omegat = header is not None and header.get("creationtool", "").strip().lower() == "omegat"
    units: list[MemoryUnit] = []
    languages: set[str] = set()
    has_source = False
    for tu in body:
        if _local(tu) != "tu":
            continue
        variants = []
        for tuv in tu:
            if _local(tuv) != "tuv":
                continue
            lang = tuv.get(XML_LANG) or tuv.get("lang")
            if not lang or not lang.strip():
                raise FileError("a <tuv> without xml:lang: its language is unknown", origin, tuv.sourceline)
            languages.add(lang.strip())
            variants.append((lang, tuv))
        source = _best(variants, source_lang)
        has_source = has_source or source is not None
        target = _best([v for v in variants if v[1] is not source], target_lang)
        if source is None or target is None:
            continue
        source_text, target_text = _seg_text(source), _seg_text(target)
        if source_text and target_text and source_text.strip() and target_text.strip():
            context = next((p.text or "" for p in tu if _local(p) == "prop" and p.get("type") == "x-context"), None)
            shortcuts = omegat and bool(SHORTCUT_RE.search(source_text + target_text))
            units.append(MemoryUnit(source_text, target_text, context, origin, tu.sourceline or 0, shortcuts))
    if languages and not has_source:  # an empty memory is no mistake; one for other languages is
        found = ", ".join(sorted(languages)) or "none"
        raise FileError(
            f"no translation unit in {source_lang}, the project's source language (languages in this memory: {found})",
            origin, root.sourceline,
        )  # fmt: skip
    return TranslationMemory(origin, tuple(units), tuple(sorted(languages)))


def _best(variants: list, lang: str):
    """The <tuv> whose language fits ``lang`` best (the first of equals), or None."""
    best, score = None, 0
    for tag, tuv in variants:
        match = language_match(tag, lang)
        if match > score:
            best, score = tuv, match
    return best


def _seg_text(tuv) -> str | None:
    seg = next((child for child in tuv if _local(child) == "seg"), None)
    return None if seg is None else _native(seg)


def _native(element) -> str:
    """An element's text with inline codes as their native code; <hi> and unknown elements read through."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child)
        parts.append("".join(child.itertext()) if name in _CODES else _native(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: their BOMs begin alike
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip
_DECLARED = re.compile(r"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _decode(data: bytes, origin: str) -> str:
    """The document as an XML parser reads it (byte order mark, else declared encoding, else UTF-8): it is
    screened and parsed as this one text, so the screen sees exactly what the parser will."""
    encoding = next((codec for bom, codec in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        if data[:2] in (b"\x00<", b"<\x00"):
            encoding = "utf-16-be" if data[0] == 0 else "utf-16-le"
        else:
            declared = _DECLARED.match(data[:200].decode("ascii", "replace"))
            encoding = declared.group(1) if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FileError(f"not a TMX file: unknown encoding {encoding!r}", origin, 1) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(f"not a TMX file: not valid {encoding} (byte {data[exc.start]:#04x})", origin, line) from None
    return _DECLARED.sub(lambda m: m.group(0).replace(m.group(1), "UTF-8"), text, count=1)


_SAFE_DOCTYPE = re.compile(
    r"""<!DOCTYPE\s+tmx\s+(?:SYSTEM\s+("[^"<>]*"|'[^'<>]*')|PUBLIC\s+("[^"<>]*"|'[^'<>]*')\s+("[^"<>]*"|'[^'<>]*'))\s*>"""
)


def _refuse_dtd(text: str, origin: str) -> None:
    """Refuse entity declarations and a DTD's internal subset; a bare external DOCTYPE line is allowed
    (it is never loaded)."""
    entity = text.find("<!ENTITY")
    if entity >= 0:
        line = text.count("\n", 0, entity) + 1
        raise FileError("refused: the memory declares entities (<!ENTITY); TMX needs none", origin, line)
    doctypes = [m.start() for m in re.finditer(r"<!DOCTYPE", text, re.IGNORECASE)]
    for start in doctypes:
        if len(doctypes) > 1 or not _SAFE_DOCTYPE.match(text, start):
            line = text.count("\n", 0, start) + 1
            raise FileError(
                'refused: a DOCTYPE with an internal subset; only <!DOCTYPE tmx SYSTEM "tmx14.dtd"> is accepted',
                origin, line,
            )  # fmt: skip


# --- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TmxExport:
    lang: str
    data: bytes
    units: int  # <tu>s written
    catalogs: tuple[str, ...]  # catalog ids that gave at least one unit
    skipped: int = 0  # reviewed pairs holding a character XML cannot carry


@dataclass
class _Pair:
    context: str | None
    msgid: str
    msgstr: str
    catalogs: set[str]
    approval: Approval | None


def export_tmx(project: Project, lang: str, *, omegat: bool = False) -> TmxExport:
    """The reviewed pairs of every catalog of ``lang`` as a TMX 1.4b document (approved ones under two-step).

    With ``omegat``, for OmegaT 3.x: segments hold OmegaT's own tag shortcuts as text (``<d0/>``,
    ``<f1>…</f1>``) and the header names OmegaT as the creation tool, the one TMX OmegaT reads "level 1",
    taking those numbers as written. Reading inline elements ("level 2") it numbers a target's ``<ph>`` by
    position, so a translation that moved a token relative to the other tags would come back with the
    wrong token (measured: 5 of the sample's 20 English units, one with two names swapped).
    """
    if lang == project.source_lang or lang not in project.languages:
        raise UsageError(f"--lang {lang}: a memory is exported for a target language ({', '.join(project.languages)})")
    review = read_review(project, lang)
    folder = project.locale_dir / lang / "LC_MESSAGES"
    pairs: dict[str, _Pair] = {}
    skipped = 0
    for path in sorted(folder.glob("*.po")):
        if path.name == "glossary.po":
            continue
        catalog = NAMES_CATALOG if path.name == "names.po" else path.stem
        for entry in read_catalog(path):
            if entry.obsolete or not entry.msgid or not review.state(entry, catalog).publishable:
                continue
            if any(_NOT_XML.search(text or "") for text in (entry.msgctxt, entry.msgid, entry.msgstr)):
                skipped += 1
                continue
            digest = entry_digest(entry)
            pair = pairs.setdefault(digest, _Pair(entry.msgctxt, entry.msgid, entry.msgstr, set(), None))
            pair.catalogs.add(catalog)
            approval = review.approval(entry, catalog) if review.state(entry, catalog) is State.APPROVED else None
            if approval is not None and (pair.approval is None or (approval.date, approval.by) > (pair.approval.date, pair.approval.by)):
                pair.approval = approval
    order = sorted(pairs.items(), key=lambda item: (item[1].context or "", item[1].msgid, item[1].msgstr, item[0]))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        (
            f'  <header creationtool="{"OmegaT" if omegat else "transpub"}" '
            f'creationtoolversion="{"transpub " if omegat else ""}{_attr(__version__)}" segtype="sentence" '
            f'o-tmf="PO" adminlang="en" srclang="{_attr(bcp47(project.source_lang))}" datatype="plaintext"/>'
        ),
        "  <body>",
    ]
    for digest, pair in order:
        lines += _unit(digest, pair, bcp47(project.source_lang), bcp47(lang), omegat)
    lines += ["  </body>", "</tmx>", ""]
    catalogs = sorted({c for pair in pairs.values() for c in pair.catalogs})
    return TmxExport(lang, "\n".join(lines).encode("utf-8"), len(pairs), tuple(catalogs), skipped)


def bcp47(lang: str) -> str:
    """A CLDR id as a BCP 47 tag for xml:lang (``zh_Hans`` -> ``zh-Hans``)."""
    return lang.replace("_", "-")


def _unit(digest: str, pair: _Pair, source_lang: str, target_lang: str, omegat: bool) -> list[str]:
    attributes = f'tuid="{digest[:16]}"'
    if pair.approval is not None:
        stamp = pair.approval.date.replace("-", "") + "T000000Z"
        attributes += f' creationdate="{stamp}" changedate="{stamp}" changeid="{_attr(pair.approval.by)}"'
    lines = [f"    <tu {attributes}>"]
    if pair.context is not None:
        lines.append(f'      <prop type="x-context">{_text(pair.context)}</prop>')
    for catalog in sorted(pair.catalogs):
        if catalog != NAMES_CATALOG:
            lines.append(f'      <prop type="x-release">{_text(catalog)}</prop>')
    source = inline_pieces(protect(pair.msgid))
    target = pieces_numbered_like(inline_pieces(protect(pair.msgstr)), source)
    letters = _omegat_letters(source, target) if omegat else {}
    for lang, pieces in ((source_lang, source), (target_lang, target)):
        seg = _text(omegat_shortcuts(pieces, letters)) if omegat else seg_markup(pieces)
        lines.append(f'      <tuv xml:lang="{_attr(lang)}"><seg>{seg}</seg></tuv>')
    lines.append("    </tu>")
    return lines


def seg_markup(pieces: list[str | Tag]) -> str:
    """The content of a ``<seg>``: text escaped, tags as ``<ph>``, ``<bpt>``, ``<ept>`` holding their native code."""
    out: list[str] = []
    for piece in pieces:
        if not isinstance(piece, Tag):
            out.append(_text(piece))
        elif piece.kind == "x":
            out.append(f'<ph x="{piece.number}">{_text(piece.original)}</ph>')
        elif piece.kind == "open":
            out.append(f'<bpt i="{piece.number}" x="{piece.number}">{_text(piece.original)}</bpt>')
        else:
            out.append(f'<ept i="{piece.number}">{_text(piece.original)}</ept>')
    return "".join(out)


def omegat_shortcuts(pieces: list[str | Tag], letters: dict[int, str]) -> str:
    """Pieces as OmegaT writes a segment: each tag as its shortcut, a letter and the number less one
    (``<d0/>``, ``<f1>``, ``</f1>``): what OmegaT's XLIFF filter makes of transpub's ``<ph id="1">``/``<bpt id="2">``."""
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, Tag):
            name = f"{letters[piece.number]}{piece.number - 1}"
            out.append(f"<{name}/>" if piece.kind == "x" else f"<{name}>" if piece.kind == "open" else f"</{name}>")
        else:
            out.append(piece)
    return "".join(out)


def _omegat_letters(source: list[str | Tag], target: list[str | Tag]) -> dict[int, str]:
    """The shortcut letter of each tag number, as OmegaT picks it: the first letter of the (opening) native
    code, lowercased, else ``f``; the source's decides, a tag only the translation has takes its own."""
    letters: dict[int, str] = {}
    for piece in (*source, *target):
        if isinstance(piece, Tag) and piece.kind != "close" and piece.number not in letters:
            letter = next((char for char in piece.original if char.isalpha()), "f")
            letters[piece.number] = letter.lower()[0]
    return letters


# OmegaT's tag shortcuts as its own memories hold them, as text: a letter and a 0-based number
SHORTCUT_RE = re.compile(r"<(/?)([^\W\d_])(\d+)(/?)>")


def omegat_text(msgid: str) -> str:
    """``msgid`` as OmegaT shows it after reading transpub's XLIFF: tags as shortcuts (``<d0/>``)."""
    pieces = inline_pieces(protect(msgid))
    return omegat_shortcuts(pieces, _omegat_letters(pieces, []))


def from_omegat(text: str, msgid: str) -> str:
    """A translation OmegaT wrote with shortcuts, as Markdown for ``msgid``: each shortcut must be one of
    the msgid's tags (same number, letter and kind), and :func:`restore` puts the msgid's code back and
    refuses a lost, repeated or crossed one (PlaceholderError)."""
    source = protect(msgid)
    pieces = inline_pieces(source)
    letters = _omegat_letters(pieces, [])
    kinds = {tag.number: tag.kind for tag in pieces if isinstance(tag, Tag) and tag.kind != "close"}

    def placeholder(match: re.Match[str]) -> str:
        slash, letter, number, selfclose = match.group(1), match.group(2), int(match.group(3)) + 1, match.group(4)
        kind = "x" if selfclose else "open"
        if slash and selfclose or letters.get(number) != letter or kinds.get(number) != kind:
            raise PlaceholderError(f"the memory's {match.group(0)!r} is not a tag of the source")
        return f"<x{number}/>" if kind == "x" else f"</g{number}>" if slash else f"<g{number}>"

    return restore(SHORTCUT_RE.sub(placeholder, text), source)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


__all__ = [
    "MAX_TMX_BYTES",
    "MemoryUnit",
    "TmxExport",
    "TranslationMemory",
    "bcp47",
    "export_tmx",
    "from_omegat",
    "language_match",
    "omegat_text",
    "parse_tmx",
    "read_tmx",
    "seg_markup",
]
