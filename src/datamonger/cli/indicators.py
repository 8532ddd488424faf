"""`datamonger indicators`: the DfE indicators for a census year or any 12 months, and the
children behind each one (`--explain`)."""

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
from datamonger.cli.errors import fail, open_read_only
from datamonger.cli.options import DEFAULT_DB, DbOption, Format, OutputOption, YearOption
from datamonger.indicators import IndicatorError, Period, Settings, compute, explain, repairs
from datamonger.reports.rows import plain, to_csv, to_json, write_xlsx

console = Console()


def _period(con: duckdb.DuckDBPyConnection, year: int | None, to: str | None) -> Period:
    if year and to:
        raise fail("give --year or --to, not both")
    if to:
        try:
            return Period.twelve_months_to(dt.date.fromisoformat(to))
        except ValueError:
            raise fail(f"--to must be a date written YYYY-MM-DD, not '{to}'") from None
    if year:
        return Period.census_year(year)
    row = con.execute(
        "SELECT max(collection_year) FROM (SELECT collection_year FROM cin_episodes "
        "UNION ALL SELECT collection_year FROM ssda903_episodes)"
    ).fetchone()
    if not row or row[0] is None:
        raise fail("the database holds no returns yet: load some with `datamonger load`")
    return Period.census_year(int(row[0]))


def _settings(values: list[str] | None) -> Settings:
    chosen: dict[str, Any] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or key not in Settings.names():
            raise fail(f"--setting takes NAME=VALUE with NAME one of {', '.join(Settings.names())}")
        chosen[key] = value
    settings = Settings(**chosen)
    allowed = {
        "rereferral_window": ("months", "365"),
        "working_days": ("day0", "day1"),
        "placement_moves": ("carer", "placement"),
        "temporary_placements": ("ignore", "count"),
        "episode_version": ("period", "latest"),
        "disability_population": ("at_end", "during"),
    }
    for key, value in chosen.items():
        if value not in allowed[key]:
            raise fail(f"--setting {key} must be one of {', '.join(allowed[key])}")
    return settings


