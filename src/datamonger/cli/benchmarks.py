"""`datamonger benchmark`, `explore`, `measures`, `las` and `reference import|status`: the published figures.

Exit codes: 0 ok, 2 bad input (unknown LA, measure, region, year or file), with suggestions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from datamonger.benchmarks import reference
from datamonger.benchmarks.areas import UnknownArea
from datamonger.benchmarks.benchmark import BadRequest
from datamonger.benchmarks.benchmark import benchmark as run_benchmark
from datamonger.benchmarks.explore import explore as run_explore
from datamonger.benchmarks.flags import Notes
from datamonger.benchmarks.loaders import UnknownFile
from datamonger.benchmarks.measures import UnknownMeasure
from datamonger.benchmarks.published import Published
from datamonger.cli.app import app
from datamonger.cli.errors import fail
from datamonger.cli.options import Format, OutputOption, YearOption
from datamonger.reports.rows import to_csv, write_xlsx

ReferenceDbOption = Annotated[
    Path | None,
    typer.Option(
        "--reference-db",
        help="Database of imported published files (default: $XDG_DATA_HOME/datamonger/reference.duckdb).",
        dir_okay=False,
    ),
]


@contextmanager
def _bad_input() -> Iterator[None]:
    try:
        yield
    except (UnknownArea, UnknownMeasure, BadRequest, UnknownFile, FileNotFoundError) as exc:
        raise fail(str(exc)) from None


def _num(x: Any, dps: int = 1) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.{dps}f}" if abs(x) < 1e6 else f"{x:,.0f}"
    return str(x)


def _emit(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=not text.endswith("\n"))


def _csv(rows: list[dict[str, Any]]) -> str:
    return to_csv(list(rows[0]), [list(r.values()) for r in rows]) if rows else ""


def _xlsx(rows: list[dict[str, Any]], output: Path | None, sheet: str) -> None:
    if output is None:
        raise fail("--format xlsx needs --output FILE.xlsx")
    write_xlsx(list(rows[0]) if rows else [], [list(r.values()) for r in rows], output, sheet)


def _flat_benchmark(measure: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in measure.items() if k not in ("trend", "flags", "own_flags")}
    row["trend"] = "; ".join(
        f"{p['year']}: {p['value'] if p['value'] is not None else (p['suppressed'] or '-')}"
        for p in measure["trend"]
    )
    row["flags"] = " | ".join(
        f"{f['rule']} {f['direction']}: {f['detail']} {f['note']}" for f in measure["flags"]
    )
    return row


@app.command()
def benchmark(
    la: Annotated[
        str, typer.Option("--la", help="LA name, ONS code (E06/E08/E09/E10...) or DfE number.")
    ],
    year: YearOption = None,
    measures: Annotated[
        str | None, typer.Option("--measures", help="Comma-separated measure keys (default: all).")
    ] = None,
    neighbours: Annotated[
        str, typer.Option("--neighbours", help="Statistical neighbour model: 2025 or 2021.")
    ] = "2025",
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    output: OutputOption = None,
    chart: Annotated[
        list[str] | None,
        typer.Option("--chart", help="Write SVG charts for this measure key (repeatable)."),
    ] = None,
    chart_dir: Annotated[
        Path, typer.Option("--chart-dir", help="Folder for the SVG charts.")
    ] = Path("charts"),
    notes: Annotated[
        Path | None,
        typer.Option("--notes", help="Your own flag notes CSV, merged over the shipped notes."),
    ] = None,
    reference_db: ReferenceDbOption = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="A database with the LA's own returns loaded: its computed indicators are shown "
            "beside the published figures (column 'Ours'), ranked and banded among all LAs.",
            dir_okay=False,
        ),
    ] = None,
    pool: Annotated[
        Path | None,
        typer.Option(
            "--pool",
            help="A pool folder: the LA's indicators computed from its pooled extract stand "
            "beside the published figures instead (see docs/pool.md).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Where one LA stands on every published measure: England, region, neighbours, rank, quartile,
    change, trend and practice-or-recording flags.

    Each measure is shown at --year, or at its latest published year. Suppressed figures appear as
    `value: null` with `suppressed: "c"` (or the code published).
    """
    own = _own_values(db, year, la) if db else None
    if pool is not None:
        from datamonger.cli.pool import pool_own_values

        own = pool_own_values(pool, year, la)
    with _bad_input():
        pub = Published.open(reference_db)
        # Measure keys may contain commas inside [...]: rejoin the pieces split inside brackets.
        keys = (
            [k.strip() for k in _rejoin_brackets(measures.split(",")) if k.strip()]
            if measures
            else None
        )
        result = run_benchmark(
            la,
            year,
            keys,
            neighbours,
            published=pub,
            notes=Notes.load(notes) if notes else None,
            own=own,
        )
        from datamonger.reports.charts.files import write_charts  # Altair: only when drawing

        written = [
            str(p)
            for key in chart or []
            for p in write_charts(pub, result.la, key, year, neighbours, chart_dir)
        ]
    rows = [m.to_dict() for m in result.measures]
    if format is Format.json:
        _emit(json.dumps(rows, indent=2, default=str), output)
    elif format is Format.csv:
        _emit(_csv([_flat_benchmark(r) for r in rows]), output)
    elif format is Format.xlsx:
        _xlsx([_flat_benchmark(r) for r in rows], output, result.la.name)
    else:
        _benchmark_table(result.to_dict(), output)
    for path in written:
        typer.echo(f"Chart written: {path}", err=True)


