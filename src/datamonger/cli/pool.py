"""`datamonger pool ...`: de-identified extracts, the pooled store, and the pool's indicators."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from datamonger.cli.app import app
from datamonger.cli.errors import fail
from datamonger.cli.options import Format
from datamonger.indicators import IndicatorError, Period, Settings
from datamonger.pool.errors import PoolError

pool_app = typer.Typer(
    no_args_is_help=True,
    help="Regional pooling: de-identified extracts from many LAs, one pooled store.",
)
app.add_typer(pool_app, name="pool")
console = Console()


@pool_app.command("keygen")
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Key file to write (must not exist).")],
) -> None:
    """Make a partnership key: share it with the partnership's LAs only, never with the pool."""
    from datamonger.pool.keys import fingerprint, new_key

    if out.exists():
        raise fail(f"{out} exists: a key is never overwritten (its pseudonyms would be lost)")
    key = new_key()
    out.write_text(key + "\n", encoding="ascii")
    out.chmod(0o600)
    console.print(f"Key written to {out} (fingerprint {fingerprint(bytes.fromhex(key))})")


@pool_app.command("export")
def export(
    db: Annotated[Path, typer.Option("--db", help="The LA's DuckDB database.", dir_okay=False)],
    key_file: Annotated[Path, typer.Option("--key-file", help="The partnership's key file.")],
    out: Annotated[Path, typer.Option("--out", help="New folder for the extract.")],
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="Pool policy (default: the one shipped).")
    ] = None,
    la: Annotated[
        str | None, typer.Option("--la", help="The LA's DfE number, if the database lacks it.")
    ] = None,
) -> None:
    """Write a de-identified extract of every loaded return and year (partitioned Parquet)."""
    from datamonger.pool.export import export as run
    from datamonger.pool.policy import load_policy

    try:
        summary = run(db, key_file, out, load_policy(policy_file), la)
    except PoolError as exc:
        raise fail(str(exc)) from None
    years = "; ".join(f"{r} {', '.join(map(str, ys))}" for r, ys in summary.years.items())
    console.print(
        f"LA {summary.la}: {summary.rows:,} rows in {summary.files} files ({years}) "
        f"written to {summary.out_dir}"
    )
    k = summary.k
    console.print(
        f"k-anonymity (k={k.k}, coarsening level {k.level}): {k.at_risk:,} of {k.children:,} "
        "children share their month of birth, sex, ethnicity, postcode sector and LA with "
        f"fewer than {k.k} children"
    )


@pool_app.command("import")
def import_(
    extracts: Annotated[list[Path], typer.Argument(help="Extract folders made by `pool export`.")],
    pool: Annotated[Path, typer.Option("--pool", help="The pool folder (made if new).")],
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="Also check the extracts were made with this key."),
    ] = None,
) -> None:
    """Check extracts (manifest, hashes, policy, key) and swap them into the pool, all or none."""
    from datamonger.pool.importer import import_extracts

    try:
        summary = import_extracts(extracts, pool, key_file)
    except PoolError as exc:
        raise fail(str(exc) + "; the pool was not changed") from None
    for la, return_name, year, replaced in summary.imported:
        console.print(f"LA {la} {return_name} {year}: {'replaced' if replaced else 'added'}")
    console.print(f"Pool {summary.pool}: {len(summary.imported)} partitions imported")


def pool_indicators(
    pool: Path,
    year: int | None,
    to: str | None,
    ids: str | None,
    settings: Settings,
    fmt: Format,
    output: Path | None,
    publish: bool,
    engine: str,
    spark_master: str = "local[2]",
) -> None:
    """`indicators --pool`: each LA's figures and the pool's, the same SQL as for one LA."""
    from datamonger.cli.indicators import _write_rows
    from datamonger.pool.indicators import COLUMNS, compute_pool, published_rows, rows
    from datamonger.pool.views import PoolDB

    if engine not in ("duckdb", "spark"):
        raise fail("--engine must be duckdb or spark")
    if year and to:
        raise fail("give --year or --to, not both")
    try:
        db = PoolDB(pool)
    except PoolError as exc:
        raise fail(str(exc)) from None
    try:
        if to:
            try:
                period = Period.twelve_months_to(dt.date.fromisoformat(to))
            except ValueError:
                raise fail(f"--to must be a date written YYYY-MM-DD, not '{to}'") from None
        else:
            years = db.years()
            if not years:
                raise fail(f"the pool {pool} holds no episodes")
            period = Period.census_year(year or years[-1])
        chosen = ids.split(",") if ids else None
        if engine == "spark":
            from datamonger.pool.spark import compute_pool_spark, session

            results = compute_pool_spark(db, period, chosen, settings, session(spark_master))
        else:
            results = compute_pool(db, period, chosen, settings)
    except (IndicatorError, PoolError) as exc:
        raise fail(str(exc)) from None
    finally:
        db.close()
    if publish:
        table, note = published_rows(results)
    else:
        table, note = rows(results), ""
    title = f"Pool indicators {period.label()}"
    if fmt is Format.table and output is None:
        _wide(table, title)
    else:
        _write_rows(COLUMNS, table, fmt, output, "Pool indicators")
    if note:
        Console(stderr=output is None and fmt is not Format.table).print(note)


