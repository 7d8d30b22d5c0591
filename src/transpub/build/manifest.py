"""``outputs/.transpub-manifest.json``: what the last build decided and wrote, and from what.

For every (release, language) the manifest remembers the digest of everything its result depends on and
the publishing decision made from it (with the title and date the index pages show), so a release whose
inputs are unchanged is decided without being read again. For every output file it holds the key the file
was built with, for every index page the key of what it lists, and the versions of the libraries that
shape the pages (``libraries``). Keys are made in ``digests``, ``plan`` and ``indexes``; this module only
keeps them.

A :class:`Manifest` is a frozen value: a build reads one, and makes the next one in a single step
(:meth:`Manifest.after_build`). Reading never fails: a missing or damaged manifest, or one of another
version, reads as an empty one, and everything is rebuilt, nothing lost. Writing is atomic, and a build
that wrote nothing else compares the text it would write with the file, piece by piece and without the
lock, and writes nothing when they match (:func:`manifest_is_written`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..staging import commit, stage_pieces
from .libraries import LibraryVersions

MANIFEST = ".transpub-manifest.json"
MANIFEST_VERSION = 1


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


@dataclass(frozen=True)
class Manifest:
    """The manifest's contents, as read from the file or as a build leaves them."""

    pairs: Mapping[str, PairInfo] = field(default_factory=dict)  # "release/lang" -> what was decided
    outputs: Mapping[str, str] = field(default_factory=dict)  # path in outputs/ -> key it was built with
    indexes: Mapping[str, str] | None = None  # index page in outputs/ -> key; None: no HTML built yet
    libraries: LibraryVersions | None = None  # None: not known (looked up by the next build)

    def pair(self, release: str, lang: str) -> PairInfo | None:
        return self.pairs.get(pair_name(release, lang))

    def outputs_by_release(self) -> dict[str, dict[str, str]]:
        """The output keys grouped by release, in one pass (a scan per release would be quadratic)."""
        grouped: dict[str, dict[str, str]] = {}
        for relative, key in self.outputs.items():
            grouped.setdefault(relative.rsplit("/", 1)[-1].rsplit(".", 1)[0], {})[relative] = key
        return grouped

    def after_build(
        self,
        *,
        pairs: Mapping[tuple[str, str], PairInfo],
        outputs: Mapping[str, str],
        indexes: Mapping[str, str] | None,
        libraries: LibraryVersions,
        releases: Collection[str],
        exists: Callable[[str], bool],
    ) -> Manifest:
        """The manifest a build leaves: what it decided and wrote, over what this one remembers.

        ``pairs`` and ``outputs`` are what the build decided and the keys of the outputs it wanted
        (written or already current); ``indexes`` the keys of the index pages, or None when the build
        made no HTML (the index entries are then kept as they were). Releases no longer among
        ``releases`` are forgotten, and so are outputs and index pages that do not ``exist`` (deleted by hand).
        """
        # built in place, not as {**old, **new} then filtered: at 5,000 releases each of these dicts,
        # and every temporary copy of it, is megabytes
        kept_pairs = {name: info for name, info in self.pairs.items() if name.rsplit("/", 1)[0] in releases}
        for (release, lang), info in pairs.items():
            if release in releases:
                kept_pairs[pair_name(release, lang)] = info
        kept_outputs = {path: key for path, key in self.outputs.items() if path in outputs or exists(path)}
        kept_outputs.update(outputs)
        for path in [path for path in outputs if not exists(path)]:
            del kept_outputs[path]
        index_keys = self.indexes
        if indexes is not None:
            index_keys = {path: key for path, key in {**(self.indexes or {}), **indexes}.items() if exists(path)}
        return Manifest(pairs=kept_pairs, outputs=kept_outputs, indexes=index_keys, libraries=libraries)

    def images_by_folder(self) -> dict[str, set[str]]:
        """The images the pages on the site show, by folder (a language's, or its drafts'), relative to it."""
        shown: dict[str, set[str]] = {}
        for name, info in self.pairs.items():
            if not info.images:
                continue
            release, lang = name.rsplit("/", 1)
            for folder in (lang, f"drafts/{lang}"):
                if f"{folder}/{release}.html" in self.outputs:
                    shown.setdefault(folder, set()).update(info.images)
        return shown

    def to_json(self) -> dict[str, object]:
        data = self._shallow_json()
        data["pairs"] = {name: info.to_json() for name, info in self.pairs.items()}
        return data

    def _shallow_json(self) -> dict[str, object]:
        """The JSON data, but with the pairs as :class:`PairInfo` values: :func:`manifest_pieces` converts
        them a few hundred at a time, so a dict per pair never exists for the whole manifest at once."""
        data: dict[str, object] = {
            "version": MANIFEST_VERSION,
            "pairs": self.pairs,
            "outputs": self.outputs,
        }
        if self.indexes is not None:
            data["indexes"] = self.indexes
        if self.libraries is not None:
            data["libraries"] = {"records": self.libraries.records, "versions": self.libraries.versions}
        return data


def pair_name(release: str, lang: str) -> str:
    return f"{release}/{lang}"


