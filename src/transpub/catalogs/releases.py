"""A release's life after its first publication: `rm` withdraws it, `mv` renames it, and ``update`` finds
the catalogs that lost their source (:func:`vanished_releases`) and the new release they probably became
(:func:`likely_renames`).

A release owns its source (``sources/<id>.md``), its template (``locale/templates/<id>.pot``), one
catalog per target language (``locale/<lang>/LC_MESSAGES/<id>.po``) and the lines of each language's
``approvals.tsv`` whose catalog field is its id. `rm` removes all of them, `mv` renames all of them: the
approvals keep their digests (context, source and translation; the catalog's name plays no part), so a
renamed release keeps every review state. Both run under the project lock, check everything (ids,
approvals files) before changing anything, and with ``dry_run`` only say what they would do. Outputs
are the build's: the next ``build`` removes those of an id that no longer exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Project, release_id_of
from ..errors import TranspubError, UsageError
from ..fsutil import project_lock
from .approvals import (
    NAMES_CATALOG,
    Approval,
    Approvals,
    read_approvals,
    write_approvals,
)
from .pofile import read_catalog

RENAME_SHARE = 0.8  # share of segments a new release must have in common with a vanished one to be its likely new name


@dataclass(frozen=True)
class ReleaseFiles:
    """The files of one release that exist, relative to the project root."""

    release: str
    source: str | None
    template: str | None
    catalogs: tuple[str, ...]
    approvals: tuple[str, ...]  # the approvals files with lines for this release

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(p for p in (self.source, self.template, *self.catalogs) if p)

    @property
    def exists(self) -> bool:
        return bool(self.all or self.approvals)


@dataclass(frozen=True)
class Moved:
    old: str  # relative to the project root
    new: str


@dataclass(frozen=True)
class ReleaseChange:
    """What `rm` or `mv` did (or, with ``dry_run``, would do)."""

    release: str
    removed: tuple[str, ...] = ()
    moved: tuple[Moved, ...] = ()
    approvals: tuple[str, ...] = ()  # approvals files rewritten (their lines of this release dropped or renamed)
    dry_run: bool = False


@dataclass(frozen=True)
class LikelyRename:
    """A release whose source is gone, and the new release that shares most of its segments."""

    old: str
    new: str
    share: float  # segments in common, over the larger of the two releases


def checked_id(release_id: str) -> str:
    """The id, or a SourceError (exit 2) if it is unsafe or one of transpub's own."""
    checked = release_id_of(Path(f"{release_id}.md"))
    if checked != release_id:  # a path ("../x", "a/b"): its stem alone would pass
        raise UsageError(f"unsafe release id {release_id!r}: a release id is a file name, not a path")
    return checked


def release_files(project: Project, release_id: str) -> ReleaseFiles:
    """Which files of ``release_id`` exist (the approvals files are read: a damaged one raises here)."""
    source = project.sources_dir / f"{release_id}.md"
    template = project.template_path(release_id)
    catalogs = [project.catalog_path(lang, release_id) for lang in project.languages]
    approvals = [
        project.approvals_path(lang)
        for lang in project.languages
        if any(catalog == release_id for catalog, _digest in read_approvals(project.approvals_path(lang)).entries)
    ]
    return ReleaseFiles(
        release_id,
        project.shown(source) if source.is_file() else None,
        project.shown(template) if template.is_file() else None,
        tuple(project.shown(p) for p in catalogs if p.is_file()),
        tuple(project.shown(p) for p in approvals),
    )


def remove_release(project: Project, release_id: str, *, dry_run: bool = False) -> ReleaseChange:
    """Withdraw a release: its source (if still there), template, catalogs and approvals lines."""
    release_id = checked_id(release_id)
    with project_lock(project.root):
        files = release_files(project, release_id)
        if not files.exists:
            raise UsageError(f"no release {release_id!r}: no source, template, catalog or approval has that id")
        if not dry_run:
            for relative in files.approvals:
                path = project.root / relative
                approvals = read_approvals(path)
                write_approvals(path, Approvals({key: a for key, a in approvals.entries.items() if key[0] != release_id}))
            for relative in files.all:
                (project.root / relative).unlink()
    return ReleaseChange(release_id, removed=files.all, approvals=files.approvals, dry_run=dry_run)


