"""The Word output: styles, numbering, links, languages, properties and draft marks, read back with python-docx."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import cldr_says as says
import docx
import polib
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from transpub.config import load_project
from transpub.errors import SourceError
from transpub.localize.names import Names
from transpub.localize.release import LocalizedRelease
from transpub.localize.ui import UI_TEXT
from transpub.render import docx_base
from transpub.render.docx import render_release_docx
from transpub.render.docx_base import word_language
from transpub.source.reader import read_release

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "sources/2023-07-18-wipo-assemblies.md"
W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


# --- fixtures and helpers ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    project = load_project(REPO)
    return project, read_release(REPO / SAMPLE, project)


def make_catalog(release, translate: Callable[[str], str | None], fuzzy: Callable[[str], bool] = lambda s: False):
    """A catalog for ``release``: msgstr = translate(msgid) (None: left untranslated)."""
    po = polib.POFile()
    seen = set()
    for text in release.texts():
        if text.source in seen:
            continue
        seen.add(text.source)
        msgstr = translate(text.source)
        po.append(polib.POEntry(msgid=text.source, msgstr=msgstr or "", flags=["fuzzy"] if msgstr and fuzzy(text.source) else []))
    return po


def make_names(entries: dict[tuple[str, str], str]) -> Names:
    return Names({key: polib.POEntry(msgctxt=key[0], msgid=key[1], msgstr=value) for key, value in entries.items()})


EN_NAMES = {
    ("publisher", "特許庁"): "Japan Patent Office",
    ("org:WIPO", "世界知的所有権機関"): "World Intellectual Property Organization",
    ("org:WIPO:short", "WIPO"): "WIPO",
    ("org:JPO", "特許庁"): "Japan Patent Office",
    ("org:JPO:short", "特許庁"): "JPO",
    ("org:INTA", "国際商標協会"): "International Trademark Association",
    ("org:INTA:short", "INTA"): "INTA",
    ("org:EUIPO", "欧州連合知的財産庁"): "European Union Intellectual Property Office",
    ("org:EUIPO:short", "EUIPO"): "EUIPO",
    ("org:OAPI", "アフリカ知的財産機関"): "African Intellectual Property Organization",
    ("org:OAPI:short", "OAPI"): "OAPI",
}
AR_NAMES = {("publisher", "特許庁"): "مكتب اليابان للبراءات", ("org:WIPO:short", "WIPO"): "الويبو"}
EN_TITLE = "International Cooperation in Intellectual Property Moves Forward"
AR_TITLE = "تقدّم التعاون الدولي في مجال الملكية الفكرية"


def en_translation(source: str) -> str:
    """A stand-in translation that keeps every token and link of the source (what check enforces)."""
    if source == "知的財産分野における国際協力が前進しました":
        return EN_TITLE
    return f"In English: {source}"


def ar_translation(source: str) -> str:
    """Arabic words around the source's tokens (so the page is Arabic, with Arabic dates and names)."""
    if source == "知的財産分野における国際協力が前進しました":
        return AR_TITLE
    tokens = re.findall(r"\{[a-z]+:[^{}]*\}", source)
    return "هذه ترجمة عربية للنص الأصلي" + "".join(f"، {token}" for token in tokens) + "."


def render(project, release, lang, *, catalog=None, names=None, draft=False, image_root=None) -> bytes:
    loc = LocalizedRelease(project, release, lang, catalog=catalog, names=names, draft=draft)
    return render_release_docx(loc, image_root=image_root or project.sources_dir)


def reopen(data: bytes):
    return docx.Document(BytesIO(data))


def styled(document, style: str) -> list:
    return [p for p in document.paragraphs if p.style.name == style]


def body_xpath(document, path: str) -> list:
    return document.element.body.xpath(path)


def lang_of(element) -> dict[str, str]:
    return {key.split("}")[1]: value for key, value in element.attrib.items()}


@pytest.fixture(scope="module")
def ja_doc(sample):
    project, release = sample
    return reopen(render(project, release, "ja"))


@pytest.fixture(scope="module")
def en_doc(sample):
    project, release = sample
    return reopen(render(project, release, "en", catalog=make_catalog(release, en_translation), names=make_names(EN_NAMES)))


