"""Quality checks on translations: plain functions in a list, each yielding findings with a code.

Every check takes one :class:`Pair` (a msgid, its msgstr and what the catalog knows around them) and
yields :class:`Issue` values; :func:`check_catalog` runs every check on every translated entry, collects
all findings (never just the first) and locates them at the entry's source line (``#:``), which is
where editors jump to. ``ERROR`` findings block publishing the (release, language); ``WARNING`` ones
are advice.

=================  ========  =====================================================================
code               severity  what it finds
=================  ========  =====================================================================
token-missing      error     a typed token of the source ({country:KZ}) is missing (or too few)
token-extra        error     a token the source does not have (or too many)
token-changed      error     a token altered: the translation has {country:KX} where the source has
                             {country:KZ} (same kind, other value)
markup-missing     error     fewer links, *emphasis*, **strong**, `code` spans or line breaks
markup-extra       error     more of them than the source has
markup-broken      error     markup left as literal text: a stray ``**``, ``*`` or `````, or ``](``
                             of a link that no longer parses
url-changed        error     a link or URL of the source is missing or different
number-missing     warning   a number of the source (digits outside tokens; full-width and other
                             Unicode digits count as ASCII ones) is not in the translation
whitespace         warning   the translation starts or ends with whitespace
double-space       warning   two spaces in a row
identical          warning   the translation is the source text, untranslated (segments that are
                             only tokens, numbers, URLs, code or acronyms are exempt)
punctuation        warning   the source ends a sentence and the translation ends with the wrong
                             sentence punctuation for its language ("." in Japanese/Chinese, "。"
                             elsewhere) or with none
length-ratio       warning   the translation is far shorter or longer than usual for the language
                             pair (CJK and Latin scripts weighed differently; short texts exempt)
org-name           warning   an organization's source-language name (transpub.toml) left in the
                             translation instead of its token, or a name written out instead of
                             {org:ID} (exactly, or differing from the names.po translation)
glossary           warning   a term of locale/<lang>/LC_MESSAGES/glossary.po appears in the source
                             but its required translation is not in the translation (error when
                             the glossary entry has the flag ``glossary-strict``)
ignore-unknown     warning   a ``transpub-ignore:`` flag names no known check
=================  ========  =====================================================================

Silencing a warning
    A translator who has checked a warning and wants it gone adds the flag
    ``transpub-ignore:<code>`` to that one entry (``#, transpub-ignore:length-ratio``; several codes are
    several flags: ``#, fuzzy, transpub-ignore:number-missing, transpub-ignore:punctuation``). Poedit,
    Weblate and ``msgfmt -c`` keep such flags. Only warnings can be silenced: an error on an entry with
    an ignore flag for it is still reported (and says so), because errors stop the page from being
    built correctly.

Which entries are checked: every active entry of the catalog with a non-empty msgstr, reviewed or
fuzzy; untranslated entries are what ``status`` counts, not a check finding.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path

import polib

from ..catalogs.pofile import read_catalog
from ..catalogs.templates import org_context
from ..config import Organization, Project
from ..errors import TokenError
from ..localize.cldr import LocaleFormatter
from ..localize.names import NO_NAMES, Names, names_formatter, read_names
from ..source.inline import (
    inline_children,
    inline_plain_text,
    is_plain_text,
    text_to_inline,
)
from ..source.model import (
    Code,
    Emphasis,
    Inline,
    LineBreak,
    Link,
    Plain,
    Release,
    Strong,
)
from ..source.reader import source_ref
from ..source.tokens import TOKEN_RE, find_tokens, form_context, parse_token, split_form

IGNORE_FLAG = "transpub-ignore:"
STRICT_GLOSSARY_FLAG = "glossary-strict"


class Severity(str, Enum):
    ERROR = "error"  # blocks publishing
    WARNING = "warning"  # advice; can be silenced per entry


ERROR, WARNING = Severity.ERROR, Severity.WARNING

#: every code a check can report, with its default severity
CODES: Mapping[str, Severity] = {
    "token-missing": ERROR,
    "token-extra": ERROR,
    "token-changed": ERROR,
    "markup-missing": ERROR,
    "markup-extra": ERROR,
    "markup-broken": ERROR,
    "url-changed": ERROR,
    "form-invalid": ERROR,
    "form-undefined": ERROR,
    "number-missing": WARNING,
    "whitespace": WARNING,
    "double-space": WARNING,
    "identical": WARNING,
    "punctuation": WARNING,
    "length-ratio": WARNING,
    "org-name": WARNING,
    "glossary": WARNING,
    "ignore-unknown": WARNING,
}


@dataclass(frozen=True)
class Issue:
    """What a check function yields: a code and a message; severity defaults to the code's."""

    code: str
    message: str
    severity: Severity | None = None

    @property
    def level(self) -> Severity:
        return self.severity or CODES[self.code]


