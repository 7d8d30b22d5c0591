"""transpub.toml: the project's settings, read once into a frozen :class:`Project`.

The project also owns the layout of its folders (sources/, locale/, outputs/, templates/), so every
other module asks the Project for a path instead of building one itself.
"""

from __future__ import annotations

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
from .settings import (
    BuildSettings,
    InvalidValue,
    PublishSettings,
    ReviewSettings,
    SettingsFile,
    TranslateSettings,
    http_url,
    non_empty_string,
    read_build_settings,
    read_publish_settings,
    read_review_settings,
    read_table,
    read_translate_settings,
    shown,
)
from .territories import is_country_code

CONFIG_NAME = "transpub.toml"
SAFE_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def normalize_lang(value: str) -> str:
    """A language as typed (``zh-Hans``, `` fr ``) in the form transpub uses (CLDR's ``zh_Hans``)."""
    return value.strip().replace("-", "_")


#: file stems transpub uses for its own files beside the releases' (names.po, glossary.po, index.html)
RESERVED_IDS = frozenset({"names", "glossary", "index"})


def release_id_of(path: str | os.PathLike[str]) -> str:
    """The release id is the file's stem; it becomes a file name in outputs/ and locale/, so it must be safe,
    and must not be one of transpub's own (``sources/names.md`` would share names.po with the names)."""
    stem = os.path.splitext(os.path.basename(os.fspath(path)))[0]  # Path.stem, without making a Path
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


KNOWN_TABLES = ("project", "translate", "build", "review", "publish", "organizations", "names", "calendar")
CALENDARS = ("gregorian", "japanese")


@dataclass(frozen=True)
class Organization:
    """An organization declared in [organizations], in the source language."""

    id: str
    name: str
    short: str


