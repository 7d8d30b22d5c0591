"""Sources -> templates: a release's segments as a POT catalog, and the project's names template.

Each entry carries where it comes from (``#: sources/x.md:LINE``) and an extracted comment saying what kind
of block it is, so a translator knows whether a string is a title, a table cell or an image caption.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polib
from babel import Locale

from ..config import Project
from ..source.inline import tokens_in
from ..source.model import Release
from ..source.segments import release_segments
from ..source.tokens import CountryToken, ListToken, form_contexts
from .pofile import new_catalog, new_entry, read_catalog
from .uiwords import UI_KEYS, UI_NOTES, builtin_words, source_words

PUBLISHER_CONTEXT = "publisher"
UI_CONTEXT_PREFIX = "ui:"


def org_context(org_id: str, short: bool = False) -> str:
    return f"org:{org_id}:short" if short else f"org:{org_id}"


def country_context(code: str) -> str:
    return f"country:{code}"


def ui_context(key: str) -> str:
    """The context of an interface word in names.po ("ui:home")."""
    return f"{UI_CONTEXT_PREFIX}{key}"


def release_template(release: Release, project: Project, source_path: str) -> polib.POFile:
    pot = new_catalog(None, project=project.name, template=True)
    for segment in release_segments(release):
        pot.append(
            new_entry(
                segment.msgid,
                occurrences=[(source_path, str(line)) for line in sorted(set(segment.lines))],
                comment="; ".join(segment.kinds),
            )
        )
    return pot


def countries_in(release: Release, project: Project) -> set[str]:
    """The country codes a release names, in {country:…} tokens and {list:…} items."""
    codes: set[str] = set()
    for text in release.texts():
        # a country is named only by these two kinds of token (the reader refused any other spelling)
        if "{country:" not in text.source and "{list:" not in text.source:
            continue
        for token in tokens_in(text.source, project.organizations):
            items = token.items if isinstance(token, ListToken) else (token,)
            codes.update(item.code for item in items if isinstance(item, CountryToken))
    return codes


def names_template(project: Project, countries: set[str]) -> polib.POFile:
    """names.pot: the publisher, every declared organization (name and short form), every country used,
    and transpub's interface words when a target language has no built-in ones.

    Country entries are optional overrides: ``update`` fills them with CLDR's name for the target language,
    and a translator changes one only where the organization prefers another form ("Viet Nam").
    Interface words (``ui:<key>``) translate the source language's built-in word, as every other entry
    translates the source text (and ``pretranslate`` sends it from the source language); English when the
    source language has none. A language with built-in words never gets them (:func:`names_template_for`).
    """
    pot = new_catalog(None, project=project.name, template=True)
    config = "transpub.toml"
    if project.publisher:
        pot.append(polib.POEntry(msgctxt=PUBLISHER_CONTEXT, msgid=project.publisher, msgstr="",
                                 comment="the publisher: organization name in the page header and DOCX author",
                                 occurrences=[(config, "")]))
    for org in project.organizations.values():
        pot.append(polib.POEntry(msgctxt=org_context(org.id), msgid=org.name, msgstr="",
                                 comment=f"full name of organization {org.id}", occurrences=[(config, "")]))
        pot.append(polib.POEntry(msgctxt=org_context(org.id, short=True), msgid=org.short, msgstr="",
                                 comment=f"abbreviation of organization {org.id}; keep it if it is not translated",
                                 occurrences=[(config, "")]))
    source_names = Locale.parse(project.source_lang).territories
    for code in sorted(countries):
        pot.append(polib.POEntry(msgctxt=country_context(code), msgid=source_names.get(code, code), msgstr="",
                                 comment=f"country {code}: prefilled from CLDR; change it only to use the organization's preferred name"))
    if any(builtin_words(lang) is None for lang in project.languages):
        sources = source_words(project.source_lang)
        for key in UI_KEYS:
            pot.append(polib.POEntry(msgctxt=ui_context(key), msgid=sources[key], msgstr="",
                                     comment=f"interface word: {UI_NOTES[key]}"))
    for entry in pot:
        entry.occurrences = [(path, line) for path, line in entry.occurrences if line]
    return pot


# --- grammatical forms of names (a translation's {org:EUIPO|gen}) -----------------------------------------
def forms_used(project: Project, lang: str, known: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Every grammatical form ``lang``'s translations ask for: names.po context -> the name in the source
    language (its msgid). Tokens that do not parse are left to ``check``, which reports them.

    ``known``: the forms of catalogs already read (:func:`catalog_forms`) by file name (``x.po``: a name, not a
    Path, as ``update`` keeps one per catalog of the project), which are not read again."""
    used: dict[str, str] = {}
    folder = project.locale_dir / lang / "LC_MESSAGES"
    if not folder.is_dir():
        return used
    known = known or {}
    for path in sorted(folder.glob("*.po")):
        if path.name in ("names.po", "glossary.po"):
            continue
        contexts = known.get(path.name)
        for context in catalog_forms(project, read_catalog(path)) if contexts is None else contexts:
            used.setdefault(context, _source_name(project, context))
    return dict(sorted(used.items()))


def catalog_forms(project: Project, catalog: polib.POFile) -> tuple[str, ...]:
    """The grammatical forms the translations of one catalog ask for (names.po contexts), in order."""
    return tuple(
        context for entry in catalog if not entry.obsolete for context in form_contexts(entry.msgstr, project.organizations)
    )


def _source_name(project: Project, context: str) -> str:
    """The name in the source language that a form's context (``org:WIPO:short|gen``) is a form of."""
    kind, _, rest = context.partition("|")[0].partition(":")
    if kind == "org":
        org_id, _, variant = rest.partition(":")
        org = project.organizations[org_id]
        return org.short if variant == "short" else org.name
    return Locale.parse(project.source_lang).territories.get(rest, rest)


def with_forms(template: polib.POFile, project: Project, forms: dict[str, str]) -> polib.POFile:
    """``template`` (names.pot) plus an entry for each grammatical form, for one language's names.po."""
    if not forms:
        return template
    own = polib.POFile(wrapwidth=template.wrapwidth, encoding=template.encoding)
    own.metadata = dict(template.metadata)
    own.header = template.header
    for entry in template:
        own.append(entry)
    for context, name in forms.items():
        base, _, form = context.partition("|")
        own.append(polib.POEntry(msgctxt=context, msgid=name, msgstr="",
                                 comment=f"grammatical form '{form}' of {base}, used by this language's translations"))  # fmt: skip
    return own


def names_template_for(template: polib.POFile, lang: str) -> polib.POFile:
    """names.pot as ``lang``'s names.po is merged from it: without the interface words when transpub has
    built-in words for ``lang`` (its pages use those)."""
    if builtin_words(lang) is None:
        return template
    own = polib.POFile()
    own.metadata = dict(template.metadata)
    own.header = template.header
    own.extend(entry for entry in template if not (entry.msgctxt or "").startswith(UI_CONTEXT_PREFIX))
    return own
