"""A generated transpub project big enough for a run to take a moment: N releases, two target languages.

    root = make_project(tmp_path / "news", releases=30)      # transpub.toml + sources/*.md
    write_sources(root, releases=30, version=2)              # edit a quarter of the paragraphs

The text is deterministic (seeded by the release number) and uses every kind of segment and token the
sample release uses, so the catalogs it leads to look like real ones: ~20 entries each, fuzzy matches
and obsolete entries after ``version=2``.
"""

from __future__ import annotations

import random
from pathlib import Path

from transpub.catalogs.pofile import read_catalog, write_catalog

CONFIG = """\
[project]
name = "Generated newsroom"
publisher = "Patent Office"
source_lang = "en"
languages = ["fr", "de"]

[translate]
engine = "libre"
url = "{url}"
concurrency = 4
timeout = 5
retries = 1
retry_wait = 0.01

[organizations]
WIPO = {{ name = "World Intellectual Property Organization", short = "WIPO" }}
"""

WORDS = (
    "office patent trademark design meeting assembly delegation cooperation agreement review "
    "examination filing applicants innovation commissioner framework"
).split()
COUNTRIES = "FR DE JP KZ IN CH BR".split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(4, 12))]
    words[0] = words[0].capitalize()
    extra = rng.choice(
        [
            "",
            f" on {{date:2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}}}",
            f" with {{country:{rng.choice(COUNTRIES)}}}",
            " at **{org:WIPO:short}**",
            f" (see [the report](https://example.org/{n}))",
        ]
    )
    return " ".join(words) + extra + "."


def release_text(n: int, version: int = 1) -> str:
    rng = random.Random(n)
    lines = ["---", f"date: 2023-{n % 12 + 1:02d}-{n % 27 + 1:02d}", "section: News", "---", ""]
    lines += [f"# Release number {n}: {_sentence(rng, n)}", ""]
    for index in range(12):
        text = " ".join(_sentence(rng, n) for _ in range(rng.randint(1, 3)))
        if version == 2 and index % 4 == 1:
            text = text.replace(".", ", as revised.", 1)  # a changed segment: fuzzy with #| previous
        if version == 2 and index == 11:
            continue  # a removed segment: obsolete
        lines += [text, ""]
    lines += ["- " + _sentence(rng, n), "- " + _sentence(rng, n), ""]
    lines += ["| Country | Filings |", "|---|---|", f"| {{country:FR}} | {n} |", ""]
    return "\n".join(lines)


def write_sources(root: Path, releases: int, version: int = 1) -> None:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    for n in range(releases):
        (root / "sources" / f"2023-release-{n:03d}.md").write_text(release_text(n, version), encoding="utf-8")


def make_project(root: Path, releases: int, url: str = "http://127.0.0.1:9/") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "transpub.toml").write_text(CONFIG.format(url=url), encoding="utf-8")
    write_sources(root, releases)
    return root


def translate_catalogs(root: Path, lang: str, every: int = 1) -> None:
    """Give every ``every``-th entry of each of ``lang``'s catalogs a reviewed translation."""
    for path in sorted((root / "locale" / lang / "LC_MESSAGES").glob("*.po")):
        po = read_catalog(path)
        for index, entry in enumerate(e for e in po if not e.obsolete):
            if index % every == 0 and not entry.msgstr:
                entry.msgstr = f"[{lang}] {entry.msgid}"
        write_catalog(path, po)
