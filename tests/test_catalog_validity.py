"""Every catalog transpub writes passes `msgfmt -c`, and reading then writing is a fixed point (F13).

What a write repairs, because a translator would want it and nothing has to be guessed:
* a catalog without header fields (the header deleted by hand, an empty one, a 0-byte names.po) gets
  the header a new catalog of its language gets; its own header comment is kept;
* a CR at the end of a comment line (it cannot be told from a CRLF line end) is not written;
* a NUL or U+0004 that code put in a translation (an engine's answer) is written as U+FFFD.

What is refused, with one CatalogError at the file and line and nothing written: what gettext refuses
and nobody can repair without guessing (a Plural-Forms it cannot use, a translation whose line breaks at
either end disagree with its msgid, '#| msgctxt' without '#| msgid', obsolete duplicates…). The table of
malformed catalogs run through the commands is in tests/test_bad_input.py.

A catalog another tool saved in its own layout (msgcat's wrapping, CRLF line ends) is not rewritten by
`update` when it says the same: no new POT-Creation-Date.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import polib
import pytest
from babel import localedata
from conftest import msgfmt_check, run_cli, tree_digest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_pofile import catalog_content, po_text
from test_review import HEADING_1, export, row_for, save, set_text
from weblate_language_data.languages import LANGUAGES

from transpub.catalogs.plurals import plural_count
from transpub.catalogs.pofile import (
    catalog_from_bytes,
    catalog_to_bytes,
    catalog_to_text,
    index_entries,
    parse_catalog,
    plural_forms,
    read_catalog,
    write_catalog,
)
from transpub.catalogs.states import mark_reviewed
from transpub.config import load_project
from transpub.errors import CatalogError
from transpub.translate.engines import EchoEngine
from transpub.translate.pretranslate import pretranslate

RELEASE = "2023-07-18-wipo-assemblies"
CATALOG = f"locale/fr/LC_MESSAGES/{RELEASE}.po"
NAMES = "locale/fr/LC_MESSAGES/names.po"
PROJECT_NAME = "JPO news releases (transpub sample)"
CORPUS = Path(__file__).parent / "data" / "po-corpus"

needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None or shutil.which("msgcat") is None,
                                   reason="GNU gettext (msgfmt, msgcat) not installed")  # fmt: skip


def msgfmt_says_nothing(path: Path) -> None:
    """msgfmt -c accepts the catalog without a single warning (no missing or placeholder header field)."""
    msgfmt_check(path)
    result = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True,
                            env={**os.environ, "LC_ALL": "C"})  # fmt: skip
    assert result.stderr == "", result.stderr


def without_header(text: str) -> str:
    """The catalog text with its header entry (comments included) removed."""
    header, rest = text.split("\n\n", 1)
    assert 'msgid ""\nmsgstr ""' in header
    return rest


def translations(po: polib.POFile) -> dict:
    return {key: (entry.msgstr, entry.flags, entry.tcomment) for key, entry in index_entries(po).items()}


# --- a catalog without a header gets one when transpub writes it -------------------------------------------

LOSING_THE_HEADER = {
    "header deleted": lambda text: without_header(text),
    "empty header": lambda text: text.replace(text[text.index('msgstr ""\n"Project'):text.index("\n\n")], 'msgstr ""', 1),
    "fuzzy empty header with a comment": lambda text: '# Traduction française.\n#, fuzzy\nmsgid ""\nmsgstr ""\n\n'
    + without_header(text),
}


@pytest.mark.parametrize("how", LOSING_THE_HEADER)
def test_update_gives_a_catalog_without_header_the_header_of_a_new_catalog(sample_project: Path, how: str):
    path = sample_project / CATALOG
    before = translations(read_catalog(path))
    path.write_text(LOSING_THE_HEADER[how](path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {CATALOG}" in result.stdout
    po = read_catalog(path)
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"] == plural_forms("fr")
    assert po.metadata["Project-Id-Version"] == PROJECT_NAME
    assert translations(po) == before  # no translation, flag or comment lost on the way
    if how == "empty header":  # the header's own comment is kept
        assert po.header == f"fr translations for {PROJECT_NAME}."
    if how == "fuzzy empty header with a comment":
        assert po.header == "Traduction française." and not po.metadata_is_fuzzy
    msgfmt_says_nothing(path)
    # repaired once: the next update has nothing to do
    settled = tree_digest(sample_project)
    assert run_cli(sample_project, "update").exit_code == 0
    assert tree_digest(sample_project) == settled


def test_an_empty_names_po_is_a_catalog_without_entries(sample_project: Path):
    """A 0-byte names.po (touched, truncated): read as no entries, then given a header and the names."""
    path = sample_project / NAMES
    path.write_bytes(b"")
    assert list(read_catalog(path)) == []
    before = tree_digest(sample_project)
    for command in (("status",), ("build", "--lang", "fr", "--draft")):
        result = run_cli(sample_project, *command)
        assert result.exit_code == 0, result.stderr
    assert path.read_bytes() == b"" and before.items() <= tree_digest(sample_project).items()
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.stderr
    po = read_catalog(path)
    assert po.metadata["Language"] == "fr" and po.metadata["Plural-Forms"] == plural_forms("fr")
    assert po.find("Suisse", by="msgstr") is not None  # country names prefilled from CLDR, as for a new file
    msgfmt_says_nothing(path)


def test_pretranslate_gives_a_catalog_without_header_one(sample_project: Path):
    path = sample_project / CATALOG
    path.write_text(without_header(path.read_text(encoding="utf-8")), encoding="utf-8")
    reviewed = {key: entry.msgstr for key, entry in index_entries(read_catalog(path)).items()
                if entry.msgstr and "fuzzy" not in entry.flags}  # fmt: skip
    report = pretranslate(load_project(sample_project), "fr", engine=EchoEngine(), release_id=RELEASE)
    assert report.from_engine > 0
    po = read_catalog(path)
    assert po.metadata["Language"] == "fr" and po.metadata["Plural-Forms"] == plural_forms("fr")
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert {key: e.msgstr for key, e in index_entries(po).items() if key in reviewed} == reviewed
    msgfmt_says_nothing(path)


def test_review_import_gives_a_catalog_without_header_one(sample_project: Path):
    document = export(sample_project)
    path = sample_project / CATALOG
    path.write_text(without_header(path.read_text(encoding="utf-8")), encoding="utf-8")
    doc = Document(str(document))
    set_text(row_for(doc, HEADING_1).cells[3], "Approved")
    result = run_cli(sample_project, "review", "import", str(save(doc, document)))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"wrote {CATALOG}" in result.stdout
    po = read_catalog(path)
    assert po.metadata["Language"] == "fr" and po.metadata["Plural-Forms"] == plural_forms("fr")
    assert "fuzzy" not in next(e for e in po if e.msgid == HEADING_1).flags
    msgfmt_says_nothing(path)


def test_a_catalog_without_header_whose_language_is_unknown_is_refused_on_write(tmp_path: Path):
    po = parse_catalog('msgid "a"\nmsgstr "b"\n')
    for target in (tmp_path / "a.po", tmp_path / "xx_NOPE" / "LC_MESSAGES" / "a.po"):
        with pytest.raises(CatalogError, match="no header") as info:
            write_catalog(target, po)
        assert info.value.path == str(target)
        assert not target.exists()
    written = tmp_path / "templates" / "a.pot"  # a template needs no language
    write_catalog(written, po)
    assert read_catalog(written).metadata["Language"] == ""
    msgfmt_check(written)


# --- Plural-Forms --------------------------------------------------------------------------------------

HEADER = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'  # lines 1-4

REFUSED_PLURAL_FORMS = [
    # (value, words the message must contain)
    ("garbage", "is not 'nplurals=N; plural=EXPRESSION;'"),
    ("", "is not 'nplurals=N; plural=EXPRESSION;'"),
    ("nplurals=INTEGER; plural=EXPRESSION;", "nplurals='INTEGER'"),
    ("nplurals = 2; plural = (n > 1);", "is not 'nplurals=N; plural=EXPRESSION;'"),
    ("nplurals=2;", "is not 'nplurals=N; plural=EXPRESSION;'"),
    ("nplurals=2; plural=(n > 1); nplurals=3;", "is not 'nplurals=N; plural=EXPRESSION;'"),
    ("nplurals=0; plural=0;", "nplurals='0'"),
    ("nplurals=two; plural=(n > 1);", "nplurals='two'"),
    ("nplurals=1; plural=(n > 1);", "gives 1 when n = 2"),
    ("nplurals=2; plural=n % 3;", "gives 2 when n = 2"),
    ("nplurals=2; plural=n-1;", "gives -1 when n = 0"),
    ("nplurals=2; plural=n/0;", "divides by zero when n = 0"),
    ("nplurals=2; plural=(n > 1;", "expected ')'"),
    ("nplurals=2; plural=-n;", "unexpected '-'"),
    ("nplurals=2; plural=n == 0x1;", "unexpected 'x1'"),
    ("nplurals=2; plural=n > 1 ?;", "where a value was expected"),
    ("nplurals=2; plural=n ? 1;", "expected ':'"),
    ("nplurals=2; plural=(n > 1) (n);", "after a complete expression"),
    ("nplurals=2; plural=" + "(" * 3000 + "n" + ")" * 3000 + ";", "nested too deeply"),
]


@pytest.mark.parametrize(("value", "words"), REFUSED_PLURAL_FORMS, ids=[v[:30] or "empty" for v, _ in REFUSED_PLURAL_FORMS])
def test_a_plural_forms_gettext_cannot_use_is_refused_at_its_line(value: str, words: str):
    text = HEADER + f'"Plural-Forms: {value}\\n"\n\nmsgid "a"\nmsgstr "b"\n'
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, "fr.po")
    assert (info.value.path, info.value.line) == ("fr.po", 5), str(info.value)
    assert words in info.value.message
    assert "for fr, gettext's convention is 'Plural-Forms: nplurals=2; plural=(n > 1);'" in info.value.message


# msgfmt reads the first nplurals= and lets a second one be: which one was meant cannot be told
STRICTER_THAN_MSGFMT = {"nplurals=2; plural=(n > 1); nplurals=3;"}


@needs_gettext
@pytest.mark.parametrize(("value", "words"), REFUSED_PLURAL_FORMS, ids=[v[:30] or "empty" for v, _ in REFUSED_PLURAL_FORMS])
def test_msgfmt_refuses_those_plural_forms_too_once_an_entry_has_plurals(value: str, words: str, tmp_path: Path):
    """The same values, with a translated plural entry: msgfmt -c refuses them (transpub refuses them
    already without one, where msgfmt lets the header pass until a translator adds a plural entry)."""
    path = tmp_path / "fr.po"
    path.write_text(HEADER + f'"Plural-Forms: {value}\\n"\n\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\n',
                    encoding="utf-8")  # fmt: skip
    result = subprocess.run(["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True)
    assert (result.returncode == 0) == (value in STRICTER_THAN_MSGFMT), result.stderr


def test_the_plural_forms_of_every_language_are_accepted():
    """No false refusal: every formula new_catalog writes (every locale Babel knows), every formula of
    Weblate's language data, and every catalog of the corpus."""
    formulas = {plural_forms(lang) for lang in localedata.locale_identifiers()}
    formulas |= {f"nplurals={count}; plural={formula};" for _code, _name, count, formula in LANGUAGES}
    for value in sorted(formulas):
        count = int(re.match(r"nplurals=(\d+);", value).group(1))
        assert plural_count(value) == count, value
    corpus = [read_catalog(path).metadata.get("Plural-Forms") for path in sorted(CORPUS.glob("*.po"))]
    assert len([value for value in corpus if value]) >= 8
    for value in filter(None, corpus):
        assert plural_count(value) >= 1


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Arabic: 0, 1, 2, 3–10, 11–99 (of each hundred), other
        ("n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5",
         {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 102: 5, 103: 3, 111: 4}),
        # Russian: C precedence of && over ||, and % before comparisons
        ("n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2",
         {1: 0, 11: 2, 21: 0, 2: 1, 12: 2, 22: 1, 5: 2, 111: 2, 1001: 0}),
        ("!(n == 1)", {0: 1, 1: 0, 2: 1}),
        ("n / 10 % 2", {9: 0, 10: 1, 25: 0, 31: 1}),  # left to right: (n / 10) % 2
        ("1 + 2 * 0", {0: 1}),
        ("n > 1 ? n > 5 ? 2 : 1 : 0", {0: 0, 2: 1, 6: 2}),  # ?: is right-associative
    ],
)
def test_plural_expressions_are_evaluated_as_gettext_does(formula: str, expected: dict[int, int]):
    from transpub.catalogs.plurals import _parse

    plural = _parse(formula)
    assert {n: plural(n) for n in expected} == expected


