"""What every Word document transpub writes shares: how a language is told to Word, how a run is
formatted, the template, and reproducible packaging.

Both the published release (:mod:`.docx`) and the bilingual review document (:mod:`.review_docx`) are
built from these, so a language is tagged the same way in both:

* :func:`word_language` is the one place that decides, for a transpub language, Word's language tag
  (``ja`` -> ``ja-JP``), which ``w:lang`` slots carry it (``w:eastAsia`` for Chinese, Japanese, Korean;
  ``w:bidi`` for right-to-left scripts: :attr:`WordLanguage.lang_attrs`), the East Asian font, and
  whether its runs are right to left;
* :class:`RunFormat` turns that, with bold, italics, code, links, colours and sizes, into a run's
  ``w:rPr`` in schema order; :func:`set_document_language` does the same for the document defaults.

Nothing here knows about releases or review rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import struct
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO

import docx
from babel import Locale
from babel.core import get_global
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import CT_Relationships
from docx.opc.packuri import PACKAGE_URI
from docx.opc.pkgwriter import PackageWriter
from lxml import etree

from . import docx_oxml as ox
from .docx_oxml import qn

CORE_PROPERTY_LIMIT = 255  # python-docx refuses longer title/subject/category/author values

# East Asian fonts Word ships (name, localized name, charset, family). The font table gives Word the
# charset so it substitutes another font of the same script where one is missing (Word for Mac, older
# Windows); LibreOffice falls back to Noto CJK through fontconfig.
EAST_ASIAN_FONTS = {
    "ja": ("Yu Gothic", "游ゴシック", "80", "swiss"),
    "zh_Hans": ("Microsoft YaHei", "微软雅黑", "86", "swiss"),
    "zh_Hant": ("Microsoft JhengHei", "微軟正黑體", "88", "swiss"),
    "ko": ("Malgun Gothic", "맑은 고딕", "81", "swiss"),
}
COMPLEX_SCRIPT_FONT = "Arial"  # has Arabic and Hebrew in every Word; Word's own default for them
# CLDR's paperSize data: these territories use US Letter, everyone else A4.
LETTER_TERRITORIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())


# --- languages ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WordLanguage:
    """How Word is told about one language."""

    tag: str  # Word's language tag: en-US, ja-JP, ar-EG, zh-CN, sr-Latn-RS
    east_asian: bool  # Chinese, Japanese, Korean: the w:eastAsia slot and an East Asian font
    rtl: bool  # right to left: the w:bidi slot, bidi paragraphs, rtl runs, a complex-script font
    east_asian_font: str | None
    letter_paper: bool

    @property
    def lang_attrs(self) -> dict[str, str]:
        """``w:lang`` attributes saying a text is in this language, in every script slot it uses."""
        attrs = {"val": self.tag}
        if self.east_asian:
            attrs["eastAsia"] = self.tag
        if self.rtl:
            attrs["bidi"] = self.tag
        return attrs


@cache
def word_language(lang: str) -> WordLanguage:
    """A CLDR locale id -> Word's language settings, the region taken from CLDR's likely subtags.

    Word wants a region on every tag (its proofing tools are per region): "ja" -> "ja-JP", "ar" -> "ar-EG",
    "zh_Hant" -> "zh-TW". A script stays in the tag only where it was asked for and the region does not
    already imply it ("sr_Latn" -> "sr-Latn-RS"; Chinese is written zh-CN / zh-TW).
    """
    locale = Locale.parse(lang)
    likely = get_global("likely_subtags")
    keys = [f"{locale.language}_{locale.script}"] if locale.script else []
    keys += [locale.language, f"und_{locale.script}" if locale.script else "und"]
    guess = next((Locale.parse(likely[key]) for key in keys if key in likely), locale)
    territory = locale.territory or guess.territory
    script = locale.script or guess.script
    parts = [locale.language]
    if locale.script and locale.language != "zh":
        parts.append(locale.script)
    if territory:
        parts.append(territory)
    font_key = f"{locale.language}_{script}" if locale.language == "zh" else locale.language
    font = EAST_ASIAN_FONTS.get(font_key)
    return WordLanguage(
        tag="-".join(parts),
        east_asian=locale.language in ("ja", "zh", "ko"),
        rtl=locale.text_direction == "rtl",
        east_asian_font=font[0] if font else None,
        letter_paper=territory in LETTER_TERRITORIES,
    )


def set_paragraph_direction(paragraph_element, lang: WordLanguage) -> None:
    """A paragraph of text in ``lang``: right to left (``w:bidi``) when the language is."""
    if lang.rtl:
        ox.set_child(paragraph_element.get_or_add_pPr(), "bidi")


def set_document_language(document: DocxDocument, lang: WordLanguage) -> None:
    """Document defaults and theme language: Word and LibreOffice read these for every unmarked text."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = ox.set_child(defaults, "rFonts")
    ox.remove_children(defaults, "lang")  # the template's says en-US / ar-SA whatever the document is
    ox.set_child(defaults, "lang", **lang.lang_attrs)
    if lang.east_asian and lang.east_asian_font:
        # One typeface for kanji/hangul and the Latin letters between them (the way CJK documents are
        # set); explicit fonts only win over theme fonts once the theme attributes are gone.
        ox.strip_theme_fonts(styles.iter(qn("w:rFonts")), "asciiTheme", "hAnsiTheme", "eastAsiaTheme")
        for slot in ("ascii", "hAnsi", "eastAsia"):
            fonts.set(qn(f"w:{slot}"), lang.east_asian_font)
    if lang.east_asian or lang.rtl:
        # CJK, Arabic and Hebrew typography has no italics: a slanted subtitle or quote only looks broken
        for style_id in ("Subtitle", "Quote", "IntenseQuote"):
            for rpr in styles.xpath(f'w:style[@w:styleId="{style_id}"]/w:rPr'):
                ox.remove_children(rpr, "i", "iCs")
    if lang.rtl:
        ox.strip_theme_fonts(styles.iter(qn("w:rFonts")), "cstheme")
        fonts.set(qn("w:cs"), COMPLEX_SCRIPT_FONT)
        for rpr in styles.xpath("w:style/w:rPr[w:spacing]"):  # letter spacing tears joined Arabic apart
            ox.remove_children(rpr, "spacing")
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), lang.tag)
        if lang.east_asian:
            theme_lang.set(qn("w:eastAsia"), lang.tag)
        if lang.rtl:
            theme_lang.set(qn("w:bidi"), lang.tag)


