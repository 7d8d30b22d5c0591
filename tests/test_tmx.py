"""Translation memories (TMX 1.4b): `tm export` writes the reviewed pairs, the reader takes back what transpub
and other tools write, and `pretranslate` uses [translate] memory before the engine, never with a wrong token."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import omegat_client
import polib
import pytest
from conftest import run_cli, tree_digest
from libretranslate_server import FakeLibreTranslate
from lxml import etree

import transpub.translate.tmx as tmx_module
from transpub.catalogs.pofile import read_catalog, write_catalog
from transpub.catalogs.states import State, entry_state
from transpub.config import load_project
from transpub.errors import FileError
from transpub.source.tokens import find_tokens
from transpub.translate.protect import (
    PlaceholderError,
    Tag,
    inline_pieces,
    pieces_numbered_like,
    placeholder_text,
    protect,
    restore,
    translation_fits,
)
from transpub.translate.tmx import export_tmx, language_match, parse_tmx, seg_markup

RELEASE = "2023-07-18-wipo-assemblies"
OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")


def _tags(pieces) -> list[tuple[str, int, str]]:
    return [(p.kind, p.number, p.original) for p in pieces if isinstance(p, Tag)]


# --- numbering a translation's tags like its source's ---------------------------------------------


def test_reordered_tokens_keep_the_numbers_of_their_source():
    source = inline_pieces(protect("{date:2023-07-06}、{org:WIPO}の総会が{country:CH}で開幕"))
    target = pieces_numbered_like(inline_pieces(protect("{org:WIPO} assemblies opened in {country:CH} on {date:2023-07-06}")), source)
    assert _tags(target) == [("x", 2, "{org:WIPO}"), ("x", 3, "{country:CH}"), ("x", 1, "{date:2023-07-06}")]


def test_repeated_identical_markup_is_numbered_in_order_of_occurrence_and_links_by_their_target():
    source = inline_pieces(protect("**第64回**の[総会](https://a.example/)と[会合](https://b.example/)、**重要**"))
    assert _tags(source)[0] == ("open", 1, "**") and _tags(source)[-1] == ("close", 4, "**")
    translated = "[Meetings](https://b.example/), **important**, [assembly](https://a.example/), **64th**"
    target = pieces_numbered_like(inline_pieces(protect(translated)), source)
    assert _tags(target) == [
        ("open", 3, "["), ("close", 3, "](https://b.example/)"),  # the link to b is the source's second link
        ("open", 1, "**"), ("close", 1, "**"),  # the first ** of the translation takes the source's first
        ("open", 2, "["), ("close", 2, "](https://a.example/)"),
        ("open", 4, "**"), ("close", 4, "**"),
    ]  # fmt: skip
    # the numbered pieces are a valid answer for the source: restore puts exactly the translation back
    assert restore(placeholder_text(target), protect("**第64回**の[総会](https://a.example/)と[会合](https://b.example/)、**重要**")) == translated


def test_a_grammatical_form_is_its_token_and_keeps_its_form():
    source = inline_pieces(protect("{org:WIPO}の加盟国総会"))
    target = pieces_numbered_like(inline_pieces(protect("Die Versammlungen {org:WIPO|gen}")), source)
    assert _tags(target) == [("x", 1, "{org:WIPO|gen}")]
    assert translation_fits("{org:WIPO}の加盟国総会", "Die Versammlungen {org:WIPO|gen}")


def test_a_tag_the_source_lacks_gets_a_new_number_or_is_refused_when_strict():
    source = inline_pieces(protect("{country:JP}の代表"))
    target = inline_pieces(protect("the delegate of {country:CH} and {country:JP}"))
    assert _tags(pieces_numbered_like(target, source)) == [("x", 2, "{country:CH}"), ("x", 1, "{country:JP}")]
    with pytest.raises(PlaceholderError):
        pieces_numbered_like(target, source, strict=True)
    assert not translation_fits("{country:JP}の代表", "the delegate of {country:CH}")
    assert not translation_fits("{country:JP}の代表", "the delegate")  # lost
    assert not translation_fits("**重要**", "important")  # markup lost
    assert translation_fits("**重要**と{country:JP}", "{country:JP} and **important**")


# --- export ---------------------------------------------------------------------------------------


def _export(project: Path, lang: str, name: str = "out.tmx") -> bytes:
    result = run_cli(project, "tm", "export", "--lang", lang, "-o", str(project.parent / name))
    assert result.exit_code == 0, result.stderr
    return (project.parent / name).read_bytes()


def _units(data: bytes) -> list[etree._Element]:
    return etree.fromstring(data).findall("body/tu")


def _reviewed(project: Path, lang: str, state: State = State.REVIEWED) -> dict[tuple[str | None, str], str]:
    """Every (msgctxt, msgid) -> msgstr of the language's catalogs in ``state``, read independently of the exporter."""
    found = {}
    for path in sorted((project / "locale" / lang / "LC_MESSAGES").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and entry.msgid and entry_state(entry) is state:
                found[entry.msgctxt, entry.msgid] = entry.msgstr
    return found


def _seg_text(tuv) -> str:
    return "".join(tuv.find("seg").itertext())


def test_export_writes_the_reviewed_pairs_with_tokens_as_ph_and_the_same_bytes_twice(sample_project: Path):
    data = _export(sample_project, "fr")
    assert data == _export(sample_project, "fr", "again.tmx")
    root = etree.fromstring(data)
    assert root.get("version") == "1.4"
    header = root.find("header")
    assert {k: header.get(k) for k in ("creationtool", "segtype", "o-tmf", "adminlang", "srclang", "datatype")} == {
        "creationtool": "transpub", "segtype": "sentence", "o-tmf": "PO", "adminlang": "en", "srclang": "ja", "datatype": "plaintext",
    }  # fmt: skip
    units = _units(data)
    reviewed = _reviewed(sample_project, "fr")
    machine = {key for key, _ in _reviewed(sample_project, "fr", State.MACHINE).items()}
    exported = {}
    for tu in units:
        context = tu.findtext("prop[@type='x-context']")
        source, target = tu.findall("tuv")
        assert (source.get("{http://www.w3.org/XML/1998/namespace}lang"), target.get("{http://www.w3.org/XML/1998/namespace}lang")) == ("ja", "fr")
        exported[context, _seg_text(source)] = _seg_text(target)
        # every token is a <ph> holding it, under the same number on both sides
        pairs = [{ph.text: ph.get("x") for ph in tuv.iter("ph")} for tuv in (source, target)]
        for token in re.findall(r"\{[a-z]+:[^{}]*\}", _seg_text(source)):
            assert token in pairs[0] and pairs[1].get(token) == pairs[0][token]
    assert exported == reviewed and machine and not machine & set(exported)
    assert len({tu.get("tuid") for tu in units}) == len(units)
    assert b"creationdate" not in data  # one-step review: no dates are known, and none are made up


def test_export_under_two_step_writes_only_approved_texts_with_reviewer_and_date(sample_project: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    config = sample_project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
    assert _units(_export(sample_project, "en")) == []  # translated is not approved
    assert run_cli(sample_project, "approve", "--lang", "en", "--by", "Marie Curie").exit_code == 0
    catalog = sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po"
    po = read_catalog(catalog)
    edited = next(e for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags)
    edited.msgstr += " (edited after approval)"
    write_catalog(catalog, po)
    units = _units(_export(sample_project, "en"))
    approved = {key: text for key, text in _reviewed(sample_project, "en").items() if key != (edited.msgctxt, edited.msgid)}
    assert {(tu.findtext("prop[@type='x-context']"), _seg_text(tu.findall("tuv")[0])) for tu in units} == set(approved)
    assert all((tu.get("creationdate"), tu.get("changeid")) == ("20231114T000000Z", "Marie Curie") for tu in units)
    releases = [tu.findtext("prop[@type='x-release']") for tu in units]
    assert RELEASE in releases and None in releases  # names.po's units carry their context, not a release


@pytest.mark.slow  # the DTD comes from an installed package, as the real clients do
def test_the_export_is_valid_against_the_tmx_14b_dtd(sample_project: Path):
    if not OMEGAT_JAR.is_file():
        pytest.skip("the TMX 1.4b DTD comes from Debian's OmegaT (/usr/share/omegat/OmegaT.jar), not installed")
    dtd = etree.DTD(io.BytesIO(zipfile.ZipFile(OMEGAT_JAR).read("schemas/tmx14.dtd")))
    for lang in ("en", "fr", "ar"):
        assert dtd.validate(etree.fromstring(_export(sample_project, lang))), dtd.error_log.filter_from_errors()
        omegat = export_tmx(load_project(sample_project), lang, omegat=True).data
        assert dtd.validate(etree.fromstring(omegat)), dtd.error_log.filter_from_errors()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_reading_an_exported_memory_back_gives_the_exact_markdown(sample_project: Path, lang: str):
    memory = parse_tmx(_export(sample_project, lang), "ja", lang, origin="x.tmx")
    assert {(u.context, u.source): u.target for u in memory.units} == _reviewed(sample_project, lang)
    assert any("**" in u.target for u in memory.units) or lang == "fr"


def test_markup_and_repeated_tokens_survive_export_and_read_back():
    source = "**{country:JP}** と **{country:JP}** の[会合](https://example.org/ \"a <title> & more\")\\\n次"
    target = "[Meetings](https://example.org/ \"a <title> & more\") of **{country:JP}** and **{country:JP}**\\\nnext"
    pieces = inline_pieces(protect(source))
    numbered = pieces_numbered_like(inline_pieces(protect(target)), pieces)
    document = (
        '<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="PO" '
        'adminlang="en" srclang="ja" datatype="plaintext"/><body><tu>'
        f'<tuv xml:lang="ja"><seg>{seg_markup(pieces)}</seg></tuv><tuv xml:lang="en"><seg>{seg_markup(numbered)}</seg></tuv>'
        "</tu></body></tmx>"
    )
    assert _tags(numbered) == [
        ("open", 5, "["), ("close", 5, '](https://example.org/ "a <title> & more")'),
        ("open", 1, "**"), ("x", 2, "{country:JP}"), ("close", 1, "**"),
        ("open", 3, "**"), ("x", 4, "{country:JP}"), ("close", 3, "**"), ("x", 6, "\\\n"),
    ]  # fmt: skip
    assert '<bpt i="1" x="1">**</bpt><ph x="2">{country:JP}</ph><ept i="1">**</ept>' in document
    assert '<ept i="5">](https://example.org/ "a &lt;title&gt; &amp; more")</ept>' in document
    (unit,) = parse_tmx(document.encode(), "ja", "en", origin="x.tmx").units
    assert (unit.source, unit.target) == (source, target)


# --- reading other tools' memories ---------------------------------------------------------------

FOREIGN = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="SomeCAT" creationtoolversion="9" segtype="sentence" o-tmf="xliff" adminlang="en-US" srclang="ja-JP" datatype="html"/>
  <body>
    <tu tuid="1">
      <tuv xml:lang="JA-jp"><seg><bpt i="1" x="1">&lt;b&gt;</bpt>重要<ept i="1">&lt;/b&gt;</ept>なお知らせ</seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Avis <bpt i="1">&lt;b&gt;</bpt>important<ept i="1">&lt;/b&gt;</ept></seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="ja-JP"><seg><it pos="begin" x="1">&lt;i&gt;</it>続き</seg></tuv>
      <tuv xml:lang="fr-CA"><seg>suite (Canada)</seg></tuv>
      <tuv xml:lang="fr-FR"><seg><it pos="begin" x="1">&lt;i&gt;</it>la <hi type="term">suite</hi></seg></tuv>
    </tu>
    <tu>
      <note>an image whose alt text is a sub-flow</note>
      <tuv xml:lang="ja-JP"><seg>図<ph x="1">&lt;img alt="<sub>猫</sub>"/&gt;</ph><ut>{\\b}</ut></seg></tuv>
      <tuv xml:lang="fr-FR"><seg>Figure<ph x="1">&lt;img alt="<sub>chat</sub>"/&gt;</ph><ut>{\\b}</ut></seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="ja-JP"><seg>ドイツ語だけ</seg></tuv>
      <tuv xml:lang="de-DE"><seg>nur Deutsch</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_a_foreign_memory_reads_as_native_text_with_languages_matched_by_primary_subtag():
    memory = parse_tmx(FOREIGN.encode(), "ja", "fr", origin="agency.tmx")
    assert [(u.source, u.target, u.context) for u in memory.units] == [
        ("<b>重要</b>なお知らせ", "Avis <b>important</b>", None),
        ("<i>続き", "suite (Canada)", None),  # fr-CA and fr-FR both fit fr: the first in the unit is taken
        ('図<img alt="猫"/>{\\b}', 'Figure<img alt="chat"/>{\\b}', None),
    ]
    assert memory.units[0].line == 6 and memory.languages == ("JA-jp", "de-DE", "fr-CA", "fr-FR", "ja-JP")
    france = parse_tmx(FOREIGN.encode(), "ja", "fr_FR", origin="agency.tmx")
    assert [u.target for u in france.units][1] == "<i>la suite"  # the same tag is better than a sibling


@pytest.mark.parametrize(
    "doctype",
    ['<!DOCTYPE tmx SYSTEM "tmx14.dtd">', "<!DOCTYPE tmx SYSTEM 'http://127.0.0.1:9/tmx14.dtd'>",
     '<!DOCTYPE tmx PUBLIC "-//LISA OSCAR:1998//DTD for Translation Memory eXchange//EN" "tmx14.dtd">'],
)  # fmt: skip
def test_an_external_doctype_is_accepted_and_never_loaded(doctype: str):
    document = FOREIGN.replace('<!DOCTYPE tmx SYSTEM "tmx14.dtd">', doctype)
    assert len(parse_tmx(document.encode(), "ja", "fr", origin="agency.tmx").units) == 3


def test_tmx_11_lang_attributes_and_utf16_are_read():
    old = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<tmx version="1.1"><header srclang="ja"/><body>'
        '<tu><tuv lang="JA"><seg>総会</seg></tuv><tuv lang="EN-GB"><seg>Assemblies</seg></tuv></tu></body></tmx>\n'
    )
    (unit,) = parse_tmx(old.encode("utf-16"), "ja", "en", origin="old.tmx").units
    assert (unit.source, unit.target) == ("総会", "Assemblies")


@pytest.mark.parametrize(
    ("tag", "lang", "fit"),
    [("fr", "fr", 2), ("FR_fr", "fr-FR", 2), ("fr-FR", "fr", 1), ("fr", "fr_CA", 1), ("fr-CA", "fr_FR", 0),
     ("zh-Hant", "zh_Hans", 0), ("zh", "zh_Hans", 1), ("en", "fr", 0), ("f", "fr", 0)],
)  # fmt: skip
def test_language_match(tag: str, lang: str, fit: int):
    assert language_match(tag, lang) == fit


# --- pretranslate with [translate] memory ----------------------------------------------------------

MEMORY_DE = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="agency" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="ja" datatype="plaintext"/>
  <body>
    <tu><tuv xml:lang="ja-JP"><seg>知的財産分野における国際協力が前進しました</seg></tuv>
        <tuv xml:lang="de-DE"><seg>Die internationale Zusammenarbeit im Bereich des geistigen Eigentums kommt voran</seg></tuv></tu>
    <tu><tuv xml:lang="ja-JP"><seg>第64回<ph x="1">{org:WIPO:short}</ph>加盟国総会の結果</seg></tuv>
        <tuv xml:lang="de-DE"><seg>Ergebnisse der 64. Versammlungen der Mitgliedstaaten der <ph x="1">{org:WIPO:short}</ph></seg></tuv></tu>
    <tu><tuv xml:lang="ja-JP"><seg>演壇に立つ話者と、会議場に並ぶ座席を描いた絵</seg></tuv>
        <tuv xml:lang="de-DE"><seg>Bild eines Redners am Pult vor den Sitzreihen des Saals</seg></tuv></tu>
    <tu><tuv xml:lang="ja-JP"><seg>知的財産分野において<ph x="1">{country:JP}</ph>が世界規模で進めている取組を紹介しました。</seg></tuv>
        <tuv xml:lang="de-DE"><seg>Er stellte die weltweiten Initiativen von <ph x="1">{country:CH}</ph> im Bereich des geistigen Eigentums vor.</seg></tuv></tu>
    <tu><tuv xml:lang="ja-JP"><seg>報道発表</seg></tuv>
        <tuv xml:lang="de-DE"><seg>Presse<hi type="x">mitteilung</hi></seg></tuv></tu>
  </body>
</tmx>
"""
WRONG_TOKEN = "知的財産分野において{country:JP}が世界規模で進めている取組を紹介しました。"
FROM_MEMORY = {
    "知的財産分野における国際協力が前進しました": "Die internationale Zusammenarbeit im Bereich des geistigen Eigentums kommt voran",
    "第64回{org:WIPO:short}加盟国総会の結果": "Ergebnisse der 64. Versammlungen der Mitgliedstaaten der {org:WIPO:short}",
    "報道発表": "Pressemitteilung",
}
SIMILAR = "演壇に立つ話者と、会議場に並ぶ座席を描いたイラスト"


def _with_german_and_memory(project: Path, url: str, memory: str | bytes = MEMORY_DE) -> Path:
    config = project / "transpub.toml"
    text = config.read_text(encoding="utf-8").replace('languages = ["en", "fr", "ar"]', 'languages = ["en", "fr", "ar", "de"]')
    text = re.sub(r'url = "[^"]*"', f'url = "{url}"', text).replace("timeout = 20", "timeout = 5\nretries = 0")
    config.write_text(text.replace("[translate]\n", '[translate]\nmemory = ["tm/agency.tmx"]\n'), encoding="utf-8")
    (project / "tm").mkdir()
    (project / "tm/agency.tmx").write_bytes(memory.encode("utf-8") if isinstance(memory, str) else memory)
    assert run_cli(project, "update").exit_code == 0
    return project


def test_pretranslate_fills_exact_and_similar_texts_from_the_memory_before_the_engine(sample_project: Path):
    with FakeLibreTranslate() as server:
        project = _with_german_and_memory(sample_project, server.url)
        result = run_cli(project, "pretranslate", "--lang", "de")
        assert result.exit_code == 0, result.stderr
        sent = set(server.texts_received())
    po = {e.msgid: e for e in read_catalog(project / f"locale/de/LC_MESSAGES/{RELEASE}.po")}
    for msgid, msgstr in FROM_MEMORY.items():
        assert po[msgid].msgstr == msgstr and "fuzzy" in po[msgid].flags
        assert po[msgid].tcomment.startswith("translation memory: tm/agency.tmx, ")
        assert protect(msgid).text not in sent
    similar = po[SIMILAR]
    assert similar.msgstr == "Bild eines Redners am Pult vor den Sitzreihen des Saals" and "fuzzy" in similar.flags
    assert re.match(r"translation memory \(similar text\): tm/agency\.tmx, [0-9-]+, \d\d % like '演壇に立つ話者と、会議場に並ぶ座席を描いた絵'", similar.tcomment)
    assert protect(SIMILAR).text not in sent
    # the memory's text with another token is not used: the engine translates it, with the source's token
    wrong = po[WRONG_TOKEN]
    assert "{country:CH}" not in wrong.msgstr and "{country:JP}" in wrong.msgstr and "machine translation" in wrong.tcomment
    assert protect(WRONG_TOKEN).text in sent
    assert "3 from external memories (3 exact, 0 similar)" not in result.stdout
    assert "4 from external memories (3 exact, 1 similar)" in result.stdout, result.stdout
    assert "0 from translation memory, 0 from similar texts in it (fuzzy)" in result.stdout
    assert "note: 1 memory match(es) not used" in result.stderr
    listing = run_cli(project, "status", "--release", RELEASE, "--lang", "de", "--entries")
    assert re.search(r"\[translation memory: tm/agency\.tmx, [0-9-]+, unedited\]  '知的財産分野における国際協力が前進しました'", listing.stdout)


def test_the_projects_own_reviewed_text_wins_over_an_external_memory(sample_project: Path):
    source = sample_project / "sources" / f"{RELEASE}.md"
    (sample_project / "sources/2023-08-01-follow-up.md").write_text(
        source.read_text(encoding="utf-8").replace("date: 2023-07-18", "date: 2023-08-01"), encoding="utf-8"
    )
    title = "知的財産分野における国際協力が前進しました"
    memory = MEMORY_DE.replace('"de-DE"', '"fr"').replace("Die internationale Zusammenarbeit", "Une autre traduction")
    with FakeLibreTranslate() as server:
        project = _with_german_and_memory(sample_project, server.url, memory)
        result = run_cli(project, "pretranslate", "--lang", "fr", "--release", "2023-08-01-follow-up")
        assert result.exit_code == 0, result.stderr
    reviewed = {e.msgid: e.msgstr for e in read_catalog(project / f"locale/fr/LC_MESSAGES/{RELEASE}.po")}
    copy = {e.msgid: e for e in read_catalog(project / "locale/fr/LC_MESSAGES/2023-08-01-follow-up.po")}
    assert copy[title].msgstr == reviewed[title] and copy[title].tcomment.startswith(f"translation memory: {RELEASE}, ")
    # a text the project has not reviewed (報道発表 is machine-translated in French) comes from the external one
    assert copy["報道発表"].msgstr == "Pressemitteilung" and copy["報道発表"].tcomment.startswith("translation memory: tm/agency.tmx, ")
    assert "1 from translation memory" not in result.stdout and re.search(r"[1-9]\d* from translation memory", result.stdout)


TMX_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
BAD_MEMORIES = {
    "not XML": (TMX_HEAD + '<tmx version="1.4">\n<body>\n<tu>\n</body>\n</tmx>\n', 5, "not well-formed XML"),
    "not TMX": (TMX_HEAD + '<xliff version="1.2">\n</xliff>\n', 2, "the root element is <xliff>, not <tmx>"),
    "TMX 2": (TMX_HEAD + '<tmx version="2.0"><body/></tmx>\n', 2, "not a TMX 1.1–1.4b file"),
    "no body": (TMX_HEAD + '<tmx version="1.4">\n<header/>\n</tmx>\n', 2, "no <body>"),
    "internal entity": (
        TMX_HEAD + '<!DOCTYPE tmx [\n<!ENTITY boom "boom boom">\n]>\n<tmx version="1.4"><body/></tmx>\n', 3, "declares entities"
    ),
    "internal subset": (TMX_HEAD + "\n<!DOCTYPE tmx [ <!ELEMENT tmx ANY> ]>\n<tmx/>\n", 3, "a DOCTYPE with an internal subset"),
    "external entity in UTF-16": (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE tmx [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]><tmx/>\n', 3, "declares entities",
    ),
    "no matching language": (
        TMX_HEAD + '<tmx version="1.4">\n<body><tu><tuv xml:lang="en"><seg>a</seg></tuv><tuv xml:lang="de"><seg>b</seg></tuv></tu></body></tmx>\n',
        2, "no translation unit in ja, the project's source language (languages in this memory: de, en)",
    ),
    "a tuv without a language": (
        TMX_HEAD + '<tmx version="1.4">\n<body><tu>\n<tuv><seg>a</seg></tuv></tu></body></tmx>\n', 4, "a <tuv> without xml:lang",
    ),
    "not UTF-8": (TMX_HEAD.encode() + b'<tmx version="1.4">\n<body>\xe9</body></tmx>\n', 3, "not valid UTF-8"),
    "unknown encoding": ('<?xml version="1.0" encoding="x-klingon"?>\n<tmx/>\n', 1, "unknown encoding 'x-klingon'"),
}  # fmt: skip


@pytest.mark.parametrize("name", BAD_MEMORIES, ids=list(BAD_MEMORIES))
def test_a_bad_memory_is_one_message_at_its_line_and_changes_nothing(sample_project: Path, name: str):
    content, line, message = BAD_MEMORIES[name]
    if isinstance(content, str):
        content = content.encode("utf-16" if 'encoding="UTF-16"' in content else "utf-8")
    with FakeLibreTranslate() as server:
        project = _with_german_and_memory(sample_project, server.url, content)
        before = tree_digest(project)
        result = run_cli(project, "pretranslate", "--lang", "de")
        assert server.request_count == 0
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"transpub: error: tm/agency.tmx:{line}: "), result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert tree_digest(project) == before


def test_an_oversized_memory_is_refused_before_it_is_read(sample_project: Path, monkeypatch):
    monkeypatch.setattr(tmx_module, "MAX_TMX_BYTES", 1024 * 1024)
    big = MEMORY_DE.replace("<body>", "<body>" + "<!-- padding -->" * 70_000)
    with FakeLibreTranslate() as server:
        project = _with_german_and_memory(sample_project, server.url, big)
        before = tree_digest(project)
        result = run_cli(project, "pretranslate", "--lang", "de")
        assert server.request_count == 0
    assert result.exit_code == 2 and "tm/agency.tmx" in result.stderr and "larger than 1 MB" in result.stderr
    assert tree_digest(project) == before


def test_a_missing_memory_or_one_outside_the_project_stops_at_its_setting(sample_project: Path, tmp_path: Path):
    with FakeLibreTranslate() as server:
        project = _with_german_and_memory(sample_project, server.url)
    line = next(n for n, text in enumerate((project / "transpub.toml").read_text().splitlines(), 1) if text.startswith("memory ="))
    (project / "tm/agency.tmx").unlink()
    before = tree_digest(project)
    result = run_cli(project, "pretranslate", "--lang", "de")
    assert result.exit_code == 2 and f"transpub.toml:{line}: [translate] memory: \"tm/agency.tmx\" does not exist" in result.stderr
    outside = tmp_path / "elsewhere.tmx"
    outside.write_text(MEMORY_DE, encoding="utf-8")
    (project / "tm/agency.tmx").symlink_to(outside)
    result = run_cli(project, "pretranslate", "--lang", "de")
    assert result.exit_code == 2 and f"transpub.toml:{line}: " in result.stderr and "leads outside the project" in result.stderr
    assert tree_digest(project) == {**before, "tm/agency.tmx": tree_digest(project)["tm/agency.tmx"]}


def test_read_errors_name_the_file():
    with pytest.raises(FileError) as caught:
        parse_tmx(b"<tmx", "ja", "fr", origin="tm/x.tmx")
    assert str(caught.value).startswith("tm/x.tmx:1: not a TMX file")


# --- a real client: Translate Toolkit ----------------------------------------------------------------


@pytest.mark.slow
def test_translate_toolkit_reads_every_unit_and_pretranslates_the_exact_texts(sample_project: Path, tmp_path: Path):
    """Translate Toolkit 3.20 has no tmx2po; its `pretranslate --tm` and `pocount` read TMX with its own parser."""
    tools = Path(sys.executable).parent
    if not (tools / "pretranslate").is_file():
        pytest.skip("Translate Toolkit (test extra) is not installed")
    memory = tmp_path / "en.tmx"
    memory.write_bytes(export_tmx(load_project(sample_project), "en").data)
    units = len(_units(memory.read_bytes()))
    count = subprocess.run([str(tools / "pocount"), "--csv", str(memory)], capture_output=True, text=True, check=True)
    assert count.stderr == "" and re.search(rf",{units},\d+,\d+,0,0,0,0,{units},", count.stdout), count.stdout
    template = sample_project / f"locale/templates/{RELEASE}.pot"
    out = tmp_path / "en.po"
    run = subprocess.run(
        [str(tools / "pretranslate"), "-i", str(template), "-t", str(template), "-o", str(out), "--tm", str(memory), "-s", "100"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr
    filled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(out)) if e.msgstr}
    reviewed = {key: text for key, text in _reviewed(sample_project, "en").items() if key in {(e.msgctxt, e.msgid) for e in polib.pofile(str(template))}}
    assert filled == reviewed and len(filled) > 10


# --- a real client: OmegaT (Debian's 3.6, console mode) ----------------------------------------------

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"


def _xliff_content(pieces) -> str:
    """An XLIFF 1.2 <source> as the coordinator's notes measured OmegaT reading it: <ph>/<bpt>/<ept>
    holding the native code, ids = transpub's placeholder numbers (the XLIFF writer lives elsewhere)."""
    element = {"x": "ph", "open": "bpt", "close": "ept"}
    return "".join(
        f'<{element[p.kind]} id="{p.number}">{tmx_module._text(p.original)}</{element[p.kind]}>' if isinstance(p, Tag)
        else tmx_module._text(p)
        for p in pieces
    )  # fmt: skip


def _omegat_fills(project: Path, tmp_path: Path, memory: bytes) -> dict[str, tuple[str, str]]:
    """Run OmegaT over one release's English units (targets pre-filled with the source, as OmegaT 3.x
    needs) with ``memory`` as the project memory; msgid -> (what OmegaT wrote, the reviewed msgstr)."""
    reviewed = _reviewed(project, "en")
    entries = [e for e in polib.pofile(str(project / f"locale/en/LC_MESSAGES/{RELEASE}.po")) if (e.msgctxt, e.msgid) in reviewed]
    units = "".join(
        f'<trans-unit id="u{n}"><source>{content}</source><target state="new">{content}</target></trans-unit>\n'
        for n, content in enumerate((_xliff_content(inline_pieces(protect(e.msgid))) for e in entries), 1)
    )
    (tmp_path / "r.xlf").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff version="1.2" xmlns="{XLIFF_NS}"><file original="r" '
        f'source-language="ja" target-language="en" datatype="plaintext"><body>\n{units}</body></file></xliff>\n',
        encoding="utf-8",
    )
    out = omegat_client.run_omegat(tmp_path, tmp_path / "r.xlf", source="ja", target="en", memory=memory)
    written = etree.parse(str(out)).iterfind(f".//{{{XLIFF_NS}}}trans-unit")
    targets = {unit.get("id"): "".join(unit.find(f"{{{XLIFF_NS}}}target").itertext()) for unit in written}
    return {e.msgid: (targets[f"u{n}"], e.msgstr) for n, e in enumerate(entries, 1)}


