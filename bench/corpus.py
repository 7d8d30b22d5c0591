"""Deterministic corpus of release-like sources, as a ready-to-build transpub project.

    python bench/corpus.py make  bench/work/n50 --n 50 --langs fr,de,ja,ar [--seed 1]
    python bench/corpus.py change bench/work/n50/sources [--fraction 0.1] [--seed 2]

``make`` writes transpub.toml (source_lang "en", K target languages), sources/<id>.md, runs
``transpub update`` and fills every entry of every catalog with a deterministic pseudo-translation that
keeps tokens, link URLs, code spans and markup, all reviewed (no fuzzy), so ``transpub build`` publishes
every (release, language) pair.

Each release is shaped like a real one (README "Source format"; LIBRARY-NOTES: a release is about 45
segments, ~1,400 words): front matter (date, section, division, related links), a title, a subtitle,
12–20 paragraphs under 3–4 numbered section headings, a bullet list and an ordered list, a GFM table,
links, *emphasis*, **strong**, ``{date:…}``, ``{daterange:a..b}``, ``{country:XX}``, ``{org:…}`` and a
``{list:…}`` of about 20 country codes and organizations.

Release i depends only on (seed, i): the N = 50 corpus is the first 50 releases of the N = 500 one.

``change`` edits about ``fraction`` of the plain paragraphs of every release in a sources folder (a few
words replaced and a short clause added: still close enough for fuzzy matching), deterministically.
It works on the Markdown text alone, so it applies equally to any copy of the sources a peer reads.

Only the standard library is needed, except for ``make``'s catalog filling (transpub's own PO reader and
writer when importable, so the catalogs are byte-for-byte what transpub writes; polib otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

# --- vocabulary --------------------------------------------------------------------------------------
NOUNS = """office agreement cooperation programme application examination patent trademark design
system framework delegation ministry agency committee assembly conference session report strategy
initiative partnership network platform database procedure guideline regulation standard policy
innovation technology industry enterprise startup university researcher inventor applicant examiner
workshop seminar dialogue forum meeting review outcome result priority objective proposal amendment
fee service portal classification search backlog quality timeliness capacity training expertise
ecosystem economy market region country border customs enforcement counterfeit piracy right owner
court judgment dispute mediation arbitration filing registration renewal publication notice statistics
indicator survey study analysis data security transparency efficiency digitalization artificial
intelligence model tool language translation interpretation memorandum understanding plan roadmap""".split()
VERBS = """signed adopted launched announced welcomed discussed reviewed approved presented published
introduced strengthened expanded improved reduced accelerated supported promoted confirmed agreed
shared explained highlighted emphasized noted invited encouraged established completed extended
renewed organized hosted attended opened concluded examined evaluated proposed endorsed""".split()
ADJECTIVES = """international bilateral multilateral national regional global digital sustainable
innovative effective efficient transparent reliable fair balanced inclusive strategic technical
practical small medium large first second third annual joint new further closer stronger broader""".split()
PEOPLE = """the Commissioner|the Deputy Commissioner|the Director General|the Minister|the delegation|
the heads of office|the examiners|the working group|the secretariat|the chair|the experts|
representatives of industry|the participants|both offices|the partners""".replace("\n", "").split("|")
CONNECT = ["In addition,", "Furthermore,", "At the same time,", "As a result,", "On this occasion,",
           "Moreover,", "To this end,", "In particular,", "Following the meeting,", "Meanwhile,"]
SECTIONS = ["Press release", "News", "Announcement", "Notice", "Event report"]
DIVISIONS = ["International Policy Division", "Trademark Division", "Patent Examination Department",
             "Policy Planning and Research Division", "General Affairs Division", "Design Division"]
COUNTRIES = """KZ DE GB IN CA SA ES PT ZA CH AU IL DK MA FR VN SE IT ID JP CN KR US BR MX AR CL CO PE
EG NG KE GH SN TN TR GR PL CZ HU RO BG HR SI AT BE NL LU IE FI NO IS EE LV LT UA GE AM AZ UZ MN TH MY
SG PH NZ AE QA OM KW JO""".split()
ORGS = {
    "WIPO": ("World Intellectual Property Organization", "WIPO"),
    "INTA": ("International Trademark Association", "INTA"),
    "EUIPO": ("European Union Intellectual Property Office", "EUIPO"),
    "OAPI": ("African Intellectual Property Organization", "OAPI"),
}
PUBLISHER = "Example Patent Office"
BOILERPLATE = [  # sentences that recur across releases, as in real ones
    "For more information, please contact the press office.",
    "The office will continue to support users at home and abroad.",
    "Details will be announced on the website of the office.",
]
DEFAULT_LANGS = ("fr", "de", "ja", "ar")


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(NOUNS) if rng.random() < 0.6 else rng.choice(ADJECTIVES) for _ in range(count))


def _date(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360))


def _sentence(rng: random.Random, year: int, rich: bool = True) -> str:
    subject = rng.choice(PEOPLE)
    parts = [f"{subject[0].upper()}{subject[1:]} {rng.choice(VERBS)} the {_words(rng, rng.randint(2, 4))}"]
    parts.append(f"of the {_words(rng, rng.randint(2, 3))} with {rng.choice(ADJECTIVES)} {_plural(rng.choice(NOUNS))}")
    if rich:
        roll = rng.random()
        if roll < 0.18:
            parts.append(f"on {{date:{_date(rng, year).isoformat()}}}")
        elif roll < 0.30:
            start = _date(rng, year)
            parts.append(f"from {{daterange:{start.isoformat()}..{(start + dt.timedelta(days=rng.randint(1, 9))).isoformat()}}}")
        elif roll < 0.48:
            parts.append(f"in {{country:{rng.choice(COUNTRIES)}}}")
        elif roll < 0.56:
            parts.append(f"together with {{org:{rng.choice(sorted(ORGS))}}}")
        elif roll < 0.66:
            parts.append(f"under the *{_words(rng, 2)}* programme")
        elif roll < 0.74:
            parts.append(f"as part of the **{_words(rng, 3)} plan**")
        elif roll < 0.82:
            slug = "-".join(_words(rng, 2).split())
            parts.append(f"described in the [{_words(rng, 2)} report](https://www.example.org/{slug}/)")
    parts.append(f"to {rng.choice(['improve', 'promote', 'support', 'strengthen', 'expand'])} "
                 f"{_words(rng, rng.randint(2, 4))}")
    return " ".join(parts) + "."


def _lower_first(sentence: str) -> str:
    return sentence if sentence.startswith(("The Commissioner", "The Deputy", "The Director", "The Minister")) \
        else sentence[0].lower() + sentence[1:]


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + ("" if noun.endswith("s") else "s")


def _paragraph(rng: random.Random, year: int) -> str:
    sentences = [_sentence(rng, year) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.5:
        sentences.insert(1, f"{rng.choice(CONNECT)} {_lower_first(_sentence(rng, year))}")
    if rng.random() < 0.15:
        sentences.append(rng.choice(BOILERPLATE))
    return " ".join(sentences)


def _title(rng: random.Random) -> str:
    words = _words(rng, rng.randint(5, 8))
    return words[0].upper() + words[1:]


def release_text(index: int, seed: int = 1) -> tuple[str, str]:
    """(release id, Markdown text) of release ``index``; depends only on (seed, index)."""
    rng = random.Random(f"transpub-bench-{seed}-{index}")
    year = 2019 + index % 7
    date = _date(rng, year)
    release_id = f"{date.isoformat()}-r{index:05d}"
    out: list[str] = [
        "---",
        f"date: {date.isoformat()}",
        f"section: {rng.choice(SECTIONS)}",
        f"division: {rng.choice(DIVISIONS)}",
        "related:",
    ]
    for link in range(rng.randint(1, 2)):
        out += [f"  - title: {_title(rng)}", f"    url: https://www.example.org/related/{index}/{link}/"]
    out += ["---", "", f"# {_title(rng)}", "", f"## {_title(rng)}", ""]
    out += [f"On {{date:{date.isoformat()}}}, {_lower_first(_sentence(rng, year))} "
            + _sentence(rng, year), ""]

    paragraphs = rng.randint(12, 20) - 2  # the opening and the closing paragraphs are written apart
    sections = rng.randint(3, 4)
    per_section = [paragraphs // sections + (1 if s < paragraphs % sections else 0) for s in range(sections)]
    countries = rng.sample(COUNTRIES, 18)
    for number, count in enumerate(per_section, 1):
        out += [f"### {number}. {_title(rng)}", ""]
        for p in range(count):
            out += [_paragraph(rng, year), ""]
            if number == 1 and p == 0:  # a bullet list
                for _ in range(rng.randint(4, 5)):
                    out.append(f"- {_sentence(rng, year)}")
                out.append("")
            if number == 2 and p == 0:  # a table
                heads = ["Country", "Applications", "Status"]
                out += ["| " + " | ".join(heads) + " |", "|---|---:|---|"]
                for row in range(rng.randint(4, 5)):
                    status = rng.choice(["under examination", "granted", "published", "pending review"])
                    out.append(f"| {{country:{countries[row]}}} | {rng.randint(10, 9999):,} | {status.capitalize()} |")
                out.append("")
            if number == 3 and p == 0:  # an ordered list
                for item in range(1, rng.randint(3, 4) + 1):
                    out.append(f"{item}. {_sentence(rng, year, rich=False)}")
                out.append("")
    listed = " ".join(countries[:16] + rng.sample(sorted(ORGS), 3))
    out += [f"The partners met so far: {{list:{listed}}}.", "", rng.choice(BOILERPLATE), ""]
    return release_id, "\n".join(out)


# --- the 10 % change -----------------------------------------------------------------------------------
_PLAIN_PARAGRAPH = re.compile(r"^[A-Z][^|]*\.$")


def change_text(text: str, rng: random.Random, fraction: float = 0.1) -> tuple[str, int, int]:
    """(changed text, paragraphs changed, plain paragraphs) for one release's Markdown."""
    lines = text.split("\n")
    body_start = lines.index("---", 1) + 1
    candidates = [i for i in range(body_start, len(lines))
                  if _PLAIN_PARAGRAPH.match(lines[i]) and len(lines[i].split()) >= 25]
    count = max(1, round(fraction * len(candidates))) if candidates else 0
    for i in rng.sample(candidates, count):
        words = lines[i].split(" ")
        plain = [w for w, word in enumerate(words) if word.isalpha() and word.islower() and len(word) > 3]
        for w in rng.sample(plain, min(3, len(plain))):
            words[w] = rng.choice(NOUNS)
        lines[i] = " ".join(words)[:-1] + f", {rng.choice(['as planned', 'this year', 'once again', 'in full'])}."
    return "\n".join(lines), count, len(candidates)


