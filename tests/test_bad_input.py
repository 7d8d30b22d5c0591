"""Bad input gets one clear message naming the file and line, exit code 2, and nothing on disk changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli, tree_digest

RELEASE = "sources/2023-07-18-wipo-assemblies.md"
CATALOG = "locale/fr/LC_MESSAGES/2023-07-18-wipo-assemblies.po"


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(project: Path, relative: str, needle: str) -> int:
    for number, line in enumerate((project / relative).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


SOURCE_CASES = {
    "missing date": ("date: 2023-07-18\n", "", None, "needs 'date: YYYY-MM-DD'"),
    "unknown key": ("section: 報道発表", "sektion: 報道発表", "sektion", "unknown front matter key 'sektion'"),
    "broken yaml": ("section: 報道発表", "section: [報道発表", "division:", "started on line 3"),
    "impossible front matter date": ("date: 2023-07-18", "date: 2023-02-30", "date:", "impossible date"),
    "unknown token kind": ("{date:2023-07-06}、", "{datum:2023-07-06}、", "{datum:", "unknown token kind 'datum'"),
    "unknown country": ("{country:CH}", "{country:XZ}", "{country:XZ}", "'XZ' is not an ISO 3166-1"),
    "unknown organization": ("{org:WIPO}の", "{org:WIPA}の", "{org:WIPA}", "unknown organization 'WIPA'"),
    "impossible date token": ("{date:2023-07-06}", "{date:2023-06-31}", "{date:2023-06-31}", "no such date"),
    "reversed range": ("{date:2023-07-06}", "{daterange:2023-07-10..2023-07-06}", "{daterange:", "ends before it starts"),
    "unknown item in list": ("{list:KZ DE", "{list:KZ QQQ", "{list:KZ QQQ", "'QQQ' is neither"),
    "missing image": ("images/statement.png", "images/nothere.png", "nothere.png", "not found"),
    "image outside sources": ("images/statement.png", "../transpub.toml", "../transpub.toml", "outside the sources/ folder"),
    "absolute image path": ("images/statement.png", "/etc/passwd", "/etc/passwd", "relative to the release"),
    "second title": ("### 1. ", "# 1. ", "# 1. ", "one title"),
    # something that looks like a token and is not one is never published as text
    "unclosed token": ("{date:2023-07-06}、", "{date:2023-07-06、", "{date:2023-07-06、", "'}' is missing before the next '{'"),
    "unclosed token at the end": ("(会合順)", "(会合順){month:2023-12", "(会合順){month", "never closed"),
    "space in a token": ("{date:2023-07-06}", "{date :2023-07-06}", "{date :2023", "without spaces"),
    "token inside a token": ("{list:KZ DE", "{list:{country:KZ} DE", "{list:{country:KZ}", "cannot hold another one"),
    # tokens count in alt text and captions too, with their line (they used to fail later, in update)
    "bad token in alt text": ("![演壇に立つ話者", "![{date:2023-99-01}演壇に立つ話者", "{date:2023-99-01}", "no such date"),
    "bad token in a caption": ("\"{org:WIPO:short}加盟国総会の様子", "\"{org:NOPE}加盟国総会の様子", "{org:NOPE}", "unknown organization 'NOPE'"),
}


@pytest.mark.parametrize("command", [("update",), ("build", "--lang", "en")], ids=["update", "build"])
@pytest.mark.parametrize("case", SOURCE_CASES, ids=list(SOURCE_CASES))
def test_bad_source_is_reported_with_file_and_line(sample_project: Path, case: str, command):
    old, new, needle, message = SOURCE_CASES[case]
    _edit(sample_project, RELEASE, old, new)
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr
    location = re.escape(RELEASE) + (f":{_line_of(sample_project, RELEASE, needle)}:" if needle else ":")
    assert re.search(location, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1  # one message, one line
    assert tree_digest(sample_project) == before


def test_unsafe_release_id_is_refused(sample_project: Path):
    (sample_project / "sources" / "Release With Spaces.md").write_text("---\ndate: 2024-01-01\n---\n# T\n", encoding="utf-8")
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "update")
    assert result.exit_code == 2
    assert "sources/Release With Spaces.md" in result.stderr and "unsafe release id" in result.stderr
    assert tree_digest(sample_project) == before


@pytest.mark.parametrize("stem", ["names", "glossary", "index"])
@pytest.mark.parametrize("command", [("update",), ("build",), ("status",), ("check",)])
def test_a_release_id_taken_by_transpubs_own_files_is_refused(sample_project: Path, stem: str, command):
    """sources/names.md used to share names.po with the names (31 names flipped on every update)."""
    (sample_project / "sources" / f"{stem}.md").write_text("---\ndate: 2024-01-01\n---\n# T\n", encoding="utf-8")
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2
    assert f"sources/{stem}.md" in result.stderr and "taken by transpub's own files" in result.stderr
    assert result.stderr.count("\n") == 1
    assert tree_digest(sample_project) == before


MALFORMED_PO = {
    "unterminated string": ('msgstr "Entretiens', 'msgstr "Entretiens\nmsgid "broken'),
    "garbage line": ("#. title", "#. title\nthis is not PO"),
}


@pytest.mark.parametrize("command", [("update",), ("status",), ("build", "--lang", "fr", "--draft")])
def test_malformed_catalog_is_reported_never_repaired(sample_project: Path, command):
    path = sample_project / CATALOG
    lines = path.read_text(encoding="utf-8").splitlines()
    target = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 20)
    lines[target] = lines[target][:-1]  # drop the closing quote: an unterminated string
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"{CATALOG}:{target + 1}:" in result.stderr.replace(str(sample_project) + "/", "")
    assert "Traceback" not in result.stderr
    assert tree_digest(sample_project) == before


def test_broken_settings_are_reported_with_line(sample_project: Path):
    _edit(sample_project, "transpub.toml", 'source_lang = "ja"', 'source_lang = "ja')
    result = run_cli(sample_project, "status")
    assert result.exit_code == 2
    assert re.search(r"transpub\.toml:\d+: invalid TOML", result.stderr), result.stderr


def test_unknown_language_in_settings(sample_project: Path):
    _edit(sample_project, "transpub.toml", '"fr", "ar"]', '"fr", "xx_YY"]')
    result = run_cli(sample_project, "status")
    assert result.exit_code == 2 and "not a locale CLDR knows" in result.stderr


def test_unknown_language_on_command_line(sample_project: Path):
    result = run_cli(sample_project, "build", "--lang", "de")
    assert result.exit_code == 2 and "language 'de' is not in this project" in result.stderr


def test_api_key_in_settings_is_refused(sample_project: Path):
    _edit(sample_project, "transpub.toml", "[translate]\n", '[translate]\napi_key = "secret"\n')
    result = run_cli(sample_project, "status")
    assert result.exit_code == 2 and "API keys never go in transpub.toml" in result.stderr
    assert "secret" not in result.stderr


def test_paths_in_messages_are_relative_to_where_the_user_is(sample_project: Path, monkeypatch):
    names = sample_project / "locale/en/LC_MESSAGES/names.po"
    names.write_text(names.read_text(encoding="utf-8").replace('msgstr "Japan Patent Office"', 'msgstr "Japan \\q"', 1), encoding="utf-8")
    monkeypatch.chdir(sample_project)
    result = run_cli(None, "build", "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.startswith("transpub: error: locale/en/LC_MESSAGES/names.po:"), result.stderr
    assert "invalid escape sequence" in result.stderr


# --- where transpub writes: only regular files, and a failure is one message ----------------------------
@pytest.mark.parametrize("target", ["/dev/full", "/dev/null"])
def test_a_write_over_something_that_is_not_a_regular_file_is_refused(sample_project: Path, target: str):
    """`-o /dev/full` was read without end (24 GB) before: now nothing is read, written or replaced."""
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "review", "export", "--lang", "fr", "-o", target)
    assert result.exit_code == 2, result.stderr
    assert result.stderr == f"transpub: error: {target}: cannot write here: not a regular file stands where the file would go\n"
    assert tree_digest(sample_project) == before
    assert Path(target).is_char_device()


@pytest.mark.parametrize("flush", ["fsync of each file", "syncfs of the file system"])
def test_a_full_disk_is_one_message_and_changes_nothing(sample_project: Path, monkeypatch, flush):
    def full(*args):
        raise OSError(28, "No space left on device")

    before = tree_digest(sample_project)
    monkeypatch.setattr("os.fsync", full)
    # a build flushes its outputs once, before renaming any (syncfs on Linux, else an fsync of each file)
    if flush == "fsync of each file":
        monkeypatch.setattr("transpub.staging._syncfs", lambda: None)
    else:
        monkeypatch.setattr("transpub.staging._sync_file_system", full)
    result = run_cli(sample_project, "build", "--lang", "en")
    assert result.exit_code == 2, result.stderr
    # the flush comes after rendering (progress lines before it), and before any file is put in place
    errors = re.sub(r"^building releases: \d+/\d+\n", "", result.stderr, flags=re.M)
    assert re.fullmatch(r"transpub: error: outputs/en/[^:]+: cannot write: No space left on device\n", errors.replace(str(sample_project) + "/", ""))
    assert tree_digest(sample_project) == before


# --- the project's templates: inside the project, UTF-8, and every error at its file and line ------------------
def _template_case(project: Path, case: str) -> tuple[str, str]:
    """Set up one bad templates/ folder; return (the file the message names, what it says)."""
    templates = project / "templates"
    templates.mkdir()
    base = (Path(__file__).parent.parent / "src/transpub/templates/release.html.j2").read_text(encoding="utf-8")
    if case == "stylesheet symlinked outside":
        (templates / "transpub.css").symlink_to("/etc/passwd")
        return "templates/transpub.css", "symbolic link to a file outside the templates/ folder"
    if case == "template symlinked outside":
        outside = project.parent / "elsewhere.html.j2"
        outside.write_text(base, encoding="utf-8")
        (templates / "release.html.j2").symlink_to(outside)
        return "templates/release.html.j2", "symbolic link to a file outside the templates/ folder"
    if case == "stylesheet not UTF-8":
        (templates / "transpub.css").write_bytes(b"body {}\n\xff\n")
        return "templates/transpub.css:2", "not UTF-8"
    if case == "template not UTF-8":
        (templates / "release.html.j2").write_bytes(base.encode() + b"\n\xfe")
        return f"templates/release.html.j2:{base.count(chr(10)) + 2}", "not UTF-8"
    if case == "huge range in a template":
        (templates / "release.html.j2").write_text("{% for i in range(10**9) %}x{% endfor %}\n", encoding="utf-8")
        return "templates/release.html.j2:1", "template release.html.j2: "
    if case == "undefined name in a template":
        (templates / "release.html.j2").write_text("line one\n{{ no_such_thing.title }}\n", encoding="utf-8")
        return "templates/release.html.j2:2", "'no_such_thing' is undefined"
    if case == "template syntax error":
        (templates / "release.html.j2").write_text("ok\n{% if %}\n", encoding="utf-8")
        return "templates/release.html.j2:2", "template release.html.j2: "
    if case == "template is a folder":
        (templates / "release.html.j2").mkdir()
        return "templates/release.html.j2", "a folder"
    raise AssertionError(case)


TEMPLATE_CASES = [
    "stylesheet symlinked outside",
    "template symlinked outside",
    "stylesheet not UTF-8",
    "template not UTF-8",
    "huge range in a template",
    "undefined name in a template",
    "template syntax error",
    "template is a folder",
]


@pytest.mark.parametrize("case", TEMPLATE_CASES)
def test_a_bad_project_template_is_one_message_at_its_file_and_line(sample_project: Path, case: str, monkeypatch):
    where, says = _template_case(sample_project, case)
    before = tree_digest(sample_project)
    monkeypatch.chdir(sample_project)
    result = run_cli(None, "build", "--lang", "en")
    assert result.exit_code == 2, result.stdout + result.stderr
    messages = [line for line in result.stderr.splitlines() if not line.startswith("building releases: ")]
    assert len(messages) == 1 and messages[0].startswith(f"transpub: error: {where}: "), result.stderr
    assert says in messages[0]
    assert tree_digest(sample_project) == before  # nothing published, /etc/passwd least of all


def test_a_lock_that_cannot_be_taken_is_one_message(sample_project: Path):
    """A folder (or a file not ours) where the lock file goes: one message naming it, not a traceback."""
    (sample_project / ".transpub.lock").mkdir()
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "update")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert ".transpub.lock: cannot take the project lock" in result.stderr and result.stderr.count("\n") == 1
    assert tree_digest(sample_project) == before


def test_an_unknown_catalog_charset_names_the_file_and_line(sample_project: Path):
    path = sample_project / CATALOG
    path.write_text(path.read_text(encoding="utf-8").replace("charset=UTF-8", "charset=KLINGON", 1), encoding="utf-8")
    line = _line_of(sample_project, CATALOG, "charset=KLINGON")
    before = tree_digest(sample_project)
    for command in (("status",), ("update",), ("build", "--lang", "fr", "--draft")):
        result = run_cli(sample_project, *command)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert f"{CATALOG}:{line}: unknown charset 'KLINGON'" in result.stderr.replace(str(sample_project) + "/", "")
    assert tree_digest(sample_project) == before


# --- malformed catalogs, one row each: refused at their line by every command, nothing written (F13) -------
# Each row mutates the French catalog of the sample: (old, new) replacements of its text, or a function
# of its text; the message the error must carry; and where the error is: the text that starts that line
# in the mutated file (or a line number). Every row is something `msgfmt -c` or the strict reader refuses.
TITLE_MSGID = 'msgid "知的財産分野における国際協力が前進しました"'
H1_MSGID = 'msgid "1. 加盟国総会における一般演説"'
H1_MSGSTR = 'msgstr "1. Déclaration générale à l’Assemblée générale"'
H1_ENTRY = f"#, fuzzy\n{H1_MSGID}\n{H1_MSGSTR}\n"
CAPTION_MSGSTR = 'msgstr "Vue de l’Assemblée générale de l’{org:WIPO:short}"'
PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
OLD_SECTION = '#| msgid "報道発表(旧)"\n'


def _appended(addition: str):
    return lambda text: text + addition


def _as_plural(*forms: str) -> tuple[str, str]:
    """The reviewed caption entry turned into a plural entry with these msgstr[n]."""
    lines = "\n".join(f'msgstr[{i}] "{form}"' for i, form in enumerate(forms))
    return (CAPTION_MSGSTR, f'msgid_plural "{{org:WIPO:short}}加盟国総会の様子"\n{lines}')


BAD_CATALOGS = [
    # (id, edit, message, where)
    ("unterminated msgstr", [('"intellectuelle"\n', '"intellectuelle\n')], "unterminated string", '"intellectuelle'),
    ("unterminated msgid", [(H1_MSGID, H1_MSGID[:-1])], "unterminated string", H1_MSGID[:-1]),
    ("unterminated obsolete string", _appended('\n#~ msgid "old\n#~ msgstr "ancien"\n'), "unterminated string", '#~ msgid "old'),
    ("unescaped quote", [('"intellectuelle"', '"intellec"tuelle"')], "after the closing quote", '"intellec"'),
    ("invalid escape", [('"intellectuelle"', '"intellectuelle\\q"')], "invalid escape sequence \\q", '"intellectuelle\\q'),
    ("non-ASCII octal escape", [('"intellectuelle"', '"intellectuell\\351"')], "not an ASCII character", '"intellectuell\\351'),
    ("escaped NUL", [('"intellectuelle"', '"intellectuelle\\x00"')], "escape \\x00 is NUL", '"intellectuelle\\x00'),
    ("escaped EOT", [('"intellectuelle"', '"intellectuelle\\004"')], "U+0004 (EOT)", '"intellectuelle\\004'),
    ("raw EOT in a msgid", [(H1_MSGID, H1_MSGID.replace("総会", "総会\x04"))], "U+0004 (EOT)", H1_MSGID.replace("総会", "総会\x04")),
    ("NUL byte", lambda text: text.replace('"intellectuelle"', '"intellec\x00tuelle"').encode(), "NUL byte", '"intellec'),
    ("UTF-16 file", lambda text: text.encode("utf-16"), "NUL byte: a PO file is text", 1),
    ("invalid UTF-8", lambda text: text.encode().replace(b'"intellectuelle"', b'"intellectuel\xe9"'), "byte 0xE9 is not valid UTF-8", '"intellectuel'),
    ("text not in the declared charset", [("charset=UTF-8", "charset=ASCII")], "is not valid ASCII", TITLE_MSGID),
    ("unknown charset", [("charset=UTF-8", "charset=KLINGON")], "unknown charset 'KLINGON'", '"Content-Type:'),
    ("byte order mark", lambda text: "\ufeff" + text, "byte order mark", 1),
    ("duplicate entry", [(H1_ENTRY, f'{H1_ENTRY}\n{TITLE_MSGID}\nmsgstr "Doublon"\n')], "duplicate entry: same msgctxt and msgid as the entry at line 18", f'{TITLE_MSGID}\nmsgstr "Doublon"'),
    ("duplicate obsolete entries", _appended('\n#~ msgid "old"\n#~ msgstr "a"\n\n#~ msgid "old"\n#~ msgstr "b"\n'), "as the obsolete entry at line", '#~ msgid "old"\n#~ msgstr "b"'),
    ("obsolete entry repeating an active one", _appended(f'\n#~ {H1_MSGID}\n#~ msgstr "x"\n'), "duplicate entry", f"#~ {H1_MSGID}"),
    ("obsolete second header", _appended('\n#~ msgid ""\n#~ msgstr "Language: de\\n"\n'), "an obsolete entry with an empty msgid", '#~ msgid ""'),
    ("second header", _appended('\nmsgid ""\nmsgstr "Language: de\\n"\n'), "duplicate entry: same msgctxt and msgid as the entry at line 2", 'msgid ""\nmsgstr "Language: de'),
    ("orphan msgstr", [('"intellectuelle"\n', '"intellectuelle"\nmsgstr "encore"\n')], "msgstr here, but expected a new entry", 'msgstr "encore"'),
    ("msgstr before msgid", [(f"{H1_MSGID}\n{H1_MSGSTR}", f"{H1_MSGSTR}\n{H1_MSGID}")], "msgstr here, but expected msgctxt or msgid", H1_MSGSTR),
    ("msgid without msgstr", [(H1_MSGSTR + "\n", "")], "msgid without msgstr", H1_MSGID),
    ("msgctxt without msgid", [(H1_MSGID, 'msgctxt "heading"')], "msgstr here, but expected msgid", H1_MSGSTR),
    ("msgctxt after msgid", [(H1_MSGID, f'{H1_MSGID}\nmsgctxt "heading"')], "msgid without msgstr", H1_MSGID),
    ("comment inside an entry", [(H1_MSGSTR, f"# note\n{H1_MSGSTR}")], "msgid without msgstr", H1_MSGID),
    ("msgid_plural without msgstr[0]", [(H1_MSGSTR, f'msgid_plural "1. 一般演説"\n{H1_MSGSTR}')], "msgstr here, but expected msgstr[0]", H1_MSGSTR),
    ("msgstr[1] without msgstr[0]", [(H1_MSGSTR, 'msgid_plural "x"\nmsgstr[1] "y"')], "msgstr[1] here, but expected msgstr[0]", 'msgstr[1] "y"'),
    ("msgstr[0] without msgid_plural", [(H1_MSGSTR, 'msgstr[0] "1. Déclaration"')], "expected msgstr or msgid_plural", 'msgstr[0] "1. D'),
    ("plural forms out of order", [(H1_MSGSTR, 'msgid_plural "x"\nmsgstr[0] "a"\nmsgstr[2] "b"')], "expected msgstr[1]", 'msgstr[2] "b"'),
    ("too few plural forms", [_as_plural("Vue")], "1 plural form (msgstr[0]), but the header's Plural-Forms says nplurals=2", 'msgstr[0] "Vue"'),
    ("too many plural forms", [_as_plural("Vue", "Vues", "Vuess")], "3 plural forms (msgstr[0] to msgstr[2])", 'msgstr[2] "Vuess"'),
    ("plural entry without Plural-Forms", [(f'"Plural-Forms: {PLURAL_FORMS}\\n"\n', ""), _as_plural("Vue", "Vues")], "the header has no Plural-Forms", 'msgid_plural "{org'),
    ("msgid ends with a line break, msgstr not", [(TITLE_MSGID, TITLE_MSGID[:-1] + '\\n"')], "msgid ends with \\n but msgstr does not", 'msgstr ""\n"La coopération'),
    ("msgstr begins with a line break, msgid not", [('msgstr ""\n"La coopération', 'msgstr ""\n"\\nLa coopération')], "msgid does not begin with \\n but msgstr does", 'msgstr ""\n"\\nLa'),
    ("string line without a keyword", [('"intellectuelle"\n', '"intellectuelle"\n\n"orphan"\n')], "string continuation line without a keyword", '"orphan"'),
    ("blank line inside a string", [('msgstr ""\n"La coopération', 'msgstr ""\n\n"La coopération')], "string continuation line without a keyword", '"La coopération'),
    ("unknown keyword", [(H1_MSGSTR, "msgstring" + H1_MSGSTR[6:])], "unknown keyword 'msgstring'", "msgstring"),
    ("merge conflict marker", [("#. subtitle\n", "<<<<<<< HEAD\n#. subtitle\n")], "unexpected text '<<<<<<< HEAD'", "<<<<<<<"),
    ("obsolete entry without msgstr", _appended('\n#~ msgid "old"\n'), "msgid without msgstr", '#~ msgid "old"'),
    ("obsolete and active lines mixed", _appended('\n#~ msgid "old"\nmsgstr "ancien"\n'), "mixes obsolete", 'msgstr "ancien"'),
    ("empty obsolete line", _appended('\n#~ msgid "old"\n#~\n#~ msgstr "ancien"\n'), "empty obsolete line", "#~\n#~ msgstr"),
    ("'#| msgctxt' without '#| msgid'", [(H1_ENTRY, '#, fuzzy\n#| msgctxt "old"\n' + H1_ENTRY[9:])], "'#| msgctxt' without a '#| msgid'", '#| msgctxt "old"'),
    ("'#| msgid_plural' without '#| msgid'", [(H1_ENTRY, '#, fuzzy\n#| msgid_plural "olds"\n' + H1_ENTRY[9:])], "'#| msgid_plural' without a '#| msgid'", "#| msgid_plural"),
    ("'#| msgctxt' after '#| msgid'", [(OLD_SECTION, OLD_SECTION + '#| msgctxt "old"\n')], "'#| msgctxt' after '#| msgid'", '#| msgctxt "old"'),
    ("second '#| msgid'", [(OLD_SECTION, OLD_SECTION + '#| msgid "again"\n')], "second '#| msgid'", '#| msgid "again"'),
    ("comment after '#|' lines", [(OLD_SECTION, OLD_SECTION + "# note\n")], "a comment line after '#|' lines", "# note"),
    ("'#|' keyword that is not one", [(OLD_SECTION, '#| msgstr "old"\n')], "unknown keyword in a previous-msgid line", '#| msgstr "old"'),
    ("obsolete '#~| msgctxt' without '#~| msgid'", _appended('\n#~| msgctxt "old"\n#~ msgid "old"\n#~ msgstr "ancien"\n'), "'#~| msgctxt' without a '#~| msgid'", '#~| msgctxt "old"'),
    ("Plural-Forms garbage", [(PLURAL_FORMS, "garbage")], "Plural-Forms 'garbage' is not 'nplurals=N; plural=EXPRESSION;'", '"Plural-Forms:'),
    ("Plural-Forms empty", [(PLURAL_FORMS, "")], "Plural-Forms '' is not 'nplurals=N; plural=EXPRESSION;'", '"Plural-Forms:'),
    ("Plural-Forms placeholder", [(PLURAL_FORMS, "nplurals=INTEGER; plural=EXPRESSION;")], "nplurals='INTEGER' in Plural-Forms", '"Plural-Forms:'),
    ("Plural-Forms beyond nplurals", [(PLURAL_FORMS, "nplurals=1; plural=(n > 1);")], "gives 1 when n = 2", '"Plural-Forms:'),
    ("Plural-Forms dividing by zero", [(PLURAL_FORMS, "nplurals=2; plural=(n % 0);")], "divides by zero when n = 0", '"Plural-Forms:'),
    ("Plural-Forms that does not parse", [(PLURAL_FORMS, "nplurals=2; plural=(n > 1;")], "is not one gettext can read", '"Plural-Forms:'),
    ("comment at the end of the file", _appended("\n# orphan comment\n"), "belong to no entry", "# orphan comment"),
]
assert len({row[0] for row in BAD_CATALOGS}) == len(BAD_CATALOGS) >= 30


def _mutated_catalog(project: Path, edit) -> bytes:
    text = (project / CATALOG).read_text(encoding="utf-8")
    if callable(edit):
        result = edit(text)
        return result if isinstance(result, bytes) else result.encode("utf-8")
    for old, new in edit:
        assert text.count(old) == 1, f"fixture text {old!r} is not once in {CATALOG}"
        text = text.replace(old, new)
    return text.encode("utf-8")


def _line_in(data: bytes, where) -> int:
    if isinstance(where, int):
        return where
    found = data.find(where.encode("utf-8"))
    assert found >= 0, where
    return data.count(b"\n", 0, found) + 1


@pytest.mark.parametrize("command", [("update",), ("status",), ("build", "--lang", "fr", "--draft")], ids=["update", "status", "build-draft"])
@pytest.mark.parametrize(("edit", "message", "where"), [row[1:] for row in BAD_CATALOGS], ids=[row[0] for row in BAD_CATALOGS])
def test_a_malformed_catalog_is_one_message_at_its_line_and_changes_nothing(sample_project: Path, edit, message: str, where, command):
    data = _mutated_catalog(sample_project, edit)
    (sample_project / CATALOG).write_bytes(data)
    line = _line_in(data, where)
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2, result.stdout + result.stderr
    stderr = result.stderr.replace(str(sample_project) + "/", "")
    assert stderr.startswith(f"transpub: error: {CATALOG}:{line}: "), stderr
    assert message in stderr, stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr  # one message, one line
    assert tree_digest(sample_project) == before