@pytest.fixture(scope="module")
def ar_doc(sample):
    project, release = sample
    return reopen(render(project, release, "ar", catalog=make_catalog(release, ar_translation), names=make_names(AR_NAMES)))


MINI_TOML = """
[project]
publisher = "Org"
source_lang = "en"
languages = ["ar"]
"""

MINI_SOURCE = """---
date: 2024-03-05
division: Press Office
related:
  - title: Our site
    url: https://example.org/
---

# A title

## A subtitle

Intro with a [link](https://example.org/a "Tip"), an [email](mailto:press@example.org), an [ftp link](ftp://example.org/f),
a [relative link](other.html) and `some code`.

## Section

1. First
2. Second
   - nested bullet
     1. deep number
3. Third

Paragraph between.

3. Again three
4. Four

| Name | Value |
|:-----|------:|
| a    | 1     |
| b    |       |

> A quote

    code block

---

### Sub-section
"""


def mini_project(root: Path, source: str):
    (root / "transpub.toml").write_text(MINI_TOML, encoding="utf-8")
    (root / "sources").mkdir()
    (root / "sources" / "x-1.md").write_text(source, encoding="utf-8")
    project = load_project(root)
    return project, read_release(root / "sources" / "x-1.md", project)


@pytest.fixture
def mini(tmp_path):
    return mini_project(tmp_path, MINI_SOURCE)


# --- structure and styles ------------------------------------------------------------------------------
def test_sample_uses_word_styles(ja_doc):
    assert [p.text for p in styled(ja_doc, "Title")] == ["知的財産分野における国際協力が前進しました"]
    assert [p.text for p in styled(ja_doc, "Subtitle")] == ["第64回WIPO加盟国総会の結果"]
    # the sample's body headings are ###: the highest body level becomes Heading 1
    headings = [p.text for p in styled(ja_doc, "Heading 1")]
    assert headings[:2] == ["1. 加盟国総会における一般演説", "2. 各国・地域の知的財産庁等との二国間会合"]
    assert headings[2:] == ["担当課", "関連リンク"]  # the end matter, labelled in the document's language
    assert len(styled(ja_doc, "List Bullet")) == 3 + 1  # three points of the statement, one related link
    assert [p.text for p in styled(ja_doc, "Caption")] == ["長官による一般演説(WIPO加盟国総会)", "WIPO加盟国総会の様子"]
    assert [p.text for p in styled(ja_doc, "Date")] == [says.long_date("2023-07-18", "ja"), "特許庁"]


def test_images_fit_the_page_and_carry_alt_text(ja_doc):
    section = ja_doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    shapes = ja_doc.inline_shapes
    assert len(shapes) == 2
    for shape in shapes:
        assert 0 < shape.width <= text_width
        assert abs(shape.height / shape.width - 450 / 800) < 0.01  # aspect ratio kept
    descriptions = [shape._inline.docPr.get("descr") for shape in shapes]
    assert descriptions[0] == "演壇に立つ話者と、会議場に並ぶ座席を描いたイラスト"
    # the picture stays on the page of its caption
    picture_paragraphs = [p for p in ja_doc.paragraphs if p._p.xpath(".//w:drawing")]
    assert all(p.paragraph_format.keep_with_next for p in picture_paragraphs)


def test_tables_lists_quotes_and_code(mini):
    project, release = mini
    document = reopen(render(project, release, "en"))
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [["Name", "Value"], ["a", "1"], ["b", ""]]
    header = table.rows[0]
    assert header._tr.xpath("./w:trPr/w:tblHeader")  # repeated at the top of every page
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert table.rows[1].cells[1].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert [p.text for p in styled(document, "List Number")] == ["First", "Second", "Third", "Again three", "Four"]
    assert [p.text for p in styled(document, "List Bullet 2")] == ["nested bullet"]
    assert [p.text for p in styled(document, "List Number 3")] == ["deep number"]
    assert [p.text for p in styled(document, "Quote")] == ["A quote"]
    assert [p.text for p in styled(document, "HTML Preformatted")] == ["code block"]
    assert [p.text for p in styled(document, "Heading 1")] == ["Section", "Division in Charge", "Related website"]
    assert [p.text for p in styled(document, "Heading 2")] == ["Sub-section"]
    code_runs = [r for p in document.paragraphs for r in p.runs if r.style.name == "HTML Code"]
    assert [r.text for r in code_runs] == ["some code"]


