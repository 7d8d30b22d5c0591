"""The review document round trip: export, edit as a reviewer would (python-docx), import, read the PO files."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path

import cldr_says as says
import pytest
from conftest import run_cli, tree_digest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from transpub.catalogs.pofile import index_entries, read_catalog, write_catalog
from transpub.catalogs.states import State, entry_state
from transpub.cli import main
from transpub.cli.review import check, review
from transpub.config import load_project
from transpub.errors import ReviewError
from transpub.render import docx_oxml as ox
from transpub.render.review_docx import export_review
from transpub.review.apply import Outcome, import_review
from transpub.review.docformat import MARKER
from transpub.review.reading import cell_text, custom_properties
from transpub.review.reports import project_status

if "check" not in main.commands:
    main.add_command(check)
if "review" not in main.commands:
    main.add_command(review)

RELEASE = "2023-07-18-wipo-assemblies"
FR_PO = f"locale/fr/LC_MESSAGES/{RELEASE}.po"

# msgids of the French sample by what state they are in
TITLE = "知的財産分野における国際協力が前進しました"  # reviewed
HEADING_1 = "1. 加盟国総会における一般演説"  # machine
PARAGRAPH_14 = "{date:2023-07-06}、{org:WIPO}の第64回加盟国総会が"  # reviewed, starts with
PARAGRAPH_18 = "濱野長官は{country:JP}を代表して"  # untranslated, starts with
EXPO = "**2025年大阪・関西万博**に触れ"  # changed (fuzzy + #|), starts with
HEADING_2 = "2. 各国・地域の知的財産庁等との二国間会合"  # changed
DIVISION = "特許庁総務部国際政策課"  # machine


# --- helpers: a reviewer at work --------------------------------------------------------------------


def export(project_dir: Path, lang: str = "fr", *args: str) -> Path:
    out = project_dir.parent / f"review-{lang}.docx"
    result = run_cli(project_dir, "review", "export", "--lang", lang, *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def row_for(doc, source_start: str):
    """The row whose Source column starts like ``source_start`` (tokens there are rendered in Japanese)."""
    for table in doc.tables:
        for row in table.rows[1:]:
            if cell_text(row.cells[1]).startswith(source_start):
                return row
    raise KeyError(source_start)


def set_text(cell, text: str) -> None:
    """Replace a cell's text the way typing over it does: one paragraph, the new text."""
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    paragraph = cell.paragraphs[0]
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    paragraph.add_run(text)


def catalog(project_dir: Path, path: str = FR_PO):
    return {msgid: entry for (_ctx, msgid), entry in index_entries(read_catalog(project_dir / path)).items()}


def entry_starting(entries: dict, start: str):
    return next(entry for msgid, entry in entries.items() if msgid.startswith(start))


def save(doc, path: Path) -> Path:
    doc.save(str(path))
    return path


# --- export ---------------------------------------------------------------------------------------


def test_export_has_one_row_per_segment_with_hidden_keys(sample_project: Path):
    path = export(sample_project)
    doc = Document(str(path))
    props = custom_properties(doc)
    assert props[MARKER] == "1" and props["transpub-lang"] == "fr"
    assert props["transpub-releases"] == RELEASE
    release_rows = doc.tables[0].rows[1:]
    assert len(release_rows) == len(catalog(sample_project))
    assert cell_text(doc.tables[0].rows[0].cells[2]) == "Translation (fr)"
    ids = [cell_text(row.cells[0]).split("\n")[0] for row in release_rows]
    assert ids == [f"{RELEASE}#{n}" for n in range(1, len(release_rows) + 1)]
    # the names the release needs to be published are in a last table
    assert cell_text(doc.tables[-1].rows[1].cells[0]).startswith("names.po#")
    # the key is visible and small; the exported translation's hash and state are hidden (w:vanish)
    first = release_rows[0].cells[0]
    assert re.search(r"k:[0-9a-f]{12}", cell_text(first))
    hidden = [run for p in first.paragraphs for run in p.runs if run.font.hidden]
    assert len(hidden) == 1 and re.fullmatch(r" t:[0-9a-f]{12} s:reviewed", hidden[0].text)
    # a segment row is kept on one page (the header row repeats on every page instead)
    assert all(row._tr.xpath("./w:trPr/w:cantSplit") for table in doc.tables for row in table.rows[1:])
    assert not doc.tables[0].rows[0]._tr.xpath("./w:trPr/w:cantSplit")


