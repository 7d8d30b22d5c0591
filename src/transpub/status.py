"""`status`: per release × language, how much is reviewed, unreviewed or untranslated, and can it publish."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .catalogs.pofile import index_entries, read_catalog
from .catalogs.states import State, entry_state
from .config import Project
from .render.localize import Names, read_names, readiness
from .segments import count_words, release_segments
from .source.reader import read_releases


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

    @property
    def total(self) -> Count:
        return self.reviewed + self.machine + self.changed + self.untranslated

    def as_dict(self) -> dict:
        data = asdict(self)
        data["total"] = asdict(self.total)
        data["unreviewed"] = asdict(self.machine + self.changed)
        return data


def project_status(project: Project, languages: tuple[str, ...] | None = None, release_id: str | None = None) -> list[StatusRow]:
    languages = tuple(lang for lang in (languages or project.languages) if lang != project.source_lang)
    releases = read_releases(project, release_id)
    rows: list[StatusRow] = []
    for lang in languages:
        names = read_names(project, lang)
        for release in releases:
            path = project.catalog_path(lang, release.id)
            catalog = read_catalog(path) if path.exists() else None
            entries = index_entries(catalog) if catalog is not None else {}
            counts = {state: Count() for state in State}
            for segment in release_segments(release):
                state = entry_state(entries.get((None, segment.msgid)))
                counts[state] = counts[state] + Count(1, count_words(segment.msgid))
            ready = readiness(project, release, lang, catalog, names)
            rows.append(
                StatusRow(
                    release.id,
                    lang,
                    counts[State.REVIEWED],
                    counts[State.MACHINE],
                    counts[State.CHANGED],
                    counts[State.UNTRANSLATED],
                    ready.publishable,
                    ready.reason,
                )
            )
    return rows


__all__ = ["Count", "StatusRow", "project_status", "Names"]
