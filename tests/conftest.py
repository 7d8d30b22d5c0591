"""Shared fixtures: the repository's sample project copied into a temporary folder, and the CLI runner."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from transpub.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _private_cache_folder(tmp_path_factory: pytest.TempPathFactory):
    """transpub keeps compiled templates under $XDG_CACHE_HOME: tests use a folder of their own, not the
    user's (subprocesses inherit it)."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A private copy of the repository's sample project (settings, sources, catalogs; no outputs)."""
    target = tmp_path / "sample"
    target.mkdir()
    shutil.copy(REPO / "transpub.toml", target / "transpub.toml")
    shutil.copytree(REPO / "sources", target / "sources")
    shutil.copytree(REPO / "locale", target / "locale")
    return target


def run_cli(project: Path | None, *args: str):
    """Run transpub in-process; returns click's Result (stdout, stderr, exit_code)."""
    prefix = ["-C", str(project)] if project is not None else []
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


@pytest.fixture
def cli():
    return run_cli


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the hash of its bytes: compare before/after to prove nothing changed."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".transpub.lock"
    }


def msgfmt_check(path: Path) -> None:
    """Fail unless GNU msgfmt -c accepts the catalog (the real client translators' tools rely on)."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (Debian package gettext) is not installed")
    result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, f"msgfmt -c rejected {path}:\n{result.stderr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI every real client is installed by scripts/test.sh, so a skipped test means a broken set-up:
    turn the skip into a failure there instead of letting a missing LibreOffice pass silently."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and not os.environ.get("TRANSPUB_ALLOW_SKIPS"):
        report.outcome = "failed"
        report.longrepr = f"skipped on CI: {report.longrepr}"
