"""Low-level WordprocessingML helpers for transpub's DOCX writers: what python-docx has no public API for.

Word rejects (or "repairs") a file whose property elements are out of schema order, so every element is
inserted through :func:`set_child`, which knows the order of the parents used here (``w:rPr``, ``w:pPr``,
``w:tblPr``, ``w:tcPr``, ``w:sectPr``). Everything else in this module builds one small piece of XML:
a run, a hyperlink, a numbering instance, a style, a font table entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from docx.oxml import parse_xml
from docx.oxml.ns import NamespacePrefixedTag, nsdecls
from docx.oxml.ns import qn as _qn
from docx.oxml.parser import element_class_lookup, oxml_parser
from lxml import etree

# The one rule for text an XML part can carry; it lives with the review document's format because the
# review reader (a lower layer than this module) hashes text by it.
from ..review.docformat import xml_safe as xml_safe

# Child order of the property elements we touch (ECMA-376 Part 1, transitional schema).
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
)  # fmt: skip
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
)  # fmt: skip
TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
    "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
)  # fmt: skip
TCPR_ORDER = (
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
    "textDirection", "tcFitText", "vAlign", "hideMark",
)  # fmt: skip
TRPR_ORDER = (
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
    "tblHeader", "tblCellSpacing", "jc", "hidden",
)  # fmt: skip
SECTPR_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
    "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
)  # fmt: skip
ORDERS = {"rPr": RPR_ORDER, "pPr": PPR_ORDER, "tblPr": TBLPR_ORDER, "tcPr": TCPR_ORDER, "trPr": TRPR_ORDER,
          "sectPr": SECTPR_ORDER}  # fmt: skip

_PLAIN_TEXT = re.compile(r"[^\t\n\r]*")

# A DOCX writer makes about a thousand elements per release; python-docx's OxmlElement and qn parse the
# prefixed tag every time (a third of the renderer's time in profiles). The same elements (python-docx's
# own classes, the same namespace declaration), with the tag looked up once per process.
qn = cache(_qn)


@cache
def _clark_and_nsmap(nsptag: str) -> tuple[str, dict[str, str]]:
    tag = NamespacePrefixedTag(nsptag)
    return tag.clark_name, tag.nsmap


def OxmlElement(nsptag: str):  # noqa: N802 - python-docx's name, the same element
    """A new element ``nsptag`` ("w:r"), of python-docx's class for it, declaring its own namespace."""
    clark, nsmap = _clark_and_nsmap(nsptag)
    return oxml_parser.makeelement(clark, nsmap=nsmap)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def set_child(parent, name: str, **attrs: str | None):
    """Get or create ``w:<name>`` under ``parent`` at its schema position, and set ``w:`` attributes.

    An attribute given as None is removed. Returns the child element.
    """
    tag = qn(f"w:{name}")
    child = parent.find(tag)
    if child is None:
        child = OxmlElement(f"w:{name}")
        order = ORDERS[_local(parent.tag)]
        later = set(order[order.index(name) + 1 :])
        for index, sibling in enumerate(parent):
            if _local(sibling.tag) in later:
                parent.insert(index, child)
                break
        else:
            parent.append(child)
    for key, value in attrs.items():
        if value is None:
            child.attrib.pop(qn(f"w:{key}"), None)
        else:
            child.set(qn(f"w:{key}"), value)
    return child


def get_or_add(parent, name: str):
    """``w:<name>`` as the first child of ``parent`` (pPr, rPr, tblPr … always come first)."""
    child = parent.find(qn(f"w:{name}"))
    if child is None:
        child = OxmlElement(f"w:{name}")
        parent.insert(0, child)
    return child


def remove_children(parent, *names: str) -> None:
    for name in names:
        for child in parent.findall(qn(f"w:{name}")):
            parent.remove(child)


# --- runs ------------------------------------------------------------------------------------------
def new_run(rpr_items: Sequence[tuple[str, dict[str, str]]], text: str | None = None, *, line_break: bool = False):
    """A ``w:r`` with properties (already in schema order) and either text or a line break."""
    run = OxmlElement("w:r")
    if rpr_items:
        rpr = OxmlElement("w:rPr")
        for name, attrs in rpr_items:
            element = OxmlElement(f"w:{name}")
            for key, value in attrs.items():
                element.set(qn(f"w:{key}"), value)
            rpr.append(element)
        run.append(rpr)
    if line_break:
        run.append(OxmlElement("w:br"))
    elif text is not None and _PLAIN_TEXT.fullmatch(text):
        element = OxmlElement("w:t")
        element.text = text
        if text != text.strip(" "):
            element.set(qn("xml:space"), "preserve")
        run.append(element)
    elif text is not None:
        run.text = text  # python-docx's (slower) CT_R.text turns "\t" into w:tab and "\n" into w:br
    return run


# --- runs as XML text ----------------------------------------------------------------------------------
# A release has thousands of runs; building each as five or six lxml elements through python-docx was
# the largest part of a DOCX render. The runs of one segment are written as XML text instead and parsed
# in one call (:func:`parse_runs`): the same elements, in the same order, with the same attributes, so
# the saved document is byte for byte the one the element-by-element writer made.
W_NS = _W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FRAGMENT_OPEN = f'<w:p xmlns:w="{_W_NS}" xmlns:r="{_R_NS}">'
PARAGRAPH_OPEN = _FRAGMENT_OPEN


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    """An attribute value as XML text (between double quotes)."""
    return _attr(value)