@dataclass(frozen=True)
class Finding:
    """One problem of one entry in one catalog, located for editors and for ``--json``."""

    code: str
    severity: Severity
    message: str  # starts with "[lang] "
    lang: str
    msgid: str
    release: str | None = None
    msgctxt: str | None = None
    source_path: str | None = None  # from the entry's first "#:" occurrence, relative to the project
    source_line: int | None = None
    po_path: str | None = None  # the catalog, relative to the project
    po_line: int | None = None  # the entry's first line in the catalog

    @property
    def location(self) -> str:
        if self.source_path:
            return f"{self.source_path}:{self.source_line}" if self.source_line else self.source_path
        if self.po_path:
            return f"{self.po_path}:{self.po_line}" if self.po_line else self.po_path
        return "-"

    def line_text(self) -> str:
        """``sources/x.md:18: token-missing: [fr] translation lacks {country:KZ}``"""
        return f"{self.location}: {self.code}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "location": self.location,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "release": self.release,
            "lang": self.lang,
            "msgctxt": self.msgctxt,
            "msgid": self.msgid,
            "source": {"path": self.source_path, "line": self.source_line},
            "po": {"path": self.po_path, "line": self.po_line},
        }


# --- what a check sees ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GlossaryTerm:
    source: str
    target: str
    strict: bool


@dataclass(frozen=True)
class CatalogContext:
    """What checks need beyond the entry: languages, organizations, names.po, the glossary."""

    source_lang: str
    lang: str
    organizations: Mapping[str, Organization]
    names: Names = field(default_factory=Names)
    glossary: tuple[GlossaryTerm, ...] = ()
    source_fmt: LocaleFormatter | None = None  # renders tokens for glossary matching
    target_fmt: LocaleFormatter | None = None

    def translated_name(self, org_id: str, short: bool) -> str | None:
        org = self.organizations[org_id]
        entry = self.names.get(org_context(org_id, short), org.short if short else org.name)
        return entry.msgstr if entry is not None and entry.msgstr.strip() else None


def catalog_context(project: Project, lang: str, names: Names | None = None) -> CatalogContext:
    """The context for checking ``lang`` catalogs of ``project`` (reads glossary.po if there is one)."""
    names = names if names is not None else read_names(project, lang)
    glossary_path = project.glossary_path(lang)
    glossary = read_glossary(glossary_path) if glossary_path.exists() else ()

    def formatter(language: str) -> LocaleFormatter:
        return names_formatter(project, language, names if language == lang else NO_NAMES, draft=True)

    return CatalogContext(
        project.source_lang, lang, project.organizations, names, glossary,
        formatter(project.source_lang), formatter(lang),
    )  # fmt: skip


def read_glossary(path: Path) -> tuple[GlossaryTerm, ...]:
    """glossary.po: msgid = source term, msgstr = the required translation; empty msgstr = not enforced."""
    po = read_catalog(path)
    return tuple(
        GlossaryTerm(entry.msgid, entry.msgstr, STRICT_GLOSSARY_FLAG in entry.flags)
        for entry in po
        if not entry.obsolete and entry.msgid.strip() and entry.msgstr.strip()
    )


@dataclass(frozen=True)
class Pair:
    """A source text and its translation, with parsed forms computed once and shared by the checks."""

    source: str
    translation: str
    context: CatalogContext
    parsed_source: tuple[Inline, ...] | None = None  # the source's nodes when its document parse gave them

    @cached_property
    def plain(self) -> bool:
        """Neither text has a character that could start markup: both parse to plain text (a fast path:
        most segments of a release are plain sentences, and every build checks every translation)."""
        return is_plain_text(self.source) and is_plain_text(self.translation)

    @cached_property
    def source_nodes(self) -> tuple[Inline, ...]:
        return self.parsed_source if self.parsed_source is not None else text_to_inline(self.source)

    @cached_property
    def translation_nodes(self) -> tuple[Inline, ...]:
        return text_to_inline(self.translation)

    @cached_property
    def source_plain(self) -> str:
        return inline_plain_text(self.source_nodes)

    @cached_property
    def translation_plain(self) -> str:
        return inline_plain_text(self.translation_nodes)

    @cached_property
    def source_prose(self) -> str:
        """Plain text without tokens and bare URLs: the words a reader reads."""
        return _prose(self.source_plain)

    @cached_property
    def translation_prose(self) -> str:
        return _prose(self.translation_plain)


