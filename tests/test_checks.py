"""`transpub check`: one failing and one passing translation per check code, silencing, output formats."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import polib
import pytest
from conftest import run_cli

from transpub.catalogs.pofile import read_catalog, write_catalog
from transpub.catalogs.update import read_releases
from transpub.cli import main
from transpub.cli.review import check, review
from transpub.config import load_project
from transpub.localize.names import read_names
from transpub.review.checks import (
    CODES,
    CatalogContext,
    GlossaryTerm,
    Severity,
    ascii_digits,
    catalog_context,
    check_catalog,
    check_translation,
    numbers_in,
)
from transpub.review.reports import check_project

if "check" not in main.commands:
    main.add_command(check)
if "review" not in main.commands:
    main.add_command(review)

REPO = Path(__file__).resolve().parent.parent
RELEASE = "2023-07-18-wipo-assemblies"
SOURCE = f"sources/{RELEASE}.md"
LONG_JA = "知的財産分野における国際協力を前進させるため、各国の知的財産庁と二国間会合を重ねました。"
LONG_FR = (
    "Afin de faire progresser la coopération internationale dans le domaine de la propriété "
    "intellectuelle, des réunions bilatérales se sont tenues avec les offices de PI de nombreux pays."
)


@pytest.fixture(scope="module")
def fr() -> CatalogContext:
    """Checks in French for the repository's sample project (ja → fr, its names.po), plus a glossary."""
    project = load_project(REPO)
    glossary = (
        GlossaryTerm("知的財産", "propriété intellectuelle", strict=False),
        GlossaryTerm("協力覚書", "mémorandum de coopération", strict=True),
    )
    return dataclasses.replace(catalog_context(project, "fr"), glossary=glossary)


@pytest.fixture(scope="module")
def fr_forms(fr) -> CatalogContext:
    """French with one grammatical form defined in names.po: the genitive of WIPO's name."""
    entry = polib.POEntry(msgctxt="org:WIPO|gen", msgid="世界知的所有権機関", msgstr="de l’Organisation mondiale de la propriété intellectuelle")
    names = dataclasses.replace(fr.names, entries={**fr.names.entries, ("org:WIPO|gen", entry.msgid): entry})
    return dataclasses.replace(fr, names=names)


@pytest.fixture(scope="module")
def ja() -> CatalogContext:
    """Checks in Japanese for an English source (no project needed: punctuation, length)."""
    return CatalogContext("en", "ja", {})


def codes(context: CatalogContext, msgid: str, msgstr: str, flags=()) -> list[str]:
    return [issue.code for issue in check_translation(context, msgid, msgstr, flags)]


