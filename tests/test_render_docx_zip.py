"""The DOCX package writer (members compressed once per process) gives zipfile's bytes exactly."""

import datetime as dt
import io
import zipfile

from transpub.render import docx_base

MOMENT = dt.datetime(2025, 3, 7, 13, 45, 31)


def _members() -> list[tuple[str, bytes]]:
    styles = b"<?xml version='1.0'?><w:styles>" + b"<w:style/>" * 500 + b"</w:styles>"
    return [
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", "<w:document>caf\u00e9 \u65e5\u672c</w:document>".encode()),
        ("word/styles.xml", styles),
        ("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        ("word/empty.xml", b""),
        ("word/m\u00e9dia.xml", b"<x/>"),  # a non-ASCII name: the UTF-8 flag
    ]


def test_package_is_zipfiles_bytes():
    members = _members()
    expected = docx_base._zip(members, MOMENT)
    assert docx_base.zip_package(members, MOMENT) == expected
    # again, with the shared members now taken from the cache
    assert docx_base.zip_package(members, MOMENT) == expected


def test_package_reads_back_with_its_stamp():
    members = _members()
    with zipfile.ZipFile(io.BytesIO(docx_base.zip_package(members, MOMENT))) as package:
        assert package.testzip() is None
        assert [(i.filename, package.read(i)) for i in package.infolist()] == members
        assert {i.date_time for i in package.infolist()} == {(2025, 3, 7, 13, 45, 30)}
        png = package.getinfo("word/media/image1.png")
        assert png.compress_type == zipfile.ZIP_STORED


def test_cached_member_is_not_compressed_again(monkeypatch):
    docx_base._deflated.cache_clear()
    members = _members()
    docx_base.zip_package(members, MOMENT)
    calls = []
    real = docx_base._deflate
    monkeypatch.setattr(docx_base, "_deflate", lambda data: calls.append(data) or real(data))
    docx_base.zip_package(members, MOMENT)
    assert calls == [members[1][1]]  # only the document's own text


def test_old_dates_clamp_to_1980():
    members = _members()[:2]
    old = dt.datetime(1970, 1, 1)
    assert docx_base.zip_package(members, old) == docx_base._zip(members, old)
