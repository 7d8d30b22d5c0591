"""The PO catalog layer: strict reading, lossless and deterministic writing, fresh catalogs.

The round-trip tests use GNU gettext (msgcat, msgfmt) as the neutral judge, as
shared/po-corpus/check_roundtrip.sh does: `msgcat --no-wrap` of input and output must be identical
(line wrapping is neutralised, every other difference is real) and `msgfmt -c --statistics` must agree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import polib
import pytest
from babel import Locale, localedata
from babel.messages.plurals import get_plural
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from weblate_language_data.aliases import ALIASES
from weblate_language_data.languages import LANGUAGES

from transpub.catalogs import pofile
from transpub.catalogs.pofile import (
    catalog_to_text,
    copy_header,
    entry_key,
    index_entries,
    new_catalog,
    parse_catalog,
    plural_forms,
    read_catalog,
    write_catalog,
)
from transpub.errors import CatalogError

CORPUS = Path(os.environ.get("TRANSPUB_PO_CORPUS", Path(__file__).parent / "data" / "po-corpus"))
CORPUS_FILES = sorted(CORPUS.glob("*.po"))
DATA = Path(__file__).parent / "data" / "po"

needs_gettext = pytest.mark.skipif(
    shutil.which("msgcat") is None or shutil.which("msgfmt") is None, reason="GNU gettext (msgcat, msgfmt) not installed"
)


def gettext(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})


def msgcat_no_wrap(path: Path) -> bytes:
    result = subprocess.run(["msgcat", "--no-wrap", str(path)], capture_output=True, check=True)
    return result.stdout


def msgfmt_statistics(path: Path) -> str:
    result = gettext("msgfmt", "-c", "--statistics", "-o", os.devnull, path)
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()[-1]


# --- round trips over real catalogs -------------------------------------------------------------------


@needs_gettext
@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_round_trip_changes_nothing_but_wrapping(source: Path, tmp_path: Path) -> None:
    out = tmp_path / source.name
    assert write_catalog(out, read_catalog(source)) is True
    assert msgfmt_statistics(out) == msgfmt_statistics(source)
    assert msgcat_no_wrap(out) == msgcat_no_wrap(source)


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_output_is_a_fixed_point(source: Path, tmp_path: Path) -> None:
    out = tmp_path / source.name
    write_catalog(out, read_catalog(source))
    first = out.read_bytes()
    again = read_catalog(out)
    assert catalog_to_text(again) == catalog_to_text(parse_catalog(catalog_to_text(again)))
    assert write_catalog(out, again) is False
    assert out.read_bytes() == first


def catalog_content(po: polib.POFile) -> list:
    """Everything a catalog says, field by field (the header first)."""
    return [(po.header, list(po.metadata.items()), bool(po.metadata_is_fuzzy))] + [
        (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, dict(e.msgstr_plural), e.obsolete, e.tcomment, e.comment,
         e.occurrences, e.flags, e.previous_msgctxt, e.previous_msgid, e.previous_msgid_plural)
        for e in po
    ]  # fmt: skip


@pytest.mark.parametrize("source", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_round_trip_keeps_every_field(source: Path, tmp_path: Path) -> None:
    out = tmp_path / source.name
    po = read_catalog(source)
    write_catalog(out, po)
    assert catalog_content(read_catalog(out)) == catalog_content(po)


def test_obsolete_previous_msgids_survive(tmp_path: Path) -> None:
    source = CORPUS / "gnome-clocks_ar.po"
    po = read_catalog(source)
    obsolete = {e.msgid: e for e in po if e.obsolete}
    assert obsolete["org.gnome.clocks"].previous_msgid == "Gnome Clocks"
    write_catalog(tmp_path / "ar.po", po)
    text = (tmp_path / "ar.po").read_text(encoding="utf-8")
    assert text.count("\n#~| msgid ") == source.read_text(encoding="utf-8").count("\n#~| msgid ") == 3
    assert '#~| msgid "Gnome Clocks"\n#~ msgid "org.gnome.clocks"\n' in text


def test_euc_kr_catalog_stays_euc_kr(tmp_path: Path) -> None:
    source = CORPUS / "gnu-gettext-tests_mm-ko-comp.euc-kr.po"
    po = read_catalog(source)
    assert po.encoding == "euc_kr"
    assert po.metadata_is_fuzzy
    assert any("설정" in e.msgstr for e in po)
    out = tmp_path / "ko.po"
    write_catalog(out, po)
    data = out.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "charset=EUC-KR" in data.decode("euc_kr")
    assert "설정".encode("euc_kr") in data
    assert read_catalog(out).encoding == "euc_kr"


def test_character_outside_the_catalog_charset_is_refused_on_write(tmp_path: Path) -> None:
    po = read_catalog(CORPUS / "gnu-gettext-tests_mm-ko-comp.euc-kr.po")
    out = tmp_path / "ko.po"
    write_catalog(out, po)
    before = out.read_bytes()
    po[0].msgstr = "네트워크 🌐"
    with pytest.raises(CatalogError, match="cannot be written in euc_kr") as info:
        write_catalog(out, po)
    assert info.value.line is not None
    assert out.read_bytes() == before


def test_header_charset_and_encoding_must_agree(tmp_path: Path) -> None:
    po = new_catalog("ja", project="demo", now=datetime(2024, 1, 1, tzinfo=timezone.utc))
    po.encoding = "euc_kr"
    with pytest.raises(CatalogError, match="declares charset=UTF-8"):
        write_catalog(tmp_path / "ja.po", po)


# --- layout -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(DATA.glob("*.input.po")), ids=lambda p: p.name)
def test_layout_golden_files(source: Path) -> None:
    """Wrapping at 78 after spaces, comments verbatim (long, empty, trailing spaces), header order kept."""
    expected = source.with_name(source.name.replace(".input.", ".expected."))
    text = catalog_to_text(read_catalog(source))
    assert text == expected.read_text(encoding="utf-8")
    assert catalog_to_text(parse_catalog(text)) == text
    assert max(len(line) for line in text.splitlines() if line.startswith('"') and line.isascii()) <= 78


@needs_gettext
@pytest.mark.parametrize("source", sorted(DATA.glob("*.input.po")), ids=lambda p: p.name)
def test_layout_golden_files_mean_the_same_to_gettext(source: Path, tmp_path: Path) -> None:
    out = tmp_path / source.name
    write_catalog(out, read_catalog(source))
    assert msgfmt_statistics(out) == msgfmt_statistics(source)
    assert msgcat_no_wrap(out) == msgcat_no_wrap(source)


def test_unchanged_header_is_kept_verbatim_and_a_changed_one_keeps_field_order() -> None:
    po = read_catalog(DATA / "layout.input.po")
    assert list(po.metadata)[:3] == ["Project-Id-Version", "Language", "Report-Msgid-Bugs-To"]
    unchanged = catalog_to_text(po).splitlines()
    assert '"X-Custom:no space after the colon\\n"' in unchanged
    po.metadata["PO-Revision-Date"] = "2024-06-01 09:00+0000"
    po.metadata["X-Added"] = "yes"
    lines = catalog_to_text(po).splitlines()
    fields = [line.split(":")[0].strip('"') for line in lines[5:20] if line.startswith('"')]
    assert fields[:3] == ["Project-Id-Version", "Language", "Report-Msgid-Bugs-To"]
    assert fields[-2:] == ["X-Custom", "X-Added"]
    assert '"PO-Revision-Date: 2024-06-01 09:00+0000\\n"' in lines
    # only the changed field's line is rewritten: the others keep their text as read
    assert '"X-Custom:no space after the colon\\n"' in lines
    assert [line for line in lines if line not in unchanged] == [
        '"PO-Revision-Date: 2024-06-01 09:00+0000\\n"', '"X-Added: yes\\n"'
    ]


def test_a_header_given_to_another_catalog_is_written_as_it_was_read() -> None:
    """`update` builds each catalog anew and gives it the old file's header (copy_header): comments, the
    fuzzy flag and the text of every field nobody changed come back as they were."""
    text = (
        "# French translation.\n# Jean Dupont <jean@example.org>, 2026.\n#, fuzzy\nmsgid \"\"\nmsgstr \"\"\n"
        '"Project-Id-Version: demo\\n"\n"POT-Creation-Date: 2026-01-01 00:00+0000\\n"\n"Language:  fr\\n"\n'
        '"Plural-Forms: nplurals=2; plural=n>1;\\n"\n"X-Note: first line\\n"\n"second line\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n'
    )
    old = parse_catalog(text)
    fresh = polib.POFile(wrapwidth=old.wrapwidth, encoding=old.encoding)
    copy_header(old, fresh)
    fresh.extend(list(old))
    assert catalog_to_text(fresh) == text
    fresh.metadata["POT-Creation-Date"] = "2026-02-02 00:00+0000"
    assert catalog_to_text(fresh) == text.replace("2026-01-01", "2026-02-02")


# --- determinism --------------------------------------------------------------------------------------


def test_second_identical_write_is_skipped(tmp_path: Path) -> None:
    po = read_catalog(DATA / "layout.input.po")
    out = tmp_path / "fr.po"
    assert write_catalog(out, po) is True
    first, stat = out.read_bytes(), out.stat()
    assert write_catalog(out, po) is False
    assert write_catalog(out, read_catalog(out)) is False
    assert out.read_bytes() == first
    assert (out.stat().st_ino, out.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    po[0].msgstr = "changé"
    assert write_catalog(out, po) is True


# --- malformed input ----------------------------------------------------------------------------------

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'  # lines 1-4

MALFORMED = [
    # (id, body after HEADER, line of the error, words the message must contain)
    ("unterminated string", 'msgid "abc\nmsgstr "x"\n', 5, "unterminated string"),
    ("unterminated continuation", 'msgid ""\n"abc\nmsgstr "x"\n', 6, "unterminated string"),
    ("bad escape", 'msgid "a"\nmsgstr "tab\\q"\n', 6, "invalid escape sequence \\q"),
    ("non-ASCII octal escape", 'msgid "a"\nmsgstr "\\303\\251"\n', 6, "not an ASCII character"),
    ("unescaped quote", 'msgid "say "hi""\nmsgstr ""\n', 5, "after the closing quote"),
    ("unknown keyword", 'msgid "a"\nmsgstring "b"\n', 6, "unknown keyword 'msgstring'"),
    ("garbage line", 'msgid "a"\nmsgstr "b"\n<<<<<<< HEAD\n', 7, "unexpected text '<<<<<<< HEAD'"),
    ("duplicate entry", 'msgid "a"\nmsgstr "b"\n\n#: x.py:1\nmsgid "a"\nmsgstr "c"\n', 9, "duplicate entry"),
    ("duplicate entry with context", 'msgctxt "m"\nmsgid "a"\nmsgstr ""\n\nmsgctxt "m"\nmsgid "a"\nmsgstr ""\n', 10, "line 6"),
    ("msgid without msgstr", 'msgid "a"\n\nmsgid "b"\nmsgstr "c"\n', 5, "msgid without msgstr"),
    ("msgid without msgstr at end", 'msgid "a"\nmsgstr "b"\n\nmsgid "c"\n', 8, "msgid without msgstr"),
    ("msgctxt without msgid", 'msgctxt "a"\nmsgstr "b"\n', 6, "msgstr here, but expected msgid"),
    ("plural without msgstr[0]", 'msgid "a"\nmsgid_plural "as"\nmsgstr "b"\n', 7, "expected msgstr[0]"),
    ("plural forms out of order", 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[2] "c"\n', 8, "expected msgstr[1]"),
    ("msgstr[0] without msgid_plural", 'msgid "a"\nmsgstr[0] "b"\n', 6, "expected msgstr or msgid_plural"),
    ("second msgstr", 'msgid "a"\nmsgstr "b"\nmsgstr "c"\n', 7, "msgstr here, but expected a new entry"),
    ("continuation without keyword", '"orphan"\nmsgid "a"\nmsgstr "b"\n', 5, "without a keyword"),
    ("obsolete and active mixed", '#~ msgid "a"\nmsgstr "b"\n', 6, "mixes obsolete"),
    ("comment inside an entry", 'msgid "a"\n# note\nmsgstr "b"\n', 5, "msgid without msgstr"),
    ("trailing comment", 'msgid "a"\nmsgstr "b"\n\n# orphan\n', 8, "belong to no entry"),
    ("bad previous keyword", '#| msgstr "old"\nmsgid "a"\nmsgstr "b"\n', 5, "previous-msgid line"),
]


@pytest.mark.parametrize(("body", "line", "words"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_text_is_reported_at_its_line(body: str, line: int, words: str) -> None:
    with pytest.raises(CatalogError) as info:
        parse_catalog(HEADER + body, "fr.po")
    assert (info.value.path, info.value.line) == ("fr.po", line), str(info.value)
    assert words in info.value.message
    assert str(info.value).startswith(f"fr.po:{line}: ")


def test_what_gettext_accepts_is_accepted() -> None:
    body = (
        'msgctxt "m"\nmsgid "a"\nmsgstr "b"\n'  # same msgid, other context: not a duplicate
        'msgid "a"\r\nmsgstr "\\a\\x41"\r\n\n'  # CRLF line ends, \a and hex escapes
        '#~ msgctxt "old"\n#~ msgid "a"\n#~ msgstr "old"\n'  # an obsolete entry with another context
        '#~ msgid "b"\n#~ msgstr "older"\n'
        '#, fuzzy\nmsgid "c\\n"\nmsgstr "ends without a line break"\n'  # msgfmt does not check fuzzy entries
        'msgid "d\\n"\nmsgstr ""\n'  # nor untranslated ones
        '#| msgid "e"\n#| msgid_plural "es"\nmsgid "e"\nmsgstr "e"\n'  # a previous plural on a singular entry
    )
    po = parse_catalog(HEADER + body)
    assert [(e.msgctxt, e.msgid, e.msgstr, e.obsolete) for e in po] == [
        ("m", "a", "b", False),
        (None, "a", "\aA", False),
        ("old", "a", "old", True),
        (None, "b", "older", True),
        (None, "c\n", "ends without a line break", False),
        (None, "d\n", "", False),
        (None, "e", "e", False),
    ]


def test_byte_order_mark_is_refused() -> None:
    with pytest.raises(CatalogError, match="byte order mark") as info:
        parse_catalog("\ufeff" + HEADER)
    assert info.value.line == 1


def test_invalid_utf8_byte_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ja.po"
    path.write_bytes(HEADER.encode() + 'msgid "a"\nmsgstr "日本"\n\nmsgid "b"\nmsgstr "caf'.encode() + b'\xff"\n')
    with pytest.raises(CatalogError, match="byte 0xFF is not valid UTF-8") as info:
        read_catalog(path)
    assert (info.value.path, info.value.line) == (str(path), 9)


def test_invalid_byte_in_declared_charset_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "ko.po"
    header = HEADER.replace("UTF-8", "EUC-KR").encode("ascii")
    path.write_bytes(header + 'msgid "a"\nmsgstr "'.encode() + "설정".encode("euc_kr") + b'"\n\nmsgid "b"\nmsgstr "\xff"\n')
    with pytest.raises(CatalogError, match="not valid EUC-KR") as info:
        read_catalog(path)
    assert info.value.line == 9


def test_unknown_charset_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xx.po"
    path.write_text(HEADER.replace("UTF-8", "NO-SUCH-CHARSET"), encoding="ascii")
    with pytest.raises(CatalogError, match="unknown charset 'NO-SUCH-CHARSET'"):
        read_catalog(path)


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        read_catalog(tmp_path / "missing.po")


# --- whole entries: the fast path reads exactly as the line-by-line reader ---------------------------


def read_both_ways(text: str) -> tuple[object, object]:
    """What reading ``text`` gives with whole usual entries taken at once, and line by line only:
    every attribute of every entry, or the error message and line."""

    def outcome(whole_entries: bool) -> object:
        try:
            entries = pofile._read_entries(text, whole_entries=whole_entries)
        except CatalogError as exc:
            return ("error", exc.message, exc.line)
        return [list(vars(entry).items()) for entry in entries]

    return outcome(True), outcome(False)


@pytest.mark.parametrize("source", CORPUS_FILES + sorted(DATA.glob("*.po")), ids=lambda p: p.name)
def test_real_catalogs_read_the_same_entry_by_entry(source: Path) -> None:
    text = source.read_bytes().decode(read_catalog(source).encoding)
    fast, line_by_line = read_both_ways(text)
    assert fast == line_by_line
    written = catalog_to_text(read_catalog(source))  # obsolete entries, previous msgids, plurals, contexts
    fast, line_by_line = read_both_ways(written)
    assert fast == line_by_line


def test_a_catalog_as_written_is_read_entry_by_entry(monkeypatch) -> None:
    """The fast path is taken for every entry transpub writes: no line is fed on its own but the last."""
    written = catalog_to_text(read_catalog(CORPUS / "gnome-clocks_ar.po"))
    assert "\n#~ msgid" in written and "\n#~| msgid" in written and "\nmsgstr[5]" in written
    fed = []
    feed = pofile._Reader.feed
    monkeypatch.setattr(pofile._Reader, "feed", lambda self, line, lineno: fed.append(line) or feed(self, line, lineno))
    parse_catalog(written)
    assert fed == [""]


def test_entries_are_the_objects_polib_makes(monkeypatch) -> None:
    """Entries are made without POEntry.__init__ (it is slow), but are the same objects."""
    texts = [catalog_to_text(read_catalog(path)) for path in (CORPUS / "gnome-clocks_ar.po", DATA / "layout.input.po")]
    entries = [entry for text in texts for entry in pofile._read_entries(text)]
    assert any(e.obsolete for e in entries) and any(e.previous_msgid for e in entries)
    assert any(e.msgstr_plural for e in entries) and any(e.blank_comment_fields for e in entries)
    monkeypatch.setattr(pofile, "_BYPASS_POENTRY_INIT", False)  # as with a polib whose __init__ sets more
    made_by_init = [entry for text in texts for entry in pofile._read_entries(text)]
    assert [list(vars(e).items()) for e in made_by_init] == [list(vars(e).items()) for e in entries]
    for entry in entries:
        fields = {name: value for name, value in vars(entry).items() if name not in ("encoding", "blank_comment_fields")}
        made = polib.POEntry(**fields)
        made.blank_comment_fields = entry.blank_comment_fields
        assert list(vars(made).items()) == list(vars(entry).items())
        assert str(made) == str(entry)


ODD_TEXT = """\
#. odd cases the fast path must leave to the line-by-line reader, or take exactly as it would
msgid "a\\x4"
"1"
msgstr "\\101\\\\ \\"q\\""

