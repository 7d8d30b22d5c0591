"""Every typed token kind: what it accepts, how it renders per locale, and how it fails."""

from __future__ import annotations

import datetime as dt

import pytest

from transpub.errors import TokenError
from transpub.localize.cldr import LocaleFormatter, NameTable, japanese_era
from transpub.source.tokens import (
    CountryToken,
    DateRangeToken,
    DateToken,
    ListToken,
    MonthToken,
    OrgToken,
    find_tokens,
    parse_token,
    split_tokens,
)

ORGS = {"WIPO": object(), "INTA": object(), "EU": object()}


def test_each_kind_parses_to_its_value():
    assert parse_token("{date:2023-07-18}", ORGS) == DateToken("date", "{date:2023-07-18}", dt.date(2023, 7, 18))
    rng = parse_token("{daterange:2024-07-09..2024-07-17}", ORGS)
    assert isinstance(rng, DateRangeToken) and (rng.start, rng.end) == (dt.date(2024, 7, 9), dt.date(2024, 7, 17))
    assert parse_token("{month:2023-12}", ORGS) == MonthToken("month", "{month:2023-12}", 2023, 12)
    assert parse_token("{country:KZ}", ORGS) == CountryToken("country", "{country:KZ}", "KZ")
    assert parse_token("{org:WIPO}", ORGS) == OrgToken("org", "{org:WIPO}", "WIPO", False)
    assert parse_token("{org:WIPO:short}", ORGS).short is True
    items = parse_token("{list:KZ WIPO DE}", ORGS)
    assert isinstance(items, ListToken)
    assert [type(i).__name__ for i in items.items] == ["CountryToken", "OrgToken", "CountryToken"]


def test_declared_organization_wins_over_territory_of_the_same_code():
    (item,) = parse_token("{list:EU}", ORGS).items
    assert isinstance(item, OrgToken)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{date:2023-02-30}", "no such date"),
        ("{date:18/07/2023}", "YYYY-MM-DD"),
        ("{daterange:2024-07-17..2024-07-09}", "ends before it starts"),
        ("{daterange:2024-07-09}", "START..END"),
        ("{daterange:2024-07-09..2024-13-01}", "no such date"),
        ("{month:2023-13}", "YYYY-MM"),
        ("{country:XX}", "not an ISO 3166-1"),
        ("{country:ZZ}", "not an ISO 3166-1"),
        ("{country:kz}", "not an ISO 3166-1"),
        ("{org:NOPE}", "unknown organization"),
        ("{org:WIPO:long}", "variant"),
        ("{list:KZ NOPE}", "neither a country code nor a declared organization"),
        ("{list: }", "empty list"),
        ("{dat:2023-07-18}", "unknown token kind"),
    ],
)
def test_bad_tokens_are_refused_with_a_reason(raw, message):
    with pytest.raises(TokenError, match=message):
        parse_token(raw, ORGS)


def test_find_and_split_keep_text_around_tokens():
    text = "From {date:2023-07-06} in {country:CH}."
    assert find_tokens(text) == ["{date:2023-07-06}", "{country:CH}"]
    assert list(split_tokens(text)) == ["From ", "{date:2023-07-06}", " in ", "{country:CH}", "."]
    assert find_tokens("braces {like this} are text") == []


def _fmt(lang, calendar="gregorian", **names):
    table = NameTable(orgs={"WIPO": names.get("wipo", ("World Intellectual Property Organization", "WIPO"))},
                      countries=names.get("countries", {}))
    return LocaleFormatter(lang, table, ORGS, calendar)


@pytest.mark.parametrize(
    "lang, token, expected",
    [
        ("en", "{date:2023-07-18}", "July 18, 2023"),
        ("ja", "{date:2023-07-18}", "2023年7月18日"),
        ("fr", "{date:2023-07-18}", "18 juillet 2023"),
        ("en", "{daterange:2024-07-09..2024-07-17}", "July 9\u2009–\u200917, 2024"),  # CLDR puts thin spaces round the dash
        ("ja", "{daterange:2024-07-09..2024-07-17}", "2024年7月9日～17日"),
        ("fr", "{daterange:2024-07-09..2024-07-17}", "9–17 juillet 2024"),
        ("en", "{daterange:2024-07-09..2024-08-02}", "July 9\u2009–\u2009August 2, 2024"),
        ("en", "{daterange:2024-07-09..2024-07-09}", "July 9, 2024"),
        ("en", "{month:2023-12}", "December 2023"),
        ("ja", "{month:2023-12}", "2023年12月"),
        ("fr", "{month:2023-12}", "décembre 2023"),
        ("en", "{country:KZ}", "Kazakhstan"),
        ("ja", "{country:KZ}", "カザフスタン"),
        ("en", "{org:WIPO}", "World Intellectual Property Organization (WIPO)"),
        ("en", "{org:WIPO:short}", "WIPO"),
        ("en", "{list:KZ DE WIPO}", "Kazakhstan, Germany, and World Intellectual Property Organization (WIPO)"),
        ("ja", "{list:KZ DE}", "カザフスタン、ドイツ"),
    ],
)
def test_tokens_render_per_locale(lang, token, expected):
    assert _fmt(lang).render_text(token) == expected


def test_country_override_beats_cldr():
    assert _fmt("en").render_text("{country:VN}") == "Vietnam"
    assert _fmt("en", countries={"VN": "Viet Nam"}).render_text("{country:VN}") == "Viet Nam"


def test_organization_names_in_cjk_use_no_space_before_parenthesis():
    fmt = _fmt("ja", wipo=("世界知的所有権機関", "WIPO"))
    assert fmt.render_text("{org:WIPO}") == "世界知的所有権機関(WIPO)"


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2019, 4, 30), ("平成", "31")),
        (dt.date(2019, 5, 1), ("令和", "元")),
        (dt.date(2020, 1, 1), ("令和", "2")),
        (dt.date(1989, 1, 7), ("昭和", "64")),
        (dt.date(1989, 1, 8), ("平成", "元")),
    ],
)
def test_japanese_era_boundaries(day, expected):
    assert japanese_era(day) == expected


def test_japanese_era_calendar_formats_dates_ranges_and_months():
    fmt = _fmt("ja", calendar="japanese")
    assert fmt.render_text("{date:2024-07-09}") == "令和6年7月9日"
    assert fmt.render_text("{daterange:2024-07-09..2024-07-17}") == "令和6年7月9日～17日"
    assert fmt.render_text("{daterange:2019-04-29..2019-05-02}") == "平成31年4月29日～令和元年5月2日"
    assert fmt.render_text("{month:2019-05}") == "令和元年5月"
    # the era calendar is Japanese only: English keeps the Gregorian calendar even if asked
    assert _fmt("en", calendar="japanese").render_text("{date:2024-07-09}") == "July 9, 2024"
