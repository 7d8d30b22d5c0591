"""Incremental and parallel builds: content decides what is rebuilt, and a pool writes what a serial build writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, run_cli, tree_digest
from hypothesis import given, settings
from hypothesis import strategies as st

from transpub.build import build
from transpub.config import load_project

RELEASE = "2023-07-18-wipo-assemblies"


def _three_releases(project: Path) -> Path:
    source = (project / "sources" / f"{RELEASE}.md").read_text(encoding="utf-8")
    for day in ("2023-08-01", "2023-09-12"):
        (project / "sources" / f"{day}-follow-up.md").write_text(source.replace("date: 2023-07-18", f"date: {day}"), encoding="utf-8")
    assert run_cli(project, "update").exit_code == 0
    # the copies share every msgid with the reviewed English catalog: fill them from it
    for day in ("2023-08-01", "2023-09-12"):
        shutil.copy(project / f"locale/en/LC_MESSAGES/{RELEASE}.po", project / f"locale/en/LC_MESSAGES/{day}-follow-up.po")
    assert run_cli(project, "update").exit_code == 0
    return project


def _outputs(project: Path) -> dict[str, str]:
    return tree_digest(project / "outputs")


def test_noop_rebuild_renders_nothing(sample_project: Path):
    project = load_project(_three_releases(sample_project))
    first = build(project, jobs=1)
    assert first.rendered == 6  # 3 releases × (ja, en)
    before = _outputs(sample_project)
    second = build(project, jobs=1)
    assert second.rendered == 0 and second.reused == 12
    assert _outputs(sample_project) == before


def test_touching_files_without_changing_them_rebuilds_nothing(sample_project: Path):
    project = load_project(_three_releases(sample_project))
    build(project, jobs=1)
    later = time.time() + 60
    for path in (sample_project / "sources").rglob("*"):
        os.utime(path, (later, later))
    assert build(project, jobs=1).rendered == 0


def test_changing_one_release_rebuilds_only_its_outputs(sample_project: Path):
    project = load_project(_three_releases(sample_project))
    build(project, jobs=1)
    before = _outputs(sample_project)
    source = sample_project / "sources" / "2023-08-01-follow-up.md"
    source.write_text(source.read_text(encoding="utf-8").replace("section: 報道発表", "section: お知らせ"), encoding="utf-8")
    report = build(load_project(sample_project), jobs=1)
    # the source changed: its Japanese page is rebuilt; English is no longer fully reviewed (a new
    # segment) so it is skipped and the last published English page stays, marked outdated ([publish]
    # outdated = "mark", the default): the notice is added to it, nothing is rendered for it
    assert report.rendered == 1
    after = _outputs(sample_project)
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed <= {
        "ja/2023-08-01-follow-up.html",
        "ja/2023-08-01-follow-up.docx",
        "en/2023-08-01-follow-up.html",
        "en/2023-08-01-follow-up.docx",
        "ja/index.html",
        "en/index.html",
        "index.html",
        "ja/feed.atom",
        "en/feed.atom",  # English is no longer published: it leaves the feed and the sitemap
        "sitemap.xml",
        ".transpub-manifest.json",
    }
    assert {"ja/2023-08-01-follow-up.html", "ja/2023-08-01-follow-up.docx"} <= changed
    assert any(s.release == "2023-08-01-follow-up" and s.lang == "en" for s in report.skipped)
    assert [(o.release, o.lang, o.action) for o in report.outdated] == [("2023-08-01-follow-up", "en", "mark")]


def test_changing_a_catalog_rebuilds_that_language_only(sample_project: Path):
    project = load_project(_three_releases(sample_project))
    build(project, jobs=1)
    catalog = sample_project / "locale/en/LC_MESSAGES/2023-09-12-follow-up.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Moves Forward", "Advances"), encoding="utf-8")
    report = build(load_project(sample_project), jobs=1)
    assert report.rendered == 1
    assert [o.path for o in report.outputs if o.changed] == [
        "outputs/en/2023-09-12-follow-up.docx",
        "outputs/en/2023-09-12-follow-up.html",
    ]
    assert "Advances" in (sample_project / "outputs/en/index.html").read_text(encoding="utf-8")


def test_deleted_output_is_rebuilt(sample_project: Path):
    project = load_project(sample_project)
    build(project, jobs=1)
    (sample_project / f"outputs/en/{RELEASE}.html").unlink()
    report = build(project, jobs=1)
    assert report.rendered == 1 and (sample_project / f"outputs/en/{RELEASE}.html").is_file()


def test_parallel_build_writes_the_same_bytes_as_a_serial_one(sample_project: Path, tmp_path: Path):
    _three_releases(sample_project)
    twin = tmp_path / "twin"
    shutil.copytree(sample_project, twin)
    serial = build(load_project(sample_project), jobs=1, draft=True)
    parallel = build(load_project(twin), jobs=2, draft=True)
    assert serial.rendered == parallel.rendered == 12  # 3 releases × 4 languages (fr, ar as drafts)
    assert _outputs(sample_project) == _outputs(twin)


def test_damaged_manifest_means_a_full_rebuild_not_an_error(sample_project: Path):
    project = load_project(sample_project)
    build(project, jobs=1)
    (sample_project / "outputs/.transpub-manifest.json").write_text("{not json", encoding="utf-8")
    assert build(project, jobs=1).rendered == 2


@pytest.mark.parametrize(("kind", "what"), [("fifo", "not a regular file"), ("device", "not a regular file"), ("folder", "a folder")])
def test_a_manifest_that_is_not_a_file_is_never_waited_on_nor_read_without_end(sample_project: Path, kind: str, what: str):
    """Read as no manifest (a FIFO is not waited on, /dev/zero not read), then refused as a place to
    write, as every file transpub writes is: one message, exit 2, no output changed."""
    project = load_project(sample_project)
    build(project, jobs=1)
    before = {name: digest for name, digest in _outputs(sample_project).items() if not name.startswith(".")}
    path = sample_project / "outputs/.transpub-manifest.json"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    result = subprocess.run([sys.executable, "-m", "transpub.cli", "build"], capture_output=True, text=True, timeout=60, cwd=sample_project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"transpub: error: outputs/.transpub-manifest.json: cannot write here: {what} stands where the file would go"
    )
    assert {name: digest for name, digest in _outputs(sample_project).items() if not name.startswith(".")} == before


def _save_during_the_build(monkeypatch: pytest.MonkeyPatch, path: Path, text: str) -> None:
    """``path`` saved with ``text`` while the (in-process) build runs: after the build digested its
    inputs, before its job for the release reads them."""
    from transpub.source import reader

    read = reader.read_release

    def save_then_read(*args, **kwargs):
        path.write_text(text, encoding="utf-8")
        return read(*args, **kwargs)

    monkeypatch.setattr(reader, "read_release", save_then_read)


@pytest.mark.parametrize(
    ("saved", "old", "new"),
    [
        (f"locale/en/LC_MESSAGES/{RELEASE}.po", 'msgstr "International', 'msgstr "Saved: International'),
        (f"sources/{RELEASE}.md", "\n# ", "\n# 保存 "),
        ("locale/en/LC_MESSAGES/names.po", 'msgstr "Japan Patent Office"', 'msgstr "Saved Patent Office"'),
    ],
)
def test_a_file_saved_while_the_build_reads_it_stops_the_build_and_its_undo_publishes_nothing_of_it(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch, saved: str, old: str, new: str
):
    """A translator saves while a build runs, then undoes the edit. Without the check, the pages made
    from the saved text were recorded under the digests of the text digested before, and after the undo
    they passed for up to date: published, though nobody approved them."""
    from transpub.errors import FileError

    project = load_project(sample_project)
    path = sample_project / saved
    original = path.read_text(encoding="utf-8")
    build(project, jobs=1)
    expected = _outputs(sample_project)  # the outputs of the original text
    shutil.rmtree(sample_project / "outputs")
    _save_during_the_build(monkeypatch, path, original.replace(old, new, 1))
    with pytest.raises(FileError) as raised:
        build(project, jobs=1)
    assert str(raised.value) == f"{saved}: changed while the build was reading it; nothing was written: run the build again"
    assert not [p for p in (sample_project / "outputs").rglob("*") if p.is_file()]  # nothing was put in place
    monkeypatch.undo()
    path.write_text(original, encoding="utf-8")  # the undo
    build(project, jobs=1)
    assert _outputs(sample_project) == expected


GLOSSARY = "locale/en/LC_MESSAGES/glossary.po"


@pytest.mark.parametrize(
    ("saved", "old", "new"),
    [
        (f"locale/en/LC_MESSAGES/{RELEASE}.po", 'msgstr "International', 'msgstr "Saved: International'),
        (f"sources/{RELEASE}.md", "\n# ", "\n# 保存 "),
        (GLOSSARY, 'msgstr "World Intellectual Property Organization"', 'msgstr "Saved Organization"'),
    ],
)
def test_a_save_undone_before_the_job_ends_still_stops_the_build(
    sample_project: Path, monkeypatch: pytest.MonkeyPatch, saved: str, old: str, new: str
):
    """The job parsed the saved text; the undo came before the job ended. A check that read the files
    again found the text digested before, and the pages made from the saved text passed for up to date.
    The job checks the digests of the very bytes it parsed."""
    from transpub.build import workers
    from transpub.errors import FileError

    (sample_project / GLOSSARY).write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "World Intellectual Property Organization"\nmsgstr "World Intellectual Property Organization"\n',
        encoding="utf-8",
    )
    project = load_project(sample_project)
    path = sample_project / saved
    original = path.read_text(encoding="utf-8")
    assert old in original
    build(project, jobs=1)
    expected = _outputs(sample_project)
    shutil.rmtree(sample_project / "outputs")
    _save_during_the_build(monkeypatch, path, original.replace(old, new, 1))
    plan = workers.plan_release

    def undo_then_plan(*args, **kwargs):  # after the job read its files, before it ends
        path.write_text(original, encoding="utf-8")
        return plan(*args, **kwargs)

    monkeypatch.setattr(workers, "plan_release", undo_then_plan)
    with pytest.raises(FileError) as raised:
        build(project, jobs=1)
    assert str(raised.value) == f"{saved}: changed while the build was reading it; nothing was written: run the build again"
    assert not [p for p in (sample_project / "outputs").rglob("*") if p.is_file()]
    monkeypatch.undo()
    build(project, jobs=1)
    assert _outputs(sample_project) == expected


def test_a_save_undone_within_a_job_of_a_worker_process_stops_the_build(sample_project: Path, monkeypatch: pytest.MonkeyPatch):
    """The same in a process pool: each worker records what its jobs read."""
    from transpub.build import workers
    from transpub.errors import FileError
    from transpub.source import reader

    project = load_project(_three_releases(sample_project))
    saved = f"locale/en/LC_MESSAGES/{RELEASE}.po"
    path = sample_project / saved
    original = path.read_text(encoding="utf-8")
    read, plan = reader.read_release, workers.plan_release

    def save_then_read(source, *args, **kwargs):
        if Path(source).stem == RELEASE:
            path.write_text(original.replace('msgstr "International', 'msgstr "Saved: International', 1), encoding="utf-8")
        return read(source, *args, **kwargs)

    def undo_then_plan(job, *args, **kwargs):
        if job.release == RELEASE:
            path.write_text(original, encoding="utf-8")
        return plan(job, *args, **kwargs)

    monkeypatch.setattr(reader, "read_release", save_then_read)
    monkeypatch.setattr(workers, "plan_release", undo_then_plan)
    with pytest.raises(FileError) as raised:
        build(project, jobs=2)
    assert str(raised.value) == f"{saved}: changed while the build was reading it; nothing was written: run the build again"
    assert not (sample_project / "outputs").exists() or not [p for p in (sample_project / "outputs").rglob("*") if p.is_file()]


def test_a_job_reads_each_file_of_its_release_once(sample_project: Path, monkeypatch: pytest.MonkeyPatch):
    """What a job parsed is checked by the digest of the bytes it read, not by reading the files again."""
    from transpub import fsutil
    from transpub.build import workers

    project = load_project(sample_project)
    in_job: list[str] = []
    read_file, build_release = fsutil.read_file, workers.build_release
    job = []

    def counted(path, *args, **kwargs):
        if job:
            in_job.append(os.fspath(path))
        return read_file(path, *args, **kwargs)

    def build_one(*args, **kwargs):
        job.append(True)
        try:
            return build_release(*args, **kwargs)
        finally:
            job.pop()

    for module in ("transpub.fsutil", "transpub.build.digests", "transpub.catalogs.pofile"):
        monkeypatch.setattr(f"{module}.read_file", counted)
    monkeypatch.setattr(workers, "build_release", build_one)
    build(project, jobs=1)
    files = [project.sources_dir / f"{RELEASE}.md", *(project.catalog_path(lang, RELEASE) for lang in project.languages)]
    assert all(path.is_file() for path in files)
    assert sorted(path for path in in_job if RELEASE in path) == sorted(map(os.fspath, files))  # once each


def test_a_damaged_record_rebuilds_its_release_only(sample_project: Path):
    project = load_project(_three_releases(sample_project))
    build(project, jobs=1)
    path = sample_project / "outputs/.transpub-manifest.json"
    text = path.read_text(encoding="ascii")
    lines = text.splitlines(keepends=True)
    assert lines[2].startswith('"2023-08-01-follow-up":{')
    lines[2] = '"2023-08-01-follow-up":{"outputs":[not json},\n'
    path.write_text("".join(lines), encoding="ascii")
    report = build(project, jobs=1)
    assert report.rendered == 2 and report.reused == 8  # (ja, en) of that release; the other two are current
    assert path.read_text(encoding="ascii") == text
    lines = text.splitlines(keepends=True)
    for changed in (lines[:2] + lines[1:], [lines[0], lines[2], lines[1], *lines[3:]]):  # a line twice; two swapped
        path.write_text("".join(changed), encoding="ascii")  # each record as it was: a no-op, but rewritten
        assert build(project, jobs=1).rendered == 0
        assert path.read_text(encoding="ascii") == text
    lines[-1] = ""  # cut short: the whole manifest is damaged
    path.write_text("".join(lines), encoding="ascii")
    assert build(project, jobs=1).rendered == 6
    assert path.read_text(encoding="ascii") == text


def test_a_manifest_of_version_1_is_carried_over(sample_project: Path, tmp_path: Path):
    """What the last build remembered survives the new format: here, that a removed release's outputs
    are transpub's to remove."""
    import json

    twin = tmp_path / "twin"
    shutil.copytree(_three_releases(sample_project), twin)
    for root in (sample_project, twin):
        build(load_project(root), jobs=1)
    path = sample_project / "outputs/.transpub-manifest.json"
    new = json.loads(path.read_text(encoding="ascii"))
    old = {key: value for key, value in new.items() if key != "releases"}
    old["version"] = 1
    old["pairs"] = {f"{rid}/{lang}": info for rid, record in new["releases"].items() for lang, info in record["pairs"].items()}
    old["outputs"] = {relative: key for record in new["releases"].values() for relative, key in record["outputs"].items()}
    path.write_text(json.dumps(old, sort_keys=True, separators=(",", ":")) + "\n", encoding="ascii")
    for root in (sample_project, twin):
        (root / "sources/2023-08-01-follow-up.md").unlink()
        report = build(load_project(root), jobs=1)
        assert "outputs/en/2023-08-01-follow-up.html" in report.removed
    assert _outputs(sample_project) == _outputs(twin)  # the manifest too, now of this version


