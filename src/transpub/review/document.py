"""The bilingual review document: export catalogs to a Word table, import the reviewer's edits back.

A reviewer works in Word or LibreOffice, not in a PO editor. :func:`export_review` writes one DOCX per
language: a header (releases, language, date, segments per state, how to review), then per release a
table with one row per segment::

    ID                     | Source (ja)          | Translation (fr)          | State    | Comment
    2023-…-assemblies#3    | 2023年7月6日、…       | Le {date:2023-07-06}, …   | machine  |
    paragraph · line 14    | (tokens rendered in  | (the raw msgstr: tokens   |          |
    k:1f0c9e2a7b44         |  the source language)|  as written, editable)    |          |

and a last table for the names.po entries the releases need (publisher, organizations). Rows that are
not reviewed are shaded: yellow machine translation, orange source changed since review, red
untranslated.

What the reviewer does (the vocabulary :func:`import_review` understands)
    * corrects the text in the Translation column (tokens such as ``{country:KZ}`` may move, never change;
      a correction that loses or alters a token, a link or markup is rejected with the reason);
    * writes in the State column, case-insensitively:
      ``approved`` — also ``approve``, ``ok``, ``okay``, ``reviewed``, ``✓``, ``✔`` — to approve the row
      (the entry becomes reviewed: ``#, fuzzy`` and ``#|`` cleared); ``needs work`` — also ``fuzzy``,
      ``machine``, ``changed``, ``untranslated`` — to send a row back (``#, fuzzy`` set); leaving the
      exported word (or emptying the cell) keeps the state. A corrected row keeps its state unless
      approved; an untranslated row that gets a translation without approval becomes fuzzy;
    * writes notes for the translator in the Comment column (Word comments anchored in the row count
      too): they become translator comments (``# review: …``) in the PO file.

Hidden data (how rows are matched): the ID cell holds the visible row id ``<release-id>#<n>`` (or
``names.po#<n>``) and ``k:<hash>``, the first 12 hex digits of SHA-256 of ``msgctxt \\x04 msgid``
(small, grey); then a hidden run (``w:vanish``) ``t:<hash> s:<state>`` with the hash of the exported
msgstr and the exported state. Rows are matched to entries by ``k`` (sorting or deleting rows is
harmless); ``t`` tells whether the reviewer edited the translation and whether the catalog changed since
export (a conflict: the row is not applied). The raw msgid and msgstr are not copied into the document:
the msgid is in the catalog, found again by its hash, and the exported msgstr is the visible cell; hashes
alone detect every change. The document itself is recognized by custom document properties
(File > Properties > Custom): ``transpub-review`` (the format version, 1), ``transpub-lang``,
``transpub-project``, ``transpub-exported``, ``transpub-releases``. Word and LibreOffice keep hidden runs
and custom properties when they save. In a right-to-left translation (Arabic) each token is shown between
two LEFT-TO-RIGHT MARKs (U+200E) so its braces are not mirrored apart; import removes exactly those marks.

Reading untrusted files: at most :data:`MAX_DOCX_BYTES` (20 MB); a file that is not a zip package, a
damaged one, one whose parts unpack to more than :data:`MAX_PART_BYTES` / :data:`MAX_UNPACKED_BYTES`
(a zip bomb), or one with a DTD (``<!DOCTYPE`` / ``<!ENTITY``, which Word never writes) in any XML part
is refused before python-docx parses it (python-docx's lxml parser does not resolve entities either).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import polib
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell, _Row
from lxml import etree

from .. import __version__
from ..catalogs.pofile import index_entries, read_catalog, write_catalog
from ..catalogs.states import State, entry_state, mark_reviewed
from .. import clock
from ..config import SAFE_ID_RE, Project
from ..errors import ReviewError, TokenError
from ..fsutil import project_lock
from ..localize.names import names_needed
from ..localize.release import LocalizedRelease, catalog_for
from ..localize.ui import bcp47, language_name, text_direction
from ..render import docx_oxml as ox
from ..source.inline import text_to_inline
from ..source.model import (
    Code,
    Emphasis,
    Inline,
    LineBreak,
    Link,
    Plain,
    Release,
    Strong,
)
from ..source.reader import read_releases
from ..source.tokens import split_tokens
from .checks import CatalogContext, Severity, catalog_context, check_translation

FORMAT_VERSION = "1"
MARKER = "transpub-review"
NAMES_ID = "names.po"

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 160 * 1024 * 1024
MAX_PARTS = 2000

APPROVE_WORDS = frozenset({"approved", "approve", "ok", "okay", "reviewed", "✓", "✔", "☑", "✅"})
UNAPPROVE_WORDS = frozenset({"needs work", "fuzzy", "machine", "changed", "untranslated"})

REVIEW_COMMENT_PREFIX = "review: "

FILLS = {State.MACHINE: "FFF2CC", State.CHANGED: "FBE0C3", State.UNTRANSLATED: "F8D3D3"}
TOKEN_FILL_SOURCE = "E7E6E6"
TOKEN_FILL_TRANSLATION = "DDEBF7"
HEADER_FILL = "D9D9D9"
LRM = "\u200e"
_MARKED_TOKEN_RE = re.compile(LRM + r"(\{[A-Za-z_]+:[^{}\n]*\})" + LRM)
GREY = RGBColor(0x6E, 0x6E, 0x6E)
COLUMN_WIDTHS = (Cm(3.1), Cm(7.8), Cm(8.5), Cm(2.9), Cm(4.4))  # A4 landscape, 1.5 cm margins

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the property set of user-defined properties

_ROW_ID_RE = re.compile(r"^\s*(?P<catalog>[A-Za-z0-9][A-Za-z0-9._-]*)#(?P<n>\d+)")
_KEY_RE = re.compile(r"\bk:([0-9a-f]{12})\b")
_TEXT_HASH_RE = re.compile(r"\bt:([0-9a-f]{12})\b")
_STATE_RE = re.compile(r"\bs:([a-z]+)\b")


# --- identities -----------------------------------------------------------------------------------


def entry_hash(msgctxt: str | None, msgid: str) -> str:
    """The row key: the entry's (msgctxt, msgid), as gettext joins them (``\\x04``), hashed."""
    return _hash((msgctxt + "\x04" if msgctxt is not None else "") + msgid)


