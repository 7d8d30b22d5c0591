"""Typed tokens rendered for one locale with Babel/CLDR: dates, date ranges, months, countries, lists.

Nothing here hard-codes a language. Three things CLDR does not hand over ready-made are built from its data:

* date ranges written like the locale's long date ("July 9 – 17, 2024", "2016年10月3日 – 11日"): CLDR's
  day-month-year interval patterns are taken and their month written as the long date writes it — in
  full where the long date names the month (``MMMM``), as CLDR gives it where the long date writes a
  number (``y年M月d日``); a locale whose interval patterns cannot be fitted gets its two long dates
  joined by its own interval fallback ("{0} – {1}");
* no doubled full stop: a token whose rendering ends in "." (the Russian long date "… 2023 г.") absorbs
  the sentence's own "." that follows it;
* the Japanese era calendar (令和6年7月9日), from a small table of era start dates, because Babel has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale
from babel.dates import (
    format_date,
    format_skeleton,
    get_month_names,
    parse_pattern,
    tokenize_pattern,
)
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
    form_context,
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
    forms: Mapping[str, str] = field(default_factory=dict)  # "org:EUIPO|gen" -> that form of the name
    # the formatters made for these names (see formatter_for): every release of a build renders its
    # tokens with the same names, and a formatter remembers each token it rendered
    _formatters: dict = field(default_factory=dict, compare=False, repr=False)


def formatter_for(lang: str, names: NameTable, organizations: Mapping[str, object], calendar: str = "gregorian") -> LocaleFormatter:
    """The :class:`LocaleFormatter` of these names, made once: a token is then localized once per build
    (per process), not once per release."""
    key = (lang, calendar)
    made = names._formatters.get(key)
    if made is None or made.organizations is not organizations:
        made = names._formatters[key] = LocaleFormatter(lang, names, organizations, calendar)
    return made


REMEMBERED_TOKENS = 4096  # rendered tokens a formatter keeps: a few releases' worth, a bounded amount of memory


class LocaleFormatter:
    def __init__(self, lang: str, names: NameTable, organizations: Mapping[str, object], calendar: str = "gregorian"):
        self.lang = lang
        self.locale = Locale.parse(lang)
        self.names = names
        self.organizations = organizations
        self.japanese_era = calendar == "japanese" and self.locale.language == "ja"
        self._parsed: dict[str, Token] = {}
        # a token's rendering depends only on the token, the locale and the names above, which are fixed
        # for this formatter: a release's page and its document render the same tokens
        self._rendered: dict[str, str] = {}

    # --- whole texts ---------------------------------------------------------------------------
    def render_text(self, text: str) -> str:
        """Replace every token in a plain text by its localized form."""
        if "{" not in text:
            return text  # no token (most text runs)
        parts = list(split_tokens(text))
        if len(parts) == 1:
            return text
        out: list[str] = []
        for index, part in enumerate(parts):
            if index % 2:
                out.append(self.render_token(part))
            elif index and out[-1].endswith(".") and part.startswith(".") and not part.startswith(".."):
                out.append(part[1:])  # "2023 г." + "." -> "2023 г.": the abbreviation's dot ends the sentence
            else:
                out.append(part)
        return "".join(out)

    def render_token(self, raw: str) -> str:
        text = self._rendered.get(raw)
        if text is None:
            if len(self._rendered) >= REMEMBERED_TOKENS:
                # dates and lists differ from release to release: a build of thousands would otherwise
                # hold every token it ever rendered; the tokens of the releases in hand are made again
                self._rendered.clear()
                self._parsed.clear()
            text = self._rendered[raw] = self._render_raw(raw)
        return text

    def _render_raw(self, raw: str) -> str:
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
            form = self.names.forms.get(form_context(token)) if token.form else None
            return form or self.country(token.code)
        if isinstance(token, OrgToken):
            form = self.names.forms.get(form_context(token)) if token.form else None
            return self.org(token.org_id, token.short, form)
        if isinstance(token, ListToken):
            return format_list([self.render(item) for item in token.items], locale=self.locale)
        raise TypeError(token)

    # --- values --------------------------------------------------------------------------------
    def date(self, value: dt.date) -> str:
        if self.japanese_era:
            era, year = japanese_era(value)
            return f"{era}{year}年{value.month}月{value.day}日"
        return _long_date(self.lang, value)

    def month(self, year: int, month: int) -> str:
        if self.japanese_era:
            era, era_year = japanese_era(dt.date(year, month, 1))
            return f"{era}{era_year}年{month}月"
        return _month(self.lang, year, month)

    def daterange(self, start: dt.date, end: dt.date) -> str:
        if start == end:
            return self.date(start)
        if self.japanese_era:
            return _japanese_range(start, end)
        return _date_interval(self.lang, start, end)

    def country(self, code: str) -> str:
        return self.names.countries.get(code) or self.locale.territories.get(code, code)

    def org(self, org_id: str, short: bool = False, form: str | None = None) -> str:
        """The organization's name, with its abbreviation; ``form`` is a grammatical form of the name (or,
        with ``short``, of the abbreviation) from names.po, used in its place when there is one."""
        name, abbreviation = self.names.orgs.get(org_id, (org_id, org_id))
        if short:
            return form or abbreviation or name
        name = form or name
        if not abbreviation or abbreviation == name:
            return name
        if self.locale.language in WIDE_PAREN_LANGS:
            return f"{name}({abbreviation})"
        return f"{name} ({abbreviation})"


# CLDR formatting is pure (locale, value) -> text, and a corpus repeats its dates across releases, pages
# and documents (every index page lists every release's date): each is formatted once per process.
@lru_cache(maxsize=16384)
def _long_date(lang: str, value: dt.date) -> str:
    return format_date(value, "long", locale=Locale.parse(lang))


@lru_cache(maxsize=4096)
def _month(lang: str, year: int, month: int) -> str:
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=Locale.parse(lang))


# Not cached per process: a date range is seldom repeated from one release to another (6 % of the calls
# of a 5,000-release build), so a cache of them held ~6 MB in every worker for nothing; the repeats within
# a release (its page and its document) are the formatter's (REMEMBERED_TOKENS).
def _date_interval(lang: str, start: dt.date, end: dt.date) -> str:
    return date_interval(start, end, Locale.parse(lang))


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


def date_interval(start: dt.date, end: dt.date, locale: Locale) -> str:
    """A day-month-year range whose day and month read as in the locale's long date of each end.

    en "July 9 – 17, 2024" (long date "July 9, 2024"), zh "2016年10月3日 – 11日" (long date
    "2016年10月12日", not 十月), ru "9–17 июля 2024 г." (long date "9 июля 2024 г.")."""
    if start.year != end.year:
        diff = "y"
    elif start.month != end.month:
        diff = "M"
    else:
        diff = "d"
    pieces = _fitted_pieces(locale, diff)
    if pieces is None:
        fallback = locale.interval_formats.get(None) or "{0} – {1}"
        first, second = (format_date(value, "long", locale=locale) for value in (start, end))
        return fallback.replace("{0}", first).replace("{1}", second)
    return "".join(parse_pattern(piece).apply(value, locale) for piece, value in zip(pieces, (start, end)))


NAME_WIDTH = 3  # a month field of 3 or 4 letters (MMM, MMMM) is a name; 1 or 2 a number; 5 the narrow form


@dataclass(frozen=True)
class _LongDate:
    """How the locale's long date writes the month and the day: "d MMMM y" -> MMMM, names; "y年M月d日" -> M."""

    month: tuple[str, int]
    day_width: int
    numeric_month: bool  # "10" or "10월" (ko's MMMM); False for "October", "октября"

    @classmethod
    def of(cls, locale: Locale) -> _LongDate | None:
        fields: dict[str, tuple[str, int]] = {}
        for kind, value in tokenize_pattern(locale.date_formats["long"].pattern):
            if kind == "field":
                fields.setdefault(value[0], value)
        month = fields.get("M") or fields.get("L")
        if month is None or "d" not in fields:
            return None
        return cls(month, fields["d"][1], not _names_are_names(locale, *month))