def test_the_manifest_is_one_json_text_a_release_to_a_line_and_a_changed_one_is_rewritten(sample_project: Path):
    import json

    project = load_project(_three_releases(sample_project))
    build(project, jobs=1)
    path = sample_project / "outputs/.transpub-manifest.json"
    text = path.read_text(encoding="ascii")
    manifest = json.loads(text)
    lines = text.splitlines(keepends=True)
    releases = sorted(manifest["releases"])
    assert len(releases) == 3 and len(lines) == 2 + len(releases)
    header = {key: value for key, value in manifest.items() if key != "releases"}
    assert lines[0] == json.dumps(header, sort_keys=True, separators=(",", ":"))[:-1] + ',"releases":{\n'
    for number, (line, release) in enumerate(zip(lines[1:-1], releases, strict=True), 1):
        record = json.dumps(manifest["releases"][release], sort_keys=True, separators=(",", ":"))
        assert line == f"{json.dumps(release)}:{record}{',' if number < len(releases) else ''}\n"
    assert lines[-1] == "}}\n"
    # a manifest that differs from what the build would write is rewritten, even when every output is current
    lines[1] = lines[1].replace('"outputs":{', '"outputs":{"en/gone.html":"%s",' % ("0" * 64), 1)
    path.write_text("".join(lines), encoding="ascii")
    assert build(project, jobs=1).rendered == 0
    assert path.read_text(encoding="ascii") == text


_texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(_texts, _texts, _texts), max_size=40),
    versions=st.lists(st.tuples(_texts, st.lists(_texts, max_size=3).map(tuple)), max_size=40),
    languages=st.dictionaries(_texts, _texts, max_size=4),
    lang=st.none() | _texts,
    size=st.integers(1, 5),
)
def test_an_index_pages_key_made_in_pieces_is_the_key_of_its_whole_text(rows, versions, languages, lang, size):
    """Index pages are keyed on their text given in pieces (a sitemap of thousands of releases would be
    megabytes as one text): the pieces make exactly the JSON text, and their digest is that of the text."""
    import json

    from transpub.build import indexes
    from transpub.build.digests import hash_parts, hash_pieces

    page = indexes.IndexPage("x/index.html", "index", lang, tuple(indexes.IndexRow(*row) for row in rows), tuple(versions))
    whole = json.dumps(["index", lang, [list(row) for row in rows], tuple(versions), languages], sort_keys=True)
    pieces = list(page.shows(languages, size=size))  # pieces split inside the rows and the versions
    assert "".join(pieces) == whole
    assert hash_pieces(("a", iter(pieces), "b")) == hash_parts("a", whole, "b")


def test_a_reviewed_translation_with_a_check_error_is_not_published(sample_project: Path):
    catalog = sample_project / f"locale/en/LC_MESSAGES/{RELEASE}.po"
    text = catalog.read_text(encoding="utf-8")
    assert "opened in Geneva, {country:CH}," in text
    catalog.write_text(text.replace("opened in Geneva, {country:CH},", "opened in Geneva, Switzerland,"), encoding="utf-8")
    result = run_cli(sample_project, "build", "--lang", "en", "--format", "html")
    assert result.exit_code == 1
    assert "check error(s)" in result.stderr and "token-missing" in result.stderr
    assert not (sample_project / f"outputs/en/{RELEASE}.html").exists()
    # a draft may still be built, visibly marked
    draft = run_cli(sample_project, "build", "--lang", "en", "--format", "html", "--draft")
    assert draft.exit_code == 0 and (sample_project / f"outputs/drafts/en/{RELEASE}.html").is_file()


