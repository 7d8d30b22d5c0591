"""transpub.toml is read once, into typed settings: every bad value of every key of every table stops any
command with ``transpub.toml:LINE:`` naming the key's line in its own table, exit 2, nothing changed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli, tree_digest
from libretranslate_server import FakeLibreTranslate

import transpub.build
from transpub.config import Organization, load_project, parse_project
from transpub.errors import ConfigError
from transpub.settings import BuildSettings, PublishSettings, ReviewSettings, TranslateSettings, key_lines

RELEASE = "2023-07-18-wipo-assemblies"

# Every key of every table, with a value that is right. The organizations come first and are named like
# the settings below, and a comment names them too: an error must point at the key in *its* table, not
# at the first line of the file that happens to hold the same name.
GOOD = """\
# [translate] concurrency = 8, timeout = 20, retries = 3, jobs = 2: see below
[organizations]
name = { name = "Name Decoy" }
publisher = "Publisher Decoy"
source_lang = "Source Decoy"
languages = "Languages Decoy"
base_url = "Base URL Decoy"
engine = "Engine Decoy"
url = "URL Decoy"
region = "Region Decoy"
concurrency = { name = "Concurrency Decoy", short = "CD" }
timeout = "Timeout Decoy"
retries = "Retries Decoy"
retry_wait = "Retry Wait Decoy"
jobs = "Jobs Decoy"
policy = "Policy Decoy"
memory_threshold = "Memory Threshold Decoy"
memory = "Memory Decoy"
outdated = "Outdated Decoy"
JPO = { name = "特許庁", short = "特許庁" }
WIPO = { name = "世界知的所有権機関", short = "WIPO" }
INTA = { name = "国際商標協会", short = "INTA" }
EUIPO = { name = "欧州連合知的財産庁", short = "EUIPO" }
OAPI = { name = "アフリカ知的財産機関", short = "OAPI" }

[names.fr]
VN = "Viêt Nam"
MA = "Maroc"

[project]
name = "JPO news releases"
publisher = "特許庁"
source_lang = "ja"
languages = ["en", "fr", "ar"]
base_url = "https://www.example.go.jp/news/"

[translate]
engine = "libre"
url = "http://127.0.0.1:5000/"
region = "westeurope"
concurrency = 8
timeout = 20
retries = 3
retry_wait = 1.5
memory_threshold = 80
memory = ["tm/agency.tmx"]

[build]
jobs = 2

[review]
policy = "one-step"

[publish]
outdated = "mark"

[names.en]
VN = "Viet Nam"
MA = "Kingdom of Morocco"

