"""Word output: one release in one language as a .docx a reviewer opens in Word or LibreOffice.

The document uses Word's own styles (Title, Subtitle, Heading n, List Number/List Bullet n, Caption,
Quote, Table Grid), so readers restyle it the usual way. It says which language it is in — in the
document defaults and on every run, in the slot Word reads for that script (``w:val``, ``w:eastAsia``,
``w:bidi``) — so Word spell-checks the right language; East Asian documents name an East Asian font,
right-to-left documents have bidi paragraphs and rtl runs. A draft marks every segment that is not
reviewed (highlight + a Word comment holding the source text) under a banner.

The language settings, run formatting and template come from :mod:`.docx_base`, shared with the review
document, and the result is byte-for-byte reproducible: timestamps come from the release date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from docx.document import Document as DocxDocument
from docx.image.exceptions import UnrecognizedImageError
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shape import CT_Inline
from docx.shared import Emu, Inches, Mm
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

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
    Text,
    walk_blocks,
)
from . import docx_oxml as ox
from .docx_base import (
    RunFormat,
    WordLanguage,
    add_run,
    copy_sharing,
    core_property,
    new_document,
    save_reproducibly,
    set_document_language,
    set_paragraph_direction,
    template,
    word_language,
)

LINK_SCHEMES = ("http", "https", "mailto")
COMMENT_AUTHOR, COMMENT_INITIALS = "transpub", "tp"
HIGHLIGHT_UNREVIEWED = "yellow"  # WD_COLOR_INDEX.YELLOW
HIGHLIGHT_UNTRANSLATED = "cyan"  # WD_COLOR_INDEX.TURQUOISE
HEADER_FILL = "F2F2F2"
MARGIN = Inches(1)
MAX_HEADING = 6
# the parts of the prepared document that a release's document never changes: shared, not copied
UNCHANGED_PARTS = frozenset(("/word/styles.xml", "/word/settings.xml", "/word/footer1.xml"))


# --- the renderer ---------------------------------------------------------------------------------------
def render_release_docx(loc: LocalizedRelease, *, image_root: Path) -> bytes:
    """The release as a Word document in ``loc``'s language; image ``src`` paths are relative to ``image_root``."""
    return _DocxWriter(loc, Path(image_root)).render()