def test_drafts_have_an_index_their_breadcrumbs_lead_to(sample_project: Path):
    result = run_cli(sample_project, "build", "--lang", "ar", "--draft", "--format", "html")
    assert result.exit_code == 0, result.stderr
    index = sample_project / "outputs/drafts/ar/index.html"
    page = (sample_project / f"outputs/drafts/ar/{RELEASE}.html").read_text(encoding="utf-8")
    assert index.is_file() and f'href="{RELEASE}.html"' in index.read_text(encoding="utf-8")
    assert 'href="index.html' in page


def test_a_bad_release_among_many_changes_no_output(sample_project: Path):
    """Releases are rendered one job each; the files are put in place only when every job succeeded."""
    _three_releases(sample_project)
    project = load_project(sample_project)
    build(project, jobs=1)
    before = _outputs(sample_project)
    catalog = sample_project / "locale/en/LC_MESSAGES/2023-09-12-follow-up.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Moves Forward", "Advances"), encoding="utf-8")
    bad = sample_project / "sources" / "2023-08-01-follow-up.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("{country:CH}", "{country:QQ}"), encoding="utf-8")
    result = run_cli(sample_project, "build", "-j", "2")
    assert result.exit_code == 2 and "sources/2023-08-01-follow-up.md:" in result.stderr
    assert _outputs(sample_project) == before
    assert not [p for p in (sample_project / "outputs").rglob("*.tmp")]


