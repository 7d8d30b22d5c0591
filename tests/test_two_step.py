"""Two-step review: a translator's save is not an approval; only text a reviewer approved, in exactly that
form, is published (README "Catalogs and review states")."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import msgfmt_check, run_cli, tree_digest

from transpub.catalogs.approvals import entry_digest, read_approvals
from transpub.catalogs.states import State, provenance

RELEASE = "2023-07-18-wipo-assemblies"
SECOND = "2023-07-19-second"
CATALOG = f"locale/en/LC_MESSAGES/{RELEASE}.po"


def _two_step(project: Path) -> Path:
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
    return project


def _status(project: Path, lang: str = "en") -> dict[str, dict]:
    result = run_cli(project, "status", "--lang", lang, "--json")
    assert result.exit_code == 0, result.stderr
    return {row["release"]: row for row in json.loads(result.stdout)}


def _published(project: Path, release: str = RELEASE) -> str | None:
    page = project / "outputs/en" / f"{release}.html"
    return page.read_text(encoding="utf-8") if page.is_file() else None


def test_a_translators_save_does_not_publish_until_approved(sample_project: Path):
    project = _two_step(sample_project)
    row = _status(project)[RELEASE]
    assert not row["publishable"]
    assert row["translated"]["segments"] == row["total"]["segments"] > 0 and row["approved"]["segments"] == 0
    assert "translated (not approved)" in row["reason"] and "name(s) in names.po not approved" in row["reason"]
    assert run_cli(project, "build", "--lang", "en").exit_code == 1
    assert _published(project) is None

    result = run_cli(project, "approve", "--lang", "en", "--by", "Marie Curie")
    assert result.exit_code == 0, result.stderr
    assert "wrote locale/en/approvals.tsv" in result.stdout
    row = _status(project)[RELEASE]
    assert row["publishable"] and row["approved"] == row["total"] and row["translated"]["segments"] == 0
    assert run_cli(project, "build", "--lang", "en").exit_code == 0
    assert _published(project) is not None


def test_the_approvals_file_is_sorted_lines_bound_to_each_text(sample_project: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = _two_step(sample_project)
    assert run_cli(project, "approve", "--lang", "en", "--by", "Marie\tCurie ").exit_code == 0
    text = (project / "locale/en/approvals.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    catalog = polib.pofile(str(project / CATALOG))
    digests = {entry_digest(entry) for entry in catalog if entry.msgstr and not entry.obsolete}
    assert {line.split("\t")[1] for line in lines if line.startswith(RELEASE)} == digests
    assert all(line.endswith("\tMarie Curie\t2023-11-14") for line in lines)


def test_rewrapping_and_resaving_keep_every_approval(sample_project: Path):
    if shutil.which("msgcat") is None:
        pytest.skip("msgcat (Debian package gettext) is not installed")
    project = _two_step(sample_project)
    assert run_cli(project, "approve", "--lang", "en", "--by", "Reviewer").exit_code == 0
    for width in ("50", "200"):
        path = project / CATALOG
        subprocess.run(["msgcat", "-w", width, "-o", str(path), str(path)], check=True)
        assert _status(project)[RELEASE]["publishable"], width
    # polib re-saves in its own layout, sorting nothing away
    po = polib.pofile(str(project / CATALOG))
    po.save(str(project / CATALOG))
    msgfmt_check(project / CATALOG)
    assert _status(project)[RELEASE]["publishable"]


def _add_second_release(project: Path) -> None:
    text = (project / "sources" / f"{RELEASE}.md").read_text(encoding="utf-8").replace("date: 2023-07-18", "date: 2023-07-19")
    (project / "sources" / f"{SECOND}.md").write_text(text, encoding="utf-8")
    assert run_cli(project, "update", "--lang", "en").exit_code == 0
    second = polib.pofile(str(project / f"locale/en/LC_MESSAGES/{SECOND}.po"))
    first = {entry.msgid: entry.msgstr for entry in polib.pofile(str(project / CATALOG))}
    for entry in second:
        entry.msgstr = first.get(entry.msgid, "") or entry.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
    second.save(str(project / f"locale/en/LC_MESSAGES/{SECOND}.po"))


def test_an_edit_after_approval_unpublishes_only_that_release_and_its_page_keeps_the_approved_text(sample_project: Path):
    project = _two_step(sample_project)
    _add_second_release(project)
    assert run_cli(project, "approve", "--lang", "en", "--by", "Reviewer").exit_code == 0
    assert run_cli(project, "build", "--lang", "en").exit_code == 0
    approved_page = _published(project)
    assert approved_page is not None and _published(project, SECOND) is not None

    path = project / CATALOG
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgstr and "Geneva" in e.msgstr)
    entry.msgstr = entry.msgstr.replace("Geneva", "GENEVA (unapproved)")
    po.save(str(path))

    rows = _status(project)
    assert not rows[RELEASE]["publishable"] and rows[RELEASE]["reason"] == "not fully reviewed: 1 translated (not approved)"
    assert rows[SECOND]["publishable"]
    result = run_cli(project, "build", "--lang", "en")
    assert f"skipped {RELEASE} [en]: not fully reviewed: 1 translated (not approved)" in result.stderr
    assert _published(project) == approved_page and "unapproved" not in approved_page
    assert _published(project, SECOND) is not None

    listing = run_cli(project, "status", "--release", RELEASE, "--lang", "en", "--entries", "--json")
    rows = {row["msgid"]: row for row in json.loads(listing.stdout)}
    assert rows[entry.msgid]["state"] == "translated" and rows[entry.msgid]["approved_by"] is None
    others = [row for msgid, row in rows.items() if msgid != entry.msgid and row["catalog"] == RELEASE]
    assert others and all(row["state"] == "approved" and row["approved_by"] == "Reviewer" for row in others)


def test_approve_refuses_entries_with_check_errors(sample_project: Path):
    project = _two_step(sample_project)
    path = project / CATALOG
    po = polib.pofile(str(path))
    broken = next(e for e in po if "{date:" in e.msgstr)
    broken.msgstr = broken.msgstr.replace("{date:2023-07-06}", "July 6")
    po.save(str(path))
    result = run_cli(project, "approve", "--lang", "en", "--by", "Reviewer")
    assert result.exit_code == 1
    assert "not approved: " in result.stderr and "token-missing" in result.stderr
    approvals = read_approvals(project / "locale/en/approvals.tsv")
    assert (RELEASE, entry_digest(broken)) not in approvals.entries and len(approvals.entries) > 10


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--lang", "de", "--by", "R"), "language 'de' is not in this project"),
        (("--lang", "en"), "who approves?"),
        (("--lang", "en", "--by", "  "), "who approves?"),
    ],
)
def test_approve_without_a_language_or_a_reviewer_is_a_usage_error(sample_project: Path, monkeypatch, args, says):
    monkeypatch.delenv("TRANSPUB_REVIEWER", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    project = _two_step(sample_project)
    before = tree_digest(project)
    result = run_cli(project, "approve", *args)
    assert result.exit_code == 2 and says in result.stderr
    assert tree_digest(project) == before


def test_the_reviewer_comes_from_the_environment_then_git(sample_project: Path, monkeypatch):
    project = _two_step(sample_project)
    monkeypatch.setenv("TRANSPUB_REVIEWER", "From Env")
    assert "as From Env" in run_cli(project, "approve", "--lang", "en", "--dry-run").stdout
    monkeypatch.delenv("TRANSPUB_REVIEWER")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(project / "gitconfig"))
    (project / "gitconfig").write_text("[user]\n\tname = From Git\n", encoding="utf-8")
    result = run_cli(project, "approve", "--lang", "en", "--dry-run")
    assert "would approve" in result.stdout and "as From Git" in result.stdout
    assert not (project / "locale/en/approvals.tsv").exists()  # a dry run writes nothing


def test_approve_under_one_step_says_what_to_do(sample_project: Path):
    result = run_cli(sample_project, "approve", "--lang", "en", "--by", "R")
    assert result.exit_code == 2 and 'policy = "two-step"' in result.stderr


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("2023-07-18-wipo-assemblies\tabc\tR\t2026-12-04", "64 lowercase hexadecimal"),
        ("2023-07-18-wipo-assemblies\t" + "a" * 64 + "\tR", "4 fields"),
        ("2023-07-18-wipo-assemblies\t" + "a" * 64 + "\tR\t4 Dec 2026", "YYYY-MM-DD"),
        ("2023-07-18-wipo-assemblies\t" + "a" * 64 + "\tR\t2026-13-99", "a real date"),
        ("../etc\t" + "a" * 64 + "\tR\t2026-12-04", "is not a catalog"),
        ("names\t" + "a" * 64 + "\t \t2026-12-04", "names its reviewer"),
    ],
)
def test_a_damaged_approvals_file_is_refused_at_its_line(sample_project: Path, line: str, says: str):
    project = _two_step(sample_project)
    (project / "locale/en/approvals.tsv").write_text(f"# comment\n\n{line}\n", encoding="utf-8")
    before = tree_digest(project)
    for command in (("status",), ("build", "--lang", "en"), ("approve", "--lang", "en", "--by", "R")):
        result = run_cli(project, *command)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert "locale/en/approvals.tsv:3: " in result.stderr.replace(str(project) + "/", "") and says in result.stderr
    assert tree_digest(project) == before


def test_the_origin_of_a_text_stays_true_after_a_person_rewrites_it(sample_project: Path):
    from transpub.catalogs.states import origin_note

    entry = polib.POEntry(msgid="a", msgstr="machine words")
    entry.tcomment = origin_note("machine translation", "libretranslate, 2026-12-04", entry.msgstr)
    assert provenance(entry).describe() == "machine translation: libretranslate, 2026-12-04, unedited"
    entry.msgstr = "a person's words"
    assert provenance(entry).describe() == "machine translation: libretranslate, 2026-12-04, since edited by a person"
    from transpub.catalogs.states import refresh_origin_note

    assert refresh_origin_note(entry) and not refresh_origin_note(entry)
    assert entry.tcomment == "machine translation: libretranslate, 2026-12-04, since edited by a person"
    assert provenance(entry).describe() == entry.tcomment
    assert State.APPROVED.publishable and not State.TRANSLATED.publishable


def test_update_drops_the_approvals_of_texts_that_are_gone_and_says_so(sample_project: Path):
    project = _two_step(sample_project)
    assert run_cli(project, "approve", "--lang", "en", "--by", "Reviewer").exit_code == 0
    before = read_approvals(project / "locale/en/approvals.tsv").entries
    source = project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    paragraph = next(line for line in text.splitlines() if line.startswith("{date:2023-07-06}"))
    source.write_text(text.replace(paragraph, paragraph.replace("開幕しました", "開幕した")), encoding="utf-8")
    result = run_cli(project, "update", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "locale/en/approvals.tsv: dropped 1 approval(s) of texts that no longer exist" in result.stdout
    after = read_approvals(project / "locale/en/approvals.tsv").entries
    assert len(after) == len(before) - 1 and set(after) < set(before)
    row = _status(project)[RELEASE]
    assert not row["publishable"] and "1 changed" in row["reason"]
    again = run_cli(project, "update", "--lang", "en")
    assert "dropped" not in again.stdout  # nothing more to drop


# --- review documents ---------------------------------------------------------------------------------------
def _approve_every_row(path: Path, correct: tuple[str, str] | None = None) -> None:
    """A reviewer writes approved in every row's State cell (and corrects one translation, if asked)."""
    from docx import Document
    from test_review import set_text

    from transpub.review.reading import cell_text

    document = Document(str(path))
    for table in document.tables:
        for row in table.rows[1:]:
            if len(row.cells) >= 5 and cell_text(row.cells[3]).strip() in ("translated", "machine", "changed"):
                set_text(row.cells[3], "approved")
                if correct and cell_text(row.cells[2]).find(correct[0]) >= 0:
                    set_text(row.cells[2], cell_text(row.cells[2]).replace(*correct))
    document.save(str(path))


