"""One Word language tagging for both DOCX writers: a review document marks each language's text exactly
as the published DOCX in that language does (w:lang slots, East Asian font, rtl runs), read from the XML
of both files."""

from __future__ import annotations

import shutil
import zipfile
from io import BytesIO

import pytest
from conftest import REPO, run_cli
from docx.oxml.ns import qn
from lxml import etree

from transpub.catalogs.pofile import read_catalog, write_catalog
from transpub.config import load_project
from transpub.localize.names import read_names
from transpub.localize.release import LocalizedRelease, catalog_for
from transpub.render.docx import render_release_docx
from transpub.render.docx_base import word_language
from transpub.render.review_docx import export_review
from transpub.review.docformat import SOURCE, TRANSLATION
from transpub.source.reader import read_releases

LANGS = ("ja", "zh_Hans", "ko", "ar", "fr", "en")
ADDED = ("zh_Hans", "ko")  # target languages the sample project does not have
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The sample project with Chinese and Korean added, every segment of their catalogs filled in."""
    root = tmp_path_factory.mktemp("languages") / "sample"
    root.mkdir()
    shutil.copy(REPO / "transpub.toml", root / "transpub.toml")
    shutil.copytree(REPO / "sources", root / "sources")
    shutil.copytree(REPO / "locale", root / "locale")
    config = root / "transpub.toml"
    text = config.read_text(encoding="utf-8")
    assert '"en", "fr", "ar"]' in text
    config.write_text(text.replace('"en", "fr", "ar"]', '"en", "fr", "ar", ' + ", ".join(f'"{lang}"' for lang in ADDED) + "]"),
                      encoding="utf-8")  # fmt: skip
    result = run_cli(root, "update", "--lang", ",".join(ADDED))
    assert result.exit_code == 0, result.stderr
    for path in (root / "locale").glob("*/LC_MESSAGES/*.po"):
        if path.parts[-3] in ADDED:
            po = read_catalog(path)
            for entry in po:
                if entry.msgid and not entry.obsolete:
                    entry.msgstr = entry.msgid  # the tags depend on the language, not on the words
                    entry.flags.append("fuzzy")
            write_catalog(path, po)
    return load_project(root)


def document_xml(data: bytes) -> tuple[etree._Element, etree._Element]:
    """word/document.xml and word/styles.xml of a DOCX package, parsed."""
    with zipfile.ZipFile(BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml")), etree.fromstring(package.read("word/styles.xml"))


def text_runs(paragraph) -> list:
    return paragraph.xpath("./w:r[w:t] | ./w:hyperlink/w:r[w:t]", namespaces=NS)


def review_runs(project, lang: str) -> tuple[list, etree._Element]:
    """The runs of ``lang`` text in a review document: the Translation column of the document for
    ``lang``, or, for the source language, the Source column (its first paragraph: the text itself)."""
    column = SOURCE if lang == project.source_lang else TRANSLATION
    target = "fr" if lang == project.source_lang else lang
    document, styles = document_xml(export_review(project, target))
    table = document.find(f"{qn('w:body')}/{qn('w:tbl')}")
    runs = []
    for row in table.findall(qn("w:tr"))[1:]:
        cell = row.findall(qn("w:tc"))[column]
        runs += text_runs(cell.find(qn("w:p")))
    return runs, styles


def published_runs(project, lang: str) -> tuple[list, etree._Element]:
    """The runs of the release title in the published DOCX for ``lang`` (a draft where not reviewed)."""
    release = read_releases(project, None)[0]
    catalog = catalog_for(project, release, lang)
    loc = LocalizedRelease(project, release, lang, catalog=catalog, names=read_names(project, lang),
                           draft=lang != project.source_lang)  # fmt: skip
    document, styles = document_xml(render_release_docx(loc, image_root=project.sources_dir))
    title = next(p for p in document.iter(qn("w:p")) if p.xpath("./w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Title"])
    return text_runs(title), styles


def lang_attributes(run) -> frozenset[tuple[str, str]]:
    element = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    return frozenset((key.split("}")[1], value) for key, value in element.attrib.items())


def east_asian_font(run, styles) -> str | None:
    """The East Asian font the run is set in: its own, or the document default's."""
    for fonts in (run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}"),
                  styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")):  # fmt: skip
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
    return None


def right_to_left(run) -> bool:
    return run.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None


@pytest.mark.parametrize("lang", LANGS)
def test_review_document_tags_a_language_as_the_published_docx_does(project, lang: str):
    review, review_styles = review_runs(project, lang)
    published, published_styles = published_runs(project, lang)
    assert review and published
    word = word_language(lang)
    expected = frozenset(word.lang_attrs.items())
    assert {lang_attributes(run) for run in review} == {lang_attributes(run) for run in published} == {expected}
    assert {east_asian_font(run, review_styles) for run in review} == \
           {east_asian_font(run, published_styles) for run in published} == {word.east_asian_font}  # fmt: skip
    assert {right_to_left(run) for run in review} == {right_to_left(run) for run in published} == {word.rtl}