def _own_values(db: Path, year: int | None, la: str) -> dict[str, float]:
    """The LA's own indicators for the census year, keyed by the published measure they match."""
    import duckdb

    from datamonger.indicators.engine import IndicatorError, compute
    from datamonger.indicators.model import Period

    if not db.exists():
        raise typer.BadParameter(f"{db} does not exist; load the returns with `datamonger load`.")
    con = duckdb.connect(str(db), read_only=True)
    try:
        if year is None:
            row = con.execute("SELECT max(collection_year) FROM returns_loaded").fetchone()
            year = int(row[0]) if row and row[0] else None
        if year is None:
            return {}
        try:
            results = compute(con, Period.census_year(year))
        except IndicatorError as exc:
            raise typer.BadParameter(str(exc)) from None
    finally:
        con.close()
    return {r.benchmark_key: r.value for r in results if r.benchmark_key and r.value is not None}


def _rejoin_brackets(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and out[-1].count("[") > out[-1].count("]"):
            out[-1] += "," + part
        else:
            out.append(part)
    return out


def _benchmark_table(result: dict[str, Any], output: Path | None) -> None:
    la = result["la"]
    console = Console(file=output.open("w", encoding="utf-8") if output else None, width=200)
    table = Table(
        title=f"{la['name']} ({la['la_number']}), {la['region']}; neighbours: {result['neighbours_model']} model",
        title_justify="left",
    )
    with_own = any(m.get("own") is not None for m in result["measures"])
    for col in (
        "Measure",
        "Year",
        "Value",
        *(("Ours",) if with_own else ()),
        "England",
        "Region",
        "SN mean",
        "SN median",
        "Rank",
        "Q",
        "Change",
        "Flags",
    ):
        table.add_column(col, justify="left" if col in ("Measure", "Flags") else "right")
    for m in result["measures"]:
        value = _num(m["value"]) if m["value"] is not None else (m["suppressed"] or "-")
        rank = f"{m['rank']}/{m['of']}" if m["rank"] else ""
        flags = "; ".join(f"{f['rule']} {f['direction']}" for f in m["flags"])
        table.add_row(
            f"{escape(m['title'][:60])}\n[dim]{escape(m['key'][:80])}[/dim]",
            str(m["period"] or m["year"]),
            value,
            *((_num(m.get("own")),) if with_own else ()),
            _num(m["england"]),
            _num(m["region"]),
            _num(m["sn_mean"]),
            _num(m["sn_median"]),
            rank,
            m["quartile"] or "",
            _num(m["change"]),
            flags,
        )
    console.print(table)
    notes = [(m["title"], f) for m in result["measures"] for f in m["flags"]]
    for title, f in notes:
        console.print(
            f"[bold]{title}[/bold] ({f['rule']}, {f['direction']}): {f['detail']}\n  {f['note']}"
        )
    if la.get("change_note"):
        console.print(f"[dim]{la['name']}: {la['change_note']}[/dim]")


@app.command()
def explore(
    measure: Annotated[str, typer.Argument(help="LAIT key or EES file:column[filter=value;...].")],
    per: Annotated[
        str | None, typer.Option("--per", help="Divide by this measure (a ratio).")
    ] = None,
    year: YearOption = None,
    compare_year: Annotated[
        int | None, typer.Option("--compare-year", help="Compare with this year.")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Only LAs of this region (London = Inner + Outer)."),
    ] = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    output: OutputOption = None,
    reference_db: ReferenceDbOption = None,
    pool: Annotated[
        Path | None,
        typer.Option(
            "--pool",
            help="A pool folder: rank the pool's LAs on an indicator (MEASURE is an indicator id "
            "of `datamonger indicators --list`) computed from the pool, with the pool's figure.",
            file_okay=False,
        ),
    ] = None,
    publish: Annotated[
        bool,
        typer.Option("--publish", help="With --pool: apply the small-number suppression."),
    ] = False,
) -> None:
    """Rank all LAs on a published measure (or the ratio of two) for a year, optionally against another year."""
    if pool is not None:
        from datamonger.cli.pool import pool_explore

        if per or compare_year or region:
            raise fail("--per, --compare-year and --region do not apply with --pool")
        pool_explore(pool, measure, year, publish, format, output)
        return
    if publish:
        raise fail("--publish applies with --pool only (published figures are suppressed already)")
    with _bad_input():
        result = run_explore(measure, per, year, compare_year, region, Published.open(reference_db))
    if format is Format.json:
        _emit(json.dumps(result, indent=2, default=str), output)
    elif format in (Format.csv, Format.xlsx):
        rows = result["las"]
        if format is Format.csv:
            _emit(_csv(rows), output)
        else:
            _xlsx(rows, output, "explore")
    else:
        console = Console(file=output.open("w", encoding="utf-8") if output else None, width=160)
        table = Table(
            title=f"{result['title']}, {result['year']}"
            + (f" vs {result['compare_year']}" if result["compare_year"] else "")
            + f" ({result['rank_order']})",
            title_justify="left",
        )
        cols = ["Rank", "LA", "Region", "Value"] + (
            ["Previous", "Change"] if result["compare_year"] else []
        )
        for c in cols:
            table.add_column(c, justify="left" if c in ("LA", "Region") else "right")
        for r in result["las"]:
            cells = [
                str(r["rank"] or ""),
                r["name"],
                r["region"] or "",
                _num(r["value"], 2) if r["value"] is not None else (r["suppressed"] or "-"),
            ]
            if result["compare_year"]:
                cells += [_num(r["previous"], 2), _num(r["change"], 2)]
            table.add_row(*cells)
        console.print(table)
        eng = result["england"]
        console.print(
            f"England: {_num(eng['value'], 2)}"
            + (f" (change {_num(eng.get('change'), 2)})" if result["compare_year"] else "")
        )
        console.print(f"Summary: {json.dumps(result['summary'], default=str)}")


@app.command()
def measures(
    search: Annotated[
        str | None, typer.Option("--search", help="Words that must all appear.")
    ] = None,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    reference_db: ReferenceDbOption = None,
) -> None:
    """List the published measures (LAIT keys, EES file:column[filters], derived ratios)."""
    pub = Published.open(reference_db)
    found = pub.catalogue.search(search)
    rows: list[dict[str, Any]] = [
        dict(m.to_dict(), years=",".join(map(str, pub.years.get(m.key, [])))) for m in found
    ]
    if format is Format.json:
        typer.echo(json.dumps(rows, indent=2))
    elif format is Format.csv:
        typer.echo(_csv(rows), nl=False)
    else:
        table = Table(title=f"{len(rows)} measures", title_justify="left")
        for c in ("Key", "Title", "Source", "Polarity", "Years"):
            table.add_column(c)
        for r in rows:
            years = r["years"].split(",")
            span = f"{years[0]}-{years[-1]}" if years and years[0] else ""
            table.add_row(
                escape(str(r["key"])),
                escape(str(r["title"])),
                str(r["source"]),
                str(r["polarity"]),
                span,
            )
        Console(width=200).print(table)


@app.command()
def las(
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    reference_db: ReferenceDbOption = None,
) -> None:
    """List the local authorities with their DfE numbers, ONS codes and regions."""
    pub = Published.open(reference_db)
    rows: list[dict[str, Any]] = [
        la.to_dict() for la in sorted(pub.areas.las.values(), key=lambda la: la.name)
    ]
    if format is Format.json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(rows)} LAs (current and former)", title_justify="left")
    for c in ("DfE", "Name", "ONS", "Region", "Current"):
        table.add_column(c)
    for r in rows:
        table.add_row(
            r["la_number"],
            r["name"],
            ", ".join(r["ons_codes"]),
            r["region"] or "",
            "yes" if r["current"] else "no",
        )
    Console(width=160).print(table)