Check = Callable[[Pair], Iterable[Issue]]

# --- helpers --------------------------------------------------------------------------------------

URL_RE = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]{}\"'「」（）]+")
_CJK_LANGS = ("ja", "zh", "yue")


def _language(lang: str) -> str:
    return lang.replace("-", "_").split("_")[0].lower()


def _prose(plain: str) -> str:
    text = TOKEN_RE.sub(" ", plain)
    text = URL_RE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def _walk(nodes: Iterable[Inline]) -> Iterator[Inline]:
    for node in nodes:
        yield node
        if isinstance(node, (Emphasis, Strong, Link)):
            yield from _walk(node.children)


# --- tokens -------------------------------------------------------------------------------------


def check_tokens(pair: Pair) -> Iterator[Issue]:
    """The translation has exactly the source's tokens (as a multiset: moving them is fine)."""
    if "{" not in pair.source and "{" not in pair.translation:
        return
    # a grammatical form is the same token: {org:EUIPO|gen} stands for {org:EUIPO} (moving or inflecting is fine)
    source_tokens = find_tokens(pair.source)
    target_tokens = [split_form(raw)[0] for raw in find_tokens(pair.translation)]
    if sorted(source_tokens) == sorted(target_tokens):
        return  # the same tokens (most translations): no need to count them
    source, target = Counter(source_tokens), Counter(target_tokens)
    missing = source - target
    extra = target - source
    for raw in list(missing.elements()):
        kind = raw[1 : raw.index(":") + 1]
        changed = next((other for other in extra.elements() if other[1:].startswith(kind)), None)
        if changed is not None:
            missing[raw] -= 1
            extra[changed] -= 1
            yield Issue("token-changed", f"translation has {changed} where the source has {raw}")
    for raw in (+missing):
        if target[raw]:
            yield Issue("token-missing", f"translation has {raw} {target[raw]}× but the source {source[raw]}×")
        else:
            yield Issue("token-missing", f"translation lacks {raw}")
    for raw in (+extra):
        if source[raw]:
            yield Issue("token-extra", f"translation has {raw} {target[raw]}× but the source {source[raw]}×")
        else:
            yield Issue("token-extra", f"translation has {raw}, which the source does not")


# --- inline markup and URLs -----------------------------------------------------------------------

_MARKUP_NAMES = {
    Emphasis: "*emphasis*",
    Strong: "**strong**",
    Code: "`code`",
    Link: "[link](…)",
    LineBreak: "line break",
}


def _markup_counts(nodes: tuple[Inline, ...], counts: Counter | None = None) -> Counter:
    counts = Counter() if counts is None else counts
    for node in nodes:
        name = _MARKUP_NAMES.get(type(node))
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
            if type(node) in _NESTING:
                _markup_counts(node.children, counts)
    return counts


_NESTING = (Emphasis, Strong, Link)


def check_markup(pair: Pair) -> Iterator[Issue]:
    """Links, emphasis, strong, code and line breaks: as many in the translation as in the source."""
    if pair.plain:
        return  # no markup on either side, and no markup character left over as text
    source, target = _markup_counts(pair.source_nodes), _markup_counts(pair.translation_nodes)
    for name in _MARKUP_NAMES.values():
        if source[name] > target[name]:
            yield Issue("markup-missing", f"translation has {target[name]} {name}, the source {source[name]}")
        elif target[name] > source[name]:
            yield Issue("markup-extra", f"translation has {target[name]} {name}, the source {source[name]}")
    target_left = _literal_markup(pair.translation)
    if not target_left:
        return  # (the source's leftovers only matter against the translation's: no need to parse it)
    for residue, count in (target_left - _literal_markup(pair.source)).items():
        yield Issue("markup-broken", f"translation has {residue} as literal text ({count}×): the markup does not parse")


_RESIDUE = re.compile(r"\*\*|\]\(|[*`]")