def _attr(value: str) -> str:
    # the parser would turn a tab or line break in an attribute into a space: written as references
    return (_text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def rpr_xml(rpr_items: Sequence[tuple[str, dict[str, str]]]) -> str:
    """``w:rPr`` as XML text (empty for no properties): the element :func:`new_run` makes."""
    if not rpr_items:
        return ""
    parts = ["<w:rPr>"]
    for name, attrs in rpr_items:
        parts.append(f"<w:{name}" + "".join(f' w:{key}="{_attr(value)}"' for key, value in attrs.items()) + "/>")
    parts.append("</w:rPr>")
    return "".join(parts)


def run_xml(rpr: str, text: str | None = None, *, line_break: bool = False) -> str:
    """A ``w:r`` as XML text, ``rpr`` from :func:`rpr_xml`: the run :func:`new_run` makes."""
    if line_break:
        return f"<w:r>{rpr}<w:br/></w:r>"
    if text is None:
        return f"<w:r>{rpr}</w:r>"
    if _PLAIN_TEXT.fullmatch(text):
        space = ' xml:space="preserve"' if text != text.strip(" ") else ""
        return f"<w:r>{rpr}<w:t{space}>{_text(text)}</w:t></w:r>"
    # python-docx's CT_R.text: a tab is w:tab, a line break w:br, the pieces between them w:t
    parts = [f"<w:r>{rpr}"]
    for piece in re.split(r"(\t|\r|\n)", text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{_text(piece)}</w:t>")
    parts.append("</w:r>")
    return "".join(parts)


def hyperlink_xml_open(r_id: str, tooltip: str | None = None) -> str:
    """The start tag of the ``w:hyperlink`` :func:`new_hyperlink` makes."""
    tip = f' w:tooltip="{_attr(tooltip)}"' if tooltip else ""
    return f'<w:hyperlink r:id="{_attr(r_id)}"{tip} w:history="1">'


# python-docx's element classes, without its parser's remove_blank_text: a run's text may be all spaces
_FRAGMENT_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)
_FRAGMENT_PARSER.set_element_class_lookup(element_class_lookup)


def parse_runs(xml: str) -> list:
    """Parse runs (and hyperlinks holding runs) written as XML text: the top-level elements, in order."""
    return list(etree.fromstring(_FRAGMENT_OPEN + xml + "</w:p>", _FRAGMENT_PARSER))


def parse_element(xml: str):
    """One element written as XML text (with its own namespace declarations), of python-docx's class."""
    return etree.fromstring(xml, _FRAGMENT_PARSER)


TABLE_LOOK = ('<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
              'w:noVBand="1" w:val="04A0"/>')


def new_hyperlink(r_id: str, tooltip: str | None = None):
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    if tooltip:
        link.set(qn("w:tooltip"), tooltip)
    link.set(qn("w:history"), "1")
    return link


# --- paragraphs --------------------------------------------------------------------------------------
def paragraph_border(ppr, side: str = "bottom", color: str = "A6A6A6", size: str = "6") -> None:
    borders = set_child(ppr, "pBdr")
    element = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", size), ("space", "1"), ("color", color)):
        element.set(qn(f"w:{key}"), value)
    borders.append(element)


def shade(parent, fill: str) -> None:
    """Background shading of a paragraph (pPr) or a table cell (tcPr)."""
    set_child(parent, "shd", val="clear", color="auto", fill=fill)


def numbering_instance(numbering, abstract_num_id: int, start: int) -> int:
    """A new ``w:num`` over an abstract list definition, restarting at ``start``; returns its numId."""
    num = numbering.add_num(abstract_num_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return int(num.numId)


def list_numbering(ppr, num_id: int) -> None:
    """Put a paragraph in numbering instance ``num_id`` (level 0 of its single-level definition)."""
    numpr = set_child(ppr, "numPr")
    remove_children(numpr, "ilvl", "numId")
    for name, value in (("ilvl", "0"), ("numId", str(num_id))):
        element = OxmlElement(f"w:{name}")
        element.set(qn("w:val"), value)
        numpr.append(element)


def page_number_field(paragraph_element) -> None:
    """Append a PAGE field (the current page number) to a paragraph."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    field.append(new_run((), "1"))
    paragraph_element.append(field)


# --- styles ------------------------------------------------------------------------------------------
def style_element(xml: str):
    return parse_xml(f"<w:style {nsdecls('w')} {xml}</w:style>")


def strip_theme_fonts(elements: Iterable, *attributes: str) -> None:
    """Remove theme-font attributes (``eastAsiaTheme``, ``cstheme``) so explicit fonts take effect."""
    for element in elements:
        for attribute in attributes:
            element.attrib.pop(qn(f"w:{attribute}"), None)


FONT_TABLE_ENTRY = (
    '<w:font {ns} w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="{charset}"/>'
    '<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
)


def font_table_entry(name: str, alt: str, charset: str, family: str):
    """A fontTable entry: Word substitutes a font of the same charset and family when ``name`` is missing."""
    return parse_xml(FONT_TABLE_ENTRY.format(ns=nsdecls("w"), name=name, alt=alt, charset=charset, family=family))