[calendar]
ja = "japanese"
"""


def _config(table: str | None, key: str, line: str) -> tuple[str, int]:
    """GOOD with the line of ``key`` in ``[table]`` replaced by ``line`` (or ``line`` added at the table's
    end when the table has no such key; with ``table=None`` the line equal to ``key`` is replaced), and
    the number of the line that was written."""
    lines = GOOD.splitlines()
    current = None
    last_of_table = None
    for index, text in enumerate(lines):
        if text.startswith("["):
            current = text.strip("[]")
            if table is None and text == key:
                lines[index] = line
                return "\n".join(lines) + "\n", index + 1
            continue
        if current == table and text.strip():
            last_of_table = index
            if text.split("=")[0].strip() == key:
                lines[index] = line
                return "\n".join(lines) + "\n", index + 1
    assert last_of_table is not None, f"no table [{table}] in GOOD"
    lines.insert(last_of_table + 1, line)
    return "\n".join(lines) + "\n", last_of_table + 2


def _line_in_good(table: str, key: str) -> int:
    """The line of ``key`` (or of the table's header, for key "[header]") in GOOD."""
    current = None
    for number, text in enumerate(GOOD.splitlines(), 1):
        if text.startswith("["):
            current = text.strip("[]")
            if current == table and key == "[header]":
                return number
        elif current == table and text.split("=")[0].strip() == key:
            return number
    raise AssertionError(f"{key} not in [{table}]")


@dataclass(frozen=True)
class Case:
    table: str | None  # the table whose key is written wrong (None: a header line is replaced)
    key: str
    line: str  # what is written instead
    message: str  # part of the error message
    at: str | None = None  # the key (or "[header]") the error points at, when not the line written


CASES = {
    # [project]
    "project.name wrong type": Case("project", "name", "name = 5", "[project] name: must be a non-empty string, not 5"),
    "project.name empty": Case("project", "name", 'name = "  "', "must be a non-empty string"),
    "project.publisher wrong type": Case("project", "publisher", "publisher = true", "[project] publisher: must be a string, not true"),
    "project.source_lang wrong type": Case("project", "source_lang", "source_lang = 81", "[project] source_lang: must be a locale id"),
    "project.source_lang unknown": Case("project", "source_lang", 'source_lang = "xx_YY"', '"xx_YY" is not a locale CLDR knows'),
    "project.source_lang missing": Case("project", "source_lang", "# no source language", "[project] needs source_lang", at="[header]"),
    "project.languages wrong type": Case("project", "languages", 'languages = "en"', "[project] languages: must be a list of locale ids"),
    "project.languages item wrong type": Case("project", "languages", 'languages = ["en", 5]', "must be a locale id"),
    "project.languages item unknown": Case("project", "languages", 'languages = ["en", "zz"]', '"zz" is not a locale CLDR knows'),
    "project.languages twice": Case("project", "languages", 'languages = ["en", "fr", "en"]', '"en" is listed twice'),
    "project.base_url wrong type": Case("project", "base_url", "base_url = 1", "[project] base_url: must be an http(s) URL"),
    "project.base_url not http": Case("project", "base_url", 'base_url = "ftp://example.org/"', "must be an http(s) URL"),
    "project.base_url with a password": Case("project", "base_url", 'base_url = "https://admin:s3cret@example.org/"', "must not carry credentials"),
    "project unknown key": Case("project", "publsher", 'publsher = "x"', "unknown key 'publsher' in [project]"),
    # [translate]
    "translate.engine wrong type": Case("translate", "engine", "engine = 1", "[translate] engine: must be one of libretranslate"),
    "translate.engine unknown": Case("translate", "engine", 'engine = "bing"', 'not "bing"'),
    "translate.url wrong type": Case("translate", "url", "url = 5000", "[translate] url: must be an http(s) URL"),
    "translate.url not http": Case("translate", "url", 'url = "127.0.0.1:5000"', "must be an http(s) URL"),
    "translate.url with a password": Case("translate", "url", 'url = "http://me:s3cret@127.0.0.1:5000/"', "must not carry credentials"),
    "translate.url with a key": Case("translate", "url", 'url = "http://127.0.0.1:5000/?api_key=s3cret"', "must not carry credentials"),
    "translate.url with a token": Case("translate", "url", 'url = "https://mt.example/?lang=x&Access-Token=s3cret"', "must not carry credentials"),
    "translate.url missing for libre": Case("translate", "url", "# no url", "engine 'libretranslate' needs url", at="engine"),
    "translate.region wrong type": Case("translate", "region", "region = []", "[translate] region: must be a non-empty string, not a list"),
    "translate.region empty": Case("translate", "region", 'region = ""', "must be a non-empty string"),
    "translate.concurrency wrong type": Case("translate", "concurrency", 'concurrency = "eight"', '[translate] concurrency: must be a whole number, 1 or more, not "eight"'),
    "translate.concurrency bool": Case("translate", "concurrency", "concurrency = true", "not true"),
    "translate.concurrency float": Case("translate", "concurrency", "concurrency = 8.0", "not 8.0"),
    "translate.concurrency zero": Case("translate", "concurrency", "concurrency = 0", "1 or more, not 0"),
    "translate.timeout wrong type": Case("translate", "timeout", 'timeout = "20s"', '[translate] timeout: must be a number of seconds, more than 0, not "20s"'),
    "translate.timeout bool": Case("translate", "timeout", "timeout = false", "not false"),
    "translate.timeout zero": Case("translate", "timeout", "timeout = 0", "more than 0, not 0"),
    "translate.timeout negative": Case("translate", "timeout", "timeout = -1.5", "not -1.5"),
    "translate.timeout infinite": Case("translate", "timeout", "timeout = inf", "not inf"),
    "translate.timeout nan": Case("translate", "timeout", "timeout = nan", "not nan"),
    "translate.timeout a day": Case("translate", "timeout", "timeout = 86400", "at most 600 seconds, not 86400"),
    "translate.retries wrong type": Case("translate", "retries", 'retries = "3"', '[translate] retries: must be a whole number, 0 or more, not "3"'),
    "translate.retries bool": Case("translate", "retries", "retries = true", "not true"),
    "translate.retries float": Case("translate", "retries", "retries = 2.5", "not 2.5"),
    "translate.retries negative": Case("translate", "retries", "retries = -1", "0 or more, not -1"),
    "translate.retries huge": Case("translate", "retries", "retries = 1000000000", "at most 10, not 1000000000"),
    "translate.retries 1e9": Case("translate", "retries", "retries = 1e9", "not 1000000000.0"),
    "translate.concurrency huge": Case("translate", "concurrency", "concurrency = 100000", "at most 64"),
    "translate.retry_wait wrong type": Case("translate", "retry_wait", "retry_wait = 1979-05-27", "[translate] retry_wait: must be a number of seconds, 0 or more, not a date"),
    "translate.retry_wait negative": Case("translate", "retry_wait", "retry_wait = -0.5", "0 or more, not -0.5"),
    "translate.retry_wait an hour": Case("translate", "retry_wait", "retry_wait = 3600", "at most 60 seconds"),
    "translate.memory_threshold wrong type": Case("translate", "memory_threshold", 'memory_threshold = "75%"', '[translate] memory_threshold: must be a whole number, 50 or more, not "75%"'),
    "translate.memory_threshold too low": Case("translate", "memory_threshold", "memory_threshold = 10", "50 or more, not 10"),
    "translate.memory_threshold over 100": Case("translate", "memory_threshold", "memory_threshold = 101", "at most 100, not 101"),
    "translate.memory wrong type": Case("translate", "memory", 'memory = "tm/agency.tmx"', '[translate] memory: must be a list of paths relative to the project, e.g. ["tm/agency.tmx"], not "tm/agency.tmx"'),
    "translate.memory item empty": Case("translate", "memory", 'memory = ["tm/agency.tmx", " "]', 'must be a list of non-empty paths, not " "'),
    "translate.memory item wrong type": Case("translate", "memory", "memory = [5]", "must be a list of non-empty paths, not 5"),
    "translate.memory absolute": Case("translate", "memory", 'memory = ["/etc/passwd"]', '"/etc/passwd" must be a path relative to the project folder'),
    "translate.memory twice": Case("translate", "memory", 'memory = ["tm/agency.tmx", "tm/agency.tmx"]', '"tm/agency.tmx" is listed twice'),
    "translate.memory missing file": Case("translate", "memory", 'memory = ["tm/missing.tmx"]', '[translate] memory: "tm/missing.tmx" does not exist'),
    "translate.memory outside the project": Case("translate", "memory", 'memory = ["../outside.tmx"]', '"../outside.tmx" leads outside the project'),
    "translate.memory a NUL byte": Case("translate", "memory", 'memory = ["tm/a\\u0000.tmx"]', "cannot be used as a path"),
    "translate.memory a name too long": Case("translate", "memory", f'memory = ["tm/{"x" * 300}.tmx"]', "cannot be used as a path"),
    "translate.memory a folder": Case("translate", "memory", 'memory = ["sources"]', '"sources" is not a file'),
    "translate.api key": Case("translate", "api_key", 'api_key = "s3cret"', "API keys never go in transpub.toml"),
    "translate unknown key": Case("translate", "retrys", "retrys = 3", "unknown key 'retrys' in [translate]"),
    # [build]
    "build.jobs wrong type": Case("build", "jobs", 'jobs = "all"', '[build] jobs: must be a whole number, 1 or more, not "all"'),
    "build.jobs bool": Case("build", "jobs", "jobs = true", "not true"),
    "build.jobs huge": Case("build", "jobs", "jobs = 100000", "at most 256, not 100000"),
    # [review]
    "review.policy wrong type": Case("review", "policy", "policy = 2", "[review] policy: must be 'one-step' or 'two-step', not 2"),
    "review.policy unknown": Case("review", "policy", 'policy = "twostep"', "must be 'one-step' or 'two-step', not \"twostep\""),
    # [publish]
    "publish.outdated wrong type": Case("publish", "outdated", "outdated = true", "[publish] outdated: must be 'mark', 'withdraw' or 'keep', not true"),
    "publish.outdated unknown": Case("publish", "outdated", 'outdated = "hide"', "must be 'mark', 'withdraw' or 'keep', not \"hide\""),
    "publish unknown key": Case("publish", "outdate", 'outdate = "mark"', "unknown key 'outdate' in [publish] (known: outdated)"),
    "build.jobs float": Case("build", "jobs", "jobs = 2.0", "not 2.0"),
    "build.jobs zero": Case("build", "jobs", "jobs = 0", "1 or more, not 0"),
    "build unknown key": Case("build", "formats", 'formats = ["html"]', "unknown key 'formats' in [build] (known: jobs)"),
    # [organizations]
    "organizations.ID wrong type": Case("organizations", "WIPO", "WIPO = 5", "[organizations.WIPO] must be a table, not 5"),
    "organizations.ID.name wrong type": Case("organizations", "WIPO", 'WIPO = { name = 5, short = "WIPO" }', "[organizations.WIPO] name: must be a non-empty string, not 5"),
    "organizations.ID.name missing": Case("organizations", "WIPO", 'WIPO = { short = "WIPO" }', "[organizations] WIPO needs a name"),
    "organizations.ID.short wrong type": Case("organizations", "WIPO", 'WIPO = { name = "世界知的所有権機関", short = ["W"] }', "[organizations.WIPO] short: must be a non-empty string, not a list"),
    "organizations.ID unknown key": Case("organizations", "WIPO", 'WIPO = { name = "世界知的所有権機関", shrot = "WIPO" }', "unknown key 'shrot' in [organizations.WIPO]"),
    "organizations bad id": Case("organizations", "1WIPO", '1WIPO = "x"', "'1WIPO': an organization id is letters"),
    # [names.LANG]
    "names.LANG.CODE wrong type": Case("names.en", "VN", "VN = 5", "[names.en] VN: must be a non-empty string, not 5"),
    "names.LANG.CODE empty": Case("names.en", "VN", 'VN = ""', "must be a non-empty string"),
    "names.LANG unknown country": Case("names.en", "XZ", 'XZ = "Nowhere"', "'XZ' is not an ISO 3166-1 alpha-2 country code"),
    "names.LANG unknown language": Case(None, "[names.en]", "[names.zz]", "[names.zz]: \"zz\" is not a locale CLDR knows"),
    "names.LANG not a table": Case(None, "[names.en]", "[names]\nen = 5", "[names.en] must be a table", at="+1"),
    # [calendar]
    "calendar.LANG wrong type": Case("calendar", "ja", "ja = 1", "[calendar] ja: 1 is not a calendar transpub knows (gregorian, japanese)"),
    "calendar.LANG unknown calendar": Case("calendar", "ja", 'ja = "julian"', '"julian" is not a calendar'),
    "calendar unknown language": Case("calendar", "zz", 'zz = "japanese"', '[calendar] zz: "zz" is not a locale CLDR knows'),
    # tables
    "unknown table": Case(None, "[build]", "[bulid]", "unknown table [bulid] (known: build, calendar, names, organizations, project, publish, review, translate)"),
}

COMMANDS = {"status": ("status",), "build": ("build", "--lang", "en")}
OTHER_COMMANDS = {
    "check": ("check",),
    "pretranslate": ("pretranslate", "--lang", "fr"),
    "update": ("update",),
    "extract": ("extract",),
    "review export": ("review", "export", "--lang", "fr", "-o", "{project}/review-fr.docx"),
}


def _memory_file(project: Path) -> None:
    """The memory GOOD names, and a file just outside the project that a path may not lead to."""
    (project / "tm").mkdir(exist_ok=True)
    (project / "tm" / "agency.tmx").write_text('<tmx version="1.4"><header/><body/></tmx>\n', encoding="utf-8")
    (project.parent / "outside.tmx").write_text('<tmx version="1.4"><header/><body/></tmx>\n', encoding="utf-8")


def _expected_line(case: Case, written: int) -> int:
    if case.at is None:
        return written
    if case.at == "+1":
        return written + 1
    return _line_in_good(case.table, case.at)


def _assert_refused_at_its_line(project: Path, name: str, args: tuple[str, ...]) -> None:
    case = CASES[name]
    text, written = _config(case.table, case.key, case.line)
    (project / "transpub.toml").write_text(text, encoding="utf-8")
    _memory_file(project)
    before = tree_digest(project)
    result = run_cli(project, *(arg.format(project=project) for arg in args))
    assert result.exit_code == 2, result.stdout + result.stderr
    line = _expected_line(case, written)
    assert re.search(rf"transpub\.toml:{line}: ", result.stderr), f"expected line {line}:\n{text}\n{result.stderr}"
    assert case.message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr
    assert tree_digest(project) == before


@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_every_bad_setting_stops_a_command_at_its_line(sample_project: Path, name: str, command: str):
    _assert_refused_at_its_line(sample_project, name, COMMANDS[command])


@pytest.mark.parametrize("command", OTHER_COMMANDS, ids=list(OTHER_COMMANDS))
@pytest.mark.parametrize("name", ["translate.concurrency wrong type", "names.LANG unknown country"])
def test_every_command_loads_the_settings_the_same_way(sample_project: Path, name: str, command: str):
    _assert_refused_at_its_line(sample_project, name, OTHER_COMMANDS[command])


def test_every_key_of_every_table_has_a_bad_case():
    """The table above covers every key the settings know: a key added later without a case fails here."""
    data = tomllib.loads(GOOD)
    keys = {(table, key) for table in ("project", "translate", "build", "review", "publish") for key in data[table]}
    keys |= {("organizations", "ID"), ("organizations", "ID.name"), ("organizations", "ID.short")}
    keys |= {("names", "LANG.CODE"), ("calendar", "LANG")}
    assert set(data) == {"project", "translate", "build", "review", "publish", "organizations", "names", "calendar"}
    assert set(PublishSettings.__dataclass_fields__) == set(data["publish"])
    assert set(ReviewSettings.__dataclass_fields__) == set(data["review"])
    assert set(TranslateSettings.__dataclass_fields__) == set(data["translate"])
    assert set(BuildSettings.__dataclass_fields__) == set(data["build"])
    covered = {tuple(name.split(" ")[0].split(".", 1)) for name in CASES if "." in name.split(" ")[0]}
    assert keys <= covered, keys - covered


def test_good_settings_are_read_into_typed_values(sample_project: Path):
    (sample_project / "transpub.toml").write_text(GOOD, encoding="utf-8")
    _memory_file(sample_project)
    project = load_project(sample_project)
    assert project.translate == TranslateSettings(
        engine="libretranslate", url="http://127.0.0.1:5000/", region="westeurope", concurrency=8, timeout=20.0,
        retries=3, retry_wait=1.5, memory_threshold=80, memory=("tm/agency.tmx",),
    )
    assert isinstance(project.translate.timeout, float) and isinstance(project.translate.concurrency, int)
    assert project.build == BuildSettings(jobs=2)
    assert project.publish == PublishSettings(outdated="mark")
    assert (project.name, project.publisher, project.source_lang, project.languages, project.base_url) == (
        "JPO news releases", "特許庁", "ja", ("en", "fr", "ar"), "https://www.example.go.jp/news/",
    )
    assert project.organizations["concurrency"] == Organization("concurrency", "Concurrency Decoy", "CD")
    assert project.organizations["timeout"] == Organization("timeout", "Timeout Decoy", "timeout")
    assert dict(project.names["en"]) == {"VN": "Viet Nam", "MA": "Kingdom of Morocco"}
    assert dict(project.calendars) == {"ja": "japanese"}
    for command in (("status",), ("build", "--lang", "en")):
        result = run_cli(sample_project, *command)
        assert result.exit_code == 0, result.stderr


def test_defaults_when_tables_are_left_out(tmp_path: Path):
    project = parse_project('[project]\nsource_lang = "en"\n', tmp_path, tmp_path / "transpub.toml")
    assert project.translate == TranslateSettings()
    assert (project.translate.engine, project.translate.concurrency, project.translate.timeout) == (None, 8, 30.0)
    assert (project.translate.retries, project.translate.retry_wait) == (3, 1.0)
    assert project.build.jobs is None
    assert project.publish.outdated == "mark"
    assert (project.languages, project.publisher, project.name, project.base_url) == ((), "", tmp_path.name, None)


def test_languages_are_normalized_everywhere(tmp_path: Path):
    text = (
        '[project]\nsource_lang = "en"\nlanguages = ["zh-Hans", "fr"]\nbase_url = "https://example.org/news"\n'
        '[names.zh-Hans]\nVN = "越南"\n[calendar]\nzh-Hans = "gregorian"\n'
    )
    project = parse_project(text, tmp_path, tmp_path / "transpub.toml")
    assert project.languages == ("zh_Hans", "fr")
    assert set(project.names) == {"zh_Hans"} and set(project.calendars) == {"zh_Hans"}
    assert project.base_url == "https://example.org/news/"


def test_an_item_of_a_list_over_several_lines_is_named_by_its_line(tmp_path: Path):
    text = '[project]\nsource_lang = "ja"\nlanguages = [\n  "en",  # English\n  "fr",\n  "en",\n]\n'
    with pytest.raises(ConfigError) as caught:
        parse_project(text, tmp_path, tmp_path / "transpub.toml")
    assert (caught.value.line, caught.value.message) == (6, '[project] languages: "en" is listed twice')


def test_missing_project_table(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"missing \[project\] table"):
        parse_project('[translate]\nengine = "google"\n', tmp_path, tmp_path / "transpub.toml")


# --- where keys are ------------------------------------------------------------------------------

TRICKY = '''\
# timeout = 1 in a comment
title = """
[translate]
timeout = 2
"""  # a multi-line string that looks like a table
literal = \'\'\'
jobs = 3 \'\'\'
quotes = """a "" b"""""
"dotted.key" = 1
p.b . c = 2
[ translate ]
timeout = 3
list = [
  1,  # one
  [2, "],"],
  { x = 1, y = { z = 2 } },
]
when = 1979-05-27 07:32:00Z
[a.d]
e = 4
[a]
f = 5
[[items]]
name = "first"
[[items]]
name = "second"
"\\u0074imeout" = 6
'''


def test_key_lines_name_each_key_in_its_table():
    lines = key_lines(TRICKY)
    expected = {
        ("title",): 2,
        ("literal",): 6,
        ("quotes",): 8,
        ("dotted.key",): 9,
        ("p", "b", "c"): 10,
        ("translate",): 11,
        ("translate", "timeout"): 12,
        ("translate", "list"): 13,
        ("translate", "list", 0): 14,
        ("translate", "list", 1): 15,
        ("translate", "list", 1, 1): 15,
        ("translate", "list", 2): 16,
        ("translate", "list", 2, "y", "z"): 16,
        ("translate", "when"): 18,
        ("a", "d", "e"): 20,
        ("a",): 21,  # made implicitly by [a.d] on line 19, defined by its own header
        ("a", "f"): 22,
        ("items", 0, "name"): 24,
        ("items", 1): 25,
        ("items", 1, "name"): 26,
        ("items", 1, "timeout"): 27,
    }
    assert {path: lines.get(path) for path in expected} == expected


def test_key_lines_find_every_key_tomllib_reads():
    def paths(value, prefix=()):
        if isinstance(value, dict):
            for key, item in value.items():
                yield (*prefix, key)
                yield from paths(item, (*prefix, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield (*prefix, index)
                yield from paths(item, (*prefix, index))

    for text in (TRICKY, GOOD, (Path(__file__).parent.parent / "transpub.toml").read_text(encoding="utf-8")):
        lines = key_lines(text)
        missing = [path for path in paths(tomllib.loads(text)) if path not in lines]
        assert not missing


# --- the settings reach what they set --------------------------------------------------------------


def _point_translate_at(project: Path, url: str, **settings: object) -> None:
    """Replace the sample's [translate] table by one for the test server with these settings."""
    config = project / "transpub.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[translate]\n")
    end = text.index("\n\n", start)
    table = "".join(f"{key} = {value!r}\n" for key, value in settings.items())
    config.write_text(f'{text[:start]}[translate]\nengine = "libre"\nurl = "{url}"\n{table}{text[end:]}', encoding="utf-8")
    assert load_project(project).translate.url == url


def _with_german(project: Path) -> None:
    """German added to the sample: its catalogs are empty, so pretranslate has every text to send."""
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"fr", "ar"]', '"fr", "ar", "de"]'), encoding="utf-8")
    assert run_cli(project, "update").exit_code == 0


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_bounds_the_calls_in_flight(sample_project: Path, concurrency: int):
    _with_german(sample_project)
    with FakeLibreTranslate(latency=0.05) as server:
        _point_translate_at(sample_project, server.url, concurrency=concurrency, timeout=5)
        result = run_cli(sample_project, "pretranslate", "--lang", "de", "--release", RELEASE)
        assert result.exit_code == 0, result.stderr
        assert server.request_count > 3
        # every call waits 0.05 s at the server: with room for three, more than one is in flight at once
        assert server.max_in_flight == 1 if concurrency == 1 else 1 < server.max_in_flight <= concurrency


