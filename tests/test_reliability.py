"""Nothing is lost: atomic writes, the project lock, cleanup after a killed run, runs killed at any moment.

The lock and kill tests run transpub as real processes (the ``transpub`` script of this environment), so
they test what a user gets: two terminals on one project, or a run killed by the OOM killer or a CI timeout.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import msgfmt_check, run_cli, tree_digest
from generated_project import make_project, translate_catalogs, write_sources
from libretranslate_server import FakeLibreTranslate

from transpub.catalogs.pofile import entry_key, read_catalog, write_catalog
from transpub.config import load_project
from transpub.errors import FileError
from transpub.fsutil import (
    TEMP_NAME_RE,
    atomic_write_bytes,
    project_lock,
    remove_stale_temp_files,
)
from transpub.translate.engines import EchoEngine

RELEASE = "2023-07-18-wipo-assemblies"
EPOCH = "1700000000"  # every process stamps catalogs with the same date, so runs can be compared byte for byte
LOCK_MESSAGE = "another transpub process is writing this project"


def _transpub_script() -> str:
    script = Path(sys.executable).parent / "transpub"
    found = str(script) if script.exists() else shutil.which("transpub")
    if not found:
        pytest.skip("the transpub console script is not installed")
    return found


def transpub(project: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run(
        [_transpub_script(), "-C", str(project), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def start(project: Path, *args: str) -> subprocess.Popen:
    """transpub in its own process group, so that it and any worker it starts can be told apart."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.Popen(
        [_transpub_script(), "-C", str(project), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish_killed(process: subprocess.Popen) -> None:
    """After SIGKILL: its output pipes close once every process it started has ended too."""
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group this test started: the orphaned workers
        process.communicate()
        pytest.fail("worker processes outlived the killed transpub run (and held its output open)")


def temp_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if TEMP_NAME_RE.fullmatch(p.name))


def catalogs(root: Path) -> dict[str, bytes]:
    """Every catalog and template under locale/, by path relative to the project (temporary files aside)."""
    paths = sorted(p for p in (root / "locale").rglob("*.po*") if not TEMP_NAME_RE.fullmatch(p.name))
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in paths}


_VERIFIED: set[str] = set()


def check_catalog(path: Path) -> None:
    """read_catalog parses it and GNU msgfmt -c accepts it (each distinct content is checked once)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest not in _VERIFIED:
        read_catalog(path)
        msgfmt_check(path)
        _VERIFIED.add(digest)


# --- atomic writes ---------------------------------------------------------------------------------------
class _FailingFile:
    """What os.fdopen returns, except that write() fails as on a full disk."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        self.handle.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")


def _fail_fdopen(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: _FailingFile(real(fd, mode)))


def _raise(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


# an operating-system failure reaches the user as one FileError naming the file (exit 2), never a traceback
FAILURES = {
    "disk full while writing": (_fail_fdopen, FileError),
    "fsync fails": (lambda mp: mp.setattr(os, "fsync", _raise(OSError(5, "Input/output error"))), FileError),
    "chmod fails": (lambda mp: mp.setattr(os, "chmod", _raise(PermissionError(1, "Operation not permitted"))), FileError),
    "rename fails": (lambda mp: mp.setattr(os, "replace", _raise(OSError(18, "Invalid cross-device link"))), FileError),
    "Ctrl-C while writing": (lambda mp: mp.setattr(os, "fsync", _raise(KeyboardInterrupt())), KeyboardInterrupt),
}


@pytest.mark.parametrize("exists", [True, False], ids=["replacing", "creating"])
@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path, monkeypatch, failure, exists):
    target = tmp_path / "catalog.po"
    if exists:
        target.write_bytes(b"old content\n")
    patch, error = FAILURES[failure]
    patch(monkeypatch)
    with pytest.raises(error):
        atomic_write_bytes(target, b"new content\n" * 1000)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["catalog.po"] if exists else [])
    if exists:
        assert target.read_bytes() == b"old content\n"


def test_a_write_keeps_the_file_mode_and_never_writes_through_a_symlink(tmp_path: Path):
    outside = tmp_path / "outside.po"
    outside.write_bytes(b"outside\n")
    project = tmp_path / "project"
    project.mkdir()
    link = project / "linked.po"
    link.symlink_to(outside)
    mine = project / "mine.po"
    mine.write_bytes(b"v1\n")
    mine.chmod(0o640)
    assert atomic_write_bytes(link, b"new\n") and atomic_write_bytes(mine, b"v2\n")
    assert outside.read_bytes() == b"outside\n"  # the link was replaced, its target untouched
    assert not link.is_symlink() and link.read_bytes() == b"new\n"
    assert mine.stat().st_mode & 0o777 == 0o640
    assert not temp_files(tmp_path)


