"""transpub.toml: the project's settings, read once into a frozen :class:`Project`.

The project also owns the layout of its folders (sources/, locale/, outputs/, templates/), so every
other module asks the Project for a path instead of building one itself.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType

from .errors import ConfigError, SourceError
from .paths import shown_path

CONFIG_NAME = "transpub.toml"
SAFE_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def normalize_lang(value: str) -> str:
    """A language as typed (``zh-Hans``, `` fr ``) in the form transpub uses (CLDR's ``zh_Hans``)."""
    return value.strip().replace("-", "_")


#: file stems transpub uses for its own files beside the releases' (names.po, glossary.po, index.html)
RESERVED_IDS = frozenset({"names", "glossary", "index"})


def release_id_of(path: Path) -> str:
    """The release id is the file's stem; it becomes a file name in outputs/ and locale/, so it must be safe,
    and must not be one of transpub's own (``sources/names.md`` would share names.po with the names)."""
    stem = Path(path).stem
    if not SAFE_ID_RE.fullmatch(stem) or ".." in stem:
        raise SourceError(
            f"unsafe release id {stem!r}: use lowercase letters, digits, '-', '_' and '.', e.g. 2023-07-18-wipo-assemblies",
            path=path,
        )
    if stem in RESERVED_IDS:
        raise SourceError(
            f"the release id {stem!r} is taken by transpub's own files ({', '.join(sorted(RESERVED_IDS))}); "
            f"rename the file, e.g. 2024-01-01-{stem}.md",
            path=path,
        )
    return stem
KNOWN_TABLES = {"project", "translate", "organizations", "names", "calendar", "build"}
KNOWN_PROJECT_KEYS = {"name", "publisher", "source_lang", "languages", "base_url"}
CALENDARS = {"gregorian", "japanese"}


@dataclass(frozen=True)
class Organization:
    """An organization declared in [organizations], in the source language."""

    id: str
    name: str
    short: str


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    publisher: str
    source_lang: str
    languages: tuple[str, ...]  # target languages (the source language is never among them)
    base_url: str | None
    organizations: Mapping[str, Organization]
    names: Mapping[str, Mapping[str, str]]  # language -> country code -> preferred name
    calendars: Mapping[str, str]  # language -> "gregorian" | "japanese"
    translate: Mapping[str, object] = field(default_factory=dict)

    # --- layout (joinpath makes one Path, "/" one per step: a no-op build asks for every catalog's path) ---
    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def locale_dir(self) -> Path:
        return self.root / "locale"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def template_path(self, release_id: str) -> Path:
        return self.root.joinpath("locale", "templates", f"{release_id}.pot")

    def catalog_path(self, lang: str, release_id: str) -> Path:
        return self.root.joinpath("locale", lang, "LC_MESSAGES", f"{release_id}.po")

    def names_template_path(self) -> Path:
        return self.root.joinpath("locale", "templates", "names.pot")

    def names_path(self, lang: str) -> Path:
        return self.root.joinpath("locale", lang, "LC_MESSAGES", "names.po")

    def glossary_path(self, lang: str) -> Path:
        return self.root.joinpath("locale", lang, "LC_MESSAGES", "glossary.po")

    def release_paths(self) -> list[Path]:
        """Source files, sorted by name so every run walks them in the same order."""
        if not self.sources_dir.is_dir():
            return []
        return sorted(p for p in self.sources_dir.glob("*.md") if p.is_file())

    def shown(self, path: str | os.PathLike[str]) -> str:
        """How a path of this project is shown in reports and PO references (``locale/fr/…``)."""
        return shown_path(path, self.root)

    def check_language(self, lang: str) -> str:
        """The language id as configured (``zh-Hans`` is ``zh_Hans``), or a ConfigError naming the ones that are."""
        lang = normalize_lang(lang)
        if lang == self.source_lang or lang in self.languages:
            return lang
        known = ", ".join((self.source_lang, *self.languages))
        raise ConfigError(f"language {lang!r} is not in this project (languages: {known})", path=self.config_path)

    @property
    def all_languages(self) -> tuple[str, ...]:
        return (self.source_lang, *self.languages)


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding transpub.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(f"no {CONFIG_NAME} here or in any parent folder (run 'transpub init' to make a project)", path=start)


def load_project(root: Path) -> Project:
    path = Path(root) / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{CONFIG_NAME} not found (run 'transpub init' to make a project)", path=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 ({exc.reason})", path=path) from None
    return parse_project(text, Path(root), path)


