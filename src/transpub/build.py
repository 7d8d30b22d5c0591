"""`build`: render every publishable (release, language) as HTML and DOCX, plus the index pages.

Published outputs go to ``outputs/<lang>/``. With ``--draft``, the pairs that are not fully reviewed are
rendered too, visibly marked, into ``outputs/drafts/<lang>/`` — a separate folder, so a draft can never
overwrite or be mistaken for a published page, and the site can be deployed without it. The source
language is built straight from the source. Every file is written atomically and only when it changed.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Project
from .errors import UsageError
from .fsutil import atomic_write_bytes, atomic_write_text
from .render.localize import LocalizedRelease, catalog_for, read_names, readiness
from .source.model import Release
from .update import read_releases

FORMATS = ("html", "docx")
DRAFTS = "drafts"


@dataclass(frozen=True)
class Output:
    release: str
    lang: str
    path: str  # relative to the project root
    draft: bool
    changed: bool


@dataclass(frozen=True)
class Skipped:
    release: str
    lang: str
    reason: str


@dataclass(frozen=True)
class BuildReport:
    outputs: tuple[Output, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    indexes: tuple[str, ...] = ()
    published: dict = field(default_factory=dict)  # lang -> number of published releases

    def built_for(self, lang: str) -> bool:
        return any(o.lang == lang for o in self.outputs)


def parse_formats(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return FORMATS
    items = value.split(",") if isinstance(value, str) else list(value)
    formats = tuple(dict.fromkeys(item.strip().lower() for item in items if item.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return formats


def build(
    project: Project,
    languages: Sequence[str] | None = None,
    release_id: str | None = None,
    formats: Sequence[str] = FORMATS,
    draft: bool = False,
) -> BuildReport:
    languages = tuple(project.check_language(lang) for lang in languages) if languages else project.all_languages
    all_releases = read_releases(project)
    releases = [r for r in all_releases if release_id is None or r.id == release_id]
    if release_id is not None and not releases:
        raise UsageError(f"no release {release_id!r} in sources/")

    # Which versions are published decides the language switchers and hreflang links of every page.
    names = {lang: read_names(project, lang) for lang in project.all_languages}
    catalogs = {(r.id, lang): catalog_for(project, r, lang) for r in all_releases for lang in project.all_languages}
    ready = {
        (r.id, lang): readiness(project, r, lang, catalogs[r.id, lang], names[lang])
        for r in all_releases
        for lang in project.all_languages
    }
    published = {
        r.id: {lang: f"{lang}/{r.id}.html" for lang in project.all_languages if ready[r.id, lang].publishable}
        for r in all_releases
    }

    outputs: list[Output] = []
    skipped: list[Skipped] = []
    for lang in languages:
        for release in releases:
            state = ready[release.id, lang]
            if not state.publishable and not draft:
                skipped.append(Skipped(release.id, lang, state.reason))
                continue
            is_draft = not state.publishable
            loc = LocalizedRelease(
                project, release, lang, catalog=catalogs[release.id, lang], names=names[lang], draft=is_draft
            )
            folder = f"{DRAFTS}/{lang}" if is_draft else lang
            outputs.extend(_render(project, loc, folder, published[release.id], formats))

    indexes: list[str] = []
    if "html" in formats:
        indexes = _write_indexes(project, all_releases, published, names, catalogs)
    counts = {lang: sum(1 for r in all_releases if lang in published[r.id]) for lang in project.all_languages}
    return BuildReport(tuple(outputs), tuple(skipped), tuple(indexes), counts)


def _render(project: Project, loc: LocalizedRelease, folder: str, versions: dict[str, str], formats) -> list[Output]:
    from .render import html

    outputs = []
    release = loc.release
    base = project.outputs_dir / folder
    if "html" in formats:
        page_path = f"{folder}/{release.id}.html"
        text = html.render_release_page(loc, page_path=page_path, versions=versions, templates_dir=_templates(project))
        outputs.append(_output(project, loc, base / f"{release.id}.html", atomic_write_text(base / f"{release.id}.html", text)))
        _copy_images(release, base)
    if "docx" in formats:
        from .render.docx import render_release_docx

        data = render_release_docx(loc, image_root=release.path.parent)
        outputs.append(_output(project, loc, base / f"{release.id}.docx", atomic_write_bytes(base / f"{release.id}.docx", data)))
    return outputs


def _output(project: Project, loc: LocalizedRelease, path: Path, changed: bool) -> Output:
    return Output(loc.release.id, loc.lang, path.relative_to(project.root).as_posix(), loc.draft, changed)


def _copy_images(release: Release, folder: Path) -> None:
    """Images go next to the pages that use them, at the same relative path as in the source."""
    for image in release.images():
        source = (release.path.parent / image.src).resolve()
        target = folder / image.src
        data = source.read_bytes()
        atomic_write_bytes(target, data)
        shutil.copystat(source, target)


def _write_indexes(project: Project, releases: list[Release], published, names, catalogs) -> list[str]:
    from .render import html

    written = []
    templates = _templates(project)
    languages = {lang: f"{lang}/index.html" for lang in project.all_languages if any(lang in published[r.id] for r in releases)}
    for lang in languages:
        items = []
        for release in releases:
            if lang not in published[release.id]:
                continue
            loc = LocalizedRelease(project, release, lang, catalog=catalogs[release.id, lang], names=names[lang])
            items.append(html.IndexItem(release.id, loc.plain(release.title), release.date, f"{release.id}.html"))
        items.sort(key=lambda item: (item.date, item.release_id), reverse=True)
        page = html.render_language_index(project, lang, items, page_path=f"{lang}/index.html", languages=languages, templates_dir=templates)
        atomic_write_text(project.outputs_dir / lang / "index.html", page)
        written.append(f"outputs/{lang}/index.html")
    atomic_write_text(project.outputs_dir / "index.html", html.render_root_index(project, languages, templates_dir=templates))
    atomic_write_text(project.outputs_dir / "static" / "transpub.css", html.stylesheet(templates))
    written.append("outputs/index.html")
    return written


def _templates(project: Project) -> Path | None:
    return project.templates_dir if project.templates_dir.is_dir() else None
