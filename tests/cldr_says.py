"""What the installed Babel says (CLDR data), for tests to compare with instead of copied CLDR strings.

A Babel upgrade brings a new CLDR release, which may reword a date, a month, a country name or a list
("Vietnam", "18 يوليو 2023", "2023年7月18日"). A test that asks these functions follows it and still fails
when transpub asks CLDR the wrong question (an abbreviated month where the full one belongs, another
locale, a missing token) or puts the answer in the wrong place. transpub's own words (interface labels,
overrides from transpub.toml, translations in the catalogs) stay literal in the tests.
"""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_interval, format_skeleton, get_month_names
from babel.lists import format_list


def long_date(iso: str, lang: str) -> str:
    """A date as CLDR's "long" format writes it: July 18, 2023 / 2023年7月18日 / 18 juillet 2023."""
    return format_date(dt.date.fromisoformat(iso), "long", locale=lang)


def month_of_year(year: int, month: int, lang: str) -> str:
    """A month with its year, the month in full: December 2023 / 2023年12月 / décembre 2023."""
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=lang)


def full_month_range(start: str, end: str, lang: str) -> str:
    """CLDR's day-month-year interval with its abbreviated month names replaced by the full ones.

    Babel is asked for the interval (abbreviated months, "Jul 9 – 17, 2024") and for both sets of month
    names; the test does not reuse the pattern surgery transpub does."""
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    text = format_interval(a, b, "yMMMd", locale=lang)
    short = get_month_names("abbreviated", locale=lang)
    wide = get_month_names("wide", locale=lang)
    for month in sorted({a.month, b.month}, key=lambda m: -len(short[m])):
        text = text.replace(short[month], wide[month])
    return text


def month_name(month: int, lang: str) -> str:
    """A month's full name as a date writes it: July / يوليو / יולי."""
    return get_month_names("wide", locale=lang)[month]


def country(code: str, lang: str) -> str:
    """A territory's name in ``lang``: Kazakhstan / カザフスタン."""
    return Locale.parse(lang).territories[code]


def countries(codes: str, lang: str) -> list[str]:
    return [country(code, lang) for code in codes.split()]


def listed(items: list[str], lang: str) -> str:
    """Items joined as ``lang`` writes a list: "A, B, and C" / "A、B、C"."""
    return format_list(items, locale=lang)


def autonym(lang: str) -> str:
    """A language's name in itself: 日本語 / English / العربية."""
    locale = Locale.parse(lang)
    return locale.get_display_name(locale)


def likely_region(lang: str) -> str:
    """The region CLDR's likely subtags give a language or language_Script: ja -> JP, ar -> EG, zh_Hant -> TW."""
    return Locale.parse(get_global("likely_subtags")[lang]).territory
