"""The ``check`` and ``review`` commands: parse options, call one library function, print its result."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..fsutil import atomic_write_bytes
from .support import (
    _languages,
    _one_language,
    _project,
    echo_import_report,
    echo_json,
    reports_errors,
)


@click.command()
@click.option("--lang", "langs", multiple=True, help="Only these languages (repeat or comma-separate).")
@click.option("--release", "release_id", help="Only this release id.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@reports_errors
def check(ctx: click.Context, langs: tuple[str, ...], release_id: str | None, as_json: bool) -> None:
    """Check translations: tokens, markup, URLs, numbers, names, glossary, punctuation, length.

    Prints one line per finding, FILE:LINE: CODE: [LANG] MESSAGE (the source line of the segment), then a
    summary. Errors (token-*, markup-*, url-changed, strict glossary terms) stop 'transpub build' from publishing that release
    in that language and make this command exit 1; warnings do not. A translator silences one warning on
    one entry with the PO flag "#, transpub-ignore:CODE" (errors cannot be silenced).

    \b
    Example:
      transpub check
      transpub check --lang fr --release 2023-07-18-wipo-assemblies
      transpub check --json | jq '.findings[] | select(.severity == "error")'
    """
    from ..review.reports import check_project

    project = _project(ctx)
    languages = tuple(project.check_language(lang) for lang in _languages(langs)) or None
    report = check_project(project, languages, release_id)
    if as_json:
        echo_json(report.as_dict())
    else:
        for finding in report.findings:
            click.echo(finding.line_text())
        for decision in report.decisions:
            if not decision.publishable:
                click.echo(f"{decision.release} [{decision.lang}]: does not publish: {decision.reason}")
        click.echo(report.summary())
    if report.has_errors:
        sys.exit(1)


@click.group()
def review() -> None:
    """Bilingual review documents (DOCX): export for a reviewer, import the corrections and approvals.

    \b
    Example:
      transpub review export --lang fr -o review-fr.docx
      transpub review import review-fr.docx
    """


@review.command("export")
@click.option("--lang", required=True, help="The target language to review.")
@click.option("--release", "release_id", help="Only this release id (default: every release).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .docx file to write.")  # fmt: skip
@click.option("--by", "by", help="Two-step review: who approves in this document (named in it; read back on import).")
@click.pass_context
@reports_errors
def review_export(ctx: click.Context, lang: str, release_id: str | None, output: Path, by: str | None) -> None:
    """Write a review document: one table row per segment with ID, source, translation, state, comment.

    The reviewer corrects the Translation column, writes approved (or ok, reviewed, ✓) in the State
    column to approve a segment or needs work to send it back, and leaves notes in the Comment column.
    Unreviewed rows are shaded.

    \b
    Example:
      transpub review export --lang fr -o review-fr.docx
      transpub review export --lang ar --release 2023-07-18-wipo-assemblies -o ar.docx
    """
    from ..render.review_docx import make_review_document

    project = _project(ctx)
    exported = make_review_document(project, _one_language(project, lang), release_id, reviewer=by)
    try:
        atomic_write_bytes(output, exported.data)
    except OSError as exc:
        from ..errors import UsageError

        raise UsageError(f"cannot write the review document: {exc.strerror or exc}", path=output) from exc
    click.echo(f"wrote {output}: {exported.summary()}")


@review.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--by", "by", help="Two-step review: who approves (default: the reviewer named at export).")
@click.pass_context
@reports_errors
def review_import(ctx: click.Context, file: Path, as_json: bool, by: str | None) -> None:
    """Apply a review document's corrections, approvals and comments to the PO catalogs.

    Each row is applied, or reported: a conflict when the catalog changed since export (export again),
    rejected when the correction breaks a token, link or markup, or the State word is not understood.
    The other rows are still applied. Exit 0 when every row applied cleanly, 1 when some row was a
    conflict or rejected (fix them in the document and import it again: rows already applied stay as
    they are), 2 when the file is not a transpub review document.

    \b
    Example:
      transpub review import review-fr.docx
    """
    from ..review.apply import import_review_file

    project = _project(ctx)
    report = import_review_file(project, file, reviewer=by)
    echo_import_report(report, as_json)


__all__ = ["check", "review"]