# --- runs ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunFormat:
    """What a run looks like and which language it is in; turned into ``w:rPr`` in schema order."""

    lang: WordLanguage
    body: WordLanguage  # the document's language: fonts set in the defaults need not be repeated
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: bool = False
    hidden: bool = False  # w:vanish: kept in the file, not shown or printed
    color: str | None = None  # RRGGBB
    size: float | None = None  # points
    highlight: str | None = None  # a highlighter colour name (w:highlight)
    shade: str | None = None  # a background fill, RRGGBB (w:shd)

    def rpr(self) -> list[tuple[str, dict[str, str]]]:
        lang, items = self.lang, []
        if self.code:
            items.append(("rStyle", {"val": "HTMLCode"}))
        elif self.link:
            items.append(("rStyle", {"val": "Hyperlink"}))
        fonts: dict[str, str] = {}
        if lang.east_asian:
            fonts["hint"] = "eastAsia"  # quotes, ※ and other shared characters in the East Asian font
            if lang != self.body and lang.east_asian_font:
                fonts["eastAsia"] = lang.east_asian_font
        elif lang.rtl and not self.code:
            fonts["hint"] = "cs"  # digits and punctuation in the complex-script font
            if not self.body.rtl:
                fonts["cs"] = COMPLEX_SCRIPT_FONT
        if fonts:
            items.append(("rFonts", fonts))
        if self.bold:
            items.append(("b", {}))
            if lang.rtl:
                items.append(("bCs", {}))
        if self.italic and not lang.east_asian:  # CJK emphasis is a mark beside each character (w:em below)
            items.append(("i", {}))
            if lang.rtl:
                items.append(("iCs", {}))
        if self.hidden:
            items.append(("vanish", {}))
        if self.color:
            items.append(("color", {"val": self.color}))
        if self.size:
            half_points = str(round(self.size * 2))
            items += [("sz", {"val": half_points}), ("szCs", {"val": half_points})]
        if self.highlight:
            items.append(("highlight", {"val": self.highlight}))
        if self.shade:
            items.append(("shd", {"val": "clear", "color": "auto", "fill": self.shade}))
        if lang.rtl and not self.code:
            items.append(("rtl", {}))
        if self.italic and lang.east_asian:
            # JLREQ and CLREQ: emphasis is a dot by each character, not a slant CJK fonts can only fake
            items.append(("em", {"val": "dot"}))
        items.append(("lang", lang.lang_attrs))
        return items