reference_app = typer.Typer(
    no_args_is_help=True, help="The DfE published figures: import newer files, show provenance."
)
app.add_typer(reference_app, name="reference")


@reference_app.command("import")
def reference_import(
    files: Annotated[
        list[Path], typer.Argument(help="Newer published files in the shipped formats.")
    ],
    reference_db: ReferenceDbOption = None,
) -> None:
    """Import newer published files (LAIT bds_long parquet, LAIT data dictionary, EES CSVs, statistical
    neighbour CSVs) into your reference database. A newer file replaces the same measure/year rows;
    the installed package is never changed."""
    with _bad_input():
        for f in files:
            if not f.exists():
                raise FileNotFoundError(f"{f} does not exist")
        reports = reference.import_files(files, reference_db)
    for r in reports:
        years = f"{r.years[0]}-{r.years[-1]}" if r.years else "-"
        typer.echo(
            f"{r.file}: {r.kind}, {r.rows:,} rows, {r.measures} measures, years {years} -> {r.database}"
        )
        for note in r.skipped:
            typer.echo(f"  note: {note}")


@reference_app.command("status")
def reference_status(reference_db: ReferenceDbOption = None) -> None:
    """Show what is shipped and what you imported."""
    typer.echo(f"Shipped files: {', '.join(p.name for p, _ in reference.shipped_files())}")
    typer.echo(
        "Provenance and licence: datamonger/data/published/PROVENANCE.md (Open Government Licence v3.0)"
    )
    log = reference.imports_log(reference_db)
    if not log:
        typer.echo("No imported files.")
    for row in log:
        typer.echo(
            f"Imported {row['imported_at']}: {row['file']} ({row['kind']}, {row['rows']:,} rows, years {row['years']})"
        )
