"""Word output: one release in one language as a .docx a reviewer opens in Word or LibreOffice.

The document uses Word's own styles (Title, Subtitle, Heading n, List Number/List Bullet n, Caption,
Quote, Table Grid), so readers restyle it the usual way. It says which language it is in — in the
document defaults and on every run, in the slot Word reads for that script (``w:val``, ``w:eastAsia``,
``w:bidi``) — so Word spell-checks the right language; East Asian documents name an East Asian font,
right-to-left documents have bidi paragraphs and rtl runs. A draft marks every segment that is not
reviewed (highlight + a Word comment holding the source text) under a banner.

Everything is built on a slimmed copy of python-docx's default template, prepared once per process
(:func:`_template`), and the result is byte-for-byte reproducible: timestamps come from the release date.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, replace
from functools import cache
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import docx
from babel import Locale
from babel.core import get_global
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Emu, Inches, Mm
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from ..errors import SourceError
from ..localize.release import LocalizedRelease, Shown
from ..source.model import (
    Block,
    Code,
    CodeBlock,
    Emphasis,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Plain,
    Quote,
    Rule,
    Strong,
    Table,
    TableCell,
    Text,
    walk_blocks,
)
from . import docx_oxml as ox

LINK_SCHEMES = ("http", "https", "mailto")
COMMENT_AUTHOR, COMMENT_INITIALS = "transpub", "tp"
HIGHLIGHT_UNREVIEWED = "yellow"  # WD_COLOR_INDEX.YELLOW
HIGHLIGHT_UNTRANSLATED = "cyan"  # WD_COLOR_INDEX.TURQUOISE
HEADER_FILL = "F2F2F2"
MARGIN = Inches(1)
MAX_HEADING = 6
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


# --- the template, prepared once per process -----------------------------------------------------
@dataclass(frozen=True)
class _Template:
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
def _template() -> _Template:
    """python-docx's default template without its leftovers, plus the styles this renderer uses.

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

    out = BytesIO()
    document.save(out)
    return _Template(out.getvalue(), abstract_ids)


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
    highlight: str | None = None

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
        if self.italic:
            items.append(("i", {}))
            if lang.rtl:
                items.append(("iCs", {}))
        if self.highlight:
            items.append(("highlight", {"val": self.highlight}))
        if lang.rtl and not self.code:
            items.append(("rtl", {}))
        items.append(("lang", ox.lang_attrs(lang.tag, east_asian=lang.east_asian, rtl=lang.rtl)))
        return items


# --- the renderer ---------------------------------------------------------------------------------------
def render_release_docx(loc: LocalizedRelease, *, image_root: Path) -> bytes:
    """The release as a Word document in ``loc``'s language; image ``src`` paths are relative to ``image_root``."""
    return _DocxWriter(loc, Path(image_root)).render()


