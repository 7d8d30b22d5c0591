"""Opening a DOCX that came back from a reviewer: untrusted bytes become a python-docx Document, or a
:class:`~transpub.errors.ReviewError` saying why the file is refused.

Refused before python-docx parses anything: a file over :data:`MAX_DOCX_BYTES` (20 MB); an old-format or
password-protected Word file; a file that is not a zip package, or a damaged one; more than
:data:`MAX_PARTS` parts; parts that unpack to more than :data:`MAX_PART_BYTES` each or
:data:`MAX_UNPACKED_BYTES` together (a zip bomb: sizes are counted while decompressing, whatever the
headers claim); any part with a DTD (``<!DOCTYPE`` / ``<!ENTITY``, which Word never writes). python-docx's
lxml parser does not resolve entities either; this is the second wall. Nothing here touches a project.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument

from ..errors import ReviewError
from ..fsutil import read_named_file

MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 160 * 1024 * 1024
MAX_PARTS = 2000

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, and .docx encrypted with a password
_DTD_MARKS = tuple(
    mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def read_review_file(path: Path) -> bytes:
    """The bytes of a review document on disk, refusing oversized files before reading them."""
    return read_named_file(Path(path), limit=MAX_DOCX_BYTES, what="review document")


def open_review_docx(data: bytes, path_label: str) -> DocxDocument:
    """A python-docx Document from untrusted bytes, or a ReviewError saying why the file is refused."""

    def refuse(why: str) -> ReviewError:
        return ReviewError(why, path=path_label)

    if len(data) > MAX_DOCX_BYTES:
        raise refuse(f"the file is {len(data) / 1048576:.1f} MB; a review document is at most {MAX_DOCX_BYTES // 1048576} MB")
    if data[:8] == _OLE_SIGNATURE:
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
        if _declares_dtd(body, info.filename, refuse):
            raise refuse(f"refused: {info.filename} declares a DTD or entities (<!DOCTYPE/<!ENTITY>), which Word never writes")
    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… for broken packages
        raise refuse(f"not a Word document (.docx) that can be read: {type(exc).__name__}: {exc}") from exc


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: their BOMs begin alike
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _declares_dtd(body: bytes, name: str, refuse: Callable[[str], ReviewError]) -> bool:
    """Whether a part holds ``<!DOCTYPE`` or ``<!ENTITY``, in whatever encoding it is written.

    An XML part is decoded as an XML parser would read it (byte order mark, else the declared encoding)
    and must be UTF-8 or UTF-16, the encodings Word and the OOXML standard use: a part in UTF-32 or any
    other encoding is refused, since the screen could not read it as the parser would. Other parts (images)
    are screened byte for byte in the encodings a parser might take them for.
    """
    if not name.endswith((".xml", ".rels")):
        return any(mark in body for mark in _DTD_MARKS)
    encoding = next((codec for bom, codec in _BOMS if body.startswith(bom)), None)
    if encoding is None:
        if body[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
            encoding = "utf-32"  # no BOM, but the first character says it all the same
        elif body[:2] in (b"\x00<", b"<\x00"):
            encoding = "utf-16-be" if body[0] == 0 else "utf-16-le"
        else:
            declared = _DECLARED.match(body)
            encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        known = codecs.lookup(encoding).name
    except LookupError:
        known = encoding
    if known not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        raise refuse(f"refused: {name} is written in {encoding}; Word documents use UTF-8 or UTF-16")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        raise refuse(f"refused: {name} is not valid {encoding}") from None
    return "<!DOCTYPE" in text or "<!ENTITY" in text


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                 refuse: Callable[[str], ReviewError]) -> bytes:  # fmt: skip
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
        raise refuse(f"not a Word document (.docx): damaged part {info.filename} ({exc})") from None
    return b"".join(chunks)


__all__ = [
    "MAX_DOCX_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_UNPACKED_BYTES",
    "open_review_docx",
    "read_review_file",
]
