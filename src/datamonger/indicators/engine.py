"""Runs declared indicators over the store: one child-level query each, one template each.

`compute` gives the figures, `explain` the rows behind one of them (the same query), `repairs`
the open episodes mended from later returns. All return plain data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from datamonger.indicators import prepare, reference
from datamonger.indicators.catalogue import all_indicators, get
from datamonger.indicators.model import (
    Explanation,
    Indicator,
    Period,
    Result,
    Settings,
    Template,
)
from datamonger.returns import label


class IndicatorError(Exception):
    """A problem the user can fix (unknown indicator id, nothing loaded...)."""


@dataclass(slots=True)
class Context:
    period: Period
    settings: Settings
    la: reference.LA
    loaded: prepare.Loaded
    population: reference.Population
    postcodes: bool
    cin_ready: bool = False
    cla_ready: bool = False


def render(sql: str, ctx: Context) -> str:
    """Fill in the placeholders: settings, then :start, :end and :la_ons."""
    for name, value in sorted(ctx.settings.as_dict().items(), key=lambda kv: -len(kv[0])):
        sql = sql.replace(f"':{name}'", f"'{value}'")
    sql = sql.replace(":start", f"DATE '{ctx.period.start}'")
    sql = sql.replace(":end", f"DATE '{ctx.period.end}'")
    ons = (reference.directory_code(ctx.la) or "").replace("'", "")  # compared with ONSPD's
    return sql.replace(":la_ons", f"'{ons}'")


def _la_from_store(con: duckdb.DuckDBPyConnection) -> str | None:
    for sql in (
        "SELECT la FROM returns_loaded WHERE la IS NOT NULL ORDER BY collection_year DESC",
        "SELECT LEA FROM cin_header WHERE LEA IS NOT NULL ORDER BY collection_year DESC",
    ):
        try:
            row = con.execute(sql).fetchone()
        except duckdb.Error:
            continue
        if row and row[0]:
            return str(row[0]).strip()
    return None


def open_context(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    settings: Settings | None = None,
    la: str | None = None,
    returns: Iterable[str] = ("cin", "ssda903"),
) -> Context:
    """Prepare the `dm_*` tables for a period on this connection."""
    settings = settings or Settings()
    la_info = reference.resolve_la(la or _la_from_store(con))
    ctx = Context(
        period=period,
        settings=settings,
        la=la_info,
        loaded=prepare.loaded(con),
        population=reference.population(la_info, period.population_year),
        postcodes=False,
    )
    prepare.macros(con, settings)
    wanted = set(returns)
    if "cin" in wanted and ctx.loaded.cin:
        prepare.prepare_cin(con, period, settings)
        ctx.cin_ready = True
    if "ssda903" in wanted and ctx.loaded.ssda903:
        prepare.prepare_903(con, period, settings)
        path = reference.postcodes_path()
        ctx.postcodes = prepare.prepare_postcodes(con, str(path) if path else None)
        ctx.cla_ready = True
    return ctx


def _why_not(ind: Indicator, ctx: Context) -> str | None:
    """Why an indicator cannot be computed for this period, or None."""
    years = ctx.loaded.years(ind.return_)
    name = "CIN census" if ind.return_ == "cin" else "SSDA903"
    t = ctx.period.collection_year
    needed = sorted(set(range(t - ind.years + 1, t + 1)) | set(ctx.period.collection_years))
    missing = [y for y in needed if y not in years]
    if missing:
        return f"the {name} return for {', '.join(label(y) for y in missing)} is not loaded"
    for need in ind.needs:
        if need == "postcodes" and not ctx.postcodes:
            return "the ONS postcode directory is not installed, so distances cannot be worked out"
        if need == "la" and not ctx.la.ons:
            return "the LA is not known (give --la), so 'outside the LA' cannot be decided"
        if need == "early_years" and t not in ctx.loaded.tables.get("early_years", set()):
            return f"no early-years check (datamonger early-years) is stored for {label(t)}"
        table = {"oc2": "oc2", "oc3": "oc3", "sw": "sw_episodes"}.get(need)
        if table and t not in ctx.loaded.tables.get(table, set()):
            return f"the {label(t)} SSDA903 return has no {table.upper()} rows"
    return None


def _notes(ind: Indicator, ctx: Context) -> list[str]:
    notes = []
    years = ctx.loaded.years(ind.return_)
    t = ctx.period.collection_year
    back = [y for y in range(t - ind.years - ind.lookback_years + 1, t - ind.years + 1) if y]
    absent = [y for y in back if y not in years and y < min(ctx.period.collection_years)]
    if ind.lookback_years and absent:
        notes.append(
            f"no return for {', '.join(label(y) for y in absent)} loaded to look back into: "
            "the figure may be understated"
        )
    if ind.choice:
        notes.append("choice: " + ind.choice)
    return notes


def _aggregate(
    con: duckdb.DuckDBPyConnection, ind: Indicator, sql: str
) -> tuple[float, float, float]:
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE numerator AND denominator),
                   count(*) FILTER (WHERE denominator),
                   sum(value) FILTER (WHERE numerator AND denominator)
            FROM ({sql}) q"""
    ).fetchone()
    assert row is not None
    return float(row[0] or 0), float(row[1] or 0), float(row[2] or 0)