def text_hash(text: str) -> str:
    return _hash(ox.xml_safe(text))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now.astimezone(dt.timezone.utc) if now is not None else clock.now()


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    row_id: str
    entry: polib.POEntry
    state: State
    note: str  # what kind of text and where: "paragraph · line 14", "full name of organization WIPO"


@dataclass(frozen=True)
class ExportSection:
    catalog_id: str  # a release id, or "names.po"
    heading: str
    rows: tuple[ExportRow, ...]
    loc: LocalizedRelease | None  # renders the source's tokens (source language)


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


def export_review(project: Project, lang: str, release_id: str | None = None, *, now: dt.datetime | None = None) -> bytes:
    """The review document (DOCX bytes) for ``lang``: every release, or the one asked for."""
    return make_review_document(project, lang, release_id, now=now).data


def make_review_document(
    project: Project, lang: str, release_id: str | None = None, *, now: dt.datetime | None = None
) -> ReviewExport:
    _check_target(project, lang)
    moment = _now(now)
    releases = read_releases(project, release_id)
    sections: list[ExportSection] = []
    for release in releases:
        catalog = catalog_for(project, release, lang)
        if catalog is None:
            if release_id is not None:
                raise ReviewError(f"no {lang} catalog for {release.id} yet (run 'transpub update --lang {lang}')",
                                  path=project.catalog_path(lang, release.id))  # fmt: skip
            continue
        loc = LocalizedRelease(project, release, project.source_lang)
        rows = tuple(
            ExportRow(f"{release.id}#{n}", entry, entry_state(entry), _note(entry))
            for n, entry in enumerate(_active(catalog), 1)
        )
        title = loc.plain(release.title)
        sections.append(ExportSection(release.id, f"{release.id} — {title}", rows, loc))
    if not sections:
        raise ReviewError(f"nothing to review in {lang}: no catalogs yet (run 'transpub update --lang {lang}')")
    names_section = _names_section(project, lang, [r for r in releases if any(s.catalog_id == r.id for s in sections)])
    if names_section is not None:
        sections.append(names_section)

    counts = Counter(row.state.value for section in sections for row in section.rows)
    ordered = {state.value: counts.get(state.value, 0) for state in State}
    doc = _ReviewWriter(project, lang, moment).write(sections, ordered)
    return ReviewExport(doc, lang, tuple(s.catalog_id for s in sections if s.catalog_id != NAMES_ID), ordered)