@dataclass(frozen=True)
class Project:
    """The project every command receives: transpub.toml's tables as typed values, and the folder layout."""

    root: Path
    name: str
    publisher: str
    source_lang: str
    languages: tuple[str, ...]  # target languages (the source language is never among them)
    base_url: str | None
    organizations: Mapping[str, Organization]
    names: Mapping[str, Mapping[str, str]]  # language -> country code -> preferred name
    calendars: Mapping[str, str]  # language -> "gregorian" | "japanese"
    translate: TranslateSettings = field(default_factory=TranslateSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)

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
        return Path(self.catalog_file(lang, release_id))

    def catalog_file(self, lang: str, release_id: str) -> str:
        """:meth:`catalog_path` as text (a no-op build of thousands of releases asks for every catalog's)."""
        return os.path.join(self.root, "locale", lang, "LC_MESSAGES", f"{release_id}.po")

    def names_template_path(self) -> Path:
        return self.root.joinpath("locale", "templates", "names.pot")

    def names_path(self, lang: str) -> Path:
        return self.root.joinpath("locale", lang, "LC_MESSAGES", "names.po")

    def approvals_path(self, lang: str) -> Path:
        """Who approved which translation of ``lang`` (two-step review): beside the catalogs, committed."""
        return self.root.joinpath("locale", lang, "approvals.tsv")

    def glossary_path(self, lang: str) -> Path:
        return self.root.joinpath("locale", lang, "LC_MESSAGES", "glossary.po")

    def release_paths(self) -> list[Path]:
        """Source files, sorted by name so every run walks them in the same order."""
        return [Path(path) for path in self.release_files()]

    def release_files(self) -> list[str]:
        """:meth:`release_paths` as text: the ``*.md`` files of sources/ (a link to one too), sorted by name.
        No :class:`Path` is made: at thousands of releases they would be megabytes."""
        folder = os.fspath(self.sources_dir)
        try:
            with os.scandir(folder) as entries:
                names = [entry.name for entry in entries if entry.name.endswith(".md") and entry.is_file()]
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [os.path.join(folder, name) for name in sorted(names)]

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
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 (byte {exc.object[exc.start]:#04x})", path=path, line=line) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=path) from None
    project = parse_project(text, Path(root), path)
    check_folders(project)
    return project


def check_folders(project: Project) -> None:
    """Refuse a folder of the project that is a symbolic link leading out of it.

    transpub reads and writes only inside the project: a symlinked ``outputs/``, ``locale/fr/LC_MESSAGES``
    or ``sources/`` pointing elsewhere would have it write there, or publish what lies there. A link to
    another folder inside the project is fine. Every command loads the project through here.
    """
    root = project.root.resolve()
    folders = [project.sources_dir, project.locale_dir, project.outputs_dir, project.templates_dir]
    folders.append(project.locale_dir / "templates")
    for lang in project.all_languages:
        folders += [project.locale_dir / lang, project.locale_dir / lang / "LC_MESSAGES"]
        folders += [project.outputs_dir / lang, project.outputs_dir / "drafts" / lang]
    folders += [project.outputs_dir / "drafts", project.outputs_dir / "static"]
    for folder in folders:
        if os.path.islink(folder) and not folder.resolve().is_relative_to(root):
            raise ConfigError(
                "is a symbolic link to a folder outside the project; transpub reads and writes only inside it "
                "(make it a real folder, or link to a folder inside the project)",
                path=folder,
            )


def parse_project(text: str, root: Path, path: Path) -> Project:
    """Every table of transpub.toml, read and checked once: a bad value is a ConfigError at its line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(exc)
        reason = re.sub(r" \(at line .*", "", str(exc))
        raise ConfigError(f"invalid TOML: {reason}", path=path, line=line) from None
    file = SettingsFile(text, path)

    for name in data:
        if name not in KNOWN_TABLES:
            raise file.error(f"unknown table [{name}] (known: {', '.join(sorted(KNOWN_TABLES))})", name)
    if "project" not in data:
        raise file.error("missing [project] table")
    project = read_table(file, ("project",), data["project"], PROJECT_READERS)
    if "source_lang" not in project:
        raise file.error(
            '[project] needs source_lang, the language releases are written in, e.g. source_lang = "ja"', "project"
        )
    source_lang = project["source_lang"]
    languages = tuple(lang for lang in project.get("languages", ()) if lang != source_lang)
    base_url = project.get("base_url")
    if base_url and not base_url.endswith("/"):
        base_url += "/"

    translate = read_translate_settings(file, data.get("translate", {}))
    _check_memory_files(file, Path(root), translate.memory)
    return Project(
        root=Path(root).resolve(),
        name=project.get("name") or Path(root).resolve().name,
        publisher=project.get("publisher", ""),
        source_lang=source_lang,
        languages=languages,
        base_url=base_url,
        organizations=MappingProxyType(_organizations(file, data.get("organizations", {}))),
        names=MappingProxyType(_names(file, data.get("names", {}))),
        calendars=MappingProxyType(_calendars(file, data.get("calendar", {}))),
        translate=translate,
        build=read_build_settings(file, data.get("build", {})),
        review=read_review_settings(file, data.get("review", {})),
        publish=read_publish_settings(file, data.get("publish", {})),
    )


def _check_memory_files(file: SettingsFile, root: Path, paths: tuple[str, ...]) -> None:
    """[translate] memory: each path names a regular file inside the project (read by `pretranslate`)."""
    folder = root.resolve()
    for index, name in enumerate(paths):
        path = root / name
        try:
            inside = path.resolve().is_relative_to(folder)
            exists, is_file = path.exists(), path.is_file()
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte
            raise file.error(f"[translate] memory: {shown(name)} cannot be used as a path ({exc})", "translate", "memory", index) from None
        if not inside:
            raise file.error(f"[translate] memory: {shown(name)} leads outside the project; copy the memory into it", "translate", "memory", index)
        if not exists:
            raise file.error(f"[translate] memory: {shown(name)} does not exist (paths are relative to the project folder)", "translate", "memory", index)
        if not is_file:
            raise file.error(f"[translate] memory: {shown(name)} is not a file", "translate", "memory", index)


def locale_id(value: object) -> str:
    """A locale CLDR has data for, in transpub's form (``zh-Hans`` is ``zh_Hans``)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(f'must be a locale id such as "ja", "en" or "zh_Hans", not {shown(value)}')
    normalized = normalize_lang(value)
    if _has_locale_data(normalized):
        return normalized
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(normalized)
    except (UnknownLocaleError, ValueError):
        raise InvalidValue(f"{shown(value)} is not a locale CLDR knows") from None
    # Locale.parse("en_ZZ") silently becomes en_US: insist that what was asked for is what we got
    if str(locale) != normalized and not str(locale).startswith(normalized):
        raise InvalidValue(f"{shown(value)} is not a locale CLDR knows (closest: {locale})")
    return normalized


def locale_ids(value: object) -> tuple[str, ...]:
    """A list of distinct locales; an error names the item it is about."""
    if not isinstance(value, list):
        raise InvalidValue(f'must be a list of locale ids, e.g. ["en", "fr"], not {shown(value)}')
    seen: list[str] = []
    for index, item in enumerate(value):
        try:
            lang = locale_id(item)
        except InvalidValue as exc:
            raise InvalidValue(exc.message, index) from None
        if lang in seen:
            raise InvalidValue(f"{shown(item)} is listed twice", index)
        seen.append(lang)
    return tuple(seen)


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidValue(f"must be a string, not {shown(value)}")
    return value


PROJECT_READERS = {
    "name": non_empty_string,
    "publisher": _string,  # in the source language; translated in names.po like any segment
    "source_lang": locale_id,
    "languages": locale_ids,
    "base_url": http_url,  # canonical and hreflang links; always ends with "/"
}
ORGANIZATION_READERS = {"name": non_empty_string, "short": non_empty_string}
ORGANIZATION_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _organizations(file: SettingsFile, table: object) -> dict[str, Organization]:
    """[organizations]: ``ID = "name"`` or ``ID = { name = "…", short = "…" }`` (short defaults to the id)."""
    if not isinstance(table, dict):
        raise file.error(f"[organizations] must be a table, not {shown(table)}", "organizations")
    organizations: dict[str, Organization] = {}
    for org_id, value in table.items():
        where = ("organizations", org_id)
        if not ORGANIZATION_ID_RE.fullmatch(org_id):
            raise file.error(f"[organizations] {org_id!r}: an organization id is letters, digits, '_' or '-'", *where)
        fields = read_table(file, where, {"name": value} if isinstance(value, str) else value, ORGANIZATION_READERS)
        if "name" not in fields:
            example = f'{org_id} = {{ name = "…", short = "…" }}'
            raise file.error(f"[organizations] {org_id} needs a name: {example}", *where)
        organizations[org_id] = Organization(org_id, fields["name"], fields.get("short", org_id))
    return organizations


def _names(file: SettingsFile, table: object) -> dict[str, Mapping[str, str]]:
    """[names.LANG]: ``COUNTRY_CODE = "preferred name"`` per language."""
    if not isinstance(table, dict):
        raise file.error(f"[names] must hold one table per language, [names.en], not {shown(table)}", "names")
    names: dict[str, Mapping[str, str]] = {}
    for lang, countries in table.items():
        where = ("names", lang)
        try:
            language = locale_id(lang)
        except InvalidValue as exc:
            raise file.error(f"[names.{lang}]: {exc.message}", *where) from None
        if language in names:
            raise file.error(f"[names.{lang}]: the names for {language} are written twice", *where)
        if not isinstance(countries, dict):
            raise file.error(f'[names.{lang}] must be a table of COUNTRY_CODE = "name", not {shown(countries)}', *where)
        preferred: dict[str, str] = {}
        for code, name in countries.items():
            if not is_country_code(code):
                raise file.error(f"[names.{lang}]: {code!r} is not an ISO 3166-1 alpha-2 country code", *where, code)
            try:
                preferred[code] = non_empty_string(name)
            except InvalidValue as exc:
                raise file.error(f"[names.{lang}] {code}: {exc.message}", *where, code) from None
        names[language] = MappingProxyType(preferred)
    return names


def _calendars(file: SettingsFile, table: object) -> dict[str, str]:
    """[calendar]: ``LANG = "gregorian" | "japanese"``."""
    if not isinstance(table, dict):
        raise file.error(f"[calendar] must be a table, not {shown(table)}", "calendar")
    calendars: dict[str, str] = {}
    for lang, calendar in table.items():
        try:
            language = locale_id(lang)
        except InvalidValue as exc:
            raise file.error(f"[calendar] {lang}: {exc.message}", "calendar", lang) from None
        if calendar not in CALENDARS:
            known = ", ".join(CALENDARS)
            message = f"[calendar] {lang}: {shown(calendar)} is not a calendar transpub knows ({known})"
            raise file.error(message, "calendar", lang)
        if language in calendars:
            raise file.error(f"[calendar] {lang}: the calendar for {language} is written twice", "calendar", lang)
        calendars[language] = calendar
    return calendars


@cache
def _locale_data_dir() -> Path | None:
    import importlib.util

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
