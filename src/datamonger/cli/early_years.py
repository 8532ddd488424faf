"""`datamonger early-years`: the weekly early-education check of looked-after children."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from datamonger.cli.app import app
from datamonger.cli.errors import fail
from datamonger.cli.options import DEFAULT_DB, DbOption, Format, OutputOption
from datamonger.reports.rows import plain, to_csv

console = Console()


def _lists(paths: list[Path]) -> list[Path]:
    """Files as given; a folder gives its CSV and XLSX files that are early-years lists."""
    from datamonger.early_years.columns import EY_LIST, kind_of
    from datamonger.early_years.readers import InputRefused, read_raw

    out: list[Path] = []
    for p in paths:
        if not p.is_dir():
            out.append(p)
            continue
        for f in sorted(p.iterdir()):
            if f.suffix.lower() not in (".csv", ".xlsx"):
                continue
            try:
                header, _ = read_raw(f)
            except InputRefused:
                continue
            if kind_of(header) == EY_LIST:
                out.append(f)
    return out


@app.command("early-years")
def early_years(
    ey_list: Annotated[
        list[Path],
        typer.Option(
            "--ey-list",
            help="An early-years list (CSV or XLSX), or a folder of them; repeat for each LA's.",
        ),
    ],
    identities: Annotated[
        Path,
        typer.Option("--identities", help="Names of the looked-after children (CSV or XLSX)."),
    ],
    db: DbOption = DEFAULT_DB,
    settings: Annotated[
        Path | None,
        typer.Option(
            "--settings", help="Ofsted's register of early years settings (default: synthetic)."
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day of the check, YYYY-MM-DD (today).")
    ] = None,
    la: Annotated[
        str | None, typer.Option("--la", help="The LA's DfE number (default: from the returns).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Link the early-years lists to the looked-after children and report take-up, by child."""
    from datamonger.early_years.monitor import MonitorError, run
    from datamonger.early_years.readers import InputRefused, read_inputs
    from datamonger.early_years.report import write_workbook
    from datamonger.indicators.reference import la_numbers

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise fail("--as-of must be a date written YYYY-MM-DD, e.g. 2025-03-31") from None
    if la is not None:
        if la.upper() not in la_numbers():
            raise fail(f"--la {la} is not the DfE number or ONS code of an English LA")
        la = la_numbers()[la.upper()]
    if fmt is Format.xlsx and output is None:
        raise fail("--format xlsx needs --output FILE")
    if not db.exists():
        raise fail(f"no database at {db}: load the SSDA903 return first with `datamonger load`")
    try:
        inputs = read_inputs(_lists(ey_list), identities, settings)
    except InputRefused as exc:
        raise fail(
            f"{exc.describe()}\nNothing was read or stored: correct the file and run again."
        ) from None
    try:
        con = duckdb.connect(str(db))
    except duckdb.Error as exc:
        raise fail(f"cannot open {db}: {str(exc).splitlines()[0]}") from None
    try:
        result = run(con, inputs, day, la)
    except MonitorError as exc:
        raise fail(str(exc)) from None
    finally:
        con.close()
    if fmt is Format.xlsx:
        assert output is not None
        write_workbook(result, output)
        console.print(f"Written to {output}")
        return
    if fmt is Format.json:
        _emit(json.dumps(result.to_json(), indent=2, default=str), output)
        return
    from datamonger.early_years.report import CHILD_COLUMNS

    rows = [[r.get(c) for c in CHILD_COLUMNS] for r in result.children.to_pylist()]
    if fmt is Format.csv:
        _emit(to_csv(CHILD_COLUMNS, rows), output)
        return
    _table(result.summary, rows, result.review.num_rows, result.changes.num_rows, output)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")


def _table(
    s: dict[str, Any], rows: list[list[Any]], review: int, changes: int, output: Path | None
) -> None:
    from datamonger.early_years.report import (
        CHILD_COLUMNS,
        SUMMARY_COLUMNS,
        comparison_rows,
        summary_rows,
    )

    out = Console(file=io.StringIO(), width=200) if output else console
    out.print(
        f"[bold]Early education of looked-after children, LA {s['la']}, {s['term']} "
        f"(as of {s['as_of']})[/bold]\n"
        f"eligible {s['eligible']}: attending {s['attending']}, not attending "
        f"{s['not_attending']}, unknown {s['unknown']} (placed where no list was given); "
        f"take-up {s['take_up_pct']}% of those with a known status; known status "
        f"{s['known_status_pct']}%; {review} list rows to review; {changes} changes since the "
        "last check"
    )
    for title, columns, body in (
        ("Breakdowns", SUMMARY_COLUMNS, summary_rows(s)),
        ("Against published take-up", ("figure", "year", "percent", "source"), comparison_rows(s)),
        ("Eligible children (changes since the last check first)", CHILD_COLUMNS, rows),
    ):
        table = Table(title=title)
        for c in columns:
            table.add_column(c)
        for r in body:
            table.add_row(*("" if v is None else str(plain(v)) for v in r))
        out.print(table)
    if output is not None:
        output.write_text(out.file.getvalue(), encoding="utf-8")  # type: ignore[attr-defined]
