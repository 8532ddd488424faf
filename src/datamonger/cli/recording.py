"""`datamonger recording`: recording-quality checks ("practice or recording?") on the loaded
returns, each beside the published spread between LAs, and the children behind one (`--children`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from datamonger.cli.app import app
from datamonger.cli.errors import fail, open_read_only
from datamonger.cli.indicators import _period, _write_rows
from datamonger.cli.options import DEFAULT_DB, DbOption, Format, OutputOption, YearOption
from datamonger.indicators.recording import RecordingError, children, run

console = Console()

COLUMNS = [
    "id",
    "title",
    "year",
    "value",
    "unit",
    "flagged",
    "rows",
    "raised",
    "reason",
    "published_year",
    "published_min",
    "published_median",
    "published_max",
    "published_england",
    "note",
]


def _row(f: Any) -> list[Any]:
    p = f.published or {}
    return [
        f.id,
        f.title,
        f.year,
        f.value,
        f.unit,
        f.flagged,
        f.rows,
        f.raised,
        f.reason,
        p.get("year"),
        _round(p.get("min")),
        _round(p.get("median")),
        _round(p.get("max")),
        _round(p.get("england")),
        f.note,
    ]


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


@app.command()
def recording(
    db: DbOption = DEFAULT_DB,
    year: YearOption = None,
    la: Annotated[
        str | None, typer.Option("--la", help="LA: DfE number (e.g. 873) or ONS code.")
    ] = None,
    children_of: Annotated[
        str | None,
        typer.Option("--children", help="List the records behind this check instead."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    output: OutputOption = None,
) -> None:
    """Recording-quality checks: figures more often explained by how things are recorded than
    by practice, from the LA's own records, beside the published spread between LAs."""
    con = open_read_only(db)
    try:
        period = _period(con, year, None)
        if children_of:
            rows = children(con, period, children_of, la)
            _write_rows(
                rows.column_names,
                [list(r.values()) for r in rows.to_pylist()],
                fmt,
                output,
                f"{children_of} ({period.label()})",
            )
            return
        findings = run(con, period, la)
    except RecordingError as exc:
        raise fail(str(exc)) from None
    except duckdb.Error as exc:
        raise fail(f"the database could not be read as expected ({exc})") from None
    finally:
        con.close()
    if fmt is Format.json:
        text = json.dumps([f.to_dict() for f in findings], indent=2, default=str)
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text, encoding="utf-8")
        return
    if fmt is Format.table and output is None:
        _table(findings, f"Recording checks {period.label()}")
        return
    _write_rows(COLUMNS, [_row(f) for f in findings], fmt, output, "Recording checks")


def _table(findings: list[Any], title: str) -> None:
    table = Table(title=title)
    for c in ("Check", "Value", "Of", "Published between LAs", "Raised"):
        table.add_column(c)
    for f in findings:
        p = f.published
        pub = (
            f"{p['min']:.1f} to {p['max']:.1f} (England {p['england']:.1f}, {p['year']})"
            if p and p.get("england") is not None
            else ""
        )
        value = "n/a" if f.value is None else f"{f.value:g} {f.unit}"
        table.add_row(f.title, value, f"{f.flagged:,} of {f.rows:,}", pub, f.reason or "")
    console.print(table)
    console.print("Notes: `datamonger recording --format json` gives each check's note.")
