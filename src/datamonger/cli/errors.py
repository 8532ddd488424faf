"""The one way a command says it cannot go on: one plain line on stderr, then its exit code.

Users never see a traceback: every command's expected failures go through `fail`, and the last
guard in `cli.main` catches the rest.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import typer
from rich.console import Console
from rich.markup import escape


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `error <message>` on stderr; return the Exit to raise (`raise fail(...)`)."""
    Console(stderr=True).print(
        f"[bold red]error[/] {escape(message)}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """The LA's database opened for reading, or `fail` saying why not."""
    if not db.exists():
        raise fail(f"no database at {db}: load returns first with `datamonger load`")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise fail(f"cannot open {db}: {exc}") from None
