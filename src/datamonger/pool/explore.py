"""The pool explorer: the pool's LAs ranked on one indicator, beside the whole pool's figure;
and the overview of every indicator per LA and for the pool that the workbench's pool page shows.

The figures come from `compute_pool` (the catalogue's SQL, as for one LA); with `publish` they
pass through `published_rows` first, so a ranking that leaves the partnership hides what the
pool's small-number convention hides, and a suppressed LA is listed unranked as `c`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamonger.benchmarks.stats import HIGH, LOW, rank, rank_order
from datamonger.indicators.catalogue import get
from datamonger.indicators.model import Period, Polarity, Settings
from datamonger.indicators.reference import resolve_la
from datamonger.pool.errors import PoolError
from datamonger.pool.indicators import POOL, compute_pool, published_rows, rows
from datamonger.pool.publish import MARK
from datamonger.pool.views import PoolDB

# the indicator catalogue's polarity in the words the benchmark ranking uses
_POLARITY = {Polarity.high: HIGH, Polarity.low: LOW, Polarity.neither: "-"}


def _cell(v: Any) -> tuple[float | None, str | None]:
    """A published cell as (value, suppression mark)."""
    return (None, MARK) if v == MARK else (v, None)


def explore_pool(
    db: PoolDB,
    period: Period,
    indicator_id: str,
    publish: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Each LA of the pool ranked on `indicator_id` (1 = best by polarity), and the pool's figure."""
    ind = get(indicator_id)
    if ind is None:
        raise PoolError(
            f"unknown indicator '{indicator_id}': `datamonger indicators --list` shows them"
        )
    results = compute_pool(db, period, [ind.id], settings)
    table, note = published_rows(results) if publish else (rows(results), "")
    polarity = _POLARITY.get(ind.polarity, "-")
    figures = []
    for scope, _id, _title, _unit, value, num, den, notes in table:
        v, mark = _cell(value)
        figures.append(
            {
                "la_number": scope,
                "name": "Whole pool"
                if scope == POOL
                else (resolve_la(scope).name or f"LA {scope}"),
                "value": v,
                "numerator": num,  # a count, or `c` when published and suppressed
                "denominator": den,
                "suppressed": mark,
                "notes": notes,
            }
        )
    las = [f for f in figures if f["la_number"] != POOL]
    whole = next((f for f in figures if f["la_number"] == POOL), None)
    values = {f["la_number"]: f["value"] for f in las if f["value"] is not None}
    for f in las:
        others = [v for k, v in values.items() if k != f["la_number"]]
        f["rank"] = rank(f["value"], others, polarity) if f["value"] is not None else None
    las.sort(key=lambda f: (f["rank"] is None, f["rank"] or 0, f["la_number"]))
    first = results[0].result if results else None
    return {
        "indicator": ind.id,
        "title": first.title if first else ind.title,
        "unit": first.unit if first else "",
        "polarity": str(ind.polarity),
        "rank_order": rank_order(polarity),
        "period": period.label(),
        "published": publish,
        "las": las,
        "pool": whole,
        "note": note,
    }


def overview(pool: Path, year: int | None = None, publish: bool = False) -> dict[str, Any]:
    """Every indicator (rows) per LA of the pool and for the pool (columns), aggregated only:
    what the workbench's pool page shows. `publish`: with the small-number suppression."""
    db = PoolDB(pool)
    try:
        years = db.years()
        if not years:
            raise PoolError(f"the pool {pool} holds no episodes")
        if year is not None and year not in years:
            raise PoolError(
                f"the pool holds no {year} returns; years: {', '.join(map(str, years))}"
            )
        period = Period.census_year(year or years[-1])
        results = compute_pool(db, period)
        scopes = [*db.las, POOL]
    finally:
        db.close()
    table, note = published_rows(results) if publish else (rows(results), "")
    by = {(r[1], r[0]): r for r in table}
    indicators = []
    for ind_id in dict.fromkeys(r[1] for r in table):
        first = next(by[(ind_id, s)] for s in scopes if (ind_id, s) in by)
        indicators.append(
            {
                "id": ind_id,
                "title": first[2],
                "unit": first[3],
                "values": [by[(ind_id, s)][4] if (ind_id, s) in by else None for s in scopes],
            }
        )
    return {
        "period": period.label(),
        "year": period.end.year,
        "years": years,
        "scopes": [
            {"code": s, "name": "Whole pool" if s == POOL else (resolve_la(s).name or f"LA {s}")}
            for s in scopes
        ],
        "indicators": indicators,
        "published": publish,
        "note": note,
    }
