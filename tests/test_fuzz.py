"""Property tests: arbitrary input never crashes transpub with a traceback.

Whatever a source file, a typed token or a translation holds, transpub either accepts it or raises one
of its own errors (a :class:`~transpub.errors.TranspubError`, which the command line reports as
``file:line: what is wrong``). Every segment that reading accepts survives placeholder protection
exactly and renders; a translation, however odd, renders as inert HTML and a valid Word document.

Texts are drawn from pieces that mean something to YAML, CommonMark and transpub's tokens, mixed with
arbitrary characters, so the search spends its time where parsers break.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from transpub.config import load_project
from transpub.errors import TokenError, TranspubError
from transpub.localize.cldr import LocaleFormatter
from transpub.localize.names import Names, name_table
from transpub.localize.release import LocalizedRelease
from transpub.render.docx import render_release_docx
from transpub.render.html import render_release_page
from transpub.source.inline import (
    MAX_INLINE_DEPTH,
    inline_tokens_to_text,
    markdown_parser,
    text_to_inline,
)
from transpub.source.model import Emphasis, Link, Strong
from transpub.source.reader import parse_release
from transpub.source.segments import has_words, release_segments
from transpub.source.tokens import KINDS, Token, parse_token, parse_tokens
from transpub.translate.protect import protect, restore

REPO = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = "---\ndate: 2023-07-18\n---\n"
UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(page: str) -> None:
    """No script element, no event-handler attribute, no javascript:/data: link or source."""
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not UNSAFE_URL.match(attrs.get("href") or attrs.get("src") or ""), (tag, attrs)


@cache
def project():
    """The repository's sample project: its organizations, and sources/images/ for image paths."""
    return load_project(REPO)


def parse(text: str):
    return parse_release(text, "fuzz", REPO / "sources" / "fuzz.md", project())


# --- text that means something to the parsers ------------------------------------------------------------
MARKDOWN_PIECES = [
    "# ", "## ", "### ", "#", "- ", "* ", "+ ", "1. ", "2) ", "> ", ">", "    ", "```", "~~~", "---", "***", "___",
    "| a | b |", "|---|:-:|", "|", "*", "**", "_", "__", "`", "``", "[", "]", "(", ")", "](", "![", "<", ">",
    "\\", "\\\n", "  \n", "\n", "\n\n", " ", "\t", "&amp;", "&nbsp;", "&#0;", "&#x202E;", "&", "<b>", "<script>",
    "[a](https://example.org)", "[a](javascript:alert(1))", "<https://example.org>", "![alt](images/statement.png)",
    '![alt](images/statement.png "caption")', "![x](../transpub.toml)", "![x](/etc/passwd)", "![x](%2e%2e/x.png)",
    "{date:2023-07-18}", "{date:2023-02-30}", "{daterange:2024-07-09..2024-07-17}", "{month:2023-12}",
    "{month:0000-01}", "{country:FR}", "{country:XX}", "{org:WIPO}", "{org:WIPO:short}", "{list:FR DE INTA}",
    "{list:}", "{foo:bar}", "{", "}", ":", "<x1/>", "</g2>", "word", "語", "١٢", "\u202e", "\x00", "\r", "\x0b",
]  # fmt: skip
YAML_PIECES = [
    "date: 2023-07-18", "date: ", "date: 2023-02-30", "section: ", "division: ", "related:", "  - title: ",
    "    url: https://example.org/", "url: javascript:x", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!python/object:os.system",
    "!!str", "!!binary", "? ", "|", ">", "'", '"', "#", "\n", "  ", "---", "...", "%YAML 1.1", "~", "null", "2023-07-18T10:00:00",
]  # fmt: skip

markdownish = st.lists(st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=4), max_size=40).map("".join)
yamlish = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=3), max_size=25).map("".join)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20) | st.dates()
yaml_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=12)
front_matter_data = st.dictionaries(
    st.sampled_from(["date", "section", "division", "related", "title", "tags"]) | st.text(max_size=5),
    yaml_values | st.just("https://example.org/") | st.lists(st.fixed_dictionaries({"title": st.text(max_size=9), "url": st.text(max_size=20)}), max_size=2),
    max_size=5,
)


def accepted_or_refused(call, *args):
    """Run ``call``; a TranspubError is a fine answer, anything else is a crash the test reports."""
    try:
        return call(*args)
    except TranspubError:
        return None


# --- the source reader -----------------------------------------------------------------------------
@FUZZ
@given(st.text())
@example("---\n" + "[" * 5000 + "\n---\n# T\n")
@example(HEADER + "# T\n\n## \n")
@example(HEADER + "# T\n\n![![inner](images/statement.png)](images/statement.png)\n")
@example(HEADER + "# T\n\n" + "*" * 3000 + "x" + "*" * 3000 + "\n")
def test_any_text_is_a_release_or_a_source_error(text):
    accepted_or_refused(parse, text)


