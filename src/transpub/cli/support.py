"""What every command shares: error reporting, finding the project, reading --lang values.

Kept apart from cli.py so command modules (review/commands.py) can import it without importing the
command group itself, which registers them: no import cycle, also under ``python -m transpub.cli``.
"""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path

import click

from ..config import Project, find_project_root, load_project, normalize_lang
from ..errors import TranspubError


def _languages(value: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for item in value:
        out.extend(normalize_lang(part) for part in item.split(",") if part.strip())
    return tuple(out)


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
    root = ctx.obj.get("project_dir") if ctx.obj else None
    return load_project(Path(root) if root else find_project_root(Path.cwd()))