# --- entries msgfmt -c refuses -------------------------------------------------------------------------

FR_HEADER = HEADER + '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'  # lines 1-6


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('msgid "Line\\n"\nmsgstr "Ligne"\n', 8, "msgid ends with \\n but msgstr does not"),
        ('msgid "Line"\nmsgstr ""\n"Ligne\\n"\n', 8, "msgid does not end with \\n but msgstr does"),
        ('msgid "\\nLine"\nmsgstr "Ligne"\n', 8, "msgid begins with \\n but msgstr does not"),
        ('msgid "a"\nmsgid_plural "as\\n"\nmsgstr[0] "b"\nmsgstr[1] "c"\n', 8, "but msgid_plural does"),
        ('msgid "a\\n"\nmsgid_plural "as\\n"\nmsgstr[0] "b\\n"\nmsgstr[1] ""\n', 10, "but msgstr[1] does not"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n', 9, "1 plural form (msgstr[0]), but the header's Plural-Forms says nplurals=2"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\nmsgstr[2] "d"\n', 11, "3 plural forms"),
        ('msgctxt "c"\nmsgid ""\nmsgid_plural ""\nmsgstr[0] "b"\n', 10, "1 plural form"),
        ('#| msgctxt "old"\nmsgid "a"\nmsgstr "b"\n', 7, "'#| msgctxt' without a '#| msgid'"),
        ('#, fuzzy\n#| msgctxt "old"\n#| msgid_plural "old"\nmsgid "a"\nmsgstr "b"\n', 9, "'#| msgid_plural' without a '#| msgid'"),
        ('#| msgid "old"\n#| msgctxt "old"\nmsgid "a"\nmsgstr "b"\n', 8, "'#| msgctxt' after '#| msgid'"),
        ('#| msgid "old"\n#| msgid_plural "olds"\n#| msgid "older"\nmsgid "a"\nmsgstr "b"\n', 9, "second '#| msgid'"),
        ('#| msgid "old"\n#, fuzzy\nmsgid "a"\nmsgstr "b"\n', 8, "a comment line after '#|' lines"),
        ('#~| msgctxt "old"\n#~ msgid "a"\n#~ msgstr "b"\n', 7, "'#~| msgctxt' without a '#~| msgid'"),
        ('#~ msgid "a"\n#~ msgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', 10, "same msgctxt and msgid as the obsolete entry at line 7"),
        ('msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n', 10, "same msgctxt and msgid as the entry at line 7"),
        ('#~ msgid ""\n#~ msgstr "Language: de\\n"\n', 7, "an obsolete entry with an empty msgid"),
        ('msgid "a"\nmsgstr "b\\x04"\n', 8, "U+0004 (EOT)"),
        ('msgid "a"\nmsgstr "b\\004"\n', 8, "U+0004 (EOT)"),
        ('msgid "a"\nmsgstr "b\\x0"\n', 8, "escape \\x0 is NUL"),
        ('msgctxt "a\x04b"\nmsgid "a"\nmsgstr "b"\n', 7, "U+0004 (EOT)"),
        ('# a comment with \x04\nmsgid "a"\nmsgstr "b"\n', 7, "U+0004 (EOT)"),
        ('msgid "a"\nmsgstr "b\x00c"\n', 8, "NUL"),
    ],
)
def test_what_msgfmt_refuses_is_refused_at_its_line(body: str, line: int, words: str):
    with pytest.raises(CatalogError) as info:
        parse_catalog(FR_HEADER + body, "fr.po")
    assert (info.value.path, info.value.line) == ("fr.po", line), str(info.value)
    assert words in info.value.message