@pytest.mark.slow
def test_omegat_fills_transpubs_xliff_from_the_omegat_flavoured_memory_with_every_token_right(sample_project: Path, tmp_path: Path):
    if shutil.which("omegat") is None:
        pytest.skip("OmegaT (Debian package omegat) is not installed")
    result = run_cli(sample_project, "tm", "export", "--lang", "en", "--omegat", "-o", str(tmp_path / "omegat.tmx"))
    assert result.exit_code == 0, result.stderr
    assert b'creationtool="OmegaT"' in (tmp_path / "omegat.tmx").read_bytes()
    fills = _omegat_fills(sample_project, tmp_path, (tmp_path / "omegat.tmx").read_bytes())
    assert len(fills) > 10 and all(written == wanted for written, wanted in fills.values()), [
        (written, wanted) for written, wanted in fills.values() if written != wanted
    ]
    assert any(list(find_tokens(msgid)) != list(find_tokens(wanted)) for msgid, (_w, wanted) in fills.items())  # moved tokens


@pytest.mark.slow
def test_omegat_reads_the_standard_memory_but_misplaces_moved_tokens(sample_project: Path, tmp_path: Path):
    """Why --omegat exists: with <ph> elements OmegaT 3.6 matches every unit, but numbers a target's <ph>
    by position, so a unit whose translation moved a token comes back wrong."""
    if shutil.which("omegat") is None:
        pytest.skip("OmegaT (Debian package omegat) is not installed")
    fills = _omegat_fills(sample_project, tmp_path, _export(sample_project, "en"))
    for msgid, (written, wanted) in fills.items():
        source = inline_pieces(protect(msgid))
        numbers = [t.number for t in pieces_numbered_like(inline_pieces(protect(wanted)), source) if isinstance(t, Tag) and t.kind != "close"]
        if numbers == sorted(numbers):  # every tag where the source has it: matched and right
            assert written == wanted
    assert any(written != wanted for written, wanted in fills.values())