def test_retries_and_timeout_reach_the_engine(sample_project: Path):
    _with_german(sample_project)
    with FakeLibreTranslate(fail_first=1000, fail_status=503) as server:
        _point_translate_at(sample_project, server.url, concurrency=1, timeout=5, retries=1, retry_wait=0.01)
        result = run_cli(sample_project, "pretranslate", "--lang", "de", "--release", RELEASE)
        assert result.exit_code == 1
        assert "gave up after 2 attempts" in result.stderr
        assert server.request_count == 2 * len(set(server.texts_received())) > 0
    with FakeLibreTranslate(mode="hang") as server:
        _point_translate_at(sample_project, server.url, concurrency=1, timeout=0.2, retries=0)
        result = run_cli(sample_project, "pretranslate", "--lang", "de", "--release", RELEASE)
        assert result.exit_code == 1 and "did not answer within 0.2 s" in result.stderr


def test_build_jobs_is_the_default_of_dash_j(sample_project: Path, monkeypatch):
    real = transpub.build.build
    seen: list[int | None] = []

    def spy(*args, **kwargs):
        seen.append(kwargs["jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(transpub.build, "build", spy)
    config = sample_project / "transpub.toml"
    assert run_cli(sample_project, "build", "--lang", "en").exit_code == 0
    config.write_text(config.read_text(encoding="utf-8") + "\n[build]\njobs = 1\n", encoding="utf-8")
    assert run_cli(sample_project, "build", "--lang", "en").exit_code == 0
    assert run_cli(sample_project, "build", "--lang", "en", "-j", "2").exit_code == 0
    assert seen == [None, 1, 2]


def test_nan_and_infinity_are_not_seconds(tmp_path: Path):
    for value in ("nan", "inf", "-inf"):
        text = f'[project]\nsource_lang = "en"\n[translate]\nretry_wait = {value}\n'
        with pytest.raises(ConfigError, match="retry_wait: must be a number of seconds") as caught:
            parse_project(text, tmp_path, tmp_path / "transpub.toml")
        assert caught.value.line == 4


def test_a_table_written_as_a_value_is_refused_at_its_line(tmp_path: Path):
    text = '# settings\ntranslate = 5\n[project]\nsource_lang = "en"\n'
    with pytest.raises(ConfigError) as caught:
        parse_project(text, tmp_path, tmp_path / "transpub.toml")
    assert (caught.value.line, caught.value.message) == (2, "[translate] must be a table, not 5")