def rename_release(project: Project, old: str, new: str, *, dry_run: bool = False) -> ReleaseChange:
    """Rename a release: source, template, every catalog and the approvals lines, review states kept.

    When the source was already renamed by hand (``sources/<new>.md`` exists, ``sources/<old>.md`` does
    not), the catalogs ``update`` made for the new id are replaced, but only if no entry of theirs is
    translated: a translation is never lost.
    """
    old, new = checked_id(old), checked_id(new)
    if old == new:
        raise UsageError(f"{old!r} is already the release's name")
    with project_lock(project.root):
        before, after = release_files(project, old), release_files(project, new)
        if not before.exists:
            raise UsageError(f"no release {old!r}: no source, template, catalog or approval has that id")
        _check_target(project, before, after)
        moves = [Moved(path, _renamed(path, old, new)) for path in before.all]
        if not dry_run:
            for relative in before.approvals:
                path = project.root / relative
                approvals = read_approvals(path)
                write_approvals(path, Approvals({(_new_id(a.catalog, old, new), a.digest): _moved_approval(a, old, new) for a in approvals.entries.values()}))
            for move in moves:
                os.replace(project.root / move.old, project.root / move.new)
    return ReleaseChange(old, moved=tuple(moves), approvals=before.approvals, dry_run=dry_run)


def _check_target(project: Project, before: ReleaseFiles, after: ReleaseFiles) -> None:
    new = after.release
    if after.source and before.source:
        raise UsageError(f"release {new!r} already exists ({after.source}); remove it first (transpub rm {new})")
    if after.approvals:
        raise UsageError(f"release {new!r} already has approvals ({', '.join(after.approvals)}); remove it first (transpub rm {new})")
    for relative in after.catalogs:
        if any(entry.msgstr or any(entry.msgstr_plural.values()) for entry in read_catalog(project.root / relative) if not entry.obsolete):
            raise UsageError(f"release {new!r} already has translations ({relative}); remove it first (transpub rm {new})")


def _renamed(relative: str, old: str, new: str) -> str:
    folder, _, name = relative.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    assert stem == old, (relative, old)
    return f"{folder}/{new}{dot}{suffix}"


def _new_id(catalog: str, old: str, new: str) -> str:
    return new if catalog == old else catalog


def _moved_approval(approval: Approval, old: str, new: str) -> Approval:
    return Approval(_new_id(approval.catalog, old, new), approval.digest, approval.by, approval.date)


def vanished_releases(project: Project, release_ids: Iterable[str]) -> tuple[ReleaseFiles, ...]:
    """The releases that still have a template or catalogs, but no source (sorted by id)."""
    current = set(release_ids)
    found: set[str] = set()
    folders = [project.locale_dir / "templates", *(project.locale_dir / lang / "LC_MESSAGES" for lang in project.languages)]
    for folder in folders:
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:  # no Path per file: a project has one per release and language
            for entry in entries:
                stem, suffix = os.path.splitext(entry.name)
                if suffix in (".po", ".pot") and stem not in current and entry.is_file():
                    found.add(stem)
    own = {NAMES_CATALOG, "glossary"}
    ids = sorted(stem for stem in found if stem not in own and _is_release_id(stem))
    return tuple(release_files(project, stem) for stem in ids)


def _is_release_id(stem: str) -> bool:
    try:
        checked_id(stem)
    except TranspubError:  # a file named like no release could be: not ours to report
        return False
    return True


def likely_renames(project: Project, vanished: Sequence[ReleaseFiles], release_ids: Sequence[str]) -> tuple[LikelyRename, ...]:
    """For each vanished release, the current release sharing at least :data:`RENAME_SHARE` of its
    segments (msgids, counted over the larger of the two), if one does; the best one when several do."""
    if not vanished:
        return ()
    current = {rid: _msgids(project, rid) for rid in release_ids}
    claimed = {rid for rid in release_ids if _has_translations(project, rid)}  # a release with its own translations is no new name
    found = []
    for files in vanished:
        old_ids = _msgids(project, files.release)
        best: tuple[float, str] | None = None
        for rid, ids in current.items():
            if rid in claimed or not ids or not old_ids:
                continue
            share = len(old_ids & ids) / max(len(old_ids), len(ids))
            if share >= RENAME_SHARE and (best is None or share > best[0]):
                best = (share, rid)
        if best is not None:
            found.append(LikelyRename(files.release, best[1], best[0]))
    return tuple(found)


def _msgids(project: Project, release_id: str) -> frozenset[tuple[str, str]]:
    """The segments of a release: its template's, or else its first catalog's."""
    for path in (project.template_path(release_id), *(project.catalog_path(lang, release_id) for lang in project.languages)):
        if path.is_file():
            return frozenset((e.msgctxt or "", e.msgid) for e in read_catalog(path) if not e.obsolete and e.msgid)
    return frozenset()


def _has_translations(project: Project, release_id: str) -> bool:
    for lang in project.languages:
        path = project.catalog_path(lang, release_id)
        if path.is_file() and any(e.msgstr for e in read_catalog(path) if not e.obsolete):
            return True
    return False


__all__ = [
    "LikelyRename",
    "Moved",
    "ReleaseChange",
    "ReleaseFiles",
    "likely_renames",
    "release_files",
    "remove_release",
    "rename_release",
    "vanished_releases",
]