def test_a_plural_entry_needs_a_plural_forms_header():
    with pytest.raises(CatalogError, match="the header has no Plural-Forms") as info:
        parse_catalog(HEADER + '\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\nmsgstr[1] "c"\n', "fr.po")
    assert info.value.line == 7
    assert "for fr, gettext's convention is 'Plural-Forms: nplurals=2; plural=(n > 1);'" in info.value.message


def test_what_msgfmt_does_not_compile_is_not_checked():
    """msgfmt skips fuzzy and untranslated entries: so does the reader (a translator fixes them later)."""
    po = parse_catalog(FR_HEADER + '#, fuzzy\nmsgid "Line\\n"\nmsgstr "Ligne"\n\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\n'
                       '\n#, fuzzy\nmsgid "b"\nmsgid_plural "bs"\nmsgstr[0] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n')  # fmt: skip
    assert len(po) == 3


def test_an_approval_that_would_break_the_catalog_is_refused_before_writing(tmp_path: Path):
    """A fuzzy entry whose line breaks disagree is readable; approving it as it is cannot be written."""
    path = tmp_path / "fr" / "LC_MESSAGES" / "x.po"
    path.parent.mkdir(parents=True)
    path.write_text(FR_HEADER + '#, fuzzy\nmsgid "Line\\n"\nmsgstr "Ligne"\n', encoding="utf-8")
    before = path.read_bytes()
    po = read_catalog(path)
    mark_reviewed(po[0])
    with pytest.raises(CatalogError, match="msgid ends with \\\\n but msgstr does not") as info:
        write_catalog(path, po)
    assert (info.value.path, info.value.line) == (str(path), 7)
    assert "entry 'Line\\n'" in info.value.message
    assert path.read_bytes() == before


