"""The bilingual review document as Word (``transpub review export``).

One DOCX per language: a header (releases, languages, export date, segments per state, whether each
release publishes in the language and why, how to review), then per release a table with one row per
segment::

    ID                     | Source (ja)          | Translation (fr)          | State    | Comment
    2023-…-assemblies#3    | 2023年7月6日、…       | Le {date:2023-07-06}, …   | machine  |
    paragraph · line 14    | (tokens rendered in  | (the raw msgstr: tokens   |          |
    k:1f0c9e2a7b44         |  the source language)|  as written, editable)    |          |

and a last table for the names.po entries the releases need. Rows that are not reviewed are shaded:
yellow machine translation, orange source changed since review, red untranslated.

What goes in comes from :func:`transpub.review.contents.review_contents`; how rows and the document are
recognized again is :mod:`transpub.review.docformat`. Runs are tagged with their language exactly as
the published DOCX tags them (:func:`.docx_base.word_language`, :class:`.docx_base.RunFormat`): the
document's own words in English, the Source column in the source language, the Translation column in
the target language. The result is byte-for-byte reproducible for a given moment (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from docx.enum.section import WD_ORIENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Cm, Pt
from docx.table import _Row
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from .. import __version__, clock
from ..catalogs.states import State
from ..config import Project
from ..errors import TokenError
from ..localize.release import LocalizedRelease
from ..localize.ui import bcp47, language_name
from ..review import docformat as fmt
from ..review.contents import ReviewContents, ReviewItem, ReviewSection, review_contents
from ..source.inline import text_to_inline
from ..source.model import Code, Emphasis, Inline, LineBreak, Link, Plain, Strong
from ..source.tokens import split_tokens
from . import docx_oxml as ox
from .docx_base import (
    RunFormat,
    WordLanguage,
    add_run,
    core_property,
    new_document,
    save_reproducibly,
    set_document_language,
    set_paragraph_direction,
    word_language,
)

DOCUMENT_LANG = "en"  # the language of the document's own words: headings, labels, instructions
NAMES_HEADING = "Names (names.po): the publisher and organizations"
FILLS = {State.TRANSLATED: "E2EFDA", State.MACHINE: "FFF2CC", State.CHANGED: "FBE0C3", State.UNTRANSLATED: "F8D3D3"}
TOKEN_FILL_SOURCE = "E7E6E6"
TOKEN_FILL_TRANSLATION = "DDEBF7"
HEADER_FILL = "D9D9D9"
GREY = "6E6E6E"
SMALL = 8.0  # points: the "before the change" text
COLUMN_WIDTHS = (Cm(3.1), Cm(7.8), Cm(8.5), Cm(2.9), Cm(4.4))  # A4 landscape, 1.5 cm margins

VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the property set of user-defined properties

STEPS = (
    "Correct the text in the Translation column. Keep every {…} token exactly as written (it becomes "
    "a date, country or organization name); move it where the sentence needs it. Keep the Markdown "
    "marks: *emphasis*, **strong**, [link text](URL).",
    "To approve a segment, write approved in its State column (ok, reviewed or ✓ also work). "
    "To send one back to the translator, write needs work. Leave the State as it is to decide later.",
    "Write notes for the translator in the Comment column.",
    "Shaded rows are not reviewed yet: yellow = machine translation, orange = the source changed "
    "since it was reviewed, red = not translated. Do not edit the ID column.",
    "When done, save the file (as .docx) and run: transpub review import FILE.docx",
)


@dataclass(frozen=True)
class ReviewExport:
    """An exported review document and what is in it."""

    data: bytes
    lang: str
    releases: tuple[str, ...]
    counts: Mapping[str, int]  # state value -> rows

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        parts = ", ".join(f"{n} {state}" for state, n in self.counts.items() if n)
        return f"{self.rows} segment(s) in {len(self.releases)} release(s) [{self.lang}]: {parts}"


def make_review_document(
    project: Project,
    lang: str,
    release_id: str | None = None,
    *,
    now: dt.datetime | None = None,
    reviewer: str | None = None,
) -> ReviewExport:
    """The review document for ``lang`` (every release, or the one asked for), made at ``now`` (default:
    :func:`transpub.clock.now`, so ``SOURCE_DATE_EPOCH`` when it is set). Under two-step review,
    ``reviewer`` is who approves in it: named in its header, and read back by ``review import``."""
    contents = review_contents(project, lang, release_id, reviewer=reviewer)
    moment = now.astimezone(dt.timezone.utc) if now is not None else clock.now()
    data = render_review_docx(contents, moment)
    return ReviewExport(data, lang, tuple(section.catalog_id for section in contents.releases), contents.counts)


def export_review(
    project: Project, lang: str, release_id: str | None = None, *, now: dt.datetime | None = None
) -> bytes:
    """The review document's bytes; see :func:`make_review_document`."""
    return make_review_document(project, lang, release_id, now=now).data