@pytest.mark.parametrize(
    "before, pieces",
    [
        (None, [b"<urlset>", b"</urlset>"]),  # nothing there yet
        (b"<urlset></urlset>", [b"<urlset>", b"</urlset>"]),  # the same bytes: nothing staged
        (b"<urlset></urlset>\n", [b"<urlset>", b"</urlset>"]),  # the file is longer
        (b"<urlset>", [b"<urlset>", b"</urlset>"]),  # the file is shorter
        (b"<urlset><url/></urlset>", [b"<urlset>", b"<url/>", b"<url/>", b"</urlset>"]),  # differs midway
    ],
)
def test_a_large_text_staged_in_pieces_is_made_once_and_staged_only_when_it_differs(tmp_path: Path, before, pieces):
    """The sitemap and the manifest of thousands of releases are staged a piece at a time: each piece is
    written and compared as it comes (the text is made once), and a file that held it all is left alone."""
    from transpub.staging import commit, stage_pieces

    target = tmp_path / "sitemap.xml"
    if before is not None:
        target.write_bytes(before)
    calls = []

    def made():
        calls.append(1)
        yield from pieces

    staged = stage_pieces(target, made)
    assert len(calls) == 1
    if before == b"".join(pieces):
        assert staged is None and target.read_bytes() == before
    else:
        assert staged is not None and staged.temp.read_bytes() == b"".join(pieces)
        commit([staged])
        assert target.read_bytes() == b"".join(pieces)
    assert not temp_files(tmp_path)


def test_every_file_transpub_writes_goes_through_an_atomic_rename(sample_project: Path, monkeypatch):
    """update, pretranslate and build: every file they change or create was renamed into place."""
    renamed: set[Path] = set()
    real_replace = os.replace

    def recording_replace(src, dst, *args, **kwargs):
        renamed.add(Path(dst).resolve())
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", recording_replace)
    source = sample_project / "sources" / f"{RELEASE}.md"
    source.write_text(source.read_text(encoding="utf-8").replace("さらに、", "さらに加えて、"), encoding="utf-8")
    before = tree_digest(sample_project)
    project = load_project(sample_project)
    from transpub.build import build
    from transpub.catalogs.update import update
    from transpub.translate.pretranslate import pretranslate

    assert update(project).changed
    assert pretranslate(project, "fr", engine=EchoEngine()).from_engine > 0
    assert build(project, draft=True, jobs=1).outputs  # jobs=1: in this process, so the patch sees it
    after = tree_digest(sample_project)
    written = {sample_project.joinpath(p).resolve() for p in after if before.get(p) != after[p]}
    assert len(written) > 10
    assert written <= renamed, sorted(str(p) for p in written - renamed)
    assert not temp_files(sample_project)


@pytest.mark.parametrize("syncfs", [True, False], ids=["syncfs", "fsync of each file"])
def test_a_build_flushes_every_output_to_disk_before_renaming_any(sample_project: Path, monkeypatch, syncfs):
    """Outputs are staged without an fsync each; the commit flushes them all (one syncfs of the file system,
    or an fsync of every staged file where there is none) before the first rename."""
    import transpub.staging as staging

    events: list[tuple[str, str]] = []
    real_replace, real_fsync = os.replace, os.fsync

    def recording_replace(src, dst, *args, **kwargs):
        events.append(("rename", str(dst)))
        return real_replace(src, dst, *args, **kwargs)

    def recording_fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def recording_syncfs(path):
        events.append(("syncfs", str(path)))
        return True

    monkeypatch.setattr(os, "replace", recording_replace)
    monkeypatch.setattr(os, "fsync", recording_fsync)
    if syncfs:
        monkeypatch.setattr(staging, "_sync_file_system", recording_syncfs)
    else:
        monkeypatch.setattr(staging, "_syncfs", lambda: None)
    from transpub.build import build

    assert build(load_project(sample_project), draft=True, jobs=1).outputs  # in this process: the patches see it
    renames = [i for i, (kind, path) in enumerate(events) if kind == "rename" and "/outputs/" in path and ".transpub-manifest" not in path]
    assert len(renames) > 5
    flushed = [(i, path) for i, (kind, path) in enumerate(events) if kind in ("syncfs", "fsync") and "/outputs/" in path and ".tmp" in path and "transpub-manifest" not in path]
    if syncfs:
        assert len(flushed) == 1  # one flush for the whole build
    else:
        assert len(flushed) == len(renames)  # every staged output, each once
    assert max(i for i, _ in flushed) < min(renames)


