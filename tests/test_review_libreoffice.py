"""The review document in a real office suite: LibreOffice renders it, and a file it saved imports back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import cldr_says as says
import pytest
from conftest import run_cli
from docx import Document
from test_review import HEADING_1, TITLE, catalog, export, row_for, set_text

from transpub.catalogs.states import State, entry_state

pytestmark = pytest.mark.slow


def _soffice(tmp_path: Path, source: Path, target: str, outdir: Path) -> Path:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        pytest.skip("LibreOffice (Debian package libreoffice-writer-nogui) is not installed")
    profile = tmp_path / "lo-profile"
    outdir.mkdir(exist_ok=True)
    result = subprocess.run(
        [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
         "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    produced = outdir / (source.stem + "." + target.split(":")[0])
    assert result.returncode == 0 and produced.exists(), result.stderr
    return produced


def test_libreoffice_shows_source_and_translation(sample_project: Path, tmp_path: Path):
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed")
    docx = export(sample_project)
    pdf = _soffice(tmp_path, docx, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())
    french = says.autonym("fr")
    assert f"Translationreview:{french[:1].upper()}{french[1:]}(fr)" in squeezed  # CLDR's name, capitalized
    assert TITLE in squeezed  # Japanese source, rendered with a CJK font
    assert f"{says.long_date('2023-07-06', 'ja')}、世界知的所有権機関(WIPO)の第64回加盟国総会" in squeezed  # tokens rendered in Japanese
    assert "Lacoopérationinternationaleprogressedansle" in squeezed  # the French translation
    assert "{date:2023-07-06}" in squeezed  # raw tokens in the translation column
    assert re.search(r"k:[0-9a-f]{12}", text) and not re.search(r"t:[0-9a-f]{12}", text)  # the hash row is hidden
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_a_document_saved_by_libreoffice_imports(sample_project: Path, tmp_path: Path):
    """A reviewer who edits in LibreOffice saves a re-written DOCX: hidden runs and custom properties survive."""
    path = export(sample_project)
    doc = Document(str(path))
    set_text(row_for(doc, HEADING_1).cells[2], "1. Déclaration générale devant l’Assemblée générale")
    set_text(row_for(doc, HEADING_1).cells[3], "approved")
    set_text(row_for(doc, TITLE).cells[4], "Très bien.")
    edited = tmp_path / "edited" / "review-fr.docx"
    edited.parent.mkdir()
    doc.save(str(edited))
    resaved = _soffice(tmp_path, edited, "docx:MS Word 2007 XML", tmp_path / "resaved")
    assert resaved.read_bytes() != edited.read_bytes()
    result = run_cli(sample_project, "review", "import", str(resaved))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 applied, 1 approved, 0 conflict, 0 rejected" in result.stdout
    entries = catalog(sample_project)
    assert entries[HEADING_1].msgstr == "1. Déclaration générale devant l’Assemblée générale"
    assert entry_state(entries[HEADING_1]) is State.REVIEWED
    assert entries[TITLE].tcomment == "review: Très bien."