def _wide(table: list[list[Any]], title: str) -> None:
    """Indicators down, LAs and the pool across: how a partnership compares its members."""
    scopes = list(dict.fromkeys(r[0] for r in table))
    by = {(r[1], r[0]): r for r in table}
    out = Table(title=title, title_justify="left")
    out.add_column("Indicator", overflow="fold", max_width=48)
    out.add_column("Unit", max_width=12)
    for s in scopes:
        out.add_column("Pool" if s == "pool" else f"LA {s}", justify="right")
    for ind_id in dict.fromkeys(r[1] for r in table):
        first = next(by[(ind_id, s)] for s in scopes if (ind_id, s) in by)
        cells = []
        for s in scopes:
            v = by.get((ind_id, s), [None] * 8)[4]
            cells.append("" if v is None else str(v))
        out.add_row(first[2], first[3], *cells)
    console.print(out)


def pool_own_values(pool: Path, year: int | None, la: str) -> dict[str, float]:
    """`benchmark --pool`: one LA's indicators from the pool, keyed by the published measure."""
    from datamonger.indicators.reference import resolve_la
    from datamonger.pool.indicators import compute_scope
    from datamonger.pool.views import PoolDB

    try:
        db = PoolDB(pool)
    except PoolError as exc:
        raise fail(str(exc)) from None
    try:
        code = resolve_la(la).dfe or la
        if code not in db.las:
            raise fail(f"LA {la} is not in the pool {pool} (it holds {', '.join(db.las)})")
        years = db.years()
        if not years:
            return {}
        results = compute_scope(db, code, Period.census_year(year or years[-1]))
    finally:
        db.close()
    return {r.benchmark_key: r.value for r in results if r.benchmark_key and r.value is not None}


def pool_explore(
    pool: Path,
    indicator: str,
    year: int | None,
    publish: bool,
    fmt: Format,
    output: Path | None,
) -> None:
    """`explore --pool`: the pool's LAs ranked on one indicator, and the whole pool's figure."""
    import json

    from datamonger.cli.indicators import _write_rows
    from datamonger.pool.explore import explore_pool
    from datamonger.pool.views import PoolDB

    try:
        db = PoolDB(pool)
    except PoolError as exc:
        raise fail(str(exc)) from None
    try:
        years = db.years()
        if not years:
            raise fail(f"the pool {pool} holds no episodes")
        if year is not None and year not in years:
            raise fail(f"the pool holds no {year} returns; years: {', '.join(map(str, years))}")
        result = explore_pool(db, Period.census_year(year or years[-1]), indicator, publish)
    except (IndicatorError, PoolError) as exc:
        raise fail(str(exc)) from None
    finally:
        db.close()
    cols = ["rank", "la_number", "name", "value", "numerator", "denominator", "suppressed"]
    table = [[f.get(c) for c in cols] for f in [*result["las"], result["pool"]] if f]
    if fmt is Format.json:
        text = json.dumps(result, indent=2, default=str)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            typer.echo(text)
    elif fmt is not Format.table or output is not None:
        _write_rows(cols, table, fmt, output, "Pool explore")
    else:
        out = Table(
            title=f"{result['title']}, {result['period']} ({result['rank_order']})",
            title_justify="left",
        )
        for c in ("Rank", "LA", "Value", "Numerator", "Denominator"):
            out.add_column(c, justify="left" if c == "LA" else "right")
        for r in table:
            out.add_row(*("" if v is None else str(v) for v in [r[0], r[2], *r[3:6]]))
        console.print(out)
    if result["note"] and fmt is not Format.json:
        Console(stderr=output is None and fmt is not Format.table).print(result["note"])