#| msgid "old"
msgid "b"
msgstr "b"
  "indented continuation"

msgid "c"
msgid_plural "cs"
msgstr[0] "c0"
msgstr[1] "c1"

msgstr[2] "after a blank line"
#~ msgid "d"
#~ msgstr "d #~ inside"
#~ "and #~ here"

#, fuzzy
#| msgid "e #| inside"
#| "#| and here"
#~ msgid "e"
#~ msgstr "e"
#. a CR line end\r
msgid "g"
msgstr "g"

#| msgid "old"
#| msgid "older"
msgid "f"
msgstr "f"

msgid "h"
msgstr[00] "h"

msgid "i"
msgstr "i ends with an escaped quote\\"
"""


@pytest.mark.parametrize("cut", range(0, len(ODD_TEXT.split("\n")) + 1))
def test_odd_layouts_read_the_same_entry_by_entry(cut: int) -> None:
    lines = ODD_TEXT.split("\n")
    for text in ("\n".join(lines[:cut]), "\n".join(lines[cut:]), "\n".join(lines[:cut] + lines[cut + 1:])):
        fast, line_by_line = read_both_ways(text)
        assert fast == line_by_line, text


# Texts in the layout the fast path takes, or close to it: with ``odd``, also odd spacing, line ends and
# escapes, stray lines, repeated or misplaced keywords, which it must leave to the line-by-line reader.
BODIES = ["", "a", "two words", "日本語", "مرحبا", "\\n", "\\t", "\\\\", '\\"', "\\x4", "\\101", "%(n)d", "#", " "]
ODD_BODIES = BODIES + ["\\x41", "1", "\\q", "\\303", "\\", '"', "\xa0", "\x0c", "\u2028", "\r"]
COMMENTS = ["#", "# ", "# note", "#.", "#. extracted", "#.  spaces ", "#: a.py:1 b.py", "#:", "#, fuzzy, c-format", "#,", "#x"]
ODD_COMMENTS = COMMENTS + [" #. indented", '#| "orphan"', "#~", '#| msgstr "x"', "#. cr\r"]


@st.composite
def po_string(draw, prefix: str, odd: bool) -> list[str]:
    """A string's lines after its keyword: the first line's literal, then continuation lines."""
    space = st.sampled_from(["", "", "", "", " ", "\t", "\r"] if odd else [""])
    literals = [
        '"' + "".join(draw(st.lists(st.sampled_from(ODD_BODIES if odd else BODIES), max_size=3))) + '"' + draw(space)
        for _ in range(draw(st.integers(1, 3)))
    ]
    return [literals[0]] + [prefix + draw(space) + literal for literal in literals[1:]]


@st.composite
def po_entry(draw, odd: bool) -> list[str]:
    obsolete = draw(st.sampled_from([False, False, False, True]))
    prefix = "#~ " if obsolete else ""

    def keyword_lines(keyword: str, prefix: str = prefix) -> list[str]:
        first, *more = draw(po_string(prefix, odd))
        return [f"{prefix}{keyword} {first}", *more]

    lines = draw(st.lists(st.sampled_from(ODD_COMMENTS if odd else COMMENTS), max_size=3))
    for keyword in draw(st.lists(st.sampled_from(["msgctxt", "msgid", "msgid_plural"]), max_size=2, unique=not odd)):
        lines += keyword_lines(keyword, "#~| " if obsolete else "#| ")
    if draw(st.booleans()):
        lines += keyword_lines("msgctxt")
    lines += keyword_lines("msgid")
    if draw(st.booleans()):
        lines += keyword_lines("msgstr")
    else:
        lines += keyword_lines("msgid_plural")
        forms = list(range(draw(st.integers(1, 3))))
        for index in draw(st.sampled_from([forms, [0, 2], [1], [0, 0]])) if odd else forms:
            lines += keyword_lines(f"msgstr[{index}]")
    return lines


@st.composite
def po_text(draw) -> str:
    odd = draw(st.booleans())
    lines: list[str] = []
    for entry in draw(st.lists(po_entry(odd), min_size=1, max_size=5)):
        lines += [""] * draw(st.sampled_from([1, 1, 1, 0, 2] if odd else [1])) + entry
    stray = st.sampled_from(["", " ", '"x"', 'msgstr "y"', '#~ msgid "z"', "garbage"])
    for _ in range(draw(st.integers(0, 2)) if odd else 0):
        lines.insert(draw(st.integers(0, len(lines))), draw(stray))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(po_text())
def test_any_text_reads_the_same_entry_by_entry(text: str) -> None:
    fast, line_by_line = read_both_ways(text)
    assert fast == line_by_line


# --- keys ---------------------------------------------------------------------------------------------


def test_index_entries_keys_active_entries_by_context_and_msgid() -> None:
    po = parse_catalog(HEADER + 'msgctxt "m"\nmsgid "a"\nmsgstr "1"\n\nmsgid "a"\nmsgstr "2"\n\n#~ msgid "z"\n#~ msgstr "3"\n')
    index = index_entries(po)
    assert {key: e.msgstr for key, e in index.items()} == {("m", "a"): "1", (None, "a"): "2"}
    assert all(entry_key(e) == key for key, e in index.items())


def test_a_duplicate_added_in_code_is_refused() -> None:
    po = parse_catalog(HEADER + 'msgid "a"\nmsgstr "1"\n')
    po.append(polib.POEntry(msgid="a", msgstr="2"))
    with pytest.raises(CatalogError, match="duplicate entry"):
        index_entries(po)
    with pytest.raises(CatalogError, match="duplicate entry"):
        catalog_to_text(po)


# --- new catalogs -------------------------------------------------------------------------------------

FIELD_ORDER = [
    "Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date", "Last-Translator",
    "Language-Team", "Language", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
]  # fmt: skip


# Catalogs checked with msgfmt -c: the languages with the most plural forms and the scripts and regions
# transpub users name (CLDR ids); a slow test below checks every locale Babel knows.
MSGFMT_LANGUAGES = [
    "ja", "fr", "ar", "zh_Hans", "zh_Hant", "ko", "he", "ru", "pt_BR", "pt_PT", "uk", "pl", "cs", "sl", "lt",
    "ro", "ga", "cy", "gd", "mt", "fa", "ur", "hi", "tr", "de", "en_GB", "es_419", "sr_Latn", "ro_MD",
]  # fmt: skip
_PLURAL_FORMS = re.compile(r"nplurals=([0-9]+); plural=(.+);")


def weblate_entry(code: str) -> tuple[int, str]:
    """(nplurals, formula) exactly as Weblate's language data lists ``code``."""
    return next((count, formula) for name, _, count, formula in LANGUAGES if name == code)


