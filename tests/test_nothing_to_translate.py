"""A text with nothing to translate (tokens, numbers, punctuation, symbols, spaces) asks no one for anything:
it is not extracted, counted or gated, and every language renders it, its tokens in that language."""

from __future__ import annotations

import json
from pathlib import Path

import cldr_says as says
import polib
import pytest
from conftest import run_cli

from transpub.source.segments import has_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{country:KZ}", False),
        ("{date:2024-07-10}", False),
        ("12.5 %", False),
        ("{country:KZ} / {country:DE}", False),
        ("**{month:2024-09}**", False),
        ("— 3 —", False),
        ("", False),
        ("*tentative*", True),
        ("{country:KZ} only", True),
        ("東京", True),
        ("مرحبا", True),
        ("[{country:KZ}](https://example.org/)", False),
    ],
)
def test_what_has_words(text: str, words: bool):
    assert has_words(text) is words


def test_a_table_of_tokens_asks_no_translator_and_renders_in_each_language(sample_project: Path):
    source = sample_project / "sources" / "2023-07-18-wipo-assemblies.md"
    table = "\n\n| 国 | 日付 |\n|---|---|\n| {country:KZ} | {date:2024-07-10} |\n| {country:DE} | 12.5 % |\n"
    source.write_text(source.read_text(encoding="utf-8") + table, encoding="utf-8")
    assert run_cli(sample_project, "update", "--lang", "en").exit_code == 0
    catalog = polib.pofile(str(sample_project / "locale/en/LC_MESSAGES/2023-07-18-wipo-assemblies.po"))
    msgids = {entry.msgid for entry in catalog if not entry.obsolete}
    assert {"国", "日付"} <= msgids  # the header cells have words
    assert not {"{country:KZ}", "{date:2024-07-10}", "{country:DE}", "12.5 %"} & msgids
    for entry in catalog:
        if entry.msgid in ("国", "日付"):
            entry.msgstr = {"国": "Country", "日付": "Date"}[entry.msgid]
    catalog.save()
    status = json.loads(run_cli(sample_project, "status", "--lang", "en", "--json").stdout)[0]
    assert status["publishable"], status["reason"]
    assert run_cli(sample_project, "build", "--lang", "en").exit_code == 0
    page = (sample_project / "outputs/en/2023-07-18-wipo-assemblies.html").read_text(encoding="utf-8")
    assert says.country("KZ", "en") in page and says.long_date("2024-07-10", "en") in page and "12.5 %" in page
