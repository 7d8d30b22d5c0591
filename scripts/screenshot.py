#!/usr/bin/env python3
"""Take headless Chromium screenshots of built pages, for the README (docs/img/).

This script builds nothing: run ``transpub build`` first, then point it at the outputs/ folder.

    python scripts/screenshot.py outputs/                       # every release page of every language
    python scripts/screenshot.py outputs/ en/2023-07-18-wipo-assemblies.html ar/2023-07-18-wipo-assemblies.html
    python scripts/screenshot.py outputs/ --lang ja --lang ar --out docs/img --width 1200 --height 1600

Each page ``<lang>/<id>.html`` becomes ``<out>/<lang>-<id>.png`` (a page under drafts/ becomes
``draft-<lang>-<id>.png``). Chromium runs with a fresh profile and with everything that would reach the
network turned off, so it works on a closed machine; ``--chromium`` or the CHROMIUM environment variable
names the browser if it is not /usr/bin/chromium or on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium executable: ``explicit``, $CHROMIUM, /usr/bin/chromium, or one on PATH."""
    for candidate in (explicit, os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(chromium: str, page: Path, out: Path, *, width: int = 1200, height: int = 1600, timeout: float = 120) -> Path:
    """Save a PNG of the HTML file ``page`` at ``out``; raises RuntimeError if Chromium made none."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    with tempfile.TemporaryDirectory(prefix="transpub-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={out.resolve()}",
            f"--window-size={width},{height}",
            page.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if not out.is_file():
        raise RuntimeError(f"Chromium made no screenshot of {page} (exit {result.returncode}):\n{result.stderr[-2000:]}")
    return out


def release_pages(outputs: Path, languages: list[str] | None) -> list[Path]:
    """Every ``<lang>/<id>.html`` under outputs/ except the index pages, sorted."""
    pages = [
        path
        for path in sorted(outputs.glob("*/*.html"))
        if path.name != "index.html" and path.parent.name != "static"
        and (not languages or path.parent.name in languages)
    ]
    return pages


def image_name(outputs: Path, page: Path) -> str:
    parts = page.resolve().relative_to(outputs.resolve()).with_suffix("").parts
    if parts[0] == "drafts":
        parts = ("draft", *parts[1:])
    return "-".join(parts) + ".png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="example: python scripts/screenshot.py outputs/ --lang en --lang ar")
    parser.add_argument("outputs", type=Path, help="the outputs/ folder that 'transpub build' wrote")
    parser.add_argument("pages", nargs="*", help="pages relative to outputs/ (default: every release page)")
    parser.add_argument("--lang", action="append", help="only these languages (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="where the PNGs go (default: docs/img)")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--chromium", help="the Chromium executable (default: $CHROMIUM, /usr/bin/chromium, PATH)")
    args = parser.parse_args(argv)

    chromium = find_chromium(args.chromium)
    if chromium is None:
        parser.error("Chromium not found: install it (apt-get install chromium) or pass --chromium")
    if not args.outputs.is_dir():
        parser.error(f"{args.outputs} is not a folder; run 'transpub build' first")
    pages = [args.outputs / page for page in args.pages] if args.pages else release_pages(args.outputs, args.lang)
    missing = [str(page) for page in pages if not page.is_file()]
    if missing:
        parser.error(f"no such page: {', '.join(missing)}")
    if not pages:
        parser.error(f"no release pages under {args.outputs}")
    for page in pages:
        target = screenshot(chromium, page, args.out / image_name(args.outputs, page), width=args.width, height=args.height)
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
