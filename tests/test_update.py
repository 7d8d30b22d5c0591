"""`update` keeps msgmerge's promise: before/after PO fixtures for changed, removed, re-added, reordered text.

tests/data/update/<case>/ holds the release after the edit (source.md), the French catalog before the
update (before.po) and the catalog expected after it (expected.po, header left out). Set
TRANSPUB_REGENERATE_GOLDEN=1 to rewrite expected.po after an intended change, then read the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from babel.messages.plurals import get_plural
from conftest import msgfmt_check, run_cli, tree_digest

from transpub.catalogs import pofile
from transpub.catalogs.pofile import plural_forms, read_catalog, write_catalog
from transpub.catalogs.update import update
from transpub.config import load_project

DATA = Path(__file__).parent / "data" / "update"
CASES = sorted(p.name for p in DATA.iterdir() if p.is_dir())
CONFIG = '[project]\npublisher = "Press"\nsource_lang = "en"\nlanguages = ["fr"]\n'


def _project_for(case: str, tmp_path: Path) -> Path:
    root = tmp_path / case
    (root / "sources").mkdir(parents=True)
    (root / "transpub.toml").write_text(CONFIG)
    shutil.copy(DATA / case / "source.md", root / "sources" / "release.md")
    catalog = root / "locale" / "fr" / "LC_MESSAGES" / "release.po"
    catalog.parent.mkdir(parents=True)
    shutil.copy(DATA / case / "before.po", catalog)
    return root


def _updated(case: str, tmp_path: Path) -> polib.POFile:
    root = _project_for(case, tmp_path)
    update(load_project(root))
    return read_catalog(root / "locale" / "fr" / "LC_MESSAGES" / "release.po")


@pytest.mark.parametrize("case", CASES)
def test_update_matches_expected_catalog(case: str, tmp_path: Path):
    root = _project_for(case, tmp_path)
    update(load_project(root))
    path = root / "locale" / "fr" / "LC_MESSAGES" / "release.po"
    body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
    expected = DATA / case / "expected.po"
    if os.environ.get("TRANSPUB_REGENERATE_GOLDEN"):
        expected.write_text(body, encoding="utf-8")
    assert body == expected.read_text(encoding="utf-8")
    msgfmt_check(path)


def _by_msgid(po: polib.POFile) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in po}


def test_changed_segment_gets_old_translation_as_fuzzy_with_previous_msgid(tmp_path):
    entries = _by_msgid(_updated("changed", tmp_path))
    edited = entries["The delegation met partners from {country:KZ} and {country:DE} on {date:2023-07-06}."]
    assert "fuzzy" in edited.flags
    assert edited.previous_msgid == "The delegation met partners from {country:KZ} on {date:2023-07-06}."
    assert edited.msgstr.startswith("La délégation a rencontré")
    # the reviewed entry whose text did not change is untouched
    kept = entries["A memorandum of cooperation was signed."]
    assert kept.msgstr == "Un mémorandum de coopération a été signé." and "fuzzy" not in kept.flags
    # the old texts are kept as obsolete entries so nothing is lost
    assert entries["The delegation met partners from {country:KZ} on {date:2023-07-06}."].obsolete


def test_removed_segment_becomes_obsolete(tmp_path):
    entry = _by_msgid(_updated("removed", tmp_path))["A memorandum of cooperation was signed."]
    assert entry.obsolete and entry.msgstr == "Un mémorandum de coopération a été signé."


def test_readded_segment_is_revived_with_its_translation(tmp_path):
    po = _updated("readded", tmp_path)
    entry = _by_msgid(po)["A memorandum of cooperation was signed."]
    assert not entry.obsolete and "fuzzy" not in entry.flags
    assert entry.msgstr == "Un mémorandum de coopération a été signé."
    assert sum(1 for e in po if e.msgid == entry.msgid) == 1


def test_reordered_segments_keep_translations_in_new_order(tmp_path):
    po = _updated("reordered", tmp_path)
    active = [e for e in po if not e.obsolete]
    assert [e.msgid for e in active][1].startswith("Further meetings")
    assert {e.msgid: e.msgstr for e in active}["A memorandum of cooperation was signed."].startswith("Un mémorandum")
    assert not [e for e in po if e.obsolete]
    assert "fuzzy" in _by_msgid(po)["Further meetings are planned for {month:2023-12}."].flags  # state kept


def test_second_update_leaves_every_file_byte_identical(sample_project: Path):
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.stderr
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0
    assert "0 file(s) written" in result.stdout
    assert tree_digest(sample_project) == before


def test_every_catalog_transpub_writes_passes_msgfmt(sample_project: Path):
    # start from nothing so every catalog is written by transpub itself
    shutil.rmtree(sample_project / "locale")
    assert run_cli(sample_project, "update").exit_code == 0
    written = sorted((sample_project / "locale").rglob("*.po*"))
    assert len(written) == 2 + 2 * 3  # two templates, two catalogs per language
    for path in written:
        msgfmt_check(path)


def test_update_after_source_edit_only_touches_affected_files(sample_project: Path):
    run_cli(sample_project, "update")
    before = tree_digest(sample_project)
    source = sample_project / "sources" / "2023-07-18-wipo-assemblies.md"
    source.write_text(source.read_text(encoding="utf-8").replace("強い期待", "大きな期待"), encoding="utf-8")
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0, result.stderr
    after = tree_digest(sample_project)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {
        "sources/2023-07-18-wipo-assemblies.md",
        "locale/templates/2023-07-18-wipo-assemblies.pot",
        "locale/en/LC_MESSAGES/2023-07-18-wipo-assemblies.po",
        "locale/fr/LC_MESSAGES/2023-07-18-wipo-assemblies.po",
        "locale/ar/LC_MESSAGES/2023-07-18-wipo-assemblies.po",
    }
    en = read_catalog(sample_project / "locale/en/LC_MESSAGES/2023-07-18-wipo-assemblies.po")
    changed_entry = next(e for e in en if "大きな期待" in e.msgid)
    assert "fuzzy" in changed_entry.flags and "強い期待" in changed_entry.previous_msgid


def test_parallel_update_writes_what_a_serial_one_writes(tmp_path: Path, monkeypatch):
    """Past the pool threshold releases are merged in worker processes; the files must not differ."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the same creation date in both trees
    from generated_project import make_project, translate_catalogs, write_sources

    serial, parallel = make_project(tmp_path / "serial", releases=20), make_project(tmp_path / "parallel", releases=20)
    for root in (serial, parallel):
        update(load_project(root), jobs=1)
        translate_catalogs(root, "fr")
        write_sources(root, releases=20, version=2)  # a quarter of the paragraphs change
    update(load_project(serial), jobs=1)
    update(load_project(parallel), jobs=2)
    assert tree_digest(serial / "locale") == tree_digest(parallel / "locale")
    fuzzy = [e for p in (parallel / "locale/fr/LC_MESSAGES").glob("*.po") for e in read_catalog(p) if "fuzzy" in e.flags]
    assert fuzzy, "the edit should have produced fuzzy suggestions"