# --- memories OmegaT writes (its tag shortcuts as text) ---------------------------------------------


def test_omegat_shortcuts_become_the_sources_markdown_and_a_wrong_one_is_refused():
    from transpub.translate.tmx import from_omegat, omegat_text

    msgid = "{date:2023-07-06}、**重要な**{org:WIPO}の[総会](https://a.example/)"
    assert omegat_text(msgid) == "<d0/>、<f1>重要な</f1><o2/>の<f3>総会</f3>"
    moved = "The <f3>assemblies</f3> of <o2/>, <f1>important</f1>, on <d0/>"
    assert from_omegat(moved, msgid) == "The [assemblies](https://a.example/) of {org:WIPO}, **important**, on {date:2023-07-06}"
    for wrong in (
        "The <f3>x</f3> of <c2/>, <f1>y</f1>, on <d0/>",  # another letter: another kind of token
        "The <f3>x</f3> of <o2/>, <f1>y</f1>, on <d0/> <d0/>",  # repeated
        "The <f3>x</f3> of <o2/>, y, on <d0/>",  # emphasis lost
        "The <f3>x</f3> of <o2/>, <f1>y</f1>, on <d0/> <o5/>",  # invented
        "The <f3>x</f3> of <f2/>, <f1>y</f1>, on <d0/>",  # a pair's number as a standalone tag
    ):
        with pytest.raises(PlaceholderError):
            from_omegat(wrong, msgid)


def test_an_omegat_flavoured_memory_fills_every_exact_text_with_its_markdown(sample_project: Path):
    """transpub's own --omegat export, read back as an external memory: every text, tokens moved or not."""
    memory = export_tmx(load_project(sample_project), "en", omegat=True).data.replace(b'xml:lang="en"', b'xml:lang="de"')
    with FakeLibreTranslate() as server:
        project = _with_german_and_memory(sample_project, server.url, memory)
        result = run_cli(project, "pretranslate", "--lang", "de", "--release", RELEASE)
        assert result.exit_code == 0, result.stderr
    english = {key: text for key, text in _reviewed(project, "en").items() if key[0] is None}
    german = {(e.msgctxt, e.msgid): e for e in read_catalog(project / f"locale/de/LC_MESSAGES/{RELEASE}.po")}
    filled = {key: english[key] for key in english if key in german}
    assert len(filled) > 10
    for key, text in filled.items():
        assert german[key].msgstr == text and german[key].tcomment.startswith("translation memory: tm/agency.tmx, ")
    assert f"{len(filled)} exact" in result.stdout