def render_review_docx(contents: ReviewContents, moment: dt.datetime) -> bytes:
    """``contents`` as a DOCX exported at ``moment`` (UTC)."""
    return _ReviewWriter(contents, moment).write()


class _ReviewWriter:
    def __init__(self, contents: ReviewContents, moment: dt.datetime):
        self.contents = contents
        self.project = contents.project
        self.lang = contents.lang
        self.moment = moment
        self.ui = word_language(DOCUMENT_LANG)
        self.source = word_language(self.project.source_lang)
        self.target = word_language(self.lang)
        self.doc = new_document()

    def write(self) -> bytes:
        self._setup()
        self._header()
        for section in self.contents.sections:
            heading = self.doc.add_paragraph(style="Heading 1")._p
            if section.catalog_id == fmt.NAMES_ID:
                add_run(heading, NAMES_HEADING, self.words())
            else:
                self._runs(heading, [(f"{section.catalog_id} — ", self.ui), (section.title, self.source)])
            self._table(section)
        self._properties()
        return save_reproducibly(self.doc, self.moment)

    def words(self, **kwargs) -> RunFormat:
        """The format of the document's own words (English), with ``kwargs`` on top."""
        return RunFormat(self.ui, self.ui, **kwargs)

    def text_in(self, lang: WordLanguage, **kwargs) -> RunFormat:
        """The format of text in ``lang`` (the source or the target language) in this document."""
        return RunFormat(lang, self.ui, **kwargs)

    # layout --------------------------------------------------------------------------------------
    def _setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(1.5))
        set_document_language(self.doc, self.ui)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(2)

    def _header(self) -> None:
        doc, project, lang = self.doc, self.project, self.lang
        counts = self.contents.counts
        title = doc.add_paragraph(style="Title")
        name = language_name(lang)
        self._runs(title._p, [("Translation review: ", self.ui), (name, self.target), (f" ({lang})", self.ui)])
        facts = (
            ("Releases", [(", ".join(s.catalog_id for s in self.contents.releases), self.ui)]),
            ("Languages", [(language_name(project.source_lang), self.source), (f" ({project.source_lang}) → ", self.ui),
                           (name, self.target), (f" ({lang})", self.ui)]),
            ("Exported", [(f"{self.moment:%Y-%m-%d %H:%M} UTC by transpub {__version__} ({project.name})", self.ui)]),
            ("Segments", [(f"{sum(counts.values())}: " + ", ".join(f"{state} {n}" for state, n in counts.items()), self.ui)]),
        )  # fmt: skip
        if self.contents.review.two_step:
            approver = self.contents.reviewer or "(not named: give it to 'transpub review import --by')"
            facts += (("Reviewer", [(f"{approver} — writing approved in a row approves its translation as shown", self.ui)]),)
        for label, value in facts:
            paragraph = doc.add_paragraph()
            add_run(paragraph._p, f"{label}: ", self.words(bold=True))
            self._runs(paragraph._p, value)
        # whether each release publishes in this language and why not: the decision status, check and build use
        label = doc.add_paragraph()._p
        self._runs(label, [("Publishing in ", self.ui), (name, self.target), (f" ({lang}):", self.ui)], bold=True)
        for section in self.contents.releases:
            decision = section.decision
            verdict = "publishes" if decision.publishable else "does not publish"
            line = doc.add_paragraph(style="List Bullet")
            add_run(line._p, f"{section.catalog_id}: ", self.words())
            add_run(line._p, verdict, self.words(bold=True))
            add_run(line._p, f" — {decision.reason}", self.words())
        doc.add_paragraph("How to review", style="Heading 2")
        for step in STEPS:
            add_run(doc.add_paragraph(style="List Number")._p, step, self.words())

    def _runs(self, container, parts: Iterable[tuple[str, WordLanguage]], **kwargs) -> None:
        """Runs of text in different languages, each tagged with its own."""
        for text, lang in parts:
            if text:
                add_run(container, text, self.text_in(lang, **kwargs))

    def _table(self, section: ReviewSection) -> None:
        table = self.doc.add_table(rows=1, cols=len(fmt.COLUMNS))
        table.style = "Table Grid"
        table.autofit = False
        for column, width in zip(table.columns, COLUMN_WIDTHS):
            column.width = width
        titles = ("ID", f"Source ({self.project.source_lang})", f"Translation ({self.lang})",
                  "State\n(write approved)", "Comment")  # fmt: skip
        header = table.rows[0]
        ox.set_child(header._tr.get_or_add_trPr(), "tblHeader")  # repeated on every page
        for cell, title, width in zip(header.cells, titles, COLUMN_WIDTHS):
            cell.width = width
            first, _, rest = title.partition("\n")
            paragraph = cell.paragraphs[0]._p
            add_run(paragraph, first, self.words(bold=True))
            if rest:
                add_run(paragraph, "\n" + rest, self.words(size=7.5, color=GREY))
            ox.shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
        for row in section.rows:
            self._row(table.add_row(), row, section.loc)

    def _row(self, table_row: _Row, row: ReviewItem, loc: LocalizedRelease | None) -> None:
        # one segment stays on one page: a row split at a page break leaves its source and translation
        # (or only its key line) apart; a row taller than a page still flows on
        ox.set_child(table_row._tr.get_or_add_trPr(), "cantSplit")
        cells = table_row.cells
        for cell, width in zip(cells, COLUMN_WIDTHS):
            cell.width = width
        entry = row.entry
        # ID: visible id, what and where, the key; hidden: exported translation hash and state
        ident = cells[fmt.ID]
        add_run(ident.paragraphs[0]._p, row.row_id, self.words(bold=True, size=8))
        if row.note:
            add_run(ident.add_paragraph()._p, row.note, self.words(size=7, color=GREY))
        keys = ident.add_paragraph()._p
        add_run(keys, fmt.key_text(entry), self.words(size=6.5, color=GREY))
        add_run(keys, fmt.hidden_text(entry.msgstr, row.state.value), self.words(size=6.5, hidden=True))
        # source, tokens rendered in the source language
        source = cells[fmt.SOURCE]
        self._inline(source.paragraphs[0], text_to_inline(entry.msgid), loc, self.text_in(self.source))
        if row.state is State.CHANGED and entry.previous_msgid:
            before = source.add_paragraph()
            add_run(before._p, "Before the change: ", self.words(size=SMALL, color=GREY, italic=True))
            small = self.text_in(self.source, size=SMALL, color=GREY)
            self._inline(before, text_to_inline(entry.previous_msgid), loc, small)
        # translation: the raw msgstr, tokens marked but as written
        translation = cells[fmt.TRANSLATION].paragraphs[0]._p
        set_paragraph_direction(translation, self.target)
        for index, part in enumerate(split_tokens(ox.xml_safe(entry.msgstr))):
            if part and index % 2:
                text = fmt.mark_token(part) if self.target.rtl else part
                add_run(translation, text, self.text_in(self.target, shade=TOKEN_FILL_TRANSLATION))
            elif part:
                add_run(translation, part, self.text_in(self.target))
        # state (the comment cell stays empty for the reviewer)
        add_run(cells[fmt.STATE].paragraphs[0]._p, row.state.value, self.words())
        fill = FILLS.get(row.state)
        if fill:
            for cell in cells[: fmt.STATE + 1]:
                ox.shade(cell._tc.get_or_add_tcPr(), fill)

    # text ----------------------------------------------------------------------------------------
    def _inline(self, paragraph: DocxParagraph, nodes: Iterable[Inline], loc: LocalizedRelease | None,
                run_format: RunFormat) -> None:  # fmt: skip
        """Source text: Markdown shown as formatting, tokens rendered in the source language and shaded."""
        set_paragraph_direction(paragraph._p, run_format.lang)
        self._nodes(paragraph._p, nodes, loc, run_format)

    def _nodes(self, container, nodes: Iterable[Inline], loc: LocalizedRelease | None, run_format: RunFormat) -> None:
        for node in nodes:
            if isinstance(node, Plain):
                for index, part in enumerate(split_tokens(node.text)):
                    if part and index % 2:
                        add_run(container, _render_token(part, loc), replace(run_format, shade=TOKEN_FILL_SOURCE))
                    elif part:
                        add_run(container, part, run_format)
            elif isinstance(node, Code):
                add_run(container, node.text, replace(run_format, code=True))
            elif isinstance(node, Emphasis):
                self._nodes(container, node.children, loc, replace(run_format, italic=True))
            elif isinstance(node, Strong):
                self._nodes(container, node.children, loc, replace(run_format, bold=True))
            elif isinstance(node, Link):
                self._nodes(container, node.children, loc, replace(run_format, link=True))
            elif isinstance(node, LineBreak):
                container.append(ox.new_run(run_format.rpr(), line_break=True))

    # document properties -------------------------------------------------------------------------
    def _properties(self) -> None:
        releases = " ".join(section.catalog_id for section in self.contents.releases)
        core = self.doc.core_properties
        core.title = core_property(f"Translation review [{self.lang}]: {releases}")
        core.subject = core_property(f"{self.project.name}: {self.project.source_lang} → {self.lang}")
        core.author = core.last_modified_by = "transpub"
        core.comments = "Bilingual review document made by 'transpub review export'; read back by 'transpub review import'."
        core.keywords = fmt.MARKER
        core.language = bcp47(self.lang)
        core.created = core.modified = self.moment.replace(tzinfo=None)
        core.revision = 1
        properties = {
            fmt.MARKER: fmt.FORMAT_VERSION,
            fmt.PROPERTY_LANG: self.lang,
            fmt.PROPERTY_PROJECT: self.project.name,
            fmt.PROPERTY_EXPORTED: self.moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            fmt.PROPERTY_RELEASES: releases,
        }
        if self.contents.reviewer:
            properties[fmt.PROPERTY_REVIEWER] = self.contents.reviewer
        package = self.doc.part.package
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, _custom_xml(properties), package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _render_token(raw: str, loc: LocalizedRelease | None) -> str:
    if loc is None:
        return raw
    try:
        return loc.fmt.render_token(raw)
    except TokenError:
        return raw


def _custom_xml(properties: Mapping[str, str]) -> bytes:
    ns = fmt.CUSTOM_PROPERTIES_NS
    root = etree.Element(f"{{{ns}}}Properties", nsmap={None: ns, "vt": VT_NS})
    for pid, (name, value) in enumerate(properties.items(), 2):  # pids start at 2 by the spec
        prop = etree.SubElement(root, f"{{{ns}}}property", fmtid=FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = ox.xml_safe(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


__all__ = ["ReviewExport", "export_review", "make_review_document", "render_review_docx"]
