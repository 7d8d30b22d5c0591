"""The Word output opened by a real client: LibreOffice converts each DOCX to PDF, poppler reads it back.

Slow (one LibreOffice start, ~3 s). Needs the Debian packages libreoffice-writer-nogui, fonts-noto-cjk and
poppler-utils; skipped where they are missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import cldr_says as says
import pytest
from test_docx import (
    AR_NAMES,
    EN_NAMES,
    ar_translation,
    en_translation,
    make_catalog,
    make_names,
    render,
)

from transpub.config import load_project
from transpub.source.reader import read_release

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("soffice", "pdftotext", "pdftoppm")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MARGIN_PT = 72  # the documents have 1-inch margins
LIST_INDENT_PT = 18  # List Bullet / List Number text indent (360 twips)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (libreoffice-writer-nogui, poppler-utils)")
    folder = tmp_path_factory.mktemp("libreoffice")
    project = load_project(REPO)
    release = read_release(REPO / "sources/2023-07-18-wipo-assemblies.md", project)
    documents = {
        "ja": render(project, release, "ja"),
        "en": render(project, release, "en", catalog=make_catalog(release, en_translation), names=make_names(EN_NAMES)),
        "ar": render(project, release, "ar", catalog=make_catalog(release, ar_translation), names=make_names(AR_NAMES)),
    }
    for lang, data in documents.items():
        (folder / f"{lang}.docx").write_bytes(data)
    profile = folder / "profile"  # a private LibreOffice profile: no lock clash with another instance
    command = [
        "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
        "--outdir", str(folder), *(str(folder / f"{lang}.docx") for lang in documents),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    pdfs = {lang: folder / f"{lang}.pdf" for lang in documents}
    assert all(pdf.exists() for pdf in pdfs.values()), f"LibreOffice failed:\n{result.stdout}\n{result.stderr}"
    for lang, pdf in pdfs.items():  # first pages as pictures, for a person to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(folder / lang)], check=True)
    return pdfs


def pdf_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return BIDI_CONTROLS.sub("", text)


def first_page_rows(pdf: Path) -> tuple[float, list[tuple[float, float]]]:
    """Page width and the (left, right) extent of every visual row of text on page 1, top to bottom.

    pdftotext cuts a row into several "lines" where the bidi runs change direction: rows are merged by height.
    """
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', xhtml).group(1))
    rows: dict[int, tuple[float, float]] = {}
    for x_min, y_min, x_max in re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', xhtml):
        key = round(float(y_min))
        left, right = rows.get(key, (float(x_min), float(x_max)))
        rows[key] = (min(left, float(x_min)), max(right, float(x_max)))
    return width, [rows[key] for key in sorted(rows)]


def centered(left: float, right: float, width: float) -> bool:
    """A row centered on the page that does not fill the line (a caption, the page number)."""
    return abs((left + right) / 2 - width / 2) < 3 and right - left < width - 2 * MARGIN_PT - 20


def test_english_pdf_has_localized_dates_and_names(pdfs):
    text = " ".join(pdf_text(pdfs["en"]).split())
    assert says.long_date("2023-07-18", "en") in text  # the publication date
    assert says.long_date("2023-07-06", "en") in text  # a {date:} token
    assert "Japan Patent Office" in text
    assert says.country("KZ", "en") in text
    assert "Viet Nam" in text and "Kingdom of Morocco" in text  # transpub.toml [names.en] over CLDR
    assert "International Cooperation in Intellectual Property Moves Forward" in text


def test_japanese_pdf_renders_japanese(pdfs):
    # LibreOffice spaces Latin digits away from kana and kanji (as Word does): compare without spaces
    text = re.sub(r"\s+", "", pdf_text(pdfs["ja"]))
    assert re.sub(r"\s+", "", says.long_date("2023-07-18", "ja")) in text
    assert says.country("KZ", "ja") in text
    assert "知的財産分野における国際協力が前進しました" in text
    fonts = subprocess.run(["pdffonts", str(pdfs["ja"])], capture_output=True, text=True).stdout
    assert "CJK" in fonts  # real Japanese glyphs (Noto CJK), not boxes


def test_arabic_pdf_is_right_to_left(pdfs):
    text = pdf_text(pdfs["ar"])
    assert says.month_name(7, "ar") in text and "2023" in text
    assert says.country("KZ", "ar") in text
    width, rows = first_page_rows(pdfs["ar"])
    right_edge = width - MARGIN_PT
    # every row of text starts at the right margin or a list indent (18 pt) from it, unless it is centered
    # (captions, the page number); short rows sit on the right
    rows = [(left, right) for left, right in rows if not centered(left, right, width)]
    assert len(rows) > 8 and all(abs(right - right_edge) < LIST_INDENT_PT + 2 for _left, right in rows)
    assert sum(1 for _left, right in rows if abs(right - right_edge) < 2) > len(rows) / 2
    assert any(left > width / 2 for left, _right in rows)


def test_english_pdf_is_left_to_right(pdfs):
    width, rows = first_page_rows(pdfs["en"])
    body = [left for left, right in rows[2:] if not centered(left, right, width)]  # after the date and publisher
    assert len(body) > 10 and all(abs(left - MARGIN_PT) < LIST_INDENT_PT + 2 for left in body)
    assert sum(1 for left in body if abs(left - MARGIN_PT) < 2) > len(body) / 2
    assert all(left > width / 2 for left, _right in rows[:2])  # the date and publisher: at the end (right)


def first_page_bullets(pdf: Path) -> tuple[float, list[float]]:
    """Page width and the left edge of every list bullet on page 1 (Symbol's bullet is U+F0B7 in the text layer)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', xhtml).group(1))
    return width, [float(x) for x, word in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', xhtml) if word in ("\uf0b7", "•")]


def test_list_bullets_stand_where_the_lines_start(pdfs):
    """Left of an English list item, right of an Arabic one: a bullet drawn on the wrong side reads as a stray dot."""
    width, arabic = first_page_bullets(pdfs["ar"])
    assert len(arabic) >= 3 and all(x > width - MARGIN_PT - LIST_INDENT_PT - 2 for x in arabic), arabic
    width, english = first_page_bullets(pdfs["en"])
    assert len(english) >= 3 and all(MARGIN_PT - 2 < x < MARGIN_PT + LIST_INDENT_PT for x in english), english
