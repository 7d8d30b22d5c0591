"""Grammatical forms of names, Fluent-style inside gettext: a translation may write {org:WIPO|gen}; the form
is defined once per language in names.po (msgctxt "org:WIPO|gen") and reused by every release."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
from conftest import run_cli

RELEASE = "2023-07-18-wipo-assemblies"
GENITIVE = "der Weltorganisation für geistiges Eigentum"


def _german(project: Path) -> Path:
    config = project / "transpub.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('languages = ["en", "fr", "ar"]', 'languages = ["en", "fr", "ar", "de"]'), encoding="utf-8")
    assert run_cli(project, "update", "--lang", "de").exit_code == 0
    # a German translator translates everything from the English, and inflects WIPO in one sentence
    english = {e.msgid: e.msgstr for e in polib.pofile(str(project / f"locale/en/LC_MESSAGES/{RELEASE}.po"))}
    for name in (f"{RELEASE}.po", "names.po"):
        path = project / "locale/de/LC_MESSAGES" / name
        po = polib.pofile(str(path))
        source = english if name != "names.po" else {e.msgid: e.msgstr for e in polib.pofile(str(project / "locale/en/LC_MESSAGES/names.po"))}
        for entry in po:
            entry.msgstr = entry.msgstr or source.get(entry.msgid, "") or entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(path))
    return project


def _use_the_genitive(project: Path) -> str:
    path = project / f"locale/de/LC_MESSAGES/{RELEASE}.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid.startswith("{date:2023-07-06}、{org:WIPO}"))
    entry.msgstr = re.sub(r"\{org:WIPO\}", "{org:WIPO|gen}", entry.msgstr, count=1)
    assert "{org:WIPO|gen}" in entry.msgstr
    po.save(str(path))
    return entry.msgid


def _status(project: Path) -> dict:
    return json.loads(run_cli(project, "status", "--lang", "de", "--json").stdout)[0]


def test_a_form_is_added_to_names_po_checked_required_and_rendered(sample_project: Path):
    project = _german(sample_project)
    assert _status(project)["publishable"], _status(project)["reason"]
    _use_the_genitive(project)

    # undefined: an error naming the entry to fill, and the page does not publish
    check = run_cli(project, "check", "--lang", "de")
    assert check.exit_code == 1 and 'form-undefined' in check.stdout and 'fill msgctxt "org:WIPO|gen" in names.po' in check.stdout
    assert not _status(project)["publishable"]

    # update adds the entry (msgid: the name in the source language); a translator fills it
    assert run_cli(project, "update", "--lang", "de").exit_code == 0
    names_path = project / "locale/de/LC_MESSAGES/names.po"
    names = polib.pofile(str(names_path))
    (form,) = [e for e in names if e.msgctxt == "org:WIPO|gen"]
    assert form.msgid == "世界知的所有権機関" and form.msgstr == ""
    form.msgstr = GENITIVE
    form.flags.append("fuzzy")  # filled, not yet reviewed
    names.save(str(names_path))
    assert run_cli(project, "check", "--lang", "de").exit_code == 0
    row = _status(project)
    assert not row["publishable"] and "name(s) in names.po not reviewed" in row["reason"]

    form.flags.remove("fuzzy")
    names.save(str(names_path))
    assert _status(project)["publishable"]
    assert run_cli(project, "build", "--lang", "de").exit_code == 0
    page = (project / f"outputs/de/{RELEASE}.html").read_text(encoding="utf-8")
    assert f"{GENITIVE} (WIPO)" in page and "{org:WIPO|gen}" not in page


def test_a_form_in_a_source_is_an_error_with_file_and_line(sample_project: Path):
    source = sample_project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("{org:WIPO}の第64回", "{org:WIPO|gen}の第64回", 1), encoding="utf-8")
    result = run_cli(sample_project, "update")
    assert result.exit_code == 2
    assert re.search(rf"sources/{RELEASE}\.md:\d+: \{{org:WIPO\|gen\}}: grammatical forms belong to translations", result.stderr)


def test_a_list_stays_in_the_nominative(sample_project: Path):
    project = _german(sample_project)
    path = project / f"locale/de/LC_MESSAGES/{RELEASE}.po"
    po = polib.pofile(str(path))
    entry = next(e for e in po if "{list:" in e.msgstr)
    entry.msgstr = re.sub(r"\{list:([^}]*)\}", r"{list:\1|gen}", entry.msgstr)
    po.save(str(path))
    check = run_cli(project, "check", "--lang", "de")
    assert check.exit_code == 1 and "form-invalid" in check.stdout and "stays in the nominative" in check.stdout


def test_update_reports_a_form_entry_that_names_nothing(sample_project: Path):
    project = _german(sample_project)
    path = project / "locale/de/LC_MESSAGES/names.po"
    po = polib.pofile(str(path))
    po.append(polib.POEntry(msgctxt="org:NOPE|gen", msgid="なし", msgstr="des Nichts"))
    po.save(str(path))
    result = run_cli(project, "update", "--lang", "de")
    assert result.exit_code == 0, result.stderr
    assert re.search(r'note: locale/de/LC_MESSAGES/names\.po:\d+: msgctxt "org:NOPE\|gen" is a form of no name', result.stderr)
    (entry,) = [e for e in polib.pofile(str(path)) if e.msgctxt == "org:NOPE|gen"]
    assert entry.obsolete and entry.msgstr == "des Nichts"  # kept, never lost