def change_sources(sources: Path, fraction: float = 0.1, seed: int = 2) -> tuple[int, int]:
    """Change ``fraction`` of the plain paragraphs of every ``*.md`` in ``sources``: (changed, total)."""
    changed = total = 0
    for path in sorted(Path(sources).glob("*.md")):
        rng = random.Random(f"transpub-bench-change-{seed}-{path.stem}")
        text, done, candidates = change_text(path.read_text(encoding="utf-8"), rng, fraction)
        path.write_text(text, encoding="utf-8")
        changed, total = changed + done, total + candidates
    return changed, total


# --- pseudo-translation ------------------------------------------------------------------------------
_PROTECT = re.compile(
    r"\{[A-Za-z_]+:[^{}\n]*\}"          # typed tokens
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # link destinations ](url "title")
    r"|`[^`]*`"                          # code spans
    r"|\\."                              # backslash escapes
    r"|https?://\S+"                     # bare URLs (peers keep links in other shapes)
    r"|%\([a-z_]+\)s|%[sd]"              # printf-style placeholders some converters emit
)
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TABLES = {
    "fr": str.maketrans("aeiou", "àéîôù"),
    "de": str.maketrans("aous", "äöüß"),
    "ja": str.maketrans(_LOWER + _LOWER.upper(), "アイウエオカキクケコサシスセソタチツテトナニヌネノハ" * 2),
    "ar": str.maketrans(_LOWER + _LOWER.upper(), "ابتثجحخدذرزسشصضطظعغفقكلمنه" * 2),
}


