"""Hostile input, end to end: what a translator, a machine-translation engine or a source file can smuggle in.

Translations are injected into the PO files of a copy of the sample project and published with
``transpub build``, the way a hostile or careless translator would get them there; the HTML is then read
back with the standard library's parser and the DOCX with python-docx. Source files, images and front
matter try to reach outside the project or run code.
"""

from __future__ import annotations

import re
import shutil
import time
import zipfile
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import docx
import polib
import pytest
from conftest import run_cli, tree_digest
from libretranslate_server import FakeLibreTranslate

from transpub.catalogs.pofile import read_catalog, write_catalog
from transpub.translate.protect import PlaceholderError, protect, restore
from transpub.translate.runner import translate_unique

RELEASE = "2023-07-18-wipo-assemblies"
SOURCE = f"sources/{RELEASE}.md"
EN_CATALOG = f"locale/en/LC_MESSAGES/{RELEASE}.po"
FR_CATALOG = f"locale/fr/LC_MESSAGES/{RELEASE}.po"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
JS_LINK = "[click](javascript:alert(3))"
JS_AUTOLINK = "<javascript:alert(4)>"
BREAKOUT = '"a\\" onmouseover=\\"alert(5)"'  # a link title that tries to end its attribute
TITLE_BREAKOUT = f"[ok](https://example.org/ {BREAKOUT})"
TEMPLATE = "{{ 1234+5 }} {% for x in range(3) %}loop{% endfor %} ${1234+5}"
CONTROLS = "a\x00b\x01c\x07d\x08e\x0bf\x0cg\x1b[31mh\x7fi\x85j"
BIDI = "\u202eevil\u202c \u2066iso\u2069"
# What a reviewed translation can carry and still pass `transpub check` (which build runs: a translation
# that adds links or emphasis, or breaks them, is not published); a draft is built whatever it holds.
PAYLOAD = " ".join([SCRIPT, IMG, JS_AUTOLINK, TEMPLATE, CONTROLS, BIDI])
DRAFT_PAYLOAD = " ".join([PAYLOAD, JS_LINK, TITLE_BREAKOUT, "**strong** *em*"])
LONG = "long " * 210_000  # a 1 MB msgstr

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what no XML document (DOCX) can carry
HTML_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


def inject(project: Path, catalog: str, payload: str = PAYLOAD, *, long_entry: bool = False) -> None:
    """Prefix every translation of ``catalog`` (and the names it uses) with ``payload``.

    The rest of each translation stays, tokens and links included, so that only the payload is new.
    The link of the sample's SDGs sentence gets a title that tries to break out of its attribute.
    """
    path = project / catalog
    po = read_catalog(path)
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = f"{payload} {entry.msgstr or entry.msgid}"
            entry.msgstr = entry.msgstr.replace("(https://sdgs.un.org/goals)", f"(https://sdgs.un.org/goals {BREAKOUT})")
    if long_entry:
        paragraph = next(e for e in po if e.comment == "paragraph")
        paragraph.msgstr = f"{LONG}{paragraph.msgstr}"
    write_catalog(path, po)
    names = project / catalog.rsplit("/", 1)[0] / "names.po"
    po = read_catalog(names)
    for entry in po:
        if entry.msgctxt in ("publisher", "org:WIPO", "org:WIPO:short", "org:JPO:short"):
            entry.msgstr = f"{SCRIPT}{TEMPLATE}{BIDI}"
    write_catalog(names, po)


