"""How transpub shows a path to people: one rule for messages, reports and PO references."""

from __future__ import annotations

import os
from pathlib import Path


def shown_path(path: str | os.PathLike[str], base: Path) -> str:
    """``path`` relative to ``base`` with forward slashes, as the user names it (a symlink on the way is
    not followed); a path outside ``base`` is shown as given."""
    path = Path(path)
    if path.is_absolute() or not base.is_absolute():
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    try:  # a relative path, or the project reached through another route (a symlinked folder)
        return path.resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)
