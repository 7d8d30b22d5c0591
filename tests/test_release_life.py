"""A release's life: withdrawn (`rm`, and the build removes its outputs) and renamed (`mv`, suggested by
`update`), review states kept, outputs/ mirroring the project, and bad input changing nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli, tree_digest

RELEASE = "2023-07-18-wipo-assemblies"
NEW = "2023-07-18-wipo-general-assemblies"


def _two_step(project: Path) -> None:
    """Two-step review with every English translation approved: an approvals.tsv to carry or remove."""
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
    result = run_cli(project, "approve", "--lang", "en", "--by", "Marie Curie")
    assert result.exit_code == 0, result.output
    assert RELEASE in (project / "locale/en/approvals.tsv").read_text(encoding="utf-8")


def _status(project: Path) -> list[dict]:
    result = run_cli(project, "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _project_files(project: Path) -> dict[str, str]:
    return {path: digest for path, digest in tree_digest(project).items() if not path.startswith("outputs")}


# --- withdrawn --------------------------------------------------------------------------------------------------


def test_update_names_the_files_of_a_deleted_source_and_keeps_them(sample_project: Path):
    _two_step(sample_project)
    (sample_project / "sources" / f"{RELEASE}.md").unlink()
    before = tree_digest(sample_project / "locale")
    approvals = sample_project / "locale/en/approvals.tsv"
    approved = [line for line in approvals.read_text(encoding="utf-8").splitlines() if line.startswith(f"{RELEASE}\t")]
    assert approved
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.output
    assert f"orphaned {RELEASE}" in result.stdout
    assert f"locale/fr/LC_MESSAGES/{RELEASE}.po" in result.stdout and "locale/en/approvals.tsv" in result.stdout
    assert f"transpub rm {RELEASE}" in result.stdout
    assert "renamed?" not in result.stdout  # no release shares its segments
    after = tree_digest(sample_project / "locale")
    for path, digest in before.items():  # the orphan's catalogs and template are kept
        if RELEASE in path:
            assert after.get(path) == digest, path
    # and so are its approvals (names.po lost the countries only it named: their approvals may go)
    assert [line for line in approvals.read_text(encoding="utf-8").splitlines() if line.startswith(f"{RELEASE}\t")] == approved


def test_rm_removes_the_release_and_its_approvals_and_nothing_else(sample_project: Path):
    _two_step(sample_project)
    approvals = sample_project / "locale/en/approvals.tsv"
    names_lines = [line for line in approvals.read_text(encoding="utf-8").splitlines() if line.startswith("names\t")]
    assert names_lines
    before = _project_files(sample_project)

    dry = run_cli(sample_project, "rm", RELEASE, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would remove locale/ar/LC_MESSAGES/{RELEASE}.po" in dry.stdout and f"would remove sources/{RELEASE}.md" in dry.stdout
    assert _project_files(sample_project) == before

    result = run_cli(sample_project, "rm", RELEASE)
    assert result.exit_code == 0, result.output
    after = _project_files(sample_project)
    gone = {path for path in before if path not in after}
    assert gone == {
        f"sources/{RELEASE}.md",
        f"locale/templates/{RELEASE}.pot",
        *(f"locale/{lang}/LC_MESSAGES/{RELEASE}.po" for lang in ("en", "fr", "ar")),
    }
    assert [p for p in after if after[p] != before[p]] == ["locale/en/approvals.tsv"]
    lines = [line for line in approvals.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert lines == names_lines  # the release's approvals went, the names' stayed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rm", "2020-01-01-never-was"), "no release '2020-01-01-never-was'"),  # unknown id
        (("rm", "names"), "taken by transpub's own files"),  # reserved: names.po is not a release
        (("rm", "../transpub"), "unsafe release id"),
        (("rm", "Bad Id"), "unsafe release id"),
    ],
)
def test_rm_refuses_bad_input_and_changes_nothing(sample_project: Path, args: tuple[str, ...], message: str):
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert tree_digest(sample_project) == before


def test_the_build_after_a_withdrawal_removes_what_it_wrote_and_only_that(sample_project: Path):
    assert run_cli(sample_project, "build").exit_code == 0
    outputs = sample_project / "outputs"
    assert (outputs / f"en/{RELEASE}.html").is_file() and (outputs / "en/images/assembly.png").is_file()
    mine = outputs / "en/press-kit.txt"  # put there by a person: never transpub's to remove
    mine.write_text("keep me", encoding="utf-8")
    (outputs / "en/images/logo.png").write_bytes(b"not transpub's")

    # a second release keeps the site's index pages alive after the first one goes
    second = "2023-09-01-follow-up"
    text = (sample_project / "sources" / f"{RELEASE}.md").read_text(encoding="utf-8")
    (sample_project / "sources" / f"{second}.md").write_text(text.replace("date: 2023-07-18", "date: 2023-09-01"), encoding="utf-8")
    assert run_cli(sample_project, "update").exit_code == 0
    (sample_project / f"locale/en/LC_MESSAGES/{second}.po").write_bytes((sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po").read_bytes())
    assert run_cli(sample_project, "update").exit_code == 0
    assert run_cli(sample_project, "build").exit_code == 0
    assert f"{RELEASE}.html" in (outputs / "en/index.html").read_text(encoding="utf-8")

    assert run_cli(sample_project, "rm", RELEASE).exit_code == 0
    result = run_cli(sample_project, "build")
    assert result.exit_code == 0, result.output
    for lang in ("ja", "en"):
        for fmt in ("html", "docx"):
            assert f"removed outputs/{lang}/{RELEASE}.{fmt}" in result.stdout
            assert not (outputs / f"{lang}/{RELEASE}.{fmt}").exists()
        assert (outputs / f"{lang}/images/assembly.png").is_file()  # the second release still shows it
        for listing in (f"{lang}/index.html", f"{lang}/feed.atom"):
            text = (outputs / listing).read_text(encoding="utf-8")
            assert RELEASE not in text and second in text
    assert RELEASE not in (outputs / "sitemap.xml").read_text(encoding="utf-8")
    assert RELEASE not in (outputs / ".transpub-manifest.json").read_text(encoding="utf-8")
    assert mine.read_text(encoding="utf-8") == "keep me" and (outputs / "en/images/logo.png").is_file()

    # the last release goes: its images and its languages' index pages and feeds go with it
    assert run_cli(sample_project, "rm", second).exit_code == 0
    result = run_cli(sample_project, "build")
    assert result.exit_code == 0, result.output
    left = sorted(path for path in tree_digest(outputs))
    assert left == [".transpub-manifest.json", "en/images/logo.png", "en/press-kit.txt", "index.html", "sitemap.xml", "static/transpub.css"]


def test_after_a_withdrawal_a_noop_build_takes_no_lock_and_renders_nothing(sample_project: Path):
    from transpub.build import build
    from transpub.config import load_project
    from transpub.fsutil import project_lock

    assert run_cli(sample_project, "build").exit_code == 0
    assert run_cli(sample_project, "rm", RELEASE).exit_code == 0
    assert run_cli(sample_project, "build").exit_code == 0
    before = tree_digest(sample_project / "outputs")
    with project_lock(sample_project):  # a build that wanted to write would fail with LockError here
        report = build(load_project(sample_project), jobs=1)
    assert report.rendered == 0 and report.removed == ()
    assert tree_digest(sample_project / "outputs") == before


# --- renamed ----------------------------------------------------------------------------------------------------


def test_mv_renames_everything_and_keeps_every_review_state(sample_project: Path):
    _two_step(sample_project)
    status = _status(sample_project)
    assert any(row["publishable"] for row in status)  # English is approved: there is a state to keep
    approvals = (sample_project / "locale/en/approvals.tsv").read_text(encoding="utf-8")
    before = _project_files(sample_project)

    dry = run_cli(sample_project, "mv", RELEASE, NEW, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would move sources/{RELEASE}.md -> sources/{NEW}.md" in dry.stdout
    assert _project_files(sample_project) == before

    result = run_cli(sample_project, "mv", RELEASE, NEW)
    assert result.exit_code == 0, result.output
    after = _project_files(sample_project)
    for path, digest in before.items():
        if RELEASE in path:
            assert after[path.replace(RELEASE, NEW)] == digest and path not in after  # moved, byte for byte
    assert (sample_project / "locale/en/approvals.tsv").read_text(encoding="utf-8") == approvals.replace(f"{RELEASE}\t", f"{NEW}\t")
    assert _status(sample_project) == [{**row, "release": NEW} for row in status]
    assert run_cli(sample_project, "update").exit_code == 0  # references refreshed, nothing lost
    assert _status(sample_project) == [{**row, "release": NEW} for row in status]


def test_the_build_after_a_rename_moves_the_pages(sample_project: Path):
    assert run_cli(sample_project, "build").exit_code == 0
    assert run_cli(sample_project, "mv", RELEASE, NEW).exit_code == 0
    result = run_cli(sample_project, "build")
    assert result.exit_code == 0, result.output
    outputs = sample_project / "outputs"
    assert f"removed outputs/en/{RELEASE}.html" in result.stdout
    assert sorted(p.name for p in (outputs / "en").glob("*.html")) == ["2023-07-18-wipo-general-assemblies.html", "index.html"]
    assert (outputs / "en/images/assembly.png").is_file()
    index = (outputs / "en/index.html").read_text(encoding="utf-8")
    assert f"{NEW}.html" in index and RELEASE + ".html" not in index


def test_update_suggests_mv_after_a_rename_by_hand_and_mv_then_keeps_the_translations(sample_project: Path):
    _two_step(sample_project)
    status = _status(sample_project)
    (sample_project / "sources" / f"{RELEASE}.md").rename(sample_project / "sources" / f"{NEW}.md")
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.output
    assert f"renamed? {NEW} shares 100% of its segments" in result.stdout
    assert f"transpub mv {RELEASE} {NEW}" in result.stdout
    assert RELEASE in (sample_project / "locale/en/approvals.tsv").read_text(encoding="utf-8")  # not dropped meanwhile

    result = run_cli(sample_project, "mv", RELEASE, NEW)  # replaces the empty catalogs update made for the new name
    assert result.exit_code == 0, result.output
    assert run_cli(sample_project, "update").exit_code == 0
    assert _status(sample_project) == [{**row, "release": NEW} for row in status]
    assert "orphaned" not in run_cli(sample_project, "update").stdout


def test_update_suggests_no_rename_for_a_release_that_shares_too_little(sample_project: Path):
    source = sample_project / "sources" / f"{RELEASE}.md"
    head, _, body = source.read_text(encoding="utf-8").partition("\n---\n")
    paragraphs = body.split("\n\n")
    # keep the front matter and a few paragraphs: well under 80 % of the segments are shared
    (sample_project / "sources" / f"{NEW}.md").write_text(f"{head}\n---\n" + "\n\n".join(paragraphs[:3]) + "\n", encoding="utf-8")
    source.unlink()
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.output
    assert f"orphaned {RELEASE}" in result.stdout and "renamed?" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("mv", "2020-01-01-never-was", NEW), "no release '2020-01-01-never-was'"),  # unknown id
        (("mv", RELEASE, "names"), "taken by transpub's own files"),  # reserved
        (("mv", RELEASE, "index"), "taken by transpub's own files"),
        (("mv", RELEASE, "../elsewhere"), "unsafe release id"),
        (("mv", RELEASE, "Big News"), "unsafe release id"),
        (("mv", RELEASE, RELEASE), "already the release's name"),
    ],
)
def test_mv_refuses_bad_input_and_changes_nothing(sample_project: Path, args: tuple[str, ...], message: str):
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *args)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert tree_digest(sample_project) == before


def test_mv_refuses_a_target_that_exists_and_changes_nothing(sample_project: Path):
    source = sample_project / "sources" / f"{RELEASE}.md"
    (sample_project / "sources" / f"{NEW}.md").write_bytes(source.read_bytes())
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "mv", RELEASE, NEW)
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert tree_digest(sample_project) == before

    # the source renamed by hand, but the new id has translations of its own: they are never overwritten
    source.unlink()
    assert run_cli(sample_project, "update").exit_code == 0
    catalog = sample_project / f"locale/en/LC_MESSAGES/{NEW}.po"
    catalog.write_bytes((sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po").read_bytes())
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "mv", RELEASE, NEW)
    assert result.exit_code == 2 and "already has translations" in result.stderr
    assert tree_digest(sample_project) == before


def test_rm_and_mv_wait_for_no_lock(sample_project: Path):
    """Both change locale/ under the project lock: with another process holding it, they change nothing."""
    from transpub.fsutil import project_lock

    before = tree_digest(sample_project)
    with project_lock(sample_project):
        probe = "import sys\nfrom transpub.cli import main\nmain(['-C', sys.argv[1], *sys.argv[2:]])\n"
        for args in (("rm", RELEASE), ("mv", RELEASE, NEW)):
            result = subprocess.run([sys.executable, "-c", probe, str(sample_project), *args], capture_output=True, text=True)
            assert result.returncode == 2 and "lock" in result.stderr, result.stderr
    assert tree_digest(sample_project) == before