class _DocxWriter:
    def __init__(self, loc: LocalizedRelease, image_root: Path):
        template = _template()
        self.loc = loc
        self.release = loc.release
        self.image_root = image_root
        self.doc = docx.Document(BytesIO(template.data))
        self.abstract_num_ids = template.abstract_num_ids
        self.body = word_language(loc.lang)
        self.source = word_language(loc.project.source_lang)
        self.when = dt.datetime.combine(self.release.date, dt.time(0, 0), tzinfo=dt.timezone.utc)
        levels = [b.level for b in walk_blocks(self.release.body) if isinstance(b, Heading)]
        self.heading_base = min(levels, default=2)
        self.text_width = Emu(0)

    def render(self) -> bytes:
        self._setup_page()
        self._setup_language()
        self._front()
        self._blocks(self.release.body)
        self._end_matter()
        self._core_properties()
        out = BytesIO()
        self.doc.save(out)
        return _reproducible_zip(out.getvalue(), self.release.date)

    # --- document setup ----------------------------------------------------------------------------
    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        if self.body.letter_paper:
            section.page_width, section.page_height = Inches(8.5), Inches(11)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
        self.text_width = Emu(section.page_width - section.left_margin - section.right_margin)
        if self.body.rtl:
            ox.set_child(section._sectPr, "bidi")
        footer = section.footer.paragraphs[0]
        ox.set_child(footer._p.get_or_add_pPr(), "jc", val="center")
        ox.page_number_field(footer._p)

    def _setup_language(self) -> None:
        """Document defaults and theme language: Word and LibreOffice read these for every unmarked text."""
        lang = self.body
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = ox.set_child(defaults, "rFonts")
        ox.remove_children(defaults, "lang")  # the template's says en-US / ar-SA whatever the document is
        ox.set_child(defaults, "lang", **ox.lang_attrs(lang.tag, east_asian=lang.east_asian, rtl=lang.rtl))
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
        theme_lang = self.doc.settings.element.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            theme_lang.set(qn("w:val"), lang.tag)
            if lang.east_asian:
                theme_lang.set(qn("w:eastAsia"), lang.tag)
            if lang.rtl:
                theme_lang.set(qn("w:bidi"), lang.tag)

    def _core_properties(self) -> None:
        props = self.doc.core_properties
        props.title = _core_property(self.loc.plain(self.release.title))
        props.subject = _core_property(self.loc.plain(self.release.subtitle))
        props.category = _core_property(self.loc.plain(self.release.section))
        props.identifier = self.release.id
        props.language = self.loc.tag
        props.author = props.last_modified_by = _core_property(self.loc.publisher)
        props.created = props.modified = self.when
        props.revision = 1
        core = props._element
        for child in list(core):  # no empty leftovers ("keywords", "comments" …)
            if not (child.text or "").strip():
                core.remove(child)

    # --- front and end matter ------------------------------------------------------------------------
    def _front(self) -> None:
        loc = self.loc
        if loc.draft:
            banner = self._paragraph(None, rtl=self.body.rtl)
            ppr = banner._p.get_or_add_pPr()
            ox.paragraph_border(ppr, "top", color="BF9000")
            ox.paragraph_border(ppr, "bottom", color="BF9000")
            ox.shade(ppr, "FFF2CC")
            ox.set_child(ppr, "jc", val="center")
            self._label(banner, loc.ui["draft_banner"], bold=True)
        for text in (loc.date_text, loc.publisher):
            if text:
                line = self._paragraph("Date", rtl=self.body.rtl)
                if not self.body.rtl:  # in a bidi paragraph the start side is already the right one
                    ox.set_child(line._p.get_or_add_pPr(), "jc", val="right")
                self._label(line, text)
        self._text_paragraph("Title", self.release.title)
        if self.release.subtitle:
            self._text_paragraph("Subtitle", self.release.subtitle)

    def _end_matter(self) -> None:
        release, ui = self.release, self.loc.ui
        if release.division:
            self._label(self._paragraph("Heading1", rtl=self.body.rtl), ui["division_in_charge"])
            self._text_paragraph(None, release.division)
        if release.related:
            self._label(self._paragraph("Heading1", rtl=self.body.rtl), ui["related_website"])
            for link in release.related:
                self._text_paragraph("ListBullet", link.title, link=link.url)

    # --- blocks -------------------------------------------------------------------------------------------
    def _blocks(self, blocks: tuple[Block, ...], *, quote: bool = False) -> None:
        for block in blocks:
            self._block(block, quote=quote)

    def _block(self, block: Block, *, quote: bool = False, level: int = 0) -> None:
        if isinstance(block, Heading):
            number = min(MAX_HEADING, max(1, block.level - self.heading_base + 1))
            self._text_paragraph(f"Heading{number}", block.text)
        elif isinstance(block, Paragraph):
            self._text_paragraph("Quote" if quote else None, block.text)
        elif isinstance(block, ListBlock):
            self._list(block, level + 1, quote=quote)
        elif isinstance(block, Image):
            self._image(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Quote):
            self._blocks(block.blocks, quote=True)
        elif isinstance(block, CodeBlock):
            para = self._paragraph("HTMLPreformatted", rtl=False)
            para._p.append(ox.new_run((), ox.xml_safe(block.code.rstrip("\n"))))
        elif isinstance(block, Rule):
            ox.paragraph_border(self._paragraph(None, rtl=False)._p.get_or_add_pPr())

    def _list(self, block: ListBlock, level: int, *, quote: bool) -> None:
        """List Number / List Bullet (2, 3 for nested lists); every ordered list restarts at its own start."""
        depth = min(level, 3)
        suffix = "" if depth == 1 else str(depth)
        style = ("ListNumber" if block.ordered else "ListBullet") + suffix
        num_id = None
        if block.ordered:
            numbering = self.doc.part.numbering_part.element
            num_id = ox.numbering_instance(numbering, self.abstract_num_ids[style], block.start)
        for item in block.items:
            children = list(item.blocks)
            first = children.pop(0) if children and isinstance(children[0], Paragraph) else None
            para = self._text_paragraph(style, first.text) if first else self._paragraph(style, rtl=self.body.rtl)
            if num_id is not None:
                ox.list_numbering(para._p.get_or_add_pPr(), num_id)
            for child in children:
                if isinstance(child, Paragraph):
                    self._text_paragraph(f"ListContinue{suffix}", child.text)
                else:
                    self._block(child, quote=quote, level=level)

    def _image(self, block: Image) -> None:
        path = self.image_root / block.src
        try:
            data = BytesIO(path.read_bytes())
            r_id, image = self.doc.part.get_or_add_image(data)
        except OSError:
            raise SourceError(f"image {block.src!r} not found", path=self.release.path, line=block.line) from None
        except UnrecognizedImageError:
            raise SourceError(
                f"image {block.src!r}: Word cannot show this format; use PNG, JPEG or GIF",
                path=self.release.path,
                line=block.line,
            ) from None
        para = self._paragraph(None, rtl=False)
        ppr = para._p.get_or_add_pPr()
        if block.caption:
            ox.set_child(ppr, "keepNext")
        ox.set_child(ppr, "jc", val="center")
        cx, cy = image.scaled_dimensions(Emu(min(image.width, self.text_width)), None)
        inline = CT_Inline.new_pic_inline(self.doc.part.next_id, r_id, image.filename, cx, cy)
        alt = self.loc.plain(block.alt) or self.loc.plain(block.caption)
        inline.docPr.set("descr", ox.xml_safe(alt))
        para.add_run()._r.add_drawing(inline)
        if block.caption:
            caption = self._text_paragraph("Caption", block.caption)
            ox.set_child(caption._p.get_or_add_pPr(), "jc", val="center")

    def _table(self, block: Table) -> None:
        rows = [row for row in (block.header, *block.rows) if row]
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return
        table = self.doc.add_table(rows=len(rows), cols=columns)
        table.style = self.doc.styles["Table Grid"]
        if self.body.rtl:
            ox.set_child(table._tbl.tblPr, "bidiVisual")
        for index, (cells, row) in enumerate(zip(rows, table.rows)):
            header = index == 0 and bool(block.header)
            if header:
                ox.set_child(row._tr.get_or_add_trPr(), "tblHeader")  # repeated on every page
            for cell, docx_cell in zip(cells, row.cells):
                para = docx_cell.paragraphs[0]
                if header:
                    ox.shade(docx_cell._tc.get_or_add_tcPr(), HEADER_FILL)
                self._cell(para, cell, bold=header)
        spacer = self._paragraph(None, rtl=self.body.rtl)
        ox.set_child(spacer._p.get_or_add_pPr(), "spacing", after="0")

    def _cell(self, para: DocxParagraph, cell: TableCell, *, bold: bool) -> None:
        lang = self.body
        if cell.text is not None:
            shown = self.loc.shown(cell.text)
            lang = self._lang_of(shown)
            self._fill(para, shown, lang, bold=bold)
        ppr = para._p.get_or_add_pPr()
        if lang.rtl:
            ox.set_child(ppr, "bidi")
        # left/right mean start/end in a bidi paragraph (and LibreOffice draws "right" on the left): only
        # centering is safe in both directions
        if cell.align == "center" or (cell.align in ("left", "right") and not lang.rtl):
            ox.set_child(ppr, "jc", val=cell.align)

    # --- paragraphs and segments ------------------------------------------------------------------------
    def _paragraph(self, style_id: str | None, *, rtl: bool) -> DocxParagraph:
        para = self.doc.add_paragraph()
        if style_id or rtl:
            ppr = para._p.get_or_add_pPr()
            if style_id:
                ox.set_child(ppr, "pStyle", val=style_id)
            if rtl:
                ox.set_child(ppr, "bidi")
        return para

    def _text_paragraph(self, style_id: str | None, text: Text, *, link: str | None = None) -> DocxParagraph:
        """A paragraph holding one segment, in the direction of the language it is shown in."""
        shown = self.loc.shown(text)
        lang = self._lang_of(shown)
        para = self._paragraph(style_id, rtl=lang.rtl)
        self._fill(para, shown, lang, link=link)
        return para

    def _lang_of(self, shown: Shown) -> WordLanguage:
        return self.source if shown.fallback else self.body

    def _fill(self, para: DocxParagraph, shown: Shown, lang: WordLanguage, *, bold: bool = False,
              link: str | None = None) -> None:
        """Append a segment's runs; in a draft, mark an unreviewed one and attach the source as a comment."""
        marked = self.loc.draft and shown.unreviewed
        highlight = (HIGHLIGHT_UNTRANSLATED if shown.fallback else HIGHLIGHT_UNREVIEWED) if marked else None
        fmt = RunFormat(lang, self.body, bold=bold, highlight=highlight)
        container = para._p
        if link and _linkable(link):
            container = self._hyperlink(container, link, None)
            fmt = replace(fmt, link=True)
        runs: list = []
        self._inline(container, shown.nodes, fmt, runs)
        if marked and runs:
            self._comment(para, runs, shown)

    def _inline(self, container, nodes: tuple[Inline, ...], fmt: RunFormat, runs: list) -> None:
        for node in nodes:
            if isinstance(node, Plain):
                self._run(container, ox.xml_safe(self.loc.render(node.text)), fmt, runs)
            elif isinstance(node, Code):
                self._run(container, ox.xml_safe(node.text), replace(fmt, code=True), runs)
            elif isinstance(node, LineBreak):
                run = ox.new_run(fmt.rpr(), line_break=True)
                container.append(run)
                runs.append(run)
            elif isinstance(node, Emphasis):
                self._inline(container, node.children, replace(fmt, italic=True), runs)
            elif isinstance(node, Strong):
                self._inline(container, node.children, replace(fmt, bold=True), runs)
            elif isinstance(node, Link):
                if _linkable(node.url) and not fmt.link:
                    link = self._hyperlink(container, node.url, node.title)
                    self._inline(link, node.children, replace(fmt, link=True), runs)
                else:  # an unsafe or relative URL: its text, never a link
                    self._inline(container, node.children, fmt, runs)

    @staticmethod
    def _run(container, text: str, fmt: RunFormat, runs: list) -> None:
        if text:
            run = ox.new_run(fmt.rpr(), text)
            container.append(run)
            runs.append(run)

    def _label(self, para: DocxParagraph, text: str, *, bold: bool = False) -> None:
        """transpub's own words (UI labels, date, publisher) in the document's language."""
        self._run(para._p, ox.xml_safe(text), RunFormat(self.body, self.body, bold=bold), [])

    def _hyperlink(self, container, url: str, title: str | None):
        r_id = self.doc.part.relate_to(ox.xml_safe(url), RT.HYPERLINK, is_external=True)
        link = ox.new_hyperlink(r_id, ox.xml_safe(title) if title else None)
        container.append(link)
        return link

    def _comment(self, para: DocxParagraph, runs: list, shown: Shown) -> None:
        """A Word comment on the segment's runs: what is wrong with it (in the document's language), then
        the source text exactly as in the catalog, so the reviewer can find the entry."""
        label = self.loc.ui["untranslated" if shown.fallback else "unreviewed"]
        comment = self.doc.add_comment(
            [Run(runs[0], para), Run(runs[-1], para)], text="", author=COMMENT_AUTHOR, initials=COMMENT_INITIALS
        )
        comment._comment_elm.date = self.when  # reproducible output: not the time of the build
        for paragraph, text, lang in ((comment.paragraphs[0], label, self.body),
                                      (comment.add_paragraph(), shown.source, self.source)):  # fmt: skip
            if lang.rtl:
                ox.set_child(paragraph._p.get_or_add_pPr(), "bidi")
            paragraph._p.append(ox.new_run(RunFormat(lang, self.body).rpr(), ox.xml_safe(text)))


def _core_property(text: str) -> str:
    """A core property value: XML-safe, and cut to the 255 characters python-docx (and Word) accept."""
    text = ox.xml_safe(text)
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[: CORE_PROPERTY_LIMIT - 1] + "…"


def _linkable(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in LINK_SCHEMES
    except ValueError:
        return False


def _reproducible_zip(data: bytes, day: dt.date) -> bytes:
    """Re-pack the package with fixed timestamps (zipfile stamps the current time), so equal input gives equal bytes."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            already_compressed = info.filename.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
            member.compress_type = zipfile.ZIP_STORED if already_compressed else zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()
