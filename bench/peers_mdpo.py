"""mdpo through its Python API, one process for the whole corpus (run with bench/.venv-peers/bin/python).

    peers_mdpo.py extract SOURCES_DIR POT_DIR           one <id>.pot per <id>.md   (mdpo.md2po)
    peers_mdpo.py render  SOURCES_DIR PO_DIR OUT_DIR    one <id>.md per <id>.po    (mdpo.po2md)

mdpo's ``md2po``/``po2md`` console scripts take one document (or one glob into one catalog) per call and
clash by name with Translate Toolkit's scripts of the same names in one virtualenv; the API is what a
user scripting a corpus of separate releases would call, and it avoids one interpreter start per file.
"""

from __future__ import annotations

import sys
from pathlib import Path


def extract(sources: Path, pot_dir: Path) -> int:
    from mdpo.md2po import markdown_to_pofile

    pot_dir.mkdir(parents=True, exist_ok=True)
    entries = 0
    for path in sorted(sources.glob("*.md")):
        po = markdown_to_pofile(str(path), wrapwidth=78)
        entries += len(po)
        po.save(str(pot_dir / f"{path.stem}.pot"))
    return entries


def render(sources: Path, po_dir: Path, out_dir: Path) -> int:
    from mdpo.po2md import pofile_to_markdown

    out_dir.mkdir(parents=True, exist_ok=True)
    done = 0
    for path in sorted(sources.glob("*.md")):
        pofile_to_markdown(str(path), str(po_dir / f"{path.stem}.po"), save=str(out_dir / f"{path.stem}.md"))
        done += 1
    return done


def main(argv: list[str]) -> int:
    command, *paths = argv
    if command == "extract":
        extract(Path(paths[0]), Path(paths[1]))
    elif command == "render":
        render(Path(paths[0]), Path(paths[1]), Path(paths[2]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