def _may_hold_residue(text: str) -> bool:
    """Whether :data:`_RESIDUE` can match in ``text`` (asked by substring: much faster than the search)."""
    return "*" in text or "`" in text or "](" in text


def _literal_markup(text: str) -> Counter:
    """Markup characters that the parser left as text (escaped ones, ``\\*``, do not count)."""
    if not _may_hold_residue(text):
        return Counter()  # no markup character at all: nothing can be left over (and no parse needed)
    found: Counter = Counter()
    for token in inline_children(text):  # escaped characters are "text_special" tokens: not counted
        if token.type == "text" and _may_hold_residue(token.content):  # (most pieces of text have none)
            body = TOKEN_RE.sub(" ", token.content)
            found.update(f"'{match.group()}'" for match in _RESIDUE.finditer(body))
    return found


def _urls(nodes: tuple[Inline, ...], plain: str) -> Counter:
    urls = Counter(node.url for node in _walk(nodes) if isinstance(node, Link))
    # a sentence may end right after a bare URL: its full stop is not part of it
    if "://" in plain:
        urls.update(url.rstrip(".,;:!?。、") for url in URL_RE.findall(TOKEN_RE.sub(" ", plain)))
    return urls


def check_urls(pair: Pair) -> Iterator[Issue]:
    """Every link target and bare URL of the source, unchanged."""
    if pair.plain and "://" not in pair.source and "://" not in pair.translation:
        return  # no link and no bare URL on either side
    source = _urls(pair.source_nodes, pair.source_plain)
    target = _urls(pair.translation_nodes, pair.translation_plain)
    # a URL still written in the text of a broken link is markup-broken, not a changed URL
    missing = [url for url in source if url not in target and url not in pair.translation]
    extra = [url for url in target if url not in source]
    while missing and extra:
        yield Issue("url-changed", f"link URL {missing.pop(0)} changed to {extra.pop(0)}")
    for url in missing:
        yield Issue("url-changed", f"translation lacks the URL {url}")
    for url in extra:
        yield Issue("url-changed", f"translation has the URL {url}, which the source does not")


# --- numbers ------------------------------------------------------------------------------------

# digits with the separators locales put inside numbers: 1,000  1.000  1 000 (a space before 3 digits)  3,5  ٣٫٥
_NUMBER_RE = re.compile(r"[0-9]+(?:[.,'’\u066b\u066c][0-9]+|[ \u00a0\u202f\u2009][0-9]{3}(?![0-9]))*")


def ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (full-width ２, Arabic-Indic ٢, Devanagari २ …) as its ASCII digit.

    Only category Nd is converted: Japanese numerals (二, 十) are words, not digits, and superscripts
    or circled numbers are not part of a quantity written in digits.
    """
    return "".join(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text)


def numbers_in(text: str) -> set[str]:
    """The numbers in a prose text, separators and leading zeros removed ("1,000" and "1 000" → "1000")."""
    found = set()
    for match in _NUMBER_RE.finditer(ascii_digits(text)):
        digits = re.sub(r"[^0-9]", "", match.group())
        found.add(digits.lstrip("0") or "0")
    return found


def check_numbers(pair: Pair) -> Iterator[Issue]:
    """Numbers written in digits in the source appear in the translation (tokens are checked separately)."""
    source = numbers_in(pair.source_prose)
    if not source:
        return
    target = numbers_in(pair.translation_prose)
    for number in sorted(source - target, key=lambda n: (len(n), n)):
        yield Issue("number-missing", f"the source has the number {number}, the translation does not")


# --- whitespace ---------------------------------------------------------------------------------

_DOUBLE_SPACE = re.compile(r"[ \t\u00a0\u202f\u3000]{2,}")


def check_whitespace(pair: Pair) -> Iterator[Issue]:
    target, source = pair.translation, pair.source
    if target[:1].isspace() and not source[:1].isspace():
        yield Issue("whitespace", "translation starts with whitespace")
    if target[-1:].isspace() and not source[-1:].isspace():
        yield Issue("whitespace", "translation ends with whitespace")
    extra = len(_DOUBLE_SPACE.findall(target)) - len(_DOUBLE_SPACE.findall(source))
    if extra > 0:
        yield Issue("double-space", f"translation has two spaces in a row ({extra}×)")


# --- identical to the source --------------------------------------------------------------------

_ACRONYM = re.compile(r"\b[A-Z0-9][A-Z0-9&./-]*[A-Z0-9]\b|\b[A-Z]\b")


def _has_words(pair: Pair) -> bool:
    """Whether the source has anything to translate beyond tokens, numbers, URLs, code and acronyms."""
    text = "".join(node.text for node in _walk(pair.source_nodes) if isinstance(node, Plain))
    text = _ACRONYM.sub(" ", URL_RE.sub(" ", TOKEN_RE.sub(" ", text)))
    return any(ch.isalpha() for ch in text)


def check_identical(pair: Pair) -> Iterator[Issue]:
    if pair.context.lang == pair.context.source_lang:
        return
    if " ".join(pair.translation.split()) == " ".join(pair.source.split()) and _has_words(pair):
        yield Issue("identical", "translation is identical to the source: not translated?")


# --- sentence punctuation -----------------------------------------------------------------------

_SOURCE_SENTENCE_END = set("。．.!?！？")
_CLOSERS = " \t\n\u00a0\u3000)]»\"'”’」』）】〕*_`"


def _last_char(plain: str) -> str:
    return plain.rstrip(_CLOSERS)[-1:]


def check_punctuation(pair: Pair) -> Iterator[Issue]:
    """If the source ends a sentence, the translation ends with its language's sentence punctuation."""
    if _last_char(pair.source_plain) not in _SOURCE_SENTENCE_END:
        return
    last = _last_char(pair.translation_plain)
    if not last:
        return
    cjk = _language(pair.context.lang) in _CJK_LANGS
    if cjk and last in ".．":
        yield Issue("punctuation", f"translation ends with {last!r}; {pair.context.lang} ends a sentence with '。'")
    elif not cjk and last in "。｡":
        yield Issue("punctuation", f"translation ends with '{last}', a full stop of Chinese and Japanese")
    elif not unicodedata.category(last).startswith("P"):
        yield Issue("punctuation", "the source ends a sentence; the translation has no final punctuation")


# --- length -------------------------------------------------------------------------------------

# characters per unit of meaning, roughly: one CJK character carries what ~3 Latin letters carry
_DENSITY = {"ja": 1.0, "zh": 1.0, "yue": 1.0, "ko": 1.6}
_LATIN_DENSITY = 3.0
MIN_UNITS = 20  # shorter sources (in CJK characters, or 60 Latin letters) vary too much to judge
RATIO_BAND = (0.4, 3.0)  # of the expected length: wide, to catch truncation and repetition only


def expected_ratio(source_lang: str, lang: str) -> float:
    """Usual length of a translation / its source, by writing system (ja→en ≈ 3, en→ja ≈ 0.33)."""
    density = lambda code: _DENSITY.get(_language(code), _LATIN_DENSITY)  # noqa: E731
    return density(lang) / density(source_lang)


def check_length(pair: Pair) -> Iterator[Issue]:
    source_len, target_len = len(pair.source_prose), len(pair.translation_prose)
    if source_len / _DENSITY.get(_language(pair.context.source_lang), _LATIN_DENSITY) < MIN_UNITS or not target_len:
        return
    expected = expected_ratio(pair.context.source_lang, pair.context.lang)
    relative = (target_len / source_len) / expected
    low, high = RATIO_BAND
    if relative < low:
        yield Issue(
            "length-ratio",
            f"translation is {relative:.0%} of the usual length ({target_len} characters for {source_len}): "
            "is something missing?",
        )
    elif relative > high:
        yield Issue(
            "length-ratio",
            f"translation is {relative:.1f}× the usual length ({target_len} characters for {source_len}): "
            "is something added or repeated?",
        )


# --- organization names -------------------------------------------------------------------------


def _contains(haystack: str, needle: str) -> bool:
    """``needle`` in ``haystack``, case-insensitively, not inside a longer Latin word."""
    if not needle:
        return False
    pattern = re.escape(needle.casefold())
    if needle[:1].isascii() and needle[:1].isalnum():
        pattern = r"(?<![A-Za-z0-9])" + pattern
    if needle[-1:].isascii() and needle[-1:].isalnum():
        pattern += r"(?![A-Za-z0-9])"
    return re.search(pattern, haystack.casefold()) is not None