def assert_plural_forms_are(header: str, expected: tuple[int, str]) -> None:
    """``header`` states ``expected`` (Weblate writes formulas without the parentheses gettext puts round them)."""
    match = _PLURAL_FORMS.fullmatch(header)
    assert match, header
    count, formula = expected
    assert int(match.group(1)) == count, header
    assert match.group(2) in (formula, f"({formula})"), header


def with_plural_entry(po: polib.POFile) -> polib.POFile:
    """``po`` with a translated entry and a translated plural entry in every form its header declares."""
    nplurals = int(_PLURAL_FORMS.fullmatch(po.metadata["Plural-Forms"]).group(1)) if "Plural-Forms" in po.metadata else 2
    translated = po.metadata["Language"] != ""
    po.append(polib.POEntry(msgid="One release", msgstr="x" if translated else ""))
    forms = {index: f"%d form {index}" if translated else "" for index in range(nplurals)}
    po.append(polib.POEntry(msgid="%d release", msgid_plural="%d releases", msgstr_plural=forms, flags=["c-format"]))
    return po


@needs_gettext
@pytest.mark.parametrize("lang", [*MSGFMT_LANGUAGES, None])
def test_new_catalog_passes_msgfmt_check(lang, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    po = new_catalog(lang, project="Press releases 2024", template=lang is None)
    assert list(po.metadata) == FIELD_ORDER + (["Plural-Forms"] if lang else [])
    assert po.metadata["Language"] == (lang or "")
    assert po.metadata["POT-Creation-Date"] == "2023-11-14 22:13+0000"
    if lang is not None:
        assert po.metadata["Plural-Forms"] == plural_forms(lang)
    out = tmp_path / f"{lang or 'messages'}.{'pot' if lang is None else 'po'}"
    assert write_catalog(out, with_plural_entry(po)) is True
    result = gettext("msgfmt", "-c", "-o", os.devnull, out)
    assert result.returncode == 0, result.stderr
    if lang is not None:  # a template's placeholders are warned about, as xgettext's are
        assert not result.stderr, result.stderr
    assert catalog_to_text(read_catalog(out)) == out.read_text(encoding="utf-8")


@needs_gettext
@pytest.mark.slow
def test_every_locale_babel_knows_gets_plural_forms_msgfmt_accepts(tmp_path: Path) -> None:
    refused = []
    for lang in sorted(localedata.locale_identifiers()):
        out = tmp_path / f"{lang}.po"
        write_catalog(out, with_plural_entry(new_catalog(lang, project="p")))
        result = gettext("msgfmt", "-c", "-o", os.devnull, out)
        if result.returncode != 0 or result.stderr:
            refused.append(f"{lang}: {result.stderr.strip()}")
    assert not refused, "\n".join(refused)


def test_french_and_japanese_get_the_gettext_convention() -> None:
    """transpub's contract, as GNU gettext, Poedit and Weblate write these headers (CLDR 48 gives French a
    third form for "a million", which no French PO file uses)."""
    assert plural_forms("fr") == "nplurals=2; plural=(n > 1);"
    assert plural_forms("ja") == "nplurals=1; plural=0;"


@pytest.mark.parametrize("lang", ["ar", "he", "ru", "ko", "zh_Hans", "pt_BR", "cy"])
def test_plural_forms_are_weblates_convention(lang: str) -> None:
    assert_plural_forms_are(plural_forms(lang), weblate_entry(lang))


def test_a_region_or_script_weblate_lists_wins_over_its_language() -> None:
    """Every CLDR locale id that Weblate's data lists itself (ro_MD, oc_ES, pt_BR, zh_Hant) gets that
    entry, even where the entry of its language differs."""
    listed = {name.lower(): name for name, *_ in LANGUAGES}
    for lang in localedata.locale_identifiers():
        if lang.lower() in listed:
            assert_plural_forms_are(plural_forms(lang), weblate_entry(listed[lang.lower()]))


@pytest.mark.parametrize(
    ("lang", "code"),
    [
        ("zh", ALIASES["zh"]),  # Weblate lists zh_Hans and zh_Hant, and calls plain zh an alias
        ("zh_Hant_TW", "zh_Hant"),  # a region it does not list: the script's entry
        ("sr_Cyrl_RS", "sr_Cyrl"),
        ("fr_FR", "fr"),  # a region it does not list: the language's entry
        ("ar_EG", "ar"),
    ],
)
def test_codes_weblate_does_not_list_take_the_closest_entry(lang: str, code: str) -> None:
    assert_plural_forms_are(plural_forms(lang), weblate_entry(code))


def test_languages_without_a_convention_take_cldr_through_babel(monkeypatch) -> None:
    # the languages Babel knows and Weblate's data does not: Babel's answer
    known = {name.lower() for name, *_ in LANGUAGES} | set(ALIASES)
    for lang in {Locale.parse(i).language for i in localedata.locale_identifiers()} - known:
        assert plural_forms(lang) == str(get_plural(lang))
    # and any language, were Weblate's data to know none
    monkeypatch.setattr(pofile, "_weblate_plurals", lambda: ({}, {}))
    for lang in ("fr", "ar", "ja", "pt_BR"):
        assert plural_forms(lang) == str(get_plural(lang))


def test_new_catalog_dates_are_injectable_and_stable(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    now = datetime(2024, 3, 5, 8, 9, 59, tzinfo=timezone.utc)
    a = catalog_to_text(new_catalog("ja", project="p", now=now))
    assert a == catalog_to_text(new_catalog("ja", project="p", now=now))
    assert '"PO-Revision-Date: 2024-03-05 08:09+0000\\n"' in a
    template = new_catalog(None, project="p", template=True, now=now)
    assert template.metadata["PO-Revision-Date"] == "YEAR-MO-DA HO:MI+ZONE"


@pytest.mark.parametrize(("lang", "template"), [("xx_NOPE", False), ("zh-Hans", False), (None, False), ("ja", True)])
def test_new_catalog_refuses_unknown_or_inconsistent_language(lang, template) -> None:
    with pytest.raises(CatalogError):
        new_catalog(lang, project="p", template=template)


@pytest.mark.parametrize("lang", ["xx_NOPE", "zh-Hans", ""])
def test_plural_forms_refuse_what_is_not_a_cldr_locale_id(lang: str) -> None:
    with pytest.raises(CatalogError, match="unknown language"):
        plural_forms(lang)


def test_the_whole_corpus_is_present() -> None:
    # the corpus ships with the repository; a missing file must fail, not silently shrink the test
    assert len(CORPUS_FILES) == 10