def test_update_keeps_the_parsed_texts_of_no_release_once_it_is_merged(tmp_path: Path):
    """As a build does, update forgets each release's parsed texts once the release is merged: a worker
    merging thousands of releases would otherwise fill its parse caches to their bound (at 5,000
    releases, ~20 MB more at the peak of `extract`)."""
    from generated_project import make_project

    from transpub.source import inline

    root = make_project(tmp_path / "news", releases=6)
    inline.forget_parsed_texts()
    update(load_project(root), jobs=1)  # every release merged in this process
    assert inline.text_to_inline.cache_info().currsize == 0
    assert inline.inline_children.cache_info().currsize == 0
    assert len(list((root / "locale" / "templates").glob("*.pot"))) == 6 + 1  # (the releases were merged)


def test_parallel_update_refuses_a_bad_source_and_changes_nothing(tmp_path: Path):
    from generated_project import make_project

    root = make_project(tmp_path / "news", releases=20)
    update(load_project(root), jobs=2)
    before = tree_digest(root)
    bad = sorted((root / "sources").glob("*.md"))[-1]
    bad.write_text(bad.read_text(encoding="utf-8") + "\nA paragraph with {country:QQ}.\n", encoding="utf-8")
    before[str(bad.relative_to(root))] = tree_digest(root)[str(bad.relative_to(root))]
    with pytest.raises(Exception, match="QQ"):
        update(load_project(root), jobs=2)
    assert tree_digest(root) == before