@FUZZ
@given(yamlish, markdownish)
def test_any_front_matter_is_read_or_refused(front_matter, body):
    accepted_or_refused(parse, f"---\n{front_matter}\n---\n# Title\n\n{body}")


@FUZZ
@given(front_matter_data)
def test_any_yaml_data_in_front_matter_is_read_or_refused(data):
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)
    release = accepted_or_refused(parse, f"---\n{text}---\n# Title\n")
    if release is not None:  # then it is what the front matter says
        assert isinstance(release.date, dt.date)
        assert set(data) <= {"date", "section", "division", "related"}


@FUZZ
@given(markdownish)
def test_any_markdown_body_is_read_or_refused(body):
    accepted_or_refused(parse, f"{HEADER}# Title\n\n{body}")


# --- typed tokens ------------------------------------------------------------------------------------------
token_like = st.builds(
    lambda kind, arg: f"{{{kind}:{arg}}}",
    st.sampled_from(KINDS) | st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=9),
    st.lists(st.sampled_from(["2023", "-", "07", "18", "..", "0000", "99", "FR", "DE", "XX", "WIPO", ":short", ":", " "])
             | st.text(max_size=3), max_size=8).map("".join),
)  # fmt: skip


@FUZZ
@given(token_like | st.text())
@example("{month:0000-01}")
@example("{month:٢٠٢٣-١٢}")
@example("{daterange:9999-12-31..0001-01-01}")
def test_any_token_is_parsed_or_refused_and_every_parsed_one_renders(raw):
    try:
        token = parse_token(raw, project().organizations)
    except TokenError:
        return
    assert isinstance(token, Token) and token.raw == raw
    for lang in ("en", "ja", "ar"):
        formatter = LocaleFormatter(lang, name_table(project(), lang, Names(), draft=False), project().organizations)
        assert formatter.render(token).strip()


@FUZZ
@given(st.lists(token_like | st.text(max_size=6), max_size=8).map("".join))
def test_any_text_has_its_tokens_parsed_or_refused(text):
    tokens = accepted_or_refused(parse_tokens, text, project().organizations)
    assert tokens is None or all(isinstance(token, Token) for token in tokens)


# --- segments and placeholders ---------------------------------------------------------------------------
def depth(nodes) -> int:
    return max((1 + depth(n.children) for n in nodes if isinstance(n, (Emphasis, Strong, Link))), default=0)


@FUZZ
@given(markdownish | st.text())
@example("*" * 3000 + "x" + "*" * 3000)
def test_any_text_parses_as_a_segment(text):
    nodes = text_to_inline(text)
    assert depth(nodes) <= MAX_INLINE_DEPTH  # so renderers and checks never recurse too deep


@FUZZ
@given(markdownish)
@example("![")  # "\\!\\[": the "!" is escaped only when the escaped "[" is seen with it
@example("\\&amp; and AT\\&T;")  # a literal "&amp;" must not become an entity
@example("a literal \\![link, not image](https://example.org/)")
@example("snake\\_case")
@example("&#x202E;*#*")  # the entity stays: its character before "*" would change how the "*" parses
@example("`  \n`")  # a code span of spaces only: no padding, the parser keeps such spans whole
@example("*0*_0_")  # two emphases side by side: the second keeps its "_" ("*0**0*" is one emphasis)
@example("a\\\n\x1f")  # a hard break before a control character the strip removes: nothing left to break
def test_every_segment_is_normalized_and_survives_protection(body):
    release = accepted_or_refused(parse, f"{HEADER}# Title\n\n{body}")
    assume(release is not None)
    for segment in release_segments(release):
        msgid = segment.msgid
        assert msgid and msgid == msgid.strip()
        # the msgid is normalized: parsing it and writing it back gives it again
        (inline,) = markdown_parser().parseInline(msgid)
        assert inline_tokens_to_text(inline.children or []) == msgid
        protected = protect(msgid)
        assert restore(protected.text, protected) == msgid


# --- rendering -----------------------------------------------------------------------------------------------
@FUZZ
@given(markdownish)
def test_any_valid_release_renders_in_its_own_language(body):
    release = accepted_or_refused(parse, f"{HEADER}# Title\n\n{body}")
    assume(release is not None)
    assert_inert(render_release_page(LocalizedRelease(project(), release, "ja"), page_path="ja/fuzz.html", versions={}))


SAMPLE_BODY = """# Title

Opening paragraph on {date:2023-07-18} with **strong** and a [link](https://example.org/).

- an item about {country:FR}

| a | b |
|---|---|
| cell | {org:WIPO:short} |

![alt text](images/statement.png "caption")
"""


@cache
def sample_release():
    return parse(HEADER + SAMPLE_BODY)


def localized(translation: str, fuzzy: bool) -> LocalizedRelease:
    catalog = polib.POFile()
    for segment in release_segments(sample_release()):
        catalog.append(polib.POEntry(msgid=segment.msgid, msgstr=translation, flags=["fuzzy"] if fuzzy else []))
    return LocalizedRelease(project(), sample_release(), "ar", catalog=catalog, names=Names(), draft=fuzzy)


