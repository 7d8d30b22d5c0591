"""XLIFF 1.2 round trip: export, edit targets with lxml as a CAT tool would, import, read the PO files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import omegat_client
import polib
import pytest
from conftest import run_cli, tree_digest
from lxml import etree

from transpub.catalogs.approvals import entry_digest, read_approvals
from transpub.catalogs.pofile import index_entries, read_catalog, write_catalog
from transpub.catalogs.states import State, entry_state
from transpub.review import xliff as xliff_module
from transpub.review.docformat import entry_hash

NS = "urn:oasis:names:tc:xliff:document:1.2"
TP = "urn:transpub:xliff:1"
X = f"{{{NS}}}"
RELEASE = "2023-07-18-wipo-assemblies"
FR_PO = f"locale/fr/LC_MESSAGES/{RELEASE}.po"

TITLE = "知的財産分野における国際協力が前進しました"  # reviewed
SUBTITLE = "第64回{org:WIPO:short}加盟国総会の結果"  # reviewed, one token
HEADING_1 = "1. 加盟国総会における一般演説"  # machine
PARAGRAPH_18 = "濱野長官は{country:JP}を代表して"  # untranslated: a token, a link, another token
LIST_21 = "グリーン・トランスフォーメーション(GX)に関する"  # reviewed: a token, **strong**, a token
EXPO = "**2025年大阪・関西万博**に触れ"  # changed (fuzzy + #|)


# --- helpers: a CAT tool at work --------------------------------------------------------------------


def export(project: Path, lang: str = "fr", *args: str) -> Path:
    out = project.parent / f"{lang}.xlf"
    result = run_cli(project, "xliff", "export", "--lang", lang, *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def entries(project: Path, path: str = FR_PO) -> dict[str, polib.POEntry]:
    return {msgid: entry for (_ctx, msgid), entry in index_entries(read_catalog(project / path)).items()}


def entry_starting(project: Path, start: str, path: str = FR_PO) -> polib.POEntry:
    return next(entry for msgid, entry in entries(project, path).items() if msgid.startswith(start))


def unit_for(tree, project: Path, start: str):
    entry = entry_starting(project, start)
    (unit,) = tree.xpath("//x:trans-unit[@id=$id]", namespaces={"x": NS}, id=entry_hash(entry.msgctxt, entry.msgid))
    return unit


def set_target(unit, content: str, state: str | None = None) -> None:
    """Replace the unit's target with ``content`` (XLIFF inline markup), as a translator typing in a CAT tool."""
    target = unit.find(X + "target")
    if target is None:
        target = etree.SubElement(unit, X + "target")
        unit.insert(1, target)
    new = etree.fromstring(f'<target xmlns="{NS}">{content}</target>')
    for child in list(target):
        target.remove(child)
    target.text = new.text
    for child in new:
        target.append(child)
    if state is not None:
        target.set("state", state)


def set_state(unit, state: str) -> None:
    unit.find(X + "target").set("state", state)


def load(path: Path):
    return etree.parse(str(path))


def save(tree, path: Path) -> Path:
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def two_step(project: Path) -> Path:
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
    return project


def state_of(project: Path, start: str) -> State:
    from transpub.catalogs.states import read_review
    from transpub.config import load_project

    review = read_review(load_project(project), "fr")
    return review.state(entry_starting(project, start), RELEASE)


# --- export ---------------------------------------------------------------------------------------


