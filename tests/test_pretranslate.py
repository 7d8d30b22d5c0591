"""`pretranslate` on the sample project against the test suite's own LibreTranslate server on 127.0.0.1."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import msgfmt_check, run_cli, tree_digest
from libretranslate_server import FakeLibreTranslate

from transpub.catalogs.pofile import read_catalog, write_catalog
from transpub.catalogs.states import State, entry_state
from transpub.config import load_project
from transpub.source.tokens import find_tokens
from transpub.translate.engines import EchoEngine
from transpub.translate.pretranslate import pretranslate

RELEASE = "2023-07-18-wipo-assemblies"


@pytest.fixture
def server():
    with FakeLibreTranslate() as running:
        yield running


def _with_german(project: Path, url: str) -> Path:
    config = project / "transpub.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('languages = ["en", "fr", "ar"]', 'languages = ["en", "fr", "ar", "de"]')
    text = re.sub(r'url = "[^"]*"', f'url = "{url}"', text)
    text = text.replace("timeout = 20", "timeout = 5\nretries = 1\nretry_wait = 0.01")
    config.write_text(text, encoding="utf-8")
    assert run_cli(project, "update").exit_code == 0
    return project


def test_pretranslate_fills_every_entry_marked_unreviewed_with_tokens_intact(sample_project: Path, server):
    project = _with_german(sample_project, server.url)
    en_before = (project / f"locale/en/LC_MESSAGES/{RELEASE}.po").read_bytes()
    result = run_cli(project, "pretranslate", "--lang", "de")
    assert result.exit_code == 0, result.stderr
    po = read_catalog(project / f"locale/de/LC_MESSAGES/{RELEASE}.po")
    active = [e for e in po if not e.obsolete]
    assert active and all(entry_state(e) is State.MACHINE for e in active)
    for entry in active:
        assert "machine translation: libretranslate" in entry.tcomment
        assert Counter(find_tokens(entry.msgstr)) == Counter(find_tokens(entry.msgid))
        assert entry.msgstr.startswith("[de]")
    names = read_catalog(project / "locale/de/LC_MESSAGES/names.po")
    assert all(e.msgstr for e in names if not e.obsolete)
    # reviewed work elsewhere is untouched
    assert (project / f"locale/en/LC_MESSAGES/{RELEASE}.po").read_bytes() == en_before
    assert "0 rejected, 0 failed" in result.stdout
    msgfmt_check(project / f"locale/de/LC_MESSAGES/{RELEASE}.po")

    # status counts them as unreviewed; a second run makes no engine call and changes nothing
    status = run_cli(project, "status", "--lang", "de", "--json")
    assert '"publishable": false' in status.stdout
    calls = server.request_count
    before = tree_digest(project)
    again = run_cli(project, "pretranslate", "--lang", "de")
    assert again.exit_code == 0
    assert server.request_count == calls
    assert tree_digest(project) == before


def test_each_distinct_text_is_sent_once(sample_project: Path, server):
    project = _with_german(sample_project, server.url)
    run_cli(project, "pretranslate", "--lang", "de")
    sent = [r.params["q"] for r in server.requests]
    flat = [q for item in sent for q in (item if isinstance(item, list) else [item])]
    assert len(flat) == len(set(flat))


def test_translation_memory_comes_first(sample_project: Path, server):
    """A reviewed French entry in one release fills the same text in another, without an engine call."""
    project = sample_project
    source = project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    (project / "sources" / "2023-08-01-follow-up.md").write_text(
        text.replace("date: 2023-07-18", "date: 2023-08-01"), encoding="utf-8"
    )
    _with_german(project, server.url)  # points [translate] at the server; German is unused here
    result = run_cli(project, "pretranslate", "--lang", "fr", "--release", "2023-08-01-follow-up")
    assert result.exit_code == 0, result.stderr
    original = {e.msgid: e for e in read_catalog(project / f"locale/fr/LC_MESSAGES/{RELEASE}.po")}
    copy = read_catalog(project / "locale/fr/LC_MESSAGES/2023-08-01-follow-up.po")
    from_memory = [e for e in copy if e.tcomment.startswith(f"translation memory: {RELEASE}")]
    reviewed = [m for m, e in original.items() if entry_state(e) is State.REVIEWED]
    assert len(from_memory) == len(reviewed) > 0
    for entry in from_memory:
        assert entry.msgstr == original[entry.msgid].msgstr and "fuzzy" in entry.flags
    sent = {q for r in server.requests for q in ([r.params["q"]] if isinstance(r.params["q"], str) else r.params["q"])}
    assert not any(e.msgid in sent for e in from_memory)


def test_a_translation_that_loses_a_placeholder_is_rejected_not_saved(sample_project: Path, server):
    project = _with_german(sample_project, server.url)
    server.configure(mode="drop_placeholder")
    result = run_cli(project, "pretranslate", "--lang", "de")
    po = read_catalog(project / f"locale/de/LC_MESSAGES/{RELEASE}.po")
    for entry in po:
        if find_tokens(entry.msgid) or "**" in entry.msgid or "](" in entry.msgid:
            assert entry.msgstr == "", entry.msgid  # every text with a placeholder lost one: none saved
    assert "rejected" in result.stdout and "not filled" in result.stderr


def test_unreachable_engine_is_a_clear_error(sample_project: Path):
    project = _with_german(sample_project, "http://127.0.0.1:9/")
    result = run_cli(project, "pretranslate", "--lang", "de")
    assert result.exit_code in (1, 2)
    assert "127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


class _Interrupting:
    """Answers like EchoEngine, then the user presses Ctrl-C during the sixth call."""

    name = "echo"

    def __init__(self):
        self.inner = EchoEngine()
        self.calls = 0

    def translate_batch(self, texts, source, target):
        self.calls += 1
        if self.calls == 6:
            raise KeyboardInterrupt
        return self.inner.translate_batch(texts, source, target)


def test_interrupted_run_keeps_progress_and_resumes(sample_project: Path, server):
    root = _with_german(sample_project, server.url)
    config = root / "transpub.toml"  # one call at a time, so "the sixth call" is well defined
    config.write_text(config.read_text(encoding="utf-8").replace("concurrency = 8", "concurrency = 1"), encoding="utf-8")
    project = load_project(root)
    interrupting = _Interrupting()
    with pytest.raises(KeyboardInterrupt):
        pretranslate(project, "de", engine=interrupting)
    path = project.catalog_path("de", RELEASE)
    saved = [e for e in read_catalog(path) if e.msgstr]
    assert saved, "answers received before the interruption were saved"
    resumed = EchoEngine()
    report = pretranslate(project, "de", engine=resumed)
    sent = [t for batch in resumed.batches for t in batch]
    assert not any(e.msgid in sent for e in saved)  # nothing already saved is asked again
    assert all(e.msgstr for e in read_catalog(path) if not e.obsolete)
    assert report.from_engine > 0


def test_translator_edit_during_the_run_is_not_overwritten(sample_project: Path, server):
    project = load_project(_with_german(sample_project, server.url))
    path = project.catalog_path("de", RELEASE)

    class EditsMidway(EchoEngine):
        def translate_batch(self, texts, source, target):
            po = read_catalog(path)
            title = next(e for e in po if e.comment == "title")
            if not title.msgstr:
                title.msgstr = "Von Hand übersetzt"
                write_catalog(path, po)
            return super().translate_batch(texts, source, target)

    pretranslate(project, "de", engine=EditsMidway())
    title = next(e for e in read_catalog(path) if e.comment == "title")
    assert title.msgstr == "Von Hand übersetzt" and "fuzzy" not in title.flags


def _follow_up_with_one_sentence_changed(project: Path) -> str:
    """A second release, the sample with one reviewed French sentence reworded a little; returns the new text."""
    source = project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8").replace("date: 2023-07-18", "date: 2023-08-01")
    title = "知的財産分野における国際協力が前進しました"  # reviewed in the French sample
    assert title in text
    (project / "sources" / "2023-08-01-follow-up.md").write_text(text.replace(title, "知的財産分野における国際協力がさらに前進しました"), encoding="utf-8")
    return "知的財産分野における国際協力がさらに前進しました"


@pytest.mark.parametrize("threshold", [75, 100])
def test_a_similar_reviewed_text_is_offered_as_a_fuzzy_suggestion_not_sent_to_the_engine(sample_project: Path, server, threshold: int):
    project = sample_project
    changed = _follow_up_with_one_sentence_changed(project)
    _with_german(project, server.url)
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[translate]\n", f"[translate]\nmemory_threshold = {threshold}\n"), encoding="utf-8")
    result = run_cli(project, "pretranslate", "--lang", "fr", "--release", "2023-08-01-follow-up")
    assert result.exit_code == 0, result.stderr
    entry = next(e for e in read_catalog(project / "locale/fr/LC_MESSAGES/2023-08-01-follow-up.po") if e.msgid == changed)
    original = next(e for e in read_catalog(project / f"locale/fr/LC_MESSAGES/{RELEASE}.po") if e.msgid == "知的財産分野における国際協力が前進しました")
    sent = {q for r in server.requests for q in ([r.params["q"]] if isinstance(r.params["q"], str) else r.params["q"])}
    if threshold == 100:  # exact matches only: the engine is asked
        assert "machine translation" in entry.tcomment and "0 from similar texts" in result.stdout
        return
    assert entry.msgstr == original.msgstr and "fuzzy" in entry.flags
    note = re.search(r"translation memory \(similar text\): " + re.escape(RELEASE) + r", [0-9-]+, (\d+) % like '知的財産分野における国際協力が前進しました'", entry.tcomment)
    assert note and 75 <= int(note.group(1)) < 100
    assert changed not in sent
    assert int(re.search(r"(\d+) from similar texts in it \(fuzzy\)", result.stdout).group(1)) >= 1