def add_run(container, text: str, fmt: RunFormat):
    """Append a run of ``text`` (made XML-safe) formatted as ``fmt`` to a paragraph or hyperlink element."""
    run = ox.new_run(fmt.rpr(), ox.xml_safe(text))
    container.append(run)
    return run


# --- the template, prepared once per process -----------------------------------------------------
@dataclass(frozen=True)
class Template:
    data: bytes
    abstract_num_ids: dict[str, int]  # list style id -> its abstract numbering definition


EXTRA_STYLES = (
    # The default template lacks these built-in Word styles; same names and ids as Word's own.
    '''w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>
    <w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:rPr><w:color w:val="0563C1" w:themeColor="hyperlink"/><w:u w:val="single"/></w:rPr>''',
    '''w:type="character" w:styleId="HTMLCode"><w:name w:val="HTML Code"/>
    <w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/><w:noProof/>
    <w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>''',
    '''w:type="paragraph" w:styleId="HTMLPreformatted"><w:name w:val="HTML Preformatted"/>
    <w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:pPr><w:shd w:val="clear" w:color="auto" w:fill="F5F5F5"/><w:spacing w:line="240" w:lineRule="auto"/></w:pPr>
    <w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/><w:noProof/>
    <w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>''',
    '''w:type="paragraph" w:styleId="Date"><w:name w:val="Date"/>
    <w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="404040"/></w:rPr>''',
)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
KEPT_TABLE_STYLES = ("TableNormal", "TableGrid")
APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>transpub</Application></Properties>"
)


@cache
def template() -> Template:
    """python-docx's default template without its leftovers, plus the styles transpub's documents use.

    Dropped: the Word 2010 duplicate of styles.xml (stylesWithEffects), a thumbnail of some other
    document, a bibliography customXml, 100 table styles never used, "proofState: clean" (which would tell
    Word not to spell-check), rsids and the app.xml of "Microsoft Macintosh Word". Loading the result takes
    about a fifth of the time python-docx needs for its default template.
    """
    document = docx.Document()
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = APP_XML
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype in (STYLES_WITH_EFFECTS, RT.CUSTOM_XML):
            del document.part.rels[r_id]
        elif rel.reltype == RT.FONT_TABLE:
            fonts = etree.fromstring(rel.target_part.blob)
            for name, alt, charset, family in EAST_ASIAN_FONTS.values():
                fonts.append(ox.font_table_entry(name, alt, charset, family))
            rel.target_part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)

    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in KEPT_TABLE_STYLES:
            styles.remove(style)
    for xml in EXTRA_STYLES:
        styles.append(ox.style_element(xml))
    settings = document.settings.element
    ox.remove_children(settings, "proofState", "rsids")

    core = document.core_properties._element
    for child in list(core):
        core.remove(child)

    numbering = document.part.numbering_part.element
    abstract_ids: dict[str, int] = {}
    for style_id in ("ListNumber", "ListNumber2", "ListNumber3"):
        num_id = styles.xpath(f'w:style[@w:styleId="{style_id}"]/w:pPr/w:numPr/w:numId/@w:val')[0]
        abstract_ids[style_id] = int(numbering.num_having_numId(int(num_id)).abstractNumId.val)

    # stored, not deflated: every document starts by opening it, and inflating it was a cost per document
    return Template(_zip(_members(document), _DOS_EPOCH, compress=False), abstract_ids)