def test_export_is_xliff_12_with_one_unit_per_entry(sample_project: Path):
    tree = load(export(sample_project))
    root = tree.getroot()
    assert root.tag == X + "xliff" and root.get("version") == "1.2" and root.nsmap["tp"] == TP
    files = root.findall(X + "file")
    assert [f.get("original") for f in files] == [RELEASE, "names.po"]
    for file in files:
        # the attributes XLIFF 1.2 requires on <file>, and transpub's bookkeeping
        assert file.get("source-language") == "ja" and file.get("target-language") == "fr"
        assert file.get("datatype") in ("x-markdown", "plaintext")
        assert file.get(f"{{{TP}}}lang") == "fr" and file.get(f"{{{TP}}}format") == "1"
        assert [child.tag for child in file] == [X + "header", X + "body"]
        assert file.find(f"{X}header/{X}tool").get("tool-id") == "transpub"
    units = files[0].findall(f"{X}body/{X}trans-unit")
    catalog = read_catalog(sample_project / FR_PO)
    reviewable = [e for e in catalog if not e.obsolete and e.msgid]
    assert [u.get("id") for u in units] == [entry_hash(e.msgctxt, e.msgid) for e in reviewable]
    for unit in units:
        tags = [child.tag for child in unit]
        assert tags[0] == X + "source" and set(tags[2:]) <= {
            X + "note",
            X + "context-group",
        }  # XLIFF 1.2's order: source, target, notes
        assert unit.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
        assert re.fullmatch(r"[0-9a-f]{12}", unit.get(f"{{{TP}}}msgstr"))


def test_source_and_target_carry_tokens_and_markup_as_inline_elements(sample_project: Path):
    tree = load(export(sample_project))
    unit = unit_for(tree, sample_project, LIST_21)
    source, target = unit.find(X + "source"), unit.find(X + "target")
    assert [(e.tag, e.get("id"), e.get("ctype")) for e in source] == [
        (X + "x", "1", "x-transpub-token"), (X + "g", "2", "bold"), (X + "x", "3", "x-transpub-token"),
    ]  # fmt: skip
    assert source[0].get("equiv-text") == "{org:JPO:short}"
    assert "{" not in "".join(source.itertext()) and "**" not in "".join(source.itertext())
    # the target's elements are the source's, with the same ids, where the translation has them
    assert sorted((e.tag, e.get("id")) for e in target) == sorted((e.tag, e.get("id")) for e in source)
    assert target.find(X + "g").text == "inventaire des technologies de transformation verte"
    link = unit_for(tree, sample_project, PARAGRAPH_18).find(f"{X}source/{X}g")
    assert link.get("ctype") == "link" and link.text == "持続可能な開発目標(SDGs)"


def test_notes_give_where_tokens_rendered_and_glossary(sample_project: Path):
    glossary = sample_project / "locale/fr/LC_MESSAGES/glossary.po"
    glossary.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                        'msgid "加盟国総会"\nmsgstr "assemblées des États membres"\n', encoding="utf-8")  # fmt: skip
    tree = load(export(sample_project))
    notes = [n.text for n in unit_for(tree, sample_project, "{date:2023-07-06}").findall(X + "note")]
    assert notes[0] == f"paragraph · sources/{RELEASE}.md:14"
    tokens = next(n for n in notes if n.startswith("tokens in fr:"))
    assert "{date:2023-07-06} = 6 juillet 2023" in tokens and "{country:CH} = Suisse" in tokens
    assert "glossary: 加盟国総会 = assemblées des États membres" in notes
    assert not any("glossary" in n for n in (x.text for x in unit_for(tree, sample_project, TITLE).findall(X + "note")))


MEMORY = "translation memory: 2023-01-01-other, 2026-12-01 (text #{})"
SIMILAR = "translation memory (similar text): 2023-01-01-other, 2026-12-01, 80 % like 'x' (text #{})"


@pytest.mark.parametrize(
    ("start", "origin", "policy", "state", "qualifier", "approved"),
    [
        (PARAGRAPH_18, None, "one-step", "new", None, None),
        (HEADING_1, None, "one-step", "needs-review-translation", "mt-suggestion", None),
        (HEADING_1, MEMORY, "one-step", "needs-review-translation", "tm-suggestion", None),
        (HEADING_1, SIMILAR, "one-step", "needs-review-translation", "fuzzy-match", None),
        (EXPO, None, "one-step", "needs-review-translation", None, None),
        (TITLE, None, "one-step", "signed-off", None, "yes"),
        (TITLE, None, "two-step", "translated", None, None),
    ],
)
def test_every_state_is_exported_as_its_xliff_state(sample_project, start, origin, policy, state, qualifier, approved):
    if policy == "two-step":
        two_step(sample_project)
    if origin is not None:
        catalog = read_catalog(sample_project / FR_PO)
        entry = next(e for e in catalog if e.msgid.startswith(start))
        from transpub.catalogs.states import text_fingerprint

        entry.tcomment = origin.format(text_fingerprint(entry.msgstr))
        write_catalog(sample_project / FR_PO, catalog)
    unit = unit_for(load(export(sample_project)), sample_project, start)
    target = unit.find(X + "target")
    assert (target.get("state"), target.get("state-qualifier"), unit.get("approved")) == (state, qualifier, approved)
    if state == "new":
        assert not target.text and len(target) == 0