def parse_project(text: str, root: Path, path: Path) -> Project:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(exc)
        reason = re.sub(r" \(at line .*", "", str(exc))
        raise ConfigError(f"invalid TOML: {reason}", path=path, line=line) from None

    def fail(message: str, key: str | None = None) -> ConfigError:
        return ConfigError(message, path=path, line=_line_of(text, key) if key else None)

    unknown = set(data) - KNOWN_TABLES
    if unknown:
        name = sorted(unknown)[0]
        raise fail(f"unknown table [{name}] (known: {', '.join(sorted(KNOWN_TABLES))})", name)
    project = data.get("project")
    if not isinstance(project, dict):
        raise fail("missing [project] table")
    for key in project:
        if key not in KNOWN_PROJECT_KEYS:
            raise fail(f"unknown key {key!r} in [project] (known: {', '.join(sorted(KNOWN_PROJECT_KEYS))})", key)

    source_lang = _language(project.get("source_lang"), "source_lang", fail)
    languages_raw = project.get("languages", [])
    if not isinstance(languages_raw, list):
        raise fail("languages must be a list of locale ids, e.g. [\"en\", \"fr\"]", "languages")
    languages = tuple(_language(lang, "languages", fail) for lang in languages_raw if lang != source_lang)
    if len(set(languages)) != len(languages):
        raise fail("a language is listed twice", "languages")

    publisher = project.get("publisher", "")
    if not isinstance(publisher, str):
        raise fail("publisher must be a string", "publisher")
    base_url = project.get("base_url")
    if base_url is not None and (not isinstance(base_url, str) or not re.match(r"https?://", base_url)):
        raise fail("base_url must be an http(s) URL", "base_url")
    if base_url and not base_url.endswith("/"):
        base_url += "/"

    organizations: dict[str, Organization] = {}
    for org_id, value in (data.get("organizations") or {}).items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", org_id):
            raise fail(f"organization id {org_id!r} must be letters, digits, '_' or '-'", org_id)
        if isinstance(value, str):
            value = {"name": value}
        if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"].strip():
            raise fail(f"organization {org_id} needs a name: {org_id} = {{ name = \"…\", short = \"…\" }}", org_id)
        short = value.get("short", org_id)
        if not isinstance(short, str):
            raise fail(f"organization {org_id}: short must be a string", org_id)
        organizations[org_id] = Organization(org_id, value["name"].strip(), short.strip())

    names: dict[str, dict[str, str]] = {}
    for lang, table in (data.get("names") or {}).items():
        if not isinstance(table, dict):
            raise fail(f"[names.{lang}] must be a table of COUNTRY_CODE = \"name\"", lang)
        _language(lang, f"names.{lang}", fail)
        from .source.tokens import (
            is_country_code,  # late: tokens imports Babel data lazily
        )

        for code, name in table.items():
            if not is_country_code(code):
                raise fail(f"[names.{lang}]: {code!r} is not an ISO 3166-1 alpha-2 country code", code)
            if not isinstance(name, str) or not name.strip():
                raise fail(f"[names.{lang}]: the name for {code} must be a non-empty string", code)
        names[lang] = MappingProxyType(dict(table))

    calendars: dict[str, str] = {}
    for lang, calendar in (data.get("calendar") or {}).items():
        if calendar not in CALENDARS:
            raise fail(f"[calendar] {lang} = {calendar!r}: known calendars are {', '.join(sorted(CALENDARS))}", lang)
        calendars[lang] = calendar

    translate = data.get("translate") or {}
    if not isinstance(translate, dict):
        raise fail("[translate] must be a table", "translate")
    for key in translate:
        if "key" in key.lower() and key.lower() != "keys":
            raise fail(
                f"[translate] {key}: API keys never go in transpub.toml; set TRANSPUB_<ENGINE>_API_KEY in the environment",
                key,
            )

    return Project(
        root=Path(root).resolve(),
        name=str(project.get("name") or Path(root).resolve().name),
        publisher=publisher,
        source_lang=source_lang,
        languages=languages,
        base_url=base_url,
        organizations=MappingProxyType(organizations),
        names=MappingProxyType(names),
        calendars=MappingProxyType(calendars),
        translate=MappingProxyType(dict(translate)),
    )


def _language(value: object, key: str, fail) -> str:
    if not isinstance(value, str) or not value:
        raise fail(f"{key} must be a locale id such as \"ja\", \"en\" or \"zh_Hans\"", key.split(".")[0])
    normalized = normalize_lang(value)
    if _has_locale_data(normalized):
        return normalized
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(normalized)
    except (UnknownLocaleError, ValueError):
        raise fail(f"{key}: {value!r} is not a locale CLDR knows", key.split(".")[0]) from None
    # Locale.parse("en_ZZ") silently becomes en_US: insist that what was asked for is what we got
    if str(locale) != normalized and not str(locale).startswith(normalized):
        raise fail(f"{key}: {value!r} is not a locale CLDR knows (closest: {locale})", key.split(".")[0])
    return normalized


@cache
def _locale_data_dir() -> Path | None:
    spec = importlib.util.find_spec("babel")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "locale-data"


def _has_locale_data(name: str) -> bool:
    """Whether CLDR has data for exactly this locale id: Babel keeps one ``<id>.dat`` file per locale.

    Looking for the file (what ``babel.localedata.exists`` does) instead of importing Babel keeps ~20 ms
    off every command that formats nothing, a no-op build included; anything else goes to Locale.parse.
    """
    folder = _locale_data_dir()
    return folder is not None and re.fullmatch(r"[A-Za-z0-9_]+", name) is not None and (folder / f"{name}.dat").is_file()


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"at line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _line_of(text: str, key: str) -> int | None:
    """The first line that defines ``key`` (a best effort for messages; TOML keeps no positions)."""
    pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\]|\.)", re.M)
    match = pattern.search(text)
    if match:
        return text.count("\n", 0, match.start()) + 1
    for number, line in enumerate(text.splitlines(), 1):
        if key in line:
            return number
    return None

