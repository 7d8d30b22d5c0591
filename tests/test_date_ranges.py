"""Date ranges in every locale Babel has read like the locale's long date, and a date ending in a dot
does not double the sentence's full stop.

What a range should say is asked of Babel (the long date of each end, the month names), never copied
from CLDR: a range is right when it writes each end's day, and its month the way the locale's long date
of that end writes it, a name ("October", "октября") or a number ("2016年10月12日": 10月, not 十月).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import cldr_says as says
import pytest
from babel import Locale
from babel.dates import format_date, get_month_names, tokenize_pattern
from babel.localedata import locale_identifiers

from transpub.localize.cldr import LocaleFormatter, NameTable

RANGES = {
    "same month": (dt.date(2024, 7, 13), dt.date(2024, 7, 19)),
    "two months": (dt.date(2024, 7, 27), dt.date(2024, 8, 16)),
    "two years": (dt.date(2024, 12, 28), dt.date(2025, 1, 6)),
}


def _fmt(lang: str, **orgs: tuple[str, str]) -> LocaleFormatter:
    return LocaleFormatter(lang, NameTable(orgs=orgs), {key: object() for key in orgs})


def _token(start: dt.date, end: dt.date) -> str:
    return f"{{daterange:{start.isoformat()}..{end.isoformat()}}}"


@cache
def _month_names(lang: str) -> tuple[dict[int, str], ...]:
    return tuple(
        dict(get_month_names(width, context, locale=lang).items())
        for width in ("wide", "abbreviated")
        for context in ("format", "stand-alone")
    )


def _names_in_long_date(day: dt.date, lang: str) -> set[str]:
    """The month names (not numbers such as ja 10月, ko 10월) that the long date of ``day`` contains."""
    long = format_date(day, "long", locale=lang)
    names = {table[day.month] for table in _month_names(lang)}
    return {name for name in names if name in long and str(day.month) not in name}


def range_problems(lang: str, start: dt.date, end: dt.date) -> list[str]:
    """What is wrong with the range from ``start`` to ``end`` in ``lang`` (empty: nothing)."""
    try:
        text = _fmt(lang).render_text(_token(start, end))
    except Exception as exc:  # noqa: BLE001 - "never fails" is the claim under test
        return [f"raises {exc!r}"]
    problems = []
    longs = " ".join(format_date(day, "long", locale=lang) for day in (start, end))
    for day in (start, end):
        if format_date(day, "d", locale=lang) not in text:
            problems.append(f"no day {day.day}")
        wanted = _names_in_long_date(day, lang)
        if wanted:  # the long date names the month: the range writes that name
            problems += [f"no month name {name!r}" for name in wanted if name not in text]
        else:  # the long date writes a number: no name of that month in the range
            names = {table[day.month] for table in _month_names(lang)}
            problems += [f"month name {n!r} where the long date has a number" for n in names
                         if n in text and str(day.month) not in n]
            if str(day.month) not in text:
                problems.append(f"no month number {day.month}")
    if "'" in text and "'" not in longs:
        problems.append("a pattern's quote mark shows")  # Babel's split interval patterns, eu "2016(e)'ko"
    return [f"{lang} {text!r}: {problem}" for problem in problems]


@pytest.mark.parametrize("kind", RANGES)
def test_every_locale_writes_ranges_like_its_long_date(kind):
    start, end = RANGES[kind]
    locales = locale_identifiers()
    assert len(locales) > 500  # every locale Babel has, not a sample
    problems = [problem for lang in locales for problem in range_problems(lang, start, end)]
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:25])


@pytest.mark.parametrize("lang", ["zh", "zh_Hant", "yue", "ja", "ko"])
def test_numeric_month_locales_keep_the_number_in_ranges(lang):
    """zh once gave "2016年十月3日 – 11日" beside the long date "2016年10月12日"."""
    start, end = dt.date(2016, 10, 3), dt.date(2016, 10, 11)
    text = _fmt(lang).render_text(_token(start, end))
    assert text.startswith(says.long_date("2016-10-03", lang))  # the range opens with the start's long date
    assert says.month_name(10, lang) not in text or "10" in says.month_name(10, lang)
    assert text.count("2016") == 1 and "11" in text


@pytest.mark.parametrize("lang", ["en", "fr", "de", "ja", "zh", "ko", "ru", "ar", "bg"])
def test_ranges_write_the_shared_year_once_and_both_long_dates_across_years(lang):
    """Same month: one year, not two long dates joined; across years each end reads as its long date."""
    fmt = _fmt(lang)
    year = format_date(dt.date(2024, 1, 1), "y", locale=lang)
    assert fmt.render_text("{daterange:2024-07-13..2024-07-19}").count(year) == 1
    across = fmt.render_text("{daterange:2016-10-03..2017-01-05}")
    assert says.long_date("2016-10-03", lang) in across and says.long_date("2017-01-05", lang) in across


def test_a_locale_whose_abbreviated_interval_is_numeric_uses_its_full_month_interval():
    """bg's yMMMd interval is numeric (3.10. – 11.10.) while its long date names the month."""
    long_pattern = Locale.parse("bg").date_formats["long"].pattern
    assert ("field", ("M", 4)) in tokenize_pattern(long_pattern)  # the long date names the month in full
    text = _fmt("bg").render_text("{daterange:2016-10-03..2016-10-11}")
    assert says.month_name(10, "bg") in text and text.count(says.month_name(10, "bg")) == 1


