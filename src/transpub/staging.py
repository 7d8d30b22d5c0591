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
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import FileError


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
        if _holds(target, data):
            return None
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
    import tempfile  # here, not at the top: a build with nothing to write never needs it (~5 ms, with shutil)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # keep the permissions the user gave the file
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(name, mode)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        if isinstance(exc, OSError):  # a full disk, a quota: the old file stays, one message says why
            raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
        raise
    return Staged(target, Path(name))


def _holds(target: Path, data: bytes) -> bool:
    """Whether ``target`` already holds exactly ``data``, reading no more of it than ``data`` is long.

    Only a regular file (or nothing) may stand where transpub writes: a device, FIFO or folder there
    is refused, never read (``-o /dev/full`` would otherwise be read without end) nor replaced.
    """
    try:
        info = target.stat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FileError(f"cannot write here: {kind} stands where the file would go", target)
    if info.st_size != len(data):
        return False
    with open(target, "rb") as handle:
        return handle.read(len(data) + 1) == data


def commit(staged: Iterable[Staged]) -> None:
    """Rename every staged file over its target (each rename is atomic).

    If a rename fails, the temporary files not yet in place are removed before the error goes on: the
    targets renamed so far hold their new version, the others their old one, and no temporary file stays.
    """
    pending = list(staged)
    for index, item in enumerate(pending):
        try:
            os.replace(item.temp, item.target)
        except BaseException as exc:
            discard(pending[index:])
            if isinstance(exc, OSError):
                raise FileError(f"cannot write: {exc.strerror or exc}", item.target) from None
            raise


def discard(staged: Iterable[Staged]) -> None:
    for item in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(item.temp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
