"""Every typed token kind: what it accepts, how it renders per locale, and how it fails."""

from __future__ import annotations

import datetime as dt

import cldr_says as says
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
        ("en", "{date:2023-07-18}", lambda: says.long_date("2023-07-18", "en")),
        ("ja", "{date:2023-07-18}", lambda: says.long_date("2023-07-18", "ja")),
        ("fr", "{date:2023-07-18}", lambda: says.long_date("2023-07-18", "fr")),
        ("en", "{daterange:2024-07-09..2024-07-17}", lambda: says.full_month_range("2024-07-09", "2024-07-17", "en")),
        ("ja", "{daterange:2024-07-09..2024-07-17}", lambda: says.full_month_range("2024-07-09", "2024-07-17", "ja")),
        ("fr", "{daterange:2024-07-09..2024-07-17}", lambda: says.full_month_range("2024-07-09", "2024-07-17", "fr")),
        ("en", "{daterange:2024-07-09..2024-08-02}", lambda: says.full_month_range("2024-07-09", "2024-08-02", "en")),
        ("ar", "{daterange:2024-12-30..2025-01-02}", lambda: says.full_month_range("2024-12-30", "2025-01-02", "ar")),
        ("en", "{daterange:2024-07-09..2024-07-09}", lambda: says.long_date("2024-07-09", "en")),  # one day: a date
        ("en", "{month:2023-12}", lambda: says.month_of_year(2023, 12, "en")),
        ("ja", "{month:2023-12}", lambda: says.month_of_year(2023, 12, "ja")),
        ("fr", "{month:2023-12}", lambda: says.month_of_year(2023, 12, "fr")),
        ("en", "{country:KZ}", lambda: says.country("KZ", "en")),
        ("ja", "{country:KZ}", lambda: says.country("KZ", "ja")),
        ("en", "{org:WIPO}", lambda: "World Intellectual Property Organization (WIPO)"),  # transpub's own rule
        ("en", "{org:WIPO:short}", lambda: "WIPO"),
        ("en", "{list:KZ DE WIPO}", lambda: says.listed([*says.countries("KZ DE", "en"), "World Intellectual Property Organization (WIPO)"], "en")),
        ("ja", "{list:KZ DE}", lambda: says.listed(says.countries("KZ DE", "ja"), "ja")),
    ],
)
def test_tokens_render_per_locale(lang, token, expected):
    assert _fmt(lang).render_text(token) == expected()


def test_full_month_ranges_write_the_month_in_full_once():
    """What transpub adds to CLDR's interval: the month in full, written once when both ends share it."""
    july, august = (says.month_of_year(2024, m, "en").split()[0] for m in (7, 8))  # "July", "August"
    same_month = _fmt("en").render_text("{daterange:2024-07-09..2024-07-17}")
    assert same_month.count(july) == 1 and "9" in same_month and "17" in same_month
    two_months = _fmt("en").render_text("{daterange:2024-07-09..2024-08-02}")
    assert july in two_months and august in two_months
    assert _fmt("fr").render_text("{daterange:2024-07-09..2024-07-17}").count(says.month_of_year(2024, 7, "fr").split()[0]) == 1


def test_country_override_beats_cldr():
    cldr = says.country("VN", "en")
    assert _fmt("en").render_text("{country:VN}") == cldr
    assert _fmt("en", countries={"VN": "Viet Nam (override)"}).render_text("{country:VN}") == "Viet Nam (override)"


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
    assert _fmt("en", calendar="japanese").render_text("{date:2024-07-09}") == says.long_date("2024-07-09", "en")