def _check_target(project: Project, lang: str) -> None:
    if lang == project.source_lang:
        raise ReviewError(f"{lang} is the source language; review one of the target languages ({', '.join(project.languages)})")
    if lang not in project.languages:
        raise ReviewError(f"language {lang!r} is not in this project (languages: {', '.join(project.languages)})",
                          path=project.config_path)  # fmt: skip


def _active(catalog: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalog if not entry.obsolete and entry.msgid]


def _note(entry: polib.POEntry) -> str:
    kind = (entry.comment or "").split("\n")[0]
    lines = sorted({int(line) for _path, line in entry.occurrences if str(line).isdigit()})
    where = f"line {', '.join(map(str, lines))}" if lines else ""
    return " · ".join(part for part in (kind, where) if part)


def _names_section(project: Project, lang: str, releases: list[Release]) -> ExportSection | None:
    path = project.names_path(lang)
    if not path.exists() or not releases:
        return None
    catalog = read_catalog(path)
    needed: list[tuple[str, str]] = []
    for release in releases:
        needed += [key for key in names_needed(project, release) if key not in needed]
    index = index_entries(catalog)
    order = {id(entry): n for n, entry in enumerate(_active(catalog), 1)}
    rows = []
    for context, msgid in needed:
        entry = index.get((context, msgid))
        if entry is not None:
            rows.append(ExportRow(f"{NAMES_ID}#{order[id(entry)]}", entry, entry_state(entry),
                                  entry.comment.split("\n")[0].split(";")[0] if entry.comment else context))  # fmt: skip
    if not rows:
        return None
    return ExportSection(NAMES_ID, "Names (names.po): the publisher and organizations", tuple(rows), None)


