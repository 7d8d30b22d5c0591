"""A project of another shape: English source, tables, nested lists, date ranges, Arabic and Hebrew targets."""

from __future__ import annotations

import io
import re
from pathlib import Path

import cldr_says as says
import pytest
from conftest import msgfmt_check, run_cli
from docx import Document

from transpub.catalogs.pofile import plural_forms, read_catalog, write_catalog

CONFIG = """\
[project]
publisher = "Example Standards Office"
source_lang = "en"
languages = ["ar", "he"]
base_url = "https://news.example.org/"

[organizations]
ISO = { name = "International Organization for Standardization", short = "ISO" }
"""

RELEASE = """\
---
date: 2024-06-28
section: Press
division: External Relations Unit
related:
  - title: Meeting page
    url: https://www.example.org/meeting
---

# Standards week announced

## Delegations meet from {daterange:2024-07-09..2024-07-17}

The office and {org:ISO} will host delegations from {list:SA EG JO IL}. Registration closes
**{date:2024-07-01}**; see the [programme](https://www.example.org/programme).

| Day | Topic |
|-----|-------|
| {date:2024-07-09} | Opening |
| {daterange:2024-07-10..2024-07-12} | Working groups |

1. Plenary sessions
   - Morning: {country:SA}
   - Afternoon: {country:EG}
2. Closing in {month:2024-07}
"""

# a word in each language per source word is enough: the test is about structure, direction and tokens
WORDS = {"ar": "ترجمة", "he": "תרגום"}


def _translate(msgid: str, lang: str) -> str:
    """Every word becomes the target word; tokens, link URLs, numbers and markup stay where they are."""
    protected = re.compile(r"(\{[^{}]*\}|\]\([^)]*\))")
    parts = protected.split(msgid)
    return "".join(part if protected.fullmatch(part) else re.sub(r"[A-Za-z]+", WORDS[lang], part) for part in parts)


@pytest.fixture
def rtl_project(tmp_path: Path) -> Path:
    root = tmp_path / "standards"
    (root / "sources").mkdir(parents=True)
    (root / "transpub.toml").write_text(CONFIG, encoding="utf-8")
    (root / "sources" / "2024-06-28-standards-week.md").write_text(RELEASE, encoding="utf-8")
    assert run_cli(root, "update").exit_code == 0
    for lang in ("ar", "he"):
        for name in ("2024-06-28-standards-week.po", "names.po"):
            path = root / "locale" / lang / "LC_MESSAGES" / name
            po = read_catalog(path)
            for entry in po:
                if not entry.msgstr:
                    entry.msgstr = _translate(entry.msgid, lang) if name != "names.po" else f"{WORDS[lang]} {entry.msgid}"
            write_catalog(path, po)
    return root


def test_catalogs_have_rtl_plural_forms_and_pass_msgfmt(rtl_project: Path):
    ar = read_catalog(rtl_project / "locale/ar/LC_MESSAGES/2024-06-28-standards-week.po")
    assert ar.metadata["Plural-Forms"] == plural_forms("ar")  # the gettext convention, six forms
    assert ar.metadata["Plural-Forms"].startswith("nplurals=6;")
    he = read_catalog(rtl_project / "locale/he/LC_MESSAGES/2024-06-28-standards-week.po")
    assert he.metadata["Language"] == "he"
    assert he.metadata["Plural-Forms"] == plural_forms("he")
    for path in (rtl_project / "locale").rglob("*.po*"):
        msgfmt_check(path)


def test_table_cells_and_nested_items_are_segments(rtl_project: Path):
    pot = read_catalog(rtl_project / "locale/templates/2024-06-28-standards-week.pot")
    kinds = {entry.msgid: entry.comment for entry in pot}
    assert kinds["Working groups"] == "table cell"
    assert kinds["Day"] == "table header cell"
    assert kinds["Morning: {country:SA}"] == "list item"
    assert kinds["Delegations meet from {daterange:2024-07-09..2024-07-17}"] == "subtitle"


def test_rtl_languages_publish_with_direction_and_localized_tokens(rtl_project: Path):
    result = run_cli(rtl_project, "build")
    assert result.exit_code == 0, result.stderr
    for lang, month in (("ar", says.month_name(7, "ar")), ("he", says.month_name(7, "he"))):
        page = (rtl_project / "outputs" / lang / "2024-06-28-standards-week.html").read_text(encoding="utf-8")
        assert f'lang="{lang}"' in page and 'dir="rtl"' in page
        assert month in page  # the date range in the target language's month names
        assert "{daterange:" not in page and "{country:" not in page
        assert "<table" in page and "<ol" in page and "<ul" in page
        docx = Document(io.BytesIO((rtl_project / "outputs" / lang / "2024-06-28-standards-week.docx").read_bytes()))
        text = "\n".join(p.text for p in docx.paragraphs)
        assert WORDS[lang] in text and "{" not in text
        assert len(docx.tables) == 1
    english = (rtl_project / "outputs/en/2024-06-28-standards-week.html").read_text(encoding="utf-8")
    assert says.full_month_range("2024-07-09", "2024-07-17", "en") in english and 'dir="ltr"' in english
    assert says.listed(says.countries("SA EG JO IL", "en"), "en") in english
