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


def test_a_full_disk_is_one_message_and_changes_nothing(sample_project: Path, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    before = tree_digest(sample_project)
    monkeypatch.setattr("os.fsync", full)
    result = run_cli(sample_project, "build", "--lang", "en")
    assert result.exit_code == 2, result.stderr
    assert re.fullmatch(r"transpub: error: outputs/en/[^:]+: cannot write: No space left on device\n", result.stderr.replace(str(sample_project) + "/", ""))
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
    messages = [line for line in result.stderr.splitlines() if not line.startswith("rendering: ")]
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
