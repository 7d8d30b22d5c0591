"""The project-wide reports: ``status`` (how much is reviewed, can each pair publish) and ``check``
(every finding of every catalog). Both take the publishing decision from :mod:`.publishing`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..catalogs.pofile import index_entries, read_catalog
from ..catalogs.states import State, provenance
from ..config import Project
from ..localize.names import read_names
from ..localize.release import catalog_for
from ..source.reader import read_releases
from ..source.segments import count_words, release_segments
from .checks import (
    CatalogContext,
    Finding,
    Severity,
    catalog_context,
    check_catalog,
)
from .publishing import Blocker, Decision, decide


@dataclass(frozen=True)
class Count:
    segments: int = 0
    words: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.segments + other.segments, self.words + other.words)


@dataclass(frozen=True)
class StatusRow:
    release: str
    lang: str
    reviewed: Count
    machine: Count
    changed: Count
    untranslated: Count
    publishable: bool
    reason: str
    blockers: tuple[Blocker, ...] = ()
    translated: Count = Count()  # two-step review: a person's text, not approved yet
    policy: str = "one-step"  # reviewed means approved under "two-step"

    @property
    def total(self) -> Count:
        return self.reviewed + self.translated + self.machine + self.changed + self.untranslated

    def as_dict(self) -> dict:
        data = asdict(self)
        data["total"] = asdict(self.total)
        data["unreviewed"] = asdict(self.translated + self.machine + self.changed)
        data["blockers"] = [blocker.as_dict() for blocker in self.blockers]
        if self.policy == "two-step":
            data["approved"] = data["reviewed"]
        return data


def project_status(project: Project, languages: tuple[str, ...] | None = None, release_id: str | None = None) -> list[StatusRow]:
    languages = tuple(lang for lang in (languages or project.languages) if lang != project.source_lang)
    releases = read_releases(project, release_id)
    rows: list[StatusRow] = []
    for lang in languages:
        names = read_names(project, lang)
        context = catalog_context(project, lang, names)
        for release in releases:
            path = project.catalog_path(lang, release.id)
            catalog = read_catalog(path) if path.exists() else None
            entries = index_entries(catalog) if catalog is not None else {}
            counts = {state: Count() for state in State}
            for segment in release_segments(release):
                state = names.review.state(entries.get((None, segment.msgid)), release.id)
                counts[state] = counts[state] + Count(1, count_words(segment.msgid))
            decision = decide(project, release, lang, catalog, names, context=context)
            rows.append(
                StatusRow(
                    release.id,
                    lang,
                    counts[State.REVIEWED] + counts[State.APPROVED],
                    counts[State.MACHINE],
                    counts[State.CHANGED],
                    counts[State.UNTRANSLATED],
                    decision.publishable,
                    decision.reason,
                    decision.blockers,
                    counts[State.TRANSLATED],
                    project.review.policy,
                )
            )
    return rows


@dataclass(frozen=True)
class EntryRow:
    """One entry of one catalog, for ``status --entries``: its state, who approved it, where it came from."""

    catalog: str
    line: int | None  # in the catalog
    msgctxt: str | None
    msgid: str
    msgstr: str
    state: State
    approved_by: str | None = None
    approved_on: str | None = None
    provenance: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["state"] = self.state.value
        return data


def entry_listing(project: Project, lang: str, release_id: str) -> list[EntryRow]:
    """Every entry of one release's catalog in ``lang``, then the names.po entries that release shows."""
    from ..catalogs.approvals import NAMES_CATALOG
    from ..localize.names import names_needed

    (release,) = read_releases(project, release_id)
    names = read_names(project, lang)
    review = names.review
    path = project.catalog_path(lang, release.id)
    rows: list[EntryRow] = []

    def row(catalog: str, entry) -> EntryRow:
        approval = review.approval(entry, catalog)
        state = review.state(entry, catalog)
        return EntryRow(
            catalog, entry.linenum, entry.msgctxt, entry.msgid, entry.msgstr, state,
            approval.by if approval and state is State.APPROVED else None,
            approval.date if approval and state is State.APPROVED else None,
            provenance(entry).describe() if entry.msgstr else "",
        )  # fmt: skip

    if path.exists():
        rows += [row(release.id, entry) for entry in read_catalog(path) if not entry.obsolete and entry.msgid]
    for context_, msgid in names_needed(project, release):
        entry = names.get(context_, msgid)
        if entry is not None:
            rows.append(row(NAMES_CATALOG, entry))
    return rows


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    catalogs: tuple[str, ...] = ()  # the catalogs checked (relative paths)
    decisions: tuple[Decision, ...] = ()  # whether each (release, language) checked publishes, and why

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def summary(self) -> str:
        def part(items: tuple[Finding, ...], noun: str) -> str:
            text = f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
            if items:
                counts = Counter(f.code for f in items)
                text += " (" + ", ".join(f"{code} ×{n}" for code, n in sorted(counts.items())) + ")"
            return text

        where = f"{len(self.catalogs)} catalog{'' if len(self.catalogs) == 1 else 's'}"
        return f"{part(self.errors, 'error')}, {part(self.warnings, 'warning')} in {where}"

    def as_dict(self) -> dict:
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "catalogs": list(self.catalogs),
            "findings": [f.as_dict() for f in self.findings],
            "publishing": [decision.as_dict() for decision in self.decisions],
        }


def check_project(
    project: Project, languages: Iterable[str] | None = None, release_id: str | None = None
) -> CheckReport:
    """Check every catalog of every release (or one) in every target language (or those asked for)."""
    langs = [lang for lang in (languages or project.languages) if lang != project.source_lang]
    releases = read_releases(project, release_id)
    findings: list[Finding] = []
    checked: list[str] = []
    decisions: list[Decision] = []
    for lang in langs:
        context: CatalogContext | None = None
        for release in releases:
            catalog = catalog_for(project, release, lang)
            context = context or catalog_context(project, lang)
            if catalog is None:
                decisions.append(decide(project, release, lang, None, context.names))
                continue
            checked.append(project.shown(catalog.fpath))
            found = check_catalog(project, release, lang, catalog, context=context)
            findings += found
            decisions.append(decide(project, release, lang, catalog, context.names, findings=found))
    return CheckReport(tuple(findings), tuple(checked), tuple(decisions))


__all__ = ["CheckReport", "Count", "EntryRow", "StatusRow", "entry_listing", "check_project", "project_status"]