class _ReviewWriter:
    """Builds the document; kept apart from the data gathering so each stays readable."""

    def __init__(self, project: Project, lang: str, moment: dt.datetime):
        self.project = project
        self.lang = lang
        self.moment = moment
        self.source = _Language(project.source_lang)
        self.target = _Language(lang)
        self.doc = Document()

    def write(self, sections: list[ExportSection], counts: Mapping[str, int]) -> bytes:
        self._setup()
        self._header(sections, counts)
        for section in sections:
            self.doc.add_heading(section.heading, level=1)
            self._table(section)
        self._properties(sections)
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    # layout --------------------------------------------------------------------------------------
    def _setup(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(1.5))
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(2)

    def _header(self, sections: list[ExportSection], counts: Mapping[str, int]) -> None:
        doc = self.doc
        doc.add_paragraph(f"Translation review: {language_name(self.lang)} ({self.lang})", style="Title")
        releases = [s.catalog_id for s in sections if s.catalog_id != NAMES_ID]
        rows = sum(counts.values())
        facts = (
            ("Releases", ", ".join(releases)),
            ("Languages", f"{language_name(self.project.source_lang)} ({self.project.source_lang}) → "
                          f"{language_name(self.lang)} ({self.lang})"),
            ("Exported", f"{self.moment:%Y-%m-%d %H:%M} UTC by transpub {__version__} ({self.project.name})"),
            ("Segments", f"{rows}: " + ", ".join(f"{state} {n}" for state, n in counts.items())),
        )  # fmt: skip
        for label, value in facts:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
        doc.add_paragraph("How to review", style="Heading 2")
        steps = (
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
        for step in steps:
            doc.add_paragraph(step, style="List Number")

    def _table(self, section: ExportSection) -> None:
        table = self.doc.add_table(rows=1, cols=5)
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
            paragraph = cell.paragraphs[0]
            paragraph.add_run(first).bold = True
            if rest:
                small = paragraph.add_run("\n" + rest)
                small.font.size, small.font.color.rgb = Pt(7.5), GREY
            ox.shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
        for row in section.rows:
            self._row(table.add_row(), row, section)

    def _row(self, table_row: _Row, row: ExportRow, section: ExportSection) -> None:
        cells = table_row.cells
        for cell, width in zip(cells, COLUMN_WIDTHS):
            cell.width = width
        entry = row.entry
        # ID: visible id, what and where, the key; hidden: exported translation hash and state
        ident = cells[0].paragraphs[0]
        run = ident.add_run(row.row_id)
        run.font.size, run.bold = Pt(8), True
        if row.note:
            note = cells[0].add_paragraph().add_run(row.note)
            note.font.size, note.font.color.rgb = Pt(7), GREY
        keys = cells[0].add_paragraph()
        key = keys.add_run(f"k:{entry_hash(entry.msgctxt, entry.msgid)}")
        key.font.size, key.font.color.rgb = Pt(6.5), GREY
        hidden = keys.add_run(f" t:{text_hash(entry.msgstr)} s:{row.state.value}")
        hidden.font.size, hidden.font.hidden = Pt(6.5), True
        # source, tokens rendered in the source language
        source = cells[1].paragraphs[0]
        self._inline(source, text_to_inline(entry.msgid), section.loc, self.source)
        if row.state is State.CHANGED and entry.previous_msgid:
            before = cells[1].add_paragraph()
            label = before.add_run("Before the change: ")
            label.font.size, label.font.color.rgb, label.italic = Pt(8), GREY, True
            self._inline(before, text_to_inline(entry.previous_msgid), section.loc, self.source, small=True)
        # translation: the raw msgstr, tokens marked but as written
        translation = cells[2].paragraphs[0]
        self.target.paragraph(translation)
        for index, part in enumerate(split_tokens(ox.xml_safe(entry.msgstr))):
            if part and index % 2:
                # in a right-to-left paragraph the braces of a token would be mirrored and moved apart;
                # left-to-right marks keep "{country:KZ}" readable as written (removed again on import)
                text = f"{LRM}{part}{LRM}" if self.target.rtl else part
                self._run(translation, text, self.target, fill=TOKEN_FILL_TRANSLATION)
            elif part:
                self._run(translation, part, self.target)
        # state and comment
        self._run(cells[3].paragraphs[0], row.state.value, None)
        fill = FILLS.get(row.state)
        if fill:
            for cell in cells[:4]:
                ox.shade(cell._tc.get_or_add_tcPr(), fill)

    # text ----------------------------------------------------------------------------------------
    def _inline(self, paragraph, nodes: Iterable[Inline], loc: LocalizedRelease | None, language: "_Language",
                *, small: bool = False, style: frozenset[str] = frozenset()) -> None:  # fmt: skip
        language.paragraph(paragraph)
        for node in nodes:
            if isinstance(node, Plain):
                for index, part in enumerate(split_tokens(node.text)):
                    if not part:
                        continue
                    if index % 2:
                        self._run(paragraph, _render_token(part, loc), language, style=style, small=small,
                                  fill=TOKEN_FILL_SOURCE)  # fmt: skip
                    else:
                        self._run(paragraph, part, language, style=style, small=small)
            elif isinstance(node, Code):
                self._run(paragraph, node.text, language, style=style | {"code"}, small=small)
            elif isinstance(node, Emphasis):
                self._inline(paragraph, node.children, loc, language, small=small, style=style | {"italic"})
            elif isinstance(node, Strong):
                self._inline(paragraph, node.children, loc, language, small=small, style=style | {"bold"})
            elif isinstance(node, Link):
                self._inline(paragraph, node.children, loc, language, small=small, style=style | {"link"})
            elif isinstance(node, LineBreak):
                paragraph.add_run().add_break()

    def _run(self, paragraph, text: str, language: "_Language | None", *, style: frozenset[str] = frozenset(),
             small: bool = False, fill: str | None = None):  # fmt: skip
        run = paragraph.add_run(ox.xml_safe(text))
        if "bold" in style:
            run.bold = True
        if "italic" in style:
            run.italic = True
        if "link" in style:
            run.underline = True
            run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
        if "code" in style:
            run.font.name = "Courier New"
        if small:
            run.font.size = Pt(8)
            run.font.color.rgb = GREY
        rpr = run._r.get_or_add_rPr()
        if fill:
            ox.set_child(rpr, "shd", val="clear", color="auto", fill=fill)
        if language is not None:
            language.run(rpr, text)
        return run

    # document properties -------------------------------------------------------------------------
    def _properties(self, sections: list[ExportSection]) -> None:
        releases = " ".join(s.catalog_id for s in sections if s.catalog_id != NAMES_ID)
        core = self.doc.core_properties
        core.title = f"Translation review [{self.lang}]: {releases}"[:250]
        core.subject = f"{self.project.name}: {self.project.source_lang} → {self.lang}"[:250]
        core.author = core.last_modified_by = "transpub"
        core.comments = "Bilingual review document made by 'transpub review export'; read back by 'transpub review import'."
        core.keywords = MARKER
        core.language = bcp47(self.lang)
        core.created = core.modified = self.moment.replace(tzinfo=None)
        core.revision = 1
        properties = {
            MARKER: FORMAT_VERSION,
            "transpub-lang": self.lang,
            "transpub-project": self.project.name,
            "transpub-exported": self.moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "transpub-releases": releases,
        }
        package = self.doc.part.package
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, _custom_xml(properties), package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)