def test_every_ordered_list_restarts_at_its_own_start(mini):
    project, release = mini
    document = reopen(render(project, release, "en"))
    numbering = document.part.numbering_part.element

    def num_id(paragraph) -> int:
        return int(paragraph._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")[0])

    first_list = styled(document, "List Number")[:3]
    second_list = styled(document, "List Number")[3:]
    assert len({num_id(p) for p in first_list}) == 1
    assert len({num_id(p) for p in second_list}) == 1
    assert num_id(first_list[0]) != num_id(second_list[0])
    start = numbering.xpath(f'w:num[@w:numId="{num_id(second_list[0])}"]/w:lvlOverride/w:startOverride/@w:val')
    assert start == ["3"]
    # the new instance reuses the List Number definition, so the number looks like the style's
    style_num = numbering.num_having_numId(int(document.styles["List Number"].element.xpath("w:pPr/w:numPr/w:numId/@w:val")[0]))
    assert numbering.num_having_numId(num_id(second_list[0])).abstractNumId.val == style_num.abstractNumId.val


# --- hyperlinks ---------------------------------------------------------------------------------------
def hyperlinks(document) -> dict[str, str]:
    """Text -> URL of every w:hyperlink, checking each relationship is external."""
    found = {}
    for link in body_xpath(document, ".//w:hyperlink"):
        rel = document.part.rels[link.get(qn("r:id"))]
        assert rel.reltype == RT.HYPERLINK and rel.is_external
        found["".join(link.xpath(".//w:t/text()"))] = rel.target_ref
    return found


def test_hyperlinks_are_external_relationships(en_doc, mini):
    links = hyperlinks(en_doc)
    assert links["持続可能な開発目標(SDGs)"] == "https://sdgs.un.org/goals"
    assert links["In English: WIPO加盟国総会(WIPOウェブサイト)"] == "https://www.wipo.int/about-wipo/en/assemblies/"
    link_runs = body_xpath(en_doc, ".//w:hyperlink/w:r")
    assert link_runs and all(r.xpath("./w:rPr/w:rStyle/@w:val") == ["Hyperlink"] for r in link_runs)
    assert en_doc.styles["Hyperlink"].font.underline

    project, release = mini
    document = reopen(render(project, release, "en"))
    links = hyperlinks(document)
    assert links == {"link": "https://example.org/a", "email": "mailto:press@example.org", "Our site": "https://example.org/"}
    assert body_xpath(document, './/w:hyperlink[@w:tooltip="Tip"]')
    intro = next(p for p in document.paragraphs if p.text.startswith("Intro"))
    assert "ftp link" in intro.text and "relative link" in intro.text  # their text, not a link


# --- languages ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "tag", "east_asian", "rtl", "letter"),
    [
        ("en", "en-{en}", False, False, True),  # {x}: the region CLDR's likely subtags give x (US for en)
        ("ja", "ja-{ja}", True, False, False),
        ("ar", "ar-{ar}", False, True, False),
        ("fr", "fr-{fr}", False, False, False),
        ("zh_Hans", "zh-{zh}", True, False, False),  # Word writes Chinese without its script; zh is Hans
        ("zh_Hant", "zh-{zh_Hant}", True, False, False),
        ("ko", "ko-{ko}", True, False, False),
        ("he", "he-{he}", False, True, False),
        ("pt_BR", "pt-BR", False, False, False),  # a region asked for is kept
        ("en_GB", "en-GB", False, False, False),
        ("sr_Latn", "sr-Latn-{sr}", False, False, False),  # a script asked for is kept
    ],
)
def test_word_language_tags_come_from_cldr_likely_subtags(lang, tag, east_asian, rtl, letter):
    word = word_language(lang)
    tag = re.sub(r"\{(\w+)\}", lambda m: says.likely_region(m.group(1)), tag)
    assert (word.tag, word.east_asian, word.rtl, word.letter_paper) == (tag, east_asian, rtl, letter)


