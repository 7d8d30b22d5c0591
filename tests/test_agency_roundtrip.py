"""The agency round trip of README "Working with agencies", end to end with the real CAT tool: a new release
is exported to XLIFF, translated in OmegaT with a memory transpub exported, and imported; the memory's
translations come back with every token and all markup where the reviewer approved them, as suggestions
that publish only once approved."""

from __future__ import annotations

import json
from pathlib import Path

import omegat_client
import pytest
from conftest import run_cli
from lxml import etree

from transpub.catalogs.pofile import index_entries, read_catalog
from transpub.catalogs.states import State, entry_state
from transpub.source.tokens import find_tokens

APPROVED = "2023-07-18-wipo-assemblies"
NEW = "2023-07-25-wipo-again"  # the same text again: every segment has an approved translation in the memory

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"


def _catalog(project: Path, release: str) -> dict:
    return index_entries(read_catalog(project / f"locale/en/LC_MESSAGES/{release}.po"))


def _ok(project: Path, *args: str) -> str:
    result = run_cli(project, *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_a_release_translated_in_omegat_from_a_transpub_memory_comes_back_intact(sample_project: Path, tmp_path: Path):
    project = sample_project
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
    _ok(project, "approve", "--lang", "en", "--by", "Reviewer")
    (project / f"sources/{NEW}.md").write_bytes((project / f"sources/{APPROVED}.md").read_bytes())
    _ok(project, "update")
    assert all(not entry.msgstr for entry in _catalog(project, NEW).values())

    # 1-2: the press office sends the agency the release and its memory
    memory, xliff = tmp_path / "jpo-en.tmx", tmp_path / "en.xlf"
    _ok(project, "tm", "export", "--lang", "en", "--omegat", "-o", str(memory))
    _ok(project, "xliff", "export", "--lang", "en", "--release", NEW, "--inline", "native", "--copy-source", "-o", str(xliff))
    # 3: the agency translates in OmegaT, its project memory being transpub's
    translated = omegat_client.run_omegat(tmp_path, xliff, source="ja", target="en", memory=memory.read_bytes())
    # 4: the office imports what came back
    out = _ok(project, "xliff", "import", str(translated))
    assert " 0 conflict, 0 rejected" in out

    approved, new = _catalog(project, APPROVED), _catalog(project, NEW)
    assert new.keys() == approved.keys() and len(new) > 10
    for key, entry in new.items():
        assert entry.msgstr == approved[key].msgstr, key  # every token, link and emphasis where it was approved
        assert entry_state(entry) is State.MACHINE  # OmegaT confirmed nothing: a suggestion to review
    moved = [key for key in new if list(find_tokens(key[1])) != list(find_tokens(new[key].msgstr))]
    assert moved, "the sample should have translations that move a token"

    rows = {row["release"]: row for row in json.loads(_ok(project, "status", "--lang", "en", "--json"))}
    assert not rows[NEW]["publishable"]
    # 5: the agency's reviewer signs the units off (as Trados or memoQ would write it); under two-step review
    # the import records that as an approval by the name given
    tree = etree.parse(str(translated))
    for target in tree.iter(f"{{{XLIFF}}}target"):
        target.set("state", "signed-off")
    tree.write(str(tmp_path / "signed.xlf"), xml_declaration=True, encoding="UTF-8")
    out = _ok(project, "xliff", "import", str(tmp_path / "signed.xlf"), "--by", "Agency Reviewer")
    assert f"{len(new)} approved" in out and " 0 conflict, 0 rejected" in out
    assert {key: entry.msgstr for key, entry in _catalog(project, NEW).items()} == {k: e.msgstr for k, e in approved.items()}
    approvals = (project / "locale/en/approvals.tsv").read_text(encoding="utf-8")
    assert sum(line.startswith(NEW) and "\tAgency Reviewer\t" in line for line in approvals.splitlines()) == len(new)
    _ok(project, "build", "--lang", "en")
    assert (project / f"outputs/en/{NEW}.html").is_file()
