"""How the site is found: Atom feeds, the sitemap, descriptions, Open Graph, the Word document's link, and
what happens without a base_url. Feeds and sitemap are parsed and checked against what RFC 4287 and the
sitemaps.org protocol require (the sitemap also against a RELAX NG schema of the protocol written here)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import cldr_says as says
from conftest import run_cli
from lxml import etree
from test_html import hreflang_links, parse

from transpub.build import build
from transpub.config import load_project

RELEASE = "2023-07-18-wipo-assemblies"
BASE = "https://www.example.go.jp/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
W3C_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The sitemaps.org 0.9 protocol as a RELAX NG schema: urlset of url (loc, lastmod?, changefreq?, priority?),
# with xhtml:link alternates (Google's extension) after them.
SITEMAP_SCHEMA = """\
<grammar xmlns="http://relaxng.org/ns/structure/1.0" datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes"
         ns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <start>
    <element name="urlset">
      <oneOrMore>
        <element name="url">
          <element name="loc"><data type="anyURI"><param name="maxLength">2048</param></data></element>
          <optional><element name="lastmod"><data type="date"/></element></optional>
          <optional><element name="changefreq"><data type="string"/></element></optional>
          <optional><element name="priority"><data type="decimal"/></element></optional>
          <zeroOrMore>
            <element name="link" ns="http://www.w3.org/1999/xhtml">
              <attribute name="rel"><value>alternate</value></attribute>
              <attribute name="hreflang"><data type="string"><param name="pattern">x-default|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*</param></data></attribute>
              <attribute name="href"><data type="anyURI"/></attribute>
            </element>
          </zeroOrMore>
        </element>
      </oneOrMore>
    </element>
  </start>