def test_a_duplicate_made_in_code_among_obsolete_entries_is_refused(tmp_path: Path):
    po = parse_catalog(FR_HEADER + 'msgid "a"\nmsgstr "b"\n')
    po.append(polib.POEntry(msgid="a", msgstr="old", obsolete=True))
    with pytest.raises(CatalogError, match="obsolete entry 'a' is a duplicate"):
        catalog_to_text(po)
    po[-1].msgid = ""
    with pytest.raises(CatalogError, match="is a second header"):
        catalog_to_text(po)


def test_nul_and_eot_that_code_puts_in_a_translation_are_written_as_replacement_characters(tmp_path: Path):
    path = tmp_path / "fr" / "LC_MESSAGES" / "x.po"
    po = parse_catalog(FR_HEADER + 'msgid "a"\nmsgstr ""\n')
    po[0].msgstr = "engine\x00answer\x04"
    po[0].tcomment = "pasted\x00"
    write_catalog(path, po)
    again = read_catalog(path)
    assert again[0].msgstr == "engine\ufffdanswer\ufffd" and again[0].tcomment == "pasted\ufffd"
    assert write_catalog(path, again) is False
    msgfmt_check(path)
    po[0].msgid = "a\x04"  # the key itself: refused, not changed
    with pytest.raises(CatalogError, match="U\\+0004"):
        write_catalog(path, po)