def new_document() -> DocxDocument:
    """A fresh document on the prepared template: a deep copy of the template opened once per process
    (opening the package, parsing each of its parts, took ten times as long as copying them)."""
    return copy.deepcopy(_opened_template())


# id(element) -> [element, its part's serialized XML once made]: the XML of parts that documents share
# with the prepared document they were copied from (see copy_sharing)
_SHARED: dict[int, list] = {}


def copy_sharing(document: DocxDocument, unchanged: Collection[str]) -> DocxDocument:
    """A deep copy of ``document`` in which the XML parts named in ``unchanged`` (part names such as
    ``/word/styles.xml``) are ``document``'s own rather than copies: for the parts no document changes
    once its template is prepared, each copy costs neither a copy of their XML nor, when it is saved,
    its serialization (made once per process: :func:`_members`). ``document`` is a prepared template
    kept for the whole process, and neither it nor a copy may change those parts."""
    memo: dict[int, object] = {}
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)  # (XML parts have one; others hold their bytes)
        if element is not None and str(part.partname) in unchanged:
            memo[id(element)] = element
            _SHARED.setdefault(id(element), [element, None])
    return copy.deepcopy(document, memo)


def _blob(part) -> bytes:
    """``part.blob``, serialized once for the XML a document shares with its prepared template."""
    shared = _SHARED.get(id(getattr(part, "_element", None)))
    if shared is None or shared[0] is not part._element:
        return part.blob
    if shared[1] is None:
        shared[1] = part.blob
    return shared[1]


@cache
def _opened_template() -> DocxDocument:
    """The prepared template, opened; never changed itself, only copied."""
    return docx.Document(BytesIO(template().data))


# --- properties and the package ------------------------------------------------------------------
def core_property(text: str) -> str:
    """A core property value: XML-safe, and cut to the 255 characters python-docx (and Word) accept."""
    text = ox.xml_safe(text)
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[: CORE_PROPERTY_LIMIT - 1] + "…"


def save_reproducibly(document: DocxDocument, moment: dt.datetime) -> bytes:
    """The document's package with every member stamped ``moment`` (zipfile would stamp the current
    time), so equal input gives equal bytes.

    The members are python-docx's own (its content types, relationships and part blobs, in its order);
    only the zip is written here, in one pass, where saving through python-docx and stamping a copy
    compressed every member twice and inflated it once in between. The package is the one
    :func:`_zip` writes, byte for byte, with members seen before (styles, settings, theme, font table …,
    the same for every document of a language) compressed once per process: see :func:`zip_package`.
    """
    return zip_package(_members(document), moment)


_COMPRESSED_CACHE = 64  # members kept compressed: a document has about a dozen, most shared by a language