@FUZZ
@given(markdownish, st.booleans())
@example("*" * 3000 + "x" + "*" * 3000, True)
@example("{month:0000-01} {country:XX} {foo:bar}", False)
def test_any_translation_renders_as_inert_html(translation, fuzzy):
    page = accepted_or_refused(
        lambda: render_release_page(localized(translation, fuzzy), page_path="ar/fuzz.html", versions={})
    )
    if page is not None:
        assert_inert(page)


@settings(FUZZ, max_examples=40)
@given(markdownish, st.booleans())
@example("*" * 3000 + "x" + "*" * 3000, True)
@example("x" * 300, False)  # longer than a Word core property may be
def test_any_translation_renders_as_a_word_document(translation, fuzzy):
    data = accepted_or_refused(lambda: render_release_docx(localized(translation, fuzzy), image_root=REPO / "sources"))
    assert data is None or data.startswith(b"PK")


def test_markup_nested_deeper_than_the_limit_is_kept_as_text():
    nodes = text_to_inline("*" * 100 + "x" + "*" * 100)
    assert depth(nodes) == MAX_INLINE_DEPTH
    innermost = nodes
    while innermost and isinstance(innermost[0], (Emphasis, Strong)):
        innermost = innermost[0].children
    assert innermost[0].text == "*" * 60 + "x" + "*" * 60  # 20 levels of "**" as markup, the rest as typed


@cache
def _stock_parser():
    """markdown-it as shipped, configured like transpub's parser but with its own text-rule terminators."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").disable("text_join")


@FUZZ
@given(markdownish | st.text(alphabet="ab {}:-=#$%@^~+!&*<>[]()\\_`\n\t", max_size=60))
@example("[a]{x}](b) *c*_d_ `e` \\[ ![i](j) <http://k> &amp; [l]: m\n\n[l]")
def test_tuned_inline_terminators_change_no_token(text: str):
    """transpub stops markdown-it's text rule only where an enabled rule can start (a speed-up): block
    and inline parses must produce exactly the tokens of the stock parser."""
    stock = _stock_parser()
    tuned = markdown_parser()
    assert [t.as_dict() for t in tuned.parse(text)] == [t.as_dict() for t in stock.parse(text)]
    assert [t.as_dict() for t in tuned.parseInline(text)] == [t.as_dict() for t in stock.parseInline(text)]




@FUZZ
@given(markdownish)
@example("*# *>***")  # the document's parse and the msgid's own differ here
@example("*{date:2023-07-18}* `{date:2023-07-18}` [{country:KZ}](https://example.org/{x})")
def test_what_the_reader_decides_from_the_documents_parse_is_what_the_msgid_says(body):
    """The reader decides whether a text has words, and finds its tokens, from the nodes the release's
    own parse gave it (a speed-up: not parsing each msgid once more). Wherever those nodes are the
    msgid's own, the answers must be the msgid's."""
    from transpub.source.inline import raw_tokens_in

    release = accepted_or_refused(parse, f"{HEADER}# Title\n\n{body}")
    assume(release is not None)
    for text in release.texts():
        nodes = release.parsed.get(text.source)
        if nodes is None or nodes == text_to_inline(text.source):
            assert release.has_words(text) == has_words(text.source), text.source
            assert raw_tokens_in(text.source, nodes) == raw_tokens_in(text.source), text.source

# --- checks ---------------------------------------------------------------------------------------------------
@cache
def _check_context():
    from transpub.review.checks import catalog_context

    return catalog_context(project(), "fr", Names())


@FUZZ
@given(markdownish, markdownish)
@example("*# *>***", "")  # the document's parse and the msgid's own differ here
@example("[a](https://example.org) *b*", "[a](https://example.org/x) b")
def test_checks_given_the_documents_parse_tell_the_translator_what_the_msgid_tells(body, edit):
    """Checks compare a translation with the source's nodes from its release's parse, not a parse of the
    msgid again (a speed-up). What they report must still follow the msgid the translator sees: the same
    issues, and none for a verbatim copy, wherever the two parses differ."""
    from transpub.review.checks import ERROR_CHECKS, check_translation

    release = accepted_or_refused(parse, f"{HEADER}# Title\n\n{body}")
    assume(release is not None and release.parsed)
    for msgid, nodes in release.parsed.items():
        own_parse = text_to_inline(msgid)
        for translation in (msgid, msgid + edit, edit + msgid[: len(msgid) // 2]):
            given_nodes = check_translation(_check_context(), msgid, translation, parsed_source=nodes)
            reparsed = check_translation(_check_context(), msgid, translation)
            if nodes == own_parse:
                assert given_nodes == reparsed
            else:  # (contrived markup) a translation that matches the document may pass where the msgid's parse finds issues
                assert given_nodes in (reparsed, [])
        assert check_translation(_check_context(), msgid, msgid, checks=ERROR_CHECKS, parsed_source=nodes) == []