def test_a_locale_with_no_fitting_interval_joins_its_two_long_dates():
    """cs: CLDR's day-month-year interval writes the month as a number ("3.–11. 10. 2016"), the long date
    names it, and there is no full-month interval; each end is then written as its long date."""
    text = _fmt("cs").render_text("{daterange:2016-10-03..2016-10-11}")
    assert says.long_date("2016-10-03", "cs") in text and says.long_date("2016-10-11", "cs") in text


@pytest.mark.parametrize("lang", ["en", "ja", "fr", "de"])
def test_readme_examples_still_hold(lang):
    """README: "July 9 – 17, 2024", "2024年7月9日～17日", "9–17 juillet 2024"."""
    expected = says.full_month_range("2024-07-09", "2024-07-17", lang)
    assert _fmt(lang).render_text("{daterange:2024-07-09..2024-07-17}") == expected


# --- the sentence's full stop after a token that ends in one --------------------------------------------
def _dotted_locales() -> list[str]:
    """Languages (no region) whose long date ends in a dot, asked of Babel: ru "… 2023 г.", hu "… július 18."."""
    return sorted(
        lang for lang in locale_identifiers()
        if "_" not in lang and format_date(dt.date(2023, 7, 18), "long", locale=lang).endswith(".")
    )


def test_babel_has_more_than_russian_ending_a_date_in_a_dot():
    dotted = _dotted_locales()
    assert "ru" in dotted and len(dotted) >= 2, dotted


@pytest.mark.parametrize("lang", _dotted_locales())
def test_a_date_ending_in_a_dot_ends_the_sentence_once(lang):
    long = says.long_date("2023-07-18", lang)
    assert long.endswith(".")
    assert _fmt(lang).render_text("X {date:2023-07-18}.") == f"X {long}"
    assert _fmt(lang).render_text("X {date:2023-07-18}. Y") == f"X {long} Y"
    assert _fmt(lang).render_text("X {date:2023-07-18}, Y.") == f"X {long}, Y."  # mid-sentence: untouched
    assert _fmt(lang).render_text("X {date:2023-07-18}...") == f"X {long}..."  # an ellipsis is left as written


@pytest.mark.parametrize("token", ["{date:2023-07-18}", "{month:2023-07}", "{daterange:2023-07-09..2023-07-18}",
                                   "{daterange:2023-07-09..2023-08-18}", "{daterange:2023-12-29..2024-01-05}"])
def test_no_locale_doubles_the_full_stop_after_a_date_month_or_range(token):
    doubled = []
    for lang in locale_identifiers():
        fmt = _fmt(lang)
        alone, sentence = fmt.render_text(token), fmt.render_text(f"{token}.")
        expected = alone if alone.endswith(".") else f"{alone}."
        if sentence != expected:
            doubled.append(f"{lang}: {sentence!r}")
    assert not doubled, doubled[:20]


def test_a_token_without_a_final_dot_keeps_the_sentence_dot():
    en = says.long_date("2023-07-18", "en")
    assert not en.endswith(".")
    assert _fmt("en").render_text("On {date:2023-07-18}.") == f"On {en}."


def test_any_token_ending_in_a_dot_absorbs_the_full_stop():
    fmt = _fmt("en", ACME=("Acme Widgets Inc.", "Acme Inc."))
    assert fmt.render_text("Signed by {org:ACME:short}.") == "Signed by Acme Inc."


def test_a_formatter_remembers_a_bounded_number_of_tokens():
    """A build of thousands of releases renders tens of thousands of distinct dates and ranges with one
    formatter per language: it keeps at most REMEMBERED_TOKENS of them, and forgetting changes no answer."""
    from transpub.localize import cldr

    formatter = _fmt("fr")
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(cldr.REMEMBERED_TOKENS // 2 + 300)]  # two tokens each
    texts = [f"Du {_token(day, day + dt.timedelta(days=3))} au {{date:{day.isoformat()}}}." for day in days]
    rendered = [formatter.render_text(text) for text in texts]
    assert len(formatter._rendered) <= cldr.REMEMBERED_TOKENS
    assert all(rendered[n] == _fmt("fr").render_text(texts[n]) for n in range(0, len(texts), 97))
    assert rendered[-1] == formatter.render_text(texts[-1]) and format_date(days[-1], "long", locale="fr") in rendered[-1]