def _result(ind: Indicator, ctx: Context) -> Result:
    return Result(
        id=ind.id,
        title=ind.title,
        category=ind.category.value,
        polarity=ind.polarity.value,
        unit=ind.unit_label,
        value=None,
        numerator=None,
        denominator=None,
        period_start=ctx.period.start.isoformat(),
        period_end=ctx.period.end.isoformat(),
        benchmark_key=ind.benchmark_key,
    )


def compute_one(con: duckdb.DuckDBPyConnection, ind: Indicator, ctx: Context) -> Result:
    res = _result(ind, ctx)
    why = _why_not(ind, ctx)
    if why:
        res.notes.append("not computable: " + why)
        return res
    sql = render(ind.sql, ctx)
    n_num, n_den, total = _aggregate(con, ind, sql)
    if ind.template is Template.count:
        res.numerator, res.value = n_num, n_num
    elif ind.template is Template.rate:
        res.numerator = n_num
        pop = ctx.population
        if pop.value:
            res.denominator = pop.value / 10_000
            res.value = round(n_num / pop.value * 10_000, 1)
            res.notes.append(f"population: ONS mid-{pop.year} estimate, {pop.value:,} aged 0-17")
        else:
            res.notes.append("not computable: " + (pop.note or "no population estimate"))
        if pop.note and pop.value:
            res.notes.append(pop.note)
    elif ind.template is Template.share:
        res.numerator, res.denominator = n_num, n_den
        if n_den:
            res.value = round(100 * n_num / n_den, 1)
        else:
            res.notes.append("not computable: no one in the denominator for this period")
    else:  # mean
        res.numerator, res.denominator = total, n_num
        if n_num:
            res.value = round(total / n_num, 1)
        else:
            res.notes.append("not computable: no one in the denominator for this period")
    for check_sql, message in ind.checks:
        row = con.execute(render(check_sql, ctx)).fetchone()
        if row and row[0]:
            res.notes.append(message.format(n=row[0]))
    res.notes += _notes(ind, ctx)
    return res


def select(ids: Iterable[str] | None = None) -> list[Indicator]:
    if not ids:
        return all_indicators()
    out = []
    for i in ids:
        ind = get(i.strip())
        if ind is None:
            raise IndicatorError(f"unknown indicator '{i}' (see docs/indicator_catalogue.md)")
        out.append(ind)
    return out


def compute(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    la: str | None = None,
) -> list[Result]:
    """Every indicator (or those in `ids`) for the period, as plain results."""
    chosen = select(ids)
    ctx = open_context(con, period, settings, la, {i.return_ for i in chosen})
    return [compute_one(con, ind, ctx) for ind in chosen]


def explain(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    indicator_id: str,
    settings: Settings | None = None,
    la: str | None = None,
) -> Explanation:
    """The rows (children, dates, codes) behind one indicator, from the query that computed it."""
    (ind,) = select([indicator_id])
    ctx = open_context(con, period, settings, la, {ind.return_})
    result = compute_one(con, ind, ctx)
    if _why_not(ind, ctx):
        return Explanation(result, [], [])
    rel = con.execute(
        f"SELECT * FROM ({render(ind.sql, ctx)}) q "
        "ORDER BY numerator DESC, denominator DESC, child_id"
    )
    columns = [d[0] for d in rel.description]
    return Explanation(result, columns, rel.fetchall())


def repairs(
    con: duckdb.DuckDBPyConnection, period: Period, settings: Settings | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Open 903 episodes repaired (or left alone) across returns, for the user to review."""
    ctx = open_context(con, period, settings, None, {"ssda903"})
    if not ctx.cla_ready:
        return [], []
    rel = con.execute("SELECT * FROM dm_903_repairs ORDER BY child_id, DECOM")
    return [d[0] for d in rel.description], rel.fetchall()