def test_export_properties_are_in_schema_order(sample_project: Path):
    """Word refuses (or "repairs") a file whose property elements are out of order: check every one written."""
    for lang in ("fr", "ar"):
        doc = Document(str(export(sample_project, lang)))
        checked = 0
        for name, order in ox.ORDERS.items():
            for element in doc.element.body.iter(qn(f"w:{name}")):
                tags = [child.tag.split("}")[1] for child in element]
                assert tags == sorted(tags, key=order.index), tags
                checked += 1
        assert checked > 500


def test_export_renders_source_tokens_in_japanese_and_keeps_translation_raw(sample_project: Path):
    doc = Document(str(export(sample_project)))
    row = row_for(doc, f"{says.long_date('2023-07-06', 'ja')}、世界知的所有権機関(WIPO)の第64回加盟国総会が")
    translation = cell_text(row.cells[2])
    assert "{date:2023-07-06}" in translation and "{org:WIPO}" in translation
    assert translation == entry_starting(catalog(sample_project), PARAGRAPH_14).msgstr
    assert cell_text(row.cells[3]) == "reviewed"


def test_export_shades_unreviewed_rows(sample_project: Path):
    doc = Document(str(export(sample_project)))

    def fill(row) -> str | None:
        shd = row.cells[1]._tc.tcPr.find(qn("w:shd"))
        return None if shd is None else shd.get(qn("w:fill"))

    assert fill(row_for(doc, TITLE)) is None
    assert fill(row_for(doc, HEADING_1)) == "FFF2CC"  # machine
    assert fill(row_for(doc, HEADING_2)) == "FBE0C3"  # changed
    assert fill(row_for(doc, "濱野長官は日本を代表して")) == "F8D3D3"  # untranslated
    changed = cell_text(row_for(doc, HEADING_2).cells[1])
    assert "Before the change: 2. 各国・地域の知的財産庁等との二国間会合(旧)" in changed


def test_header_shows_whether_each_release_publishes_and_why(sample_project: Path):
    """The header's verdict is the publishing decision status, check and build use, with its reason."""
    project = load_project(sample_project)
    verdicts = {}
    for lang in ("fr", "en"):
        status = next(row for row in project_status(project, (lang,)) if row.release == RELEASE)
        lines = [paragraph.text for paragraph in Document(io.BytesIO(export_review(project, lang))).paragraphs]
        verdict = "publishes" if status.publishable else "does not publish"
        assert f"{RELEASE}: {verdict} — {status.reason}" in lines
        verdicts[lang] = status.publishable
    assert verdicts == {"fr": False, "en": True}  # both verdicts shown


def test_export_is_reproducible(sample_project: Path, monkeypatch):
    """Same project, same SOURCE_DATE_EPOCH: the same bytes, whenever it runs (zip entries carry no clock time)."""
    epoch = 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    first = export(sample_project).read_bytes()
    clock_time = time.time
    monkeypatch.setattr(time, "time", lambda: clock_time() + 3 * 3600)  # as if exported three hours later
    assert export(sample_project).read_bytes() == first
    moment = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {moment.timetuple()[:6]}
    assert f"Exported: {moment:%Y-%m-%d %H:%M} UTC" in "\n".join(p.text for p in Document(io.BytesIO(first)).paragraphs)


def test_export_one_release_and_bad_languages(sample_project: Path):
    assert export(sample_project, "ar", "--release", RELEASE).stat().st_size > 0
    for lang, message in (("ja", "source language"), ("de", "not in this project")):
        result = run_cli(sample_project, "review", "export", "--lang", lang, "-o", str(sample_project / "x.docx"))
        assert result.exit_code == 2 and message in result.stderr
    result = run_cli(sample_project, "review", "export", "--lang", "fr", "--release", "nope", "-o", "x.docx")
    assert result.exit_code == 2 and "no release 'nope'" in result.stderr


# --- the round trip -------------------------------------------------------------------------------