@lru_cache(maxsize=256)
def _fitted_pieces(locale: Locale, diff: str) -> list[str] | None:
    """:func:`_interval_pieces` for the locale's long date, worked out once per (locale, diff) and process."""
    return _interval_pieces(locale, diff, _LongDate.of(locale))


def _interval_pieces(locale: Locale, diff: str, long: _LongDate | None) -> list[str] | None:
    """The two halves of CLDR's interval pattern for ``diff``, day and month fitted to the long date's.

    None when no interval pattern can write the month as the long date does (the caller falls back)."""
    if long is None:
        return None
    # where the long date names the month in full, CLDR's own full-month intervals come first
    skeletons = ("yMMMMd", "yMMMd") if long.month[1] > NAME_WIDTH else ("yMMMd",)
    for skeleton in skeletons:
        pieces = (locale.interval_formats.get(skeleton) or {}).get(diff)
        if not pieces or len(pieces) != 2:
            continue
        fitted = [_fit_fields(tokenize_pattern(_unjoin_quotes(piece)), long, locale) for piece in pieces]
        if all(tokens is not None and _covers(tokens, diff) for tokens in fitted):
            return [_pattern_from_tokens(tokens) for tokens in fitted]  # type: ignore[arg-type]
    return None


def _fit_fields(tokens: list, long: _LongDate, locale: Locale) -> list | None:
    """An interval half's tokens with the long date's day width and month form; None if they cannot fit."""
    fitted = []
    for kind, value in tokens:
        if kind == "field" and value[0] == "d":
            value = ("d", long.day_width)
        elif kind == "field" and value[0] in "ML":
            letter, width = value
            if long.numeric_month:
                if _names_are_names(locale, letter, width):
                    return None  # a month name ("十月") where the long date writes a number ("10月")
            elif NAME_WIDTH <= width <= 4:
                value = long.month  # MMM -> MMMM, LLL -> MMMM: the name as the long date inflects it (oc "de genièr")
            else:
                return None  # a number or a narrow form ("X") where the long date names the month
        fitted.append((kind, value))
    return fitted