@dataclass(frozen=True)
class _Language:
    """How runs of one language are marked for Word: language tag (spell-checking), script, direction."""

    lang: str

    @property
    def tag(self) -> str:
        return bcp47(self.lang)

    @property
    def east_asian(self) -> bool:
        return self.lang.split("_")[0] in ("ja", "zh", "ko")

    @property
    def rtl(self) -> bool:
        return text_direction(self.lang) == "rtl"

    def paragraph(self, paragraph) -> None:
        if self.rtl:
            ox.set_child(paragraph._p.get_or_add_pPr(), "bidi")

    def run(self, rpr, text: str) -> None:
        if self.east_asian:
            ox.set_child(rpr, "rFonts", hint="eastAsia")
        if self.rtl and any(_is_rtl_char(ch) for ch in text):
            ox.set_child(rpr, "rtl")
        ox.set_child(rpr, "lang", **ox.lang_attrs(self.tag, east_asian=self.east_asian, rtl=self.rtl))


def _is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _render_token(raw: str, loc: LocalizedRelease | None) -> str:
    if loc is None:
        return raw
    try:
        return loc.fmt.render_token(raw)
    except TokenError:
        return raw


def _custom_xml(properties: Mapping[str, str]) -> bytes:
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for pid, (name, value) in enumerate(properties.items(), 2):  # pids start at 2 by the spec
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = ox.xml_safe(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- reading a document back ----------------------------------------------------------------------


def read_review_file(path: Path) -> bytes:
    """The bytes of a review document on disk, refusing oversized files before reading them."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCX_BYTES:
            raise ReviewError(f"the file is {size / 1048576:.1f} MB; a review document is at most "
                              f"{MAX_DOCX_BYTES // 1048576} MB", path=path)  # fmt: skip
        return path.read_bytes()
    except OSError as exc:
        raise ReviewError(f"cannot read the review document: {exc.strerror or exc}", path=path) from exc


_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_DTD_MARKS = tuple(
    mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def open_review_docx(data: bytes, path_label: str) -> DocxDocument:
    """A python-docx Document from untrusted bytes, or a ReviewError saying why the file is refused."""

    def refuse(why: str) -> ReviewError:
        return ReviewError(why, path=path_label)

    if len(data) > MAX_DOCX_BYTES:
        raise refuse(f"the file is {len(data) / 1048576:.1f} MB; a review document is at most {MAX_DOCX_BYTES // 1048576} MB")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise refuse("an old-format (.doc) or password-protected Word file; save it as .docx without a password")
    if data[:2] != b"PK":
        raise refuse("not a Word document (.docx): the file is not a zip package")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise refuse(f"not a Word document (.docx): damaged zip package ({exc})") from None
    if len(infos) > MAX_PARTS:
        raise refuse(f"not a review document: {len(infos)} parts in the package")
    names = {info.filename for info in infos}
    for required in ("[Content_Types].xml", "word/document.xml"):
        if required not in names:
            raise refuse(f"not a Word document (.docx): the package has no {required}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse("the package is encrypted")
        if info.file_size > MAX_PART_BYTES or total + info.file_size > MAX_UNPACKED_BYTES:
            raise refuse(f"refused: {info.filename} unpacks to {info.file_size} bytes (a zip bomb?)")
        body = _read_capped(archive, info, min(MAX_PART_BYTES, MAX_UNPACKED_BYTES - total), refuse)
        total += len(body)
        if any(mark in body for mark in _DTD_MARKS):
            raise refuse(f"refused: {info.filename} declares a DTD or entities (<!DOCTYPE/<!ENTITY>), which Word never writes")
    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… for broken packages
        raise refuse(f"not a Word document (.docx) that can be read: {type(exc).__name__}: {exc}") from exc


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, refuse) -> bytes:
    """A part's bytes, decompressing at most ``limit`` (+1) bytes whatever its header claims."""
    chunks, size = [], 0
    try:
        with archive.open(info) as handle:
            while True:
                chunk = handle.read(min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise refuse(f"refused: {info.filename} unpacks to more than {limit} bytes (a zip bomb?)")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise refuse(f"not a Word document (.docx): damaged part {info.filename} ({exc})") from None
    return b"".join(chunks)


def custom_properties(doc: DocxDocument) -> dict[str, str]:
    """The document's user-defined properties (docProps/custom.xml), name -> text."""
    package = doc.part.package
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            try:
                root = etree.fromstring(rel.target_part.blob, _SAFE_XML)
            except etree.XMLSyntaxError:
                return {}
            return {
                prop.get("name", ""): "".join(prop.itertext()).strip()
                for prop in root.iter(f"{{{CUSTOM_NS}}}property")
            }
    return {}


@dataclass(frozen=True)
class ReviewRow:
    """One table row as the reviewer left it."""

    row_id: str
    catalog_id: str
    key: str | None
    exported_hash: str | None
    exported_state: str | None
    translation: str
    state: str
    comment: str


def read_review_rows(doc: DocxDocument) -> Iterator[ReviewRow]:
    """Every row of every table whose first cell carries a row id (header rows and others are skipped)."""
    comments = None
    for table in doc.tables:
        for row in table.rows:
            cells = _distinct_cells(row)
            if len(cells) < 5:
                continue
            ident = cell_text(cells[0])
            match = _ROW_ID_RE.match(ident)
            if not match:
                continue
            notes = [cell_text(cells[4]).strip()]
            ids = row._tr.xpath(".//w:commentRangeStart/@w:id | .//w:commentReference/@w:id")
            if ids:
                comments = comments if comments is not None else doc.comments
                for comment_id in dict.fromkeys(ids):
                    comment = comments.get(int(comment_id)) if str(comment_id).isdigit() else None
                    if comment is not None and comment.text.strip():
                        notes.append(comment.text.strip())
            key, text_key, state = _KEY_RE.search(ident), _TEXT_HASH_RE.search(ident), _STATE_RE.search(ident)
            yield ReviewRow(
                row_id=f"{match.group('catalog')}#{match.group('n')}",
                catalog_id=match.group("catalog"),
                key=key.group(1) if key else None,
                exported_hash=text_key.group(1) if text_key else None,
                exported_state=state.group(1) if state else None,
                translation=_MARKED_TOKEN_RE.sub(r"\1", cell_text(cells[2])),
                state=cell_text(cells[3]),
                comment="\n".join(note for note in notes if note),
            )


def _distinct_cells(row: _Row) -> list[_Cell]:
    """The row's cells, a horizontally merged cell once (python-docx repeats it per grid column)."""
    seen, cells = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


_W = f"{{{W_NS}}}"
_SKIPPED_CHANGES = {_W + "del", _W + "moveFrom"}


def cell_text(cell: _Cell) -> str:
    """A cell's text as the reviewer sees it with tracked changes accepted: insertions in, deletions out.

    python-docx's ``cell.text`` reads only direct runs of each paragraph, so it would miss text typed with
    Track Changes on (inside ``w:ins``). Paragraphs are joined with newlines; ``w:br`` is a newline and
    ``w:tab`` a tab. Hidden (``w:vanish``) text is included: the ID cell keeps its hashes there.
    """
    paragraphs = []
    for paragraph in cell._tc.iterchildren(_W + "p", _W + "sdt", _W + "customXml"):
        for p in ([paragraph] if paragraph.tag == _W + "p" else paragraph.iter(_W + "p")):
            paragraphs.append("".join(_paragraph_text(p)))
    return "\n".join(paragraphs)


def _paragraph_text(p) -> Iterator[str]:
    def walk(element) -> Iterator[str]:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED_CHANGES or tag == _W + "pPr" or tag == _W + "rPr":
                continue
            if tag == _W + "t":
                yield child.text or ""
            elif tag in (_W + "br", _W + "cr"):
                yield "\n"
            elif tag == _W + "tab":
                yield "\t"
            elif tag == _W + "noBreakHyphen":
                yield "\u2011"
            elif tag == _W + "p":
                continue  # a text box's paragraph inside a run is not the cell's text
            else:
                yield from walk(child)

    return walk(p)


# --- applying it ----------------------------------------------------------------------------------


class Outcome(str, Enum):
    APPLIED = "applied"  # correction, sent back, or comment written
    APPROVED = "approved"  # reviewed now (with or without a correction)
    CONFLICT = "conflict"  # the catalog changed since export: nothing applied
    REJECTED = "rejected"  # the row asks for something invalid: nothing applied
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RowResult:
    row_id: str
    outcome: Outcome
    detail: str = ""

    def line_text(self, path_label: str) -> str:
        return f"{path_label}: {self.row_id}: {self.outcome.value}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class ImportReport:
    path_label: str
    lang: str
    rows: tuple[RowResult, ...]
    written: tuple[str, ...] = ()  # catalogs written, relative to the project

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(row.outcome.value for row in self.rows)
        return {outcome.value: counts.get(outcome.value, 0) for outcome in Outcome}

    @property
    def problems(self) -> tuple[RowResult, ...]:
        return tuple(row for row in self.rows if row.outcome in (Outcome.CONFLICT, Outcome.REJECTED))

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts.items())
        files = f"; wrote {', '.join(self.written)}" if self.written else "; no catalog changed"
        return f"{self.path_label} [{self.lang}]: {len(self.rows)} row(s): {counts}{files}"

    def as_dict(self) -> dict:
        return {
            "path": self.path_label,
            "lang": self.lang,
            "counts": self.counts,
            "written": list(self.written),
            "rows": [{"id": r.row_id, "outcome": r.outcome.value, "detail": r.detail} for r in self.rows],
        }


@dataclass
class _Catalog:
    path: Path
    po: polib.POFile
    by_key: dict[str, polib.POEntry]
    changed: bool = False


@dataclass
class _Importer:
    project: Project
    lang: str
    path_label: str
    catalogs: dict[str, _Catalog | None] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)  # (catalog id, key) of rows applied so far
    context: CatalogContext = field(init=False)

    def __post_init__(self) -> None:
        self.context = catalog_context(self.project, self.lang)

    def catalog(self, catalog_id: str) -> _Catalog | None:
        if catalog_id not in self.catalogs:
            if catalog_id == NAMES_ID:
                path = self.project.names_path(self.lang)
            elif SAFE_ID_RE.fullmatch(catalog_id):
                path = self.project.catalog_path(self.lang, catalog_id)
            else:
                path = None
            if path is None or not path.exists():
                self.catalogs[catalog_id] = None
            else:
                po = read_catalog(path)
                by_key = {entry_hash(e.msgctxt, e.msgid): e for e in _active(po)}
                self.catalogs[catalog_id] = _Catalog(path, po, by_key)
        return self.catalogs[catalog_id]

    def apply(self, row: ReviewRow) -> RowResult:
        def result(outcome: Outcome, detail: str = "") -> RowResult:
            return RowResult(row.row_id, outcome, detail)

        if row.key is None or row.exported_hash is None or row.exported_state is None:
            return result(Outcome.REJECTED, "the ID cell was changed, so this row cannot be matched to its segment")
        decision = _decision(row.state, row.exported_state)
        if decision is None:
            return result(Outcome.REJECTED, f"State {row.state.strip()!r} is not understood: write approved (or ok, ✓) to "
                                            "approve, needs work to send back, or leave it as exported")  # fmt: skip
        text = row.translation.strip()
        edited = row.exported_hash not in (text_hash(row.translation), text_hash(text))
        comment_lines = [line.strip() for line in row.comment.splitlines() if line.strip()]
        if not edited and decision == "keep" and not comment_lines:
            return result(Outcome.UNCHANGED)

        catalog = self.catalog(row.catalog_id)
        if catalog is None:
            return result(Outcome.REJECTED, f"there is no {self.lang} catalog for {row.catalog_id!r} in this project")
        if (row.catalog_id, row.key) in self.seen:
            return result(Outcome.REJECTED, "this segment has another row earlier in the document; only the first is applied")
        self.seen.add((row.catalog_id, row.key))
        entry = catalog.by_key.get(row.key)
        if entry is None:
            return result(Outcome.CONFLICT, "the source text of this segment changed (or it was removed) since export; "
                                            "export a new review document")  # fmt: skip
        current = entry.msgstr
        if text_hash(current) != row.exported_hash and not (edited and text == ox.xml_safe(current).strip()):
            return result(Outcome.CONFLICT, f"the translation in the catalog changed since export (now: "
                                            f"{_excerpt(current) or 'empty'}); nothing applied")  # fmt: skip
        if edited and text == ox.xml_safe(current).strip():
            edited = False  # this very correction is already in the catalog (a second import of the document)

        new_text = text if edited else current
        if edited and not new_text:
            return result(Outcome.REJECTED, "the Translation cell is empty; to send a segment back write needs work "
                                            "in its State column")  # fmt: skip
        if decision == "approve" and not new_text.strip():
            return result(Outcome.REJECTED, "cannot approve an empty translation")
        if edited or decision == "approve":
            errors = [i.message for i in check_translation(self.context, entry.msgid, new_text, entry.flags)
                      if i.level is Severity.ERROR]  # fmt: skip
            if errors:
                verb = "correction rejected" if edited else "cannot approve"
                return result(Outcome.REJECTED, f"{verb}: " + "; ".join(errors))

        details: list[str] = []
        state_before = entry_state(entry)
        if edited:
            entry.msgstr = new_text
            details.append("translation corrected")
        approved = False
        if decision == "approve":
            if state_before is not State.REVIEWED or entry.previous_msgid:
                mark_reviewed(entry)
                approved = True
        elif decision == "needs work" or (edited and state_before is State.UNTRANSLATED):
            if "fuzzy" not in entry.flags and entry.msgstr.strip():
                entry.flags.insert(0, "fuzzy")
                details.append("marked fuzzy (needs review)" if decision == "keep" else "sent back (fuzzy)")
        existing = (entry.tcomment or "").split("\n") if entry.tcomment else []
        new_comments = [REVIEW_COMMENT_PREFIX + line for line in comment_lines]
        added = [line for line in new_comments if line not in existing]
        if added:
            entry.tcomment = "\n".join(existing + added)
            details.append(f"{len(added)} comment line(s) added")
        if approved:
            catalog.changed = True
            return result(Outcome.APPROVED, ", ".join(details))
        if details:
            catalog.changed = True
            return result(Outcome.APPLIED, ", ".join(details))
        return result(Outcome.UNCHANGED, "already as the document says")


