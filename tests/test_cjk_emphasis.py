"""Emphasis in Chinese, Japanese and Korean is marks beside the characters (W3C JLREQ, CLREQ), never a
slant CJK fonts can only fake: `text-emphasis` in HTML, Word's emphasis mark (`w:em`) in DOCX."""

from __future__ import annotations

import re
import zipfile
from importlib import resources
from pathlib import Path

import polib
import pytest
from conftest import run_cli

RELEASE = "2023-07-18-wipo-assemblies"


def _emphasis_runs(document: Path) -> list[str]:
    xml = zipfile.ZipFile(document).read("word/document.xml").decode("utf-8")
    return [run for run in re.findall(r"<w:r>.*?</w:r>", xml) if "国際協力" in run or "international cooperation" in run]


@pytest.mark.parametrize(("lang", "marks"), [("ja", True), ("en", False)])
def test_word_documents_mark_cjk_emphasis_with_dots_and_others_with_italics(sample_project: Path, lang: str, marks: bool):
    if lang == "ja":  # the source language: emphasis in the source
        source = sample_project / "sources" / f"{RELEASE}.md"
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace("における国際協力を前進", "における*国際協力*を前進"), encoding="utf-8")
    else:  # a translation with emphasis of its own (check reports it; a draft shows it)
        path = sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po"
        po = polib.pofile(str(path))
        entry = next(e for e in po if "international cooperation" in e.msgstr)
        entry.msgstr = entry.msgstr.replace("international cooperation", "*international cooperation*", 1)
        po.save(str(path))
    result = run_cli(sample_project, "build", "--lang", lang, "--format", "docx", "--draft")
    assert result.exit_code == 0, result.stderr
    (document,) = sample_project.glob(f"outputs/**/{lang}/{RELEASE}.docx")
    emphasized = [run for run in _emphasis_runs(document) if "<w:em " in run or "<w:i/>" in run]
    assert emphasized
    for run in emphasized:
        if marks:
            assert '<w:em w:val="dot"/>' in run and "<w:i/>" not in run
        else:
            assert "<w:i/>" in run and "<w:em " not in run


def test_the_stylesheet_gives_cjk_emphasis_marks_not_italics():
    css = resources.files("transpub").joinpath("static", "transpub.css").read_text(encoding="utf-8")
    for lang in ("ja", "zh", "ko"):
        rules = " ".join(re.findall(rf":lang\({lang}\) em[^{{]*{{([^}}]*)}}", css))
        assert "font-style: normal" in rules and "text-emphasis:" in rules