def pseudo_translate(text: str, lang: str) -> str:
    """A deterministic stand-in translation: letters mapped per language, tokens/URLs/markup kept."""
    table = _TABLES.get(lang) or str.maketrans("aeiou", "AEIOU")
    out, pos = [], 0
    for match in _PROTECT.finditer(text):
        out.append(text[pos:match.start()].translate(table))
        out.append(match.group(0))
        pos = match.end()
    out.append(text[pos:].translate(table))
    return "".join(out)


# --- the project -----------------------------------------------------------------------------------
def toml_text(langs: tuple[str, ...]) -> str:
    orgs = "\n".join(f'{oid} = {{ name = "{name}", short = "{short}" }}' for oid, (name, short) in ORGS.items())
    return (
        "# Generated by bench/corpus.py\n[project]\n"
        'name = "transpub benchmark corpus"\n'
        f'publisher = "{PUBLISHER}"\n'
        'source_lang = "en"\n'
        f"languages = [{', '.join(repr(lang).replace(chr(39), chr(34)) for lang in langs)}]\n"
        'base_url = "https://news.example.org/"\n\n'
        f"[organizations]\n{orgs}\n"
    )


def write_sources(folder: Path, n: int, seed: int = 1) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for index in range(n):
        release_id, text = release_text(index, seed)
        (folder / f"{release_id}.md").write_text(text, encoding="utf-8")
        ids.append(release_id)
    return ids


