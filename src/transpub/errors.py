"""The one exception tree of transpub.

    TranspubError                 anything transpub reports to a user (exit code 2 by default)
    ├── ConfigError               transpub.toml is missing or wrong
    ├── SourceError               a source release is wrong (front matter, Markdown, unsafe id)
    │   └── TokenError            a typed token ({date:…}, {country:…}, …) is wrong
    ├── CatalogError              a PO file is malformed or cannot be written
    ├── LockError                 another transpub process holds the project lock
    ├── FileError                 a file cannot be read or written (disk full, read-only, not a regular file)
    ├── EngineError               a translation engine failed (unreachable, bad key, bad answer)
    ├── ReviewError               a review document cannot be read or applied
    └── UsageError                the command was asked for something that cannot be done

Library code raises these and never prints; the command line (cli.py) is the only place that turns
them into a message and an exit code. Each carries the file and line it is about, when there is one,
so the message reads ``file:line: what is wrong`` and editors can jump to it.
"""

from __future__ import annotations

from pathlib import Path

from .paths import shown_path


class TranspubError(Exception):
    """An error to report to the user, optionally located at ``path:line``."""

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message

    def at_relative(self, folder: Path) -> "TranspubError":
        """The error with its path shown relative to ``folder`` when it lies inside it (as the user typed
        paths: ``locale/fr/LC_MESSAGES/x.po:12``, whichever layer found the file)."""
        if self.path and Path(self.path).is_absolute():
            self.path = shown_path(self.path, folder)
        return self

    def at(self, path: str | Path | None = None, line: int | None = None) -> "TranspubError":
        """Fill in a location that was not known where the error was raised."""
        if self.path is None and path is not None:
            self.path = str(path)
        if self.line is None and line is not None:
            self.line = line
        return self


class ConfigError(TranspubError):
    pass


class SourceError(TranspubError):
    pass


class TokenError(SourceError):
    pass


class CatalogError(TranspubError):
    pass


class LockError(TranspubError):
    pass


class FileError(TranspubError):
    pass


def changed_while_reading(path: str | Path, reader: str) -> FileError:
    """A file saved while ``reader`` ("the build", "update") read it: nothing was written, and a second run
    reads the saved file."""
    return FileError(f"changed while {reader} was reading it; nothing was written: run {reader} again", path)


class EngineError(TranspubError):
    pass


class ReviewError(TranspubError):
    pass


class UsageError(TranspubError):
    pass
