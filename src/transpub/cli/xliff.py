"""The ``xliff`` commands: parse options, call one library function, print its result."""

from __future__ import annotations

from pathlib import Path

import click

from ..fsutil import atomic_write_bytes
from .support import _one_language, _project, echo_import_report, reports_errors


@click.group()
def xliff() -> None:
    """XLIFF 1.2 files for translation agencies and CAT tools (OmegaT, Trados, memoQ …).

    \b
    Example:
      transpub xliff export --lang fr -o fr.xlf
      transpub xliff import fr.xlf --by "Marie Curie"
    """


@xliff.command("export")
@click.option("--lang", required=True, help="The target language.")
@click.option("--release", "release_id", help="Only this release id (default: every release).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The .xlf file to write.")  # fmt: skip
@click.option("--inline", type=click.Choice(["x-g", "native"]), default="x-g", show_default=True,
              help="Tokens and markup as <x/> and <g> (most tools), or as <ph> and <bpt>/<ept> holding the Markdown "
              "(OmegaT matching a TMX).")  # fmt: skip
@click.option("--copy-source", is_flag=True, help="Fill untranslated units' targets with the source (OmegaT 3.x "
              "offers only units with a target).")  # fmt: skip
@click.pass_context
@reports_errors
def xliff_export(
    ctx: click.Context, lang: str, release_id: str | None, output: Path, inline: str, copy_source: bool
) -> None:
    """Write an XLIFF 1.2 file: one <file> per release (and one for names), one unit per segment.

    Tokens and markup are inline elements (<x/>, <g>) the CAT tool protects; each unit's state says
    whether it is untranslated (new), a machine or memory suggestion (needs-review-translation),
    translated, or reviewed/approved (signed-off).

    \b
    Example:
      transpub xliff export --lang fr -o fr.xlf
      transpub xliff export --lang ar --release 2023-07-18-wipo-assemblies -o ar.xlf
      transpub xliff export --lang fr --inline native --copy-source -o fr-omegat.xlf
    """
    from ..errors import UsageError
    from ..review.xliff import export_xliff

    project = _project(ctx)
    exported = export_xliff(project, _one_language(project, lang), release_id, inline=inline, copy_source=copy_source)
    try:
        atomic_write_bytes(output, exported.data)
    except OSError as exc:
        raise UsageError(f"cannot write the XLIFF file: {exc.strerror or exc}", path=output) from exc
    click.echo(f"wrote {output}: {exported.summary()}")


@xliff.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", "by", help="Two-step review: who approves the signed-off units (default: $TRANSPUB_REVIEWER, "
              "else git's user.name).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
@reports_errors
def xliff_import(ctx: click.Context, file: Path, by: str | None, as_json: bool) -> None:
    """Apply an XLIFF file's translations and states to the PO catalogs.

    Each unit is applied, or reported: a conflict when the catalog changed since export (export again),
    rejected when its target lost or broke an inline tag or fails a check with an error. Exit 0 when
    every unit applied cleanly, 1 when some unit was a conflict or rejected, 2 when the file is not an
    XLIFF file exported from this project (nothing is changed then).

    \b
    Example:
      transpub xliff import fr.xlf --by "Marie Curie"
    """
    from ..review.xliff import import_xliff_file

    project = _project(ctx)
    report = import_xliff_file(project, file, reviewer=by)
    echo_import_report(report, as_json)


__all__ = ["xliff"]
