"""Each command through click's CliRunner, and the promise that every command explains itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import run_cli

from transpub.cli import main
from transpub.config import load_project


def _commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path
        if isinstance(command, click.Group):
            yield from _commands(command, path)


@pytest.mark.parametrize("path", list(_commands(main)), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path):
    result = run_cli(None, *path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout, f"'transpub {' '.join(path)} --help' shows no example"
    assert f"transpub {' '.join(path)}" in result.stdout


def test_init_scaffolds_a_project_that_builds(tmp_path: Path):
    target = tmp_path / "newsroom"
    result = run_cli(None, "init", str(target), "--source-lang", "en", "--languages", "fr,ar", "--publisher", "Example Office")
    assert result.exit_code == 0, result.stderr
    assert (target / "transpub.toml").is_file() and (target / "sources").is_dir()
    assert run_cli(target, "update").exit_code == 0
    result = run_cli(target, "build", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert list((target / "outputs" / "en").glob("*-example.html"))
    # a new project reviews in two steps: a translator's save is not an approval
    from transpub.config import load_project

    assert load_project(target).review.policy == "two-step"
    # a second init refuses to overwrite the project
    again = run_cli(None, "init", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_init_refuses_unknown_languages_before_writing(tmp_path: Path):
    result = run_cli(None, "init", str(tmp_path / "p"), "--languages", "fr,qq")
    assert result.exit_code == 2 and "not a locale CLDR knows" in result.stderr
    assert not (tmp_path / "p").exists()


def test_extract_writes_templates_only(sample_project: Path):
    result = run_cli(sample_project, "extract")
    assert result.exit_code == 0, result.stderr
    assert (sample_project / "locale/templates/2023-07-18-wipo-assemblies.pot").is_file()
    assert "release(s)" in result.stdout


def test_update_reports_what_it_wrote(sample_project: Path):
    (sample_project / "locale" / "fr").rename(sample_project / "gone")
    result = run_cli(sample_project, "update", "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    assert "wrote locale/fr/LC_MESSAGES/2023-07-18-wipo-assemblies.po" in result.stdout
    assert "locale/en/" not in result.stdout


def test_status_shows_every_review_state(sample_project: Path):
    result = run_cli(sample_project, "status")
    assert result.exit_code == 0, result.stderr
    lines = {line.split()[1]: line for line in result.stdout.splitlines()[1:]}
    assert " yes " in lines["en"] and lines["en"].endswith("every segment and name reviewed, no check errors")
    assert " no " in lines["fr"] and "not fully reviewed: " in lines["fr"]
    assert " no " in lines["ar"] and "not fully reviewed: " in lines["ar"]


def test_status_json_counts_segments_and_words(sample_project: Path):
    result = run_cli(sample_project, "status", "--json")
    rows = {row["lang"]: row for row in json.loads(result.stdout)}
    en, fr = rows["en"], rows["fr"]
    assert en["publishable"] and en["reviewed"]["segments"] == en["total"]["segments"] > 0
    assert en["untranslated"]["segments"] == 0
    # the French sample has every state: reviewed, machine, changed, untranslated
    for state in ("reviewed", "machine", "changed", "untranslated"):
        assert fr[state]["segments"] > 0, state
    assert fr["unreviewed"]["segments"] == fr["machine"]["segments"] + fr["changed"]["segments"]
    assert not fr["publishable"] and "not fully reviewed" in fr["reason"]
    assert fr["total"]["words"] == en["total"]["words"] > 0


def test_status_for_one_language_and_release(sample_project: Path):
    result = run_cli(sample_project, "status", "--lang", "fr", "--release", "2023-07-18-wipo-assemblies", "--json")
    rows = json.loads(result.stdout)
    assert [(r["release"], r["lang"]) for r in rows] == [("2023-07-18-wipo-assemblies", "fr")]


def test_build_skips_what_is_not_reviewed_and_says_why(sample_project: Path):
    result = run_cli(sample_project, "build", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert "skipped 2023-07-18-wipo-assemblies [fr]: not fully reviewed" in result.stderr
    assert (sample_project / "outputs/en/2023-07-18-wipo-assemblies.html").is_file()
    assert (sample_project / "outputs/ja/2023-07-18-wipo-assemblies.html").is_file()
    assert not (sample_project / "outputs/fr/2023-07-18-wipo-assemblies.html").exists()


def test_build_of_an_unpublishable_language_exits_1(sample_project: Path):
    result = run_cli(sample_project, "build", "--lang", "fr", "--format", "html")
    assert result.exit_code == 1
    assert "nothing publishable for fr" in result.stderr


def test_a_build_with_nothing_to_write_lists_its_outputs_only_when_asked(sample_project: Path):
    assert run_cli(sample_project, "build", "--lang", "en").exit_code == 0
    again = run_cli(sample_project, "build", "--lang", "en")
    assert again.exit_code == 0, again.stderr  # up to date is built: not "nothing publishable"
    assert "unchanged" not in again.stdout and "0 page(s) rendered, 2 output(s) up to date" in again.stdout
    verbose = run_cli(sample_project, "build", "--lang", "en", "--verbose")
    assert verbose.exit_code == 0
    assert "unchanged outputs/en/2023-07-18-wipo-assemblies.html" in verbose.stdout
    assert "unchanged outputs/en/2023-07-18-wipo-assemblies.docx" in verbose.stdout


def test_draft_build_goes_to_a_separate_folder(sample_project: Path):
    result = run_cli(sample_project, "build", "--lang", "fr", "--draft", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert (sample_project / "outputs/drafts/fr/2023-07-18-wipo-assemblies.html").is_file()
    assert not (sample_project / "outputs/fr").exists()


def test_build_rejects_unknown_format(sample_project: Path):
    result = run_cli(sample_project, "build", "--format", "pdf")
    assert result.exit_code == 2 and "unknown format pdf" in result.stderr


def test_build_one_release(sample_project: Path):
    result = run_cli(sample_project, "build", "--lang", "en", "--release", "2023-07-18-wipo-assemblies", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    assert (sample_project / "outputs/en/2023-07-18-wipo-assemblies.docx").is_file()
    assert not (sample_project / "outputs/en/2023-07-18-wipo-assemblies.html").exists()
    bad = run_cli(sample_project, "build", "--release", "no-such-release")
    assert bad.exit_code == 2 and "no release 'no-such-release'" in bad.stderr


def test_commands_find_the_project_from_a_subfolder(sample_project: Path, monkeypatch):
    monkeypatch.chdir(sample_project / "sources")
    result = run_cli(None, "status", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)


def test_outside_a_project_says_so(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(None, "status")
    assert result.exit_code == 2 and "no transpub.toml" in result.stderr


def test_python_dash_m_runs_the_command_line():
    """`python -m transpub.cli` must work too (command modules import cli_support, not cli: no cycle)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "transpub.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "review" in result.stdout and "check" in result.stdout


