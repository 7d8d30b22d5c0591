"""The choices that make small runs fast must not change what they write, nor choose the pool wrongly."""

from __future__ import annotations

import subprocess
import sys

import polib

from transpub.catalogs.pofile import catalog_to_bytes, reuse_entry_texts
from transpub.fsutil import POOL_START_SECONDS, pool_workers


def test_the_pool_is_chosen_only_when_it_saves_more_than_it_costs():
    assert pool_workers(1, 1000, 1.0) == 1  # --jobs 1 is obeyed
    assert pool_workers(4, 1, 1.0) == 1  # one job: nothing to share
    assert pool_workers(2, 10, POOL_START_SECONDS / 100) == 1  # a little work: the pool would cost more
    assert pool_workers(2, 1000, 0.01) == 2
    assert pool_workers(8, 3, 1.0) == 3  # never more workers than jobs


def _catalog() -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "POT-Creation-Date": "2020-01-01 00:00+0000"}
    for i in range(5):
        po.append(polib.POEntry(msgid=f"text {i}", msgstr=f"texte {i}", occurrences=[("a.md", str(i + 1))]))
    po.append(polib.POEntry(msgid="gone", msgstr="parti", obsolete=True))
    return po


def test_reused_entry_texts_write_what_a_fresh_write_writes():
    po = _catalog()
    with reuse_entry_texts():
        first = catalog_to_bytes(po)
        po.metadata["POT-Creation-Date"] = "2026-12-04 18:00+0000"
        po[1].msgstr = "changé"  # an entry changed since: written anew, not taken from before
        po[2].flags = ["fuzzy"]
        second = catalog_to_bytes(po)
    assert first == catalog_to_bytes(_catalog())
    assert second == catalog_to_bytes(po)
    assert b"chang\xc3\xa9" in second and b"#, fuzzy" in second and b"2026-12-04" in second


def test_extract_and_an_html_build_load_no_fuzzy_matcher_or_docx(sample_project):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from transpub.config import load_project\n"
        "from transpub.catalogs.update import extract\n"
        "from transpub.build import build\n"
        f"project = load_project(Path({str(sample_project)!r}))\n"
        "extract(project)\n"
        "build(project, formats=('html',), jobs=1)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rapidfuzz', 'docx')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
