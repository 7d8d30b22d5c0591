"""Safe file writes and the project lock.

Every file transpub writes goes through :func:`atomic_write_bytes`: the data lands in a temporary file in
the same folder, is flushed to disk, then renamed over the target, so a reader (or a crash) only ever
sees the old file or the new one. The temporary file is removed on every exit path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import LockError

LOCK_NAME = ".transpub.lock"


def atomic_write_bytes(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically. Return False (and touch nothing) when it already holds it."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            # keep the permissions the user gave the file
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return True


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> bool:
    return atomic_write_bytes(path, text.encode(encoding))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def project_lock(root: Path, timeout: float = 0) -> Iterator[None]:
    """Hold the project's write lock; a second writer gets a clear LockError instead of waiting forever."""
    lock = FileLock(str(Path(root) / LOCK_NAME), timeout=timeout)
    try:
        lock.acquire()
    except Timeout as exc:
        raise LockError(
            "another transpub process is writing this project; wait for it to finish and try again",
            path=Path(root) / LOCK_NAME,
        ) from exc
    try:
        yield
    finally:
        lock.release()
