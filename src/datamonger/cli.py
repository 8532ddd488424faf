"""The command line: one function per command, shared options in one place."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


@app.callback()
def _root() -> None:
    """Datamonger: read, validate, measure and benchmark children's social care returns."""


def main() -> None:
    app()
