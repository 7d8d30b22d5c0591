"""Typed tokens rendered for one locale with Babel/CLDR: dates, date ranges, months, countries, lists.

Nothing here hard-codes a language. Two things CLDR does not hand over ready-made are built from its data:

* full-month date ranges ("July 9 – 17, 2024"): CLDR's interval patterns for ``yMMMd`` are taken and
  their abbreviated month field (``MMM``) widened to the full month name (``MMMM``);
* the Japanese era calendar (令和6年7月9日), from a small table of era start dates, because Babel has none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton, parse_pattern
from babel.lists import format_list

from ..errors import TokenError
from ..source.tokens import (
    CountryToken,
    DateRangeToken,
    DateToken,
    ListToken,
    MonthToken,
    OrgToken,
    Token,
    parse_token,
    split_tokens,
)

# Era start dates (the first day of each era in the Gregorian calendar).
JAPANESE_ERAS = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1873, 1, 1), "明治"),  # Japan adopted the Gregorian calendar on Meiji 6-01-01
)
WIDE_PAREN_LANGS = ("ja", "zh", "ko")


@dataclass(frozen=True)
class NameTable:
    """Names for one language: organizations (full, short), country overrides, and the publisher."""

    orgs: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    countries: Mapping[str, str] = field(default_factory=dict)
    publisher: str = ""


class LocaleFormatter:
    def __init__(self, lang: str, names: NameTable, organizations: Mapping[str, object], calendar: str = "gregorian"):
        self.lang = lang
        self.locale = Locale.parse(lang)
        self.names = names
        self.organizations = organizations
        self.japanese_era = calendar == "japanese" and self.locale.language == "ja"
        self._parsed: dict[str, Token] = {}

    # --- whole texts ---------------------------------------------------------------------------
    def render_text(self, text: str) -> str:
        """Replace every token in a plain text by its localized form."""
        if "{" not in text:
            return text  # no token (most text runs)
        parts = list(split_tokens(text))
        if len(parts) == 1:
            return text
        return "".join(part if index % 2 == 0 else self.render_token(part) for index, part in enumerate(parts))

    def render_token(self, raw: str) -> str:
        token = self._parsed.get(raw)
        if token is None:
            try:
                token = self._parsed[raw] = parse_token(raw, self.organizations)
            except TokenError:
                # Only a translation can hold a bad token (sources are checked when read): `check`
                # reports it and build does not publish the page, so a draft shows it as typed.
                return raw
        return self.render(token)

    def render(self, token: Token) -> str:
        if isinstance(token, DateToken):
            return self.date(token.date)
        if isinstance(token, DateRangeToken):
            return self.daterange(token.start, token.end)
        if isinstance(token, MonthToken):
            return self.month(token.year, token.month)
        if isinstance(token, CountryToken):
            return self.country(token.code)
        if isinstance(token, OrgToken):
            return self.org(token.org_id, token.short)
        if isinstance(token, ListToken):
            return format_list([self.render(item) for item in token.items], locale=self.locale)
        raise TypeError(token)

    # --- values --------------------------------------------------------------------------------
    def date(self, value: dt.date) -> str:
        if self.japanese_era:
            era, year = japanese_era(value)
            return f"{era}{year}年{value.month}月{value.day}日"
        return format_date(value, "long", locale=self.locale)

    def month(self, year: int, month: int) -> str:
        if self.japanese_era:
            era, era_year = japanese_era(dt.date(year, month, 1))
            return f"{era}{era_year}年{month}月"
        return format_skeleton("yMMMM", dt.date(year, month, 1), locale=self.locale)

    def daterange(self, start: dt.date, end: dt.date) -> str:
        if start == end:
            return self.date(start)
        if self.japanese_era:
            return _japanese_range(start, end)
        return full_month_interval(start, end, self.locale)

    def country(self, code: str) -> str:
        return self.names.countries.get(code) or self.locale.territories.get(code, code)

    def org(self, org_id: str, short: bool = False) -> str:
        name, abbreviation = self.names.orgs.get(org_id, (org_id, org_id))
        if short:
            return abbreviation or name
        if not abbreviation or abbreviation == name:
            return name
        if self.locale.language in WIDE_PAREN_LANGS:
            return f"{name}({abbreviation})"
        return f"{name} ({abbreviation})"


def japanese_era(value: dt.date) -> tuple[str, str]:
    """(era name, year in era) with 元 for the first year, e.g. 2019-05-01 -> ("令和", "元")."""
    for start, era in JAPANESE_ERAS:
        if value >= start:
            year = value.year - start.year + 1
            return era, "元" if year == 1 else str(year)
    return "", str(value.year)  # before Meiji 6: no era table entry; plain Western year


def _japanese_range(start: dt.date, end: dt.date) -> str:
    era_a, year_a = japanese_era(start)
    era_b, year_b = japanese_era(end)
    head = f"{era_a}{year_a}年{start.month}月{start.day}日"
    if (era_a, year_a) != (era_b, year_b):
        return f"{head}～{era_b}{year_b}年{end.month}月{end.day}日"
    if start.month != end.month:
        return f"{head}～{end.month}月{end.day}日"
    return f"{head}～{end.day}日"


_ABBREVIATED_MONTH = re.compile(r"(?<![ML])([ML])\1\1(?![ML])")


def full_month_interval(start: dt.date, end: dt.date, locale: Locale) -> str:
    """CLDR's day-month-year interval with the month written in full ("July 9 – 17, 2024")."""
    formats = locale.interval_formats.get("yMMMd")
    if not formats:
        return format_interval(start, end, "yMMMMd", locale=locale)
    if start.year != end.year:
        diff = "y"
    elif start.month != end.month:
        diff = "M"
    else:
        diff = "d"
    patterns = formats.get(diff)
    if not patterns:
        return format_interval(start, end, "yMMMMd", locale=locale)
    return "".join(
        parse_pattern(_ABBREVIATED_MONTH.sub(r"\1\1\1\1", pattern)).apply(value, locale)
        for pattern, value in zip(patterns, (start, end))
    )

