"""The README's workflow, end to end on the sample project: pretranslate -> review export -> edit -> review
import -> check -> status -> build, with the real LibreTranslate client against the test suite's server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cldr_says as says
from conftest import msgfmt_check, run_cli
from docx import Document
from libretranslate_server import FakeLibreTranslate

from transpub.review.reading import cell_text

RELEASE = "2023-07-18-wipo-assemblies"


def test_pretranslate_review_check_build(sample_project: Path, tmp_path: Path):
    project = sample_project
    with FakeLibreTranslate() as server:
        config = project / "transpub.toml"
        config.write_text(re.sub(r'url = "[^"]*"', f'url = "{server.url}"', config.read_text(encoding="utf-8")), encoding="utf-8")

        assert run_cli(project, "update").exit_code == 0
        result = run_cli(project, "pretranslate", "--lang", "fr")
        assert result.exit_code == 0, result.stderr
        assert server.request_count > 0

    # French is now fully translated, partly unreviewed: not publishable yet
    rows = json.loads(run_cli(project, "status", "--lang", "fr", "--json").stdout)
    assert rows[0]["untranslated"]["segments"] == 0 and not rows[0]["publishable"]

    review = tmp_path / "review-fr.docx"
    assert run_cli(project, "review", "export", "--lang", "fr", "-o", str(review)).exit_code == 0

    # the reviewer: corrects the first machine translation (keeping its tokens) and approves every row
    doc = Document(str(review))
    header = [cell_text(c).strip().lower() for c in doc.tables[0].rows[0].cells]
    state_column = next(i for i, name in enumerate(header) if name.startswith("state"))
    translation_column = next(i for i, name in enumerate(header) if name.startswith("translation"))
    corrected = False
    for table in doc.tables:
        for row in table.rows[1:]:
            cells = row.cells
            text = cell_text(cells[translation_column])
            if not corrected and text.startswith("[fr] "):
                cells[translation_column].paragraphs[0].text = "Corrigé par la relectrice : " + text[len("[fr] "):]
                corrected = True
            cells[state_column].paragraphs[0].text = "approved"
    assert corrected, "no machine-translated row to correct"
    doc.save(str(review))

    result = run_cli(project, "review", "import", str(review))
    assert result.exit_code == 0, result.stdout + result.stderr
    po_text = (project / f"locale/fr/LC_MESSAGES/{RELEASE}.po").read_text(encoding="utf-8")
    assert "Corrigé par la relectrice : " in po_text
    msgfmt_check(project / f"locale/fr/LC_MESSAGES/{RELEASE}.po")

    check = run_cli(project, "check", "--lang", "fr")
    assert check.exit_code == 0, check.stdout

    rows = json.loads(run_cli(project, "status", "--lang", "fr", "--json").stdout)
    assert rows[0]["publishable"], rows[0]["reason"]

    built = run_cli(project, "build", "--lang", "fr")
    assert built.exit_code == 0, built.stderr
    page = (project / f"outputs/fr/{RELEASE}.html").read_text(encoding="utf-8")
    assert says.long_date("2023-07-18", "fr") in page and "Corrigé par la relectrice" in page
    assert (project / f"outputs/fr/{RELEASE}.docx").is_file()
    # the English page now links to the French version
    run_cli(project, "build", "--lang", "en")
    assert 'hreflang="fr"' in (project / f"outputs/en/{RELEASE}.html").read_text(encoding="utf-8")
