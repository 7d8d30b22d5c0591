"""Safe file writes, the project lock, and worker processes that never outlive the run.

Every file transpub writes goes through :func:`atomic_write_bytes`: the data lands in a temporary file in
the same folder, is flushed to disk, then renamed over the target, so a reader (or a crash) only ever
sees the old file or the new one. The temporary file is removed on every exit path this process
controls; a process killed outright (SIGKILL, power loss) can leave one behind, so whoever next takes the
project lock removes the leftovers (:func:`remove_stale_temp_files`). That is safe only because every
transpub command that writes under ``locale/`` or ``outputs/`` does so while holding the lock, and why
worker processes end with the run that started them (:func:`process_pool`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FileError, LockError

if TYPE_CHECKING:  # imported where used: a command that needs no pool or lock starts faster
    import concurrent.futures

LOCK_NAME = ".transpub.lock"
# The folders transpub writes into, relative to the project root: where stale temporary files can be.
WRITTEN_FOLDERS = ("locale", "outputs")
# The names atomic_write_bytes gives its temporary files: "." + target name + "." + mkstemp's 8 random
# characters + ".tmp" (tempfile draws them from lowercase letters, digits and "_").
TEMP_NAME_RE = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


#: the most transpub reads of any one file: far above any catalog, source, template or image it handles
MAX_READ = 256 * 1024 * 1024


def read_file(path: Path, *, limit: int = MAX_READ, what: str = "file") -> bytes:
    """The bytes of a regular file, at most ``limit`` of them; anything else is one clear FileError.

    A device, FIFO or folder where a file should be (``/dev/zero`` behind a symlink) is refused before
    a byte is read, and so is a file larger than ``limit``: nothing transpub reads can exhaust memory.
    A missing file raises FileNotFoundError, for callers that treat it as "not there yet".
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise FileError(f"cannot read the {what}: {exc.strerror or exc}", path) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FileError(f"cannot read the {what}: {kind}", path)
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise FileError(f"the {what} is larger than {_size(limit)}: refused", path)
        try:
            # a buffer the file's size, not the limit's: read(limit + 1) allocates (and gives back) 256 MB per file
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since: read on, up to the limit
                data += handle.read(limit + 1 - len(data))
        except OSError as exc:
            raise FileError(f"cannot read the {what}: {exc.strerror or exc}", path) from None
    if len(data) > limit:
        raise FileError(f"the {what} is larger than {_size(limit)}: refused", path)
    reads = _READS.get()
    if reads is not None:
        _note_read(reads, os.fspath(path), data)
    return data


def content_digest(data: bytes) -> str:
    """The digest transpub keys a file's content on (SHA-256, in hex)."""
    import hashlib  # (here: most commands never digest, and start without it)

    return hashlib.sha256(data).hexdigest()


#: the reads being recorded (:func:`recorded_reads`), or None
_READS: ContextVar[dict[str, str] | None] = ContextVar("transpub_reads", default=None)
#: what a path read twice with different contents is recorded as: a digest no content has
READ_DIFFERED = "read twice, differently"


@contextlib.contextmanager
def recorded_reads() -> Iterator[dict[str, str]]:
    """Record, while open, the :func:`content_digest` of the very bytes :func:`read_file` returns, by
    path (as given to it): what a build job parsed is then compared with what its keys were made from
    without reading the files again, so no save, not even one undone at once, can slip between the read
    and the check. A path read twice with different contents is recorded as :data:`READ_DIFFERED`."""
    reads: dict[str, str] = {}
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def _note_read(reads: dict[str, str], path: str, data: bytes) -> None:
    digest = content_digest(data)
    if reads.setdefault(path, digest) != digest:
        reads[path] = READ_DIFFERED




def _size(count: int) -> str:
    """A byte count as people read it: "20 MB", "64 KB", "1000 bytes"."""
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"

def read_named_file(path: Path, *, limit: int, what: str) -> bytes:
    """A file a user named on the command line (a review document, an XLIFF file): :func:`read_file`, with a
    missing file one clear FileError too."""
    try:
        return read_file(path, limit=limit, what=what)
    except FileNotFoundError:
        raise FileError(f"cannot read the {what}: no such file", path) from None

def read_text_inside(path: Path, folder: Path, *, limit: int, what: str, encoding: str = "utf-8") -> str:
    """A text file of the project that must stay inside ``folder`` (sources/, templates/), decoded.

    A symbolic link that leads out of ``folder`` is refused before anything is read, as is everything
    :func:`read_file` refuses; a byte that is not UTF-8 is a FileError at its line.
    """
    path = Path(path)
    if not path.resolve().is_relative_to(Path(folder).resolve()):
        raise FileError(f"is a symbolic link to a file outside the {Path(folder).name}/ folder; copy the file instead", path)
    try:
        data = read_file(path, limit=limit, what=what)
    except FileNotFoundError:
        raise FileError(f"cannot read the {what}: no such file", path) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(f"not UTF-8 (byte {data[exc.start]:#04x})", path, line) from None


