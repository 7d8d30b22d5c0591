"""What time it is, for every command: the clock, or SOURCE_DATE_EPOCH when it is set.

Catalog headers, translator comments ("machine translation: libre, 2026-11-24") and review documents
all take the time from here, so a reproducible run (SOURCE_DATE_EPOCH, as reproducible-builds.org
defines it) stamps the same moment everywhere, and a malformed value is one clear error everywhere.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import ConfigError

PO_STAMP = "%Y-%m-%d %H:%M+0000"


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as seconds, None when unset; anything but a whole number is an error."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value!r}")
    return int(value)


def now() -> dt.datetime:
    """The current moment in UTC (aware)."""
    epoch = source_date_epoch()
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc) if epoch is not None else dt.datetime.now(dt.timezone.utc)


def today() -> dt.date:
    """The current date in UTC."""
    return now().date()


def po_stamp(moment: dt.datetime | None = None) -> str:
    """A PO header date (``2026-12-04 14:05+0000``) for ``moment``, or now."""
    return (moment or now()).astimezone(dt.timezone.utc).strftime(PO_STAMP)
