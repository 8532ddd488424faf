"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Datamonger: read, validate, measure and benchmark children's social care returns.",
)


@app.callback()
def _root() -> None:
    """Datamonger: read, validate, measure and benchmark children's social care returns."""