def _decision(state_cell: str, exported: str | None) -> str | None:
    """approve / needs work / keep, or None when the State cell says something else."""
    words = _normalize_state(state_cell)
    if not words or words == exported:
        return "keep"
    if exported and words.startswith(exported + " "):
        words = _normalize_state(words[len(exported) :])  # "machine → approved"
    if words in APPROVE_WORDS:
        return "approve"
    if words in UNAPPROVE_WORDS:
        return "needs work" if words != exported else "keep"
    return None


def _normalize_state(text: str) -> str:
    words = " ".join(text.split()).casefold()
    return words.strip(" .,;:!-–—→>*\"'()[]")


def _excerpt(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…") if text else ""


def import_review(project: Project, data: bytes, *, path_label: str, now: dt.datetime | None = None) -> ImportReport:
    """Apply a reviewed document to the catalogs; every row's outcome is in the report.

    Rows are validated one by one; the valid ones are applied and every changed catalog is written
    atomically, all under the project lock. A row whose catalog entry changed since export is a
    conflict and a row asking for something invalid is rejected: neither changes anything, and the
    others still apply. Importing the same document twice changes nothing the second time.
    """
    doc = open_review_docx(data, path_label)
    properties = custom_properties(doc)
    version = properties.get(MARKER)
    if version is None:
        raise ReviewError("not a transpub review document (it has no transpub-review property); make one with "
                          "'transpub review export'", path=path_label)  # fmt: skip
    if version != FORMAT_VERSION:
        raise ReviewError(f"review document format {version!r} is not supported (this transpub reads format "
                          f"{FORMAT_VERSION})", path=path_label)  # fmt: skip
    lang = properties.get("transpub-lang", "")
    if lang not in project.languages:
        raise ReviewError(f"the document reviews language {lang!r}, which is not a target language of this project "
                          f"({', '.join(project.languages)})", path=path_label)  # fmt: skip
    rows = list(read_review_rows(doc))
    if not rows:
        raise ReviewError("the review document has no segment rows (was the table deleted?)", path=path_label)

    with project_lock(project.root):
        importer = _Importer(project, lang, path_label)
        results = tuple(importer.apply(row) for row in rows)
        stamp = _now(now).strftime("%Y-%m-%d %H:%M+0000")
        written = []
        for catalog in importer.catalogs.values():
            if catalog is not None and catalog.changed:
                if "PO-Revision-Date" in catalog.po.metadata:
                    catalog.po.metadata["PO-Revision-Date"] = stamp
                if write_catalog(catalog.path, catalog.po):
                    written.append(project.shown(catalog.path))  # a symlinked catalog is named as the project names it
    return ImportReport(path_label, lang, results, tuple(written))


__all__ = [
    "APPROVE_WORDS",
    "UNAPPROVE_WORDS",
    "ImportReport",
    "Outcome",
    "ReviewExport",
    "RowResult",
    "export_review",
    "import_review",
    "make_review_document",
    "open_review_docx",
    "read_review_file",
]