def test_a_build_reads_only_the_languages_it_builds(sample_project: Path):
    """Building English neither reads nor checks the French catalog; links follow what is published."""
    first = run_cli(sample_project, "build", "--lang", "en", "--format", "html")
    assert first.exit_code == 0, first.stderr
    page = sample_project / f"outputs/en/{RELEASE}.html"
    assert 'hreflang="ja"' not in page.read_text(encoding="utf-8")  # no Japanese page published yet
    assert run_cli(sample_project, "build", "--lang", "ja", "--format", "html").exit_code == 0
    french = sample_project / f"locale/fr/LC_MESSAGES/{RELEASE}.po"
    french.write_text(french.read_text(encoding="utf-8") + '\nmsgid "broken\n', encoding="utf-8")
    again = run_cli(sample_project, "build", "--lang", "en", "--format", "html")
    assert again.exit_code == 0, again.stderr
    assert 'hreflang="ja"' in page.read_text(encoding="utf-8")  # now linked: the Japanese page exists
    assert run_cli(sample_project, "build", "--lang", "fr", "--draft").exit_code == 2  # French itself is refused


def test_a_noop_rebuild_loads_no_parser_or_renderer(sample_project: Path):
    """Nothing changed: the manifest decides everything, so the Markdown parser, the checks, CLDR formatting,
    Jinja and python-docx stay unloaded, and so do the lock and the temporary files, since nothing is written (that is what keeps
    a no-op build a small fraction of a full one)."""
    assert run_cli(sample_project, "build").exit_code == 0
    probe = (
        "import sys\n"
        "from transpub.cli import main\n"
        "try:\n"
        "    main(['-C', sys.argv[1], 'build'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ('markdown_it', 'jinja2', 'docx', 'transpub.render', 'transpub.review.checks', 'transpub.source.reader', 'transpub.catalogs', 'filelock', 'tempfile')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(sample_project)], capture_output=True, text=True, check=True)
    assert "0 page(s) rendered" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_with_a_pool_only_the_workers_load_the_renderers(sample_project: Path, tmp_path: Path):
    """A build with a process pool renders every release and index page in the workers, which load the
    parsers and renderers themselves: the main process, which holds the records of every release, never
    does (at 5,000 releases that kept its peak memory above any worker's). The outputs are a serial build's."""
    twin = tmp_path / "twin"
    shutil.copytree(_three_releases(sample_project), twin)
    probe = (
        "import sys\n"
        "from transpub.cli import main\n"
        "try:\n"
        "    main(['-C', sys.argv[1], 'build', '--jobs', sys.argv[2]])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "heavy = ('markdown_it', 'jinja2', 'docx', 'transpub.render', 'transpub.review.checks', 'transpub.source.reader')\n"
        "print(sorted({m if m.startswith('transpub') else m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))\n"
    )
    pooled = subprocess.run([sys.executable, "-c", probe, str(sample_project), "2"], capture_output=True, text=True, check=True)
    serial = subprocess.run([sys.executable, "-c", probe, str(twin), "1"], capture_output=True, text=True, check=True)
    assert "6 page(s) rendered" in pooled.stdout and "6 page(s) rendered" in serial.stdout
    assert pooled.stdout.strip().splitlines()[-1] == "[]"
    assert "jinja2" in serial.stdout.strip().splitlines()[-1]  # the probe sees them when this process renders
    assert _outputs(sample_project) == _outputs(twin)


@pytest.mark.parametrize("broken", ["names.po", "2023-09-12-follow-up.po"])
def test_with_a_pool_a_file_that_does_not_parse_is_still_one_message_at_its_line(sample_project: Path, broken: str):
    """The workers load names.po as they start, ahead of need: a names.po (or a release's catalog) that
    does not parse is reported as in a serial build, one line with its file and line, exit 2, nothing changed."""
    project = _three_releases(sample_project)
    path = project / "locale/en/LC_MESSAGES" / broken
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, 1) if line.startswith('msgstr "') and n > 10)
    lines[number - 1] = lines[number - 1].rstrip().removesuffix('"') + "\n"  # its closing quote lost
    path.write_text("".join(lines), encoding="utf-8")
    before = tree_digest(project)
    result = run_cli(project, "build", "--jobs", "2")
    assert result.exit_code == 2, result.stdout + result.stderr
    stderr = result.stderr.replace(str(project) + "/", "")
    assert stderr == f"transpub: error: locale/en/LC_MESSAGES/{broken}:{number}: unterminated string: no closing quote on this line\n"
    assert tree_digest(project) == before