def doc_defaults(document):
    return document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))


def run_langs(document) -> list[dict[str, str]]:
    return [lang_of(e) for e in body_xpath(document, ".//w:r/w:rPr/w:lang")]


def test_english_document_language(en_doc):
    assert lang_of(doc_defaults(en_doc).find(qn("w:lang"))) == {"val": "en-US"}
    langs = run_langs(en_doc)
    assert langs and all(lang == {"val": "en-US"} for lang in langs)
    assert len(langs) == len(body_xpath(en_doc, ".//w:r[w:t]"))  # every text run says it
    assert en_doc.sections[0].page_width == docx.shared.Inches(8.5)  # US Letter for en-US


def test_japanese_document_language_and_font(ja_doc):
    defaults = doc_defaults(ja_doc)
    assert lang_of(defaults.find(qn("w:lang"))) == {"val": "ja-JP", "eastAsia": "ja-JP"}
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Yu Gothic"
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override it
    assert not ja_doc.styles.element.xpath(".//w:rFonts[@w:eastAsiaTheme]")
    assert all(lang == {"val": "ja-JP", "eastAsia": "ja-JP"} for lang in run_langs(ja_doc))
    assert ja_doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "ja-JP"
    assert "Yu Gothic" in ja_doc.part.part_related_by(RT.FONT_TABLE).blob.decode()
    assert abs(ja_doc.sections[0].page_width - docx.shared.Mm(210)) < docx.shared.Mm(1)  # A4


def test_arabic_document_is_right_to_left(ar_doc):
    defaults = doc_defaults(ar_doc)
    assert lang_of(defaults.find(qn("w:lang"))) == {"val": "ar-EG", "bidi": "ar-EG"}
    assert defaults.find(qn("w:rFonts")).get(qn("w:cs")) == "Arial"
    title = styled(ar_doc, "Title")[0]
    assert title.text == AR_TITLE
    text_paragraphs = [p for p in ar_doc.paragraphs if p.text and not p._p.xpath(".//w:drawing")]
    assert all(p._p.xpath("./w:pPr/w:bidi") for p in text_paragraphs)
    text_runs = body_xpath(ar_doc, ".//w:r[w:t]")
    assert all(r.xpath("./w:rPr/w:rtl") for r in text_runs)
    assert all(lang_of(r.xpath("./w:rPr/w:lang")[0]) == {"val": "ar-EG", "bidi": "ar-EG"} for r in text_runs)
    # LibreOffice draws jc=right on the left in a bidi paragraph: never used in a right-to-left document
    assert not body_xpath(ar_doc, './/w:jc[@w:val="right" or @w:val="left"]')
    assert ar_doc.sections[0]._sectPr.xpath("./w:bidi")
    assert not ar_doc.styles["Subtitle"].font.italic  # no slanted Arabic


def test_properties_are_in_schema_order(ar_doc, mini):
    """Word refuses a file whose property elements are out of order: check every one we write."""
    project, release = mini
    catalog = make_catalog(release, ar_translation, fuzzy=lambda s: s.startswith("S"))
    documents = [ar_doc, reopen(render(project, release, "en")), reopen(render(project, release, "ar", catalog=catalog, draft=True))]
    for document in documents:
        xml_parts = [part for part in document.part.package.iter_parts() if hasattr(part, "element")]
        assert {str(part.partname) for part in xml_parts} >= {"/word/document.xml", "/word/footer1.xml"}
        for part in xml_parts:
            for name, order in docx_base.ox.ORDERS.items():
                for element in part.element.iter(qn(f"w:{name}")):
                    tags = [child.tag.split("}")[1] for child in element]
                    assert tags == sorted(tags, key=order.index), tags
        defaults = doc_defaults(document)
        tags = [child.tag.split("}")[1] for child in defaults]
        assert tags == sorted(tags, key=docx_base.ox.RPR_ORDER.index)