def _covers(tokens: list, diff: str) -> bool:
    """Each half has its day, and the fields that differ between the ends: month, and year if it differs."""
    letters = {value[0] for kind, value in tokens if kind == "field"}
    needed = {"d", "M"} if diff == "M" else {"d", "M", "y"} if diff == "y" else {"d"}
    return needed <= (letters | ({"M"} if "L" in letters else set()))


def _pattern_from_tokens(tokens: list[tuple[str, object]]) -> str:
    """A pattern string from ``tokenize_pattern``'s tokens, every literal run quoted once.

    Babel's ``untokenize_pattern`` quotes each literal token separately, so two in a row read back as
    one literal with an apostrophe between them; here adjacent literals are merged first."""
    out: list[str] = []
    literal: list[str] = []
    for kind, value in [*tokens, ("field", ("", 0))]:
        if kind == "chars":
            literal.append(str(value))
            continue
        if literal:
            out.append("'" + "".join(literal).replace("'", "''") + "'")
            literal = []
        letter, width = value  # type: ignore[misc]
        out.append(letter * width)
    return "".join(out)


def _names_are_names(locale: Locale, letter: str, width: int) -> bool:
    """Whether a month field writes names ("October", "十月", narrow "O") rather than numbers ("10", "10월")."""
    if width < NAME_WIDTH:
        return False
    kind = {3: "abbreviated", 4: "wide"}.get(width, "narrow")
    names = get_month_names(kind, "stand-alone" if letter == "L" else "format", locale=locale)
    return not all(str(month) in names[month] for month in range(1, 13))


def _unjoin_quotes(piece: str) -> str:
    """Undo Babel's joining of two quoted literals into one with an apostrophe between them.

    Babel stores CLDR's interval patterns split in halves and re-quoted; two adjacent quoted literals
    come back as ``'e)''ko '``, which reads as "e)'ko " (eu "2016(e)'ko"), where CLDR wrote "e)" and "ko".
    No CLDR date pattern has a real apostrophe inside a quoted literal, so ``''`` there is dropped."""
    out: list[str] = []
    quoted = False
    index = 0
    while index < len(piece):
        char = piece[index]
        if char == "'" and piece.startswith("''", index):
            if not quoted:
                out.append("''")  # an apostrophe outside quotes stays one
            index += 2
            continue
        if char == "'":
            quoted = not quoted
        out.append(char)
        index += 1
    return "".join(out)
