"""Machine translation: protect markup, call an engine, restore, and run many texts concurrently.

``protect`` owns placeholders, ``engines`` the engine protocol and its adapters, ``runner`` the
deduplicated, bounded-concurrency run that reports each result as it arrives.
"""

from .engines import Engine, EngineUnavailableError, make_engine
from .protect import PlaceholderError, Protected, protect, restore
from .runner import RunAbortedError, TranslateReport, translate_unique

__all__ = [
    "Engine",
    "EngineUnavailableError",
    "PlaceholderError",
    "Protected",
    "RunAbortedError",
    "TranslateReport",
    "make_engine",
    "protect",
    "restore",
    "translate_unique",
]