# --- document properties ----------------------------------------------------------------------------
def test_core_properties(en_doc, sample):
    props = en_doc.core_properties
    assert props.title == EN_TITLE
    assert props.language == "en"
    assert props.author == "Japan Patent Office"
    assert props.last_modified_by == "Japan Patent Office"
    assert props.created == props.modified == dt.datetime(2023, 7, 18, tzinfo=dt.timezone.utc)
    assert props.revision == 1
    assert props.identifier == "2023-07-18-wipo-assemblies"
    assert (props.comments, props.keywords) == ("", "")


def test_no_template_leftovers(sample):
    project, release = sample
    data = render(project, release, "ja")
    with zipfile.ZipFile(BytesIO(data)) as package:
        names = package.namelist()
        assert "docProps/thumbnail.jpeg" not in names
        assert "word/stylesWithEffects.xml" not in names
        for name in names:
            if name.endswith((".xml", ".rels")):
                text = package.read(name).decode("utf-8")
                assert "python-docx" not in text and "Macintosh" not in text, name
        settings = package.read("word/settings.xml").decode()
        assert "proofState" not in settings  # "already proofed" would stop Word's spell-checker


def test_output_is_reproducible(sample):
    project, release = sample
    first, second = render(project, release, "ja"), render(project, release, "ja")
    assert first == second
    with zipfile.ZipFile(BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(2023, 7, 18, 0, 0, 0)}


def test_documents_of_a_language_do_not_change_what_the_next_one_starts_from(sample):
    """Each document is a copy of a document prepared once per language: rendering one (with its lists,
    links, table and comments) leaves nothing behind in the next."""
    project, release = sample
    from transpub.render import docx as docx_module

    docx_module._language_document.cache_clear()
    first = render(project, release, "ar")
    render(project, release, "ar", draft=True)
    render(project, release, "ja")
    assert render(project, release, "ar") == first
    assert docx_module._language_document.cache_info().misses == 2  # ar and ja, once each


def test_template_is_prepared_once(sample):
    project, release = sample
    render(project, release, "ja")
    before = docx_base.template.cache_info()
    render(project, release, "ja")
    after = docx_base.template.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1


# --- drafts -----------------------------------------------------------------------------------------
def draft_catalog(release):
    """Title reviewed, the first paragraph left untranslated, everything else machine-translated."""
    first_paragraph = next(t.source for t in release.texts() if t.kind == "paragraph")

    def translate(source):
        return None if source == first_paragraph else ar_translation(source)

    return make_catalog(release, translate, fuzzy=lambda s: s != "知的財産分野における国際協力が前進しました"), first_paragraph


