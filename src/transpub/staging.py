"""Staged writes: prepare many files beside their targets, then put them all in place, or none.

``update`` writes hundreds of catalogs from several worker processes. Each new file is first written
completely to a temporary file next to its target (named like :func:`fsutil.atomic_write_bytes`'s, so
a killed run's leftovers are swept away by the next run); only when every release and catalog has been
read and merged without error are the temporary files renamed over their targets. A bad source or a
malformed catalog anywhere therefore leaves every file on disk as it was, and each rename is atomic, so
a file is always either its old or its new version.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Staged:
    target: Path
    temp: Path


def stage_bytes(target: Path, data: bytes) -> Staged | None:
    """Write ``data`` to a temporary file beside ``target``; None when ``target`` already holds it.

    The temporary file is complete and flushed to disk, with the target's permissions (new files: the
    umask's), and is removed again if anything fails while writing it.
    """
    target = Path(target)
    try:
        if target.read_bytes() == data:
            return None
    except FileNotFoundError:
        pass
    import tempfile  # here, not at the top: a build with nothing to write never needs it (~5 ms, with shutil)

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # keep the permissions the user gave the file
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(name, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Staged(target, Path(name))


def commit(staged: Iterable[Staged]) -> None:
    """Rename every staged file over its target (each rename is atomic).

    If a rename fails, the temporary files not yet in place are removed before the error goes on: the
    targets renamed so far hold their new version, the others their old one, and no temporary file stays.
    """
    pending = list(staged)
    for index, item in enumerate(pending):
        try:
            os.replace(item.temp, item.target)
        except BaseException:
            discard(pending[index:])
            raise


def discard(staged: Iterable[Staged]) -> None:
    for item in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(item.temp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