# (code, context, source, a translation that passes this check, one that fails it)
CASES = [
    ("token-missing", "fr", "{country:KZ}と会合を行いました。", "Réunion avec le {country:KZ}.", "Réunion avec le Kazakhstan."),
    ("token-missing", "fr", "{country:JP}と{country:JP}。", "{country:JP} et {country:JP}.", "{country:JP} et le Japon."),
    ("token-extra", "fr", "会合を行いました。", "Une réunion a eu lieu.", "Une réunion a eu lieu au {country:KZ}."),
    ("token-changed", "fr", "{country:KZ}と会合を行いました。", "Réunion avec le {country:KZ}.", "Réunion avec le {country:KX}."),
    # a grammatical form is the token itself ({org:WIPO|gen} stands for {org:WIPO}), if names.po defines it
    ("token-missing", "fr_forms", "{org:WIPO}の総会。", "L’assemblée {org:WIPO|gen}.", "L’assemblée de l’OMPI."),
    ("form-undefined", "fr_forms", "{org:WIPO}の総会。", "L’assemblée {org:WIPO|gen}.", "L’assemblée {org:WIPO|dat}."),
    ("form-invalid", "fr_forms", "{org:WIPO}の総会。", "L’assemblée {org:WIPO|gen}.", "L’assemblée {org:WIPO|}."),
    ("form-invalid", "fr_forms", "{org:WIPO}の総会。", "L’assemblée {org:WIPO|gen}.", "L’assemblée {org:WIPO|a|b}."),
    ("markup-missing", "fr", "**協力覚書**に署名しました。", "Un **mémorandum de coopération** a été signé.", "Un mémorandum de coopération a été signé."),
    ("markup-missing", "fr", "[SDGs](https://sdgs.un.org/goals)の達成。", "Atteindre les [ODD](https://sdgs.un.org/goals).", "Atteindre les ODD https://sdgs.un.org/goals."),
    ("markup-extra", "fr", "協力覚書に署名しました。", "Un mémorandum de coopération a été signé.", "Un *mémorandum de coopération* a été signé."),
    ("markup-broken", "fr", "**協力覚書**に署名しました。", "Un **mémorandum de coopération** a été signé.", "Un ** mémorandum de coopération** a été signé."),
    ("markup-broken", "fr", "[SDGs](https://sdgs.un.org/goals)の達成。", "Atteindre les [ODD](https://sdgs.un.org/goals).", "Atteindre les [ODD](https://sdgs.un.org/goals."),
    ("url-changed", "fr", "[SDGs](https://sdgs.un.org/goals)の達成。", "Atteindre les [ODD](https://sdgs.un.org/goals).", "Atteindre les [ODD](https://sdgs.un.org/fr/goals)."),
    ("url-changed", "fr", "詳細は https://www.wipo.int/ を参照。", "Voir https://www.wipo.int/.", "Voir le site de l’OMPI."),
    ("number-missing", "fr", "20を超える国と会合しました。", "Réunions avec plus de 20 pays.", "Réunions avec plus de vingt pays."),
    ("number-missing", "fr", "２０２５年の万博。", "L’Expo 2025.", "L’Expo de l’an prochain."),
    ("whitespace", "fr", "会合を行いました。", "Une réunion a eu lieu.", " Une réunion a eu lieu."),
    ("whitespace", "fr", "会合を行いました。", "Une réunion a eu lieu.", "Une réunion a eu lieu.\n"),
    ("double-space", "fr", "会合を行いました。", "Une réunion a eu lieu.", "Une réunion  a eu lieu."),
    ("identical", "fr", "知的財産の保護", "La protection de la propriété intellectuelle", "知的財産の保護"),
    ("punctuation", "fr", "会合を行いました。", "Une réunion a eu lieu.", "Une réunion a eu lieu。"),
    ("punctuation", "fr", "会合を行いました。", "Une réunion a eu lieu :", "Une réunion a eu lieu"),
    ("punctuation", "ja", "The meeting was held.", "会合が開催されました。", "会合が開催されました."),
    ("length-ratio", "fr", LONG_JA, LONG_FR, "Des réunions."),
    ("length-ratio", "fr", LONG_JA, LONG_FR, " ".join([LONG_FR] * 4)),
    ("org-name", "fr", "{org:WIPO}の総会。", "L’assemblée de l’{org:WIPO}.", "L’assemblée du 世界知的所有権機関."),
    ("org-name", "fr", "{org:WIPO:short}の総会。", "L’assemblée de l’{org:WIPO:short}.", "L’assemblée de la WIPO."),
    ("org-name", "fr", "{org:WIPO}の総会。", "L’assemblée de l’{org:WIPO}.", "L’assemblée de l’Organisation mondiale de la propriété intellectuelle."),
    ("org-name", "fr", "{org:WIPO}の総会。", "L’assemblée de l’{org:WIPO}.", "L’assemblée de l’Organisation Mondiale de la Propriete Intelectuelle."),
    ("glossary", "fr", "知的財産の保護", "La protection de la propriété intellectuelle", "La protection de la PI"),
    ("glossary", "fr", "協力覚書に署名しました。", "Un mémorandum de coopération a été signé.", "Un protocole d’accord a été signé."),
]  # fmt: skip


def test_every_code_has_a_failing_case():
    tested = {case[0] for case in CASES} | {"ignore-unknown"}
    assert tested == set(CODES)