class _DocxWriter:
    def __init__(self, loc: LocalizedRelease, image_root: Path):
        self.loc = loc
        self.release = loc.release
        self.image_root = image_root
        self.abstract_num_ids = template().abstract_num_ids
        self.body = word_language(loc.lang)
        prepared, self.text_width = _language_document(self.body)
        self.doc = copy_sharing(prepared, UNCHANGED_PARTS)
        self.source = word_language(loc.project.source_lang)
        self.when = dt.datetime.combine(self.release.date, dt.time(0, 0), tzinfo=dt.timezone.utc)
        levels = [b.level for b in walk_blocks(self.release.body) if isinstance(b, Heading)]
        self.heading_base = min(levels, default=2)
        self._pending: list[str] = []  # paragraphs written as XML text, not yet in the body (see _segment)

    def render(self) -> bytes:
        self._front()
        self._blocks(self.release.body)
        self._end_matter()
        self._flush()
        self._core_properties()
        return save_reproducibly(self.doc, self.when)

    # --- document properties ----------------------------------------------------------------------
    def _core_properties(self) -> None:
        props = self.doc.core_properties
        props.title = core_property(self.loc.plain(self.release.title))
        props.subject = core_property(self.loc.plain(self.release.subtitle))
        props.category = core_property(self.loc.plain(self.release.section))
        props.identifier = self.release.id
        props.language = self.loc.tag
        props.author = props.last_modified_by = core_property(self.loc.publisher)
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
        self._segment("Title", self.release.title)
        if self.release.subtitle:
            self._segment("Subtitle", self.release.subtitle)

    def _end_matter(self) -> None:
        release, ui = self.release, self.loc.ui
        if release.division:
            self._label(self._paragraph("Heading1", rtl=self.body.rtl), ui["division_in_charge"])
            self._segment(None, release.division)
        if release.related:
            heading = "related_website" if len(release.related) == 1 else "related_websites"  # follows the links
            self._label(self._paragraph("Heading1", rtl=self.body.rtl), ui[heading])
            for link in release.related:
                self._segment("ListBullet", link.title, link=link.url)

    # --- blocks -------------------------------------------------------------------------------------------
    def _blocks(self, blocks: tuple[Block, ...], *, quote: bool = False) -> None:
        for block in blocks:
            self._block(block, quote=quote)

    def _block(self, block: Block, *, quote: bool = False, level: int = 0) -> None:
        if isinstance(block, Heading):
            number = min(MAX_HEADING, max(1, block.level - self.heading_base + 1))
            self._segment(f"Heading{number}", block.text)
        elif isinstance(block, Paragraph):
            self._segment("Quote" if quote else None, block.text)
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
            if num_id is None and first:
                self._segment(style, first.text)
                para = None
            else:
                para = self._text_paragraph(style, first.text) if first else self._paragraph(style, rtl=self.body.rtl)
            if para is not None and num_id is not None:
                ox.list_numbering(para._p.get_or_add_pPr(), num_id)
            for child in children:
                if isinstance(child, Paragraph):
                    self._segment(f"ListContinue{suffix}", child.text)
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
        """A Table Grid table, the header row shaded and repeated on every page.

        The table's frame is written as XML text, the table python-docx's ``add_table`` makes (columns of
        equal width across the text block) with the style, header rows, shading and cell paragraph
        properties in place; the cells' runs are then filled as every other segment's."""
        rows = [row for row in (block.header, *block.rows) if row]
        columns = max((len(row) for row in rows), default=0)
        if not columns:
            return
        width = Emu(self.text_width // columns).twips  # (python-docx's _block_width: the one section's)
        cell_langs: list[list[WordLanguage]] = []
        shown_cells: list[list[Shown | None]] = []
        xml = [f'<w:tbl xmlns:w="{ox.W_NS}"><w:tblPr><w:tblStyle w:val="{self._table_style_id()}"/>',
               "<w:bidiVisual/>" if self.body.rtl else "", '<w:tblW w:type="auto" w:w="0"/>', ox.TABLE_LOOK,
               "</w:tblPr><w:tblGrid>", f'<w:gridCol w:w="{width}"/>' * columns, "</w:tblGrid>"]
        for index, cells in enumerate(rows):
            header = index == 0 and bool(block.header)
            xml.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if header else "<w:tr>")
            langs: list[WordLanguage] = []
            shown_row: list[Shown | None] = []
            for column in range(columns):
                shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if header else ""
                xml.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{shade}</w:tcPr>')
                if column >= len(cells):
                    xml.append("<w:p/></w:tc>")
                    continue
                cell = cells[column]
                lang, shown = self.body, None
                if cell.text is not None:
                    shown = self.loc.shown(cell.text)
                    lang = self._lang_of(shown)
                # left/right mean start/end in a bidi paragraph (and LibreOffice draws "right" on the left):
                # only centering is safe in both directions
                align = cell.align == "center" or (cell.align in ("left", "right") and not lang.rtl)
                xml.append("<w:p><w:pPr>" + ("<w:bidi/>" if lang.rtl else "")
                           + (f'<w:jc w:val="{cell.align}"/>' if align else "") + "</w:pPr></w:p></w:tc>")
                langs.append(lang)
                shown_row.append(shown)
            xml.append("</w:tr>")
            cell_langs.append(langs)
            shown_cells.append(shown_row)
        xml.append("</w:tbl>")
        tbl = ox.parse_element("".join(xml))
        self._flush()
        self.doc._body._element._insert_tbl(tbl)
        for index, tr in enumerate(tbl.tr_lst):
            header = index == 0 and bool(block.header)
            for tc, lang, shown in zip(tr.tc_lst, cell_langs[index], shown_cells[index]):
                if shown is not None:
                    self._fill(DocxParagraph(tc.p_lst[0], self.doc._body), shown, lang, bold=header)
        spacer = self._paragraph(None, rtl=self.body.rtl)
        ox.set_child(spacer._p.get_or_add_pPr(), "spacing", after="0")

    def _table_style_id(self) -> str:
        return _table_grid_style_id(self.body)

    # --- paragraphs and segments ------------------------------------------------------------------------
    def _paragraph(self, style_id: str | None, *, rtl: bool, content: str = "") -> DocxParagraph:
        """A new paragraph at the end of the body (python-docx's ``add_paragraph``), with its style and
        direction, and ``content`` (runs as XML text) in it: written as XML text, parsed in one call."""
        self._flush()
        p = ox.parse_element(f"{ox.PARAGRAPH_OPEN}{_ppr_xml(style_id, rtl)}{content}</w:p>")
        self.doc._body._element._insert_p(p)
        return DocxParagraph(p, self.doc._body)

    def _segment(self, style_id: str | None, text: Text, *, link: str | None = None) -> None:
        """:meth:`_text_paragraph` for a paragraph nothing is done to afterwards: kept as XML text with the
        ones before and after it, the body's paragraphs parsed in a few calls rather than one each. A
        marked segment (its runs carry a comment) is made at once."""
        shown = self.loc.shown(text)
        lang = self._lang_of(shown)
        runs, marked = self._runs_xml(shown, lang, link=link)
        if marked:
            para = self._paragraph(style_id, rtl=lang.rtl, content=runs)
            self._comment_runs(para, list(para._p.iter(ox.qn("w:r"))), shown)
        else:
            self._pending.append(f"<w:p>{_ppr_xml(style_id, lang.rtl)}{runs}</w:p>")

    def _flush(self) -> None:
        """Put the paragraphs kept as XML text at the end of the body (before its section properties, as
        python-docx's ``add_paragraph``), parsed in one call."""
        if not self._pending:
            return
        paragraphs = ox.parse_runs("".join(self._pending))
        self._pending.clear()
        body = self.doc._body._element
        for p in paragraphs:
            body._insert_p(p)

    def _text_paragraph(self, style_id: str | None, text: Text, *, link: str | None = None) -> DocxParagraph:
        """A paragraph holding one segment, in the direction of the language it is shown in."""
        shown = self.loc.shown(text)
        lang = self._lang_of(shown)
        runs, marked = self._runs_xml(shown, lang, link=link)
        para = self._paragraph(style_id, rtl=lang.rtl, content=runs)
        if marked:
            self._comment_runs(para, list(para._p.iter(ox.qn("w:r"))), shown)
        return para

    def _lang_of(self, shown: Shown) -> WordLanguage:
        return self.source if shown.fallback else self.body

    def _fill(self, para: DocxParagraph, shown: Shown, lang: WordLanguage, *, bold: bool = False) -> None:
        """Append a segment's runs to a paragraph (a table cell's)."""
        xml, marked = self._runs_xml(shown, lang, bold=bold)
        if not xml:
            return
        runs: list = []
        for element in ox.parse_runs(xml):
            para._p.append(element)
            runs.extend(element.iter(ox.qn("w:r")))
        if marked:
            self._comment_runs(para, runs, shown)

    def _runs_xml(self, shown: Shown, lang: WordLanguage, *, bold: bool = False,
                  link: str | None = None) -> tuple[str, bool]:
        """A segment's runs as XML text (parsed by the caller in one call: the elements python-docx would
        have made one by one), and whether they are marked: in a draft, an unreviewed segment is
        highlighted and gets the source as a comment."""
        marked = bool(self.loc.draft and shown.unreviewed)
        highlight = (HIGHLIGHT_UNTRANSLATED if shown.fallback else HIGHLIGHT_UNREVIEWED) if marked else None
        fmt = RunFormat(lang, self.body, bold=bold, highlight=highlight)
        parts: list[str] = []
        if link and _linkable(link):
            parts.append(self._hyperlink_open(link, None))
            self._inline(parts, shown.nodes, replace(fmt, link=True))
            parts.append("</w:hyperlink>")
        else:
            self._inline(parts, shown.nodes, fmt)
        return "".join(parts), marked

    def _comment_runs(self, para: DocxParagraph, runs: list, shown: Shown) -> None:
        if runs:
            self._comment(para, runs, shown)

    def _inline(self, parts: list[str], nodes: tuple[Inline, ...], fmt: RunFormat) -> None:
        for node in nodes:
            if isinstance(node, Plain):
                self._run(parts, ox.xml_safe(self.loc.render(node.text)), fmt)
            elif isinstance(node, Code):
                self._run(parts, ox.xml_safe(node.text), replace(fmt, code=True))
            elif isinstance(node, LineBreak):
                parts.append(ox.run_xml(_rpr_xml(fmt), line_break=True))
            elif isinstance(node, Emphasis):
                self._inline(parts, node.children, replace(fmt, italic=True))
            elif isinstance(node, Strong):
                self._inline(parts, node.children, replace(fmt, bold=True))
            elif isinstance(node, Link):
                if _linkable(node.url) and not fmt.link:
                    parts.append(self._hyperlink_open(node.url, node.title))
                    self._inline(parts, node.children, replace(fmt, link=True))
                    parts.append("</w:hyperlink>")
                else:  # an unsafe or relative URL: its text, never a link
                    self._inline(parts, node.children, fmt)

    @staticmethod
    def _run(parts: list[str], text: str, fmt: RunFormat) -> None:
        if text:
            parts.append(ox.run_xml(_rpr_xml(fmt), text))

    def _label(self, para: DocxParagraph, text: str, *, bold: bool = False) -> None:
        """transpub's own words (UI labels, date, publisher) in the document's language."""
        text = ox.xml_safe(text)
        if text:
            para._p.append(ox.new_run(RunFormat(self.body, self.body, bold=bold).rpr(), text))

    def _hyperlink_open(self, url: str, title: str | None) -> str:
        """The start tag of a hyperlink to ``url``, related to the document part now (relationship ids
        follow the order of the links in the document)."""
        r_id = self.doc.part.relate_to(ox.xml_safe(url), RT.HYPERLINK, is_external=True)
        return ox.hyperlink_xml_open(r_id, ox.xml_safe(title) if title else None)

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
            set_paragraph_direction(paragraph._p, lang)
            add_run(paragraph._p, text, RunFormat(lang, self.body))