def test_round_trip_corrections_approvals_comments(sample_project: Path):
    path = export(sample_project)
    doc = Document(str(path))
    # a machine translation corrected and approved
    heading = row_for(doc, HEADING_1)
    set_text(heading.cells[2], "1. Déclaration générale devant l’Assemblée générale")
    set_text(heading.cells[3], "Approved")
    # a changed row approved as is, with a tick
    set_text(row_for(doc, HEADING_2).cells[3], "✓")
    # a reviewed row gets a comment for the translator
    set_text(row_for(doc, TITLE).cells[4], "Titre validé par la direction.\nGarder « progresse ».")
    # an untranslated row filled in, state left as exported: it becomes fuzzy, not reviewed
    filled = (
        "M. Hamano a pris la parole au nom du {country:JP} et souhaité que l’{org:WIPO:short} contribue aux "
        "[objectifs de développement durable (ODD)](https://sdgs.un.org/goals) des Nations Unies. "
        "Voici les principaux points de son discours :"
    )
    set_text(row_for(doc, "濱野長官は日本を代表して").cells[2], filled)
    # a machine row sent back
    set_text(row_for(doc, DIVISION).cells[3], "needs work")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2 applied, 2 approved, 0 conflict, 0 rejected" in result.stdout
    assert f"wrote {FR_PO}" in result.stdout

    entries = catalog(sample_project)
    heading_entry = entries[HEADING_1]
    assert heading_entry.msgstr == "1. Déclaration générale devant l’Assemblée générale"
    assert entry_state(heading_entry) is State.REVIEWED
    changed = entries[HEADING_2]
    assert entry_state(changed) is State.REVIEWED and changed.previous_msgid is None
    assert entries[TITLE].tcomment == "review: Titre validé par la direction.\nreview: Garder « progresse »."
    assert entry_state(entries[TITLE]) is State.REVIEWED
    new = entry_starting(entries, PARAGRAPH_18)
    assert new.msgstr == filled and entry_state(new) is State.MACHINE
    # the division was already fuzzy: needs work keeps it so (and changes nothing)
    assert entry_state(entries[DIVISION]) is State.MACHINE

    # importing the same document again changes nothing
    before = tree_digest(sample_project)
    again = run_cli(sample_project, "review", "import", str(path))
    assert again.exit_code == 0 and "no catalog changed" in again.stdout
    assert tree_digest(sample_project) == before


def test_import_result_passes_msgfmt(sample_project: Path):
    from conftest import msgfmt_check

    path = export(sample_project)
    doc = Document(str(path))
    set_text(row_for(doc, HEADING_1).cells[3], "ok")
    set_text(row_for(doc, HEADING_1).cells[4], "Bien.")
    assert run_cli(sample_project, "review", "import", str(save(doc, path))).exit_code == 0
    msgfmt_check(sample_project / FR_PO)


def test_reviewed_row_sent_back(sample_project: Path):
    path = export(sample_project)
    doc = Document(str(path))
    set_text(row_for(doc, TITLE).cells[3], "Needs work")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 0 and "applied: sent back (fuzzy)" in result.stdout
    assert entry_state(catalog(sample_project)[TITLE]) is State.MACHINE


def test_a_correction_that_loses_a_token_is_rejected(sample_project: Path):
    path = export(sample_project)
    doc = Document(str(path))
    row = row_for(doc, f"{says.long_date('2023-07-06', 'ja')}、世界知的所有権機関(WIPO)")
    lost = cell_text(row.cells[2]).replace("({country:CH})", "(Suisse)")
    set_text(row.cells[2], lost)
    set_text(row.cells[3], "approved")
    set_text(row_for(doc, HEADING_1).cells[3], "approved")  # a valid row in the same document
    before = entry_starting(catalog(sample_project), PARAGRAPH_14).msgstr
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if ": rejected: " in line)
    assert f"{RELEASE}#3: rejected: correction rejected: translation lacks {{country:CH}}" in line
    entries = catalog(sample_project)
    assert entry_starting(entries, PARAGRAPH_14).msgstr == before
    assert entry_state(entries[HEADING_1]) is State.REVIEWED  # the other row still applied


