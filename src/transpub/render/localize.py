"""A release seen in one language: each segment's text to show, its review state, and the names to use.

Renderers (HTML, DOCX) walk the release's block tree and ask a :class:`LocalizedRelease` for every Text;
they never read catalogs themselves. Publishing rules live here too: what makes a (release, language)
publishable, and what a draft shows for a segment that is not reviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polib

from ..catalogs.pofile import index_entries, read_catalog
from ..catalogs.states import State, entry_state
from ..catalogs.templates import PUBLISHER_CONTEXT, org_context
from ..config import Project
from ..segments import inline_plain_text, text_to_inline
from ..source.model import Inline, Release, Text
from ..source.tokens import ListToken, OrgToken, parse_tokens
from .cldr import LocaleFormatter, NameTable
from .ui import bcp47, text_direction, ui_table


@dataclass(frozen=True)
class Shown:
    """A segment as shown in one language."""

    nodes: tuple[Inline, ...]
    state: State | None  # None: the source language, shown as written
    source: str  # the source text (msgid), for draft marks and Word comments
    fallback: bool = False  # untranslated: the source text is shown instead

    @property
    def unreviewed(self) -> bool:
        return self.state is not None and self.state is not State.REVIEWED


@dataclass(frozen=True)
class Names:
    """names.po for one language, read once: entries by (msgctxt, msgid)."""

    entries: Mapping[tuple[str | None, str], polib.POEntry] = field(default_factory=dict)
    # name tables made from these names (see name_table): a build asks for the same one for every release
    _tables: dict = field(default_factory=dict, compare=False, repr=False)

    def get(self, context: str, msgid: str) -> polib.POEntry | None:
        return self.entries.get((context, msgid))


def read_names(project: Project, lang: str) -> Names:
    path = project.names_path(lang)
    if lang == project.source_lang or not path.exists():
        return Names()
    return Names(index_entries(read_catalog(path)))


def name_table(project: Project, lang: str, names: Names, draft: bool) -> NameTable:
    """Organization, country and publisher names for ``lang`` (reviewed ones; unreviewed too in a draft)."""
    made = names._tables.get((lang, draft))
    if made is not None and made[0] is project:
        return made[1]
    table = _name_table(project, lang, names, draft)
    names._tables[lang, draft] = (project, table)
    return table


def _name_table(project: Project, lang: str, names: Names, draft: bool) -> NameTable:

    def pick(context: str, source: str) -> str:
        if lang == project.source_lang:
            return source
        entry = names.get(context, source)
        state = entry_state(entry)
        if state is State.REVIEWED or (draft and state is not State.UNTRANSLATED):
            return entry.msgstr
        return source

    orgs = {
        org.id: (pick(org_context(org.id), org.name), pick(org_context(org.id, short=True), org.short))
        for org in project.organizations.values()
    }
    countries: dict[str, str] = {}
    for (context, _msgid), entry in names.entries.items():
        if context and context.startswith("country:") and entry_state(entry) is State.REVIEWED:
            countries[context.split(":", 1)[1]] = entry.msgstr
    countries.update(project.names.get(lang, {}))  # transpub.toml's [names.<lang>] is the project's policy
    publisher = pick(PUBLISHER_CONTEXT, project.publisher) if project.publisher else ""
    return NameTable(orgs=orgs, countries=countries, publisher=publisher)


def names_needed(project: Project, release: Release) -> list[tuple[str, str]]:
    """The names.po entries (context, msgid) a release cannot be published without."""
    needed: list[tuple[str, str]] = []
    if project.publisher:
        needed.append((PUBLISHER_CONTEXT, project.publisher))
    seen: set[str] = set()
    for text in release.texts():
        if "{org:" not in text.source and "{list:" not in text.source:
            continue  # only organization and list tokens name organizations
        for token in parse_tokens(text.source, project.organizations):
            items = token.items if isinstance(token, ListToken) else (token,)
            for item in items:
                if isinstance(item, OrgToken) and item.org_id not in seen:
                    seen.add(item.org_id)
                    org = project.organizations[item.org_id]
                    needed.append((org_context(org.id), org.name))
                    needed.append((org_context(org.id, short=True), org.short))
    return needed


class LocalizedRelease:
    def __init__(
        self,
        project: Project,
        release: Release,
        lang: str,
        *,
        catalog: polib.POFile | None = None,
        names: Names | None = None,
        draft: bool = False,
    ):
        self.project = project
        self.release = release
        self.lang = lang
        self.draft = draft
        self.is_source = lang == project.source_lang
        self.entries = index_entries(catalog) if catalog is not None else {}
        self.names = name_table(project, lang, names or Names(), draft)
        self.fmt = LocaleFormatter(
            lang, self.names, project.organizations, project.calendars.get(lang, "gregorian")
        )
        self.ui = ui_table(lang)
        self.tag = bcp47(lang)
        self.direction = text_direction(lang)

    def shown(self, text: Text) -> Shown:
        if self.is_source:
            return Shown(text_to_inline(text.source), None, text.source)
        entry = self.entries.get((None, text.source))
        state = entry_state(entry)
        if state is State.UNTRANSLATED:
            return Shown(text_to_inline(text.source), state, text.source, fallback=True)
        return Shown(text_to_inline(entry.msgstr), state, text.source)

    def plain(self, text: Text | None) -> str:
        """A segment as plain text with tokens rendered (titles, alt text, document properties)."""
        if text is None:
            return ""
        return self.fmt.render_text(inline_plain_text(self.shown(text).nodes))

    def render(self, plain: str) -> str:
        return self.fmt.render_text(plain)

    @property
    def publisher(self) -> str:
        return self.names.publisher

    @property
    def date_text(self) -> str:
        return self.fmt.date(self.release.date)

    @property
    def month_text(self) -> str:
        return self.fmt.month(self.release.date.year, self.release.date.month)

    def unreviewed_texts(self) -> list[Text]:
        return [t for t in self.release.texts() if self.shown(t).unreviewed]


@dataclass(frozen=True)
class Readiness:
    """Whether a (release, language) can be published, and if not, why."""

    publishable: bool
    reason: str = ""


def readiness(project: Project, release: Release, lang: str, catalog: polib.POFile | None, names: Names) -> Readiness:
    if lang == project.source_lang:
        return Readiness(True)
    if catalog is None:
        return Readiness(False, "no catalog yet (run 'transpub update')")
    entries = index_entries(catalog)
    counts: dict[State, int] = {}
    for text in release.texts():
        state = entry_state(entries.get((None, text.source)))
        counts[state] = counts.get(state, 0) + 1
    missing_names = [msgid for ctx, msgid in names_needed(project, release) if entry_state(names.get(ctx, msgid)) is not State.REVIEWED]
    problems = [f"{n} {state.value}" for state, n in counts.items() if state is not State.REVIEWED]
    if missing_names:
        problems.append(f"{len(missing_names)} name(s) in names.po not reviewed")
    if problems:
        return Readiness(False, "not fully reviewed: " + ", ".join(problems))
    return Readiness(True)


def catalog_for(project: Project, release: Release, lang: str) -> polib.POFile | None:
    path: Path = project.catalog_path(lang, release.id)
    return read_catalog(path) if lang != project.source_lang and path.exists() else None
