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

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument

from ..errors import ReviewError

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
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCX_BYTES:
            raise ReviewError(f"the file is {size / 1048576:.1f} MB; a review document is at most "
                              f"{MAX_DOCX_BYTES // 1048576} MB", path=path)  # fmt: skip
        return path.read_bytes()
    except OSError as exc:
        raise ReviewError(f"cannot read the review document: {exc.strerror or exc}", path=path) from exc


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
        if any(mark in body for mark in _DTD_MARKS):
            raise refuse(f"refused: {info.filename} declares a DTD or entities (<!DOCTYPE/<!ENTITY>), which Word never writes")
    try:
        return Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… for broken packages
        raise refuse(f"not a Word document (.docx) that can be read: {type(exc).__name__}: {exc}") from exc


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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
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
