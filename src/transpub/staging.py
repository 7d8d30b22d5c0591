"""Staged writes: prepare many files beside their targets, then put them all in place, or none.

``update`` writes hundreds of catalogs from several worker processes. Each new file is first written
completely to a temporary file next to its target (named like :func:`fsutil.atomic_write_bytes`'s, so
a killed run's leftovers are swept away by the next run); only when every release and catalog has been
read and merged without error are the temporary files renamed over their targets. A bad source or a
malformed catalog anywhere therefore leaves every file on disk as it was, and each rename is atomic, so
a file is always either its old or its new version.

Durability: a file staged with ``sync=True`` (the default) is flushed to disk (``fsync``) before
:func:`stage_bytes` returns. A build stages hundreds or thousands of outputs with ``sync=False`` and lets
:func:`commit` flush them all at once: before the first rename, every temporary file is on disk (one
``syncfs`` of its file system on Linux, else an ``fsync`` of each file), so after a crash or a power
failure each target holds its old or its new content, whole, never a truncated file. After the renames
the folders are flushed too (best effort), so the renames themselves survive a power failure where the
file system honours a folder's ``fsync``.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import itertools
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import FileError


class Staged:
    """A complete temporary file beside ``target``, put in place by :func:`commit`.

    The paths are held as text, not as :class:`Path` objects, and the class has no ``__dict__``: a
    build or ``update`` of thousands of releases holds one for every file it writes until it commits
    them all (a Path and its parts cost ~0.5 kB, twice per file; from a worker they come unpickled).
    """

    __slots__ = ("_target", "_temp", "synced")

    def __init__(self, target: str | os.PathLike, temp: str | os.PathLike, synced: bool = True):
        self._target = os.fspath(target)
        self._temp = os.fspath(temp)
        self.synced = synced  # False: its content is flushed to disk by commit(), before any rename

    @property
    def target(self) -> Path:
        return Path(self._target)

    @property
    def temp(self) -> Path:
        return Path(self._temp)

    @property
    def target_text(self) -> str:
        """``target`` as text, as it was given (no Path made: a build asks this of thousands of files)."""
        return self._target

    def __reduce__(self):
        return (Staged, (self._target, self._temp, self.synced))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Staged):
            return NotImplemented
        return (self._target, self._temp, self.synced) == (other._target, other._temp, other.synced)

    def __hash__(self) -> int:
        return hash((self._target, self._temp, self.synced))

    def __repr__(self) -> str:
        return f"Staged(target={self.target!r}, temp={self.temp!r}, synced={self.synced!r})"


def stage_bytes(target: Path, data: bytes, *, sync: bool = True) -> Staged | None:
    """Write ``data`` to a temporary file beside ``target``; None when ``target`` already holds it.

    The temporary file is complete, with the target's permissions (new files: the umask's), and is
    removed again if anything fails while writing it. With ``sync`` it is flushed to disk here; without,
    :func:`commit` flushes it (with every other staged file) before it renames anything.
    """
    target = Path(target)
    try:
        if _holds(target, data):
            return None
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
    return _stage(target, (data,), sync)


def stage_pieces(target: Path, pieces: Callable[[], Iterable[bytes]], *, sync: bool = True) -> Staged | None:
    """:func:`stage_bytes` for a text too large to hold at once: ``pieces()`` gives it piece by piece, each
    written to the temporary file and compared with ``target`` as it comes (made once, never whole in
    memory); when ``target`` held it all, the temporary file is removed and None returned."""
    target = Path(target)
    try:
        old = open(target, "rb") if _regular_or_missing(target) is not None else None  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
    same = old is not None

    def compared() -> Iterator[bytes]:
        nonlocal same
        for piece in pieces():
            same = same and old.read(len(piece)) == piece
            yield piece
        same = same and old.read(1) == b""

    try:
        return _stage(target, compared(), sync, unchanged=lambda: same)
    finally:
        if old is not None:
            old.close()


def _stage(target: Path, pieces: Iterable[bytes], sync: bool, unchanged: Callable[[], bool] = lambda: False) -> Staged | None:
    """Write ``pieces`` to a temporary file beside ``target``; removed again, and None returned, when
    ``unchanged()`` says (once they are all written) that ``target`` holds them already."""
    import tempfile  # here, not at the top: a build with nothing to write never needs it (~5 ms, with shutil)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            if unchanged():
                handle.close()
                os.unlink(name)
                return None
            handle.flush()
            if sync:
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
    return Staged(target, Path(name), synced=sync)


def _regular_or_missing(target: Path) -> os.stat_result | None:
    """The status of a regular file, None when nothing is there; a FileError for anything else."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FileError(f"cannot write here: {kind} stands where the file would go", target)
    return info


def _holds(target: Path, data: bytes) -> bool:
    """Whether ``target`` already holds exactly ``data``, reading no more of it than ``data`` is long.

    Only a regular file (or nothing) may stand where transpub writes: a device, FIFO or folder there
    is refused, never read (``-o /dev/full`` would otherwise be read without end) nor replaced.
    """
    info = _regular_or_missing(target)
    if info is None or info.st_size != len(data):
        return False
    with open(target, "rb") as handle:
        return handle.read(len(data) + 1) == data


