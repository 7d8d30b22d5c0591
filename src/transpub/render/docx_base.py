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
import zipfile
from dataclasses import dataclass
from functools import cache
from io import BytesIO

import docx
from babel import Locale
from babel.core import get_global
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
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
    compressed every member twice and inflated it once in between.
    """
    return _zip(_members(document), moment)


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
    PackageWriter._write_pkg_rels(members, package.rels)
    PackageWriter._write_parts(members, parts)
    return members.items


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
