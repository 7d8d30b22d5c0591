"""A translator's editor saves while `pretranslate` fills the same catalog: no save is ever lost. While
`update` merges it: `update` stops rather than replace the save.

Editors take no lock of ours. `pretranslate` puts a filled catalog in place only if it is still the file it
read, and where Linux can swap two files atomically it swaps and then inspects what it displaced, so a save
landing at any moment is kept (SECURITY.md, "Concurrent editors").
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli, tree_digest
from libretranslate_server import FakeLibreTranslate

from transpub import staging
from transpub.catalogs.pofile import catalog_to_bytes, read_catalog
from transpub.staging import file_signature, replace_if_unchanged


# --- the compare-and-replace itself ------------------------------------------------------------------------
def _read(path: Path) -> tuple[bytes, tuple]:
    signature = file_signature(path)
    return path.read_bytes(), signature


def test_an_unchanged_file_is_replaced(tmp_path: Path):
    target = tmp_path / "x.po"
    target.write_bytes(b"old")
    data, signature = _read(target)
    assert replace_if_unchanged(target, data, signature, b"new") is True
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.po"]


def _save(target: Path, text: bytes) -> None:
    """Save as an editor does: a temporary file renamed over the catalog."""
    temp = target.with_name(target.name + "~")
    temp.write_bytes(text)
    os.replace(temp, target)


def test_a_save_before_the_comparison_is_kept(tmp_path: Path):
    target = tmp_path / "x.po"
    target.write_bytes(b"old")
    data, signature = _read(target)
    time.sleep(0.01)
    _save(target, b"the translator's save")
    assert replace_if_unchanged(target, data, signature, b"new") is False
    assert target.read_bytes() == b"the translator's save"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.po"]


@pytest.mark.parametrize("newer_save_too", [False, True], ids=["one save", "two saves"])
def test_a_save_between_the_comparison_and_the_swap_is_kept(tmp_path: Path, monkeypatch, newer_save_too):
    """The hardest moment: the save lands after transpub compared the file. The swap brings it back."""
    if staging._renameat2() is None:
        pytest.skip("this system cannot swap two files atomically")
    target = tmp_path / "x.po"
    target.write_bytes(b"old")
    data, signature = _read(target)
    real_holds, real_exchange = staging._holds, staging._exchange
    swaps = []

    def holds_then_save(path, expected):
        same = real_holds(path, expected)
        if expected == data:  # the comparison with what was read (not stage_bytes' own check)
            _save(target, b"save 1")  # lands right after the comparison
        return same

    def exchange(first, second):
        done = real_exchange(first, second)
        swaps.append(done)
        if newer_save_too and len(swaps) == 1:
            _save(target, b"save 2")  # and yet another save replaces transpub's file at once
        return done

    monkeypatch.setattr(staging, "_holds", holds_then_save)
    monkeypatch.setattr(staging, "file_signature", lambda path: signature if path == target else file_signature(path))
    monkeypatch.setattr(staging, "_exchange", exchange)
    assert replace_if_unchanged(target, data, signature, b"new") is False
    assert target.read_bytes() == (b"save 2" if newer_save_too else b"save 1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.po"]


def test_without_an_atomic_swap_the_same_moment_is_the_documented_limit(tmp_path: Path, monkeypatch):
    """SECURITY.md says what holds without renameat2: a save in the last microseconds can be replaced."""
    target = tmp_path / "x.po"
    target.write_bytes(b"old")
    data, signature = _read(target)
    real_holds = staging._holds

    def holds_then_save(path, expected):
        same = real_holds(path, expected)
        if expected == data:
            _save(target, b"save 1")
        return same

    monkeypatch.setattr(staging, "_renameat2", lambda: None)
    monkeypatch.setattr(staging, "_holds", holds_then_save)
    monkeypatch.setattr(staging, "file_signature", lambda path: signature)
    assert replace_if_unchanged(target, data, signature, b"new") is True
    assert target.read_bytes() == b"new"


# --- the whole command, against a translator saving every few milliseconds -----------------------------------
@pytest.mark.slow
def test_pretranslate_never_loses_a_translators_save(tmp_path: Path):
    root = tmp_path / "race"
    (root / "sources").mkdir(parents=True)
    paragraphs = "\n\n".join(f"Paragraph number {i} talks about topic {i * 7}." for i in range(120))
    (root / "sources/2024-01-01-race.md").write_text(f"---\ndate: 2024-01-01\n---\n\n# Race\n\n{paragraphs}\n", encoding="utf-8")
    with FakeLibreTranslate(latency=0.1) as server:
        (root / "transpub.toml").write_text(
            f'[project]\nname = "race"\nsource_lang = "en"\nlanguages = ["fr"]\n'
            f'[translate]\nengine = "libre"\nurl = "{server.url}"\nconcurrency = 8\n',
            encoding="utf-8",
        )
        assert run_cli(root, "update").exit_code == 0
        catalog = root / "locale/fr/LC_MESSAGES/2024-01-01-race.po"
        keys = [entry.msgid for entry in read_catalog(catalog)][::-1]
        saved: list[tuple[str, str]] = []
        stop = threading.Event()

        def translator() -> None:
            for number, key in enumerate(keys):
                if stop.is_set():
                    break
                po = read_catalog(catalog)  # an editor reloads, changes one entry, saves
                for entry in po:
                    if entry.msgid == key:
                        entry.msgstr = f"HUMAN {number}"
                _save(catalog, catalog_to_bytes(po, catalog))
                saved.append((key, f"HUMAN {number}"))
                time.sleep(0.005)

        thread = threading.Thread(target=translator)
        thread.start()
        result = run_cli(root, "pretranslate", "--lang", "fr")
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.stderr
    final = {entry.msgid: entry.msgstr for entry in read_catalog(catalog)}
    lost = [(key, value, final.get(key)) for key, value in saved if final.get(key) != value]
    assert len(saved) >= 5 and lost == [], (len(saved), lost[:3])


# --- update ----------------------------------------------------------------------------------------------
def test_update_never_replaces_a_catalog_saved_while_it_ran(sample_project: Path, monkeypatch: pytest.MonkeyPatch):
    """A translator saves a catalog after `update` read it and before it put its merge in place: the
    merge of the version before would replace the save. `update` stops instead, nothing written, and its
    next run merges the saved text."""
    from transpub.catalogs import update as updating
    from transpub.config import load_project
    from transpub.errors import FileError

    source = sample_project / "sources/2023-07-18-wipo-assemblies.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n新しい段落です。\n", encoding="utf-8")  # something to merge
    catalog = sample_project / "locale/en/LC_MESSAGES/2023-07-18-wipo-assemblies.po"
    saved = catalog.read_text(encoding="utf-8").replace('msgstr "International', 'msgstr "Saved: International', 1)
    assert "Saved: International" in saved
    before = tree_digest(sample_project)
    names = updating._names  # names.po is merged after every release's catalogs were read and staged

    def save_then_merge_names(*args, **kwargs):
        catalog.write_text(saved, encoding="utf-8")
        return names(*args, **kwargs)

    monkeypatch.setattr(updating, "_names", save_then_merge_names)
    with pytest.raises(FileError) as raised:
        updating.update(load_project(sample_project), jobs=1)
    assert str(raised.value) == (
        "locale/en/LC_MESSAGES/2023-07-18-wipo-assemblies.po: changed while update was reading it; nothing was written: run update again"
    )
    after = tree_digest(sample_project)
    assert catalog.read_text(encoding="utf-8") == saved  # the save is kept
    changed = {name for name in after if after[name] != before.get(name)} | set(before) - set(after)
    assert changed == {"locale/en/LC_MESSAGES/2023-07-18-wipo-assemblies.po"}  # and nothing else was written
    monkeypatch.undo()
    updating.update(load_project(sample_project), jobs=1)
    entries = {entry.msgid: entry.msgstr for entry in read_catalog(catalog)}
    assert any(text.startswith("Saved: International") for text in entries.values())  # the save, merged
    assert "新しい段落です。" in entries  # and the new paragraph
