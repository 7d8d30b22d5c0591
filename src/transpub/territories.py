"""Which country codes exist: the ISO 3166-1 alpha-2 codes CLDR names (through Babel).

One answer for the settings ([names.LANG] keys) and the source ({country:XX}, {list:…} items).
"""

from __future__ import annotations

from functools import cache


@cache
def _cldr_territories() -> frozenset[str]:
    from babel import (
        Locale,  # loaded when a code is first checked: most commands start without it
    )

    # Two-letter codes only: CLDR also lists UN M.49 regions ("001", "150") that are not countries.
    codes = (code for code in Locale("en").territories if len(code) == 2 and code.isalpha())
    return frozenset(code for code in codes if code != "ZZ")  # ZZ is CLDR's "Unknown Region"


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code known to CLDR."""
    return code in _cldr_territories()
