"""The command line: parse options, call one library function, print what it returns.

This is the only module that prints and the only place where a :class:`~transpub.errors.TranspubError`
becomes a message and an exit code (0 success, 1 failed checks or nothing publishable, 2 bad input).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from .. import __version__
from .support import (
    _languages,
    _one_language,
    _project,
    echo_json,
    progress,
    reports_errors,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="transpub")
@click.option(
    "-C",
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (default: the nearest folder with transpub.toml).",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """Translate news releases through gettext catalogs and publish them as HTML and Word.

    \b
    Typical flow:
      transpub update                 sources -> templates -> catalogs
      transpub pretranslate --lang en translation memory, then machine translation
      transpub status                 what is reviewed, what can publish
      transpub build --lang en        HTML and DOCX in outputs/
    """
    ctx.ensure_object(dict)
    ctx.obj["project_dir"] = project_dir


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--source-lang", default="en", show_default=True, help="Language the releases are written in.")
@click.option("--languages", default="", help="Target languages, comma-separated (e.g. fr,ar).")
@click.option("--publisher", default="", help="The organization publishing the releases.")
@reports_errors
def init(directory: Path, source_lang: str, languages: str, publisher: str) -> None:
    """Scaffold a project: transpub.toml, sources/, locale/ and an example release.

    \b
    Example:
      transpub init newsroom --source-lang ja --languages en,fr,ar --publisher "特許庁"
    """
    from ..scaffold import init_project

    created = init_project(directory, source_lang, _languages((languages,)), publisher)
    for path in created:
        click.echo(f"created {path}")


@main.command()
@click.pass_context
@reports_errors
def extract(ctx: click.Context) -> None:
    """Write the templates (locale/templates/*.pot) from the sources.

    \b
    Example:
      transpub extract
    """
    from ..catalogs.update import extract as run

    report = run(_project(ctx))
    _print_files(report)


@main.command()
@click.option("--lang", "langs", multiple=True, help="Only these languages (repeat or comma-separate).")
@click.pass_context
@reports_errors
def update(ctx: click.Context, langs: tuple[str, ...]) -> None:
    """Extract, then merge the templates into every language's catalogs.

    Unchanged segments keep their translation; changed ones get the old translation as a fuzzy suggestion
    with the previous text (#|); removed ones become obsolete (#~) and come back if the text returns.

    \b
    Example:
      transpub update --lang fr
    """
    from ..catalogs.update import update as run

    project = _project(ctx)
    languages = tuple(project.check_language(lang) for lang in _languages(langs)) or None
    report = run(project, languages)
    _print_files(report)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for dropped in report.dropped:
        click.echo(f"{dropped.path}: dropped {len(dropped.approvals)} approval(s) of texts that no longer exist")
    renamed = {hint.old: hint for hint in report.renames}
    for orphan in report.orphaned:
        files = ", ".join((*orphan.all, *orphan.approvals))
        click.echo(f"orphaned {orphan.release}: sources/{orphan.release}.md is gone; its files stay: {files}")
        hint = renamed.get(orphan.release)
        if hint is not None:
            click.echo(
                f"  renamed? {hint.new} shares {hint.share:.0%} of its segments: "
                f"'transpub mv {hint.old} {hint.new}' keeps its translations and approvals"
            )
        click.echo(f"  withdrawn? 'transpub rm {orphan.release}' removes them")


@main.command()
@click.argument("release_id")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@click.pass_context
@reports_errors
def rm(ctx: click.Context, release_id: str, dry_run: bool) -> None:
    """Withdraw a release: remove its source, template, every language's catalog and its approvals.

    The next 'transpub build' removes its pages, documents and index, feed and sitemap entries.

    \b
    Example:
      transpub rm 2023-07-18-wipo-assemblies --dry-run
    """
    from ..catalogs.releases import remove_release

    change = remove_release(_project(ctx), release_id, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for path in change.removed:
        click.echo(f"{verb} {path}")
    for path in change.approvals:
        click.echo(f"{'would rewrite' if dry_run else 'rewrote'} {path} (approvals of {change.release})")


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--dry-run", is_flag=True, help="List what would be renamed; change nothing.")
@click.pass_context
@reports_errors
def mv(ctx: click.Context, old: str, new: str, dry_run: bool) -> None:
    """Rename a release: its source, template, every catalog and its approvals, review states kept.

    Run it instead of renaming the source by hand (or after: 'transpub update' suggests it). The next
    'transpub build' removes the old id's outputs.

    \b
    Example:
      transpub mv 2023-07-18-wipo-assembly 2023-07-18-wipo-assemblies
    """
    from ..catalogs.releases import rename_release

    change = rename_release(_project(ctx), old, new, dry_run=dry_run)
    verb = "would move" if dry_run else "moved"
    for move in change.moved:
        click.echo(f"{verb} {move.old} -> {move.new}")
    for path in change.approvals:
        click.echo(f"{'would rewrite' if dry_run else 'rewrote'} {path} (approvals of {change.release} -> {new})")
    if not dry_run:
        click.echo("run 'transpub update' to refresh the catalogs' references")


def _print_files(report) -> None:
    for item in report.files:
        if item.changed:
            detail = ""
            if item.merge:
                m = item.merge
                values = f", new values {m.values}" if m.values else ""
                detail = f" (kept {m.kept}, fuzzy {m.fuzzy}, revived {m.revived}, new {m.new}, obsolete {m.obsoleted}{values})"
            click.echo(f"wrote {item.path}{detail}")
    unchanged = len(report.files) - len(report.changed)
    click.echo(f"{report.releases} release(s); {len(report.changed)} file(s) written, {unchanged} unchanged")


@main.command()
@click.option("--lang", "lang", required=True, help="The target language to fill.")
@click.option("--engine", "engine_name", help="Engine name (default: [translate] engine in transpub.toml).")
@click.option("--release", "release_id", help="Only this release id (default: all, and names.po).")
@click.pass_context
@reports_errors
def pretranslate(ctx: click.Context, lang: str, engine_name: str | None, release_id: str | None) -> None:
    """Fill empty entries: translation memory first, then machine translation.

    Filled entries are marked fuzzy with a comment naming the engine (or the memory) and the date, so
    they are not published before review. A translation already there is never overwritten. Progress is
    saved as it goes: an interrupted run resumes where it stopped. API keys come from the environment
    (TRANSPUB_<ENGINE>_API_KEY).

    \b
    Example:
      transpub pretranslate --lang fr
      TRANSPUB_DEEPL_API_KEY=… transpub pretranslate --lang de --engine deepl --release 2023-07-18-wipo-assemblies
    """
    from ..translate.pretranslate import pretranslate as run

    project = _project(ctx)
    lang = _one_language(project, lang)
    with progress(f"translating into {lang}") as report_progress:
        report = run(project, lang, engine_name=engine_name, release_id=release_id, on_progress=report_progress)
    for failure in report.failures:
        click.echo(f"not filled: {failure.msgid[:60]!r}: {failure.reason}", err=True)
    if report.aborted:
        click.echo(f"transpub: engine stopped: {report.aborted} (re-run to continue)", err=True)
    if report.memory_unfit:
        click.echo(f"note: {report.memory_unfit} memory match(es) not used: their tokens or markup differ from the source's", err=True)
    click.echo(
        f"{lang}: {report.from_memory} from translation memory, {report.from_fuzzy} from similar texts in it (fuzzy), "
        f"{report.from_external + report.from_external_fuzzy} from external memories "
        f"({report.from_external} exact, {report.from_external_fuzzy} similar), "
        f"{report.from_engine} by {report.engine} "
        f"({report.engine_texts} distinct texts, {report.engine_calls} calls), "
        f"{report.rejected} rejected, {report.failed} failed, {report.already_filled} already translated"
    )
    if report.aborted or (report.failed and not report.from_engine):
        sys.exit(1)


@main.command()
@click.option("--lang", "langs", multiple=True, help="Only these languages.")
@click.option("--release", "release_id", help="Only this release id.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--entries", is_flag=True, help="List each entry of --release in --lang: state, approver, origin.")
@click.pass_context
@reports_errors
def status(ctx: click.Context, langs: tuple[str, ...], release_id: str | None, as_json: bool, entries: bool) -> None:
    """Segments and words reviewed / unreviewed / untranslated per release and language, and whether
    each can publish and why (the same decision 'transpub build' and 'transpub check' make).

    \b
    Example:
      transpub status --lang fr
      transpub status --json | jq '.[] | select(.publishable)'
      transpub status --release 2023-07-18-wipo-assemblies --lang fr --entries
    """
    from ..review.reports import project_status

    project = _project(ctx)
    languages = tuple(project.check_language(lang) for lang in _languages(langs)) or None
    if entries:
        _print_entries(project, languages, release_id, as_json)
        return
    rows = project_status(project, languages, release_id)
    if as_json:
        echo_json([row.as_dict() for row in rows])
        return
    two_step = project.review.two_step
    states = ("approved", "translated") if two_step else ("reviewed",)
    header = ("release", "lang", *states, "machine", "changed", "untranslated", "publish", "why")
    table = [header]
    for row in rows:
        counts = (row.reviewed, row.translated) if two_step else (row.reviewed,)
        cells = [f"{c.segments} ({c.words} w)" for c in (*counts, row.machine, row.changed, row.untranslated)]
        table.append((row.release, row.lang, *cells, "yes" if row.publishable else "no", row.reason))
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    for line in table:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())
    if not rows:
        click.echo("no releases or no target languages")


def _print_entries(project, languages: tuple[str, ...] | None, release_id: str | None, as_json: bool) -> None:
    from ..errors import UsageError
    from ..review.reports import entry_listing

    if release_id is None or not languages or len(languages) != 1:
        raise UsageError("--entries lists one catalog: give --release ID and one --lang")
    rows = entry_listing(project, languages[0], release_id)
    if as_json:
        echo_json([row.as_dict() for row in rows])
        return
    for row in rows:
        where = f"{row.catalog}:{row.line}" if row.line else row.catalog
        approval = f" by {row.approved_by}, {row.approved_on}" if row.approved_by else ""
        origin = f" [{row.provenance}]" if row.provenance else ""
        click.echo(f"{where}  {row.state.value}{approval}{origin}  {row.msgid[:60]!r}")


@main.command()
@click.option("--lang", "lang", required=True, help="The target language whose translations are approved.")
@click.option("--release", "release_id", help="Only this release's catalog (and the names it shows).")
@click.option("--by", "by", help="The reviewer's name (default: $TRANSPUB_REVIEWER, else git's user.name).")
@click.option("--dry-run", is_flag=True, help="List what would be approved; write nothing.")
@click.pass_context
@reports_errors
def approve(ctx: click.Context, lang: str, release_id: str | None, by: str | None, dry_run: bool) -> None:
    """Approve every translated entry of a language (two-step review), names.po included.

    Run it after reading the translations in an editor or a review document. Each approval is bound to
    the exact text approved: a later change of it needs approving again. Entries with check errors (a
    lost token, a broken link) are refused and listed; the command then exits 1.

    \b
    Example:
      transpub approve --lang fr --by "Marie Curie"
      transpub approve --lang fr --release 2023-07-18-wipo-assemblies --dry-run
    """
    from ..review.approve import approve as run

    project = _project(ctx)
    report = run(project, _one_language(project, lang), release_id=release_id, by=by, dry_run=dry_run)
    for finding in report.refused:
        click.echo(f"not approved: {finding.line_text()}", err=True)
    if dry_run:
        for approval in report.approved:
            click.echo(f"would approve {approval.catalog} {approval.digest[:12]}")
    for path in report.files_written:
        click.echo(f"wrote {path}")
    click.echo(report.summary())
    if report.refused:
        sys.exit(1)


@main.command()
@click.option("--lang", "langs", multiple=True, help="Only these languages (default: all, source included).")
@click.option("--release", "release_id", help="Only this release id.")
@click.option("--format", "formats", default="html,docx", show_default=True, help="Outputs to write: html, docx.")
@click.option("--draft", is_flag=True, help="Also build what is not fully reviewed, marked, into outputs/drafts/.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes (default: [build] jobs in transpub.toml, else one per core).",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list the outputs that did not need rebuilding.")
@click.pass_context
@reports_errors
def build(ctx: click.Context, langs: tuple[str, ...], release_id: str | None, formats: str, draft: bool,
          jobs: int | None, verbose: bool) -> None:
    """Render HTML pages and Word documents into outputs/<lang>/.

    Only fully reviewed (release, language) pairs are published; the others are skipped with the reason,
    or, with --draft, built into outputs/drafts/<lang>/ with unreviewed text marked. Builds are
    incremental: only outputs whose inputs changed are rendered again.

    \b
    Example:
      transpub build --lang en
      transpub build --lang ar --draft --format html
    """
    from ..build import build as run
    from ..build import parse_formats

    project = _project(ctx)
    languages = _languages(langs) or None
    jobs = jobs if jobs is not None else project.build.jobs
    with progress("building releases") as report_progress:
        report = run(
            project, languages, release_id, parse_formats(formats), draft, jobs=jobs, on_progress=report_progress, list_unchanged=verbose
        )
    for output in report.outputs:
        if output.changed or verbose:
            mark = " (draft)" if output.draft else ""
            click.echo(f"{'wrote' if output.changed else 'unchanged'} {output.path}{mark}")
    for path in report.removed:
        click.echo(f"removed {path}")
    click.echo(f"{report.rendered} page(s) rendered, {report.reused} output(s) up to date")
    for skip in report.skipped:
        click.echo(f"skipped {skip.release} [{skip.lang}]: {skip.reason}", err=True)
    done = {"mark": "kept with a notice that the original was updated", "withdraw": "taken down", "keep": "kept as it was"}
    for item in report.outdated:
        click.echo(f"outdated {item.release} [{item.lang}]: its source changed since it was published; {done[item.action]}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if languages and not all(report.built_for(lang) for lang in languages):
        missing = ", ".join(lang for lang in languages if not report.built_for(lang))
        click.echo(f"transpub: nothing publishable for {missing} (use --draft to build a marked draft)", err=True)
        sys.exit(1)


def _register_more_commands() -> None:
    # these live in their own modules; registered here so `transpub --help` lists them
    from .review import check, review
    from .tm import tm
    from .xliff import xliff

    main.add_command(check)
    main.add_command(review)
    main.add_command(tm)  # translation memories (TMX)
    main.add_command(xliff)  # XLIFF export and import


_register_more_commands()


def run() -> NoReturn:
    """The ``transpub`` script and ``python -m transpub.cli``: the command line, then the process ends
    at once, as soon as its output is flushed.

    Everything transpub writes is in place by then (each file written whole, then renamed; no pool,
    lock or open file outlives the command), so the interpreter's teardown, which frees every object
    one by one (10-40 ms measured, about a tenth of a no-op build), would only delay the prompt. A
    command that fails with a traceback still ends the usual way, and so does a run under a profiler
    or coverage.
    """
    try:
        main()  # click's standalone mode: ends with SystemExit, whatever the outcome
        code = None
    except SystemExit as ended:
        code = ended.code
    if isinstance(code, int):
        status = code
    elif code is None:
        status = 0
    else:  # a SystemExit carrying a message: the interpreter prints it and ends with 1
        print(code, file=sys.stderr)
        status = 1
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(status)  # a profiler or coverage is watching: it writes what it found as the interpreter ends
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader gone (a closed pipe): the interpreter would end with 120 here
        status = status or 120
    os._exit(status)
