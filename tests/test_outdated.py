"""A corrected source: the published translations it outdates are marked, taken down or kept, as
``[publish] outdated`` says, and every build reports them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import polib
from conftest import run_cli, tree_digest

from transpub.localize.ui import UI_KEYS, UI_TEXT

RELEASE = "2023-07-18-wipo-assemblies"
PAGE = f"en/{RELEASE}.html"
DOCUMENT = f"en/{RELEASE}.docx"


def _publish(project: Path, outdated: str | None) -> dict[str, str]:
    if outdated is not None:
        config = project / "transpub.toml"
        config.write_text(config.read_text(encoding="utf-8") + f'\n[publish]\noutdated = "{outdated}"\n', encoding="utf-8")
    result = run_cli(project, "build")
    assert result.exit_code == 0, result.output
    return tree_digest(project / "outputs")


def _correct_source(project: Path) -> None:
    source = project / "sources" / f"{RELEASE}.md"
    text = source.read_text(encoding="utf-8")
    assert "第64回加盟国総会が" in text
    source.write_text(text.replace("第64回加盟国総会が", "第64回加盟国総会（訂正）が"), encoding="utf-8")
    result = run_cli(project, "update")
    assert result.exit_code == 0, result.output


def _build(project: Path):
    result = run_cli(project, "build")
    assert result.exit_code == 0, result.output
    return result


def test_mark_keeps_the_last_published_page_with_a_notice_in_its_language(sample_project: Path):
    _publish(sample_project, None)  # "mark" is the default
    outputs = sample_project / "outputs"
    page_before = (outputs / PAGE).read_text(encoding="utf-8")
    document_before = docx.Document(io.BytesIO((outputs / DOCUMENT).read_bytes()))
    _correct_source(sample_project)
    result = _build(sample_project)
    assert f"outdated {RELEASE} [en]: its source changed since it was published; kept with a notice" in result.stderr
    page = (outputs / PAGE).read_text(encoding="utf-8")
    notice = re.search(r'<p class="outdated"[^>]*lang="en"[^>]*>(.*?)</p>', page)
    assert notice and UI_TEXT["en"]["outdated"] in notice.group(1)
    assert f'href="../ja/{RELEASE}.html"' in notice.group(1)
    assert re.sub(r'\n<p class="outdated".*?</p>', "", page, flags=re.S) == page_before  # the reviewed version, unchanged
    document = docx.Document(io.BytesIO((outputs / DOCUMENT).read_bytes()))
    assert document.paragraphs[0].text.startswith(UI_TEXT["en"]["outdated"])
    assert [p.text for p in document.paragraphs[1:]] == [p.text for p in document_before.paragraphs]
    assert (outputs / "en/index.html").is_file() and (outputs / "en/images/assembly.png").is_file()  # the page's index and images stay

    # again: still reported, nothing written, decided without the lock (another process holds it)
    from transpub.build import build
    from transpub.config import load_project
    from transpub.fsutil import project_lock

    marked = tree_digest(outputs)
    again = _build(sample_project)
    assert "outdated" in again.stderr and "0 page(s) rendered" in again.stdout and "wrote" not in again.stdout
    with project_lock(sample_project):
        report = build(load_project(sample_project), jobs=1)
    assert [(o.release, o.lang, o.action, o.changed) for o in report.outdated] == [(RELEASE, "en", "mark", False)]
    assert tree_digest(outputs) == marked


def test_the_notice_in_the_word_document_links_the_original(sample_project: Path):
    _publish(sample_project, "mark")
    _correct_source(sample_project)
    _build(sample_project)
    data = (sample_project / "outputs" / DOCUMENT).read_bytes()
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text.startswith(UI_TEXT["en"]["outdated"])
    links = [rel.target_ref for rel in document.part.rels.values() if rel.reltype.endswith("/hyperlink")]
    assert f"https://www.example.go.jp/news/ja/{RELEASE}.html" in links
    # deterministic: marking the same published document again gives the same bytes
    from transpub.render.outdated import mark_document_outdated

    assert mark_document_outdated(data, "en", "ja", "https://x/", "ja/x.html") == data  # already marked


def test_withdraw_takes_the_outdated_page_down(sample_project: Path):
    _publish(sample_project, "withdraw")
    _correct_source(sample_project)
    result = _build(sample_project)
    outputs = sample_project / "outputs"
    assert f"outdated {RELEASE} [en]: its source changed since it was published; taken down" in result.stderr
    assert f"removed outputs/{PAGE}" in result.stdout and f"removed outputs/{DOCUMENT}" in result.stdout
    assert not (outputs / PAGE).exists() and not (outputs / DOCUMENT).exists()
    assert not (outputs / "en").exists()  # its index, feed and images went with it: nothing lists or shows them
    assert (outputs / f"ja/{RELEASE}.html").is_file()  # the original stays
    assert RELEASE not in (outputs / ".transpub-manifest.json").read_text(encoding="utf-8").split('"outputs"')[1].split('"pairs"')[0].replace(f"ja/{RELEASE}", "")


def test_keep_leaves_the_page_as_it_was_and_says_so(sample_project: Path):
    published = _publish(sample_project, "keep")
    _correct_source(sample_project)
    result = _build(sample_project)
    assert f"outdated {RELEASE} [en]: its source changed since it was published; kept as it was" in result.stderr
    after = tree_digest(sample_project / "outputs")
    for relative in (PAGE, DOCUMENT):
        assert after[relative] == published[relative]


def test_a_catalog_change_alone_outdates_nothing(sample_project: Path):
    """The notice says the original was updated: a translation made fuzzy again is only a skipped pair."""
    published = _publish(sample_project, "mark")
    catalog = sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po"
    po = polib.pofile(str(catalog))
    po.translated_entries()[0].flags.append("fuzzy")
    po.save(str(catalog))
    result = _build(sample_project)
    assert f"skipped {RELEASE} [en]" in result.stderr and "outdated" not in result.stderr
    assert tree_digest(sample_project / "outputs")[PAGE] == published[PAGE]


def test_every_built_in_language_has_the_notice():
    assert "outdated" in UI_KEYS
    for lang, words in UI_TEXT.items():
        assert words.get("outdated"), lang
    assert len({words["outdated"] for words in UI_TEXT.values()}) == len(UI_TEXT)  # each in its own language


def test_marking_is_deterministic_and_independent_of_build_order(sample_project: Path, tmp_path: Path):
    """Two projects, the same steps, the languages built together or one at a time: the same bytes."""
    import shutil

    twin = tmp_path / "twin"
    shutil.copytree(sample_project, twin)
    for project in (sample_project, twin):
        _publish(project, "mark")
        _correct_source(project)
    _build(sample_project)
    for lang in ("en", "ja", "fr", "ar"):
        result = run_cli(twin, "build", "--lang", lang)
        assert result.exit_code in (0, 1), result.output  # fr publishes nothing: exit 1
    one, other = tree_digest(sample_project / "outputs"), tree_digest(twin / "outputs")
    assert one == other
    assert UI_TEXT["en"]["outdated"] in (twin / "outputs" / PAGE).read_text(encoding="utf-8")