def file_signature(target: Path) -> tuple[int, int, int, int] | None:
    """What changes whenever a file is saved: its inode (a save by rename), size and modification time."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def replace_if_unchanged(target: Path, expected: bytes, signature: tuple | None, data: bytes) -> bool:
    """Put ``data`` in place of ``target`` only if it is still the file the caller read: the same
    ``signature`` (:func:`file_signature`, taken before it was read) and the same bytes, ``expected``.

    For files that people edit while transpub works on them, taking no lock of ours (a translator's PO
    editor). False means someone saved in between and nothing of theirs was replaced: read again, redo.

    Where the system can swap two files atomically (Linux ``renameat2(RENAME_EXCHANGE)``), the new file
    is swapped in and what it displaced is inspected afterwards: if that was a save made after the read,
    it is swapped back, so no save is ever lost. Elsewhere the target is compared just before a plain
    rename, and a save landing between that comparison and the rename would be replaced (SECURITY.md).
    """
    target = Path(target)
    staged = stage_bytes(target, data)
    if staged is None:
        return True  # it already holds exactly this
    try:
        if not (_holds(target, expected) and file_signature(target) == signature):
            discard([staged])
            return False
        ours = os.stat(staged.temp).st_ino
        if _exchange(staged.temp, target):
            return _keep_newer_save(staged, signature, ours)
        os.replace(staged.temp, target)
        return True
    except OSError as exc:
        discard([staged])
        raise FileError(f"cannot write: {exc.strerror or exc}", target) from None
    except BaseException:
        discard([staged])
        raise


def _keep_newer_save(staged: Staged, signature: tuple | None, ours: int) -> bool:
    """After swapping our file (inode ``ours``) in: if what came out is not the file that was read, a
    save landed in between; swap it back in. Should a yet newer save have replaced ours meanwhile, that
    newest one stays in place and the one it superseded goes, as the editor's own save would have done."""
    if file_signature(staged.temp) == signature:
        os.unlink(staged.temp)  # the file that was read came out: replaced as intended
        return True
    _exchange(staged.temp, staged.target)  # their save back in place
    if os.stat(staged.temp).st_ino != ours:
        _exchange(staged.temp, staged.target)  # a newer save had replaced ours: it goes back in place
    os.unlink(staged.temp)
    return False


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two files atomically; False where the system or filesystem cannot (nothing was changed)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    import ctypes

    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(error, os.strerror(error), str(second))


@functools.cache
def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc < 2.28, musl < 1.2.4)
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


class StagedFiles:
    """Many staged files, recorded in an unnamed temporary file instead of memory: a build of thousands of
    releases stages a file for every output, and holds them all until it commits them (or discards them).

    Iterating gives the :class:`Staged` files in the order they were added, read back from the record;
    :func:`commit` and :func:`discard` take it like any list, without ever holding every item at once.
    """

    def __init__(self) -> None:
        self._record = None
        self._count = 0
        self._size = 0  # bytes recorded; the record is read with pread, so its position stays at the end
        self._unsynced: dict[str, Staged] = {}  # folder -> the first file staged there without sync

    def append(self, item: Staged) -> None:
        if self._record is None:
            import tempfile

            self._record = tempfile.TemporaryFile()  # unnamed: nothing is left behind, even by a killed run
        # a path never holds a NUL byte: each field ends with one
        entry = b"%s\0%s\0%d\0" % (os.fsencode(item._target), os.fsencode(item._temp), item.synced)
        self._record.write(entry)
        self._size += len(entry)
        self._count += 1
        if not item.synced:
            self._unsynced.setdefault(os.path.dirname(item._temp), item)

    def unsynced_folders(self) -> dict[str, Staged]:
        """The folders holding files staged without sync, each with the first of them."""
        return dict(self._unsynced)

    def extend(self, items: Iterable[Staged]) -> None:
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Staged]:
        if self._record is None:
            return
        self._record.flush()
        fd, end = self._record.fileno(), self._size
        position, rest = 0, b""
        while position < end:
            chunk = os.pread(fd, min(1 << 16, end - position), position)
            if not chunk:
                raise OSError(f"the record of staged files ends early, at byte {position} of {end}")
            position += len(chunk)
            fields = (rest + chunk).split(b"\0")
            whole = len(fields) - 1 - (len(fields) - 1) % 3  # the fields of the items read whole
            rest = b"\0".join(fields[whole:])
            for start in range(0, whole, 3):
                target, temp, synced = fields[start : start + 3]
                yield Staged(os.fsdecode(target), os.fsdecode(temp), synced == b"1")

    def close(self) -> None:
        if self._record is not None:
            self._record.close()
            self._record = None
        self._count = self._size = 0
        self._unsynced = {}