# --- stale temporary files ----------------------------------------------------------------------------
def _litter(root: Path, outside: Path) -> tuple[list[Path], list[Path]]:
    """Temporary files a killed run leaves behind, and look-alikes that are not transpub's to delete."""
    stale = [
        root / "locale" / "en" / "LC_MESSAGES" / f".{RELEASE}.po.k2j4_x9a.tmp",
        root / "locale" / "templates" / ".names.pot.00000000.tmp",
        root / "outputs" / "en" / f".{RELEASE}.html.abcdefgh.tmp",
        root / "outputs" / "drafts" / "ar" / "images" / ".statement.png.zz_99zzz.tmp",
    ]
    keep = [
        root / "locale" / "en" / "LC_MESSAGES" / "notes.tmp",  # not hidden: a user's file
        root / "locale" / "en" / "LC_MESSAGES" / ".draft.tmp",  # no random part
        root / "outputs" / "en" / ".page.html.ABCDEFGH.tmp",  # mkstemp never uses capitals
        root / "sources" / f".{RELEASE}.md.abcdefgh.tmp",  # transpub never writes sources/
    ]
    for path in stale + keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a catalog")
    link = root / "locale" / "fr" / "LC_MESSAGES" / ".x.po.abcdefgh.tmp"  # a symlink is not ours: kept
    outside.write_bytes(b"precious")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    return stale, [*keep, link]


def test_taking_the_lock_removes_stale_temporary_files(tmp_path: Path):
    root = tmp_path / "project"
    stale, keep = _litter(root, tmp_path / "precious.txt")
    with project_lock(root):
        assert not any(p.exists() for p in stale)
    assert all(p.is_symlink() or p.exists() for p in keep)
    assert (tmp_path / "precious.txt").read_bytes() == b"precious"
    assert remove_stale_temp_files(root) == []


@pytest.mark.parametrize("command", [("update",), ("pretranslate", "--lang", "ar")], ids=["update", "pretranslate"])
def test_the_next_run_cleans_up_after_a_killed_one(sample_project: Path, tmp_path: Path, command):
    stale, keep = _litter(sample_project, tmp_path / "precious.txt")
    result = transpub(sample_project, *command)
    assert result.returncode == 0, result.stderr
    assert [p for p in stale if p.exists()] == []
    assert all(p.is_symlink() or p.exists() for p in keep)


