"""Runs the recording checks over the store (the same prepared tables as the indicators), and
sets each beside the published spread between LAs where the benchmarks hold one."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.indicators import engine as indicators
from datamonger.indicators.model import Period
from datamonger.indicators.recording.catalogue import CHECKS, get
from datamonger.indicators.recording.model import TEMPLATES, Check
from datamonger.returns import label


class RecordingError(Exception):
    """A problem the user can fix (unknown check, nothing loaded)."""


@dataclass(slots=True)
class Finding:
    id: str
    title: str
    question: str
    population: str
    flagged_words: str
    note: str
    unit: str
    year: int
    value: float | None = None
    flagged: int = 0
    rows: int = 0
    raised: bool = False
    reason: str = ""  # why it is raised (or why not computable)
    computable: bool = True
    published: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sql(check: Check, part: str, ctx: indicators.Context) -> str:
    population = indicators.render(check.sql, ctx)
    return TEMPLATES[check.template][part].format(
        population=population, target=check.target, window=check.window
    )


def _context(
    con: duckdb.DuckDBPyConnection, period: Period, la: str | None, returns: set[str]
) -> indicators.Context:
    ctx = indicators.open_context(con, period, la=la, returns=returns)
    if not (ctx.loaded.cin or ctx.loaded.ssda903):
        raise RecordingError("No CIN census or SSDA903 return is loaded: load one first.")
    return ctx


def _ready(check: Check, ctx: indicators.Context) -> str | None:
    years = ctx.loaded.years(check.return_)
    if ctx.period.collection_year not in years:
        name = "CIN census" if check.return_ == "cin" else "SSDA903"
        return f"the {name} return for {label(ctx.period.collection_year)} is not loaded"
    return None


def spread(published: Any, key: str, year: int, la: str | None) -> dict[str, Any] | None:
    """The published figures of one measure between LAs, in the latest year up to `year`."""
    from datamonger.benchmarks.areas import ENGLAND
    from datamonger.benchmarks.stats import distribution

    measure = published.catalogue.get(key)
    years = [y for y in published.years.get(measure.key, []) if y <= year]
    if not years:
        return None
    y = years[-1]
    cells = published.cells([(measure.key, y)]).get((measure.key, y), {})
    las = published.areas.las
    values = [c.value for a, c in cells.items() if a in las and c.value is not None]
    d = distribution(values)
    if d is None:
        return None
    eng = cells.get(ENGLAND)
    mine = cells.get(la) if la else None
    return {
        "key": measure.key,
        "title": measure.title,
        "unit": measure.unit,
        "year": y,
        "las": d.count,
        "min": d.minimum,
        "q1": d.q1,
        "median": d.median,
        "q3": d.q3,
        "max": d.maximum,
        "england": eng.value if eng else None,
        "la": mine.value if mine else None,
    }


def _judge(check: Check, f: Finding) -> None:
    v = f.value
    if v is None:
        return
    pub = f.published
    if pub and check.template == "share":
        if v > pub["max"]:
            f.raised, f.reason = True, f"above every LA's published figure (max {pub['max']:.1f})"
        elif v < pub["min"]:
            f.raised, f.reason = True, f"below every LA's published figure (min {pub['min']:.1f})"
        return
    if check.threshold is not None and v > check.threshold:
        f.raised, f.reason = True, f"above {check.threshold:g} {check.unit}"
    elif check.low is not None and v < check.low:
        f.raised, f.reason = True, f"below {check.low:g} {check.unit}"


def run(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    la: str | None = None,
    published: Any = None,
    ids: list[str] | None = None,
) -> list[Finding]:
    """Every check (or those in `ids`) for the period. `published`: a `benchmarks.Published`
    (opened here when None) to set each check beside the spread between LAs."""
    checks = [_get(i) for i in ids] if ids else list(CHECKS)
    ctx = _context(con, period, la, {c.return_ for c in checks})
    if published is None and any(c.published for c in checks):
        from datamonger.benchmarks.published import Published

        published = Published.open()
    la_number = _la_number(published, ctx.la, la)
    out = []
    for check in checks:
        f = Finding(
            check.id,
            check.title,
            check.question,
            check.population,
            check.flagged,
            check.note,
            check.unit,
            period.collection_year,
        )
        why = _ready(check, ctx)
        if why:
            f.computable, f.reason = False, "not computable: " + why
            out.append(f)
            continue
        row = con.execute(_sql(check, "value", ctx)).fetchone()
        assert row is not None
        f.flagged, f.rows = int(row[0] or 0), int(row[1] or 0)
        f.value = None if row[2] is None else round(float(row[2]), 1)
        if f.value is None:
            f.notes.append("no rows to look at in this period")
        if check.published and published is not None:
            f.published = spread(published, check.published, period.collection_year, la_number)
            if f.published:
                f.published["note"] = check.published_note
        _judge(check, f)
        out.append(f)
    return out


def _la_number(published: Any, ctx_la: Any, la: str | None) -> str | None:
    if published is None:
        return None
    from datamonger.benchmarks.areas import UnknownArea

    for code in (la, ctx_la.dfe, ctx_la.ons):
        if not code:
            continue
        try:
            return str(published.areas.find(str(code)).number)
        except UnknownArea:
            continue
    return None


def _get(check_id: str) -> Check:
    check = get(check_id)
    if check is None:
        known = ", ".join(c.id for c in CHECKS)
        raise RecordingError(f"Unknown recording check '{check_id}'. Checks: {known}.")
    return check


def children(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    check_id: str,
    la: str | None = None,
    only_flagged: bool = True,
) -> pa.Table:
    """The rows behind one check (child_id, flagged, date, detail): the flagged ones by default."""
    check = _get(check_id)
    ctx = _context(con, period, la, {check.return_})
    why = _ready(check, ctx)
    if why:
        raise RecordingError(f"'{check.title}' cannot be worked out: {why}.")
    sql = _sql(check, "rows", ctx)
    where = "WHERE flagged" if only_flagged else ""
    return con.sql(f"SELECT * FROM ({sql}) r {where} ORDER BY date, child_id").to_arrow_table()