class _Inspector(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_inert_html(html: str) -> str:
    """No script, no event handler, no javascript:/data: URL, nothing dropped left in; returns the text."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    tags = {tag for tag, _ in inspector.tags}
    assert not tags & {"script", "iframe", "object", "embed", "form", "base", "svg", "math"}, tags
    for tag, attrs in inspector.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction", "srcset", "poster"):
            assert not UNSAFE_SCHEME.match(attrs.get(name) or ""), (tag, attrs)
    assert not HTML_DROPPED.search(html)
    text = "".join(inspector.text)
    assert "1239" not in text and "looploop" not in text  # no template ran
    return text


def docx_text(data: bytes) -> tuple[str, list[str], docx.document.Document]:
    document = docx.Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    links = [rel.target_ref for rel in document.part.rels.values() if rel.is_external]
    return "\n".join(parts), links, document


# --- translations -------------------------------------------------------------------------------------
def test_hostile_published_translation_is_text_in_html_and_docx(sample_project: Path):
    inject(sample_project, EN_CATALOG, long_entry=True)
    result = run_cli(sample_project, "build", "--lang", "en")
    assert result.exit_code == 0, result.stderr  # still reviewed and publishable: it is only text
    outputs = sample_project / "outputs"

    page = (outputs / "en" / f"{RELEASE}.html").read_text(encoding="utf-8")
    text = assert_inert_html(page)
    for piece in (SCRIPT, IMG, JS_AUTOLINK, TEMPLATE, "evil iso", LONG.strip()):
        assert piece in text, piece[:80]  # shown as typed (the 1 MB text whole)
    # CommonMark turns NUL into U+FFFD; the page drops the other controls and the bidi overrides
    assert HTML_DROPPED.sub("", CONTROLS.replace("\x00", "\ufffd")) in text
    inspector = _Inspector()
    inspector.feed(page)
    titles = [attrs.get("title") for tag, attrs in inspector.tags if tag == "a" and attrs.get("href") == "https://sdgs.un.org/goals"]
    assert titles and set(titles) == {'a" onmouseover="alert(5)'}  # an attribute value, not an attribute
    for index in ("en/index.html", "index.html"):
        assert_inert_html((outputs / index).read_text(encoding="utf-8"))

    body, links, document = docx_text((outputs / "en" / f"{RELEASE}.docx").read_bytes())
    for piece in (SCRIPT, IMG, JS_AUTOLINK, TEMPLATE, BIDI, LONG.strip()):
        assert piece in body, piece[:80]  # word for word: Word shows it, never runs or links it
    assert XML_ILLEGAL.sub("", CONTROLS.replace("\x00", "\ufffd")) in body  # only what XML cannot hold is gone
    assert links and not [url for url in links if UNSAFE_SCHEME.match(url)]
    assert "https://sdgs.un.org/goals" in links
    assert document.core_properties.author == f"{SCRIPT}{TEMPLATE}{BIDI}"
    with zipfile.ZipFile(outputs / "en" / f"{RELEASE}.docx") as package:
        assert not [n for n in package.namelist() if n.endswith((".bin", ".js")) or "vbaProject" in n]
        assert b"<script>" not in package.read("word/document.xml")


def test_hostile_draft_translation_is_text_in_html_and_docx(sample_project: Path):
    inject(sample_project, FR_CATALOG, DRAFT_PAYLOAD)  # fr is partly fuzzy: a draft, with marks
    result = run_cli(sample_project, "build", "--lang", "fr", "--draft")
    assert result.exit_code == 0, result.stderr
    draft = sample_project / "outputs" / "drafts" / "fr"
    page = (draft / f"{RELEASE}.html").read_text(encoding="utf-8")
    text = assert_inert_html(page)
    for piece in (SCRIPT, IMG, JS_LINK, JS_AUTOLINK, TEMPLATE, "evil iso"):
        assert piece in text, piece  # the javascript: link stays text, as typed
    inspector = _Inspector()
    inspector.feed(page)
    assert {"https://example.org/", "https://sdgs.un.org/goals"} <= {a.get("href") for t, a in inspector.tags if t == "a"}
    body, links, _ = docx_text((draft / f"{RELEASE}.docx").read_bytes())
    for piece in (SCRIPT, IMG, JS_LINK, JS_AUTOLINK, TEMPLATE, BIDI):
        assert piece in body, piece
    assert XML_ILLEGAL.sub("", CONTROLS.replace("\x00", "\ufffd")) in body
    assert "https://example.org/" in links and not [url for url in links if UNSAFE_SCHEME.match(url)]


def test_a_1_mb_translation_round_trips_through_the_catalog(sample_project: Path):
    inject(sample_project, EN_CATALOG, long_entry=True)
    path = sample_project / EN_CATALOG
    po = read_catalog(path)
    assert any(e.msgstr.startswith(LONG) for e in po)
    assert not write_catalog(path, po)  # written back byte for byte: nothing to do


def test_a_bad_token_typed_by_a_translator_blocks_only_that_page(sample_project: Path):
    path = sample_project / EN_CATALOG
    po = read_catalog(path)
    title = next(e for e in po if e.comment == "title")
    title.msgstr += " {country:XX}"
    write_catalog(path, po)
    result = run_cli(sample_project, "build")
    assert result.exit_code == 0, result.stderr  # the other pages are built
    assert (sample_project / "outputs" / "ja" / f"{RELEASE}.html").exists()
    assert not (sample_project / "outputs" / "en" / f"{RELEASE}.html").exists()
    assert f"{SOURCE}:" in result.stderr and "{country:XX}" in result.stderr
    draft = run_cli(sample_project, "build", "--lang", "en", "--draft")
    assert draft.exit_code == 0, draft.stderr  # a draft shows the bad token as typed
    assert "{country:XX}" in (sample_project / "outputs" / "drafts" / "en" / f"{RELEASE}.html").read_text(encoding="utf-8")


# --- machine-translation answers ---------------------------------------------------------------------
def test_an_engine_answer_that_invents_a_token_is_rejected():
    protected = protect("Opened on {date:2023-07-06} in Geneva.")
    assert restore("Ouvert le <x1/> à Genève.", protected) == "Ouvert le {date:2023-07-06} à Genève."
    for answer in ("Ouvert le <x1/> à Genève {country:XX}.", "{org:EVIL} le <x1/>", "le <x1/> {date:2023-02-30}"):
        with pytest.raises(PlaceholderError, match="adds a token"):
            restore(answer, protected)


def test_a_run_rejects_every_answer_that_invents_a_token():
    class Hostile:
        name = "hostile"

        def translate_batch(self, texts, source, target):
            return [f"{SCRIPT} {{country:XX}} {text}" for text in texts]

    report = translate_unique(Hostile(), ["Opened on {date:2023-07-06}.", "Plain words."], "en", "fr")
    assert report.translated == 0 and report.rejected == 2


# --- paths ----------------------------------------------------------------------------------------------
def _use_image(project: Path, src: str) -> None:
    path = project / SOURCE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("images/statement.png", src, 1), encoding="utf-8")


@pytest.mark.parametrize("command", [("update",), ("build", "--lang", "ja")], ids=["update", "build"])
def test_an_image_symlinked_to_a_file_outside_sources_is_refused(sample_project: Path, command):
    (sample_project / "sources" / "images" / "passwd.png").symlink_to("/etc/passwd")
    _use_image(sample_project, "images/passwd.png")
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2
    assert "images/passwd.png' is outside the sources/ folder" in result.stderr
    assert tree_digest(sample_project) == before and not (sample_project / "outputs").exists()


@pytest.mark.parametrize("escape", ["dotdot", "percent-encoded"])
def test_an_image_path_cannot_lead_build_to_write_outside_the_project(sample_project: Path, escape):
    # From sources/ this path comes back to sources/images/; from outputs/ja/, where build copies the
    # images, the same path ends one folder above the project.
    root = sample_project
    src = f"../../../{root.parent.name}/{root.name}/sources/images/statement.png"
    if escape == "percent-encoded":
        src = src.replace("..", "%2e%2e")
    landing = root.parent / root.parent.name / root.name / "sources" / "images" / "statement.png"
    _use_image(root, src)
    result = run_cli(root, "build", "--lang", "ja")
    assert result.exit_code == 2, result.stdout
    assert "outside the sources/ folder" in result.stderr
    assert not landing.exists()


def test_image_file_names_in_any_script_work_and_stay_inside(sample_project: Path):
    images = sample_project / "sources" / "images"
    (images / "写真 1.png").write_bytes((images / "statement.png").read_bytes())
    _use_image(sample_project, "<images/写真 1.png>")
    result = run_cli(sample_project, "build", "--lang", "ja")
    assert result.exit_code == 0, result.stderr
    page = (sample_project / "outputs" / "ja" / f"{RELEASE}.html").read_text(encoding="utf-8")
    assert 'src="images/%E5%86%99%E7%9C%9F%201.png"' in page
    assert (sample_project / "outputs" / "ja" / "images" / "写真 1.png").is_file()


@pytest.mark.parametrize("command", [("update",), ("build", "--lang", "ja"), ("status",)], ids=["update", "build", "status"])
def test_a_source_symlinked_to_a_file_outside_sources_is_refused(sample_project: Path, tmp_path: Path, command):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ndate: 2024-01-01\n---\n# Secret text from outside the project\n", encoding="utf-8")
    (sample_project / "sources" / "linked.md").symlink_to(outside)
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2, result.stdout
    assert "sources/linked.md: is a symbolic link to a file outside the sources/ folder" in result.stderr
    assert "Traceback" not in result.stderr
    after = tree_digest(sample_project)
    assert {p: d for p, d in after.items() if not p.startswith("outputs/")} == before
    assert not [p for p in after if p.startswith("outputs/") and "linked" in p]  # (the good release may be built)
    assert "Secret text" not in result.stdout


@pytest.mark.parametrize(
    "command",
    [("build", "--release"), ("status", "--release"), ("pretranslate", "--lang", "fr", "--release")],
    ids=["build", "status", "pretranslate"],
)
@pytest.mark.parametrize("release", ["../../etc/passwd", "/etc/passwd", f"../sources/{RELEASE}"])
def test_a_release_option_cannot_name_a_path(sample_project: Path, command, release):
    before = tree_digest(sample_project)
    result = run_cli(sample_project, *command, release)
    assert result.exit_code == 2, result.stdout
    assert "no release" in result.stderr
    assert tree_digest(sample_project) == before


def test_a_catalog_symlinked_outside_is_replaced_never_written_through(sample_project: Path, tmp_path: Path):
    catalog = sample_project / EN_CATALOG
    outside = tmp_path / "shared.po"
    outside.write_bytes(catalog.read_bytes())
    catalog.unlink()
    catalog.symlink_to(outside)
    path = sample_project / SOURCE
    path.write_text(path.read_text(encoding="utf-8").replace("さらに、", "さらに加えて、"), encoding="utf-8")
    before = outside.read_bytes()
    assert run_cli(sample_project, "update").exit_code == 0
    assert outside.read_bytes() == before
    assert not catalog.is_symlink() and catalog.read_bytes() != before


# --- YAML -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.mkdir [{marker!r}]",
        "!!python/object/new:os.mkdir [{marker!r}]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:pathlib.Path {{}}",
    ],
)
def test_front_matter_is_loaded_safely(sample_project: Path, tmp_path: Path, tag):
    marker = tmp_path / "pwned"
    path = sample_project / SOURCE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("section: 報道発表", "section: " + tag.format(marker=str(marker))), encoding="utf-8")
    result = run_cli(sample_project, "update")
    assert result.exit_code == 2
    assert f"{SOURCE}:3: front matter is not valid YAML: could not determine a constructor" in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    "front_matter",
    [
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
        "related: [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
        "date: 2024-01-01\nrelated: [*f]",
        "date: 2024-01-01\nsection: " + "[" * 20_000,
        "date: 2024-01-01\nsection: " + "{a: " * 5_000,
    ],
    ids=["billion laughs", "undefined alias", "deep list", "deep mapping"],
)
def test_yaml_bombs_fail_fast_with_a_message(sample_project: Path, front_matter):
    (sample_project / "sources" / "bomb.md").write_text(f"---\n{front_matter}\n---\n# Bomb\n", encoding="utf-8")
    started = time.monotonic()
    result = run_cli(sample_project, "update")
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    assert result.stderr.startswith("transpub: error: sources/bomb.md:") and result.stderr.count("\n") == 1


# --- API keys -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("server_key", ["s3cr3t-KEY-4711", "another-key"], ids=["accepted", "rejected"])
def test_the_api_key_never_reaches_catalogs_outputs_or_messages(sample_project: Path, monkeypatch, server_key):
    key = "s3cr3t-KEY-4711"
    monkeypatch.setenv("TRANSPUB_LIBRETRANSLATE_API_KEY", key)
    with FakeLibreTranslate(api_key=server_key) as server:
        config = sample_project / "transpub.toml"
        text = config.read_text(encoding="utf-8").replace("http://127.0.0.1:5000/", server.url)
        config.write_text(text.replace("timeout = 20", "timeout = 5\nretries = 0"), encoding="utf-8")
        result = run_cli(sample_project, "pretranslate", "--lang", "fr")
        assert server.request_count > 0
    assert (result.exit_code == 0) is (server_key == key), result.stderr
    build = run_cli(sample_project, "build", "--draft")
    assert key not in result.stdout + result.stderr + build.stdout + build.stderr
    leaked = [p for p in sample_project.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]
    assert leaked == []


def test_an_engine_that_echoes_the_key_gets_nothing_saved(sample_project: Path, monkeypatch):
    key = "s3cr3t-KEY-4711"
    monkeypatch.setenv("TRANSPUB_LIBRETRANSLATE_API_KEY", key)
    with FakeLibreTranslate(mode="echo_key", api_key=key) as server:
        config = sample_project / "transpub.toml"
        config.write_text(config.read_text(encoding="utf-8").replace("http://127.0.0.1:5000/", server.url), encoding="utf-8")
        result = run_cli(sample_project, "pretranslate", "--lang", "fr")
        assert server.request_count > 0
    assert "API key inside a translation" in result.stderr
    assert key not in result.stdout + result.stderr
    assert [p for p in sample_project.rglob("*") if p.is_file() and key.encode() in p.read_bytes()] == []


@pytest.mark.parametrize("url", ["http://me:s3cr3t@127.0.0.1:5000/", "http://127.0.0.1:5000/?api_key=s3cr3t"])
def test_credentials_in_the_url_are_refused_and_never_printed(sample_project: Path, url: str):
    config = sample_project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("http://127.0.0.1:5000/", url), encoding="utf-8")
    for command in (("status",), ("pretranslate", "--lang", "fr")):
        result = run_cli(sample_project, *command)
        assert result.exit_code == 2 and "must not carry credentials" in result.stderr
        assert "s3cr3t" not in result.stdout + result.stderr


# --- folders that lead out of the project --------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["outputs", "outputs/en", "locale/fr/LC_MESSAGES", "sources", "templates", "locale/templates"])
@pytest.mark.parametrize("command", [("update",), ("build",), ("status",)])
def test_a_folder_symlinked_out_of_the_project_is_refused(sample_project: Path, tmp_path: Path, folder: str, command):
    outside = tmp_path / "outside"
    target = sample_project / folder
    if target.exists():
        shutil.copytree(target, outside)
        shutil.rmtree(target)
    else:
        outside.mkdir()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(outside)
    before, outside_before = tree_digest(sample_project), tree_digest(outside)
    result = run_cli(sample_project, *command)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"{folder}: is a symbolic link to a folder outside the project" in result.stderr.replace(str(sample_project) + "/", "")
    assert tree_digest(sample_project) == before and tree_digest(outside) == outside_before


def test_a_folder_symlinked_inside_the_project_is_fine(sample_project: Path):
    (sample_project / "public").mkdir()
    (sample_project / "outputs").symlink_to(sample_project / "public")
    assert run_cli(sample_project, "build", "--lang", "en").exit_code == 0
    assert (sample_project / "public/en/2023-07-18-wipo-assemblies.html").is_file()


# --- markup from an engine ----------------------------------------------------------------------------------
def test_markup_an_engine_adds_is_text_in_draft_html_and_docx(sample_project: Path):
    """An engine answer carrying a link, strong or code of its own is shown as the characters it typed."""
    with FakeLibreTranslate(mode="inject_markup") as server:
        config = sample_project / "transpub.toml"
        config.write_text(config.read_text(encoding="utf-8").replace("http://127.0.0.1:5000/", server.url), encoding="utf-8")
        result = run_cli(sample_project, "pretranslate", "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    catalog = polib.pofile(str(sample_project / "locale/fr/LC_MESSAGES/2023-07-18-wipo-assemblies.po"))
    filled = [entry.msgstr for entry in catalog if "evil.example" in entry.msgstr]
    assert filled and all(msgstr.endswith("\\[ok\\](https://evil.example/) \\*\\*bold\\*\\* \\`code\\`") for msgstr in filled)
    assert run_cli(sample_project, "build", "--lang", "fr", "--draft").exit_code == 0
    page = (sample_project / "outputs/drafts/fr/2023-07-18-wipo-assemblies.html").read_text(encoding="utf-8")
    assert "evil.example" in page and 'href="https://evil.example/' not in page
    assert "<strong>bold</strong>" not in page and "<code>code</code>" not in page
    assert "[ok](https://evil.example/) **bold** `code`" in page
    document = zipfile.ZipFile(sample_project / "outputs/drafts/fr/2023-07-18-wipo-assemblies.docx").read("word/document.xml")
    assert b"evil.example" in document and b"evil.example" not in zipfile.ZipFile(
        sample_project / "outputs/drafts/fr/2023-07-18-wipo-assemblies.docx"
    ).read("word/_rels/document.xml.rels")


# --- SECURITY.md ----------------------------------------------------------------------------------------------
def test_security_md_names_only_tests_that_exist():
    """Each promise in SECURITY.md names the test that proves it: that test must exist."""
    import ast

    repo = Path(__file__).resolve().parent.parent
    text = (repo / "SECURITY.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/\w+\.py)(?:::(\w+))?`", text)
    assert len(named) > 30
    for module, name in named:
        path = repo / module
        assert path.is_file(), module
        if name:
            functions = {n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)}
            assert name in functions, f"{module}::{name} is named in SECURITY.md but does not exist"