</grammar>
"""


def _more_releases(project: Path) -> None:
    """Two more releases with the reviewed English text, and one (no subtitle) only in Japanese."""
    source = (project / "sources" / f"{RELEASE}.md").read_text(encoding="utf-8")
    for day in ("2023-08-01", "2023-06-12"):
        (project / "sources" / f"{day}-follow-up.md").write_text(source.replace("date: 2023-07-18", f"date: {day}"), encoding="utf-8")
    (project / "sources" / "2023-05-02-short.md").write_text(
        "---\ndate: 2023-05-02\n---\n\n# 短いお知らせ\n\n{date:2023-07-06}に{country:CH}で**会合**を[開きました](https://example.org/)。\n\n次の段落です。\n",
        encoding="utf-8",
    )
    assert run_cli(project, "update").exit_code == 0
    for day in ("2023-08-01", "2023-06-12"):
        (project / f"locale/en/LC_MESSAGES/{day}-follow-up.po").write_bytes((project / f"locale/en/LC_MESSAGES/{RELEASE}.po").read_bytes())
    assert run_cli(project, "update").exit_code == 0


def _built(sample_project: Path) -> Path:
    _more_releases(sample_project)
    result = run_cli(sample_project, "build", "-j", "1", "--draft")
    assert result.exit_code == 0, result.stderr
    return sample_project / "outputs"


def _page(outputs: Path, relative: str):
    return parse((outputs / relative).read_text(encoding="utf-8"))


def test_each_language_has_a_valid_atom_feed_newest_first(sample_project: Path):
    outputs = _built(sample_project)
    for lang, count in (("ja", 4), ("en", 3)):
        root = ET.parse(outputs / lang / "feed.atom").getroot()
        assert root.tag == f"{ATOM}feed" and root.get(XML_LANG) == lang
        # RFC 4287 4.1.1: exactly one id, title and updated; an author (here on the feed); a self link
        for name in ("id", "title", "updated"):
            assert len(root.findall(f"{ATOM}{name}")) == 1, name
        assert root.find(f"{ATOM}author/{ATOM}name").text
        assert root.find(f"{ATOM}id").text == f"{BASE}{lang}/feed.atom"
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert links == {"self": f"{BASE}{lang}/feed.atom", "alternate": f"{BASE}{lang}/index.html"}
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == count
        updated = []
        for entry in entries:
            # 4.1.2: one id (an absolute IRI), one title, one updated; without content, a rel=alternate link
            for name in ("id", "title", "updated"):
                assert len(entry.findall(f"{ATOM}{name}")) == 1, name
            assert entry.find(f"{ATOM}id").text.startswith(BASE)
            assert RFC3339.fullmatch(entry.find(f"{ATOM}updated").text)
            alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
            assert len(alternate) == 1 and alternate[0].get("href") == entry.find(f"{ATOM}id").text
            assert (outputs / alternate[0].get("href").removeprefix(BASE)).is_file()
            updated.append(entry.find(f"{ATOM}updated").text)
        assert updated == sorted(updated, reverse=True)  # newest first
        assert root.find(f"{ATOM}updated").text == updated[0]  # the newest entry's date, not the clock
    english = ET.parse(outputs / "en" / "feed.atom").getroot()
    assert [e.find(f"{ATOM}id").text.rsplit("/", 1)[1] for e in english.findall(f"{ATOM}entry")] == [
        "2023-08-01-follow-up.html", f"{RELEASE}.html", "2023-06-12-follow-up.html"
    ]
    assert english.find(f"{ATOM}entry/{ATOM}title").text == "International Cooperation in Intellectual Property Moves Forward"
    assert not (outputs / "fr" / "feed.atom").exists() and not (outputs / "drafts" / "fr" / "feed.atom").exists()
    index = _page(outputs, "en/index.html")
    feed = index.find("link", rel="alternate", type="application/atom+xml")
    assert feed.attrs["href"] == "feed.atom"


def test_the_sitemap_lists_every_published_page_with_reciprocal_alternates(sample_project: Path):
    outputs = _built(sample_project)
    text = (outputs / "sitemap.xml").read_bytes()
    schema = etree.RelaxNG(etree.fromstring(SITEMAP_SCHEMA.encode()))
    assert schema.validate(etree.fromstring(text)), schema.error_log
    root = ET.fromstring(text)
    sets = {}
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        assert loc.startswith(BASE) and (outputs / loc.removeprefix(BASE)).is_file()
        lastmod = url.find(f"{SITEMAP}lastmod")
        assert lastmod is None or W3C_DATE.fullmatch(lastmod.text)
        sets[loc] = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
    published = {f"{BASE}{p.relative_to(outputs).as_posix()}" for p in outputs.glob("*/*.html") if p.parent.name != "drafts"}
    assert set(sets) == published | {f"{BASE}index.html"}  # drafts are not listed
    for loc, alternates in sets.items():
        assert loc in alternates.values() and "x-default" in alternates  # itself, and an x-default
        for tag, href in alternates.items():
            if tag != "x-default":
                assert sets[href] == alternates  # reciprocal: every version lists the same set
    assert sets[f"{BASE}en/{RELEASE}.html"] == {
        "ja": f"{BASE}ja/{RELEASE}.html",
        "en": f"{BASE}en/{RELEASE}.html",
        "x-default": f"{BASE}ja/{RELEASE}.html",
    }
    assert sets[f"{BASE}ja/2023-05-02-short.html"] == {"ja": f"{BASE}ja/2023-05-02-short.html", "x-default": f"{BASE}ja/2023-05-02-short.html"}
    # and the pages say what the sitemap says
    doc = _page(outputs, f"en/{RELEASE}.html")
    assert {link.attrs["hreflang"]: link.attrs["href"] for link in hreflang_links(doc)} == sets[f"{BASE}en/{RELEASE}.html"]


def test_pages_have_a_description_open_graph_and_a_link_to_their_word_document(sample_project: Path):
    outputs = _built(sample_project)
    doc = _page(outputs, f"en/{RELEASE}.html")
    subtitle = " ".join(doc.find("p", cls="subtitle").text.split())
    assert doc.find("meta", name="description").attrs["content"] == subtitle
    meta = {m.attrs["property"]: m.attrs["content"] for m in doc.find_all("meta") if m.attrs.get("property", "").startswith("og:") and m.attrs["property"] != "og:locale:alternate"}
    assert meta == {
        "og:type": "article",
        "og:title": doc.find("h1").text,
        "og:description": subtitle,
        "og:url": f"{BASE}en/{RELEASE}.html",
        "og:locale": f"en_{says.likely_region('en')}",
    }
    assert [m.attrs["content"] for m in doc.find_all("meta", property="og:locale:alternate")] == [f"ja_{says.likely_region('ja')}"]
    word = doc.find("p", cls="download").find("a")
    assert word.attrs["href"] == f"{RELEASE}.docx" and (outputs / "en" / word.attrs["href"]).is_file()

    # no subtitle: the first paragraph, as plain text with its tokens rendered
    short = _page(outputs, "ja/2023-05-02-short.html")
    assert short.find("meta", name="description").attrs["content"] == f"{says.long_date('2023-07-06', 'ja')}に{says.country('CH', 'ja')}で会合を開きました。"
    assert not short.find_all("meta", property="og:locale:alternate")  # published in Japanese only


def test_without_the_word_documents_a_page_does_not_link_one(sample_project: Path):
    assert run_cli(sample_project, "build", "--format", "html").exit_code == 0
    assert not _page(sample_project / "outputs", f"en/{RELEASE}.html").find_all("p", cls="download")


def test_the_drafts_index_is_marked_like_the_drafts(sample_project: Path):
    outputs = _built(sample_project)
    drafts = _page(outputs, "drafts/fr/index.html")
    assert drafts.find("meta", name="robots").attrs["content"] == "noindex"
    assert drafts.find("div", cls="draft-banner").text.strip() == "Traduction automatique — non relue"
    assert not drafts.find_all("link", rel="canonical")
    published = _page(outputs, "en/index.html")
    assert not published.find_all("meta", name="robots") and not published.find_all("div", cls="draft-banner")


def test_without_base_url_no_feed_or_sitemap_and_the_report_says_why(sample_project: Path):
    outputs = sample_project / "outputs"
    build(load_project(sample_project), jobs=1)
    assert (outputs / "sitemap.xml").is_file() and (outputs / "en/feed.atom").is_file()
    config = sample_project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('base_url = "https://www.example.go.jp/news/"\n', ""), encoding="utf-8")
    report = build(load_project(sample_project), jobs=1)
    # those written with the old address are gone (every URL in them named it), and the manifest forgets them
    assert not list(outputs.rglob("*.atom")) and not (outputs / "sitemap.xml").exists()
    assert "sitemap.xml" not in (outputs / ".transpub-manifest.json").read_text(encoding="utf-8")
    assert any("base_url" in note and "sitemap.xml" in note for note in report.notes)
    again = build(load_project(sample_project), jobs=1)
    assert again.rendered == 0 and not list(outputs.rglob("*.atom"))
    doc = _page(outputs, f"en/{RELEASE}.html")
    assert not hreflang_links(doc) and not doc.find_all("link", type="application/atom+xml")
    assert doc.find("meta", name="description")  # what needs no address stays


def test_the_command_line_prints_the_builds_notes(sample_project: Path):
    from conftest import run_cli

    config = sample_project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('base_url = "https://www.example.go.jp/news/"\n', ""), encoding="utf-8")
    result = run_cli(sample_project, "build", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert any(line.startswith("note: ") and "base_url" in line for line in result.stderr.splitlines())