def _orgs_in_tokens(text: str, organizations: Mapping[str, Organization]) -> set[str]:
    found = set()
    for match in TOKEN_RE.finditer(text):
        kind, arg = match.group(1), match.group(2).strip()
        if kind == "org":
            found.add(arg.split(":")[0])
        elif kind == "list":
            found.update(name for name in arg.split() if name in organizations)
    return found


def check_org_names(pair: Pair) -> Iterator[Issue]:
    """Organization names belong in {org:ID} tokens, rendered from names.po, not typed in."""
    ctx = pair.context
    prose = pair.translation_prose
    in_source = _orgs_in_tokens(pair.source, ctx.organizations)
    in_translation = _orgs_in_tokens(pair.translation, ctx.organizations)
    for org in ctx.organizations.values():
        # 1. the source-language name left in the translation
        reported = False
        for written, short in ((org.name, False), (org.short, True)):
            expected = ctx.translated_name(org.id, short)
            if reported or not _contains(prose, written) or (expected and expected.casefold() == written.casefold()):
                continue
            if short and expected is None and written != org.name:
                continue  # an abbreviation nobody translated yet may well be the same in every language
            token = f"{{org:{org.id}:short}}" if short and written != org.name else f"{{org:{org.id}}}"
            yield Issue("org-name", f"the {ctx.source_lang} name {written} is left in the translation; use {token}")
            reported = True
        # 2. a name written out where the source has a token
        if org.id not in in_source or org.id in in_translation:
            continue
        full, short_name = ctx.translated_name(org.id, False), ctx.translated_name(org.id, True)
        for name in (full, short_name):
            if name and _contains(prose, name):
                yield Issue("org-name", f"translation writes out {name!r} where the source has a token: use {{org:{org.id}}}")
                break
        else:
            if full and len(full) >= 8:
                from rapidfuzz import (
                    fuzz,  # here, not at the top: a build runs only the error checks
                )

                match = fuzz.partial_ratio_alignment(full.casefold(), prose.casefold(), score_cutoff=85)
                if match is not None:
                    written = prose[match.dest_start : match.dest_end]
                    yield Issue(
                        "org-name",
                        f"translation writes {written!r} where the source has {{org:{org.id}}} "
                        f"(names.po: {full!r}); use the token",
                    )


# --- glossary -----------------------------------------------------------------------------------


def _glossary_text(plain: str, fmt: LocaleFormatter | None) -> str:
    if fmt is not None:
        try:
            plain = fmt.render_text(plain)
        except TokenError:
            pass  # a broken token is the token checks' business; match on the raw text
    return unicodedata.normalize("NFKC", plain).replace("’", "'")


def _terms_in(ctx: CatalogContext, source_plain: str) -> list[GlossaryTerm]:
    source = _glossary_text(source_plain, ctx.source_fmt)
    return [term for term in ctx.glossary if _contains(source, unicodedata.normalize("NFKC", term.source))]


def glossary_terms(context: CatalogContext, msgid: str) -> tuple[GlossaryTerm, ...]:
    """The glossary terms that apply to ``msgid`` (its source term is in it): what :func:`check_glossary`
    asks of its translation, and what exchange files (XLIFF) show the translator beside it."""
    if not context.glossary:
        return ()
    return tuple(_terms_in(context, inline_plain_text(text_to_inline(msgid))))


def check_glossary(pair: Pair) -> Iterator[Issue]:
    """A glossary term in the source requires its glossary translation in the translation."""
    ctx = pair.context
    if not ctx.glossary:
        return
    target = _glossary_text(pair.translation_plain, ctx.target_fmt)
    for term in _terms_in(ctx, pair.source_plain):
        wanted = unicodedata.normalize("NFKC", term.target).replace("’", "'")
        if not _contains(target, wanted):
            yield Issue(
                "glossary",
                f"glossary: {term.source} is translated {term.target!r}, which the translation does not use",
                ERROR if term.strict else None,
            )


#: the checks, in the order their findings are listed for an entry
def check_forms(pair: Pair) -> Iterator[Issue]:
    """Every grammatical form a translation asks for is well written and defined in names.po."""
    if "|" not in pair.translation:
        return
    for raw in find_tokens(pair.translation):
        if "|" not in raw:
            continue
        try:
            token = parse_token(raw, pair.context.organizations)
        except TokenError as exc:
            yield Issue("form-invalid", exc.message)
            continue
        context = form_context(token)
        entry = pair.context.names.form(context)
        if entry is None or not entry.msgstr.strip():
            yield Issue(
                "form-undefined",
                f"{raw}: the form {token.form!r} is not defined in this language: fill msgctxt \"{context}\" in "
                f"names.po ('transpub update' adds the entry)",
            )


