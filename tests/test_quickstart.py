"""The README's quick start: `transpub build --lang en` on the sample project publishes the facts right."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import cldr_says as says
from conftest import run_cli
from docx import Document

RELEASE = "2023-07-18-wipo-assemblies"
# The partners in the sample's own names: CLDR's English country names (asked of Babel) except the two that
# transpub.toml [names.en] overrides, and the organizations as the committed names.po translates them.
OVERRIDES = {"VN": "Viet Nam", "MA": "Kingdom of Morocco"}
ORGS = {
    "INTA": "International Trademark Association (INTA)",
    "EUIPO": "European Union Intellectual Property Office (EUIPO)",
    "WIPO": "World Intellectual Property Organization (WIPO)",
    "OAPI": "Organisation Africaine de la Propriété Intellectuelle (OAPI)",
}
CODES = "KZ DE INTA EUIPO WIPO GB IN CA OAPI SA ES PT ZA CH AU IL DK MA FR VN SE IT ID".split()
PARTNERS = says.listed([ORGS.get(c) or OVERRIDES.get(c) or says.country(c, "en") for c in CODES], "en")
FACTS = (says.long_date("2023-07-18", "en"), says.long_date("2023-07-06", "en"), says.month_of_year(2023, 12, "en"), PARTNERS)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", "".join(parser.parts))


def _docx_text(path: Path) -> str:
    document = Document(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", " ", "\n".join(p.text for p in document.paragraphs))


def test_quick_start_publishes_english_with_the_facts(sample_project: Path):
    result = run_cli(sample_project, "build", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    html = _html_text(sample_project / f"outputs/en/{RELEASE}.html")
    docx = _docx_text(sample_project / f"outputs/en/{RELEASE}.docx")
    for fact in FACTS:
        assert fact in html, fact
        assert fact in docx, fact
    for text in (html, docx):
        for code, override in OVERRIDES.items():  # CLDR's own name appears nowhere but inside the override
            cldr = says.country(code, "en")
            assert cldr == override or cldr not in text.replace(override, ""), cldr
        assert "{" not in text
