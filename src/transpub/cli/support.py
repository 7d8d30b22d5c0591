"""What every command shares: error reporting, finding the project, reading --lang values.

Kept apart from cli.py so command modules (review/commands.py) can import it without importing the
command group itself, which registers them: no import cycle, also under ``python -m transpub.cli``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import TranspubError, UsageError

if TYPE_CHECKING:
    from ..config import Project


def _languages(value: tuple[str, ...]) -> tuple[str, ...]:
    """Every --lang value as typed (repeated, comma-separated, ``zh-Hans``) in transpub's spelling."""
    from ..config import normalize_lang

    out: list[str] = []
    for item in value:
        out.extend(normalize_lang(part) for part in item.split(",") if part.strip())
    return tuple(out)


def _one_language(project: Project, value: str) -> str:
    """A --lang that takes one language, read as every --lang is, and checked against the project."""
    languages = _languages((value,))
    if len(languages) != 1:
        raise UsageError(f"--lang takes one language here, not {value!r}")
    return project.check_language(languages[0])


def reports_errors(func):
    """Turn transpub's errors into one line on stderr and the error's exit code."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TranspubError as exc:
            click.echo(f"transpub: error: {exc.at_relative(Path.cwd())}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("transpub: interrupted", err=True)
            sys.exit(130)

    return wrapper


def _project(ctx: click.Context) -> Project:
    # the settings are loaded by the commands that use a project, not by --version or --help
    from .. import clock
    from ..config import find_project_root, load_project

    clock.source_date_epoch()  # a malformed SOURCE_DATE_EPOCH is refused by every command, before any work
    root = ctx.obj.get("project_dir") if ctx.obj else None
    return load_project(Path(root) if root else find_project_root(Path.cwd()))


@contextmanager
def progress(label: str, *, every: float = 2.0) -> Iterator[Callable[[int, int], None]]:
    """How every long command shows progress: yields ``report(done, total)``.

    On a terminal, a progress bar on stderr; otherwise (a log, a pipe, CI) a line ``label: done/total``
    at most every ``every`` seconds and at the end, so a long run is never silent.
    """
    if sys.stderr.isatty():
        bar = click.progressbar(length=1, label=label, file=sys.stderr)

        def report(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            yield report
        finally:
            bar.render_finish()
        return
    last = [time.monotonic(), -1]

    def report(done: int, total: int) -> None:
        moment = time.monotonic()
        if done >= total or moment - last[0] >= every:
            if done != last[1]:
                click.echo(f"{label}: {done}/{total}", err=True)
            last[0], last[1] = moment, done

    yield report


def echo_json(value: object) -> None:
    """What --json prints: ``value`` as indented JSON, non-ASCII text as it is."""
    import json  # here: only --json needs it (~5 ms to import)

    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_import_report(report, as_json: bool) -> None:
    """What an import (review document, XLIFF) did: each unit that was not unchanged, then a summary; or the
    JSON of it. Exit 1 when some unit was a conflict or rejected (the others applied)."""
    if as_json:
        echo_json(report.as_dict())
    else:
        for row in report.rows:
            if row.outcome.value != "unchanged":
                click.echo(row.line_text(report.path_label))
        click.echo(report.summary())
    if not report.ok:
        sys.exit(1)