# --- CR in comments ---------------------------------------------------------------------------------------

CR_COMMENTS = ["# a\rb\n", "# a\r\r\n", "# \r\r\n", "#\r\r\n", "#. a\r\r\n", "# a\r\r\r\n", "# a \r\r\n"]


@pytest.mark.parametrize("comment", CR_COMMENTS, ids=[repr(c) for c in CR_COMMENTS])
def test_a_cr_in_a_comment_survives_two_writes(comment: str, tmp_path: Path):
    path = tmp_path / "fr" / "LC_MESSAGES" / "x.po"
    path.parent.mkdir(parents=True)
    path.write_bytes((FR_HEADER + comment + 'msgid "x"\nmsgstr ""\n').encode())
    write_catalog(path, read_catalog(path))
    first = path.read_bytes()
    assert write_catalog(path, read_catalog(path)) is False
    assert path.read_bytes() == first
    msgfmt_check(path)


@pytest.mark.parametrize("comment", ["a\r", "a\r\nb", "\r", "a\rb\r", "line\r\n"])
def test_a_comment_with_cr_set_in_code_reads_back_as_written(comment: str):
    po = parse_catalog(FR_HEADER + 'msgid "x"\nmsgstr ""\n')
    po[0].tcomment = comment
    po[0].comment = comment
    written = catalog_to_text(po)
    assert catalog_to_text(parse_catalog(written)) == written


# --- another tool's layout: no rewrite ------------------------------------------------------------------