def test_index_pages_are_rendered_again_only_when_what_they_show_changes(sample_project: Path):
    project = load_project(_three_releases(sample_project))
    build(project, jobs=1)
    index = sample_project / "outputs/en/index.html"
    index.unlink()
    build(project, jobs=1)
    assert index.is_file()  # a deleted index page comes back though nothing else changed
    stamp = index.stat().st_mtime_ns
    catalog = sample_project / "locale/en/LC_MESSAGES/2023-09-12-follow-up.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Moves Forward", "Advances"), encoding="utf-8")
    build(load_project(sample_project), jobs=1)
    assert "Advances" in index.read_text(encoding="utf-8") and index.stat().st_mtime_ns != stamp


def test_a_broken_project_template_is_reported_with_its_line_and_changes_nothing(sample_project: Path):
    assert run_cli(sample_project, "build", "--lang", "en", "--format", "html").exit_code == 0
    before = _outputs(sample_project)
    (sample_project / "templates").mkdir(exist_ok=True)
    (sample_project / "templates" / "release.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block main %}\n{% if %}\n{% endblock %}\n', encoding="utf-8"
    )
    result = run_cli(sample_project, "build", "--lang", "en", "--format", "html")
    assert result.exit_code == 2
    assert "release.html.j2" in result.stderr and ":3:" in result.stderr
    assert _outputs(sample_project) == before


