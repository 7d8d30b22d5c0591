"""The README's quick start: `transpub build --lang en` on the sample project publishes the facts right."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import run_cli
from docx import Document

RELEASE = "2023-07-18-wipo-assemblies"
PARTNERS = (
    "Kazakhstan, Germany, International Trademark Association (INTA), European Union Intellectual Property "
    "Office (EUIPO), World Intellectual Property Organization (WIPO), United Kingdom, India, Canada, "
    "Organisation Africaine de la Propriété Intellectuelle (OAPI), Saudi Arabia, Spain, Portugal, South Africa, "
    "Switzerland, Australia, Israel, Denmark, Kingdom of Morocco, France, Viet Nam, Sweden, Italy, and Indonesia"
)
FACTS = ("July 18, 2023", "July 6, 2023", "December 2023", PARTNERS)


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
        assert "Vietnam" not in text and "Morocco," not in text.replace("Kingdom of Morocco,", "")
        assert "{" not in text
