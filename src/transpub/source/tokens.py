"""Typed tokens inside segment text: ``{date:2023-07-18}``, ``{country:KZ}``, ``{list:KZ DE INTA}``…

A token is written ``{kind:argument}``. This module finds tokens in a text and turns each into a
validated :class:`Token` value; rendering them for a locale lives in ``render/cldr.py``. Anything that
looks like a token (``{word:…}``) but has an unknown kind is an error, so a typo never slips through as
literal text.

Kinds:
    date       {date:2023-07-18}                 a calendar date
    daterange  {daterange:2024-07-09..2024-07-17} two dates, start <= end
    month      {month:2023-12}                   a year and month
    country    {country:KZ}                      an ISO 3166-1 alpha-2 code known to CLDR
    org        {org:WIPO} / {org:WIPO:short}     an organization declared in transpub.toml
    list       {list:KZ DE INTA}                 countries and organizations as a locale-correct list

In a translation, a name token may ask for a grammatical form, Fluent-style: ``{org:EUIPO|gen}``,
``{country:DE|dat}``, ``{org:WIPO:short|gen}``. Each form is defined once per language in names.po
(msgctxt ``org:EUIPO|gen``) and is the same token for every check; ``{list:…}`` stays in the nominative.
Sources write names in their base form: a form there is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from ..errors import TokenError
from ..territories import is_country_code

# `{kind:arg}`; the kind is lowercase letters, the argument has no braces and no line break.
TOKEN_RE = re.compile(r"\{([A-Za-z_]+):([^{}\n]*)\}")

KINDS = ("date", "daterange", "month", "country", "org", "list")


@dataclass(frozen=True)
class Token:
    kind: str
    raw: str  # the token exactly as written, braces included


@dataclass(frozen=True)
class DateToken(Token):
    date: dt.date


@dataclass(frozen=True)
class DateRangeToken(Token):
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class MonthToken(Token):
    year: int
    month: int


@dataclass(frozen=True)
class CountryToken(Token):
    code: str
    form: str | None = None  # a grammatical form ("dat"), in translations only


@dataclass(frozen=True)
class OrgToken(Token):
    org_id: str
    short: bool
    form: str | None = None  # a grammatical form ("gen"), in translations only


@dataclass(frozen=True)
class ListToken(Token):
    items: tuple[Token, ...]  # CountryToken or OrgToken(short=False)


# `{` then a word and a colon, spaces allowed: what a reader takes for a token, well-formed or not
TOKEN_LIKE_RE = re.compile(r"\{\s*[A-Za-z_]+\s*:")


def check_token_like(text: str) -> list[str]:
    """The raw tokens of ``text``; anything else in it that looks like a token is a TokenError."""
    tokens = [m.group(0) for m in TOKEN_RE.finditer(text)]
    if len(tokens) != len(TOKEN_LIKE_RE.findall(text)):
        starts = {m.start() for m in TOKEN_RE.finditer(text)}
        for like in TOKEN_LIKE_RE.finditer(text):
            if like.start() not in starts:
                raise TokenError(f"{_excerpt(text, like.start())}: looks like a token but is not one: {_token_advice(text, like)}")
    return tokens


def _excerpt(text: str, start: int) -> str:
    end = text.find("}", start)
    piece = text[start : end + 1 if end >= 0 else len(text)]
    return piece if len(piece) <= 40 else piece[:39] + "…"


def _token_advice(text: str, like: re.Match[str]) -> str:
    if " " in like.group(0):
        return "write it without spaces, e.g. {date:2023-07-18}"
    rest = text[like.end() :]
    closing, opening = rest.find("}"), rest.find("{")
    if 0 <= opening < closing or (opening >= 0 > closing):
        return "'}' is missing before the next '{' (a token cannot hold another one: {list:KZ DE} takes codes and ids)"
    if closing < 0 or "\n" in rest[:closing]:
        return "it is never closed with '}'"
    return "a token is written {kind:value}, e.g. {date:2023-07-18}"


def find_tokens(text: str) -> list[str]:
    """The raw tokens in ``text``, in order, without validating them."""
    return [m.group(0) for m in TOKEN_RE.finditer(text)]


def split_tokens(text: str) -> Iterator[str]:
    """Split ``text`` into alternating literal parts and raw tokens (literal parts may be empty)."""
    pos = 0
    for match in TOKEN_RE.finditer(text):
        yield text[pos : match.start()]
        yield match.group(0)
        pos = match.end()
    yield text[pos:]


FORM_RE = re.compile(r"[a-z][a-z0-9_]{0,19}")


def split_form(raw: str) -> tuple[str, str | None]:
    """``{org:EUIPO|gen}`` -> (``{org:EUIPO}``, ``gen``); a token without a form -> (itself, None)."""
    if "|" not in raw:
        return raw, None
    base, _, form = raw[1:-1].partition("|")
    return "{" + base + "}", form


def form_context(token: Token) -> str | None:
    """The names.po context that defines a name token's form (``org:EUIPO|gen``), None without one."""
    if isinstance(token, OrgToken) and token.form:
        return f"org:{token.org_id}{':short' if token.short else ''}|{token.form}"
    if isinstance(token, CountryToken) and token.form:
        return f"country:{token.code}|{token.form}"
    return None