def test_approving_a_translation_with_errors_is_rejected(sample_project: Path):
    po_path = sample_project / FR_PO
    po = read_catalog(po_path)
    entry = next(e for e in po if e.msgid == HEADING_1)
    entry.msgstr = "1. Déclaration générale à l’[Assemblée](https://example.org)"
    write_catalog(po_path, po)
    path = export(sample_project)
    doc = Document(str(path))
    set_text(row_for(doc, HEADING_1).cells[3], "approve")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 1 and "rejected: cannot approve: translation has 1 [link](…), the source 0" in result.stdout
    assert entry_state(catalog(sample_project)[HEADING_1]) is State.MACHINE


def test_unknown_state_word_is_rejected(sample_project: Path):
    path = export(sample_project)
    doc = Document(str(path))
    set_text(row_for(doc, HEADING_1).cells[3], "perhaps")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 1 and "State 'perhaps' is not understood" in result.stdout


def test_conflict_when_the_catalog_changed_after_export(sample_project: Path):
    path = export(sample_project)
    # a translator edits the same entry in Poedit meanwhile
    po_path = sample_project / FR_PO
    po = read_catalog(po_path)
    entry = next(e for e in po if e.msgid == HEADING_1)
    entry.msgstr = "1. Déclaration générale prononcée à l’Assemblée générale"
    write_catalog(po_path, po)
    doc = Document(str(path))
    set_text(row_for(doc, HEADING_1).cells[2], "1. Allocution générale à l’Assemblée générale")
    set_text(row_for(doc, HEADING_1).cells[3], "approved")
    set_text(row_for(doc, TITLE).cells[4], "Parfait.")  # an unrelated row still applies
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 1
    assert f"{RELEASE}#4: conflict: the translation in the catalog changed since export" in result.stdout
    entries = catalog(sample_project)
    assert entries[HEADING_1].msgstr == "1. Déclaration générale prononcée à l’Assemblée générale"
    assert entry_state(entries[HEADING_1]) is State.MACHINE
    assert entries[TITLE].tcomment == "review: Parfait."


def test_conflict_when_the_source_changed_after_export(sample_project: Path):
    path = export(sample_project)
    po_path = sample_project / FR_PO
    po = read_catalog(po_path)
    entry = next(e for e in po if e.msgid == HEADING_1)
    entry.msgid = "1. 加盟国総会における一般演説(改)"
    write_catalog(po_path, po)
    doc = Document(str(path))
    set_text(row_for(doc, HEADING_1).cells[3], "approved")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 1 and "conflict: the source text of this segment changed" in result.stdout


def test_tracked_changes_and_word_comments_are_read(sample_project: Path):
    """Reviewers often type with Track Changes on and leave Word comments instead of using the column."""
    path = export(sample_project)
    doc = Document(str(path))
    row = row_for(doc, HEADING_1)
    paragraph = row.cells[2].paragraphs[0]
    run = paragraph.runs[0]
    original = run.text  # "1. Déclaration générale à l’Assemblée générale"
    run.text = original.replace(" à l’Assemblée générale", "")
    deleted = OxmlElement("w:del")
    deleted.set(qn("w:id"), "90")
    deleted.set(qn("w:author"), "Reviewer")
    gone = OxmlElement("w:r")
    del_text = OxmlElement("w:delText")
    del_text.text = " à l’Assemblée générale"
    gone.append(del_text)
    deleted.append(gone)
    inserted = OxmlElement("w:ins")
    inserted.set(qn("w:id"), "91")
    inserted.set(qn("w:author"), "Reviewer")
    new = OxmlElement("w:r")
    new_text = OxmlElement("w:t")
    new_text.text = " devant l’Assemblée générale"
    new.append(new_text)
    inserted.append(new)
    paragraph._p.append(deleted)
    paragraph._p.append(inserted)
    state_run = row.cells[3].paragraphs[0].runs[0]
    doc.add_comment(state_run, text="Vérifier « devant ».", author="Reviewer", initials="R")
    set_text(row.cells[3], "approved")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 0, result.stdout
    entry = catalog(sample_project)[HEADING_1]
    assert entry.msgstr == "1. Déclaration générale devant l’Assemblée générale"
    assert entry_state(entry) is State.REVIEWED


