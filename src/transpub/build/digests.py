"""What the build knows before deciding anything: the digests of its inputs, and which outputs exist.

Content, not modification times, decides. A (release, language) is keyed on a digest of everything its
result depends on: the source, its catalog, names.po, the glossary, the approvals (two-step review), transpub.toml, transpub's own code
(an editable install changes without a version bump) and the versions of the libraries that shape a
page or document (``libraries``); every output adds the images and templates (``Digests.assets``). Each
file is read and hashed at most once per build, and nothing is parsed: a no-op rebuild reads and hashes
files and renders nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from .. import __version__
from ..config import Project
from ..fsutil import content_digest, read_file
from .libraries import LibraryVersions
from .manifest import MANIFEST_VERSION


class Digests:
    """Content digests of every build input, each file read at most once per build.

    Only the digests of files many releases share are kept; a release's source is kept while its
    languages are digested, so memory does not grow with the number of releases.
    """

    def __init__(self, project: Project, libraries: LibraryVersions):
        self.project = project
        self._files: dict[Path, str] = {}
        self._per_language: dict[str, tuple[str, ...]] = {}
        self._source: tuple[str, str] = ("", "")  # (release id, digest of its source)
        self._catalogs: dict[str, str] = {}  # language -> digest of its catalog, for the release in _source
        self._sources_dir = os.fspath(project.sources_dir)
        # what every output depends on: the manifest's format, transpub, its settings and its libraries
        self.base = hash_parts(
            MANIFEST_VERSION,
            __version__,
            code_digest(),
            self.file(project.config_path),
            json.dumps(libraries.versions, sort_keys=True),
        )
        self._folders = {
            (project.sources_dir, ".md"): folder_digest(project.sources_dir, exclude_suffix=".md"),  # the images
            (project.templates_dir, None): folder_digest(project.templates_dir),
        }
        self.assets = hash_parts(*self._folders.values())

    def file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = file_digest(path)
        return self._files[path]

    def language(self, lang: str) -> str:
        """The digest of the files every page of ``lang`` depends on (names.po, glossary, approvals)."""
        return hash_parts(*self.language_digests(lang))

    def source(self, release_id: str) -> str:
        """The digest of a release's source."""
        if self._source[0] != release_id:
            self._source = (release_id, file_digest(self._source_file(release_id)))
            self._catalogs = {}
        return self._source[1]

    def _source_file(self, release_id: str) -> str:
        return os.path.join(self._sources_dir, f"{release_id}.md")  # (as Project.release_files lists it)

    def catalog(self, release_id: str, lang: str) -> str:
        """The digest of a release's catalog in ``lang`` (kept while the release is digested)."""
        self.source(release_id)
        if lang not in self._catalogs:
            self._catalogs[lang] = file_digest(self.project.catalog_file(lang, release_id))
        return self._catalogs[lang]

    def release_inputs(self, release_id: str, languages: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """The release's own files a job reads for these languages (its source, their catalogs), each with
        the digest its keys were made from: the job compares them with what it read (:func:`changed_input`)."""
        project = self.project
        source = (self._source_file(release_id), self.source(release_id))
        catalogs = (
            (project.catalog_file(lang, release_id), self.catalog(release_id, lang))
            for lang in languages
            if lang != project.source_lang
        )
        return (source, *catalogs)

    def shared_change(self) -> Path | None:
        """A file many outputs depend on (transpub.toml, a language's names.po, glossary or approvals, the
        templates or images) that no longer holds the content this build's keys were made from; None when
        none changed. Asked before a build puts its files in place."""
        for path, digest in self._files.items():
            if file_digest(path) != digest:
                return path
        for (folder, exclude), digest in self._folders.items():
            if folder_digest(folder, exclude_suffix=exclude) != digest:
                return folder
        return None

    def language_digests(self, lang: str) -> tuple[str, ...]:
        """The digests of names.po, the glossary and the approvals of ``lang``, each file digested once."""
        if lang not in self._per_language:  # the same files for every release of a language
            self._per_language[lang] = language_digests(self.project, lang, self.file)
        return self._per_language[lang]

    def pair(self, release_id: str, lang: str) -> str:
        """The key of one (release, language): a digest of everything its result depends on."""
        project = self.project
        source = self.source(release_id)
        if lang == project.source_lang:
            return hash_parts(self.base, lang, source)
        return hash_parts(self.base, lang, source, self.catalog(release_id, lang), *self.language_digests(lang))


class OutputListing:
    """Which files exist under outputs/, one directory listing per folder (not one stat per file).

    A language's folder holds a page and a document per release: at thousands of releases, a set of
    their names would be megabytes. A name is held as its stem (interned: a release id, the same text the
    build holds already) with a bit for each of the extensions outputs have; other names as they are.
    """

    _SUFFIXES = {"html": 1, "docx": 2}

    def __init__(self, root: Path):
        self.root = str(root)
        self._folders: dict[str, tuple[dict[str, int], frozenset[str]]] = {}

    def has(self, relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        listed = self._folders.get(folder)
        if listed is None:
            listed = self._folders[folder] = self._list(folder)
        stem, dot, suffix = name.rpartition(".")
        bit = self._SUFFIXES.get(suffix) if dot else None
        return bool(listed[0].get(stem, 0) & bit) if bit else name in listed[1]

    def _list(self, folder: str) -> tuple[dict[str, int], frozenset[str]]:
        outputs: dict[str, int] = {}
        others = []
        try:
            with os.scandir(os.path.join(self.root, folder)) as entries:
                for entry in entries:
                    if not entry.is_file():
                        continue
                    stem, dot, suffix = entry.name.rpartition(".")
                    bit = self._SUFFIXES.get(suffix) if dot else None
                    if bit:
                        stem = sys.intern(stem)
                        outputs[stem] = outputs.get(stem, 0) | bit
                    else:
                        others.append(entry.name)
        except OSError:  # no such folder (yet)
            pass
        return outputs, frozenset(others)


def language_digests(project: Project, lang: str, digest=None) -> tuple[str, ...]:
    """The digests of the files every release of ``lang`` depends on: names.po, the glossary and, under
    two-step review, the approvals (an approval publishes a page as surely as a translation does)."""
    digest = digest or file_digest
    return tuple(digest(path) for path in language_paths(project, lang))


def language_paths(project: Project, lang: str) -> tuple[Path, Path, Path]:
    """The files of :func:`language_digests`, in its order."""
    return project.names_path(lang), project.glossary_path(lang), project.approvals_path(lang)


def file_digest(path: str | os.PathLike[str]) -> str:
    """A file's content digest ("-": no such file); anything but a regular file is a FileError."""
    try:
        return content_digest(read_file(path))
    except FileNotFoundError:
        return "-"


def hash_parts(*parts: object) -> str:
    """A digest of the parts, each followed by a NUL (one update: a no-op build makes one per output)."""
    return hashlib.sha256("".join(f"{part}\0" for part in parts).encode("utf-8")).hexdigest()


def hash_pieces(parts: Iterable[str | Iterable[str]]) -> str:
    """:func:`hash_parts` of parts too large to hold as one text: a part may be given as the pieces that
    make it up, and is hashed as they come (the same digest as ``hash_parts`` of the joined texts)."""
    digest = hashlib.sha256()
    for part in parts:
        for piece in (part,) if isinstance(part, str) else part:
            digest.update(piece.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def changed_input(inputs: Iterable[tuple[str, str]], read: Mapping[str, str], shared: Iterable[tuple[str, str]] = ()) -> str | None:
    """The first file a job read whose content, as it read it (``read``: the digests
    :func:`fsutil.recorded_reads` took of the bytes it parsed), is not the content the build digested;
    None: none. ``inputs``, the release's own files (source, catalogs), are digested as they are now if
    the job did not read them (one gone since); ``shared`` (names.po, glossary, approvals), only if read:
    the build checks them all again before it puts anything in place."""
    for path, digest in inputs:
        seen = read.get(path)
        if (seen if seen is not None else file_digest(path)) != digest:
            return path
    for path, digest in shared:
        if read.get(path, digest) != digest:
            return path
    return None


@cache
def code_digest() -> str:
    """transpub's own code, templates and styles: an editable install changes without a version bump."""
    package = Path(__file__).parent.parent
    return folder_digest(package, suffixes=(".py", ".j2", ".css"))


def folder_digest(folder: Path, *, exclude_suffix: str | None = None, suffixes: tuple[str, ...] | None = None) -> str:
    """The names and contents of the files under ``folder`` (a folder symlinked inside is not followed)."""
    if not folder.is_dir():
        return "-"
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [name for name in dirnames if name != "__pycache__"]
        for name in filenames:
            suffix = os.path.splitext(name)[1]
            if (exclude_suffix and suffix == exclude_suffix) or (suffixes and suffix not in suffixes):
                continue
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                files.append((os.path.relpath(path, folder).replace(os.sep, "/"), path))
    digest = hashlib.sha256()
    for relative, path in sorted(files):
        digest.update(relative.encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()
