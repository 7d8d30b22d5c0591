"""StagedFiles: a build's staged files, recorded on disk and read back whole, in order, however they are read."""

from __future__ import annotations

import itertools
from pathlib import Path

from transpub.staging import Staged, StagedFiles, commit, discard


def _items(count: int) -> list[Staged]:
    # names of every length, and not ASCII: the record is read in chunks that end anywhere in an item
    return [Staged(f"/out/{'é' * (i % 40)}page{i}.html", f"/out/.page{i}.html.abcd_{i % 10}xy.tmp", i % 3 == 0) for i in range(12000)]


def test_the_record_gives_back_every_item_in_order_while_it_grows_and_while_it_is_read():
    items = _items(12000)
    staged = StagedFiles()
    assert list(staged) == [] and len(staged) == 0
    staged.extend(items[:6000])
    reader = iter(staged)
    next(reader)  # a reader left half way does not disturb the others, nor the appends
    assert list(staged) == items[:6000]
    staged.extend(items[6000:])
    assert list(staged) == items and len(staged) == len(items)
    assert list(itertools.islice(staged, 11990, None)) == items[11990:]
    staged.close()
    assert list(staged) == []


def test_commit_and_discard_take_the_record(tmp_path: Path):
    staged = StagedFiles()
    for number in range(500):
        target = tmp_path / f"{number:05}.txt"
        temp = tmp_path / f".{number:05}.txt.abcdefgh.tmp"
        temp.write_text(str(number))
        staged.append(Staged(target, temp, synced=False))
    commit(staged)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{number:05}.txt" for number in range(500)]
    assert (tmp_path / "00499.txt").read_text() == "499"
    other = StagedFiles()
    (tmp_path / ".x.abcdefgh.tmp").write_text("x")
    other.append(Staged(tmp_path / "x", tmp_path / ".x.abcdefgh.tmp"))
    discard(other)
    assert not (tmp_path / ".x.abcdefgh.tmp").exists() and not (tmp_path / "x").exists()