def highlights(document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in body_xpath(document, ".//w:r/w:rPr/w:highlight/@w:val"):
        counts[value] = counts.get(value, 0) + 1
    return counts


def test_draft_marks_unreviewed_segments(sample):
    project, release = sample
    catalog, untranslated = draft_catalog(release)
    document = reopen(render(project, release, "ar", catalog=catalog, names=make_names(AR_NAMES), draft=True))
    assert document.paragraphs[0].text == UI_TEXT["ar"]["draft_banner"]
    assert set(highlights(document)) == {"yellow", "cyan"}
    title_runs = styled(document, "Title")[0].runs
    assert title_runs and all(r.font.highlight_color is None for r in title_runs)  # reviewed: not marked

    # shown in the source language (its tokens rendered for the target: names and dates in Arabic)
    fallback = next(p for p in document.paragraphs if "の第64回加盟国総会が" in p.text)
    assert not fallback._p.xpath("./w:pPr/w:bidi")  # Japanese runs left to right
    for run in fallback._p.xpath(".//w:r[w:t]"):
        assert run.xpath("./w:rPr/w:highlight/@w:val") == ["cyan"]
        assert lang_of(run.xpath("./w:rPr/w:lang")[0]) == {"val": "ja-JP", "eastAsia": "ja-JP"}
        assert not run.xpath("./w:rPr/w:rtl")

    comments = list(document.comments)
    # one per unreviewed segment shown as text (alt text is a picture property; the breadcrumb is not shown)
    shown = [t for t in release.texts() if not t.kind.startswith(("image alt", "front matter: section"))]
    assert len(comments) == len(shown) - 1  # all but the reviewed title
    assert all(c.author == "transpub" and c.initials == "tp" for c in comments)
    texts = [c.text for c in comments]
    assert any(untranslated in text and UI_TEXT["ar"]["untranslated"] in text for text in texts)
    assert any("{country:KZ}" in text and UI_TEXT["ar"]["unreviewed"] in text for text in texts)
    anchors = body_xpath(document, ".//w:commentRangeStart")
    assert len(anchors) == len(comments)


def test_published_document_has_no_draft_marks(sample):
    project, release = sample
    catalog, _ = draft_catalog(release)
    data = render(project, release, "ar", catalog=catalog, names=make_names(AR_NAMES), draft=False)
    document = reopen(data)
    assert highlights(document) == {}
    assert not body_xpath(document, ".//w:commentRangeStart")
    assert "word/comments.xml" not in zipfile.ZipFile(BytesIO(data)).namelist()
    assert UI_TEXT["ar"]["draft_banner"] not in [p.text for p in document.paragraphs]


# --- hostile text and bad input ----------------------------------------------------------------------
HOSTILE = 'Bad <script>alert("x")</script> & \x01ctrl\x0b \u202eevil\u202c'


def test_hostile_text_stays_text(mini):
    project, release = mini
    hostile = HOSTILE

    def translate(source):
        return hostile if source == "A title" else f"{hostile} [a](javascript:alert(1)) {source}"

    catalog = make_catalog(release, translate)
    data = render(project, release, "ar", catalog=catalog, draft=True)
    document = reopen(data)
    title = styled(document, "Title")[0].text
    assert title == 'Bad <script>alert("x")</script> & ctrl \u202eevil\u202c'
    assert document.core_properties.title == title
    assert "\x01" not in document.element.xml and "\x0b" not in document.element.xml
    assert not [url for url in hyperlinks(document).values() if url.startswith("javascript")]
    with zipfile.ZipFile(BytesIO(data)) as package:
        assert b"<script>" not in package.read("word/document.xml")


def test_hostile_source_text_in_comments(tmp_path):
    source = MINI_SOURCE.replace("Paragraph between.", f"Source {HOSTILE} between.")
    project, release = mini_project(tmp_path, source)
    catalog = make_catalog(release, lambda s: "ترجمة", fuzzy=lambda s: True)
    document = reopen(render(project, release, "ar", catalog=catalog, draft=True))
    texts = [c.text for c in document.comments]
    assert any('Bad \\<script>alert("x")\\</script> & ctrl \u202eevil\u202c' in t for t in texts), texts


def test_missing_or_unreadable_image_is_a_source_error(sample, tmp_path):
    project, release = sample
    with pytest.raises(SourceError, match="statement.png.*not found"):
        render(project, release, "ja", image_root=tmp_path)
    (tmp_path / "images").mkdir()
    for name in ("statement.png", "assembly.png"):
        (tmp_path / "images" / name).write_bytes(b"not an image")
    with pytest.raises(SourceError, match="Word cannot show this format"):
        render(project, release, "ja", image_root=tmp_path)


def test_documents_leave_the_parts_they_share_with_their_template_unchanged(sample):
    """A release's document shares the prepared template's styles, settings and footer (UNCHANGED_PARTS)
    instead of copying them: rendering any document, a draft with comments included, must not change them,
    and the document made from the shared parts is the one made from copies."""
    from lxml import etree

    from transpub.render import docx as docx_render

    project, release = sample
    for lang, catalog in (("ar", make_catalog(release, ar_translation)), ("ja", None)):
        prepared, _width = docx_render._language_document(word_language(lang))
        parts = [part for part in prepared.part.package.iter_parts() if str(part.partname) in docx_render.UNCHANGED_PARTS]
        assert len(parts) == len(docx_render.UNCHANGED_PARTS)
        before = [etree.tostring(part._element) for part in parts]
        shared = render(project, release, lang, catalog=catalog, draft=True)
        assert [etree.tostring(part._element) for part in parts] == before
        with pytest.MonkeyPatch.context() as patch:  # every part a copy, as before the sharing
            patch.setattr(docx_render, "UNCHANGED_PARTS", frozenset())
            assert render(project, release, lang, catalog=catalog, draft=True) == shared