def commit(staged: Iterable[Staged]) -> None:
    """Rename every staged file over its target (each rename is atomic; they are not done in order).

    Files staged without ``sync`` are flushed to disk first, all of them before the first rename (see the
    module's docstring); a failure there changes no target. After the renames their folders are flushed
    (best effort: a file system that cannot ``fsync`` a folder keeps the renames in its own time).
    If a rename fails, the temporary files not yet in place are removed before the error goes on: the
    targets renamed so far hold their new version, the others their old one, and no temporary file stays.

    ``staged`` is read twice, item by item (a :class:`StagedFiles` is never held in memory at once).
    """
    pending = staged if isinstance(staged, StagedFiles) else list(staged)
    folders = pending.unsynced_folders() if isinstance(pending, StagedFiles) else _unsynced_folders(pending)
    if folders:
        try:
            _flush_to_disk(folders, pending)
        except _FlushError as exc:
            discard(pending)
            raise FileError(f"cannot write: {exc.error.strerror or exc.error}", exc.item.target) from None
        except BaseException:
            discard(pending)
            raise
    items = iter(pending)
    while batch := list(itertools.islice(items, _RENAME_BATCH)):  # a batch at a time: a record is never held whole
        try:
            failed = _rename_all(batch)
        except BaseException:
            discard(pending)  # those already in place have no temporary file left: only the others go
            raise
        if failed is not None:
            discard(pending)
            item, exc = failed
            raise FileError(f"cannot write: {exc.strerror or exc}", item.target) from None
    _flush_folders(Path(folder) for folder in sorted(folders))


_RENAME_BATCH = 4096  # staged files read back from a StagedFiles record and renamed together

# Renames done at once. Replacing a file frees its old version, and where the file system waits for the
# disk to do that (ext4 mounted with ``discard``: ~1-3 ms a file), one thread renaming a thousand catalogs
# waits seconds; a few threads wait for the disk together (measured: 1000 renames, 2 s -> 0.2 s).
RENAME_THREADS = 8


def _rename_all(pending: list[Staged]) -> tuple[Staged, OSError] | None:
    """Rename every staged file over its target; the first (in order) that failed and why, else None.

    A failure stops no other rename: each target holds its old or its new version either way."""

    def rename(item: Staged) -> OSError | None:
        try:
            os.replace(item._temp, item._target)
        except OSError as exc:
            return exc
        return None

    if len(pending) < 2 * RENAME_THREADS:
        errors: Iterable[OSError | None] = map(rename, pending)
    else:
        from concurrent.futures import ThreadPoolExecutor

        # one task per thread, not per file: a build's tens of thousands of futures would cost tens of MB
        shares = [pending[start::RENAME_THREADS] for start in range(RENAME_THREADS)]
        errors = [None] * len(pending)
        with ThreadPoolExecutor(RENAME_THREADS, thread_name_prefix="transpub-rename") as pool:
            for start, share_errors in enumerate(pool.map(lambda share: [rename(item) for item in share], shares)):
                errors[start::RENAME_THREADS] = share_errors
    for item, exc in zip(pending, errors):
        if exc is not None:
            return item, exc
    return None


def _unsynced_folders(items: Iterable[Staged]) -> dict[str, Staged]:
    folders: dict[str, Staged] = {}
    for item in items:
        if not item.synced:
            folders.setdefault(os.path.dirname(item._temp), item)
    return folders


class _FlushError(Exception):
    def __init__(self, error: OSError, item: Staged):
        super().__init__(str(error))
        self.error, self.item = error, item


def _flush_to_disk(folders: dict[str, Staged], items: Iterable[Staged]) -> None:
    """Every file staged without sync on disk: one ``syncfs`` per file system where Linux has it (a build's
    thousands of outputs cost one flush, not one each), an ``fsync`` of each file elsewhere. ``folders``
    holds them, each with one of its files (a folder's files are on its file system)."""
    synced: dict[int, bool] = {}  # file system -> flushed whole by syncfs
    unflushed: set[str] = set()
    for folder, first in folders.items():
        try:
            device = os.stat(first._temp).st_dev
            if device not in synced:
                synced[device] = _sync_file_system(first.temp)
        except OSError as exc:
            raise _FlushError(exc, first) from None
        if not synced[device]:
            unflushed.add(folder)
    if not unflushed:
        return
    for item in items:
        if item.synced or os.path.dirname(item._temp) not in unflushed:
            continue
        try:
            fd = os.open(item._temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise _FlushError(exc, item) from None


def _sync_file_system(path: Path) -> bool:
    """``syncfs`` of the file system holding ``path``: True once done, False where it is not available;
    OSError when the file system reports a failed write-back (a full disk, an I/O error)."""
    syncfs = _syncfs()
    if syncfs is None:
        return False
    import ctypes

    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) == 0:
            return True
        error = ctypes.get_errno()
    finally:
        os.close(fd)
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(path))


def _flush_folders(folders: Iterable[Path]) -> None:
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass  # some file systems refuse fsync on a folder; the files themselves are on disk
        finally:
            os.close(fd)


@functools.cache
def _syncfs():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def discard(staged: Iterable[Staged]) -> None:
    for item in staged:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(item._temp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
