"""Facts with one home: the clock, how paths are shown, --lang spellings, progress, the Markdown parser."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import run_cli, tree_digest
from libretranslate_server import FakeLibreTranslate

from transpub import clock
from transpub.errors import ConfigError
from transpub.paths import shown_path

RELEASE = "2023-07-18-wipo-assemblies"


def _pretranslate_german(project: Path):
    """Add German to the sample project and pretranslate it on the test suite's LibreTranslate server."""
    config = project / "transpub.toml"
    text = config.read_text(encoding="utf-8").replace('languages = ["en", "fr", "ar"]', 'languages = ["en", "fr", "ar", "de"]')
    with FakeLibreTranslate() as server:
        config.write_text(re.sub(r'url = "[^"]*"', f'url = "{server.url}"', text), encoding="utf-8")
        assert run_cli(project, "update", "--lang", "de").exit_code == 0
        result = run_cli(project, "pretranslate", "--lang", "de")
    assert result.exit_code == 0, result.stderr
    return result


# --- the clock ------------------------------------------------------------------------------------
def test_source_date_epoch_sets_the_time_everywhere(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert clock.now() == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    assert clock.today() == dt.date(2023, 11, 14)
    assert clock.po_stamp() == "2023-11-14 22:13+0000"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs(clock.now() - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=5)


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5", "17e8"])
def test_a_malformed_source_date_epoch_is_refused(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        clock.now()


@pytest.mark.parametrize("command", [("status",), ("update",), ("build", "--lang", "en"), ("check",)])
def test_every_command_refuses_a_malformed_source_date_epoch_and_changes_nothing(sample_project: Path, monkeypatch, command):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "next tuesday")
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr and "Traceback" not in result.stderr
    assert tree_digest(sample_project) == before


def test_the_same_moment_is_stamped_in_catalogs_and_translator_comments(sample_project: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _pretranslate_german(sample_project)
    catalog = (sample_project / f"locale/de/LC_MESSAGES/{RELEASE}.po").read_text(encoding="utf-8")
    assert '"PO-Revision-Date: 2023-11-14 22:13+0000\\n"' in catalog
    assert "machine translation: libretranslate, 2023-11-14" in catalog


# --- paths ------------------------------------------------------------------------------------------
def test_a_path_is_shown_relative_to_the_project_as_the_user_names_it(tmp_path: Path):
    project = tmp_path / "project"
    (project / "locale").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / "locale" / "fr").symlink_to(outside)
    assert shown_path(project / "locale/fr/LC_MESSAGES/x.po", project) == "locale/fr/LC_MESSAGES/x.po"
    assert shown_path(outside / "y.po", project) == str(outside / "y.po")


def test_errors_name_files_relative_to_where_the_user_is(sample_project: Path, monkeypatch):
    catalog = sample_project / f"locale/fr/LC_MESSAGES/{RELEASE}.po"
    catalog.write_text(catalog.read_text(encoding="utf-8") + '\nmsgid "broken\n', encoding="utf-8")
    monkeypatch.chdir(sample_project)
    result = run_cli(None, "status")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"transpub: error: locale/fr/LC_MESSAGES/{RELEASE}.po:")


# --- languages as typed -------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["fr", " fr", "fr,", "FR-placeholder"])
def test_every_command_reads_a_language_the_same_way(sample_project: Path, spelling: str):
    if spelling == "FR-placeholder":  # a BCP 47 spelling of a configured CLDR id
        text = (sample_project / "transpub.toml").read_text(encoding="utf-8")
        (sample_project / "transpub.toml").write_text(text.replace('"fr"', '"zh_Hans"'), encoding="utf-8")
        assert run_cli(sample_project, "update", "--lang", "zh-Hans").exit_code == 0
        spelling, expected = "zh-Hans", "zh_Hans"
    else:
        expected = "fr"
    for command in (("status", "--json", "--lang", spelling), ("check", "--json", "--lang", spelling)):
        result = run_cli(sample_project, *command)
        assert result.exit_code in (0, 1), result.stderr
        assert f'"lang": "{expected}"' in result.stdout
    export = run_cli(sample_project, "review", "export", "--lang", spelling, "-o", str(sample_project / "r.docx"))
    assert export.exit_code == 0, export.stderr


# --- progress ------------------------------------------------------------------------------------------
def test_a_long_command_reports_progress_in_a_log(sample_project: Path):
    """Not on a terminal (a log, CI): lines 'label: done/total', so a long run is never silent."""
    result = _pretranslate_german(sample_project)
    counts = re.findall(r"^translating into de: (\d+)/(\d+)$", result.stderr, re.M)
    assert counts and counts[-1][0] == counts[-1][1] and int(counts[-1][1]) > 0
    build = run_cli(sample_project, "build", "--lang", "en")
    assert re.search(r"^building releases: 1/1$", build.stderr, re.M)


def test_build_progress_counts_every_release_against_a_total_known_from_the_start(sample_project: Path):
    """Releases rendered in the pool and releases already up to date both count; the total never grows
    while the build runs, and the last line says everything is done."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    try:
        from corpus import write_sources
    finally:
        sys.path.pop(0)
    write_sources(sample_project / "sources", 11)
    total = len(list((sample_project / "sources").glob("*.md")))
    for _ in range(2):  # everything rendered, then everything up to date
        build = run_cli(sample_project, "build", "--lang", "en", "--jobs", "2")
        assert build.exit_code == 0, build.stderr
        counts = [(int(done), int(of)) for done, of in re.findall(r"^building releases: (\d+)/(\d+)$", build.stderr, re.M)]
        assert counts and counts[-1] == (total, total) and {of for _, of in counts} == {total}, build.stderr


# --- one Markdown parser ---------------------------------------------------------------------------------
def test_there_is_one_markdown_parser_factory():
    package = Path(__import__("transpub").__file__).parent
    made = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "MarkdownIt(" in line
    ]
    # markdown-it-py (the reference) and markdown-it.rs (compiled), both made in the one parser module
    assert made and all(m.startswith("source/markdown.py:") for m in made), made
    assert len(made) == 2, made
