"""``outputs/.transpub-manifest.json``: what the last build decided and wrote, and from what.

For every release the manifest keeps a record (:class:`ReleaseRecord`): for each of its languages, the
digest of everything the pair's result depends on and the publishing decision made from it (with the
title and date the index pages show), so a release whose inputs are unchanged is decided without being
read again; and for each of its output files, the key the file was built with. For every index page it
holds the key of what it lists, and the versions of the libraries that shape the pages (``libraries``).
Keys are made in ``digests``, ``plan`` and ``indexes``; this module only keeps them.

The file is JSON, one release's record to a line, the releases in order of their ids::

    {"indexes":{…},"libraries":{…},"version":2,"releases":{
    "2023-07-18-assemblies":{"outputs":{…},"pairs":{…}},
    …
    }}

so that neither reading nor writing ever holds every record: at 5,000 releases in five languages the
manifest is ~17 MB of text, ~27 MB once parsed. :func:`read_manifest` reads the first line whole and notes
where each record is; a record is parsed when its release is asked for (:meth:`Manifest.record`). A
build hands each release's new record to a :class:`ManifestWriter` as soon as it is final, which keeps it
in an unnamed temporary file; the new manifest is then written from there, in order, piece by piece,
atomically, and only when its text differs from the file's.

Reading never fails: a missing or damaged manifest, or one of an unknown version, reads as an empty one,
and everything is rebuilt, nothing lost; a damaged record reads as no record, and its release is rebuilt.
A manifest of version 1 (one JSON object, read whole) is read once, and its records are kept in a
temporary file like a new one's.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..staging import commit, stage_pieces
from .libraries import LibraryVersions

MANIFEST = ".transpub-manifest.json"
MANIFEST_VERSION = 2
_RELEASES = b',"releases":{\n'  # ends the first line: the records follow, one to a line
_END = b"}}\n"  # the last line
MAX_LINE = 1 << 24  # bytes in a line: a release's record is a few kilobytes; a longer line is damage
MAX_VERSION_1 = 1 << 30  # bytes in a manifest of version 1, read whole (17 MB at 5,000 releases)
_KEY = re.compile(rb'"(?:[^"\\\n]|\\.)*":')  # a record line's start: the release id, as a JSON string


@dataclass(frozen=True, slots=True)
class PairInfo:
    """What the manifest remembers about one (release, language): enough for indexes and skips."""

    key: str  # digest of the pair's inputs
    publishable: bool
    reason: str  # why it is not publishable ("" when it is)
    title: str  # as the index pages show it
    date: str  # the release date, ISO 8601
    images: tuple[str, ...] = ()  # the images its pages show, relative to the language's folder (removed when no page shows them)
    published_source: str = ""  # digest of the source its last published version was made from ("": never published)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"key": self.key, "publishable": self.publishable, "reason": self.reason, "title": self.title, "date": self.date}
        if self.images:
            data["images"] = list(self.images)
        if self.published_source:
            data["published_source"] = self.published_source
        return data


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    """What the manifest remembers about one release: its pairs' decisions and its outputs' keys."""

    pairs: Mapping[str, PairInfo] = field(default_factory=dict)  # language -> decision
    outputs: Mapping[str, str] = field(default_factory=dict)  # path in outputs/ -> key it was built with

    def shown_images(self, release: str) -> Iterator[tuple[str, str]]:
        """(folder, image) for each image a page of the release shows, in a language's folder or its drafts'."""
        for lang, info in self.pairs.items():
            for folder in (lang, f"drafts/{lang}") if info.images else ():
                if f"{folder}/{release}.html" in self.outputs:
                    for image in info.images:
                        yield folder, image

    def to_json(self) -> dict[str, object]:
        return {"outputs": dict(self.outputs), "pairs": {lang: info.to_json() for lang, info in self.pairs.items()}}


EMPTY = ReleaseRecord()
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode  # compact: only then is json's C encoder used


def encode_record(record: ReleaseRecord) -> bytes:
    """A record as the manifest writes it: compact, keys sorted, ASCII (a title in any script)."""
    return _encode(record.to_json()).encode("ascii")


class _Records:
    """Release records in a file, one to a line, each found by where it is (none is held)."""

    def __init__(self, handle: IO[bytes], spans: dict[str, int]):
        self.handle = handle
        self.spans = spans  # release id -> where its record is: offset << 32 | length

    def raw(self, release: str) -> bytes | None:
        span = self.spans.get(release)
        return None if span is None else os.pread(self.handle.fileno(), span & 0xFFFFFFFF, span >> 32)

    def get(self, release: str) -> ReleaseRecord | None:
        raw = self.raw(release)
        if raw is None:
            return None
        try:
            return _record_from_json(json.loads(raw, object_hook=_pair_hook))
        except (ValueError, TypeError, KeyError):
            return None  # a damaged record: its release is rebuilt

    def close(self) -> None:
        self.handle.close()


class Manifest:
    """The manifest a build reads: its header, and each release's record when it is asked for.

    Open until :meth:`close` (or the end of a ``with`` block): the records are read from the file as
    it was when it was opened, even after a new manifest replaced it.
    """

    def __init__(
        self,
        indexes: Mapping[str, str] | None = None,
        libraries: LibraryVersions | None = None,
        records: _Records | None = None,
        header: bytes = b"",
        canonical: bool = False,
    ):
        self.header = header  # the first line, as the file holds it (b"": none, or not of this version)
        self.canonical = canonical  # all but the records' texts is as transpub writes it (the header, the order, the commas)
        self.indexes = indexes  # index page in outputs/ -> key; None: no HTML built yet
        self.libraries = libraries  # None: not known (looked up by the next build)
        self._records = records

    def releases(self) -> Iterable[str]:
        """The releases it has a record of."""
        return self._records.spans.keys() if self._records else ()

    def record(self, release: str) -> ReleaseRecord:
        """The release's record (an empty one when there is none, or it is damaged)."""
        return (self._records.get(release) if self._records else None) or EMPTY

    def raw_record(self, release: str) -> bytes | None:
        """The record's text as the file holds it (None: no record)."""
        return self._records.raw(release) if self._records else None

    def close(self) -> None:
        if self._records is not None:
            self._records.close()
            self._records = None

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def manifest_path(outputs_dir: Path) -> Path:
    return outputs_dir / MANIFEST