def fill_catalog(path: Path, lang: str, out: Path | None = None, engine: str = "auto") -> int:
    """Translate every entry of one PO/POT file (pseudo-translation), reviewed; return the entries filled.

    ``out`` (default: in place) may turn a template into a catalog: its Language header is set.
    ``engine`` "transpub" uses transpub's strict reader/writer (byte-for-byte what transpub writes), "polib"
    plain polib (for the peers' catalogs), "auto" transpub when importable.
    """
    read_catalog = write_catalog = None
    if engine in ("auto", "transpub"):
        try:
            from transpub.catalogs.pofile import catalog_to_bytes, read_catalog

            def write_catalog(p, po):
                # transpub's bytes, written plainly: a scratch corpus needs no fsync per file (at N = 5,000
                # the 20,000 fsyncs of transpub's atomic write were a quarter of the corpus's generation)
                Path(p).write_bytes(catalog_to_bytes(po, p))
        except ImportError:
            if engine == "transpub":
                raise
    if read_catalog is None:
        import polib

        def read_catalog(p):
            return polib.pofile(str(p), wrapwidth=78)

        def write_catalog(p, po):
            po.save(str(p))
    po = read_catalog(path)
    if out is not None:
        po.metadata["Language"] = lang
        po.metadata.setdefault("Content-Type", "text/plain; charset=UTF-8")
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.metadata.setdefault("Plural-Forms", "nplurals=2; plural=(n > 1);")
    count = 0
    for entry in po:
        if entry.obsolete:
            continue
        if not entry.msgstr or "fuzzy" in entry.flags:
            entry.msgstr = entry.msgstr or pseudo_translate(entry.msgid, lang)
            count += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgctxt = None
    target = Path(out) if out is not None else Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_catalog(target, po)
    return count


def fill_folder(src: Path, dst: Path | None, lang: str, pattern: str, engine: str = "polib") -> int:
    """Fill every file matching ``pattern`` in ``src``: in place, or into ``dst`` as <stem>.po."""
    total = 0
    for path in sorted(Path(src).glob(pattern)):
        out = None if dst is None else Path(dst) / f"{path.stem}.po"
        total += fill_catalog(path, lang, out, engine)
    return total


def transpub_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("transpub")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "transpub.cli"]


def make_project(root: Path, n: int, langs: tuple[str, ...] = DEFAULT_LANGS, seed: int = 1,
                 translate: bool = True, transpub: list[str] | None = None) -> dict:
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    (root / "sources").mkdir(parents=True)
    (root / "transpub.toml").write_text(toml_text(langs), encoding="utf-8")
    ids = write_sources(root / "sources", n, seed)
    info = {"releases": len(ids), "languages": list(langs)}
    if translate:
        subprocess.run([*(transpub or transpub_cmd()), "-C", str(root), "update"], check=True, stdout=subprocess.DEVNULL)
        filled = 0
        for lang in langs:
            for po_path in sorted((root / "locale" / lang / "LC_MESSAGES").glob("*.po")):
                filled += fill_catalog(po_path, lang)
        info["filled"] = filled
    info["segments"] = count_pot_entries(root / "locale" / "templates", exclude=("names.pot",))
    return info


def count_pot_entries(folder: Path, exclude: tuple[str, ...] = (), pattern: str = "*.pot") -> int:
    """Entries (msgids, header excluded, obsolete excluded) in every PO/POT file under ``folder``."""
    total = 0
    for path in Path(folder).rglob(pattern):
        if path.name in exclude:
            continue
        text = path.read_text(encoding="utf-8")
        # every "msgid" line starts an entry; the header is the one whose msgid is "" and has no continuation
        total += len(re.findall(r'^msgid ', text, re.M)) - len(re.findall(r'^msgid ""\nmsgstr', text, re.M))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="write a translated transpub project")
    make.add_argument("root", type=Path)
    make.add_argument("--n", type=int, default=50)
    make.add_argument("--langs", default=",".join(DEFAULT_LANGS))
    make.add_argument("--seed", type=int, default=1)
    make.add_argument("--no-translate", action="store_true", help="sources and transpub.toml only")
    change = sub.add_parser("change", help="change ~10%% of the paragraphs of every source")
    change.add_argument("sources", type=Path)
    change.add_argument("--fraction", type=float, default=0.1)
    change.add_argument("--seed", type=int, default=2)
    fill = sub.add_parser("fill", help="pseudo-translate PO/POT files (a peer's templates -> catalogs)")
    fill.add_argument("src", type=Path)
    fill.add_argument("--out", type=Path, help="write <stem>.po here (default: fill in place)")
    fill.add_argument("--lang", default="fr")
    fill.add_argument("--pattern", default="*.pot")
    fill.add_argument("--engine", default="polib", choices=("polib", "transpub", "auto"))
    args = parser.parse_args(argv)
    if args.command == "make":
        langs = tuple(lang.strip() for lang in args.langs.split(",") if lang.strip())
        info = make_project(args.root, args.n, langs, args.seed, translate=not args.no_translate)
        print(f"{args.root}: {info}")
    elif args.command == "fill":
        print(f"filled {fill_folder(args.src, args.out, args.lang, args.pattern, args.engine)} entries")
    else:
        changed, total = change_sources(args.sources, args.fraction, args.seed)
        print(f"changed {changed} of {total} plain paragraphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
