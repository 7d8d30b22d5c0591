"""transpub: news releases written once, translated through gettext catalogs, published everywhere."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("transpub")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
