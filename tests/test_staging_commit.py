"""commit() of many staged files (renamed by several threads): all in place, or a clear error with every
target whole (old or new) and no temporary file left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from transpub import staging
from transpub.errors import FileError

COUNT = 3 * staging.RENAME_THREADS  # enough to be renamed by the thread pool


def _stage_many(folder: Path) -> list[staging.Staged]:
    for index in range(COUNT):
        (folder / f"f{index:03}.po").write_bytes(b"old")
    return [staging.stage_bytes(folder / f"f{index:03}.po", b"new", sync=False) for index in range(COUNT)]


def test_every_staged_file_is_put_in_place(tmp_path: Path):
    staging.commit(_stage_many(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"f{index:03}.po" for index in range(COUNT)]
    assert {p.read_bytes() for p in tmp_path.iterdir()} == {b"new"}


def test_a_failed_rename_leaves_whole_files_and_no_temporary_file(tmp_path: Path, monkeypatch):
    staged = _stage_many(tmp_path)
    real_replace = os.replace
    broken = {staged[5]._target, staged[COUNT - 1]._target}

    def replace(src, dst, *args, **kwargs):
        if dst in broken:
            raise OSError(18, "Invalid cross-device link")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(FileError, match="Invalid cross-device link") as caught:
        staging.commit(staged)
    assert Path(caught.value.path) == staged[5].target  # the first that failed, in order
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"f{index:03}.po" for index in range(COUNT)]
    assert {p.read_bytes() for p in tmp_path.iterdir()} <= {b"old", b"new"}
    assert (tmp_path / "f005.po").read_bytes() == b"old"
