"""Placeholders: what an engine sees, what comes back, and which answers are refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transpub.errors import EngineError
from transpub.source.inline import inline_plain_text, text_to_inline
from transpub.translate.protect import (
    PLACEHOLDER_RE,
    PlaceholderError,
    needs_translation,
    protect,
    restore,
)

EXAMPLE = (
    "{date:2023-07-06}から{country:CH}・ジュネーブで**第64回**の[総会](https://www.wipo.int/)が開催され、"
    "{list:KZ DE INTA}と会談しました。"
)


def test_tokens_and_markup_become_placeholders():
    protected = protect(EXAMPLE)
    assert (
        protected.text == "<x1/>から<x2/>・ジュネーブで<g3>第64回</g3>の<g4>総会</g4>が開催され、<x5/>と会談しました。"
    )
    assert protected.originals == {
        "<x1/>": "{date:2023-07-06}",
        "<x2/>": "{country:CH}",
        "<g3>": "**",
        "</g3>": "**",
        "<g4>": "[",
        "</g4>": "](https://www.wipo.int/)",
        "<x5/>": "{list:KZ DE INTA}",
    }


@pytest.mark.parametrize(
    ("text", "original"),
    [
        ("see `code  span` here", "`code  span`"),
        ("a `` x ` y `` b", "`` x ` y ``"),
        ("line  \n  next", "  \n  "),
        ("line\\\nnext", "\\\n"),
        ("not \\*emphasis\\*", "\\*"),
        ("AT&amp;T", "&amp;"),
        ('an ![image *alt*](a.png "t") here', '![image *alt*](a.png "t")'),
        ("mail <https://wipo.int/a>", "<https://wipo.int/a>"),
        ("raw <span>html</span>", "<span>"),
        ("[text](<a b> 'title')", "](<a b> 'title')"),
        ("[text](https://x/{date:2023-01-01})", "](https://x/{date:2023-01-01})"),
        ("literal <x1/> in the source", "<x1/>"),
        ("escaped \\{date:2023-07-06} token", "\\{date:2023-07-06}"),
    ],
)
def test_markup_is_kept_whole(text, original):
    protected = protect(text)
    assert original in protected.originals.values()
    assert restore(protected.text, protected) == text


def test_emphasis_next_to_a_token_parses_as_in_the_source():
    # "a*{org:X}*b": the `*` are literal (punctuation inside a word), "**{org:X}**" is strong.
    protected = protect("a*{org:X}*b **{org:X}**")
    assert protected.text == "a*<x1/>*b <g2><x3/></g2>"


def test_the_engine_may_move_pairs_and_tokens():
    protected = protect("Le {date:2023-07-06}, le **comité** a lu le [rapport](https://x.org).")
    assert protected.text == "Le <x1/>, le <g2>comité</g2> a lu le <g3>rapport</g3>."
    answer = "On <x1/> the <g3>report</g3> was read by the <g2>committee</g2>."
    assert (
        restore(answer, protected) == "On {date:2023-07-06} the [report](https://x.org) was read by the **committee**."
    )


@pytest.mark.parametrize(
    "reshaped",
    ["< x1 />", "<X1/>", "<x1>", "＜ｘ１／＞", "<x١/>", "&lt;x1/&gt;", "<x１/>"],
)
def test_placeholders_reshaped_by_an_engine_are_still_recognised(reshaped):
    protected = protect("on {date:2023-07-06}")
    assert restore(f"le {reshaped}", protected) == "le {date:2023-07-06}"


def test_spaces_an_engine_puts_inside_emphasis_are_dropped():
    protected = protect("the **big** news")
    assert restore("die <g1> große </g1> Nachricht", protected) == "die **große** Nachricht"
    link = protect("[ spaced ](u)")  # inside link text spaces are the author's: kept
    assert restore(link.text, link) == "[ spaced ](u)"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("<x1/> le <g2>comité</g2>", "lost <x3/>"),
        ("<x1/> le <g2>comité <x3/>", r"lost </g2>"),
        ("<x1/> <x1/> le <g2>comité</g2> <x3/>", "repeats the placeholder <x1/>"),
        ("<x1/> le <g2>comité</g2> <x3/> <x9/>", "not sent: '<x9/>'"),
        ("<x1/> le </g2>comité<g2> <x3/>", "closes </g2> before opening it"),
        ("<x1/> le <g2/>comité <x3/>", "not sent: '<g2/>'"),
    ],
)
def test_broken_answers_are_rejected(answer, reason):
    protected = protect("{date:2023-07-06} le **comité** {country:CH}")
    with pytest.raises(PlaceholderError, match=re.escape(reason)) as caught:
        restore(answer, protected)
    assert isinstance(caught.value, EngineError)


def test_crossed_pairs_are_rejected():
    protected = protect("*a* and **b**")
    with pytest.raises(PlaceholderError, match="crosses"):
        restore("<g1>a <g2></g1> b</g2>", protected)


def test_needs_translation():
    assert not needs_translation(protect("**{country:CH}** 2023"))
    assert needs_translation(protect("{country:CH} ジュネーブ"))


# --- the round trip, for every text ---------------------------------------------------------------

# Pieces that stress the parser and the placeholder pattern more than random characters would.
TRICKY = [
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "[",
    "]",
    "(",
    ")",
    "](",
    "![",
    "<",
    ">",
    "\\",
    "\\*",
    "\\\n",
    "  \n",
    "\n",
    " ",
    "\t",
    "&amp;",
    "&",
    "{date:2023-07-06}",
    "{country:CH}",
    "{",
    "}",
    "<x1/>",
    "< g 2 >",
    "</g3>",
    "&lt;x1/&gt;",
    "＜ｘ１／＞",
    "<b>",
    "<https://a.b>",
    '"',
    "'",
    "https://x.org",
    "word",
    "語",
    "١",
    "\r",
    "\0",
]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_arbitrary_text(text):
    protected = protect(text)
    assert restore(protected.text, protected) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TRICKY) | st.text(max_size=3)).map("".join))
def test_round_trip_markdown_fragments(text):
    protected = protect(text)
    assert restore(protected.text, protected) == text


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    words = st.sampled_from(["news", "WIPO", "総会", "the report", "Genève", "٢٠٢٣", "a-b"])
    return st.one_of(
        # Words inside the delimiters: "**_x_**"-style runs are legal but parse in surprising ways.
        children.map(lambda t: f"*in {t} it*"),
        children.map(lambda t: f"**in {t} it**"),
        children.map(lambda t: f"_in {t} it_"),
        st.tuples(
            children.filter(lambda t: "](" not in t),
            st.sampled_from(["https://x.org/a", "<a b>", "/p?q=(1)"]),
            st.sampled_from(["", ' "T"', " 't'"]),
        ).map(lambda p: f"[{p[0]}]({p[1]}{p[2]})"),
        words.map(lambda w: f"`{w}`"),
        words,
    )


WELL_FORMED = st.lists(
    st.recursive(
        st.sampled_from(["word", "語", "{date:2023-07-06}", "{list:KZ DE}", "x"]),
        _inline,
        max_leaves=6,
    ),
    min_size=1,
    max_size=5,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(WELL_FORMED, st.sampled_from([" ", "  \n", "\\\n", "\n"]), WELL_FORMED)
def test_well_formed_markdown_is_protected_and_survives_an_engine(first, joint, second):
    text = first + joint + second
    protected = protect(text)
    assert restore(protected.text, protected) == text
    # Markup really is hidden (no fallback): no delimiter or link syntax is left for the engine.
    prose = PLACEHOLDER_RE.sub("", protected.text)
    assert not re.search(r"[*`\[\]{}]|\]\(", prose), protected.text
    # An engine that rewrites the words and pads placeholders with spaces still gives valid markup.
    answer = PLACEHOLDER_RE.sub(lambda m: f" {m.group(0)} ", protected.text.upper())
    restored = restore(answer, protected)
    assert sorted(re.findall(r"\{[a-z]+:[^}]*\}", restored)) == sorted(re.findall(r"\{[a-z]+:[^}]*\}", text))
    assert protect(restored).originals.keys() == protected.originals.keys()  # same markup structure


@pytest.mark.parametrize("added", ["[click](https://evil.example/)", "**bold**", "*it*", "`code`", "<https://evil.example/>"])
def test_markup_an_engine_adds_becomes_text(added):
    """The answer's markup is exactly the source's: an engine's own link or emphasis is escaped into text."""
    source = "The **committee** read the [report](https://x.org)."
    protected = protect(source)
    restored = restore(protected.text.replace("read", f"read {added}"), protected)
    assert restored.startswith("The **committee** read ") and restored.endswith("[report](https://x.org).")
    nodes = text_to_inline(restored)
    assert [type(n).__name__ for n in nodes] == [type(n).__name__ for n in text_to_inline(source)]
    assert added in inline_plain_text(nodes)  # the reader sees exactly what the engine typed, as text
