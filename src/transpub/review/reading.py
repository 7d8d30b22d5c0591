"""Reading a review document back: which document it is, and every segment row as the reviewer left it.

The bytes are opened by :mod:`.docx_guard` (which refuses what is not safe to parse); this module only
interprets the result: the custom properties that mark a transpub review document, and the table rows
whose ID cell carries a row id (see :mod:`.docformat`). A cell's text is read with tracked changes
accepted, and Word comments anchored in a row count as notes in its Comment column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.table import _Cell, _Row
from lxml import etree

from ..errors import ReviewError
from . import docformat as fmt
from .docx_guard import open_review_docx

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


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


@dataclass(frozen=True)
class ReviewDocument:
    """A transpub review document read back: the language it reviews and its segment rows."""

    lang: str
    properties: dict[str, str]
    rows: tuple[ReviewRow, ...]


def read_review_document(data: bytes, path_label: str) -> ReviewDocument:
    """Untrusted DOCX bytes -> the review document they hold, or a ReviewError saying why not."""
    doc = open_review_docx(data, path_label)
    properties = custom_properties(doc)
    version = properties.get(fmt.MARKER)
    if version is None:
        raise ReviewError("not a transpub review document (it has no transpub-review property); make one with "
                          "'transpub review export'", path=path_label)  # fmt: skip
    if version != fmt.FORMAT_VERSION:
        raise ReviewError(f"review document format {version!r} is not supported (this transpub reads format "
                          f"{fmt.FORMAT_VERSION})", path=path_label)  # fmt: skip
    return ReviewDocument(properties.get(fmt.PROPERTY_LANG, ""), properties, tuple(read_review_rows(doc)))


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
                for prop in root.iter(f"{{{fmt.CUSTOM_PROPERTIES_NS}}}property")
            }
    return {}


def read_review_rows(doc: DocxDocument) -> Iterator[ReviewRow]:
    """Every row of every table whose first cell carries a row id (header rows and others are skipped)."""
    comments = None
    for table in doc.tables:
        for row in table.rows:
            cells = _distinct_cells(row)
            if len(cells) < len(fmt.COLUMNS):
                continue
            identity = fmt.parse_id_cell(cell_text(cells[fmt.ID]))
            if identity is None:
                continue
            notes = [cell_text(cells[fmt.COMMENT]).strip()]
            ids = row._tr.xpath(".//w:commentRangeStart/@w:id | .//w:commentReference/@w:id")
            if ids:
                comments = comments if comments is not None else doc.comments
                for comment_id in dict.fromkeys(ids):
                    comment = comments.get(int(comment_id)) if str(comment_id).isdigit() else None
                    if comment is not None and comment.text.strip():
                        notes.append(comment.text.strip())
            yield ReviewRow(
                row_id=identity.row_id,
                catalog_id=identity.catalog_id,
                key=identity.key,
                exported_hash=identity.exported_hash,
                exported_state=identity.exported_state,
                translation=fmt.unmark_tokens(cell_text(cells[fmt.TRANSLATION])),
                state=cell_text(cells[fmt.STATE]),
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


_P, _SDT, _CUSTOM_XML = qn("w:p"), qn("w:sdt"), qn("w:customXml")
_SKIPPED = {qn("w:del"), qn("w:moveFrom"), qn("w:pPr"), qn("w:rPr")}
_T, _BREAKS, _TAB, _NO_BREAK_HYPHEN = qn("w:t"), {qn("w:br"), qn("w:cr")}, qn("w:tab"), qn("w:noBreakHyphen")


def cell_text(cell: _Cell) -> str:
    """A cell's text as the reviewer sees it with tracked changes accepted: insertions in, deletions out.

    python-docx's ``cell.text`` reads only direct runs of each paragraph, so it would miss text typed with
    Track Changes on (inside ``w:ins``). Paragraphs are joined with newlines; ``w:br`` is a newline and
    ``w:tab`` a tab. Hidden (``w:vanish``) text is included: the ID cell keeps its hashes there.
    """
    paragraphs = []
    for paragraph in cell._tc.iterchildren(_P, _SDT, _CUSTOM_XML):
        for p in ([paragraph] if paragraph.tag == _P else paragraph.iter(_P)):
            paragraphs.append("".join(_paragraph_text(p)))
    return "\n".join(paragraphs)


def _paragraph_text(element) -> Iterator[str]:
    for child in element:
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == _T:
            yield child.text or ""
        elif tag in _BREAKS:
            yield "\n"
        elif tag == _TAB:
            yield "\t"
        elif tag == _NO_BREAK_HYPHEN:
            yield "\u2011"
        elif tag == _P:
            continue  # a text box's paragraph inside a run is not the cell's text
        else:
            yield from _paragraph_text(child)


__all__ = ["ReviewDocument", "ReviewRow", "cell_text", "custom_properties", "read_review_document", "read_review_rows"]
