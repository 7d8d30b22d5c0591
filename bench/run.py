"""Benchmark transpub against the tools users would otherwise pick, on one generated corpus per N.

    bash bench/setup.sh                                     # po4a, gettext, bench/.venv-peers (TT, mdpo)
    .venv/bin/python bench/run.py --n 50 500 --reps 3       # prints the table, writes bench/results/latest.md
    .venv/bin/python bench/run.py --n 50 500 5000           # N = 5,000: transpub alone (--peers-max-n, 500)

Steps (each tool does what a user would run; see bench/README.md for the exact commands):

1. extract   sources -> templates, into an empty folder
2. update    after ~10 % of the paragraphs changed: extract + merge into the existing translated
             catalogs with fuzzy matching (transpub update; po4a; md2po/mdpo + pot2po or msgmerge per release)
3. render    translated outputs for one language from reviewed catalogs (transpub build --format html /
             docx; po4a translate; Translate Toolkit po2md; mdpo po2md), into an empty folder
4. rebuild   transpub only: full build (html+docx), the same build again with nothing changed (no-op),
             and after one translation of one release changed; for one language (fr) and for the whole
             project (`transpub build`, every language)

Each size's corpus is generated once per run (its generation time is reported). Above --peers-max-n (500)
only transpub runs; the targets then check growth from each size to the next (≤ 1.1 × the size ratio),
peak memory (≤ 1.5×), the no-op rebuild at N = 5,000 (≤ 5 % of a full build; shown at every size) and the
DOCX rate (≥ half the HTML rate).

Each task is a separate process, timed by wall clock and measured with os.wait4 (peak RSS of the process
and the children it waited for). Repetitions are interleaved across tools (round robin) so a noisy
neighbour hits every tool alike; the table shows the median. "segments/s" divides the corpus's segment
count (transpub's extraction: every title, heading, paragraph, list item, table cell, caption and front
matter text, identical texts in a release counted once) by the median time, so every tool is rated on
the same input; each tool's own entry count is in the notes.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402

PEERS_PY = BENCH / ".venv-peers" / "bin" / "python"
ENV = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONWARNINGS": "ignore"}
LANG = "fr"  # the one language of the update comparison and the rendering step


REPO_PACKAGE = BENCH.parent / "src" / "transpub"
LARGE_N = 5000  # the performance issue's large size, where its no-op target applies
_TRANSPUB: list[str] = []  # the command that runs transpub: a frozen snapshot (default) or the installed one


def transpub() -> list[str]:
    if _TRANSPUB:
        return list(_TRANSPUB)
    exe = Path(sys.executable).with_name("transpub")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "transpub.cli"]


def code_digest(package: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _script_entry_point() -> tuple[str, str]:
    """The module and function of the ``transpub`` console script, from pyproject.toml."""
    import tomllib

    with open(BENCH.parent / "pyproject.toml", "rb") as file:
        target = tomllib.load(file)["project"]["scripts"]["transpub"]
    module, _, function = target.partition(":")
    return module, function


def freeze_transpub(work: Path) -> str:
    """Copy src/transpub into the work folder and run that copy for the whole run; return its digest.

    Others may be editing src/ while the benchmark runs; one run must measure one version of the code,
    or its N = 50 and N = 500 rows (and the rows of one step) are not comparable.
    """
    snapshot = work / "transpub-snapshot"
    if snapshot.exists():
        shutil.rmtree(snapshot)
    shutil.copytree(REPO_PACKAGE, snapshot / "transpub", ignore=shutil.ignore_patterns("__pycache__"))
    launcher = snapshot / "launch_transpub.py"
    module, function = _script_entry_point()  # what the installed `transpub` script runs, as it runs it
    launcher.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(snapshot)!r})\n"
        f"from {module} import {function}\n"
        f"sys.exit({function}())\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(snapshot))  # corpus.fill_catalog imports transpub's PO writer in this process
    _TRANSPUB[:] = [sys.executable, str(launcher)]
    digest = code_digest(snapshot / "transpub")
    # byte-compiled as pip does when it installs a package (the peers were installed so): otherwise every
    # run recompiles transpub's modules, the more so where PYTHONDONTWRITEBYTECODE is set
    compileall.compile_dir(snapshot / "transpub", quiet=1)
    return digest


# --- measuring ---------------------------------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    peak_kb: int
    rc: int
    stdout: str = ""
    stderr: str = ""


TIME = shutil.which("time", path="/usr/bin:/bin") or ""  # GNU time: the peak RSS of the measured process tree


def measure(cmd: list[str] | str, cwd: Path, timeout: float) -> Run:
    """Run one command: wall time, and peak RSS in KB of the process tree.

    The peak comes from GNU time (%M: wait4 of its child, which covers the grandchildren it waited for).
    It is not taken from this driver's own wait4: a child forked from a Python process inherits that
    process's resident set until exec, and Linux keeps that high-water mark in the child's ru_maxrss
    (here ~27 MB, which would hide every peer's real peak). Without GNU time, wait4 is the fallback.
    """
    argv = ["/bin/bash", "-c", cmd] if isinstance(cmd, str) else list(cmd)
    rss_path = cwd / ".bench-rss"
    if TIME:
        argv = [TIME, "-f", "%M", "-o", str(rss_path), *argv]
    out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=ENV, stdout=out, stderr=err)
        try:
            _, status, usage = os.wait4(proc.pid, 0) if timeout <= 0 else _wait(proc, started + timeout)
        finally:
            elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else -9
    peak_kb = usage.ru_maxrss
    if TIME and rss_path.exists():
        numbers = re.findall(r"^(\d+)$", rss_path.read_text(), re.M)
        peak_kb = int(numbers[-1]) if numbers else peak_kb
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    for path in (out_path, err_path, rss_path):
        path.unlink(missing_ok=True)
    return Run(elapsed, peak_kb, proc.returncode, stdout, stderr)


def _wait(proc: subprocess.Popen, deadline: float):
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return pid, status, usage
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return pid, None, usage
        time.sleep(0.002)


@dataclass
class Task:
    tool: str
    step: str
    setup: Callable[[Path], list[str] | str]  # prepares a scratch folder (untimed), returns the command
    describe: str  # what the tool does, for the notes
    after: Callable[[Path, Run], str] | None = None  # a note from the finished run (files written…)
    entries: int | None = None  # the tool's own entry count
    per_segment: bool = True  # False: the work does not depend on the corpus (no segments/s)
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""


def sh(*parts: str | Path) -> str:
    return " ".join(_quote(str(p)) for p in parts)


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[\w@%+=:,./-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def copytree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)


def linktree(src: Path, dst: Path) -> None:
    """A copy of a folder the task only reads, made of hard links (fast at N = 5,000). Not a symbolic link:
    transpub refuses a project folder (sources/, locale/) that links outside the project."""
    shutil.copytree(src, dst, copy_function=os.link)


def run_checked(cmd: list[str] | str, cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, shell=isinstance(cmd, str), executable="/bin/bash" if isinstance(cmd, str) else None,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd!r} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def count_entries(folder: Path, pattern: str, exclude: tuple[str, ...] = ()) -> int:
    return corpus.count_pot_entries(folder, exclude, pattern)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


# --- the corpus and every tool's starting state ----------------------------------------------------
@dataclass
class Corpus:
    n: int
    root: Path  # work/n<N>/
    base: Path  # the transpub project: sources + K translated languages
    base_k1: Path  # the same with only LANG in transpub.toml (for extraction from scratch)
    changed_sources: Path
    segments: int
    changed: tuple[int, int]
    tt_po: Path  # Translate Toolkit catalogs for LANG (from its own templates), translated
    tt_entries: int
    mdpo_po: Path
    mdpo_entries: int
    po4a: Path  # po4a project: sources, po4a.cfg (LANG), translated po/
    po4a_entries: int
    prepare_seconds: float
    corpus_seconds: float = 0.0  # generating the translated transpub project alone (corpus.make_project)


def po4a_config(sources: list[Path], rel_sources: str, langs: tuple[str, ...]) -> str:
    lines = [
        f"[po4a_langs] {' '.join(langs)}",
        "[po4a_paths] po/$master.pot $lang:po/$master.$lang.po",
        "[options] --keep 0 --master-charset UTF-8 --localized-charset UTF-8",
    ]
    for path in sources:
        lines.append(f"[type: text] {rel_sources}/{path.name} $lang:out/$lang/{path.stem}.md "
                     'opt:"-o markdown -o yfm_keys=section,division,title"')
    return "\n".join(lines) + "\n"


def prepare(n: int, work: Path, langs: tuple[str, ...], seed: int, peers: dict[str, bool]) -> Corpus:
    started = time.perf_counter()
    root = work / f"n{n}"
    fresh(root)
    base = root / "base"
    made = time.perf_counter()
    info = corpus.make_project(base, n, langs, seed, transpub=transpub())
    corpus_seconds = time.perf_counter() - made
    base_k1 = root / "base-k1"
    (base_k1 / "sources").mkdir(parents=True)
    copytree(base / "sources", base_k1 / "sources")
    (base_k1 / "transpub.toml").write_text(corpus.toml_text((LANG,)), encoding="utf-8")
    changed_sources = root / "sources-changed"
    copytree(base / "sources", changed_sources)
    changed = corpus.change_sources(changed_sources, 0.1, seed + 1)
    peers_dir = root / "peers"
    tt_po = peers_dir / "tt" / "po"
    mdpo_po = peers_dir / "mdpo" / "po"
    po4a = peers_dir / "po4a"
    tt_entries = mdpo_entries = po4a_entries = 0
    fill = [str(PEERS_PY), str(BENCH / "corpus.py"), "fill"]
    for folder in ("tt", "mdpo"):
        (peers_dir / folder).mkdir(parents=True, exist_ok=True)
    if peers["tt"]:
        pot = peers_dir / "tt" / "pot"
        run_checked([str(PEERS_PY), "-m", "translate.convert.md2po", "--progress=none", "-P", str(base / "sources"), str(pot)], root)
        tt_entries = count_entries(pot, "*.pot")
        run_checked([*fill, str(pot), "--out", str(tt_po), "--lang", LANG], root)
    if peers["mdpo"]:
        pot = peers_dir / "mdpo" / "pot"
        run_checked([str(PEERS_PY), str(BENCH / "peers_mdpo.py"), "extract", str(base / "sources"), str(pot)], root)
        mdpo_entries = count_entries(pot, "*.pot")
        run_checked([*fill, str(pot), "--out", str(mdpo_po), "--lang", LANG], root)
    if peers["po4a"]:
        copytree(base / "sources", po4a / "sources")
        sources = sorted((po4a / "sources").glob("*.md"))
        (po4a / "po4a.cfg").write_text(po4a_config(sources, "sources", (LANG,)), encoding="utf-8")
        run_checked(["po4a", "--no-translations", "po4a.cfg"], po4a)
        po4a_entries = count_entries(po4a / "po", "*.pot")
        run_checked([*fill, str(po4a / "po"), "--pattern", f"*.{LANG}.po"], po4a)
    return Corpus(n, root, base, base_k1, changed_sources, info["segments"], changed, tt_po, tt_entries,
                  mdpo_po, mdpo_entries, po4a, po4a_entries, time.perf_counter() - started, corpus_seconds)


# --- the tasks ---------------------------------------------------------------------------------------
def tasks_for(c: Corpus, peers: dict[str, bool], steps: set[str]) -> list[Task]:
    tp = transpub()
    py = str(PEERS_PY)
    md2po = [py, "-m", "translate.convert.md2po", "--progress=none", "--duplicates=merge"]
    pot2po = [py, "-m", "translate.convert.pot2po", "--progress=none"]
    po2md = [py, "-m", "translate.convert.po2md", "--progress=none"]
    mdpo = [py, str(BENCH / "peers_mdpo.py")]
    msgmerge_loop = ('mkdir -p new && for p in pot/*.pot; do b=${p##*/}; b=${b%.pot}; '
                     'msgmerge -q --previous -o "new/$b.po" "old/$b.po" "$p" || exit 1; done')
    tasks: list[Task] = []

    # 1. extraction -------------------------------------------------------------------------------------
    if "extract" in steps:
        def tp_extract(s: Path):
            (s / "sources").mkdir()
            copytree(c.base_k1 / "sources", s / "sources")
            shutil.copy2(c.base_k1 / "transpub.toml", s)
            return [*tp, "-C", str(s), "extract"]
        tasks.append(Task("transpub", "extract", tp_extract, "transpub extract: <id>.pot per release + names.pot",
                          entries=c.segments))
        if peers["tt"]:
            tasks.append(Task("Translate Toolkit", "extract",
                              lambda s: [*md2po, "-P", str(c.base / "sources"), str(s / "pot")],
                              "md2po -P sources/ pot/ (one process, <id>.pot per file)", entries=c.tt_entries))
        if peers["mdpo"]:
            tasks.append(Task("mdpo", "extract", lambda s: [*mdpo, "extract", str(c.base / "sources"), str(s / "pot")],
                              "mdpo.md2po.markdown_to_pofile per file, one process", entries=c.mdpo_entries))
        if peers["po4a"]:
            def po4a_extract(s: Path):
                copytree(c.po4a / "sources", s / "sources")
                shutil.copy2(c.po4a / "po4a.cfg", s)
                return ["po4a", "--no-translations", "po4a.cfg"]
            tasks.append(Task("po4a", "extract", po4a_extract,
                              f"po4a --no-translations on a new project: POT per release + empty {LANG} PO (split mode)",
                              entries=c.po4a_entries))

    # 2. update after ~10 % of the paragraphs changed ---------------------------------------------------
    if "update" in steps:
        def tp_update(langs: tuple[str, ...] | None):
            def setup(s: Path):
                copytree(c.base, s)
                shutil.rmtree(s / "sources")
                copytree(c.changed_sources, s / "sources")
                return [*tp, "-C", str(s), "update", *(["--lang", ",".join(langs)] if langs else [])]
            return setup

        def merge_note(s: Path, run: Run) -> str:
            kept = sum(int(x) for x in re.findall(r"kept (\d+)", run.stdout))
            fuzzy = sum(int(x) for x in re.findall(r"fuzzy (\d+)", run.stdout))
            new = sum(int(x) for x in re.findall(r"new (\d+)", run.stdout))
            return f"fuzzy {fuzzy}, new {new} (kept {kept} in rewritten catalogs)"

        tasks.append(Task("transpub", "update (K=1)", tp_update((LANG,)),
                          f"transpub update --lang {LANG}: extract all + merge into {LANG} (+ names.po), fuzzy on",
                          after=merge_note, entries=c.segments))
        tasks.append(Task("transpub", "update (all K)", tp_update(None),
                          "transpub update: extract all + merge into every target language, fuzzy on",
                          after=merge_note, entries=c.segments))
        tasks.append(Task("transpub", "update (K=1), 1 release",
                          tp_one_release(tp, c, ["update", "--lang", LANG], sources=c.changed_sources),
                          f"transpub update --lang {LANG} of the corpus's first release alone, changed: the fixed cost "
                          "of an update", after=merge_note, per_segment=False))
        if peers["po4a"]:
            def po4a_update(s: Path):
                copytree(c.po4a, s)
                shutil.rmtree(s / "sources")
                copytree(c.changed_sources, s / "sources")
                return ["po4a", "--no-translations", "--force", "po4a.cfg"]

            def po4a_note(s: Path, run: Run) -> str:
                fuzzy = sum(len(re.findall(r"^#, .*fuzzy", p.read_text(), re.M)) for p in (s / "po").glob(f"*.{LANG}.po"))
                return f"fuzzy {fuzzy}"
            tasks.append(Task("po4a", "update (K=1)", po4a_update,
                              f"po4a --no-translations --force: re-extract + msgmerge into {LANG} per release (split mode, compendium)",
                              after=po4a_note, entries=c.po4a_entries))

        def po_fuzzy_note(folder: str):
            def note(s: Path, run: Run) -> str:
                fuzzy = sum(len(re.findall(r"^#, .*fuzzy", p.read_text(), re.M)) for p in (s / folder).glob("*.po"))
                return f"fuzzy {fuzzy}"
            return note

        for tool, extract_cmd, old, entries in (
            ("Translate Toolkit", md2po + ["-P"], c.tt_po, c.tt_entries),
            ("mdpo", None, c.mdpo_po, c.mdpo_entries),
        ):
            key = "tt" if tool == "Translate Toolkit" else "mdpo"
            if not peers[key]:
                continue
            extract = (sh(*extract_cmd, c.changed_sources, "pot") if extract_cmd
                       else sh(*mdpo, "extract", c.changed_sources, "pot"))
            label = "md2po" if extract_cmd else "mdpo"

            def pot2po_setup(s: Path, old=old, extract=extract):
                return f"{extract} && {sh(*pot2po, '-t', old, 'pot', 'new')}"
            if peers["tt"]:
                tasks.append(Task(f"{tool} + pot2po", "update (K=1)", pot2po_setup,
                                  f"{label} (extract) + pot2po -t old/ pot/ new/ (TT fuzzy matcher, rapidfuzz)",
                                  after=po_fuzzy_note("new"), entries=entries))
            if not peers["msgmerge"]:
                continue

            def msgmerge_setup(s: Path, old=old, extract=extract):
                (s / "old").symlink_to(old, target_is_directory=True)
                return f"{extract} && {msgmerge_loop}"
            tasks.append(Task(f"{tool} + msgmerge", "update (K=1)", msgmerge_setup,
                              f"{label} (extract) + msgmerge --previous per release (N processes)",
                              after=po_fuzzy_note("new"), entries=entries))

    # 3. rendering one language ---------------------------------------------------------------------------
    if "render" in steps:
        def tp_build(formats: str, extra: list[str] | None = None):
            def setup(s: Path):
                for name in ("sources", "locale"):
                    linktree(c.base / name, s / name)
                shutil.copy2(c.base / "transpub.toml", s)
                return [*tp, "-C", str(s), "build", "--lang", LANG, "--format", formats, *(extra or [])]
            return setup

        def outputs_note(s: Path, run: Run) -> str:
            files = [p for p in (s / "outputs").rglob("*") if p.is_file()] if (s / "outputs").exists() else []
            return f"{len(files)} files written"
        tasks.append(Task("transpub", "render html", tp_build("html"),
                          f"transpub build --lang {LANG} --format html (+ index pages)", after=outputs_note,
                          entries=c.segments))
        tasks.append(Task("transpub", "render html -j1", tp_build("html", ["-j", "1"]),
                          "the same, one process (--jobs 1)", after=outputs_note, entries=c.segments))
        tasks.append(Task("transpub", "render html, 1 release", tp_one_release(tp, c, ["build", "--lang", LANG, "--format", "html"]),
                          f"transpub build --lang {LANG} --format html of the corpus's first release alone: the fixed "
                          "cost of a build (start-up, parsers, renderers, CLDR data)", after=outputs_note, per_segment=False))
        tasks.append(Task("transpub", "render docx", tp_build("docx"),
                          f"transpub build --lang {LANG} --format docx", after=outputs_note, entries=c.segments))
        def md_note(s: Path, run: Run) -> str:
            return f"{sum(1 for _ in (s / 'out').rglob('*.md'))} files written"

        if peers["po4a"]:
            def po4a_translate(s: Path):
                copytree(c.po4a, s)
                return ["po4a", "--no-update", "po4a.cfg"]
            tasks.append(Task("po4a", "render md", po4a_translate,
                              f"po4a --no-update: translated Markdown for {LANG}", after=md_note, entries=c.po4a_entries))
        if peers["tt"]:
            tasks.append(Task("Translate Toolkit", "render md",
                              lambda s: [*po2md, "-t", str(c.base / "sources"), str(c.tt_po), str(s / "out")],
                              f"po2md -t sources/ po/ out/: translated Markdown for {LANG}", after=md_note, entries=c.tt_entries))
        if peers["mdpo"]:
            tasks.append(Task("mdpo", "render md",
                              lambda s: [*mdpo, "render", str(c.base / "sources"), str(c.mdpo_po), str(s / "out")],
                              f"mdpo.po2md.pofile_to_markdown per file: translated Markdown for {LANG}",
                              after=md_note, entries=c.mdpo_entries))

    # 4. full build, no-op rebuild, one release changed (transpub) ---------------------------------------
    # Twice: for one language (fr, html+docx) and for the whole project (`transpub build`: every language,
    # both formats), the build a newsroom runs before publishing.
    if "rebuild" in steps:
        for scope, args, label in (
            ("", ["--lang", LANG, "--format", "html,docx"], f"transpub build --lang {LANG}"),
            ("project ", [], "transpub build (every language of the project, html+docx)"),
        ):
            tasks.extend(_rebuild_tasks(c, tp, scope, args, label))
        # what any transpub command costs before it reads a file: the interpreter, click, transpub's CLI
        tasks.append(Task("transpub", "start-up (--version)", lambda s: [*tp, "--version"],
                          "transpub --version: Python, click and the CLI module, no project read", per_segment=False))
    return tasks


def tp_one_release(tp: list[str], c: Corpus, args: list[str], sources: Path | None = None) -> Callable[[Path], list[str]]:
    """A task on a project of the corpus's first release alone (its source and every file of locale/ but the
    other releases' catalogs, copied: the command may write them): what a command costs whatever N is,
    beside which the N releases are weighed."""
    def setup(s: Path) -> list[str]:
        first, *others = sorted((sources or c.base / "sources").glob("*.md"))
        (s / "sources").mkdir(parents=True)
        shutil.copy2(first, s / "sources")
        other_ids = {path.stem for path in others}
        for path in (c.base / "locale").rglob("*"):
            if path.is_file() and path.stem not in other_ids:
                target = s / path.relative_to(c.base)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        shutil.copy2(c.base / "transpub.toml", s)
        return [*tp, "-C", str(s), *args]
    return setup


def _rebuild_tasks(c: Corpus, tp: list[str], scope: str, args: list[str], label: str) -> list[Task]:
    incr = c.root / f"incremental{'-' + scope.strip() if scope else ''}"
    if incr.exists():
        shutil.rmtree(incr)
    incr.mkdir()
    linktree(c.base / "sources", incr / "sources")
    copytree(c.base / "locale", incr / "locale")
    shutil.copy2(c.base / "transpub.toml", incr)
    build = [*tp, "-C", str(incr), "build", *args]
    state: dict[str, object] = {"counter": 0}

    def full_setup(s: Path):
        if (incr / "outputs").exists():
            shutil.rmtree(incr / "outputs")
        return build

    def written_note(s: Path, run: Run) -> str:
        after = snapshot(incr / "outputs")
        before = state.get("before", {})
        changed = sorted(k for k, v in after.items() if before.get(k) != v)
        pages = [k for k in changed if k.endswith((".html", ".docx")) and not k.endswith("index.html")]
        shown = ", ".join(changed[:4]) + (" …" if len(changed) > 4 else "")
        skipped = len(re.findall(r"^skipped ", run.stderr, re.M))
        return (f"{len(changed)} files rewritten ({len(pages)} release outputs): {shown}"
                + (f"; {skipped} pairs skipped" if skipped else ""))

    def noop_setup(s: Path):
        # build first (untimed): the manifest must match the current transpub code, which others may
        # be editing while the benchmark runs (its digest is part of every output's key)
        run_checked(build, incr)
        state["before"] = snapshot(incr / "outputs")
        return build

    def one_setup(s: Path):
        run_checked(build, incr)
        state["counter"] = int(state["counter"]) + 1
        release = sorted((incr / "locale" / LANG / "LC_MESSAGES").glob("*-r*.po"))[0]
        text = release.read_text(encoding="utf-8")
        # change one reviewed translation (a different text on every repetition)
        text = re.sub(r'(\n#\. paragraph\n(?:#.*\n)*msgid (?:".*"\n)+msgstr ")',
                      lambda m: m.group(1) + "révisé " * int(state["counter"]), text, count=1)
        release.write_text(text, encoding="utf-8")
        state["before"] = snapshot(incr / "outputs")
        return build

    return [
        Task("transpub", f"{scope}build html+docx (full)", full_setup, f"{label} into empty outputs/", entries=c.segments),
        Task("transpub", f"{scope}rebuild, nothing changed", noop_setup, "the same build again, outputs/ up to date",
             after=written_note, entries=c.segments),
        Task("transpub", f"{scope}rebuild, 1 release changed", one_setup,
             f"one reviewed msgstr of one release's {LANG}.po changed, then {label}", after=written_note,
             entries=c.segments),
    ]


# --- running -------------------------------------------------------------------------------------------
def run_tasks(c: Corpus, tasks: list[Task], reps: int, timeout: float, budget: float, verbose: bool) -> None:
    scratch_root = c.root / "scratch"
    for rep in range(reps):
        for index, task in enumerate(tasks):
            if task.error or (task.runs and sum(r.seconds for r in task.runs) > budget):
                continue  # failed, or already over its time budget: keep the runs it has
            scratch = fresh(scratch_root / f"{index:02d}")
            try:
                cmd = task.setup(scratch)
            except Exception as exc:  # noqa: BLE001 - report and go on with the other tools
                task.error = f"setup failed: {exc}"
                continue
            run = measure(cmd, scratch, timeout)
            if run.rc == -9:
                task.error = f"timed out: killed after {run.seconds:.0f} s (--timeout {timeout:.0f})"
                print(f"  ! {task.tool} / {task.step}: {task.error}", file=sys.stderr)
                continue
            if run.rc != 0:
                task.error = f"exit {run.rc}: {(run.stderr or run.stdout).strip()[-400:]}"
                print(f"  ! {task.tool} / {task.step}: {task.error}", file=sys.stderr)
                continue
            task.runs.append(run)
            if task.after is not None:
                task.notes.append(task.after(scratch, run))
            if verbose:
                print(f"  n={c.n} rep {rep + 1}: {task.tool:28} {task.step:28} {run.seconds:8.2f} s "
                      f"{run.peak_kb / 1024:7.1f} MB", file=sys.stderr, flush=True)
        shutil.rmtree(scratch_root, ignore_errors=True)


@dataclass
class Row:
    tool: str
    step: str
    n: int
    median: float | None
    peak_mb: float | None
    seg_per_s: float | None
    runs: int
    note: str
    samples: list[float] = field(default_factory=list)

    def cells(self) -> list[str]:
        if self.median is None:
            return [self.tool, self.step, str(self.n), "—", "—", "—", self.note]
        rate = "—" if self.seg_per_s is None else f"{self.seg_per_s:,.0f}"
        return [self.tool, self.step, str(self.n), f"{self.median:.2f}", f"{self.peak_mb:.0f}", rate, self.note]


def rows_for(c: Corpus, tasks: list[Task]) -> list[Row]:
    rows = []
    for task in tasks:
        note = task.describe
        if task.entries is not None and task.entries != c.segments:
            note += f"; own entries {task.entries:,}"
        if task.notes:
            note += f"; {task.notes[-1]}"
        if task.runs:
            median = statistics.median(r.seconds for r in task.runs)
            peak = max(r.peak_kb for r in task.runs) / 1024
            if len(task.runs) > 1:
                note += f"; {len(task.runs)} runs, {min(r.seconds for r in task.runs):.2f}–{max(r.seconds for r in task.runs):.2f} s"
            rate = c.segments / median if task.per_segment else None
            rows.append(Row(task.tool, task.step, c.n, median, peak, rate, len(task.runs), note,
                            [round(r.seconds, 3) for r in task.runs]))
        else:
            rows.append(Row(task.tool, task.step, c.n, None, None, None, 0, f"{note}; FAILED: {task.error}"))
    return rows


def markdown_table(rows: list[Row]) -> str:
    header = ["tool", "step", "N", "median s", "peak MB", "segments/s", "notes"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---", "---", "---:", "---:", "---:", "---:", "---"]) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells()) + " |")
    return "\n".join(lines)


# --- targets -------------------------------------------------------------------------------------------
def find(rows: list[Row], tool: str, step: str, n: int) -> Row | None:
    for row in rows:
        if row.tool == tool and row.step == step and row.n == n and row.median is not None:
            return row
    return None


#: the whole-project build (every language, HTML + DOCX) measured on this machine when the performance issue
#: was filed (2026-11-24, `bench/run.py --n 50 500`), which the build is to halve
BUILD_BEFORE = {500: 40.6}


def targets(rows: list[Row], ns: list[int]) -> list[str]:
    out = []
    big = max(ns)
    ok = lambda flag: "**holds**" if flag else "**does not hold**"  # noqa: E731
    # the comparison with the peers at the largest size they ran at (above --peers-max-n transpub runs alone)
    with_peers = [n for n in ns if any(r.n == n and r.tool != "transpub" and r.median is not None for r in rows)]
    compared = max(with_peers, default=big)
    # against the peers, at every size they ran at: update ≥ 3× the fastest peer chain; extraction and the
    # HTML build at least mdpo's rate (md4c, in C)
    for n in with_peers:
        tp = find(rows, "transpub", "update (K=1)", n)
        chains = [r for r in rows if r.step == "update (K=1)" and r.n == n and r.tool != "transpub" and r.median is not None]
        if tp and chains:
            fastest = min(chains, key=lambda r: r.median)
            out.append(f"- `transpub update` (K=1, fuzzy) at N={n}: {tp.median:.2f} s vs the fastest peer chain "
                       f"{fastest.tool} {fastest.median:.2f} s ({fastest.median / tp.median:.2f}× as fast, target ≥ 3×): "
                       f"{ok(fastest.median >= 3 * tp.median)}.")
            one = find(rows, "transpub", "update (K=1), 1 release", n)
            if one and one.median:
                out.append(f"  - also measured, the fixed cost: `transpub update` of one release alone takes {one.median:.2f} s; "
                           f"the target asks ≤ {fastest.median / 3:.2f} s for all {n}.")
        for step, peer_step, what in (("extract", "extract", "extraction"), ("render html", "render md", "HTML build")):
            mine, mdpo = find(rows, "transpub", step, n), find(rows, "mdpo", peer_step, n)
            if mine and mdpo and mine.median and mdpo.median:
                ratio = mdpo.median / mine.median
                out.append(f"- {what} at N={n}: transpub {mine.median:.2f} s vs mdpo {mdpo.median:.2f} s "
                           f"({ratio:.2f}× mdpo's rate, target ≥ 1×): {ok(ratio >= 1)}.")
                one = find(rows, "transpub", "render html, 1 release", n) if step == "render html" else None
                if one and one.median:
                    out.append(f"  - also measured, the fixed cost: transpub's HTML build of one release alone takes "
                               f"{one.median:.2f} s, {one.median / mdpo.median:.2f}× mdpo's time for all {n}.")
    # the whole-project build against the time measured when the performance issue was filed (same machine)
    for n, seconds in BUILD_BEFORE.items():
        full = find(rows, "transpub", "project build html+docx (full)", n)
        if full and full.median:
            out.append(f"- whole-project build at N={n}: {full.median:.2f} s vs {seconds:.1f} s when the performance "
                       f"issue was filed ({full.median / seconds:.2f}×, target ≤ 0.5×): {ok(full.median <= seconds / 2)}.")
    # growth from each size to the next: linear in N, with 10 % to spare (N = 500 → 5,000: ≤ 11×)
    for a_n, b_n in zip(ns, ns[1:]):
        limit = 1.1 * b_n / a_n
        for step, what in (("update (K=1)", "`transpub update` (K=1)"), ("update (all K)", "`transpub update` (all K)"),
                           ("project build html+docx (full)", "`transpub build` (whole project, full)")):
            a, b = find(rows, "transpub", step, a_n), find(rows, "transpub", step, b_n)
            if a and b:
                factor = b.median / a.median
                out.append(f"- {what} linear in N: N={a_n} → {b_n} costs {factor:.1f}× "
                           f"(target ≤ {limit:.0f}×): {ok(factor <= limit)}.")
    for n in ns:
        html = find(rows, "transpub", "render html", n)
        docx = find(rows, "transpub", "render docx", n)
        peers = [r for r in rows if r.step == "render md" and r.n == n and r.tool in ("po4a", "Translate Toolkit") and r.median is not None]
        if html and peers:
            best = max(peers, key=lambda r: r.seg_per_s)
            ratio = html.seg_per_s / best.seg_per_s
            docx_text = f"; DOCX {docx.seg_per_s:,.0f} segments/s" if docx else ""
            out.append(f"- `build --format html` at N={n}: {html.seg_per_s:,.0f} segments/s vs {best.tool} "
                       f"{best.seg_per_s:,.0f} ({ratio:.2f}×, target ≥ 2×): {ok(ratio >= 2)}{docx_text}.")
    # The target's "full build" is `transpub build`: every language and format of the project, what a
    # newsroom runs before publishing. The one-language build is reported beside it, as a stricter view.
    # The issue sets the no-op target for its large size (N = 5,000), or the largest size measured.
    noop_target_n = LARGE_N if LARGE_N in ns else max(ns)
    for n in ns:
        for scope, what in (("project ", "the project (every language)"), ("", f"one language ({LANG})")):
            full = find(rows, "transpub", f"{scope}build html+docx (full)", n)
            noop = find(rows, "transpub", f"{scope}rebuild, nothing changed", n)
            one = find(rows, "transpub", f"{scope}rebuild, 1 release changed", n)
            if full and noop:
                share = noop.median / full.median
                start = find(rows, "transpub", "start-up (--version)", n)
                floor = (f"; start-up alone (`transpub --version`) is {start.median:.2f} s = "
                         f"{start.median / full.median:.1%}" if start else "")
                if scope and n == noop_target_n:
                    out.append(f"- no-op rebuild at N={n}: {noop.median:.2f} s = {share:.1%} of a full build "
                               f"(`transpub build`, {full.median:.2f} s; target ≤ 5 %{floor}): {ok(share <= 0.05)}.")
                elif scope:  # the target is the large size's; smaller ones are shown, the fixed start-up weighs more there
                    out.append(f"- also measured, no-op rebuild at N={n}: {noop.median:.2f} s = {share:.1%} of a full build "
                               f"(`transpub build`, {full.median:.2f} s{floor}): {'within' if share <= 0.05 else 'over'} 5 %.")
                else:
                    out.append(f"- also measured, no-op rebuild of {what} at N={n}: {noop.median:.2f} s = {share:.1%} "
                               f"of a one-language build ({full.median:.2f} s{floor}): "
                               f"{'within' if share <= 0.05 else 'over'} 5 %.")
            if full and one:
                m = re.search(r"(\d+) files rewritten \((\d+) release outputs\)", one.note)
                pages = int(m.group(2)) if m else -1
                extra = one.median - (noop.median if noop else 0)
                per_release = full.median / n
                out.append(f"- one release changed, build of {what} at N={n}: {one.median:.2f} s = {one.median / full.median:.0%} "
                           f"of its full build ({extra:.2f} s over the no-op; a full build costs {per_release:.2f} s per "
                           f"release); {m.group(1) if m else '?'} files rewritten, {pages} of them release outputs "
                           f"(html+docx of the changed release, index pages only if a title changed): {ok(pages == 2)}.")
    # peak memory flat as N grows, from each size to the next (taken as ≤ 1.5×): the largest single process
    for a_n, b_n in zip(ns, ns[1:]):
        flats = []
        for row in rows:
            if row.tool == "transpub" and row.n == a_n and row.peak_mb:
                other = find(rows, "transpub", row.step, b_n)
                if other:
                    flats.append((row.step, row.peak_mb, other.peak_mb))
        if flats:
            worst = max(flats, key=lambda f: f[2] / f[1])
            parts = ", ".join(f"{step} {a:.0f}→{b:.0f} MB" for step, a, b in flats)
            out.append(f"- memory flat as N grows (N={a_n} → {b_n}; taken as ≤ 1.5×): {parts}; worst "
                       f"{worst[2] / worst[1]:.1f}× ({worst[0]}): {ok(worst[2] / worst[1] <= 1.5)}.")
    # the DOCX renderer keeps up with the HTML one: its rate at least half the HTML rate
    for n in ns:
        html, docx = find(rows, "transpub", "render html", n), find(rows, "transpub", "render docx", n)
        if html and docx:
            ratio = docx.seg_per_s / html.seg_per_s
            out.append(f"- DOCX rate at N={n}: {docx.seg_per_s:,.0f} segments/s = {ratio:.2f}× the HTML rate "
                       f"({html.seg_per_s:,.0f}; target ≥ 0.5×): {ok(ratio >= 0.5)}.")
    return out


# --- profiles ------------------------------------------------------------------------------------------
def profile(c: Corpus, out_dir: Path) -> list[Path]:
    """cProfile of transpub update (K=1) and build (html, docx) on this corpus; top functions to text files."""
    import pstats

    written = []
    work = fresh(c.root / "profile")
    copytree(c.base, work / "changed")  # update: the sources after the ~10 % change
    shutil.rmtree(work / "changed" / "sources")
    copytree(c.changed_sources, work / "changed" / "sources")
    copytree(c.base, work / "base")  # builds: the translated, fully reviewed corpus
    shutil.rmtree(work / "base" / "outputs", ignore_errors=True)
    launcher = work / "profile_transpub.py"
    # transpub spreads work over a process pool; cProfile sees one process, so the profile runs serially:
    # builds with --jobs 1, update with its pool threshold raised (bench-side, src/ is not touched)
    path_line = f"sys.path.insert(0, {str(Path(_TRANSPUB[1]).parent)!r})\n" if _TRANSPUB else ""
    launcher.write_text(
        "import cProfile, sys\n" + path_line +
        "import transpub.catalogs.update as update\n"
        "if hasattr(update, 'POOL_THRESHOLD'):\n    update.POOL_THRESHOLD = 10**9\n"
        "from transpub.cli import main\n"
        "profiler = cProfile.Profile()\nprofiler.enable()\n"
        "try:\n    main(args=sys.argv[2:], prog_name='transpub', standalone_mode=False)\n"
        "finally:\n    profiler.disable()\n    profiler.dump_stats(sys.argv[1])\n",
        encoding="utf-8",
    )
    for name, args in (("update", ["update", "--lang", LANG]), ("build-html", ["build", "--lang", LANG, "--format", "html"]),
                       ("build-docx", ["build", "--lang", LANG, "--format", "docx"])):
        stats_path = work / f"{name}.prof"
        project = work / ("changed" if name == "update" else "base")
        shutil.rmtree(project / "outputs", ignore_errors=True)
        run_checked([sys.executable, str(launcher), str(stats_path), "-C", str(project), *args,
                     *(["-j", "1"] if name.startswith("build") else [])], work)
        text_path = out_dir / f"profile-{name}-n{c.n}.txt"
        with open(text_path, "w") as handle:
            stats = pstats.Stats(str(stats_path), stream=handle)
            stats.strip_dirs().sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
        written.append(text_path)
    return written


# --- main ----------------------------------------------------------------------------------------------
def versions() -> str:
    parts = [f"Python {platform.python_version()}", f"{os.cpu_count()} CPUs"]
    try:
        from importlib.metadata import version

        parts.append(f"transpub {version('transpub')}")
    except Exception:  # noqa: BLE001
        pass
    for cmd in (["po4a", "--version"], ["msgmerge", "--version"]):
        try:
            first = subprocess.run(cmd, capture_output=True, text=True, env=ENV).stdout.splitlines()[0]
            parts.append(first.strip().rstrip("."))
        except Exception:  # noqa: BLE001
            pass
    if PEERS_PY.exists():
        out = subprocess.run([str(PEERS_PY), "-c", "import importlib.metadata as m;"
                              "print('translate-toolkit', m.version('translate-toolkit'));print('mdpo', m.version('mdpo'));"
                              "print('rapidfuzz (TT matcher)', m.version('rapidfuzz'))"], capture_output=True, text=True).stdout
        parts += [line for line in out.splitlines() if line]
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[50, 500],
                        help="corpus sizes (releases), e.g. --n 50 500 5000")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per task (median reported)")
    parser.add_argument("--langs", default=",".join(corpus.DEFAULT_LANGS), help="the K target languages of the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", default="extract,update,render,rebuild")
    parser.add_argument("--peers", default="po4a,tt,mdpo,msgmerge", help="peers to run: po4a, tt, mdpo, msgmerge")
    parser.add_argument("--peers-max-n", type=int, default=500,
                        help="run the peers only at sizes up to this N; above it transpub runs alone (default 500)")
    parser.add_argument("--work", type=Path, default=BENCH / "work", help="scratch folder (deleted and rewritten)")
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "latest.md")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before one command is killed")
    parser.add_argument("--budget", type=float, default=240,
                        help="stop repeating a task once its runs add up to this many seconds")
    parser.add_argument("--profile", action="store_true", help="also cProfile transpub update/build (-j 1)")
    parser.add_argument("--profile-n", type=int, help="the N to profile at (default: the smallest)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--live", action="store_true",
                        help="run the installed transpub (src/, which may change mid-run) instead of a snapshot")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--check", type=Path, metavar="JSON",
                        help="run nothing: check the targets against the rows a run saved (results/latest.json)")
    args = parser.parse_args(argv)
    if args.check:
        rows = [Row(**row) for row in json.loads(args.check.read_text(encoding="utf-8"))]
        print("\n".join(targets(rows, sorted({row.n for row in rows}))))
        return 0

    langs = tuple(x.strip() for x in args.langs.split(",") if x.strip())
    if LANG not in langs:
        parser.error(f"--langs must include {LANG}")
    steps = {x.strip() for x in args.steps.split(",") if x.strip()}
    wanted = {x.strip() for x in args.peers.split(",") if x.strip()}
    have = {"po4a": shutil.which("po4a") is not None and shutil.which("msgmerge") is not None,
            "tt": PEERS_PY.exists(), "mdpo": PEERS_PY.exists(), "msgmerge": shutil.which("msgmerge") is not None}
    peers = {name: name in wanted and have[name] for name in ("po4a", "tt", "mdpo", "msgmerge")}
    for name in sorted(wanted - {k for k, v in peers.items() if v}):
        print(f"note: peer {name} not available (run: bash bench/setup.sh); skipped", file=sys.stderr)

    args.work.mkdir(parents=True, exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    live_before = code_digest(REPO_PACKAGE)
    measured = "the installed transpub (live src/)" if args.live else f"a snapshot of src/transpub (digest {freeze_transpub(args.work)})"
    all_rows: list[Row] = []
    corpora: list[str] = []
    profiles: list[Path] = []
    for n in sorted(args.n):
        if not args.quiet:
            print(f"preparing N={n} …", file=sys.stderr, flush=True)
        # peers at the sizes they are compared at; above --peers-max-n transpub runs alone (N = 5,000: a
        # large organization's decade, a size no peer chain is expected to run)
        peers_n = {name: on and n <= args.peers_max_n for name, on in peers.items()}
        if not args.quiet and peers_n != peers:
            print(f"  N={n} > --peers-max-n {args.peers_max_n}: transpub alone", file=sys.stderr, flush=True)
        c = prepare(n, args.work, langs, args.seed, peers_n)
        corpora.append(f"N={n}: {c.segments:,} segments, K={len(langs)} languages ({', '.join(langs)}), "
                       f"{c.changed[0]} of {c.changed[1]} plain paragraphs changed for the update step "
                       f"(corpus generated once, in {c.corpus_seconds:.0f} s; everything prepared in "
                       f"{c.prepare_seconds:.0f} s{'' if any(peers_n.values()) else ', transpub alone'})")
        if not args.quiet:
            print(f"  {corpora[-1]}", file=sys.stderr, flush=True)
        tasks = tasks_for(c, peers_n, steps)
        run_tasks(c, tasks, args.reps, args.timeout, args.budget, not args.quiet)
        rows = rows_for(c, tasks)
        all_rows.extend(rows)
        if args.profile and n == (args.profile_n or min(args.n)):
            profiles = profile(c, args.out.parent)
        if not args.keep:
            shutil.rmtree(c.root, ignore_errors=True)

    live_after = code_digest(REPO_PACKAGE)
    drift = ("src/transpub was not changed during the run" if live_after == live_before
             else f"src/transpub changed during the run ({live_before} → {live_after})"
             + ("; the snapshot taken at the start was measured throughout" if not args.live else "; ROWS MAY MIX VERSIONS"))
    rows_sorted = sorted(all_rows, key=lambda r: (_STEP_ORDER.get(r.step, 99), r.n, r.tool != "transpub", r.tool))
    report = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {platform.node() or 'this machine'}: {versions()}.",
        "",
        f"- transpub measured: {measured}; {drift}.",
        *[f"- {line}" for line in corpora],
        f"- median of {args.reps} interleaved runs per task (fewer when a task exceeded the {args.budget:.0f} s budget); "
        "peak MB is the largest resident set of any one process of the task (GNU time %M); "
        "segments/s = corpus segments / median.",
        "",
        markdown_table(rows_sorted),
        "",
        "Targets:",
        "",
        *targets(all_rows, sorted(args.n)),
    ]
    if profiles:
        report += ["", "Profiles (cProfile, -j 1): " + ", ".join(p.name for p in profiles) + f" in {args.out.parent}"]
    text = "\n".join(report) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps([r.__dict__ for r in rows_sorted], indent=1), encoding="utf-8")
    return 0


_STEP_ORDER = {"extract": 0, "update (K=1)": 1, "update (K=1), 1 release": 1.5, "update (all K)": 2, "render html": 3, "render html -j1": 3.5, "render html, 1 release": 3.7, "render docx": 4, "render md": 5,
               "build html+docx (full)": 6, "rebuild, nothing changed": 7, "rebuild, 1 release changed": 8,
               "project build html+docx (full)": 9, "project rebuild, nothing changed": 10,
               "project rebuild, 1 release changed": 11, "start-up (--version)": 12}

if __name__ == "__main__":
    sys.exit(main())