def test_word_comment_anchored_in_a_row_becomes_a_review_comment(sample_project: Path):
    path = export(sample_project)
    doc = Document(str(path))
    translation_run = row_for(doc, TITLE).cells[2].paragraphs[0].runs[0]
    doc.add_comment(translation_run, text="« progresse » ou « avance » ?", author="Reviewer", initials="R")
    assert run_cli(sample_project, "review", "import", str(save(doc, path))).exit_code == 0
    assert catalog(sample_project)[TITLE].tcomment == "review: « progresse » ou « avance » ?"


def test_names_rows_are_applied_to_names_po(sample_project: Path):
    path = export(sample_project, "ar")
    doc = Document(str(path))
    names_table = doc.tables[-1]
    row = next(r for r in names_table.rows[1:] if cell_text(r.cells[1]) == "世界知的所有権機関")
    set_text(row.cells[3], "OK")
    assert run_cli(sample_project, "review", "import", str(save(doc, path))).exit_code == 0
    names = index_entries(read_catalog(sample_project / "locale/ar/LC_MESSAGES/names.po"))
    assert entry_state(names[("org:WIPO", "世界知的所有権機関")]) is State.REVIEWED
    assert entry_state(names[("org:WIPO:short", "WIPO")]) is State.MACHINE


def test_right_to_left_tokens_are_marked_for_display_only(sample_project: Path):
    path = export(sample_project, "ar")
    doc = Document(str(path))
    row = row_for(doc, "濱野長官は日本を代表して")
    shown = cell_text(row.cells[2])
    assert "\u200e{country:JP}\u200e" in shown  # braces stay with their token in a right-to-left line
    assert row.cells[2].paragraphs[0]._p.pPr.find(qn("w:bidi")) is not None
    set_text(row.cells[3], "approved")
    result = run_cli(sample_project, "review", "import", str(save(doc, path)))
    assert result.exit_code == 0 and "1 approved" in result.stdout
    entry = entry_starting(catalog(sample_project, f"locale/ar/LC_MESSAGES/{RELEASE}.po"), PARAGRAPH_18)
    assert "\u200e" not in entry.msgstr and entry_state(entry) is State.REVIEWED


def test_import_api_reports_every_row(sample_project: Path):
    project = load_project(sample_project)
    data = export_review(project, "fr")
    doc = Document(io.BytesIO(data))
    set_text(row_for(doc, HEADING_1).cells[3], "approved")
    out = io.BytesIO()
    doc.save(out)
    report = import_review(project, out.getvalue(), path_label="review.docx")
    assert report.ok and report.counts["approved"] == 1
    assert report.counts["unchanged"] == len(report.rows) - 1
    assert next(r for r in report.rows if r.outcome is Outcome.APPROVED).row_id == f"{RELEASE}#4"
    assert report.written == (FR_PO,)


# --- refusing what is not a review document ---------------------------------------------------------


def _refused(sample_project: Path, data: bytes, message: str, name: str = "bad.docx") -> None:
    path = sample_project.parent / name
    path.write_bytes(data)
    before = tree_digest(sample_project)
    result = run_cli(sample_project, "review", "import", str(path))
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith(f"transpub: error: {path}: ")
    assert tree_digest(sample_project) == before


def test_a_word_document_that_is_not_a_review_is_refused(sample_project: Path):
    doc = Document()
    doc.add_paragraph("Just a letter.")
    table = doc.add_table(rows=1, cols=5)
    table.rows[0].cells[0].text = f"{RELEASE}#4 k:0123456789ab"
    out = io.BytesIO()
    doc.save(out)
    _refused(sample_project, out.getvalue(), "not a transpub review document")