CHECKS: tuple[Check, ...] = (
    check_tokens,
    check_forms,
    check_markup,
    check_urls,
    check_numbers,
    check_whitespace,
    check_identical,
    check_punctuation,
    check_length,
    check_org_names,
    check_glossary,
)


#: the checks that can find an error: all that decides whether a translation may be published
ERROR_CHECKS: tuple[Check, ...] = (check_tokens, check_forms, check_markup, check_urls, check_glossary)

# --- running them -------------------------------------------------------------------------------


def ignored_codes(flags: Iterable[str]) -> set[str]:
    return {flag[len(IGNORE_FLAG) :].strip() for flag in flags if flag.startswith(IGNORE_FLAG)}


def check_pair(pair: Pair, flags: Iterable[str] = (), checks: Sequence[Check] = CHECKS) -> list[Issue]:
    """Every check on one translation; warnings named by a ``transpub-ignore:`` flag are dropped."""
    ignored = ignored_codes(flags)
    issues: list[Issue] = []
    for code in sorted(ignored.difference(CODES)):
        issues.append(Issue("ignore-unknown", f"transpub-ignore:{code} names no check (known: {', '.join(CODES)})"))
    for check in checks:
        for issue in check(pair):
            if issue.code in ignored:
                if issue.level is WARNING:
                    continue
                issue = Issue(issue.code, issue.message + " (errors cannot be silenced)", issue.severity)
            issues.append(issue)
    return issues


def check_translation(
    context: CatalogContext,
    msgid: str,
    msgstr: str,
    flags: Iterable[str] = (),
    checks: Sequence[Check] = CHECKS,
    parsed_source: tuple[Inline, ...] | None = None,
) -> list[Issue]:
    """The issues of one msgstr for ``msgid`` (used by review import before it accepts a correction).

    ``parsed_source``, the msgid's nodes from the parse of its whole release, spares parsing the msgid
    again. The two parses agree except for contrived markup (``*# *>***``); since what a translator is
    told must follow the msgid they see, any issue found is found again with the msgid's own parse.
    """
    if not msgstr.strip():
        return []
    issues = check_pair(Pair(msgid, msgstr, context, parsed_source), flags, checks)
    if issues and parsed_source is not None:
        issues = check_pair(Pair(msgid, msgstr, context), flags, checks)
    return issues



def check_catalog(
    project: Project,
    release: Release | None,
    lang: str,
    catalog: polib.POFile,
    names: Names | None = None,
    *,
    context: CatalogContext | None = None,
    checks: Sequence[Check] = CHECKS,
) -> list[Finding]:
    """All findings for one release's catalog in ``lang`` (build refuses a pair with ERROR findings;
    it passes ``checks=ERROR_CHECKS``, since warnings never decide publishing)."""
    context = context or catalog_context(project, lang, names)
    po_path = project.shown(catalog.fpath) if catalog.fpath else None
    parsed = release.parsed if release is not None else {}
    findings: list[Finding] = []
    for entry in catalog:
        if entry.obsolete or not entry.msgid or not entry.msgstr.strip():
            continue
        source_path, source_line = None, None
        if entry.occurrences:
            name, line = entry.occurrences[0]
            source_path, source_line = name, int(line) if str(line).isdigit() else None
        elif release is not None:
            source_path = source_ref(project, release)
        for issue in check_translation(context, entry.msgid, entry.msgstr, entry.flags, checks, parsed.get(entry.msgid)):
            findings.append(
                Finding(
                    code=issue.code,
                    severity=issue.level,
                    message=f"[{lang}] {issue.message}",
                    lang=lang,
                    msgid=entry.msgid,
                    release=release.id if release is not None else None,
                    msgctxt=entry.msgctxt,
                    source_path=source_path,
                    source_line=source_line,
                    po_path=po_path,
                    po_line=entry.linenum,
                )
            )
    return findings


__all__ = [
    "CHECKS",
    "CODES",
    "CatalogContext",
    "Finding",
    "Issue",
    "Pair",
    "Severity",
    "catalog_context",
    "check_catalog",
    "check_pair",
    "check_translation",
    "glossary_terms",
    "read_glossary",
]
