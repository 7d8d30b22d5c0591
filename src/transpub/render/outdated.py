"""The notice on a published translation whose original changed (``[publish] outdated = "mark"``).

The page and the document stay the last reviewed version, byte for byte, with one notice added in their
language: the original was updated since, and here it is (the source-language page). The notice is put
into the files already published, not rendered from the release again: the source and catalog they were
made from are gone, and what was reviewed is what stays up. Adding it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

from ..localize.ui import bcp47, language_name, text_direction, ui_table

NOTICE_CLASS = "outdated"
_OPENING = (re.compile(rb"<main\b[^>]*>"), re.compile(rb"<body\b[^>]*>"))


def notice_html(lang: str, source_lang: str, source_href: str, text: str | None = None) -> str:
    """The notice as an HTML element, in ``lang`` (``text``: the language's word, from names.po for a
    language without built-in words), linking the source-language page."""
    # here, not at the top: html.entities is large, and few builds mark a page
    from html import escape

    text = text or ui_table(lang)["outdated"]
    return (
        f'<p class="{NOTICE_CLASS}" role="note" lang="{bcp47(lang)}" dir="{text_direction(lang)}">{escape(text)} '
        f'<a href="{escape(source_href)}" hreflang="{bcp47(source_lang)}" lang="{bcp47(source_lang)}">'
        f"{escape(language_name(source_lang))}</a></p>"
    )


def mark_page_outdated(page: bytes, notice: str) -> bytes:
    """The page with ``notice`` first in its main content (else first in its body); unchanged if marked."""
    if f'class="{NOTICE_CLASS}"'.encode() in page:
        return page
    data = notice.encode("utf-8")
    for opening in _OPENING:
        found = opening.search(page)
        if found:
            return page[: found.end()] + b"\n" + data + page[found.end() :]
    return data + b"\n" + page


def mark_document_outdated(
    document: bytes, lang: str, source_lang: str, source_url: str | None, source_page: str, text: str | None = None
) -> bytes:
    """The Word document with the notice as its first paragraph: a link to the source-language page when
    the site has an address (``source_url``), else that page's path. Unchanged if already marked."""
    import docx

    # python-docx and lxml: loaded by a document to mark, not by a page
    from . import docx_oxml as ox
    from .docx_base import save_reproducibly

    doc = docx.Document(BytesIO(document))
    text = text or ui_table(lang)["outdated"]
    if doc.paragraphs and doc.paragraphs[0].text.startswith(text):
        return document
    first = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    para = first.insert_paragraph_before()
    if text_direction(lang) == "rtl":
        ox.set_child(para._p.get_or_add_pPr(), "bidi")
    para.add_run(ox.xml_safe(f"{text} "))
    label = ox.xml_safe(language_name(source_lang))
    if source_url:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        r_id = doc.part.relate_to(ox.xml_safe(source_url), RT.HYPERLINK, is_external=True)
        link = ox.new_hyperlink(r_id)
        run = para.add_run(label)
        link.append(run._r)
        para._p.append(link)
    else:
        para.add_run(f"{label} ({source_page})")
    moment = doc.core_properties.modified or dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)
    return save_reproducibly(doc, moment)
