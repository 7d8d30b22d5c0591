"""transpub: news releases written once, translated through gettext catalogs, published everywhere."""

# The one place the version is written (pyproject.toml reads it). A constant, not importlib.metadata:
# looking the installed distribution up costs ~60 ms on every command, a no-op build included.
__version__ = "0.1.0"
