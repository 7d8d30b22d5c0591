"""Machine translation: protect markup, call an engine, restore, and run many texts concurrently.

``protect`` owns placeholders, ``engines`` the engine protocol and its adapters, ``runner`` the
deduplicated, bounded-concurrency run that reports each result as it arrives.
"""

from .engines import Engine, EngineUnavailableError, make_engine
from .protect import (
    PlaceholderError,
    Protected,
    Tag,
    inline_pieces,
    placeholder_text,
    protect,
    restore,
)
from .runner import RunAbortedError, TranslateReport, translate_unique

__all__ = [
    "Engine",
    "EngineUnavailableError",
    "PlaceholderError",
    "Protected",
    "RunAbortedError",
    "Tag",
    "TranslateReport",
    "inline_pieces",
    "make_engine",
    "placeholder_text",
    "protect",
    "restore",
    "translate_unique",
]
