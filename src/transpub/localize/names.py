"""Names in one language: the publisher, organizations and countries, from names.po and transpub.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polib

from ..catalogs.approvals import NAMES_CATALOG
from ..catalogs.pofile import index_entries, read_catalog
from ..catalogs.states import ONE_STEP, Review, State, read_review
from ..catalogs.templates import PUBLISHER_CONTEXT, org_context
from ..config import Project
from ..source.inline import tokens_in
from ..source.model import Release
from ..source.tokens import ListToken, OrgToken
from .cldr import LocaleFormatter, NameTable, formatter_for


@dataclass(frozen=True)
class Names:
    """names.po for one language, read once: entries by (msgctxt, msgid)."""

    entries: Mapping[tuple[str | None, str], polib.POEntry] = field(default_factory=dict)
    review: Review = ONE_STEP  # how the language's entries are judged (two-step: approvals too)
    # name tables made from these names (see name_table): a build asks for the same one for every release
    _tables: dict = field(default_factory=dict, compare=False, repr=False)

    def get(self, context: str, msgid: str) -> polib.POEntry | None:
        return self.entries.get((context, msgid))

    def state(self, context: str, msgid: str) -> State:
        """The state of a name's entry (a name missing from names.po is untranslated)."""
        return self.review.state(self.get(context, msgid), NAMES_CATALOG)

    def form(self, context: str) -> polib.POEntry | None:
        """The entry defining a grammatical form (msgctxt ``org:EUIPO|gen``), whatever its msgid."""
        return next((entry for (ctx, _msgid), entry in self.entries.items() if ctx == context), None)

    def form_state(self, context: str) -> State:
        return self.review.state(self.form(context), NAMES_CATALOG)


#: no names.po: every name as transpub.toml writes it (the source language's names). One instance, so
#: the name tables made from it, and their formatters, are made once per project and process.
NO_NAMES = Names()


def read_names(project: Project, lang: str, review: Review | None = None) -> Names:
    """names.po of ``lang``, judged by ``review`` (read from the project when not given)."""
    path = project.names_path(lang)
    if lang == project.source_lang:
        return NO_NAMES
    review = review if review is not None else read_review(project, lang)
    return Names(index_entries(read_catalog(path)) if path.exists() else {}, review)


def name_table(project: Project, lang: str, names: Names, draft: bool) -> NameTable:
    """Organization, country and publisher names for ``lang`` (reviewed ones; unreviewed too in a draft)."""
    made = names._tables.get((lang, draft))
    if made is not None and made[0] is project:
        return made[1]
    table = _name_table(project, lang, names, draft)
    names._tables[lang, draft] = (project, table)
    return table


def names_formatter(project: Project, lang: str, names: Names, draft: bool) -> LocaleFormatter:
    """The token formatter of ``lang`` with :func:`name_table`'s names: one per name table and process."""
    table = name_table(project, lang, names, draft)
    return formatter_for(lang, table, project.organizations, project.calendars.get(lang, "gregorian"))


def _name_table(project: Project, lang: str, names: Names, draft: bool) -> NameTable:

    def pick(context: str, source: str) -> str:
        if lang == project.source_lang:
            return source
        state = names.state(context, source)
        if state.publishable or (draft and state is not State.UNTRANSLATED):
            return names.get(context, source).msgstr
        return source

    orgs = {
        org.id: (pick(org_context(org.id), org.name), pick(org_context(org.id, short=True), org.short))
        for org in project.organizations.values()
    }
    countries: dict[str, str] = {}
    for (context, _msgid), entry in names.entries.items():
        if context and context.startswith("country:") and "|" not in context and names.review.state(entry, NAMES_CATALOG).publishable:
            countries[context.split(":", 1)[1]] = entry.msgstr
    countries.update(project.names.get(lang, {}))  # transpub.toml's [names.<lang>] is the project's policy
    publisher = pick(PUBLISHER_CONTEXT, project.publisher) if project.publisher else ""
    forms = {}  # grammatical forms of names (msgctxt "org:EUIPO|gen"): reviewed ones, unreviewed too in a draft
    for (context, _msgid), entry in names.entries.items():
        if context and "|" in context and entry.msgstr.strip():
            state = names.review.state(entry, NAMES_CATALOG)
            if state.publishable or (draft and state is not State.UNTRANSLATED):
                forms[context] = entry.msgstr
    return NameTable(orgs=orgs, countries=countries, publisher=publisher, forms=forms)


def names_needed(project: Project, release: Release) -> list[tuple[str, str]]:
    """The names.po entries (context, msgid) a release cannot be published without."""
    needed: list[tuple[str, str]] = []
    if project.publisher:
        needed.append((PUBLISHER_CONTEXT, project.publisher))
    seen: set[str] = set()
    for text in release.texts():
        if "{org:" not in text.source and "{list:" not in text.source:
            continue  # only organization and list tokens name organizations
        for token in tokens_in(text.source, project.organizations):
            items = token.items if isinstance(token, ListToken) else (token,)
            for item in items:
                if isinstance(item, OrgToken) and item.org_id not in seen:
                    seen.add(item.org_id)
                    org = project.organizations[item.org_id]
                    needed.append((org_context(org.id), org.name))
                    needed.append((org_context(org.id, short=True), org.short))
    return needed


