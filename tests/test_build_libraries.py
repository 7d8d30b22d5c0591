"""The versions of the libraries that shape a page (Babel and its CLDR data, Jinja2, markdown-it-py,
python-docx) are part of every output's key: another version renders the pages again, the same ones
render nothing.

The builds run as real processes. A "different Babel" is a distribution record ``babel-99.0.dist-info``
in a folder put first on ``PYTHONPATH``: importlib.metadata then reports Babel 99.0, exactly as after an
upgrade, while the Babel that is imported stays the installed one (so the pages come out the same).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from conftest import tree_digest

from transpub.build.libraries import LIBRARIES, LibraryVersions, installed_libraries, records_digest

RECORD = "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"


def _distribution(folder: Path, name: str, version: str) -> Path:
    """A folder holding the distribution record of ``name`` at ``version`` (and no package)."""
    record = folder / f"{name}-{version}.dist-info"
    record.mkdir(parents=True)
    (record / "METADATA").write_text(RECORD.format(name=name, version=version), encoding="utf-8")
    return folder


def _build(project: Path, first_on_path: Path | None = None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if first_on_path is not None:
        env["PYTHONPATH"] = str(first_on_path)
    result = subprocess.run(
        [sys.executable, "-m", "transpub.cli", "-C", str(project), "build"],
        capture_output=True, text=True, env=env, cwd=project.parent,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _manifest(project: Path) -> dict:
    return json.loads((project / "outputs/.transpub-manifest.json").read_text(encoding="ascii"))


def _output_keys(manifest: dict) -> dict[str, str]:
    return {path: key for record in manifest["releases"].values() for path, key in record["outputs"].items()}


def test_another_babel_version_renders_every_page_again(sample_project: Path, tmp_path: Path):
    assert _build(sample_project) == "2 page(s) rendered, 0 output(s) up to date"
    before, keys = tree_digest(sample_project / "outputs"), _manifest(sample_project)
    assert keys["libraries"]["versions"]["babel"] == metadata.version("babel")

    upgraded = _distribution(tmp_path / "upgraded", "babel", "99.0")
    assert _build(sample_project, upgraded) == "2 page(s) rendered, 0 output(s) up to date"
    after = _manifest(sample_project)
    assert after["libraries"]["versions"]["babel"] == "99.0"
    # every release output and every index page was keyed anew (and rendered: the pages are the same
    # bytes here only because the Babel actually imported did not change)
    assert _output_keys(after).keys() == _output_keys(keys).keys() and after["indexes"].keys() == keys["indexes"].keys()
    assert not set(_output_keys(after).values()) & set(_output_keys(keys).values())
    assert not set(after["indexes"].values()) & set(keys["indexes"].values())
    assert {p: d for p, d in tree_digest(sample_project / "outputs").items() if not p.startswith(".")} == {
        p: d for p, d in before.items() if not p.startswith(".")
    }

    assert _build(sample_project, upgraded) == "0 page(s) rendered, 4 output(s) up to date"
    assert _build(sample_project) == "2 page(s) rendered, 0 output(s) up to date"  # and back again
    assert _manifest(sample_project) == keys


def test_the_same_library_versions_render_and_rewrite_nothing(sample_project: Path, tmp_path: Path):
    assert _build(sample_project) == "2 page(s) rendered, 0 output(s) up to date"
    before = tree_digest(sample_project / "outputs")
    assert _build(sample_project) == "0 page(s) rendered, 4 output(s) up to date"
    assert tree_digest(sample_project / "outputs") == before  # the manifest too: byte for byte
    # another distribution installed: the versions are looked up again, are the same, and nothing renders
    other = _distribution(tmp_path / "other", "unrelated-package", "1.0")
    assert _build(sample_project, other) == "0 page(s) rendered, 4 output(s) up to date"
    manifest = _manifest(sample_project)
    assert manifest["libraries"]["versions"] == {name: metadata.version(name) for name in LIBRARIES}
    assert {p: d for p, d in tree_digest(sample_project / "outputs").items() if not p.startswith(".")} == {
        p: d for p, d in before.items() if not p.startswith(".")
    }


def test_the_versions_found_are_reused_only_while_the_distribution_records_are_the_same(tmp_path: Path):
    site = _distribution(tmp_path / "site", "babel", "2.0")
    path = [str(site)]
    seen = records_digest(path)
    (site / "babel-2.0.dist-info").rename(site / "babel-2.1.dist-info")  # an upgrade renames the record
    assert records_digest(path) != seen
    # a development install's record has no version in its name: its PKG-INFO is read
    develop = tmp_path / "checkout" / "Babel.egg-info"
    develop.mkdir(parents=True)
    (develop / "PKG-INFO").write_text(RECORD.format(name="Babel", version="3.0.dev0"), encoding="utf-8")
    path.append(str(develop.parent))
    seen = records_digest(path)
    (develop / "PKG-INFO").write_text(RECORD.format(name="Babel", version="3.0.dev1"), encoding="utf-8")
    assert records_digest(path) != seen

    # what was found before is trusted while sys.path's records are the same, and only then
    remembered = LibraryVersions(records_digest(), dict.fromkeys(LIBRARIES, "0.remembered"))
    assert installed_libraries(remembered) is remembered
    stale = LibraryVersions("0" * 64, dict.fromkeys(LIBRARIES, "0.remembered"))
    assert installed_libraries(stale).versions == {name: metadata.version(name) for name in LIBRARIES}


def test_versions_from_record_names_are_what_importlib_metadata_finds(tmp_path: Path):
    """The versions are read off the records' names, without importing importlib.metadata (20–40 ms a
    build); along any path they are what importlib.metadata finds there, which is asked where a name
    cannot say for sure."""
    from transpub.build.libraries import look_up_versions, versions_in

    assert versions_in() == look_up_versions() == {name: metadata.version(name) for name in LIBRARIES}

    first = _distribution(tmp_path / "first", "babel", "2.0")
    _distribution(tmp_path / "first", "Jinja2", "3.0")  # a name as its project spells it
    second = _distribution(tmp_path / "second", "babel", "1.0")  # shadowed by the first, as on sys.path
    _distribution(second, "markdown_it_py", "4.0")
    develop = tmp_path / "checkout" / "python_docx.egg-info"  # no version in the name: asked
    develop.mkdir(parents=True)
    (develop / "PKG-INFO").write_text(RECORD.format(name="python-docx", version="2.0.dev0"), encoding="utf-8")
    twice = _distribution(tmp_path / "twice", "babel", "5.0")  # two records of one library in one folder
    _distribution(twice, "babel", "6.0")
    missing = str(tmp_path / "missing")
    layouts = {
        "shadowed": [str(first), missing, str(second)],
        "reversed": [str(second), str(first)],
        "egg-info": [str(develop.parent), str(first)],
        "two records": [str(twice), str(second)],
        "nothing": [missing],
    }
    for layout, path in layouts.items():
        assert versions_in(path) == look_up_versions(path), layout
    assert versions_in(layouts["shadowed"]) == {"babel": "2.0", "jinja2": "3.0", "markdown-it-py": "4.0", "python-docx": "-"}
    assert versions_in(layouts["egg-info"])["python-docx"] == "2.0.dev0"
