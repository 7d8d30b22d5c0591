"""`init`: a new project with settings, folders and one example release to build right away."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel import Locale

from .config import CONFIG_NAME, normalize_lang, parse_project
from .errors import UsageError
from .fsutil import atomic_write_text

EXAMPLE = """\
---
date: {date}
section: News
division: Communications Office
related:
  - title: Our website
    url: https://www.example.org/
---

# Replace this title with your release's title

## A subtitle line

Write the release here in Markdown. Dates such as {{date:{date}}}, countries such as {{country:FR}}
and lists such as {{list:DE FR IT}} are written as tokens, so every language shows them its own way.
"""


def init_project(directory: Path, source_lang: str, languages: tuple[str, ...], publisher: str) -> list[Path]:
    directory = Path(directory)
    if (directory / CONFIG_NAME).exists():
        raise UsageError(f"{directory / CONFIG_NAME} already exists; not overwriting a project")
    config = _config_text(normalize_lang(source_lang), languages, publisher or "Example Organization")
    parse_project(config, directory, directory / CONFIG_NAME)  # refuse bad languages before writing anything
    created = []
    for folder in ("sources/images", "locale", "templates"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    files = {
        CONFIG_NAME: config,
        ".gitignore": "outputs/\n.transpub.lock\n",
    }
    if Locale.parse(normalize_lang(source_lang)).language == "en":
        today = dt.date.today().isoformat()
        files[f"sources/{today}-example.md"] = EXAMPLE.format(date=today)
    for name, text in files.items():
        path = directory / name
        if not path.exists():
            atomic_write_text(path, text)
            created.append(path)
    return created


def _config_text(source_lang: str, languages: tuple[str, ...], publisher: str) -> str:
    langs = ", ".join(f'"{lang}"' for lang in languages)
    return f"""\
[project]
publisher = "{publisher}"
source_lang = "{source_lang}"
languages = [{langs}]
# base_url = "https://www.example.org/news/"   # for canonical and hreflang links

[translate]
engine = "google"          # or "libre" with url = "https://translate.example.org/", "deepl", "microsoft", …
# API keys come from the environment: TRANSPUB_<ENGINE>_API_KEY
# concurrency = 8          # calls in flight at once; timeout = 30 (s), retries = 3, retry_wait = 1 (s)

# [build]
# jobs = 4                 # worker processes for `transpub build` without -j (default: one per core)

[review]
policy = "two-step"        # a translator's text publishes only once a reviewer approved it
                           # (transpub approve, or "approved" in a review document);
                           # "one-step": clearing the fuzzy flag is the review

[organizations]            # declared once, in the source language; {{org:ID}} in releases
# WIPO = {{ name = "World Intellectual Property Organization", short = "WIPO" }}

# [names.en]               # preferred country names that override CLDR for one language
# VN = "Viet Nam"

# [calendar]
# ja = "japanese"          # Japanese output in the era calendar (令和5年7月18日)
"""
