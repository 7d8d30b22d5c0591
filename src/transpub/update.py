"""`extract` and `update`: sources -> templates -> catalogs, all validated before anything is written.

Every release and every existing catalog is read (and must be valid) first; only then are files written,
each atomically and only when its content changed, under the project lock. So a bad source or a malformed
PO file stops the run with nothing on disk changed, and a second run with no source change rewrites nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path

import polib
from babel import Locale

from .catalogs.merge import MergeReport, merge_catalog
from .catalogs.pofile import catalog_to_bytes, new_catalog, read_catalog, write_catalog_bytes
from .catalogs.templates import country_context, countries_in, names_template, release_template
from .config import Project, source_date_epoch
from .fsutil import project_lock
from .source.model import Release
from .source.reader import read_release

DATE_FIELDS = ("POT-Creation-Date",)


@dataclass(frozen=True)
class FileResult:
    path: str  # relative to the project root
    changed: bool
    merge: MergeReport | None = None


@dataclass(frozen=True)
class UpdateReport:
    releases: int
    files: tuple[FileResult, ...]

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.changed)


def read_releases(project: Project, release_id: str | None = None) -> list[Release]:
    """All releases (or one), parsed and validated; the first bad one raises SourceError."""
    paths = project.release_paths()
    if release_id is not None:
        paths = [p for p in paths if p.stem == release_id]
        if not paths:
            from .errors import UsageError

            raise UsageError(f"no release {release_id!r} in {project.sources_dir.name}/")
    return [read_release(path, project) for path in paths]


def source_ref(project: Project, release: Release) -> str:
    return _rel(project, release.path)


def build_templates(project: Project, releases: list[Release]) -> dict[Path, polib.POFile]:
    templates = {project.template_path(r.id): release_template(r, project, source_ref(project, r)) for r in releases}
    countries: set[str] = set()
    for release in releases:
        countries |= countries_in(release, project)
    templates[project.names_template_path()] = names_template(project, countries)
    return templates


def extract(project: Project) -> UpdateReport:
    releases = read_releases(project)
    templates = build_templates(project, releases)
    with project_lock(project.root):
        files = [FileResult(_rel(project, path), write_stamped(path, pot)) for path, pot in templates.items()]
    return UpdateReport(len(releases), tuple(files))


def update(project: Project, languages: tuple[str, ...] | None = None) -> UpdateReport:
    """Extract, then merge every template into every target language's catalog."""
    languages = languages or project.languages
    releases = read_releases(project)
    templates = build_templates(project, releases)
    planned: list[tuple[Path, polib.POFile, MergeReport | None]] = [(p, t, None) for p, t in templates.items()]

    # The catalogs are read under the lock, not before it: a `pretranslate` or `review import` that
    # finished between our read and our write would otherwise have its translations merged away.
    with project_lock(project.root):
        for lang in languages:
            for template_path, template in templates.items():
                name = template_path.stem
                path = project.names_path(lang) if name == "names" and template_path == project.names_template_path() else project.catalog_path(lang, name)
                old = read_catalog(path) if path.exists() else None  # a malformed catalog raises here, before any write
                header = old if old is not None else new_catalog(lang, project=project.name)
                prefill = _country_prefill(project, lang) if path == project.names_path(lang) else None
                merged, report = merge_catalog(template, old if old is not None else polib.POFile(), header, prefill)
                planned.append((path, merged, report))
        files = [FileResult(_rel(project, path), write_stamped(path, po), report) for path, po, report in planned]
    return UpdateReport(len(releases), tuple(files))


def _country_prefill(project: Project, lang: str):
    overrides = project.names.get(lang, {})
    territories = Locale.parse(lang).territories

    def prefill(entry: polib.POEntry) -> str | None:
        if entry.msgctxt and entry.msgctxt.startswith("country:"):
            code = entry.msgctxt.split(":", 1)[1]
            return overrides.get(code) or territories.get(code)
        return None

    return prefill


def write_stamped(path: Path, po: polib.POFile) -> bool:
    """Write ``po`` with a fresh creation date, unless only that date would change.

    The catalog is rendered once and compared with the file on disk with the old date put back, so
    nothing is parsed twice and a run with no source change rewrites nothing.
    """
    for field in DATE_FIELDS:
        if field in po.metadata:
            po.metadata[field] = _now_stamp()
    data = catalog_to_bytes(po, path)
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        return write_catalog_bytes(path, data)
    comparable = data
    for field in DATE_FIELDS:
        line = re.compile(rb'^"' + re.escape(field.encode()) + rb": [^\n]*$", re.M)
        found = line.search(old)
        if found:
            comparable = line.sub(lambda _: found.group(0), comparable, count=1)
    if comparable == old:
        return False
    return write_catalog_bytes(path, data)


def _now_stamp() -> str:
    epoch = source_date_epoch()
    moment = dt.datetime.fromtimestamp(epoch if epoch is not None else time.time(), dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M+0000")


def _rel(project: Project, path: Path) -> str:
    """``path`` relative to the project, as the project names it (a symlinked file or folder is not followed)."""
    path = Path(path)
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:  # a relative path, or one given through another route to the project
        return path.resolve().relative_to(project.root).as_posix()


__all__ = ["UpdateReport", "FileResult", "extract", "update", "read_releases", "country_context"]