def _rewrap(path: Path, how: str) -> None:
    if how in ("msgcat", "msgcat --no-wrap"):
        wrapped = subprocess.run(["msgcat", *(["--no-wrap"] if "no-wrap" in how else ["--width=60"]), str(path)],
                                 capture_output=True, check=True).stdout  # fmt: skip
        path.write_bytes(wrapped)
    elif how == "CRLF":
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    elif how == "msgcat and CRLF":
        _rewrap(path, "msgcat")
        _rewrap(path, "CRLF")


@needs_gettext
@pytest.mark.parametrize("how", ["msgcat", "msgcat --no-wrap", "CRLF", "msgcat and CRLF"])
def test_update_leaves_a_catalog_saved_in_another_layout_alone(sample_project: Path, how: str, monkeypatch):
    assert run_cli(sample_project, "update").exit_code == 0
    for relative in (CATALOG, NAMES, f"locale/templates/{RELEASE}.pot", "locale/ar/LC_MESSAGES/names.po"):
        _rewrap(sample_project / relative, how)
    assert (sample_project / CATALOG).read_bytes() != catalog_to_bytes(read_catalog(sample_project / CATALOG))
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.stderr
    assert "0 file(s) written" in result.stdout
    assert tree_digest(sample_project) == before  # not rewritten, POT-Creation-Date not bumped

    # a real change is written, in transpub's layout, with a new date
    source = sample_project / "sources" / f"{RELEASE}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("特許庁総務部国際政策課", "特許庁国際政策課"), encoding="utf-8")
    old_date = read_catalog(sample_project / CATALOG).metadata["POT-Creation-Date"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2000000000")
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0 and f"wrote {CATALOG}" in result.stdout
    data = (sample_project / CATALOG).read_bytes()
    po = read_catalog(sample_project / CATALOG)
    assert b"\r\n" not in data and data == catalog_to_bytes(po)
    assert po.metadata["POT-Creation-Date"] != old_date
    msgfmt_says_nothing(sample_project / CATALOG)


def test_a_catalog_that_says_something_else_is_still_rewritten(sample_project: Path):
    """The comparison is of content: an extracted comment that differs from the template's is a change."""
    assert run_cli(sample_project, "update").exit_code == 0
    path = sample_project / CATALOG
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n").replace(b"#. title", b"#. the title", 1))
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0
    assert f"wrote {CATALOG}" in result.stdout
    assert b"#. title" in path.read_bytes() and b"\r\n" not in path.read_bytes()
    msgfmt_says_nothing(path)


# --- properties: any catalog transpub accepts is written msgfmt-valid, and read back the same -------------

FULL_HEADER = (
    '# fr translations.\nmsgid ""\nmsgstr ""\n"Project-Id-Version: demo\\n"\n"PO-Revision-Date: 2024-01-01 00:00+0000\\n"\n'
    '"Last-Translator: \\n"\n"Language-Team: \\n"\n"Language: fr\\n"\n"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)
HEADERS = [FULL_HEADER, "", 'msgid ""\nmsgstr ""\n\n', "# only a comment\n#, fuzzy\nmsgid \"\"\nmsgstr \"\"\n\n"]


def _entries_of(po: polib.POFile) -> list:
    """Everything but the header (which a write may have completed), active entries first as written."""
    entries = catalog_content(po)[1:]
    return [e for e in entries if not e[5]] + [e for e in entries if e[5]]  # e[5]: obsolete


def _assert_written_valid_and_stable(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fr" / "LC_MESSAGES" / "x.po"
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8"))
        try:
            po = read_catalog(path)
        except CatalogError:
            return  # refused: nothing to write
        write_catalog(path, po)
        first = path.read_bytes()
        msgfmt_check(path)
        again = read_catalog(path)
        assert _entries_of(again) == _entries_of(po)
        assert write_catalog(path, again) is False  # write(read(write(read(x)))) == write(read(x))
        assert path.read_bytes() == first


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(po_text(), st.sampled_from(HEADERS), st.booleans())
def test_any_text_transpub_accepts_is_written_msgfmt_valid_and_stable(body: str, header: str, crlf: bool):
    text = header + body
    _assert_written_valid_and_stable(text.replace("\n", "\r\n") if crlf else text)


# Catalogs built to be valid, in the many layouts tools write them: every field, values with line breaks,
# CRs, tabs, quotes and backslashes, long wrapped texts, plurals, previous msgids, obsolete entries.
PIECES = ["a", "b", " ", "\n", "\r", "\t", '"', "\\", "é", "日本", " word", "\u2028", "\x7f", "%d", "long " * 20]
VALUE = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
COMMENT = st.text(st.sampled_from(list("ab #:.,|~") + ["\r", "\t", "é", "\u0085", " "]), max_size=20)


def _literal_lines(value: str, draw) -> list[str]:
    """A value as string literals, split at random places (never inside an escape), in one of the
    escapings gettext reads."""
    escapes = {"\n": "\\n", "\r": draw(st.sampled_from(["\\r", "\\015"])), "\t": "\\t", '"': '\\"', "\\": "\\\\"}
    pieces = [escapes.get(char, char) for char in value]
    cuts = sorted(draw(st.sets(st.integers(0, len(pieces)), max_size=4)))
    parts, start = [], 0
    for cut in [*cuts, len(pieces)]:
        parts.append("".join(pieces[start:cut]))
        start = cut
    return [f'"{part}"' for part in parts]


@st.composite
def valid_catalog(draw) -> str:
    header = draw(st.sampled_from(HEADERS))
    blocks = [header]
    used = set()
    for _ in range(draw(st.integers(0, 5))):
        obsolete = draw(st.booleans())
        prefix = "#~ " if obsolete else ""
        lines = [f"# {c}" if c else "#" for c in draw(st.lists(COMMENT, max_size=2))]
        lines += [f"#. {c}" for c in draw(st.lists(COMMENT, max_size=1))]
        fuzzy = draw(st.booleans())
        if fuzzy:
            lines.append("#, fuzzy")
        msgctxt = draw(st.none() | VALUE)
        msgid = draw(VALUE.filter(lambda v: v != ""))
        if (msgctxt, msgid) in used:
            continue
        used.add((msgctxt, msgid))
        if fuzzy and draw(st.booleans()):
            previous = [("msgctxt", draw(VALUE))] if draw(st.booleans()) else []
            previous.append(("msgid", draw(VALUE)))
            for keyword, value in previous:
                first, *more = _literal_lines(value, draw)
                mark = "#~| " if obsolete else "#| "
                lines += [f"{mark}{keyword} {first}", *(mark + line for line in more)]

        def keyword_lines(keyword: str, value: str) -> list[str]:
            first, *more = _literal_lines(value, draw)
            return [f"{prefix}{keyword} {first}", *(prefix + line for line in more)]

        def agreeing(value: str) -> str:  # a translation with the msgid's line breaks at both ends
            core = value.strip("\n") or "x"  # "\n" alone both begins and ends with one
            return ("\n" if msgid.startswith("\n") else "") + core + ("\n" if msgid.endswith("\n") else "")

        if msgctxt is not None:
            lines += keyword_lines("msgctxt", msgctxt)
        lines += keyword_lines("msgid", msgid)
        if draw(st.booleans()):
            lines += keyword_lines("msgstr", agreeing(draw(VALUE)) if draw(st.booleans()) else "")
        else:
            plural = draw(VALUE)
            plural = agreeing(plural) if plural else ""
            lines += keyword_lines("msgid_plural", plural or msgid)
            # without a Plural-Forms, a translated plural entry is refused (fuzzy ones are not compiled)
            translated = draw(st.booleans()) and (header == FULL_HEADER or fuzzy)
            for index in range(2):
                lines += keyword_lines(f"msgstr[{index}]", agreeing(draw(VALUE) or "x") if translated else "")
        blocks.append("\n".join(lines) + "\n")
    text = "\n".join(blocks)
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_catalog())
def test_any_valid_catalog_in_any_layout_is_accepted_written_msgfmt_valid_and_stable(text: str):
    po = parse_catalog(text)  # valid: accepted
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fr" / "LC_MESSAGES" / "x.po"
        path.parent.mkdir(parents=True)
        write_catalog(path, po)
        msgfmt_check(path)
        first = path.read_bytes()
        assert write_catalog(path, read_catalog(path)) is False
        assert path.read_bytes() == first
        assert _entries_of(catalog_from_bytes(first, path)) == _entries_of(po)
    _assert_written_valid_and_stable(text)