def _script(project: Path, *args: str, before: str = "") -> subprocess.CompletedProcess:
    """The console script's entry point, ``transpub.cli.run``, in a process of its own (as `transpub` runs)."""
    code = f"import sys; {before}from transpub.cli import run; sys.argv = ['transpub', *sys.argv[1:]]; run()"
    return subprocess.run([sys.executable, "-c", code, "-C", str(project), *args], capture_output=True, text=True, timeout=120)


def test_the_script_ends_with_each_outcome_s_exit_code_and_all_its_output(sample_project: Path):
    source = next((sample_project / "sources").glob("*.md"))
    for n in range(40):  # enough releases that the report outgrows the output buffer many times over
        shutil.copy(source, source.with_name(f"2020-01-{n % 28 + 1:02d}-copy-{n:02d}.md"))
    status = _script(sample_project, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert len(status.stdout) > 64 * 1024
    languages = load_project(sample_project).languages
    assert len(json.loads(status.stdout)) == 41 * len(languages)  # every release in every target language: nothing cut off

    bad = _script(sample_project, "build", "--lang", "xx")
    assert bad.returncode == 2 and "language 'xx' is not in this project" in bad.stderr
    assert _script(sample_project, "build", "--no-such-option").returncode == 2  # click's usage error
    assert _script(sample_project, "--version").stdout.startswith("transpub, version")


def test_the_script_skips_the_interpreter_s_teardown(sample_project: Path):
    """What it would spend freeing every object one by one: nothing of transpub's waits on it."""
    before = "import atexit; atexit.register(print, 'torn down'); "
    ended = _script(sample_project, "--version", before=before)
    assert ended.returncode == 0 and "version" in ended.stdout
    assert "torn down" not in ended.stdout
    assert "torn down" in subprocess.run([sys.executable, "-c", before], capture_output=True, text=True).stdout


def test_under_a_profiler_the_script_ends_the_usual_way(tmp_path: Path):
    """cProfile (and coverage) write what they found as the interpreter ends: that end is not skipped."""
    stats = tmp_path / "version.prof"
    ended = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "transpub.cli", "--version"],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ended.returncode == 0 and "version" in ended.stdout, ended.stderr
    assert stats.stat().st_size > 0
