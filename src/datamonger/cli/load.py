"""`datamonger load`: files and folders into the database."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from datamonger.cli.app import app
from datamonger.cli.options import DEFAULT_DB, DbOption, YearOption
from datamonger.loading import LoadReport, load_paths
from datamonger.problems import Severity
from datamonger.returns import label
from datamonger.store import Store


class LoadFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    db: DbOption = DEFAULT_DB,
    year: YearOption = None,
    la: Annotated[str | None, typer.Option(help="The LA's 3-digit DfE number.")] = None,
    format: Annotated[LoadFormat, typer.Option("--format")] = LoadFormat.table,
) -> None:
    """Load CIN census XML and SSDA903 CSV/XLSX/XML returns into the database.

    Each file's return and table are recognised from its content, never its name. Loading a
    return for a collection year replaces what the database held for that return and year.
    Exit code: 0 everything loaded, 1 something was refused (the rest loaded), 2 nothing loaded.
    """
    with Store(db) as store:
        report = load_paths(paths, store, year=year, la=la)
    if format is LoadFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_report(report, Console(), db)
    raise typer.Exit(report.exit_code)


STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}


def print_report(report: LoadReport, console: Console, db: Path) -> None:
    if report.loaded:
        table = Table(title=f"Loaded into {db}", title_justify="left")
        for col, justify in (("Return", "left"), ("Year", "left"), ("Table", "left")):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        table.add_column("Rows", justify="right")
        for ret, year, name, rows in report.loaded:
            table.add_row(ret, label(year), name, f"{rows:,}")
        console.print(table)
    for p in report.problems:
        where = p.where()
        hint = f"\n    {p.hint}" if p.hint and p.severity is not Severity.INFO else ""
        console.print(
            f"[{STYLE[p.severity]}]{p.severity.value}[/] {where}: {p.message}{hint}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"{len(report.files_loaded)} file(s) loaded, {len(report.files_refused)} refused, "
        f"{len(report.files_skipped)} skipped.",
        highlight=False,
    )