def test_approved_two_step_entries_are_signed_off(sample_project: Path):
    two_step(sample_project)
    assert run_cli(sample_project, "approve", "--lang", "fr", "--by", "Marie Curie").exit_code in (0, 1)
    unit = unit_for(load(export(sample_project)), sample_project, TITLE)
    assert unit.find(X + "target").get("state") == "signed-off" and unit.get("approved") == "yes"


# --- import ---------------------------------------------------------------------------------------


def test_round_trip_restores_tokens_and_markup(sample_project: Path):
    path = export(sample_project)
    tree = load(path)
    # an untranslated paragraph with a token, a link and a token, translated in a CAT tool: tags moved
    set_target(unit_for(tree, sample_project, PARAGRAPH_18),
               'Le commissaire a parlé au nom du <x id="1"/> ; il a salué les <g id="2">objectifs de développement '
               'durable</g> et l’<x id="3"/>.', state="translated")  # fmt: skip
    set_target(unit_for(tree, sample_project, HEADING_1), "1. Déclaration générale devant l’Assemblée")
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 0, result.stdout + result.stderr
    paragraph = entry_starting(sample_project, PARAGRAPH_18)
    assert paragraph.msgstr == ("Le commissaire a parlé au nom du {country:JP} ; il a salué les [objectifs de "
                                "développement durable](https://sdgs.un.org/goals) et l’{org:WIPO:short}.")  # fmt: skip
    assert entry_state(paragraph) is State.REVIEWED  # one-step: "translated" clears fuzzy, as a PO editor's save does
    heading = entry_starting(sample_project, HEADING_1)
    assert heading.msgstr == "1. Déclaration générale devant l’Assemblée"
    assert entry_state(heading) is State.MACHINE  # the state was left as exported: still needs review
    assert "wrote locale/fr/LC_MESSAGES" in result.stdout and "2 applied" in result.stdout


def test_importing_the_same_file_twice_changes_nothing_the_second_time(sample_project: Path):
    path = export(sample_project)
    tree = load(path)
    set_target(unit_for(tree, sample_project, PARAGRAPH_18), 'Au nom du <x id="1"/>, <g id="2">ODD</g>, <x id="3"/>.')
    set_state(unit_for(tree, sample_project, HEADING_1), "signed-off")
    save(tree, path)
    first = run_cli(sample_project, "xliff", "import", str(path))
    assert first.exit_code == 0, first.stdout
    before = tree_digest(sample_project / "locale")
    second = run_cli(sample_project, "xliff", "import", str(path))
    assert second.exit_code == 0 and "no catalog changed" in second.stdout
    assert tree_digest(sample_project / "locale") == before


def test_an_untouched_export_imports_as_unchanged(sample_project: Path):
    before = tree_digest(sample_project / "locale")
    result = run_cli(sample_project, "xliff", "import", str(export(sample_project)))
    assert result.exit_code == 0 and " 0 applied" in result.stdout and "no catalog changed" in result.stdout
    assert tree_digest(sample_project / "locale") == before


