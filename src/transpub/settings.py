"""Typed settings read from transpub.toml, and where in the file each key was written.

    TranslateSettings     [translate]: the engine for `pretranslate` and how it is called
    BuildSettings         [build]: defaults for `build`
    ReviewSettings        [review]: what makes a translation publishable (one-step or two-step review)
    PublishSettings       [publish]: what happens to a published page whose source changed
    SettingsFile          the file's text and path; makes a ConfigError at the line of a key
    read_table            one table -> the typed values of the keys it holds (unknown keys refused)

Each setting's meaning (type, range, default) is decided once, by its reader here and its field's
default; ``config.parse_project`` calls these at load, so a bad value stops every command the same way
(``transpub.toml:LINE: …``) and no later code looks a setting up by name. tomllib keeps no positions,
so :func:`key_lines` walks the (already validated) text once more, only when an error needs a line.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

from .errors import ConfigError

T = TypeVar("T")
KeyPath = tuple[str | int, ...]  # ("translate", "timeout"), ("project", "languages", 2)

# The engines `pretranslate` can use (translate/engines.py builds them); "libre" is another name for
# "libretranslate". Here rather than with the engines so that [translate] engine is checked at load.
ENGINE_NAMES = ("libretranslate", "deepl", "google", "microsoft", "mymemory", "baidu", "libretranslate-dt", "echo")
ENGINE_ALIASES = {"libre": "libretranslate"}
ENGINES_NEEDING_URL = frozenset({"libretranslate", "libretranslate-dt"})


def canonical_engine(name: str) -> str | None:
    """The engine's own name (``libre`` is ``libretranslate``), or None for a name transpub does not know."""
    name = ENGINE_ALIASES.get(name, name)
    return name if name in ENGINE_NAMES else None


@dataclass(frozen=True)
class TranslateSettings:
    """[translate]: machine translation for `pretranslate` (API keys only ever come from the environment)."""

    engine: str | None = None  # one of ENGINE_NAMES (an alias resolved); --engine overrides it
    url: str | None = None  # http(s) address of the server: needed by LibreTranslate, optional for DeepL
    region: str | None = None  # Microsoft Translator's resource region
    concurrency: int = 8  # engine calls in flight at once
    timeout: float = 30.0  # seconds one call may take
    retries: int = 3  # attempts after the first, on 429, 5xx, connection errors and timeouts
    retry_wait: float = 1.0  # seconds before the first retry, doubled after each
    memory_threshold: int = 75  # % similarity from which the memory offers a fuzzy match (100: exact only)
    memory: tuple[str, ...] = ()  # external translation memories (TMX), paths relative to the project


@dataclass(frozen=True)
class BuildSettings:
    """[build]: defaults for `transpub build` that its options override."""

    jobs: int | None = None  # worker processes (-j); None: one per core


REVIEW_POLICIES = ("one-step", "two-step")


@dataclass(frozen=True)
class ReviewSettings:
    """[review]: ``one-step``, a translation without the fuzzy flag is reviewed and publishes (a project
    without [review]); ``two-step``, a person's translation publishes only once a reviewer approved it."""

    policy: str = "one-step"

    @property
    def two_step(self) -> bool:
        return self.policy == "two-step"


OUTDATED_ACTIONS = ("mark", "withdraw", "keep")


@dataclass(frozen=True)
class PublishSettings:
    """[publish]: what ``build`` does with the published page of a (release, language) that no longer
    publishes because its source changed: ``mark`` keeps the last published page with a notice, in its
    language, that the original was updated (linking the source-language page); ``withdraw`` takes it
    down; ``keep`` leaves it as it was, silently."""

    outdated: str = "mark"


# --- where keys are --------------------------------------------------------------------------------


class SettingsFile:
    """transpub.toml as read: its path and text, to place an error at the line of the key it is about."""

    def __init__(self, text: str, path: Path):
        self.text = text
        self.path = path
        self._lines: dict[KeyPath, int] | None = None

    def line_of(self, *keys: str | int) -> int | None:
        """The line defining ``keys`` (a table, a key in it, an array item), else that of its nearest
        parent that is written down (a key that is missing is reported at its table's header)."""
        if self._lines is None:
            self._lines = key_lines(self.text)  # only for an error: a good file is never walked twice
        for end in range(len(keys), 0, -1):
            line = self._lines.get(tuple(keys[:end]))
            if line is not None:
                return line
        return None

    def error(self, message: str, *keys: str | int) -> ConfigError:
        return ConfigError(message, path=self.path, line=self.line_of(*keys) if keys else None)


