"""requirements-lock.txt: every package the tests install, pinned exactly, and what this run really has.

scripts/test.sh installs the lock (CI runs it), so a release of any dependency cannot change a test run
until scripts/lock.sh is run and its diff committed. pyproject.toml keeps the ranges users install from.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements-lock.txt"
PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)")
INSTALLERS = {"pip", "setuptools", "wheel"}  # pinned for scripts/test.sh; a venv made otherwise has its own


def locked() -> dict[str, str]:
    pins = {}
    for number, line in enumerate(LOCK.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        match = PIN.fullmatch(line)
        assert match, f"{LOCK.name}:{number}: not an exact pin: {line!r}"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"{LOCK.name}:{number}: {name} is pinned twice"
        pins[name] = match.group(2)
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in project["dependencies"] + extras]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is in pyproject.toml but not in {LOCK.name}: run scripts/lock.sh"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={pins[name]}, outside pyproject.toml's {requirement}: run scripts/lock.sh"
        )


def test_the_lock_pins_the_installers_and_not_transpub():
    pins = locked()
    assert INSTALLERS <= set(pins)
    assert "transpub" not in pins


def test_this_run_has_the_versions_it_should():
    """Run from scripts/test.sh (as CI does), the venv holds what the lock says, so a result is about those
    versions; run by `scripts/test.sh --latest`, the newest versions, each within pyproject.toml's range."""
    if os.environ.get("TRANSPUB_UNLOCKED"):
        for requirement in declared():
            installed = metadata.version(requirement.name)
            assert requirement.specifier.contains(installed, prereleases=True), (requirement, installed)
        return
    different = {}
    for name, version in locked().items():
        if name in INSTALLERS:
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            different[name] = (version, installed)
    assert not different, f"locked vs installed: {different}; install with bash scripts/test.sh"