@pytest.mark.parametrize(
    ("policy", "start", "new_state", "expected"),
    [
        ("one-step", HEADING_1, "signed-off", State.REVIEWED),
        ("one-step", HEADING_1, "final", State.REVIEWED),
        ("one-step", HEADING_1, "translated", State.REVIEWED),
        ("one-step", TITLE, "needs-review-translation", State.MACHINE),
        ("one-step", EXPO, "signed-off", State.REVIEWED),
        ("one-step", EXPO, "needs-review-l10n", State.CHANGED),  # the same class as exported: kept
        ("two-step", TITLE, "signed-off", State.APPROVED),
        ("two-step", HEADING_1, "translated", State.TRANSLATED),
        ("two-step", HEADING_1, "signed-off", State.APPROVED),
        ("two-step", TITLE, "needs-review-translation", State.MACHINE),
        ("two-step", TITLE, "x-custom", State.TRANSLATED),  # a tool's own state says nothing: kept
    ],
)
def test_every_xliff_state_is_imported_as_its_transpub_state(sample_project, policy, start, new_state, expected):
    if policy == "two-step":
        two_step(sample_project)
    path = export(sample_project)
    tree = load(path)
    set_state(unit_for(tree, sample_project, start), new_state)
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)), "--by", "Marie Curie")
    assert result.exit_code == 0, result.stdout
    assert state_of(sample_project, start) is expected


def test_approved_yes_without_a_state_approves(sample_project: Path):
    two_step(sample_project)
    path = export(sample_project)
    tree = load(path)
    unit = unit_for(tree, sample_project, HEADING_1)
    del unit.find(X + "target").attrib["state"]
    unit.set("approved", "yes")
    assert run_cli(sample_project, "xliff", "import", str(save(tree, path)), "--by", "R").exit_code == 0
    assert state_of(sample_project, HEADING_1) is State.APPROVED


def test_translated_withdraws_an_approval(sample_project: Path):
    two_step(sample_project)
    assert run_cli(sample_project, "approve", "--lang", "fr", "--by", "Marie Curie").exit_code in (0, 1)
    assert state_of(sample_project, TITLE) is State.APPROVED
    path = export(sample_project)
    tree = load(path)
    set_state(unit_for(tree, sample_project, TITLE), "translated")
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 0 and "approval withdrawn" in result.stdout
    assert state_of(sample_project, TITLE) is State.TRANSLATED


def test_two_step_signed_off_with_by_writes_an_approval(sample_project: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    two_step(sample_project)
    path = export(sample_project)
    tree = load(path)
    set_target(unit_for(tree, sample_project, HEADING_1), "1. Déclaration générale", state="signed-off")
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)), "--by", "Marie Curie")
    assert result.exit_code == 0, result.stdout
    assert ": approved" in result.stdout and "locale/fr/approvals.tsv" in result.stdout
    entry = entry_starting(sample_project, HEADING_1)
    assert entry.msgstr == "1. Déclaration générale" and "fuzzy" not in entry.flags
    approvals = read_approvals(sample_project / "locale/fr/approvals.tsv")
    (approval,) = approvals.entries.values()
    assert (approval.catalog, approval.digest, approval.by, approval.date) == (
        RELEASE, entry_digest(entry), "Marie Curie", "2023-11-14",
    )  # fmt: skip
    text = (sample_project / "locale/fr/approvals.tsv").read_text(encoding="utf-8")
    assert f"{RELEASE}\t{entry_digest(entry)}\tMarie Curie\t2023-11-14\n" in text


def test_a_name_signed_off_is_approved_in_the_names_catalog(sample_project: Path):
    two_step(sample_project)
    path = export(sample_project)
    tree = load(path)
    names = tree.getroot().findall(X + "file")[-1]
    assert names.get("original") == "names.po" and names.get("datatype") == "plaintext"
    unit = next(u for u in names.iter(X + "trans-unit") if u.get("resname") == "org:WIPO:short")
    set_target(unit, "OMPI", state="signed-off")
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)), "--by", "Marie Curie")
    assert result.exit_code == 0 and " unit(s): 0 applied, 1 approved" in result.stdout, result.stdout
    entry = index_entries(read_catalog(sample_project / "locale/fr/LC_MESSAGES/names.po"))["org:WIPO:short", "WIPO"]
    approvals = read_approvals(sample_project / "locale/fr/approvals.tsv")
    assert approvals.of("names", entry) is not None and approvals.of("names", entry).by == "Marie Curie"