def test_a_non_docx_file_is_refused(sample_project: Path):
    _refused(sample_project, "msgid \"\"\nmsgstr \"\"\n".encode(), "not a Word document (.docx): the file is not a zip package")
    _refused(sample_project, b"PK\x03\x04" + b"\x00" * 200, "damaged zip package")
    _refused(sample_project, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old-format (.doc) or password-protected")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "a zip, not a docx")
    _refused(sample_project, buffer.getvalue(), "the package has no [Content_Types].xml")


def test_oversized_file_is_refused_before_reading(sample_project: Path):
    _refused(sample_project, b"PK" + b"\x00" * (20 * 1024 * 1024 + 10), "the review document is larger than 20 MB: refused")


def test_zip_bomb_is_refused(sample_project: Path):
    data = export(sample_project).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            bomb.writestr(info.filename, source.read(info.filename))
        bomb.writestr("word/media/padding.bin", b"\0" * (65 * 1024 * 1024))
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    _refused(sample_project, buffer.getvalue(), "(a zip bomb?)")


def test_zip_bomb_with_a_lying_header_is_refused(sample_project: Path):
    """A part whose header claims a small size: zipfile unpacks no more than claimed, and the CRC fails."""
    data = export(sample_project).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            bomb.writestr(info.filename, source.read(info.filename))
        bomb.writestr("word/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    raw = bytearray(buffer.getvalue())
    # rewrite the declared size of the padding part (central directory and local header) to 100 bytes
    for signature, size_offset, name_offset in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        for match in re.finditer(re.escape(signature), raw):
            start = match.start()
            length = int.from_bytes(raw[start + name_offset - 18 : start + name_offset - 16], "little")
            if bytes(raw[start + name_offset : start + name_offset + length]) == b"word/media/padding.bin":
                raw[start + size_offset : start + size_offset + 4] = (100).to_bytes(4, "little")
    with pytest.raises(ReviewError, match=r"damaged part word/media/padding.bin \(Bad CRC-32"):
        import_review(load_project(sample_project), bytes(raw), path_label="bomb.docx")


def test_entities_in_a_part_are_refused(sample_project: Path):
    data = export(sample_project).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as evil:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "word/document.xml":
                declaration, _, rest = body.partition(b"?>")
                laughs = b'<!DOCTYPE w:document [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                body = declaration + b"?>" + laughs + rest.replace(b"reviewed", b"&b;", 1)
            evil.writestr(info.filename, body)
    _refused(sample_project, buffer.getvalue(), "declares a DTD or entities")


def _with_document_part(data: bytes, change) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info.filename)
            out.writestr(info.filename, change(body) if info.filename == "word/document.xml" else body)
    return buffer.getvalue()


def _doctype_in(encoding: str, declare: bool = True):
    def change(body: bytes) -> bytes:
        text = body.decode("utf-8").replace("?>", '?>\n<!DOCTYPE w:document [<!ENTITY x "INJECTED">]>', 1)
        if declare:
            text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"', 1)
        return text.encode(encoding, errors="replace")  # (cp037 cannot write every character: it is refused unread)

    return change


@pytest.mark.parametrize(
    ("encoding", "says"),
    [
        ("utf-32", "is written in utf-32"),  # with a byte order mark
        ("utf-32-le", "is written in utf-32"),  # without one: the first character tells
        ("utf-16", "declares a DTD or entities"),
        ("utf-16-be", "declares a DTD or entities"),
        ("cp037", "refused: word/document.xml is not valid utf-8"),  # EBCDIC: not even its declaration reads as text
    ],
)
def test_a_dtd_in_any_encoding_is_refused(sample_project: Path, encoding: str, says: str):
    """The entity screen reads each part as the XML parser would: a UTF-32 part used to slip past it."""
    data = _with_document_part(export(sample_project).read_bytes(), _doctype_in(encoding))
    _refused(sample_project, data, says)


def test_corrupted_compressed_data_is_a_clear_refusal(sample_project: Path):
    """A part whose deflate stream is damaged (zlib.error) is one message, not a traceback."""
    data = bytearray(export(sample_project).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for index in range(start + 10, start + min(info.compress_size, 400)):
        data[index] ^= 0x5A
    _refused(sample_project, bytes(data), "damaged part word/document.xml")


def test_missing_file_is_a_clear_error(sample_project: Path):
    result = run_cli(sample_project, "review", "import", str(sample_project / "nope.docx"))
    assert result.exit_code == 2 and "cannot read the review document" in result.stderr


def test_document_for_another_language_list_is_refused(sample_project: Path, tmp_path: Path):
    path = export(sample_project)
    config = sample_project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"en", "fr", "ar"', '"en", "ar"'), encoding="utf-8")
    result = run_cli(sample_project, "review", "import", str(path))
    assert result.exit_code == 2 and "reviews language 'fr'" in result.stderr