def key_lines(text: str) -> dict[KeyPath, int]:
    """Every table, key and array item of a TOML document, as a path of keys, and its 1-based line.

    ``[translate]\\ntimeout = 5`` gives ``("translate",): 1`` and ``("translate", "timeout"): 2``: the
    line of a key *in its table*, never another table's key of the same name or a comment mentioning
    it. ``text`` must already be valid TOML (tomllib read it first); a construct this walk does not
    expect ends it early, with the lines found so far.
    """
    scanner = _KeyScanner(text)
    try:
        scanner.document()
    except _Unexpected:
        pass
    return scanner.lines


class _Unexpected(Exception):
    pass


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}#\r\n]")


class _KeyScanner:
    """A walk over valid TOML that records where each key starts; values are skipped, not decoded."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.lines: dict[KeyPath, int] = {}
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self._array_tables: dict[KeyPath, int] = {}

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.text[self.pos] == "[":
                table = self._header()
            else:
                self._key_value(table)

    def _header(self) -> KeyPath:
        double = self.text.startswith("[[", self.pos)
        self.pos += 2 if double else 1
        start = self.pos
        path: KeyPath = tuple(self._key())
        self._expect("]]" if double else "]")
        if double:  # [[a]]: the n-th table of array a is ("a", n)
            index = self._array_tables.get(path, 0)
            self._array_tables[path] = index + 1
            if not index:
                self._record(path, start)
            path = (*path, index)
        self._record(path, start)
        return path

    def _key_value(self, parent: KeyPath) -> None:
        start = self.pos
        path = (*parent, *self._key())
        self._expect("=")
        self._record(path, start)
        self._value(path)

    def _key(self) -> list[str]:
        parts = []
        while True:
            self._skip()
            parts.append(self._simple_key())
            self._skip()
            if not self.text.startswith(".", self.pos):
                return parts
            self.pos += 1

    def _simple_key(self) -> str:
        text, pos = self.text, self.pos
        if pos < len(text) and text[pos] in "\"'":
            start = pos
            self._single_line_string()
            raw = text[start : self.pos]
            return raw[1:-1] if raw[0] == "'" else tomllib.loads(f"k = {raw}")["k"]  # escapes, as TOML reads them
        match = _BARE_KEY.match(text, pos)
        if not match:
            raise _Unexpected
        self.pos = match.end()
        return match.group(0)

    def _value(self, path: KeyPath) -> None:
        self._skip()
        text = self.text
        if self.pos >= len(text):
            raise _Unexpected
        char = text[self.pos]
        if text.startswith('"""', self.pos) or text.startswith("'''", self.pos):
            self._multi_line_string()
        elif char in "\"'":
            self._single_line_string()
        elif char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        else:  # number, boolean, date-time (which may hold a space): up to what ends a value
            match = _SCALAR_END.search(text, self.pos)
            end = match.start() if match else len(text)
            if end == self.pos:
                raise _Unexpected
            self.pos = end

    def _array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while True:
            self._skip(newlines=True)
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return
            self._record((*path, index), self.pos)
            self._value((*path, index))
            index += 1
            self._skip(newlines=True)
            if self.text.startswith(",", self.pos):
                self.pos += 1

    def _inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while True:
            self._skip()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return
            self._key_value(path)
            self._skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1

    def _single_line_string(self) -> None:
        quote = self.text[self.pos]
        pos = self.pos + 1
        while pos < len(self.text) and self.text[pos] != quote:
            pos += 2 if quote == '"' and self.text[pos] == "\\" else 1
        if pos >= len(self.text):
            raise _Unexpected
        self.pos = pos + 1

    def _multi_line_string(self) -> None:
        delimiter = self.text[self.pos : self.pos + 3]
        pos = self.pos + 3
        while True:
            if pos >= len(self.text):
                raise _Unexpected
            if delimiter == '"""' and self.text[pos] == "\\":
                pos += 2
            elif self.text.startswith(delimiter, pos):
                pos += 3
                # up to two quotes right before the closing delimiter belong to the string: """a""""
                for _ in range(2):
                    if self.text.startswith(delimiter[0], pos):
                        pos += 1
                self.pos = pos
                return
            else:
                pos += 1

    def _skip(self, *, newlines: bool = False) -> None:
        """Past spaces and tabs, and with ``newlines`` past line breaks and comments too."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t":
                self.pos += 1
            elif newlines and char in "\r\n":
                self.pos += 1
            elif newlines and char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def _expect(self, token: str) -> None:
        self._skip()
        if not self.text.startswith(token, self.pos):
            raise _Unexpected
        self.pos += len(token)

    def _record(self, path: KeyPath, pos: int) -> None:
        line = bisect.bisect_left(self._newlines, pos) + 1
        self.lines[path] = line  # valid TOML writes each key once (a table made implicitly, then by name, is
        for end in range(1, len(path)):  # recorded at its header), and a parent where it first shows
            self.lines.setdefault(path[:end], line)


# --- typed values ----------------------------------------------------------------------------------


class InvalidValue(Exception):
    """A value that does not fit its key; the message says what the key takes, ``at`` which item of it
    (an array index, a key of an inline table) when the value holds more than one."""

    def __init__(self, message: str, *at: str | int):
        super().__init__(message)
        self.message = message
        self.at = at


Reader = Callable[[object], T]


def shown(value: object) -> str:
    """A value as it is written in TOML, for messages: ``"eight"``, ``true``, ``2.5``, ``a table``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        import json  # here: only an error message needs it

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def whole_number(minimum: int, maximum: int) -> Reader[int]:
    """An integer from ``minimum`` to ``maximum``; not a boolean, not a float (``2.0`` is refused)."""

    def read(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise InvalidValue(f"must be a whole number, {minimum} or more, not {shown(value)}")
        if value > maximum:
            raise InvalidValue(f"must be at most {maximum}, not {shown(value)}")
        return value

    return read


def seconds(*, zero: bool, maximum: float) -> Reader[float]:
    """A finite number of seconds (an integer or a float), > 0 (>= 0 with ``zero``), at most ``maximum``."""

    def read(value: object) -> float:
        fits = (
            not isinstance(value, bool)
            and isinstance(value, int | float)
            and math.isfinite(value)
            and (value >= 0 if zero else value > 0)
        )
        if not fits:
            least = "0 or more" if zero else "more than 0"
            raise InvalidValue(f"must be a number of seconds, {least}, not {shown(value)}")
        if value > maximum:
            raise InvalidValue(f"must be at most {maximum:g} seconds, not {shown(value)}")
        return float(value)

    return read


def non_empty_string(value: object) -> str:
    """A string with something in it besides spaces; stripped."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(f"must be a non-empty string, not {shown(value)}")
    return value.strip()


def http_url(value: object) -> str:
    """An http:// or https:// address, as written, with no credentials in it.

    A user name, password or key-like query parameter (``?api_key=…``) would be printed in messages and
    published in pages; keys come from the environment. The message never repeats the value.
    """
    if not isinstance(value, str) or not re.match(r"https?://[^\s/]", value):
        raise InvalidValue(f'must be an http(s) URL such as "https://www.example.org/", not {shown(value)}')
    parts = urlsplit(value)
    if "@" in parts.netloc or any(_CREDENTIAL_NAME.search(name) for name, _ in parse_qsl(parts.query, keep_blank_values=True)):
        raise InvalidValue(
            "must not carry credentials (user:password@ or ?api_key=…); "
            "keys come from the environment, e.g. TRANSPUB_LIBRETRANSLATE_API_KEY"
        )
    return value


_CREDENTIAL_NAME = re.compile(r"key|token|secret|passw|auth|sig|credential", re.IGNORECASE)


def memory_files(value: object) -> tuple[str, ...]:
    """A list of distinct relative paths (``["tm/agency.tmx"]``); that each names a file inside the project
    is checked by ``config``, which knows the project's folder."""
    if not isinstance(value, list):
        raise InvalidValue(f'must be a list of paths relative to the project, e.g. ["tm/agency.tmx"], not {shown(value)}')
    seen: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidValue(f"must be a list of non-empty paths, not {shown(item)}", index)
        if item.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", item):
            raise InvalidValue(f"{shown(item)} must be a path relative to the project folder", index)
        if item in seen:
            raise InvalidValue(f"{shown(item)} is listed twice", index)
        seen.append(item)
    return tuple(seen)


def engine(value: object) -> str:
    """An engine transpub knows, by its own name (``libre`` becomes ``libretranslate``)."""
    name = canonical_engine(value) if isinstance(value, str) else None
    if name is None:
        known = ", ".join((*ENGINE_NAMES, *ENGINE_ALIASES))
        raise InvalidValue(f"must be one of {known}, not {shown(value)}")
    return name


def read_table(
    file: SettingsFile, path: KeyPath, table: object, readers: Mapping[str, Reader[object]]
) -> dict[str, object]:
    """The keys present in the table at ``path``, each through its reader; an unknown key, a value its
    reader refuses, or a table that is not one is a ConfigError at its line."""
    name = ".".join(map(str, path))
    if not isinstance(table, dict):
        raise file.error(f"[{name}] must be a table, not {shown(table)}", *path)
    values: dict[str, object] = {}
    for key, value in table.items():
        reader = readers.get(key)
        if reader is None:
            raise file.error(f"unknown key {key!r} in [{name}] (known: {', '.join(sorted(readers))})", *path, key)
        try:
            values[key] = reader(value)
        except InvalidValue as exc:
            raise file.error(f"[{name}] {key}: {exc.message}", *path, key, *exc.at) from None
    return values


TRANSLATE_READERS: Mapping[str, Reader[object]] = {
    "engine": engine,
    "url": http_url,
    "region": non_empty_string,
    # bounds that keep a typo from running for days or opening thousands of connections
    "concurrency": whole_number(1, 64),
    "timeout": seconds(zero=False, maximum=600),
    "retries": whole_number(0, 10),
    "retry_wait": seconds(zero=True, maximum=60),
    "memory_threshold": whole_number(50, 100),
    "memory": memory_files,
}
BUILD_READERS: Mapping[str, Reader[object]] = {"jobs": whole_number(1, 256)}


def review_policy(value: object) -> str:
    if value not in REVIEW_POLICIES:
        raise InvalidValue(f"must be {' or '.join(repr(p) for p in REVIEW_POLICIES)}, not {shown(value)}")
    return str(value)


REVIEW_READERS: Mapping[str, Reader[object]] = {"policy": review_policy}


def outdated_action(value: object) -> str:
    if value not in OUTDATED_ACTIONS:
        raise InvalidValue(f"must be {', '.join(repr(a) for a in OUTDATED_ACTIONS[:-1])} or {OUTDATED_ACTIONS[-1]!r}, not {shown(value)}")
    return str(value)


PUBLISH_READERS: Mapping[str, Reader[object]] = {"outdated": outdated_action}


def read_translate_settings(file: SettingsFile, table: object) -> TranslateSettings:
    """[translate] as TranslateSettings; an API key written there is refused without being repeated."""
    if isinstance(table, dict):
        for key in table:
            if "key" in key.lower() and key.lower() != "keys":
                raise file.error(
                    f"[translate] {key}: API keys never go in transpub.toml; "
                    "set TRANSPUB_<ENGINE>_API_KEY in the environment",
                    "translate",
                    key,
                )
    settings = TranslateSettings(**read_table(file, ("translate",), table, TRANSLATE_READERS))
    if settings.engine in ENGINES_NEEDING_URL and settings.url is None:
        raise file.error(
            f'[translate] engine {settings.engine!r} needs url = "http(s)://…", the address of its server',
            "translate",
            "engine",
        )
    return settings


def read_build_settings(file: SettingsFile, table: object) -> BuildSettings:
    return BuildSettings(**read_table(file, ("build",), table, BUILD_READERS))


def read_review_settings(file: SettingsFile, table: object) -> ReviewSettings:
    return ReviewSettings(**read_table(file, ("review",), table, REVIEW_READERS))


def read_publish_settings(file: SettingsFile, table: object) -> PublishSettings:
    return PublishSettings(**read_table(file, ("publish",), table, PUBLISH_READERS))