def test_the_committed_sample_catalogs_are_current(sample_project: Path):
    """The repository's own catalogs match its sources: a fresh clone's first update rewrites nothing."""
    result = run_cli(sample_project, "update")
    assert result.exit_code == 0 and "0 file(s) written" in result.stdout, result.stdout


def _header_lines(path: Path) -> list[bytes]:
    """The lines of a catalog's header entry (up to the first empty line)."""
    return path.read_bytes().split(b"\n\n", 1)[0].split(b"\n")


# Plural-Forms as Babel 2.19 (CLDR 48) writes French: a header another translator's update could have made
CLDR48_FRENCH = "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"


def test_update_keeps_each_catalogs_header_whatever_plural_data_is_installed(sample_project: Path, monkeypatch):
    """One project, one header: a catalog's Plural-Forms (and every other field but the creation date)
    survive `transpub update` byte for byte, with this machine's plural data or with Babel's alone."""
    fr = sample_project / "locale/fr/LC_MESSAGES/2023-07-18-wipo-assemblies.po"
    ar = sample_project / "locale/ar/LC_MESSAGES/2023-07-18-wipo-assemblies.po"
    po = read_catalog(fr)
    po.header += "\nJean Dupont <jean@example.org>, 2026."
    po.metadata["Plural-Forms"] = CLDR48_FRENCH
    po.metadata["X-Generator"] = "Poedit 3.4.2"
    po.metadata_is_fuzzy = True
    write_catalog(fr, po)
    # the committed Arabic catalog has the formula Babel 2.18 wrote: neither today's Babel nor the convention
    ar_forms = read_catalog(ar).metadata["Plural-Forms"]
    assert ar_forms not in (plural_forms("ar"), str(get_plural("ar")))
    assert CLDR48_FRENCH != plural_forms("fr")
    source = sample_project / "sources" / "2023-07-18-wipo-assemblies.md"
    for edit, epoch in ((1, "1900000000"), (2, "1900086400")):
        if edit == 2:  # the other translator: no conventional data, CLDR through Babel for every language
            monkeypatch.setattr(pofile, "_weblate_plurals", lambda: ({}, {}))
        before = {path: _header_lines(path) for path in (fr, ar)}
        source.write_text(source.read_text(encoding="utf-8") + f"\n追加の段落{edit}。\n", encoding="utf-8")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        result = run_cli(sample_project, "update")
        assert result.exit_code == 0, result.stderr
        for path, lines in before.items():
            after = _header_lines(path)
            changed = [(old, new) for old, new in zip(lines, after) if old != new]
            assert len(after) == len(lines) and [old for old, _ in changed] == [
                line for line in lines if line.startswith(b'"POT-Creation-Date: ')
            ], changed
            assert f"追加の段落{edit}" in path.read_text(encoding="utf-8")  # the file was rewritten
            msgfmt_check(path)
    assert read_catalog(fr).metadata["Plural-Forms"] == CLDR48_FRENCH
    assert read_catalog(fr).metadata_is_fuzzy
    assert read_catalog(ar).metadata["Plural-Forms"] == ar_forms


def test_a_new_language_gets_the_conventional_plural_forms(sample_project: Path):
    config = sample_project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('["en", "fr", "ar"]', '["en", "fr", "ar", "pt_BR", "he"]'))
    assert run_cli(sample_project, "update").exit_code == 0
    for lang in ("pt_BR", "he"):
        for name in ("2023-07-18-wipo-assemblies.po", "names.po"):
            path = sample_project / "locale" / lang / "LC_MESSAGES" / name
            assert read_catalog(path).metadata["Plural-Forms"] == plural_forms(lang)
            msgfmt_check(path)