def test_workers_start_with_everything_loaded(sample_project: Path):
    """Worker processes are forked after the build has loaded what every release needs: rendering a release
    then loads no CLDR locale, compiles no template, reads no settings or names.po of its own (each of
    these, left to the workers, was paid again by every worker on the critical path)."""
    probe = (
        "import sys\n"
        "import babel.localedata, jinja2, transpub.build as b, transpub.build.workers as w, transpub.config as c, transpub.localize.names as loc\n"
        "late, in_release = [], False\n"
        "def spy(module, name, label):\n"
        "    real = getattr(module, name)\n"
        "    def wrapper(*args, **kwargs):\n"
        "        if in_release and (label != 'locale' or args[0] not in babel.localedata._cache):\n"
        "            late.append(label)\n"
        "        return real(*args, **kwargs)\n"
        "    setattr(module, name, wrapper)\n"
        "real_release = w.build_release\n"
        "def release(job):\n"
        "    global in_release\n"
        "    in_release = True\n"
        "    try:\n"
        "        return real_release(job)\n"
        "    finally:\n"
        "        in_release = False\n"
        "w.build_release = release\n"
        "spy(babel.localedata, 'load', 'locale')\n"
        "spy(jinja2.Environment, '_parse', 'template')\n"
        "spy(c, 'load_project', 'settings')\n"
        "spy(loc, 'read_names', 'names')\n"
        "report = b.build(c.load_project(c.Path(sys.argv[1])), jobs=1)\n"
        "assert report.rendered > 1, report\n"
        "print(late)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(sample_project)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_build_with_nothing_to_do_takes_no_lock_and_one_with_work_waits_for_none(sample_project: Path):
    from transpub.errors import LockError
    from transpub.fsutil import project_lock

    project = load_project(sample_project)
    build(project, jobs=1)
    before = tree_digest(sample_project / "outputs")
    with project_lock(sample_project):  # another transpub process is writing
        report = build(project, jobs=1)  # up to date: decided without the lock
        assert report.rendered == 0 and tree_digest(sample_project / "outputs") == before
        (sample_project / "outputs/en/index.html").unlink()
        try:
            build(project, jobs=1)
        except LockError:
            pass
        else:
            raise AssertionError("a build that must write went ahead while another process held the lock")
    build(project, jobs=1)
    assert tree_digest(sample_project / "outputs") == before


def test_a_changed_image_or_project_template_renders_the_pages_again(sample_project: Path):
    """Images and project templates are inputs too (digested by content, folder by folder)."""
    project = load_project(sample_project)
    build(project, jobs=1)
    assert build(project, jobs=1).rendered == 0
    image = sample_project / "sources/images/statement.png"
    image.write_bytes(image.read_bytes() + b"\0")  # a changed picture, same name
    assert build(load_project(sample_project), jobs=1).rendered > 0
    assert (sample_project / "outputs/en/images/statement.png").read_bytes() == image.read_bytes()
    assert build(load_project(sample_project), jobs=1).rendered == 0
    template = sample_project / "templates" / "base.html.j2"
    template.parent.mkdir(exist_ok=True)
    template.write_text((REPO / "src/transpub/templates/base.html.j2").read_text(encoding="utf-8").replace("<body", "<body data-x"), encoding="utf-8")
    assert build(load_project(sample_project), jobs=1).rendered > 0
    assert "<body data-x" in (sample_project / "outputs/en/2023-07-18-wipo-assemblies.html").read_text(encoding="utf-8")
