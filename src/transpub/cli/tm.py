"""The ``tm`` commands (translation memories, TMX): parse options, call one library function, print its result."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..fsutil import atomic_write_bytes
from .support import _one_language, _project, reports_errors


@click.group()
def tm() -> None:
    """Translation memories (TMX 1.4b): export the project's reviewed translations for agencies and tools.

    Memories from elsewhere are used by 'transpub pretranslate' when listed in transpub.toml:
    [translate] memory = ["tm/agency.tmx"].

    \b
    Example:
      transpub tm export --lang fr -o jpo-ja-fr.tmx
    """


@tm.command("export")
@click.option("--lang", "lang", required=True, help="The target language whose translations are exported.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The TMX file to write.")  # fmt: skip
@click.option("--omegat", is_flag=True, help="Tags as OmegaT 3.x's own shortcuts (<d0/>, <f1>…</f1>), so OmegaT "
              "matches the memory against transpub's XLIFF and keeps moved tokens right.")  # fmt: skip
@click.pass_context
@reports_errors
def tm_export(ctx: click.Context, lang: str, output: Path, omegat: bool) -> None:
    """Write every reviewed translation of a language (approved ones under two-step review) as TMX 1.4b.

    One unit per distinct pair, from every release's catalog and names.po; tokens and markup are TMX
    inline elements (<ph>, <bpt>/<ept>) numbered as in transpub's XLIFF. Two exports of the same project
    are byte-identical. For OmegaT 3.x, add --omegat and use the file as the project's
    omegat/project_save.tmx.

    \b
    Example:
      transpub tm export --lang fr -o jpo-ja-fr.tmx
      transpub tm export --lang fr --omegat -o omegat/project_save.tmx
    """
    from ..translate.tmx import export_tmx

    project = _project(ctx)
    exported = export_tmx(project, _one_language(project, lang), omegat=omegat)
    try:
        atomic_write_bytes(output, exported.data)
    except OSError as exc:
        raise UsageError(f"cannot write the memory: {exc.strerror or exc}", path=output) from exc
    catalogs = ", ".join(exported.catalogs) or "no catalog"
    click.echo(f"wrote {output}: {exported.units} unit(s) from {catalogs}")
    if exported.skipped:
        click.echo(f"note: {exported.skipped} reviewed translation(s) left out: they hold characters XML cannot carry", err=True)