def form_contexts(text: str, organizations: Mapping[str, object]) -> list[str]:
    """The names.po contexts of the grammatical forms a translation asks for, in order, each once
    (malformed ones are left out: ``check`` reports them)."""
    found: dict[str, None] = {}
    if "|" in text:
        for raw in find_tokens(text):
            if "|" in raw:
                try:
                    found[form_context(parse_token(raw, organizations))] = None
                except TokenError:
                    pass
    return list(found)


def parse_token(raw: str, organizations: Mapping[str, object]) -> Token:
    """Validate one raw token (``{kind:arg}``) against CLDR and the declared organizations."""
    if "|" in raw:
        return _with_form(raw, organizations)
    if raw.startswith(("{date:", "{daterange:", "{month:", "{country:")):
        return _parse_fixed_token(raw)  # these mean the same in every project: parsed once per process
    return _parse_token(raw, organizations)


@lru_cache(maxsize=4096)
def _parse_fixed_token(raw: str) -> Token:
    return _parse_token(raw, {})


def _with_form(raw: str, organizations: Mapping[str, object]) -> Token:
    base_raw, form = split_form(raw)
    if not form or not FORM_RE.fullmatch(form):
        raise TokenError(f"{raw}: a grammatical form is one short name after '|', e.g. {base_raw[:-1]}|gen}}")
    base = parse_token(base_raw, organizations)
    if not isinstance(base, OrgToken | CountryToken):
        raise TokenError(f"{raw}: only names have grammatical forms ({{org:…}}, {{country:…}}); {{list:…}} stays in the nominative")
    return replace(base, raw=raw, form=form)


def _parse_token(raw: str, organizations: Mapping[str, object]) -> Token:
    match = TOKEN_RE.fullmatch(raw)
    if not match:
        raise TokenError(f"not a token: {raw!r}")
    kind, arg = match.group(1), match.group(2).strip()
    if kind == "date":
        return DateToken(kind, raw, _parse_date(arg, raw))
    if kind == "daterange":
        start_text, sep, end_text = arg.partition("..")
        if not sep:
            raise TokenError(f"{raw}: a date range is written START..END, e.g. {{daterange:2024-07-09..2024-07-17}}")
        start, end = _parse_date(start_text.strip(), raw), _parse_date(end_text.strip(), raw)
        if start > end:
            raise TokenError(f"{raw}: the range ends before it starts")
        return DateRangeToken(kind, raw, start, end)
    if kind == "month":
        m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", arg)
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:  # dates start in year 1
            raise TokenError(f"{raw}: a month is written YYYY-MM, e.g. {{month:2023-12}}")
        return MonthToken(kind, raw, int(m.group(1)), int(m.group(2)))
    if kind == "country":
        return CountryToken(kind, raw, _check_country(arg, raw))
    if kind == "org":
        org_id, sep, variant = arg.partition(":")
        if sep and variant != "short":
            raise TokenError(f"{raw}: the only organization variant is ':short'")
        if org_id not in organizations:
            raise TokenError(f"{raw}: unknown organization {org_id!r}; declare it in [organizations] of transpub.toml")
        return OrgToken(kind, raw, org_id, short=bool(sep))
    if kind == "list":
        names = arg.split()
        if not names:
            raise TokenError(f"{raw}: an empty list")
        return ListToken(kind, raw, tuple(_list_item(name, raw, organizations) for name in names))
    raise TokenError(f"{raw}: unknown token kind {kind!r} (known: {', '.join(KINDS)})")


def parse_tokens(text: str, organizations: Mapping[str, object]) -> list[Token]:
    return [parse_token(raw, organizations) for raw in find_tokens(text)]


def _parse_date(text: str, raw: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise TokenError(f"{raw}: a date is written YYYY-MM-DD, e.g. {{date:2023-07-18}}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise TokenError(f"{raw}: no such date ({exc})") from None




def _check_country(code: str, raw: str) -> str:
    if not is_country_code(code):
        raise TokenError(f"{raw}: {code!r} is not an ISO 3166-1 alpha-2 country code known to CLDR")
    return code


def _list_item(name: str, raw: str, organizations: Mapping[str, object]) -> Token:
    # A declared organization wins over a CLDR territory of the same name (e.g. an org called "EU").
    if name in organizations:
        return OrgToken("org", f"{{org:{name}}}", name, short=False)
    if is_country_code(name):
        return CountryToken("country", f"{{country:{name}}}", name)
    raise TokenError(f"{raw}: {name!r} is neither a country code nor a declared organization")