def test_a_catalog_changed_since_export_is_a_conflict(sample_project: Path):
    path = export(sample_project)
    catalog = read_catalog(sample_project / FR_PO)
    next(e for e in catalog if e.msgid.startswith(HEADING_1)).msgstr = "1. Changé par un traducteur"
    write_catalog(sample_project / FR_PO, catalog)
    tree = load(path)
    set_target(unit_for(tree, sample_project, HEADING_1), "1. Version de l’agence", state="signed-off")
    set_target(unit_for(tree, sample_project, TITLE), "La coopération internationale avance")
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 1
    assert f"{RELEASE}#4: conflict: the translation in the catalog changed since export" in result.stdout
    heading = entry_starting(sample_project, HEADING_1)
    assert heading.msgstr == "1. Changé par un traducteur" and "fuzzy" in heading.flags  # nothing applied
    assert entry_starting(sample_project, TITLE).msgstr == "La coopération internationale avance"  # the rest applied


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('Il a présenté l’<g id="2">inventaire</g> (GXTI) du <x id="1"/>.', "lost <x3/>"),  # a lost <x/>
        ('l’<g id="2">inventaire</g> du <x id="1"/>, <x id="3"/> et <x id="3"/>.', "repeats the placeholder <x3/>"),
        ('l’inventaire du <x id="1"/> et <x id="3"/>.', "lost <g2>"),  # the <g> dropped, its words kept
        ('l’<g id="2">inventaire du <x id="1"/> et <x id="3"/>.</g><g id="2">x</g>', "repeats"),
        ('<g id="2">inventaire</g> du <x id="1"/>, <x id="3"/>, <x id="4"/>.', "was not sent: '<x4/>'"),  # invented
        ('<g id="2">inventaire <x id="1"/> et <x id="3"/></g> {org:WIPO}.', "adds a token"),  # a token typed as text
        ('<g id="2">inventaire</g> du <x id="1"/> et <x id="3"/> &lt;x1/&gt;', "typed as text"),
        ('<it id="1" pos="open">x</it> <g id="2">inventaire</g> <x id="1"/> <x id="3"/>', "inline element <it>"),
    ],
)
def test_a_target_that_breaks_an_inline_element_is_rejected(sample_project: Path, content: str, why: str):
    path = export(sample_project)
    tree = load(path)
    set_target(unit_for(tree, sample_project, LIST_21), content)
    set_target(unit_for(tree, sample_project, TITLE), "La coopération internationale avance")
    before = entry_starting(sample_project, LIST_21).msgstr
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if ": rejected: " in line)
    assert f"{RELEASE}#7: rejected:" in line and why in line
    assert entry_starting(sample_project, LIST_21).msgstr == before
    assert entry_starting(sample_project, TITLE).msgstr == "La coopération internationale avance"


def test_a_target_that_fails_a_check_with_an_error_is_rejected(sample_project: Path):
    glossary = sample_project / "locale/fr/LC_MESSAGES/glossary.po"
    glossary.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n#, glossary-strict\n'
                        'msgid "一般演説"\nmsgstr "déclaration générale"\n', encoding="utf-8")  # fmt: skip
    path = export(sample_project)
    tree = load(path)
    set_target(unit_for(tree, sample_project, HEADING_1), "1. Discours à l’Assemblée", state="signed-off")
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 1 and "rejected: correction rejected: glossary" in result.stdout
    assert entry_starting(sample_project, HEADING_1).msgstr == "1. Déclaration générale à l’Assemblée générale"


def test_grammatical_forms_survive_an_edit(sample_project: Path):
    """A translation asking for a form of a name ({org:WIPO|gen}) keeps it when its target is edited."""
    catalog = read_catalog(sample_project / FR_PO)
    entry = next(e for e in catalog if e.msgid == SUBTITLE)
    entry.msgstr = "Résultats des assemblées {org:WIPO:short|gen}"
    write_catalog(sample_project / FR_PO, catalog)
    names = sample_project / "locale/fr/LC_MESSAGES/names.po"
    names.write_text(names.read_text(encoding="utf-8") + '\nmsgctxt "org:WIPO:short|gen"\nmsgid "WIPO"\n'
                     'msgstr "de l’OMPI"\n', encoding="utf-8")  # fmt: skip
    path = export(sample_project)
    tree = load(path)
    set_target(unit_for(tree, sample_project, SUBTITLE), 'Les résultats des assemblées <x id="1"/>')
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 0, result.stdout
    assert entry_starting(sample_project, SUBTITLE).msgstr == "Les résultats des assemblées {org:WIPO:short|gen}"


