#!/usr/bin/env python3
"""Render built DOCX files to PNG pages through LibreOffice, for the README (docs/img/) and for reviewing.

This script builds nothing: run ``transpub build`` first.

    python scripts/docx_preview.py outputs/en/2023-07-18-wipo-assemblies.docx
    python scripts/docx_preview.py outputs/ja/*.docx --out docs/img --pages 1 --dpi 70

Each ``<lang>/<id>.docx`` becomes ``<out>/<lang>-<id>-docx-<page>.png``. It needs ``soffice``
(Debian: libreoffice-writer-nogui) and ``pdftoppm`` (poppler-utils); LibreOffice runs with a fresh
profile so it never clashes with another instance.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def docx_to_pngs(docx: Path, out: Path, pages: int, dpi: int) -> list[Path]:
    with tempfile.TemporaryDirectory() as work:
        profile = Path(work) / "profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", work, str(docx)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = Path(work) / f"{docx.stem}.pdf"
        stem = f"{docx.parent.name}-{docx.stem}-docx"
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(Path(work) / stem)], check=True)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for png in sorted(Path(work).glob(f"{stem}-*.png")):
            page = int(png.stem.rsplit("-", 1)[1])
            target = out / f"{stem}-{page}.png"
            shutil.copy(png, target)
            written.append(target)
        return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docx", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--pages", type=int, default=1, help="how many pages of each document")
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"docx_preview: {tool} is not installed", file=sys.stderr)
            return 2
    for docx in args.docx:
        for png in docx_to_pngs(docx, args.out, args.pages, args.dpi):
            print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
