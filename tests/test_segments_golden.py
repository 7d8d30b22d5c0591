"""Segmentation golden files: tests/data/segments/sources/X.md must extract to expected/X.pot.

Each golden file is a template as ``transpub extract`` writes it (header left out): msgids in the inline
form, the kind of block as an extracted comment, the source line as a reference. Set
TRANSPUB_REGENERATE_GOLDEN=1 to rewrite them after an intended change, then read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transpub.catalogs.pofile import catalog_to_text
from transpub.catalogs.templates import release_template
from transpub.config import load_project
from transpub.source.inline import text_to_inline
from transpub.source.reader import read_release

DATA = Path(__file__).parent / "data" / "segments"
SOURCES = sorted((DATA / "sources").glob("*.md"))


def _body(text: str) -> str:
    """The template without its header entry (dates and versions are not what these files test)."""
    return text.split("\n\n", 1)[1]


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_extraction_matches_golden_file(source: Path):
    project = load_project(DATA)
    release = read_release(source, project)
    got = _body(catalog_to_text(release_template(release, project, f"sources/{source.name}")))
    golden = DATA / "expected" / f"{source.stem}.pot"
    if os.environ.get("TRANSPUB_REGENERATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_every_source_has_a_golden_file():
    assert SOURCES, "no golden sources found"
    assert {p.stem for p in SOURCES} == {p.stem for p in (DATA / "expected").glob("*.pot")}


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_msgid_form_is_stable_when_parsed_again(source: Path):
    """Rendering parses the msgid with the same parser: serializing that parse gives the msgid back."""
    project = load_project(DATA)
    for text in read_release(source, project).texts():
        nodes = text_to_inline(text.source)
        assert nodes, text
        assert _serialize(nodes) == text.source


def _serialize(nodes) -> str:
    # independent re-serialization of the parsed nodes, to prove the form survives the round trip
    from transpub.source.inline import escape_text
    from transpub.source.model import Code, Emphasis, LineBreak, Link, Plain, Strong

    out = []
    for node in nodes:
        if isinstance(node, Plain):
            out.append(escape_text(node.text))
        elif isinstance(node, Code):
            out.append(f"`{node.text}`")
        elif isinstance(node, Emphasis):
            out.append(f"*{_serialize(node.children)}*")
        elif isinstance(node, Strong):
            out.append(f"**{_serialize(node.children)}**")
        elif isinstance(node, LineBreak):
            out.append("\\\n")
        elif isinstance(node, Link):
            title = f' "{node.title}"' if node.title else ""
            out.append(f"[{_serialize(node.children)}]({node.url}{title})")
    return "".join(out)