def manifest_path(outputs_dir: Path) -> Path:
    return outputs_dir / MANIFEST


def read_manifest(path: Path) -> Manifest:
    """The manifest in ``path``; an empty one when there is none, or it is damaged or of another version."""
    try:
        # read as text (json.loads of bytes holds a decoded copy beside them: ~17 MB each at 5,000 releases),
        # each pair made a PairInfo as soon as it is parsed (not a dict per pair for all of them first)
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return manifest_from_json(json.loads(text, object_hook=_pair_hook()))
    except (OSError, ValueError, TypeError):
        return Manifest()  # no manifest, or a damaged one: everything is rebuilt, nothing is lost


def manifest_from_json(data: object) -> Manifest:
    """Raises ValueError or TypeError unless ``data`` (parsed with :func:`_pair_hook`) is a manifest of this version."""
    if not (isinstance(data, dict) and data.get("version") == MANIFEST_VERSION):
        raise ValueError("not a manifest of this version")
    pairs, outputs, indexes = data.get("pairs"), data.get("outputs"), data.get("indexes")
    if not (isinstance(pairs, dict) and isinstance(outputs, dict) and isinstance(indexes, dict | None)):
        raise ValueError("not a manifest of this version")
    return Manifest(
        pairs=_pairs_from_json(pairs),
        outputs=outputs,
        indexes=indexes,
        libraries=_libraries_from_json(data.get("libraries")),
    )


def _pairs_from_json(pairs: dict) -> dict[str, PairInfo]:
    """The pairs, each made a :class:`PairInfo` by :func:`_pair_hook` as it was parsed; anything else
    there (an object without the fields of a pair) is not a manifest of this version."""
    if not all(isinstance(info, PairInfo) for info in pairs.values()):
        raise TypeError("not a pair")
    return pairs


def _pair_hook() -> Callable[[dict], object]:
    """A ``json.loads`` object hook that makes every pair's object a :class:`PairInfo` as it is parsed."""
    shared: dict[str, str] = {}

    def hook(data: dict) -> object:
        return _pair_from_json(data, shared) if "publishable" in data and "key" in data else data

    return hook


def _pair_from_json(info: dict, shared: dict[str, str]) -> PairInfo:
    """One pair; the texts that repeat from pair to pair (reasons, dates, the source digest a release's
    languages share) held once, in ``shared``."""
    for field_name in ("reason", "date", "published_source"):
        value = info.get(field_name)
        if isinstance(value, str):
            info[field_name] = shared.setdefault(value, value)
    info["images"] = tuple(info.get("images", ()))
    return PairInfo(**info)


def _libraries_from_json(data: object) -> LibraryVersions | None:
    if isinstance(data, dict) and isinstance(data.get("records"), str) and isinstance(data.get("versions"), dict):
        return LibraryVersions(data["records"], data["versions"])
    return None  # looked up again: a cheap price for a record that is not what this build would write


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write the manifest atomically, piece by piece: the whole text (~17 MB at 5,000 releases in five
    languages) is never held at once, neither as text nor encoded. A file that already holds it is left."""
    staged = stage_pieces(Path(path), lambda: (piece.encode("ascii") for piece in manifest_pieces(manifest._shallow_json())))
    if staged is not None:
        commit([staged])


def manifest_is_written(path: Path, manifest: Manifest) -> bool:
    """Whether ``path`` already holds exactly the text :func:`write_manifest` would write (read, not locked)."""
    return _file_holds(path, manifest_pieces(manifest._shallow_json()))


def _file_holds(path: Path, pieces: Iterable[str]) -> bool:
    """Whether the file holds exactly this ASCII text, given and read in pieces."""
    try:
        with open(path, encoding="ascii", newline="") as handle:
            for piece in pieces:
                if handle.read(len(piece)) != piece:
                    return False
            return handle.read(1) == ""
    except (OSError, ValueError):  # no manifest yet, or not ASCII: not the one this build would write
        return False


def manifest_pieces(data: Mapping[str, object], entries: int = 256) -> Iterator[str]:
    """The manifest's JSON data as text, a few hundred entries at a time; together, exactly ``json.dumps`` of it.

    Compact, for only then does json use its C encoder, and ASCII: a title in Japanese would make Python
    hold a whole piece at two bytes a character, or four. In pieces, because the encoder holds every
    fragment of its output until it joins them: the whole manifest at once would take ~9 MB at 500
    releases in five languages, and a no-op build compares the text with the file and writes nothing.
    """
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    yield "{"
    for number, key in enumerate(sorted(data)):
        value = data[key]
        yield ("," if number else "") + encode(key) + ":"
        if not (isinstance(value, dict) and value):
            yield encode(value)
            continue
        names = sorted(value)
        yield "{"
        for start in range(0, len(names), entries):
            chunk = encode({name: _plain(value[name]) for name in names[start : start + entries]})
            yield ("," if start else "") + chunk[1:-1]
        yield "}"
    yield "}\n"


def _plain(value: object) -> object:
    return value.to_json() if isinstance(value, PairInfo) else value