def atomic_write_bytes(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically. Return False (and touch nothing) when it already holds it."""
    from .staging import (  # staging writes the temporary file; this puts it in place
        commit,
        stage_bytes,
    )

    staged = stage_bytes(Path(path), data)
    if staged is None:
        return False
    commit([staged])
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
    path = Path(root) / LOCK_NAME
    try:
        release = _take_lock(path, timeout)
    except TimeoutError as exc:
        raise LockError(
            "another transpub process is writing this project; wait for it to finish and try again",
            path=path,
        ) from exc
    except OSError as exc:  # a lock file (or folder) that is not ours to open, a read-only project
        raise LockError(
            f"cannot take the project lock: {exc.strerror or exc} (is the project folder writable, "
            f"and {LOCK_NAME} a file of yours?)",
            path=path,
        ) from None
    try:
        remove_stale_temp_files(Path(root))
        yield
    finally:
        release()


# flock's answers when another process holds the lock (some file systems say EACCES)
_HELD_ERRNOS = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})


def _take_lock(path: Path, timeout: float) -> Callable[[], None]:
    """Take the exclusive lock of the file at ``path``, waiting at most ``timeout`` seconds (TimeoutError
    after that); return what releases it.

    ``flock`` itself where the system has it, as filelock does there: importing filelock costs every
    writing command ~10 ms. filelock only where there is no ``flock`` (Windows, a file system without it),
    for its other ways of locking.
    """
    try:
        import fcntl
    except ImportError:
        return _take_filelock(path, timeout)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno in (errno.ENOSYS, errno.EOPNOTSUPP):  # this file system has no flock
                    os.close(fd)
                    return _take_filelock(path, timeout)
                if exc.errno not in _HELD_ERRNOS:
                    raise
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{path} is locked")
            time.sleep(0.05)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise

    def release() -> None:
        try:  # unlocked explicitly: a worker forked meanwhile shares the descriptor, and closing ours would not
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return release


def _take_filelock(path: Path, timeout: float) -> Callable[[], None]:
    from filelock import FileLock  # its Timeout is a TimeoutError

    lock = FileLock(str(path), timeout=timeout)
    lock.acquire()
    return lock.release


def remove_stale_temp_files(root: Path) -> list[Path]:
    """Delete the temporary files a killed transpub run left in ``locale/`` and ``outputs/``.

    Call it only while holding the project lock: then no other transpub process is between writing a
    temporary file and renaming it. Only regular files named like :func:`atomic_write_bytes`'s are
    removed; symbolic links are neither followed nor removed. Returns what was removed.
    """
    removed: list[Path] = []
    for name in WRITTEN_FOLDERS:
        folder = Path(root) / name
        if not folder.is_dir() or folder.is_symlink():
            continue
        for dirpath, _dirnames, filenames in os.walk(folder):  # does not follow symlinked folders
            for filename in filenames:
                if not TEMP_NAME_RE.fullmatch(filename):
                    continue
                path = Path(dirpath) / filename
                with contextlib.suppress(OSError):  # gone already, or not ours to delete: best effort
                    if stat.S_ISREG(path.lstat().st_mode):
                        path.unlink()
                        removed.append(path)
    return removed


# What starting a process pool costs a run, in seconds of wall time: importing multiprocessing, forking the
# workers, sending jobs and results, the memory pages the workers copy (measured on 2 cores: ~40 ms wall
# and ~30 ms of CPU for the pool alone, more with real results to send back).
POOL_START_SECONDS = 0.06


def pool_workers(jobs: int | None, count: int, seconds_each: float) -> int:
    """How many worker processes ``count`` jobs of about ``seconds_each`` seconds each are worth (``jobs``,
    else one per core, at most): 1, to run them in this process, when the pool would save less time than
    it takes to start. The one rule by which transpub's commands choose between a pool and no pool."""
    workers = min(jobs or os.cpu_count() or 1, count)
    if workers <= 1:
        return 1
    saved = count * seconds_each * (1 - 1 / workers)
    return workers if saved > POOL_START_SECONDS else 1


def process_pool(workers: int, setup: Callable[..., object] | None = None, *args: object) -> concurrent.futures.ProcessPoolExecutor:
    """A process pool whose workers end as soon as the process that made it is gone; each worker first
    calls ``setup(*args)``, if given.

    A run killed outright (SIGKILL, the OOM killer, a CI timeout) cannot shut its pool down. Its workers
    would wait forever on the task queue, holding the caller's terminal or pipes open, and could still
    finish queued work, writing files, after the next run has taken the project lock.
    """
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(), setup, args))


def _start_worker(parent: int, setup: Callable[..., object] | None, args: tuple) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)  # the parent is gone: no cleanup to wait for, the next run sweeps temporary files

    threading.Thread(target=watch, name="transpub-exit-with-parent", daemon=True).start()
    if setup is not None:
        setup(*args)