class _Members:
    """A stand-in for python-docx's zip writer that keeps each (member name, bytes) it is given."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.items.append((pack_uri.membername, blob))

    def close(self) -> None:
        pass


def _members(document: DocxDocument) -> list[tuple[str, bytes]]:
    """What ``document.save`` would put in the package, in the same order (OpcPackage.save)."""
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    members = _Members()
    parts = package.parts
    PackageWriter._write_content_types_stream(members, parts)
    members.write(PACKAGE_URI.rels_uri, _rels_xml(package.rels))  # PackageWriter._write_pkg_rels
    for part in parts:  # PackageWriter._write_parts
        members.write(part.partname, _blob(part))
        if len(part.rels):
            members.write(part.partname.rels_uri, _rels_xml(part.rels))
    return members.items


def _rels_xml(rels) -> str:
    """python-docx's ``rels.xml`` (a relationships part), made once per process for each list of
    relationships: the package's and most parts' are the same in every document."""
    return _relationships_xml(tuple((rel.rId, rel.reltype, rel.target_ref, rel.is_external)
                                    for rel in rels.values()))


@lru_cache(maxsize=_COMPRESSED_CACHE)
def _relationships_xml(relationships: tuple[tuple[str, str, str, bool], ...]) -> str:
    element = CT_Relationships.new()  # what python-docx's _Relationships.xml does
    for r_id, reltype, target_ref, is_external in relationships:
        element.add_rel(r_id, reltype, target_ref, is_external)
    return element.xml


_DOS_EPOCH = dt.datetime(1980, 1, 1)


def _zip(members: list[tuple[str, bytes]], moment: dt.datetime, *, compress: bool = True) -> bytes:
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members:
            member = zipfile.ZipInfo(name, date_time=stamp)
            already_compressed = name.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
            member.compress_type = zipfile.ZIP_DEFLATED if compress and not already_compressed else zipfile.ZIP_STORED
            member.external_attr = 0o644 << 16
            target.writestr(member, data)
    return out.getvalue()


# --- the package's zip, members compressed once per process ------------------------------------------
# What zipfile writes for a member given to ``writestr`` with a ZipInfo (classic zip, no zip64, no data
# descriptor on a seekable file): a local header, the data, then the central directory and its end.
# tests/test_render_docx_zip.py holds this to zipfile's own bytes.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP_VERSION = 20  # zipfile's DEFAULT_VERSION: what a deflated or stored member needs
_CREATE_SYSTEM = zipfile.ZipInfo("x").create_system  # 0 on Windows, 3 (Unix) elsewhere, as zipfile says
_MEMBER_MODE = 0o644 << 16
_SMALL_ENOUGH = 1 << 30  # far from zip64's limits (zipfile switches near 4 GiB): larger members go to zipfile
# members that are the document's own (its text, links, comments, properties): never seen again, not kept
_OWN_MEMBERS = frozenset(("word/document.xml", "word/_rels/document.xml.rels", "word/comments.xml",
                          "docProps/core.xml"))


def zip_package(members: list[tuple[str, bytes]], moment: dt.datetime) -> bytes:
    """The bytes :func:`_zip` gives for ``members`` stamped ``moment``; each member's deflated data and
    CRC come from :func:`_deflated`, so a member seen before is not compressed again."""
    if any(len(data) >= _SMALL_ENOUGH for _, data in members):
        return _zip(members, moment)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    dosdate = (stamp[0] - 1980) << 9 | stamp[1] << 5 | stamp[2]
    dostime = stamp[3] << 11 | stamp[4] << 5 | (stamp[5] // 2)
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data in members:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800
        if name.lower().endswith((".png", ".jpg", ".jpeg", ".gif")):
            method, crc, stored = zipfile.ZIP_STORED, zlib.crc32(data), data
        elif name in _OWN_MEMBERS:
            method, (crc, stored) = zipfile.ZIP_DEFLATED, _deflate(data)
        else:
            method, (crc, stored) = zipfile.ZIP_DEFLATED, _deflated(data)
        out.append(_LOCAL_HEADER.pack(b"PK\x03\x04", _ZIP_VERSION, 0, flags, method, dostime, dosdate, crc,
                                      len(stored), len(data), len(encoded), 0))
        out.append(encoded)
        out.append(stored)
        central.append(_CENTRAL_HEADER.pack(b"PK\x01\x02", _ZIP_VERSION, _CREATE_SYSTEM, _ZIP_VERSION, 0, flags,
                                            method, dostime, dosdate, crc, len(stored), len(data), len(encoded),
                                            0, 0, 0, 0, _MEMBER_MODE, offset))
        central.append(encoded)
        offset += _LOCAL_HEADER.size + len(encoded) + len(stored)
        if offset >= _SMALL_ENOUGH:
            return _zip(members, moment)
    directory = b"".join(central)
    end = _END_RECORD.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(out) + directory + end


@lru_cache(maxsize=_COMPRESSED_CACHE)
def _deflated(data: bytes) -> tuple[int, bytes]:
    """:func:`_deflate`, kept for the members every document of a language shares."""
    return _deflate(data)


def _deflate(data: bytes) -> tuple[int, bytes]:
    """A member's CRC and its data deflated as zipfile deflates it (raw deflate, default level)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()
