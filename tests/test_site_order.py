"""Build order does not change the site: languages built one at a time, in any order, leave outputs/ byte
for byte as one build of them all; a build that changes which versions of a release are published brings
the other languages' pages (and the index pages, feeds and sitemap) up to date, though not asked for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_cli, tree_digest
from test_html import hreflang_links, parse

from transpub.build import build
from transpub.config import load_project

RELEASE = "2023-07-18-wipo-assemblies"
BASE = "https://www.example.go.jp/news/"
ORDERS = [("en", "fr", "ar", "ja"), ("ar", "fr", "ja", "en"), ("ja", "en", "ar", "fr"), ("fr", "ja", "en", "ar")]


def _twin(sample: Path, root: Path, name: str) -> Path:
    target = root / name
    shutil.copytree(sample, target)
    return target


def _build(project: Path, *args: str) -> None:
    result = run_cli(project, "build", "-j", "1", *args)
    # a language with nothing publishable exits 1 (and says so); anything else is an error
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code == 1:
        assert "nothing publishable" in result.stderr


def _second_release(project: Path) -> None:
    """A second release, a month later, with the same reviewed English text: two rows, two feed entries."""
    source = (project / "sources" / f"{RELEASE}.md").read_text(encoding="utf-8")
    (project / "sources" / "2023-08-01-follow-up.md").write_text(source.replace("date: 2023-07-18", "date: 2023-08-01"), encoding="utf-8")
    assert run_cli(project, "update").exit_code == 0
    shutil.copy(project / f"locale/en/LC_MESSAGES/{RELEASE}.po", project / "locale/en/LC_MESSAGES/2023-08-01-follow-up.po")
    assert run_cli(project, "update").exit_code == 0


def _publish_french(project: Path) -> None:
    """French publishes too (with the reviewed English text: the checks do not read the language), so
    three of the four languages publish and Arabic does not."""
    for name in ("names.po", f"{RELEASE}.po", "2023-08-01-follow-up.po"):
        (project / f"locale/fr/LC_MESSAGES/{name}").write_bytes((project / f"locale/en/LC_MESSAGES/{name}").read_bytes())


def _site(project: Path) -> dict[str, str]:
    return tree_digest(project / "outputs")


@pytest.mark.parametrize("draft", [False, True], ids=["published", "drafts"])
def test_building_the_languages_one_at_a_time_in_any_order_gives_the_site_one_build_gives(sample_project: Path, tmp_path: Path, draft: bool):
    _second_release(sample_project)
    _publish_french(sample_project)
    flags = ("--draft",) if draft else ()
    together = _twin(sample_project, tmp_path, "together")
    _build(together, *flags)
    expected = _site(together)
    # ja (source), en and fr publish; ar is not reviewed (a draft with --draft)
    assert f"fr/{RELEASE}.html" in expected and f"ar/{RELEASE}.html" not in expected
    assert (f"drafts/ar/{RELEASE}.html" in expected) is draft
    for order in ORDERS:
        project = _twin(sample_project, tmp_path, "-".join(order))
        for lang in order:
            _build(project, "--lang", lang, *flags)
        site = _site(project)
        # the manifest too: the same decisions, output keys and index keys, whatever the order
        differing = sorted(path for path in set(site) | set(expected) if site.get(path) != expected.get(path))
        assert not differing, f"order {order}: {differing}"
    # and the site is settled: building all or one of the languages again renders and writes nothing
    for languages in (None, ["ar"], ["ja"]):
        report = build(load_project(project), languages, draft=draft, jobs=1)
        assert report.rendered == 0 and _site(project) == expected, languages


def test_some_languages_one_at_a_time_give_what_building_them_together_gives(sample_project: Path, tmp_path: Path):
    """en, fr, ar (the source language never built) one at a time, in two orders, or together."""
    _second_release(sample_project)
    _publish_french(sample_project)
    together = _twin(sample_project, tmp_path, "together")
    _build(together, "--lang", "en", "--lang", "fr", "--lang", "ar")
    expected = _site(together)
    assert "ja/index.html" not in expected and f"en/{RELEASE}.html" in expected and f"fr/{RELEASE}.html" in expected
    for order in (("en", "fr", "ar"), ("ar", "fr", "en")):
        project = _twin(sample_project, tmp_path, "-".join(order))
        for lang in order:
            _build(project, "--lang", lang)
        assert _site(project) == expected, order


def test_a_language_published_later_is_linked_from_the_pages_built_before(sample_project: Path):
    _build(sample_project, "--lang", "en")
    english = sample_project / f"outputs/en/{RELEASE}.html"
    assert {link.attrs["hreflang"] for link in hreflang_links(parse(english.read_text(encoding="utf-8")))} == {"en", "x-default"}
    _build(sample_project, "--lang", "ja")  # English is not asked for: its page is brought up to date all the same
    for lang in ("en", "ja"):
        doc = parse((sample_project / f"outputs/{lang}/{RELEASE}.html").read_text(encoding="utf-8"))
        assert {link.attrs["hreflang"]: link.attrs["href"] for link in hreflang_links(doc)} == {
            "ja": f"{BASE}ja/{RELEASE}.html",
            "en": f"{BASE}en/{RELEASE}.html",
            "x-default": f"{BASE}ja/{RELEASE}.html",  # the source-language version
        }
    index = parse((sample_project / "outputs/en/index.html").read_text(encoding="utf-8"))
    assert {link.attrs["hreflang"] for link in hreflang_links(index)} == {"ja", "en", "x-default"}


def test_a_version_withdrawn_by_one_language_s_build_is_unlinked_everywhere(sample_project: Path, tmp_path: Path):
    """English stops being publishable; building English alone leaves what building everything leaves."""
    _build(sample_project)
    catalog = sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po"
    text = catalog.read_text(encoding="utf-8")
    first = text.index('msgid "', text.index("\n\n"))  # the first entry after the header
    catalog.write_text(text[:first] + "#, fuzzy\n" + text[first:], encoding="utf-8")
    alone, everything = _twin(sample_project, tmp_path, "alone"), _twin(sample_project, tmp_path, "everything")
    _build(alone, "--lang", "en")
    _build(everything)
    assert _site(alone) == _site(everything)
    japanese = parse((alone / f"outputs/ja/{RELEASE}.html").read_text(encoding="utf-8"))
    assert {link.attrs["hreflang"] for link in hreflang_links(japanese)} == {"ja", "x-default"}
    assert "English" not in (alone / "outputs/index.html").read_text(encoding="utf-8")
    # the last published English page stays on the site, as it was
    assert (alone / f"outputs/en/{RELEASE}.html").is_file()


def test_the_other_languages_are_judged_from_the_manifest_and_digests_without_reading_their_catalogs(sample_project: Path):
    """A build of English links Japanese (remembered, unchanged) and does not read the broken French catalog."""
    _build(sample_project, "--lang", "ja")
    _build(sample_project, "--lang", "fr", "--draft")
    french = sample_project / f"locale/fr/LC_MESSAGES/{RELEASE}.po"
    french.write_text(french.read_text(encoding="utf-8") + '\nmsgid "broken\n', encoding="utf-8")
    _build(sample_project, "--lang", "en")
    doc = parse((sample_project / f"outputs/ja/{RELEASE}.html").read_text(encoding="utf-8"))
    assert {link.attrs["hreflang"] for link in hreflang_links(doc)} == {"ja", "en", "x-default"}
    manifest = json.loads((sample_project / "outputs/.transpub-manifest.json").read_text(encoding="utf-8"))
    assert manifest["releases"][RELEASE]["pairs"]["fr"]["publishable"] is False  # remembered, not decided again