def read_manifest(path: Path) -> Manifest:
    """The manifest in ``path``: an empty one when there is none, or it is damaged or of another version,
    or not a regular file (a FIFO, a link to a device: never waited on, never read without end)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return Manifest()
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return Manifest()
    handle = os.fdopen(fd, "rb")  # closed by the Manifest it makes, or below
    try:
        first = handle.readline(MAX_LINE)
        if first.startswith(b'{"') and first.endswith(_RELEASES):
            manifest = _read_lines(handle, first)
        else:
            manifest = _read_version_1(handle, first)
    except (OSError, ValueError, TypeError, KeyError):
        manifest = Manifest()  # damaged: everything is rebuilt, nothing is lost
    if manifest._records is None or manifest._records.handle is not handle:
        handle.close()
    return manifest


def _read_lines(handle: IO[bytes], first: bytes) -> Manifest:
    """A manifest of this version: the first line parsed, then where each record is (none parsed)."""
    header = json.loads(first[: -len(_RELEASES)] + b"}")
    if not (isinstance(header, dict) and header.get("version") == MANIFEST_VERSION):
        raise ValueError("not a manifest of this version")
    indexes = header.get("indexes")
    if not isinstance(indexes, dict | None) or not all(isinstance(v, str) for v in (indexes or {}).values()):
        raise ValueError("not a manifest of this version")
    spans: dict[str, int] = {}
    offset = len(first)
    previous, comma = "", False
    canonical = True  # as transpub writes it: ids in order, each once, written as json writes them, the commas
    while line := handle.readline(MAX_LINE):
        if line == _END:
            canonical = canonical and not comma and handle.read(1) == b""
            return Manifest(indexes, _libraries_from_json(header.get("libraries")), _Records(handle, spans), first, canonical)
        key = _KEY.match(line)
        if key is None or not line.endswith(b"\n") or (spans and not comma):
            raise ValueError("not a record")
        comma = line.endswith(b",\n")
        end = len(line) - (2 if comma else 1)
        release = json.loads(key.group()[:-1])
        canonical = canonical and release > previous and key.group() == _encode(release).encode("ascii") + b":"
        previous = release
        # the id interned: the build holds it so, and shares its text
        spans[sys.intern(release)] = (offset + key.end()) << 32 | (end - key.end())
        offset += len(line)
    raise ValueError("cut short")


def _read_version_1(handle: IO[bytes], first: bytes) -> Manifest:
    """A manifest of version 1, one JSON object: read whole, once, its records kept in a temporary file."""
    if os.fstat(handle.fileno()).st_size > MAX_VERSION_1:
        raise ValueError("too large")
    data = json.loads(first + handle.read(), object_hook=_pair_hook)
    if not (isinstance(data, dict) and data.get("version") == 1):
        raise ValueError("not a manifest of a known version")
    pairs, outputs, indexes = data["pairs"], data["outputs"], data.get("indexes")
    if not (isinstance(pairs, dict) and isinstance(outputs, dict) and isinstance(indexes, dict | None)):
        raise ValueError("not a manifest of version 1")
    grouped: dict[str, tuple[dict, dict]] = {}
    for name, info in pairs.items():
        release, lang = name.rsplit("/", 1)
        grouped.setdefault(release, ({}, {}))[0][lang] = info
    for relative, key in outputs.items():
        grouped.setdefault(relative.rsplit("/", 1)[-1].rsplit(".", 1)[0], ({}, {}))[1][relative] = key
    writer = ManifestWriter()
    for release, (release_pairs, release_outputs) in grouped.items():
        writer.add(release, _record_from_json({"pairs": release_pairs, "outputs": release_outputs}))
    return Manifest(indexes, _libraries_from_json(data.get("libraries")), writer.records())


def _record_from_json(data: object) -> ReleaseRecord:
    if not isinstance(data, dict):
        raise TypeError("not a record")
    pairs, outputs = data["pairs"], data["outputs"]
    if not (isinstance(pairs, dict) and isinstance(outputs, dict)):
        raise TypeError("not a record")
    if not all(isinstance(info, PairInfo) for info in pairs.values()) or not all(isinstance(k, str) for k in outputs.values()):
        raise TypeError("not a record")
    return ReleaseRecord(pairs, outputs)


def _pair_hook(data: dict) -> object:
    """A ``json.loads`` object hook that makes every pair's object a :class:`PairInfo` as it is parsed."""
    if "publishable" in data and "key" in data:
        data["images"] = tuple(data.get("images", ()))
        return PairInfo(**data)
    return data