@pytest.mark.parametrize("code, lang, source, good, bad", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_check_finds_the_bad_and_passes_the_good(request, code, lang, source, good, bad):
    context = request.getfixturevalue(lang)
    assert code in codes(context, source, bad), f"{code} missed in {bad!r}"
    assert code not in codes(context, source, good), f"{code} wrongly found in {good!r}"


def test_good_translations_are_clean(request):
    """The passing translations of the table pass every check, not just their own."""
    for code, lang, source, good, _bad in CASES:
        assert codes(request.getfixturevalue(lang), source, good) == [], (code, good)


def test_severities(fr):
    issues = {i.code: i.level for i in check_translation(fr, "{country:KZ}と会合。", "Réunion avec le Kazakhstan  。")}
    assert issues["token-missing"] is Severity.ERROR
    assert issues["double-space"] is Severity.WARNING
    strict = check_translation(fr, "協力覚書に署名しました。", "Un protocole d’accord a été signé.")
    assert [i.level for i in strict if i.code == "glossary"] == [Severity.ERROR]  # #, glossary-strict


def test_token_messages_name_the_token(fr):
    messages = [i.message for i in check_translation(fr, "{country:KZ}と{org:WIPO}。", "Le Kazakhstan et {org:WIPO}.")]
    assert "translation lacks {country:KZ}" in messages


def test_moving_tokens_and_markup_is_fine(fr):
    source = "{date:2023-07-06}、{org:WIPO}の**第64回**[総会](https://www.wipo.int/)が{country:CH}で開幕しました。"
    moved = "La [**64e** assemblée](https://www.wipo.int/) de l’{org:WIPO} s’est ouverte en {country:CH} le {date:2023-07-06}."
    assert codes(fr, source, moved) == []


def test_escaped_markup_characters_are_not_broken_markup(fr):
    assert "markup-broken" not in codes(fr, "注意事項", "Remarque \\* importante")


def test_numbers_are_normalized_across_scripts():
    assert ascii_digits("２０２５年 ٢٠٢٥ ۲۰۲۵ २०२५") == "2025年 2025 2025 2025"
    assert numbers_in("１,０００件と3.5%") == numbers_in("1 000 cas et 3,5 %") == {"1000", "35"}
    assert numbers_in("二国間会合、十回") == set()  # Japanese numerals are words, not digits
    assert numbers_in("٢٠ دولة") == {"20"}


def test_numbers_in_arabic_indic_digits_match(fr):
    context = CatalogContext("ja", "ar", fr.organizations, fr.names)
    assert "number-missing" not in codes(context, "20を超える国と会合しました。", "اجتماعات مع أكثر من ٢٠ دولة.")
    assert "number-missing" in codes(context, "20を超える国と会合しました。", "اجتماعات مع دول كثيرة.")


def test_segments_of_only_tokens_codes_or_acronyms_may_stay_identical(fr):
    for text in ("{country:KZ}", "{date:2023-07-06} 2023", "WIPO", "`transpub build`", "GXTI (G7)"):
        assert "identical" not in codes(fr, text, text), text


def test_punctuation_only_when_the_source_ends_a_sentence(fr):
    assert "punctuation" not in codes(fr, "二国間会合の相手方(会合順)", "Partenaires des réunions bilatérales")
    assert "punctuation" not in codes(fr, "演説の主な内容は次のとおりです。", "Voici les principaux points :")


def test_short_segments_are_not_length_checked(fr):
    assert "length-ratio" not in codes(fr, "報道発表", "Communiqués de presse publiés par l’Office japonais des brevets")


def test_abbreviation_that_names_po_keeps_is_not_an_org_name_problem():
    project = load_project(REPO)
    en = catalog_context(project, "en")  # en names.po keeps WIPO as "WIPO"
    assert "org-name" not in codes(en, "{org:WIPO:short}加盟国総会(WIPOウェブサイト)", "{org:WIPO:short} Assemblies (WIPO website)")


# --- silencing ------------------------------------------------------------------------------------


def test_a_flag_silences_one_warning_on_one_entry(fr):
    bad = "Des réunions."
    assert "length-ratio" in codes(fr, LONG_JA, bad)
    assert "length-ratio" not in codes(fr, LONG_JA, bad, ["fuzzy", "transpub-ignore:length-ratio"])
    # other warnings of the same entry stay
    assert "double-space" in codes(fr, LONG_JA, "Des  réunions.", ["transpub-ignore:length-ratio"])


def test_errors_cannot_be_silenced(fr):
    issues = check_translation(fr, "{country:KZ}と会合。", "Réunion.", ["transpub-ignore:token-missing"])
    missing = [i for i in issues if i.code == "token-missing"]
    assert missing and missing[0].level is Severity.ERROR
    assert "cannot be silenced" in missing[0].message


def test_an_unknown_ignore_code_is_reported(fr):
    assert "ignore-unknown" in codes(fr, "会合。", "Réunion.", ["transpub-ignore:lenght-ratio"])


# --- on the sample project --------------------------------------------------------------------------


def _edit_entry(project_dir: Path, lang: str, line: int, msgstr: str | None = None, flags=None) -> None:
    path = project_dir / f"locale/{lang}/LC_MESSAGES/{RELEASE}.po"
    po = read_catalog(path)
    entry = next(e for e in po if e.occurrences and e.occurrences[0][1] == str(line))
    if msgstr is not None:
        entry.msgstr = msgstr
    if flags is not None:
        entry.flags = flags
    write_catalog(path, po)


def test_the_sample_project_has_no_errors(sample_project: Path):
    result = run_cli(sample_project, "check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("0 errors")


def test_check_lines_are_file_line_code_message(sample_project: Path):
    _edit_entry(sample_project, "fr", 20, "Il a présenté les initiatives que le Japon mène dans le domaine de la PI.")
    result = run_cli(sample_project, "check", "--lang", "fr")
    assert result.exit_code == 1
    assert f"{SOURCE}:20: token-missing: [fr] translation lacks {{country:JP}}" in result.stdout.splitlines()
    assert "1 error (token-missing ×1)" in result.stdout
    assert "[en]" not in result.stdout  # --lang fr only


def test_check_json(sample_project: Path):
    _edit_entry(sample_project, "fr", 20, "Il a présenté les initiatives que le Japon mène dans le domaine de la PI.")
    _edit_entry(sample_project, "en", 16, "1.  General statement at the General Assembly")
    result = run_cli(sample_project, "check", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errors"] == 1 and data["warnings"] == 1
    error = next(f for f in data["findings"] if f["severity"] == "error")
    assert error["code"] == "token-missing" and error["lang"] == "fr" and error["release"] == RELEASE
    assert error["source"] == {"path": SOURCE, "line": 20}
    assert error["po"]["path"] == f"locale/fr/LC_MESSAGES/{RELEASE}.po" and error["po"]["line"] > 1
    assert error["msgid"].startswith("知的財産分野において")
    warning = next(f for f in data["findings"] if f["severity"] == "warning")
    assert warning["code"] == "double-space" and warning["lang"] == "en"


def test_flag_in_the_po_file_silences_the_warning(sample_project: Path):
    _edit_entry(sample_project, "en", 16, "1.  General statement at the General Assembly")
    assert "double-space" in run_cli(sample_project, "check", "--lang", "en").stdout
    _edit_entry(sample_project, "en", 16, flags=["transpub-ignore:double-space"])
    result = run_cli(sample_project, "check", "--lang", "en")
    assert result.exit_code == 0 and "double-space" not in result.stdout


def test_flag_does_not_silence_an_error(sample_project: Path):
    _edit_entry(sample_project, "fr", 20, "Il a présenté les initiatives du Japon.", ["transpub-ignore:token-missing"])
    result = run_cli(sample_project, "check", "--lang", "fr", "--release", RELEASE)
    assert result.exit_code == 1
    assert "token-missing: [fr] translation lacks {country:JP} (errors cannot be silenced)" in result.stdout


def test_glossary_po_is_read(sample_project: Path):
    glossary = sample_project / "locale/fr/LC_MESSAGES/glossary.po"
    glossary.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: fr\\n"\n\n'
        '#, fuzzy\nmsgid "知的財産"\nmsgstr "PI"\n\n'
        'msgid "アクションプラン"\nmsgstr ""\n\n'
        '#, glossary-strict\nmsgid "加盟国総会"\nmsgstr "Assemblées des États membres"\n',
        encoding="utf-8",
    )
    report = check_project(load_project(sample_project), ["fr"])
    found = {(f.code, f.severity, f.source_line) for f in report.findings}
    assert ("glossary", Severity.WARNING, 10) in found  # a fuzzy glossary entry counts: the title lacks "PI"
    assert ("glossary", Severity.ERROR, 16) in found  # strict: "Assemblée générale" is not the term
    assert ("glossary", Severity.ERROR, 12) not in found  # "assemblées des États membres": case does not matter


def test_check_catalog_is_what_build_calls(sample_project: Path):
    project = load_project(sample_project)
    release = read_releases(project, RELEASE)[0]
    _edit_entry(sample_project, "fr", 30, "Le {org:JPO:short} a tenu des réunions en {month:2023-11}.")
    catalog = read_catalog(project.catalog_path("fr", RELEASE))
    findings = check_catalog(project, release, "fr", catalog, read_names(project, "fr"))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert {f.code for f in errors} == {"token-changed", "token-missing"}
    assert all(f.release == RELEASE and f.source_line == 30 for f in errors)
    assert errors[0].line_text().startswith(f"{SOURCE}:30: ")


def test_unknown_language_is_bad_usage(sample_project: Path):
    result = run_cli(sample_project, "check", "--lang", "qq")
    assert result.exit_code == 2 and "not in this project" in result.stderr


@pytest.mark.parametrize("path", [("check",), ("review",), ("review", "export"), ("review", "import")])
def test_help_has_an_example(path):
    result = run_cli(None, *path, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"transpub {' '.join(path)}" in result.stdout
