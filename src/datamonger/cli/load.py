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
from datamonger.problems import Problem, Severity
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
    problem = check_db(db)
    if problem is not None:
        if format is LoadFormat.json:
            out = {"loaded": [], "problems": [problem.to_dict()], "exit_code": 2}
            typer.echo(json.dumps(out, indent=2))
        else:
            Console(stderr=True).print(
                f"[bold red]error[/] {problem.message}\n    {problem.hint}",
                highlight=False,
                soft_wrap=True,
            )
        raise typer.Exit(2)
    with Store(db) as store:
        report = load_paths(paths, store, year=year, la=la)
    if format is LoadFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_report(report, Console(), db)
    raise typer.Exit(report.exit_code)


def check_db(db: Path) -> Problem | None:
    """Why --db cannot be used (a file that is not a DuckDB database, a missing folder), or None."""
    if db.is_dir():
        return Problem(
            Severity.ERROR,
            "not_a_database",
            f"--db {db} is a folder, not a database file.",
            file=str(db),
            hint="Name a .duckdb file, e.g. --db returns.duckdb.",
        )
    if not db.parent.is_dir():
        return Problem(
            Severity.ERROR,
            "not_a_database",
            f"The folder of --db {db} ({db.parent}) does not exist; nothing was loaded.",
            file=str(db),
            hint="Create the folder first, or name a database file in an existing folder.",
        )
    if db.is_file() and db.stat().st_size:
        with db.open("rb") as fh:
            head = fh.read(16)
        if head[8:12] != b"DUCK":
            return Problem(
                Severity.ERROR,
                "not_a_database",
                f"--db {db} is an existing file that is not a Datamonger database (a DuckDB "
                "file); it was left untouched and nothing was loaded.",
                file=str(db),
                hint="Name a new or existing .duckdb file, e.g. --db returns.duckdb.",
            )
    return None


PRINTED = 20  # problems of one code and file printed one by one; the rest are counted


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
    seen: dict[tuple[str | None, str], int] = {}
    for p in report.problems:
        n = seen[(p.file, p.code)] = seen.get((p.file, p.code), 0) + 1
        if n > PRINTED:
            continue
        where = p.where()
        hint = f"\n    {p.hint}" if p.hint and p.severity is not Severity.INFO else ""
        console.print(
            f"[{STYLE[p.severity]}]{p.severity.value}[/] {where}: {p.message}{hint}",
            highlight=False,
            soft_wrap=True,
        )
    for (file, code), n in seen.items():
        if n > PRINTED:
            console.print(
                f"... and {n - PRINTED:,} more '{code}' problems in {file} (all are in "
                "`--format json` and in the database table load_problems).",
                highlight=False,
                soft_wrap=True,
            )
    console.print(
        f"{len(report.files_loaded)} file(s) loaded, {len(report.files_refused)} refused, "
        f"{len(report.files_skipped)} skipped.",
        highlight=False,
    )
