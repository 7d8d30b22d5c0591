"""The versions of the libraries whose output shapes a page or document, found without importing them.

Babel formats every date, number, country and language name from the CLDR data it ships (Babel's version
determines its CLDR version), Jinja2 renders the HTML templates, python-docx writes the documents and
markdown-it-py parses the text: upgrading any of them can change what a page says (a date's wording) or
how a document is built. Their versions are therefore part of every output's key (``digests.Digests``),
and an upgrade renders again the pages it may affect.

They are found without importing the libraries (a no-op build loads no parser or renderer), and mostly
without ``importlib.metadata`` either, whose import costs a build some 20–40 ms (it loads ``email``,
``zipfile``, ``tempfile``…): they are kept in the manifest together with a digest of the distribution
records (``*.dist-info``, ``*.egg-info``) on ``sys.path``, which is where ``importlib.metadata`` looks.
While those records are the same, so are the versions: installing, upgrading or removing a distribution
adds, renames (a record's name carries the version) or removes a record, and then the versions are found
again. A record whose name carries no version (an old-style development install, ``Name.egg-info``) is
digested with its ``PKG-INFO``, which holds the version.

Finding them again reads the folder listings the digest is made from: a wheel's record is named
``{name}-{version}.dist-info`` (the binary distribution format, PyPA), and the first record of a library
along ``sys.path`` is the one ``importlib.metadata`` reads. Only where the listing cannot say for sure (an
``.egg-info`` record, two records of one library in one folder, an entry of ``sys.path`` that is not a
folder) is ``importlib.metadata`` asked.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass

# Distribution names, as importlib.metadata takes them.
LIBRARIES = ("babel", "jinja2", "markdown-it-py", "python-docx")
NOT_INSTALLED = "-"
_RECORD_SUFFIXES = (".dist-info", ".egg-info")


@dataclass(frozen=True)
class LibraryVersions:
    """The version of each of ``LIBRARIES``, and the distribution records they were looked up among."""

    records: str  # digest of the distribution records on sys.path when the versions were looked up
    versions: dict[str, str]  # distribution name -> version (NOT_INSTALLED when it is not)


def installed_libraries(known: LibraryVersions | None = None) -> LibraryVersions:
    """The versions installed now: ``known`` while the distribution records are unchanged, else found again."""
    listing = _record_listing()
    records = _digest(listing)
    if known is not None and known.records == records and sorted(known.versions) == sorted(LIBRARIES):
        return known
    return LibraryVersions(records, _versions(listing, None))


def look_up_versions(path: list[str] | None = None) -> dict[str, str]:
    """Ask importlib.metadata (which reads the distribution records, and imports none of the libraries);
    ``path`` is where it looks (``sys.path``)."""
    from importlib import metadata

    versions = {}
    for name in LIBRARIES:
        found = next(iter(metadata.distributions(name=name, path=sys.path if path is None else path)), None)
        versions[name] = found.version if found is not None else NOT_INSTALLED
    return versions


def versions_in(path: list[str] | None = None) -> dict[str, str]:
    """The versions importlib.metadata would find along ``path`` (``sys.path``), mostly from record names."""
    return _versions(_record_listing(path), path)


def records_digest(path: list[str] | None = None) -> str:
    """The names of the distribution records in every folder of ``path`` (``sys.path``), in search order.

    Names only (one directory listing per folder), not modification times: a record's name changes with
    its distribution's version, except a version-less ``Name.egg-info``, whose ``PKG-INFO`` is read too (or
    the record itself, when it is a file).
    """
    return _digest(_record_listing(path))


# (folder, the names of its records, sorted), in sys.path order; a folder None: an entry that is not one
_Listing = list[tuple[str | None, list[str]]]


def _record_listing(path: list[str] | None = None) -> _Listing:
    listing: _Listing = []
    for entry in sys.path if path is None else path:
        if entry.lower().endswith(".egg"):  # an egg's record is inside it (EGG-INFO), not listed here
            listing.append((None, []))
            continue
        try:
            with os.scandir(entry or ".") as entries:
                names = sorted(e.name for e in entries if e.name.endswith(_RECORD_SUFFIXES))
        except FileNotFoundError:
            continue
        except OSError:  # not a folder (a zip archive, which importlib.metadata also searches)
            listing.append((None, []))
            continue
        if names:
            listing.append((entry, names))
    return listing


def _digest(listing: _Listing) -> str:
    digest = hashlib.sha256()
    for entry, names in listing:
        if entry is None:
            continue
        digest.update(f"{entry}\0".encode())
        for name in names:
            digest.update(f"{name}\0".encode())
            if name.endswith(".egg-info") and "-" not in name.removesuffix(".egg-info"):
                record = os.path.join(entry or ".", name)
                digest.update(_file_bytes(os.path.join(record, "PKG-INFO") if os.path.isdir(record) else record))
        digest.update(b"\n")
    return digest.hexdigest()


def _versions(listing: _Listing, path: list[str] | None) -> dict[str, str]:
    """Each library's version from the name of its first record along the listing, as importlib.metadata
    would find it; importlib.metadata itself where a name cannot say for sure."""
    wanted = {_normalized(name): name for name in LIBRARIES}
    versions: dict[str, str] = {}
    unsure = False
    for entry, names in listing:
        if entry is None:
            unsure = True  # what a zip archive or an egg holds is not listed here
            break
        found: dict[str, list[str]] = {}
        for record in names:
            base = record.rpartition(".")[0]
            found.setdefault(_normalized(base.partition("-")[0]), []).append(record)
        for key, name in wanted.items():
            if name in versions or key not in found:
                continue
            records = found[key]
            base = records[0].rpartition(".")[0]
            if len(records) > 1 or not records[0].endswith(".dist-info") or "-" not in base:
                unsure = True
                break
            versions[name] = base.partition("-")[2]
        if unsure or len(versions) == len(LIBRARIES):
            break
    if unsure:
        return look_up_versions(path)
    return {name: versions.get(name, NOT_INSTALLED) for name in LIBRARIES}


def _normalized(name: str) -> str:
    """A distribution name as importlib.metadata compares names (PEP 503, with underscores)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _file_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:  # a record without PKG-INFO
        return b"-"
