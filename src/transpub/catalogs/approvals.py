"""Approvals (two-step review): who approved which translation, bound to the exact text approved.

One file per language, ``locale/<lang>/approvals.tsv``, committed beside the catalogs. It lives outside
the PO files on purpose: an editor can neither drop an approval (Poedit and Weblate rewrite comments and
flags as they please) nor make one by accident (clearing "fuzzy" is a translator's save, not a review).

Each line approves one entry of one catalog::

    # transpub approvals: catalog <TAB> digest of msgctxt, msgid and msgstr <TAB> reviewer <TAB> date
    2023-07-18-wipo-assemblies	5b0c…e1	Marie Curie	2026-12-04

The digest is SHA-256 over the entry's parsed context, source and translation, so re-wrapping,
re-ordering or re-saving a catalog (msgcat, Poedit, Weblate, polib) keeps every approval, and any change
of the msgid or the msgstr voids the one it had. Lines are sorted and unique: a diff shows exactly what
was approved or dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

from ..errors import CatalogError, FileError
from ..fsutil import atomic_write_text, read_file

HEADER = "# transpub approvals: catalog\tdigest of msgctxt, msgid and msgstr\treviewer\tdate (YYYY-MM-DD)\n"
NAMES_CATALOG = "names"  # names.po's catalog id in the file
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CATALOG_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def entry_digest(entry: polib.POEntry) -> str:
    """The approved text's fingerprint: context, source and translation, as parsed (wrapping plays no part)."""
    text = f"{entry.msgctxt or ''}\x04{entry.msgid}\x00{entry.msgstr}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Approval:
    catalog: str  # the release id, or "names"
    digest: str
    by: str
    date: str  # YYYY-MM-DD


@dataclass
class Approvals:
    """One language's approvals, by (catalog, digest)."""

    entries: dict[tuple[str, str], Approval]

    def of(self, catalog: str, entry: polib.POEntry) -> Approval | None:
        """The approval of exactly this text of ``entry`` in ``catalog``, if there is one."""
        return self.entries.get((catalog, entry_digest(entry)))

    def approve(self, catalog: str, entry: polib.POEntry, by: str, date: str) -> Approval:
        approval = Approval(catalog, entry_digest(entry), clean_reviewer(by), date)
        self.entries[catalog, approval.digest] = approval
        return approval

    def withdraw(self, catalog: str, entry: polib.POEntry) -> Approval | None:
        """Forget the approval of exactly this text of ``entry`` in ``catalog``; return it (None: there was none)."""
        return self.entries.pop((catalog, entry_digest(entry)), None)

    def drop_except(self, kept: Iterable[tuple[str, str]], catalogs: Iterable[str]) -> list[Approval]:
        """Forget the approvals of ``catalogs`` whose (catalog, digest) is not in ``kept``; return them."""
        kept, catalogs = set(kept), set(catalogs)
        dropped = [a for key, a in self.entries.items() if key[0] in catalogs and key not in kept]
        for approval in dropped:
            del self.entries[approval.catalog, approval.digest]
        return sorted(dropped, key=lambda a: (a.catalog, a.digest))

    def to_text(self) -> str:
        lines = [f"{a.catalog}\t{a.digest}\t{a.by}\t{a.date}\n" for a in sorted(self.entries.values(), key=_order)]
        return HEADER + "".join(lines)


def _order(approval: Approval) -> tuple[str, str]:
    return (approval.catalog, approval.digest)


def clean_reviewer(name: str) -> str:
    """A reviewer's name as one field of the file: no tabs or line breaks, spaces collapsed."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise CatalogError("a reviewer's name is needed to approve")
    return cleaned


def read_approvals(path: Path) -> Approvals:
    """The approvals file of a language (none yet: no approvals); a damaged line is ``path:line: …``."""
    try:
        data = read_file(path, what="approvals file")
    except FileNotFoundError:
        return Approvals({})
    except FileError as exc:
        raise CatalogError(exc.message, path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError("not UTF-8", path, data.count(b"\n", 0, exc.start) + 1) from None
    return Approvals({(a.catalog, a.digest): a for a in _parse(text, path)})


def _parse(text: str, path: Path) -> Iterator[Approval]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise CatalogError(f"an approval is 4 fields separated by tabs (catalog, digest, reviewer, date), not {len(fields)}", path, number)
        catalog, digest, by, date = fields
        if not _CATALOG_RE.fullmatch(catalog):
            raise CatalogError(f"{catalog!r} is not a catalog (a release id or 'names')", path, number)
        if not _DIGEST_RE.fullmatch(digest):
            raise CatalogError("the digest must be 64 lowercase hexadecimal digits (SHA-256)", path, number)
        if not by.strip():
            raise CatalogError("an approval names its reviewer", path, number)
        if not _is_date(date):
            raise CatalogError(f"the date must be a real date written YYYY-MM-DD, not {date!r}", path, number)
        yield Approval(catalog, digest, by, date)


def _is_date(text: str) -> bool:
    if not _DATE_RE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def write_approvals(path: Path, approvals: Approvals) -> bool:
    """Write the file (sorted, atomically); an empty one is removed rather than kept as a bare header."""
    if not approvals.entries:
        if path.exists():
            path.unlink()
            return True
        return False
    return atomic_write_text(path, approvals.to_text())


__all__ = ["Approval", "Approvals", "NAMES_CATALOG", "clean_reviewer", "entry_digest", "read_approvals", "write_approvals"]