def test_approving_every_row_of_a_review_document_makes_the_language_publishable(sample_project: Path):
    project = _two_step(sample_project)
    out = project.parent / "review-en.docx"
    result = run_cli(project, "review", "export", "--lang", "en", "--by", "Marie Curie", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    from docx import Document

    header = "\n".join(p.text for p in Document(str(out)).paragraphs[:12])
    assert "Reviewer: Marie Curie" in header and re.search(r"approved 0, translated \d+, machine 0", header)
    _approve_every_row(out, correct=("Geneva", "Genève"))
    result = run_cli(project, "review", "import", str(out))
    assert result.exit_code == 0, result.stdout + result.stderr
    row = _status(project)[RELEASE]
    assert row["publishable"], row["reason"]
    approvals = read_approvals(project / "locale/en/approvals.tsv")
    assert {a.by for a in approvals.entries.values()} == {"Marie Curie"}
    # the corrected text is what was approved, and what is published
    po = polib.pofile(str(project / CATALOG))
    corrected = next(e for e in po if "Genève" in e.msgstr)
    assert (RELEASE, entry_digest(corrected)) in approvals.entries
    assert run_cli(project, "build", "--lang", "en").exit_code == 0
    assert "Genève" in _published(project)


def test_importing_approvals_needs_a_reviewer_name(sample_project: Path, monkeypatch):
    monkeypatch.delenv("TRANSPUB_REVIEWER", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    project = _two_step(sample_project)
    out = project.parent / "review-en.docx"
    assert run_cli(project, "review", "export", "--lang", "en", "-o", str(out)).exit_code == 0
    _approve_every_row(out)
    before = tree_digest(project)
    result = run_cli(project, "review", "import", str(out))
    assert result.exit_code == 2 and "who approves?" in result.stderr
    assert tree_digest(project) == before
    result = run_cli(project, "review", "import", str(out), "--by", "Late Name")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _status(project)[RELEASE]["publishable"]


# --- no sequence of edits, re-saves and approvals publishes what was not approved ----------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TEXTS = st.sampled_from(["", "One", "One ", "Two", "one", "Deux", "Zwei\nZeilen", "**Three**", "One"])
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 3), _TEXTS),
        st.tuples(st.just("fuzzy"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("resave"), st.sampled_from([0, 20, 50, 78]), st.booleans()),
        st.tuples(st.just("approve"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("approve all"), st.just(0), st.booleans()),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(_OPS)
def test_no_sequence_publishes_a_text_that_was_not_approved_in_exactly_that_form(ops):
    from transpub.catalogs.approvals import Approvals
    from transpub.catalogs.pofile import catalog_from_bytes, catalog_to_bytes, new_catalog
    from transpub.catalogs.states import Review

    po = new_catalog("en", project="t")
    for n in range(4):
        po.append(polib.POEntry(msgid=f"Source {n}", msgstr=f"Text {n}", occurrences=[("sources/x.md", str(n + 1))]))
    review = Review(True, Approvals({}))
    approved: set[tuple[str, str]] = set()  # the oracle: (msgid, msgstr) a reviewer approved

    def entries():
        return [e for e in po if e.msgid]

    for op, arg, flag in ops:
        if op == "edit":
            entries()[arg].msgstr = flag
        elif op == "fuzzy":
            entry = entries()[arg]
            if flag and "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
            elif not flag and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif op == "resave":  # what an editor or msgcat does: the same entries, written and read again
            data = catalog_to_bytes(po, "x.po")
            if flag:
                data = data.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
            po = catalog_from_bytes(data.replace(b"\r\n", b"\n"), Path("x.po"))
        else:
            targets = entries() if op == "approve all" else [entries()[arg]]
            for entry in targets:
                if review.state(entry, "x") is State.TRANSLATED:
                    review.approvals.approve("x", entry, "Reviewer", "2026-12-04")
                    approved.add((entry.msgid, entry.msgstr))
        states = [review.state(entry, "x") for entry in entries()]
        for entry, state in zip(entries(), states):
            assert state.publishable == ((entry.msgid, entry.msgstr) in approved and "fuzzy" not in entry.flags and bool(entry.msgstr.strip()))
        if all(state.publishable for state in states):
            assert all((entry.msgid, entry.msgstr) in approved for entry in entries())


def test_a_corrected_machine_translation_says_so_and_an_approval_does_not_hide_its_origin(sample_project: Path):
    from test_one_home import _pretranslate_german

    from transpub.review.reading import cell_text

    project = _two_step(sample_project)
    _pretranslate_german(project)
    out = project.parent / "review-de.docx"
    assert run_cli(project, "review", "export", "--lang", "de", "--by", "R", "-o", str(out)).exit_code == 0
    from docx import Document
    from test_review import set_text

    document = Document(str(out))
    rows = [row for table in document.tables for row in table.rows[1:] if len(row.cells) >= 5 and cell_text(row.cells[3]).strip() == "machine"]
    corrected, untouched = rows[0], rows[1]
    set_text(corrected.cells[2], cell_text(corrected.cells[2]).replace("[de]", "Korrigiert:"))
    set_text(corrected.cells[3], "approved")
    set_text(untouched.cells[3], "approved")
    document.save(str(out))
    assert run_cli(project, "review", "import", str(out)).exit_code == 0
    listing = run_cli(project, "status", "--release", RELEASE, "--lang", "de", "--entries", "--json")
    approved = [row for row in json.loads(listing.stdout) if row["state"] == "approved"]
    assert len(approved) == 2
    origins = sorted(row["provenance"] for row in approved)
    assert origins[0].endswith(", since edited by a person") and origins[0].startswith("machine translation: libretranslate")
    assert origins[1].endswith(", unedited") and origins[1].startswith("machine translation: libretranslate")
    catalog = (project / f"locale/de/LC_MESSAGES/{RELEASE}.po").read_text(encoding="utf-8")
    assert "since edited by a person" in catalog


def test_update_notes_that_a_person_rewrote_a_filled_text(sample_project: Path):
    from test_one_home import _pretranslate_german

    _pretranslate_german(sample_project)
    path = sample_project / f"locale/de/LC_MESSAGES/{RELEASE}.po"
    po = polib.pofile(str(path))
    edited = next(e for e in po if e.msgstr and "machine translation" in e.tcomment)
    edited.msgstr = "Von Hand übersetzt."
    po.save(str(path))
    assert run_cli(sample_project, "update", "--lang", "de").exit_code == 0
    after = {e.msgid: e for e in polib.pofile(str(path))}
    assert after[edited.msgid].tcomment.endswith(", since edited by a person")
    untouched = [e for e in after.values() if e.msgid != edited.msgid and "machine translation" in e.tcomment]
    assert untouched and all("(text #" in e.tcomment for e in untouched)


# --- a corrected value is not new work ---------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["one-step", "two-step"])
def test_a_corrected_token_value_carries_the_translation_over_with_its_state(sample_project: Path, policy: str):
    project = _two_step(sample_project) if policy == "two-step" else sample_project
    if policy == "two-step":
        assert run_cli(project, "approve", "--lang", "en", "--by", "Reviewer").exit_code == 0
    assert _status(project)[RELEASE]["publishable"]
    source = project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    assert text.count("{month:2023-12}") == 1
    source.write_text(text.replace("{month:2023-12}", "{month:2024-01}"), encoding="utf-8")
    result = run_cli(project, "update", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "new values 1" in result.stdout and "dropped" not in result.stdout
    po = polib.pofile(str(project / CATALOG))
    entry = next(e for e in po if "{month:2024-01}" in e.msgid)
    assert "{month:2024-01}" in entry.msgstr and "{month:2023-12}" not in entry.msgstr
    assert "fuzzy" not in entry.flags and entry.previous_msgid is None
    assert "source values changed: {month:2023-12} → {month:2024-01}" in entry.tcomment
    assert _status(project)[RELEASE]["publishable"]  # reviewed (or approved) it stays
    msgfmt_check(project / CATALOG)
    import cldr_says as says

    assert run_cli(project, "build", "--lang", "en").exit_code == 0
    page = _published(project)
    assert says.month_of_year(2024, 1, "en") in page and says.month_of_year(2023, 12, "en") not in page


def test_a_change_of_words_beside_a_value_is_still_a_fuzzy_suggestion(sample_project: Path):
    source = sample_project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if "{month:2023-12}" in line)
    source.write_text(text.replace(line, line.replace("{month:2023-12}", "{month:2024-01}").replace("。", "！", 1)), encoding="utf-8")
    assert run_cli(sample_project, "update", "--lang", "en").exit_code == 0
    entry = next(e for e in polib.pofile(str(sample_project / CATALOG)) if "{month:2024-01}" in e.msgid)
    assert "fuzzy" in entry.flags and entry.previous_msgid and "{month:2023-12}" in entry.msgstr