# --- bad input: one message at its line, exit 2, nothing changed -----------------------------------


def _replace(old: str, new: str, count: int = 1):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


def _swap_first_two_ids(text: str) -> str:
    ids = re.findall(r'<trans-unit id="([0-9a-f]{12})"', text)
    return text.replace(ids[0], "TMP").replace(ids[1], ids[0]).replace("TMP", ids[1])


def _duplicate_first_id(text: str) -> str:
    ids = re.findall(r'<trans-unit id="([0-9a-f]{12})"', text)
    return text.replace(f'id="{ids[1]}"', f'id="{ids[0]}"')


BAD = {
    "not xml": (lambda text: text[:200], "not well-formed XML"),
    "another root": (
        lambda text: '<?xml version="1.0"?>\n<tmx version="1.4"><body/></tmx>\n',
        "the root element is <tmx>",
    ),
    "xliff 2.0": (
        lambda text: (
            '<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="ja"/>'
        ),
        "XLIFF 2.x is not supported yet",
    ),
    "xliff 1.1": (_replace('version="1.2"', 'version="1.1"'), "not XLIFF 1.2"),
    "doctype": (_replace("<xliff ", '<!DOCTYPE xliff [<!ENTITY e "boom">]>\n<xliff '), "DTD or an entity"),
    "entity only": (_replace("<xliff ", '<!ENTITY e SYSTEM "file:///etc/passwd">\n<xliff '), "DTD or an entity"),
    "another project": (
        _replace('tp:project="JPO news releases (transpub sample)"', 'tp:project="Other"', 2),
        "exported from project 'Other'",
    ),
    "another language": (
        lambda text: text.replace('tp:lang="fr"', 'tp:lang="de"').replace(
            'target-language="fr"', 'target-language="de"'
        ),
        "language 'de', which is not a target language",
    ),
    "mismatched target-language": (_replace('target-language="fr"', 'target-language="ar"'), "target-language 'ar'"),
    "not from transpub": (_replace(' tp:format="1"', ""), "was not exported by transpub"),
    "unknown id": (
        lambda text: re.sub(r'<trans-unit id="[0-9a-f]{12}"', '<trans-unit id="seg-1"', text, count=1),
        "unknown trans-unit id 'seg-1'",
    ),
    "duplicated id": (_duplicate_first_id, "is duplicated (first at line"),
    "mismatched ids": (_swap_first_two_ids, "its <source> is not the source text of the segment with this id"),
    "unknown file": (_replace(f'original="{RELEASE}"', 'original="2099-01-01-nothing"'), "unknown <file original="),
    "utf-32 with a dtd": (None, "DTD or an entity"),
    "latin-1": (lambda text: text.replace("encoding='UTF-8'", "encoding='ISO-8859-1'"), "read in UTF-8 or UTF-16"),
    "bookkeeping removed": (lambda text: re.sub(r' tp:msgstr="[0-9a-f]+"', "", text, count=1), "lacks transpub's"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_message_at_its_line_and_changes_nothing(sample_project: Path, case: str):
    edit, message = BAD[case]
    path = export(sample_project)
    if edit is None:  # an encoding the byte search does not look for: the parser's doctype is the second wall
        text = path.read_text(encoding="utf-8").replace("encoding='UTF-8'", "encoding='UTF-32'")
        path.write_bytes(text.replace("<xliff ", '<!DOCTYPE xliff [<!ENTITY e "boom">]>\n<xliff ').encode("utf-32"))
    else:
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = tree_digest(sample_project / "locale")
    result = run_cli(sample_project, "xliff", "import", str(path), "--by", "R")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert re.match(rf"transpub: error: {re.escape(str(path))}(:\d+)?: ", lines[0]), lines[0]
    assert re.match(rf"transpub: error: {re.escape(str(path))}:\d+: ", lines[0]), "the message names the line"
    assert tree_digest(sample_project / "locale") == before


def test_an_oversized_file_is_refused_before_reading(sample_project: Path, monkeypatch):
    path = export(sample_project)
    monkeypatch.setattr(xliff_module, "MAX_XLIFF_BYTES", 1000)
    monkeypatch.setattr(xliff_module, "parse_xliff", lambda *args: pytest.fail("parsed an oversized file"))
    before = tree_digest(sample_project / "locale")
    result = run_cli(sample_project, "xliff", "import", str(path))
    assert result.exit_code == 2 and "the XLIFF file is larger than 1000 bytes: refused" in result.stderr
    assert tree_digest(sample_project / "locale") == before


def test_an_entity_in_utf16_is_refused(sample_project: Path):
    path = export(sample_project)
    text = path.read_text(encoding="utf-8").replace("UTF-8", "UTF-16")
    text = text.replace("<xliff ", '<!DOCTYPE x [<!ENTITY a "b">]>\n<xliff ')
    path.write_bytes(text.encode("utf-16-le"))
    result = run_cli(sample_project, "xliff", "import", str(path))
    assert result.exit_code == 2 and "DTD or an entity" in result.stderr and f"{path}:2:" in result.stderr


# --- a real client ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_translate_toolkit_xliff2po_reads_every_unit(sample_project: Path, tmp_path: Path):
    path = export(sample_project)
    out = tmp_path / "tt.po"
    xliff2po = Path(sys.executable).parent / "xliff2po"
    if not xliff2po.exists():
        pytest.skip("Translate Toolkit (test extra) is not installed")
    result = subprocess.run([str(xliff2po), str(path), str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower() and "traceback" not in result.stderr.lower()
    assert "warning" not in result.stderr.lower(), result.stderr  # e.g. units merged as duplicates
    units = list(load(path).getroot().iter(X + "trans-unit"))
    converted = [e for e in polib.pofile(str(out)) if e.msgid]
    assert len(converted) == len(units) > 0  # no unit lost or merged
    translated = [u for u in units if "".join(u.find(X + "target").itertext())]
    assert len([e for e in converted if e.msgstr]) == len(translated)
    if shutil.which("msgfmt") is not None:
        assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(out)], check=False).returncode == 0


SCHEMAS = Path("/usr/share/php/Symfony/Component/Translation/Resources/schemas")  # Debian php-symfony-translation


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["one-step", "two-step"])
def test_export_validates_against_the_xliff_12_strict_schema(sample_project: Path, tmp_path: Path, policy: str):
    schema_path = SCHEMAS / "xliff-core-1.2-strict.xsd"
    if not schema_path.is_file():
        pytest.skip("xliff-core-1.2-strict.xsd (Debian package php-symfony-translation) is not installed")

    class Local(etree.Resolver):
        def resolve(self, url, _id, context):  # the schema imports xml.xsd from the W3C: use the local copy
            if url.endswith("xml.xsd"):
                return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
            return None

    # the strict schema demands a declaration of every non-XLIFF attribute: transpub's, declared here
    (tmp_path / "tp.xsd").write_text(
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{TP}">'
        + "".join(f'<xs:attribute name="{name}" type="xs:string"/>'
                  for name in ("project", "lang", "format", "row", "state", "msgstr", "target"))
        + "</xs:schema>", encoding="utf-8")  # fmt: skip
    (tmp_path / "both.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<xs:import namespace="{NS}" schemaLocation="{schema_path}"/>'
        f'<xs:import namespace="{TP}" schemaLocation="{tmp_path / "tp.xsd"}"/></xs:schema>',
        encoding="utf-8",
    )
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "both.xsd"), parser))
    if policy == "two-step":
        two_step(sample_project)
    for lang in ("fr", "ar", "en"):
        document = load(export(sample_project, lang))
        assert schema.validate(document), "\n".join(str(error) for error in schema.error_log)