# --- the project lock -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ("update",),
        ("extract",),
        ("pretranslate", "--lang", "fr"),
        ("build", "--lang", "en"),
    ],
    ids=["update", "extract", "pretranslate", "build"],
)
def test_a_second_writer_gets_a_clear_lock_error(sample_project: Path, command):
    before = tree_digest(sample_project)
    with project_lock(sample_project):  # this test process is the first writer
        result = transpub(sample_project, *command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert LOCK_MESSAGE in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert tree_digest(sample_project) == before


def test_two_transpub_processes_never_write_at_once(tmp_path: Path):
    """A slow pretranslate holds the lock; update and a second pretranslate are refused, then work after it."""
    with FakeLibreTranslate(latency=0.3) as server:
        root = make_project(tmp_path / "news", releases=2, url=server.url)
        config = root / "transpub.toml"
        config.write_text(config.read_text(encoding="utf-8").replace("concurrency = 4", "concurrency = 1"), encoding="utf-8")
        assert transpub(root, "update").returncode == 0
        first = start(root, "pretranslate", "--lang", "de")
        try:
            deadline = time.monotonic() + 20
            while server.request_count == 0:  # it calls the engine only while holding the lock
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "pretranslate never called the engine"
                time.sleep(0.02)
            for command in (("update",), ("pretranslate", "--lang", "de"), ("pretranslate", "--lang", "fr")):
                second = transpub(root, *command)
                assert second.returncode == 2 and LOCK_MESSAGE in second.stderr, second.stderr
            assert first.poll() is None, "the first run should still be running"
            server.configure(latency=0)
            out, err = first.communicate(timeout=60)
            assert first.returncode == 0, err
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        assert transpub(root, "update").returncode == 0
    for path in (root / "locale").rglob("*.po"):
        check_catalog(path)
    assert all(e.msgstr for e in read_catalog(root / "locale/de/LC_MESSAGES/2023-release-000.po") if not e.obsolete)


def test_update_reads_the_catalogs_it_merges_under_the_lock(sample_project: Path, monkeypatch):
    """A pretranslate or review import that finishes just before update takes the lock is not undone."""
    import transpub.catalogs.update as update_module

    project = load_project(sample_project)
    path = project.catalog_path("fr", RELEASE)
    real_lock = update_module.project_lock

    def lock_after_someone_else_wrote(root, *args, **kwargs):
        # the other process's last write, just before ours gets the lock
        po = read_catalog(path)
        entry = next(e for e in po if not e.obsolete and not e.msgstr)
        entry.msgstr = "Traduction enregistrée à l'instant"
        write_catalog(path, po)
        return real_lock(root, *args, **kwargs)

    monkeypatch.setattr(update_module, "project_lock", lock_after_someone_else_wrote)
    update_module.update(project)
    assert "Traduction enregistrée à l'instant" in [e.msgstr for e in read_catalog(path)]


# --- killed at any moment -------------------------------------------------------------------------------
POOL_SCRIPT = """
import os, signal, sys, time
from transpub.fsutil import process_pool
pool = process_pool(2)
pids = {pool.submit(os.getpid).result() for _ in range(20)}
pool.submit(time.sleep, 30)  # a worker busy, and one waiting for work
print(" ".join(map(str, pids)), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie has ended; reaping it is its new parent's business


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_worker_processes_end_when_the_run_is_killed():
    process = subprocess.Popen(
        [sys.executable, "-c", POOL_SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the pool's workers kept the killed process's output open")
    workers = [int(pid) for pid in out.split()]
    assert process.returncode == -signal.SIGKILL and workers
    deadline = time.monotonic() + 5
    while not all(_ended(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived the process that started them"
        time.sleep(0.05)


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_ino, status.st_mtime_ns


def _first_write_time(process: subprocess.Popen, watched: Path, started: float, limit: float = 30) -> float | None:
    """Seconds from ``started`` until ``watched`` changes, or None if the process ends first.

    A folder changes when a file (a temporary one too) is created in it; a file when it is replaced.
    """
    mark = _stamp(watched)
    while time.monotonic() - started < limit:
        if _stamp(watched) != mark:
            return time.monotonic() - started
        if process.poll() is not None:
            return None
        time.sleep(0.002)
    return None


def _kill_after(project: Path, command: tuple[str, ...], delay: float, watch: Path | None = None) -> int | None:
    """Start transpub, wait ``delay`` seconds (after its first write into ``watch``, if given), SIGKILL it."""
    process = start(project, *command)
    started = time.monotonic()
    if watch is not None:
        _first_write_time(process, watch, started)
    time.sleep(delay)
    process.kill()  # SIGKILL: no handler, no finally, no cleanup
    finish_killed(process)
    return process.returncode


@pytest.mark.slow
def test_update_killed_at_any_moment_loses_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    base = make_project(tmp_path / "base", releases=24)
    assert run_cli(base, "update").exit_code == 0
    translate_catalogs(base, "fr")
    translate_catalogs(base, "de", every=2)
    write_sources(base, releases=24, version=2)  # the update to kill changes every catalog
    old = catalogs(base)

    expected = tmp_path / "expected"
    shutil.copytree(base, expected)
    process = start(expected, "update")
    started = time.monotonic()
    first_write = _first_write_time(process, expected / "locale" / "templates", started)
    assert process.wait(timeout=60) == 0
    duration = time.monotonic() - started
    assert first_write is not None
    new = catalogs(expected)
    assert set(old) <= set(new) and sum(old[p] != new[p] for p in old) > 40
    for relative in sorted(set(old) | set(new)):
        for root in (base, expected):
            if (root / relative).exists():
                check_catalog(root / relative)

    # A few kills while it reads and merges (nothing written yet), most while it writes the new catalogs
    # beside the old ones, and some the moment it starts putting them in place (the first one replaced).
    writing = max(duration - first_write, 0.05)
    plan = [(f * first_write, None) for f in (0.3, 0.6, 0.9)]
    plan += [(f * writing, "locale/templates") for f in (0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9)]
    plan += [(delay, "locale/templates/2023-release-000.pot") for delay in (0, 0.002, 0.005)]
    outcomes, interrupted_writes = [], 0
    for number, (delay, watch) in enumerate(plan):
        work = tmp_path / f"kill{number}"
        shutil.copytree(base, work)
        _kill_after(work, ("update",), delay, work / watch if watch else None)
        state = catalogs(work)
        assert set(old) <= set(state) <= set(new), "a catalog disappeared, or an unexpected one appeared"
        for relative, data in state.items():
            assert data in (old.get(relative), new[relative]), f"kill {number}: {relative} is neither old nor new"
            check_catalog(work / relative)
        outcomes.append(sum(state[p] == new[p] != old.get(p) for p in state))
        leftovers = temp_files(work)
        changed = len([p for p in new if new[p] != old.get(p)])
        interrupted_writes += bool(leftovers) or 0 < outcomes[-1] < changed
        # a re-run completes, cleans up, and gives exactly what an uninterrupted run gives
        rerun = run_cli(work, "update")
        assert rerun.exit_code == 0, rerun.stderr
        assert catalogs(work) == new
        assert not temp_files(work), f"left behind and not cleaned: {leftovers}"
        shutil.rmtree(work)
    # some kills must have hit the writes (a temporary file left, or some catalogs renamed and not others)
    assert interrupted_writes >= 2, f"no kill landed in the middle of the writes: {outcomes}"


@pytest.mark.slow
def test_pretranslate_killed_at_any_moment_loses_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with FakeLibreTranslate(latency=0.02) as server:
        base = make_project(tmp_path / "base", releases=8, url=server.url)
        assert run_cli(base, "update").exit_code == 0
        translate_catalogs(base, "de", every=3)  # reviewed work pretranslate must leave alone
        old = catalogs(base)

        expected = tmp_path / "expected"
        shutil.copytree(base, expected)
        watched = "locale/de/LC_MESSAGES"
        process = start(expected, "pretranslate", "--lang", "de")
        started = time.monotonic()
        first_write = _first_write_time(process, expected / watched, started)
        assert process.wait(timeout=60) == 0, process.communicate()
        duration = time.monotonic() - started
        assert first_write is not None
        new = catalogs(expected)
        assert sum(old[p] != new[p] for p in old) >= 8

        def entries(data: dict[str, bytes], root: Path) -> dict[tuple, tuple]:
            found = {}
            for relative in data:
                if "/de/" in relative:
                    for e in read_catalog(root / relative):
                        found[relative, e.obsolete, *entry_key(e)] = (e.msgstr, tuple(e.flags), e.tcomment)
            return found

        old_entries, new_entries = entries(old, base), entries(new, expected)
        # two kills before the first answer is saved, the others while answers are being saved
        writing = max(duration - first_write, 0.05)
        plan = [(f * first_write, None) for f in (0.4, 0.8)]
        plan += [(f * writing, watched) for f in (0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9)]
        outcomes = []
        for number, (delay, watch) in enumerate(plan):
            work = tmp_path / f"kill{number}"
            shutil.copytree(base, work)
            _kill_after(work, ("pretranslate", "--lang", "de"), delay, work / watch if watch else None)
            state = catalogs(work)
            assert set(state) == set(old)
            for relative in state:
                check_catalog(work / relative)
            now = entries(state, work)
            assert now.keys() == old_entries.keys()
            for key, value in now.items():  # each entry as it was, or as the finished run leaves it
                assert value in (old_entries[key], new_entries[key]), f"kill {number}: {key} is {value}"
            outcomes.append(sum(now[k] != old_entries[k] for k in now))
            # a re-run completes the work: the same catalogs as one uninterrupted run
            server.configure(latency=0)
            rerun = run_cli(work, "pretranslate", "--lang", "de")
            server.configure(latency=0.02)
            assert rerun.exit_code == 0, rerun.stderr
            assert catalogs(work) == new
            assert not temp_files(work)
            shutil.rmtree(work)
    total = sum(new_entries[k] != old_entries[k] for k in new_entries)
    assert sum(0 < n < total for n in outcomes) >= 3, f"too few kills landed in the middle of the run: {outcomes} of {total}"


def test_recorded_reads_hold_the_digest_of_the_bytes_read(tmp_path: Path):
    """What a build job's check compares: the digest of what was read, by path; a file read twice with
    different contents never passes for either; nothing is recorded outside the block."""
    from transpub.fsutil import READ_DIFFERED, content_digest, read_file, recorded_reads

    one, two = tmp_path / "one.po", tmp_path / "two.po"
    one.write_bytes(b"first")
    two.write_bytes(b"same")
    with recorded_reads() as read:
        read_file(one)
        read_file(two)
        read_file(two)
        one.write_bytes(b"second")
        read_file(one)
    assert read == {os.fspath(one): READ_DIFFERED, os.fspath(two): content_digest(b"same")}
    assert content_digest(b"same") == hashlib.sha256(b"same").hexdigest()
    read_file(two)
    assert len(read) == 2
