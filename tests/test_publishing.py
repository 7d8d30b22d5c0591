"""One publishing decision: `status`, `check` and `build` agree on every (release, language), and say why.

Every combination of an entry's review state, a check error in another (reviewed) entry and the state of
the publisher's name in names.po is set up in the sample project's English catalog; the three commands
are run through the real command line and must give the same answer, the same reason, and the answer the
rule in the README gives (every segment and name reviewed, no check error).
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import polib
import pytest
from conftest import run_cli

from transpub.catalogs.states import State, entry_state

RELEASE = "2023-07-18-wipo-assemblies"
STATES = [State.REVIEWED, State.MACHINE, State.CHANGED, State.UNTRANSLATED]


def _set_state(entry: polib.POEntry, state: State) -> None:
    if state is State.TRANSLATED:  # two-step: a person changed an approved text
        entry.msgstr += " (edited)"
        return
    if state is State.UNTRANSLATED:
        entry.msgstr = ""
    elif state in (State.MACHINE, State.CHANGED):
        entry.flags.append("fuzzy")
        if state is State.CHANGED:
            entry.previous_msgid = entry.msgid + " (old)"
    assert entry_state(entry) is state or state is State.TRANSLATED


def _prepare(project: Path, state: State, check_error: bool, names_reviewed: bool, policy: str = "one-step") -> None:
    if policy == "two-step":  # everything approved first; the changes below are made afterwards
        config = project / "transpub.toml"
        config.write_text(config.read_text(encoding="utf-8") + '\n[review]\npolicy = "two-step"\n', encoding="utf-8")
        assert run_cli(project, "approve", "--lang", "en", "--by", "Reviewer").exit_code == 0
    catalog_path = project / "locale/en/LC_MESSAGES" / f"{RELEASE}.po"
    po = polib.pofile(str(catalog_path), wrapwidth=0)
    entries = [e for e in po if not e.obsolete and e.msgid and e.msgstr]
    assert all(entry_state(e) is State.REVIEWED for e in entries), "the English sample is fully reviewed"
    plain = next(e for e in entries if "{" not in e.msgid)
    with_token = next(e for e in entries if "{date:" in e.msgid and e is not plain)
    _set_state(plain, state)
    if check_error:  # a reviewed translation that lost a token
        token = re.search(r"\{date:[^}]+\}", with_token.msgstr).group(0)
        with_token.msgstr = with_token.msgstr.replace(token, "soon")
    po.save(str(catalog_path))
    if not names_reviewed:
        names_path = project / "locale/en/LC_MESSAGES/names.po"
        names = polib.pofile(str(names_path), wrapwidth=0)
        publisher = next(e for e in names if e.msgctxt == "publisher")
        publisher.flags.append("fuzzy")
        names.save(str(names_path))


COMBINATIONS = [
    (policy, *combination)
    for policy, states in (("one-step", STATES), ("two-step", [*STATES, State.TRANSLATED]))
    for combination in itertools.product(states, [False, True], [True, False])
]


@pytest.mark.parametrize(
    ("policy", "state", "check_error", "names_reviewed"),
    COMBINATIONS,
    ids=[f"{p}-{s.value}-{'error' if e else 'clean'}-{'names' if n else 'names-unreviewed'}" for p, s, e, n in COMBINATIONS],
)
def test_status_check_and_build_agree(sample_project: Path, policy: str, state: State, check_error: bool, names_reviewed: bool):
    _prepare(sample_project, state, check_error, names_reviewed, policy)
    expected = state is State.REVIEWED and not check_error and names_reviewed

    status = run_cli(sample_project, "status", "--lang", "en", "--json")
    assert status.exit_code == 0, status.stderr
    (row,) = json.loads(status.stdout)

    check = run_cli(sample_project, "check", "--lang", "en", "--json")
    assert check.exit_code == (1 if check_error else 0), check.stderr
    (decision,) = json.loads(check.stdout)["publishing"]

    shutil.rmtree(sample_project / "outputs", ignore_errors=True)
    build = run_cli(sample_project, "build", "--lang", "en")
    published = (sample_project / "outputs/en" / f"{RELEASE}.html").is_file()

    assert row["publishable"] is decision["publishable"] is published is expected
    assert build.exit_code == (0 if expected else 1), build.stderr
    assert row["reason"] == decision["reason"]
    assert row["blockers"] == decision["blockers"]
    if not expected:
        assert f"skipped {RELEASE} [en]: {row['reason']}" in build.stderr
    codes = {blocker["code"] for blocker in row["blockers"]}
    wanted = {state.value} if state is not State.REVIEWED else set()
    wanted |= {"check-errors"} if check_error else set()
    if policy == "two-step" and check_error:
        wanted.add("translated")  # the broken text is a change of an approved one: not approved any more
    wanted |= {"names-unreviewed"} if not names_reviewed else set()
    assert codes == wanted


def test_status_prints_why_a_pair_does_not_publish(sample_project: Path):
    _prepare(sample_project, State.REVIEWED, True, True)
    result = run_cli(sample_project, "status", "--lang", "en")
    line = next(line for line in result.stdout.splitlines() if f"{RELEASE}  en" in line)
    assert " no " in line and "1 check error(s)" in line and "token-missing" in line
    check = run_cli(sample_project, "check", "--lang", "en")
    assert f"{RELEASE} [en]: does not publish: 1 check error(s)" in check.stdout