def _write_rows(
    columns: list[str], rows: list[list[Any]], fmt: Format, output: Path | None, title: str
) -> None:
    if fmt is Format.xlsx:
        if output is None:
            raise fail("--format xlsx needs --output FILE")
        write_xlsx(columns, rows, output, title)
        return
    if fmt is Format.json:
        text = to_json(columns, rows)
    elif fmt is Format.csv:
        text = to_csv(columns, rows)
    else:
        table = Table(title=title)
        for c in columns:
            table.add_column(c)
        for r in rows:
            table.add_row(*("" if v is None else str(plain(v)) for v in r))
        if output is None:
            console.print(table)
            return
        rec = Console(file=io.StringIO(), width=200)
        rec.print(table)
        text = rec.file.getvalue()  # type: ignore[attr-defined]
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def indicators(
    db: DbOption = DEFAULT_DB,
    la: Annotated[
        str | None, typer.Option("--la", help="LA: DfE number (e.g. 873) or ONS code.")
    ] = None,
    year: YearOption = None,
    to: Annotated[
        str | None, typer.Option("--to", help="12 months ending on this date (YYYY-MM-DD).")
    ] = None,
    ids: Annotated[
        str | None, typer.Option("--ids", help="Only these indicators (comma-separated ids).")
    ] = None,
    explain_id: Annotated[
        str | None,
        typer.Option("--explain", help="List the children behind this indicator instead."),
    ] = None,
    show_repairs: Annotated[
        bool, typer.Option("--repairs", help="List 903 episodes repaired from later returns.")
    ] = False,
    setting: Annotated[
        list[str] | None,
        typer.Option("--setting", help="A reading of an ambiguous definition, NAME=VALUE."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    output: OutputOption = None,
    pool: Annotated[
        Path | None,
        typer.Option("--pool", help="A pool folder: every indicator per LA and for the pool."),
    ] = None,
    publish: Annotated[
        bool,
        typer.Option("--publish", help="With --pool: suppress small numbers for publication."),
    ] = False,
    engine: Annotated[
        str, typer.Option("--engine", help="With --pool: duckdb (default) or spark.")
    ] = "duckdb",
    spark_master: Annotated[
        str, typer.Option("--spark-master", help="With --engine spark: the Spark master URL.")
    ] = "local[2]",
) -> None:
    """Compute the DfE's published indicators from the loaded returns."""
    if pool is not None:
        from datamonger.cli.pool import pool_indicators

        pool_indicators(
            pool, year, to, ids, _settings(setting), fmt, output, publish, engine, spark_master
        )
        return
    con = open_read_only(db)
    try:
        settings = _settings(setting)
        period = _period(con, year, to)
        if show_repairs:
            rep_cols, rep_rows = repairs(con, period, settings)
            _write_rows(rep_cols, [list(r) for r in rep_rows], fmt, output, "Repaired episodes")
            return
        if explain_id:
            ex = explain(con, period, explain_id, settings, la)
            if fmt is Format.table and output is None:
                r = ex.result
                console.print(
                    f"[bold]{r.title}[/bold] ({period.label()}): value {r.value} "
                    f"= {r.numerator} / {r.denominator} {r.unit}"
                )
                for note in r.notes:
                    console.print(f"  note: {note}")
            _write_rows(ex.columns, [list(x) for x in ex.rows], fmt, output, explain_id)
            return
        results = compute(con, period, ids.split(",") if ids else None, settings, la)
    except IndicatorError as exc:
        raise fail(str(exc)) from None
    except duckdb.Error as exc:
        raise fail(f"the database could not be read as expected ({exc})") from None
    finally:
        con.close()
    cols = [
        "id",
        "title",
        "category",
        "polarity",
        "unit",
        "value",
        "numerator",
        "denominator",
        "period_start",
        "period_end",
        "benchmark_key",
        "notes",
    ]
    if fmt is Format.json:
        text = json.dumps([r.as_dict() for r in results], indent=2)
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text, encoding="utf-8")
        return
    if fmt is Format.table:
        _framework_table(results, f"Indicators {period.label()}", output)
        return
    flat: list[list[Any]] = [[plain(getattr(r, c)) for c in cols] for r in results]
    _write_rows(cols, flat, fmt, output, "Indicators")


def _whole(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def _figure(r: Any) -> tuple[str, str]:
    """The value with its unit, and what it was computed from, as an analyst reads them."""
    if r.value is None:
        return "n/a", ""
    if r.unit == "%":
        return f"{r.value:.1f}%", f"{_whole(r.numerator)} of {_whole(r.denominator)}"
    if r.unit.startswith("per 10,000"):
        population = r.denominator * 10_000 if r.denominator else None
        return f"{r.value:.1f} per 10k", f"{_whole(r.numerator)} in {_whole(population)} aged 0-17"
    if r.unit == "count":
        return _whole(r.value), ""
    return f"{r.value:.1f} {r.unit}", f"{_whole(r.denominator)} children" if r.denominator else ""


def _framework_table(results: list[Any], title: str, output: Path | None) -> None:
    """The terminal view: grouped as the performance framework (OBA) groups them."""
    out = Console(file=io.StringIO(), width=160) if output else console
    for category in ("How much did we do?", "How well did we do it?", "Is anyone better off?"):
        rows = [r for r in results if r.category == category]
        if not rows:
            continue
        table = Table(title=f"{title}: {category}", title_justify="left", expand=False)
        table.add_column("Indicator", overflow="fold", max_width=58)
        table.add_column("Value", justify="right", no_wrap=True)
        table.add_column("From", overflow="fold", max_width=34)
        table.add_column("Notes", overflow="fold", max_width=50)
        for r in rows:
            value, base = _figure(r)
            table.add_row(r.title, value, base, _short_notes(r.notes))
        out.print(table)
    if output:
        output.write_text(out.file.getvalue(), encoding="utf-8")  # type: ignore[attr-defined]


def _short_notes(notes: list[str]) -> str:
    """The terminal table shows what limits the figure, not the definition choices."""
    return "; ".join(n for n in notes if not n.startswith(("choice:", "population:")))