# --- what every document of a language starts from ----------------------------------------------------
@cache
def _language_document(body: WordLanguage) -> tuple[DocxDocument, Emu]:
    """The prepared template with the page, footer and language of documents in ``body`` set up, and the
    width of its text block: made once per language and process, each document a deep copy of it (page
    set-up and the language's styles cost a tenth of a document each time)."""
    doc = new_document()
    section = doc.sections[0]
    if body.letter_paper:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    text_width = Emu(section.page_width - section.left_margin - section.right_margin)
    if body.rtl:
        ox.set_child(section._sectPr, "bidi")
    footer = section.footer.paragraphs[0]
    ox.set_child(footer._p.get_or_add_pPr(), "jc", val="center")
    ox.page_number_field(footer._p)
    set_document_language(doc, body)
    return doc, text_width


@cache
def _table_grid_style_id(body: WordLanguage) -> str:
    """The id of the Table Grid style, looked up by name once per language and process (not per table)."""
    return _language_document(body)[0].styles["Table Grid"].style_id


@cache
def _ppr_xml(style_id: str | None, rtl: bool) -> str:
    """A new paragraph's properties as XML text: its style and direction (nothing when it has neither)."""
    if not (style_id or rtl):
        return ""
    return ("<w:pPr>" + (f'<w:pStyle w:val="{ox.attr(style_id)}"/>' if style_id else "")
            + ("<w:bidi/>" if rtl else "") + "</w:pPr>")


@cache
def _rpr_xml(fmt: RunFormat) -> str:
    return ox.rpr_xml(fmt.rpr())


def _linkable(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in LINK_SCHEMES
    except ValueError:
        return False