# --- OmegaT (Debian's 3.6, console mode): a real CAT tool reads the export and writes it back ------------

CAPTION = "長官による一般演説({org:WIPO:short}加盟国総会)"  # untranslated in the sample
MEMORY_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="test" creationtoolversion="1" segtype="paragraph" o-tmf="PO"
  adminlang="en" srclang="ja" datatype="plaintext"/><body><tu>
  <tuv xml:lang="ja"><seg>長官による一般演説(<ph x="1">{org:WIPO:short}</ph>加盟国総会)</seg></tuv>
  <tuv xml:lang="fr"><seg>Déclaration du commissaire (assemblées de l’<ph x="1">{org:WIPO:short}</ph>)</seg></tuv>
</tu></body></tmx>
"""


def run_omegat(tmp_path: Path, xlf: Path, memory: str | None = None) -> Path:
    return omegat_client.run_omegat(tmp_path, xlf, source="ja", target="fr",
                                    memory=None if memory is None else memory.encode("utf-8"))  # fmt: skip


@pytest.mark.slow
def test_omegat_fills_an_untranslated_unit_from_a_memory_and_import_restores_its_token(sample_project, tmp_path):
    path = export(sample_project, "fr", "--inline", "native", "--copy-source")
    out = run_omegat(tmp_path, path, MEMORY_TMX)
    result = run_cli(sample_project, "xliff", "import", str(out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 applied" in result.stdout and " 0 rejected" in result.stdout  # the rest came back as exported
    caption = entries(sample_project)[CAPTION]
    assert caption.msgstr == "Déclaration du commissaire (assemblées de l’{org:WIPO:short})"
    assert entry_state(caption) is State.MACHINE  # OmegaT leaves state="new": a suggestion to review


@pytest.mark.slow
def test_omegat_writes_x_and_g_back_as_exported(sample_project, tmp_path):
    before = tree_digest(sample_project / "locale")
    out = run_omegat(tmp_path, export(sample_project))
    result = run_cli(sample_project, "xliff", "import", str(out))
    assert result.exit_code == 0 and "no catalog changed" in result.stdout, result.stdout
    assert tree_digest(sample_project / "locale") == before


def test_native_codes_and_copied_sources_come_back_unchanged_or_checked(sample_project: Path):
    path = export(sample_project, "fr", "--inline", "native", "--copy-source")
    tree = load(path)
    unit = unit_for(tree, sample_project, PARAGRAPH_18)
    target = unit.find(X + "target")
    assert target.get("state") == "new" and "".join(target.itertext()) == "".join(unit.find(X + "source").itertext())
    assert [e.tag for e in unit.find(X + "source")] == [X + "ph", X + "bpt", X + "ept", X + "ph"]
    assert unit.find(f"{X}source/{X}ept").text == "](https://sdgs.un.org/goals)"
    before = tree_digest(sample_project / "locale")
    result = run_cli(sample_project, "xliff", "import", str(path))
    assert result.exit_code == 0 and "no catalog changed" in result.stdout  # a copied source is no translation
    assert tree_digest(sample_project / "locale") == before
    # a translation with native codes: their content is taken from the source, whatever the tool wrote in them
    set_target(unit, 'Au nom du <ph id="1">{country:XX}</ph>, les <bpt id="2">[</bpt>ODD<ept id="2">](x)</ept> '
                     'et l’<ph id="3"/>.')  # fmt: skip
    set_target(
        unit_for(tree, sample_project, LIST_21), 'l’<bpt id="2">**</bpt>inventaire du <ph id="1"/> et <ph id="3"/>.'
    )
    result = run_cli(sample_project, "xliff", "import", str(save(tree, path)))
    assert result.exit_code == 1 and f"{RELEASE}#7: rejected: inline tags:" in result.stdout  # an <ept> lost
    assert entry_starting(sample_project, PARAGRAPH_18).msgstr == (
        "Au nom du {country:JP}, les [ODD](https://sdgs.un.org/goals) et l’{org:WIPO:short}."
    )


def test_export_is_reproducible_and_refuses_the_source_language(sample_project: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = export(sample_project).read_bytes()
    assert b'date="2023-11-14T22:13:20Z"' in first
    assert export(sample_project).read_bytes() == first
    result = run_cli(sample_project, "xliff", "export", "--lang", "ja", "-o", str(sample_project.parent / "ja.xlf"))
    assert result.exit_code == 2 and "ja is the source language" in result.stderr
    assert not (sample_project.parent / "ja.xlf").exists()
