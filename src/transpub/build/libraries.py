"""The versions of the libraries whose output shapes a page or document, found without importing them.

Babel formats every date, number, country and language name from the CLDR data it ships (Babel's version
determines its CLDR version), Jinja2 renders the HTML templates, python-docx writes the documents and
markdown-it-py parses the text: upgrading any of them can change what a page says (a date's wording) or
how a document is built. Their versions are therefore part of every output's key (``digests.Digests``),
and an upgrade renders again the pages it may affect.

They are looked up with ``importlib.metadata``, never by importing the libraries (a no-op build loads no
parser or renderer). Importing ``importlib.metadata`` itself costs a build some 20–40 ms (it loads
``email``, ``zipfile``, ``tempfile``…), so the versions found are kept in the manifest together with a
digest of the distribution records (``*.dist-info``, ``*.egg-info``) on ``sys.path``, which is where
``importlib.metadata`` looks. While those records are the same, so are the versions: installing,
upgrading or removing a distribution adds, renames (a record's name carries the version) or removes a
record, and then the versions are looked up again. A record whose name carries no version (an old-style
development install, ``Name.egg-info``) is digested with its ``PKG-INFO``, which holds the version.
"""

from __future__ import annotations

import hashlib
import os
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
    """The versions installed now: ``known`` while the distribution records are unchanged, else looked up."""
    records = records_digest()
    if known is not None and known.records == records and sorted(known.versions) == sorted(LIBRARIES):
        return known
    return LibraryVersions(records, look_up_versions())


def look_up_versions() -> dict[str, str]:
    """Ask importlib.metadata (which reads the distribution records, and imports none of the libraries)."""
    from importlib import metadata

    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = NOT_INSTALLED
    return versions


def records_digest(path: list[str] | None = None) -> str:
    """The names of the distribution records in every folder of ``path`` (``sys.path``), in search order.

    Names only (one directory listing per folder), not modification times: a record's name changes with
    its distribution's version, except a version-less ``Name.egg-info``, whose ``PKG-INFO`` is read too (or
    the record itself, when it is a file).
    """
    digest = hashlib.sha256()
    for entry in sys.path if path is None else path:
        try:
            with os.scandir(entry or ".") as entries:
                names = sorted(e.name for e in entries if e.name.endswith(_RECORD_SUFFIXES))
        except OSError:  # not a folder (a zip archive), or gone
            continue
        if not names:
            continue
        digest.update(f"{entry}\0".encode())
        for name in names:
            digest.update(f"{name}\0".encode())
            if name.endswith(".egg-info") and "-" not in name.removesuffix(".egg-info"):
                record = os.path.join(entry or ".", name)
                digest.update(_file_bytes(os.path.join(record, "PKG-INFO") if os.path.isdir(record) else record))
        digest.update(b"\n")
    return digest.hexdigest()


def _file_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:  # a record without PKG-INFO
        return b"-"