def _libraries_from_json(data: object) -> LibraryVersions | None:
    if isinstance(data, dict) and isinstance(data.get("records"), str) and isinstance(data.get("versions"), dict):
        return LibraryVersions(data["records"], data["versions"])
    return None  # looked up again: a cheap price for a record that is not what this build would write


class ManifestWriter:
    """The records of the next manifest, each added once final, kept in an unnamed temporary file (a
    build of thousands of releases would otherwise hold them all until the end); written, in the order
    of the releases' ids, by :func:`write_manifest`."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._spans: dict[str, int] = {}
        self._size = 0

    def add(self, release: str, record: ReleaseRecord) -> None:
        if self._file is None:
            self._file = _temporary_file()
        data = encode_record(record)
        self._file.write(data)
        self._spans[release] = self._size << 32 | len(data)
        self._size += len(data)

    def records(self) -> _Records:
        """The records added, to read (the writer is done with them)."""
        if self._file is None:
            self._file = _temporary_file()
        self._file.flush()
        return _Records(self._file, self._spans)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _temporary_file() -> IO[bytes]:
    """Unnamed: nothing is left behind, even by a killed run."""
    import tempfile  # here, not at the top: a build with nothing to write never needs it (~5 ms, with shutil)

    return tempfile.TemporaryFile()  # noqa: SIM115


def manifest_header(indexes: Mapping[str, str] | None, libraries: LibraryVersions | None) -> bytes:
    """The manifest's first line: all but the records."""
    header: dict[str, object] = {"version": MANIFEST_VERSION}
    if indexes is not None:
        header["indexes"] = dict(indexes)
    if libraries is not None:
        header["libraries"] = {"records": libraries.records, "versions": libraries.versions}
    return _encode(header).encode("ascii")[:-1] + _RELEASES


def manifest_pieces(header: bytes, records: _Records) -> Iterator[bytes]:
    """The manifest's text, a record at a time, the releases in order of their ids."""
    yield header
    releases = sorted(records.spans)
    for number, release in enumerate(releases, 1):
        yield b"%s:%s%s" % (_encode(release).encode("ascii"), records.raw(release), b",\n" if number < len(releases) else b"\n")
    yield _END


def write_manifest(path: Path, pieces: Callable[[], Iterable[bytes]]) -> None:
    """Write the manifest atomically, piece by piece (the whole text is never held at once); a file that
    already holds it is left as it is."""
    staged = stage_pieces(Path(path), pieces)
    if staged is not None:
        commit([staged])
