"""Every indicator per LA of the pool and for the whole pool, by the one indicator engine.

The pool's views carry the store's table names (see `views`), so `engine.open_context` and
`engine.compute_one` run the catalogue's SQL unchanged. Two things differ from one LA's own
database, both said in the notes: postcodes are sectors (distances cannot be worked out), and the
whole pool's population for rates is the sum of its LAs' ONS estimates.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb

from datamonger.indicators import engine, reference
from datamonger.indicators.catalogue import get
from datamonger.indicators.model import Indicator, Period, Result, Settings
from datamonger.pool import publish
from datamonger.pool.views import PoolDB, scope_sql

WORKERS = 2  # scopes computed at once (the machines this runs on have 2 cores)
POOL = "pool"  # the scope label of the whole pool's figures
SECTOR_NOTE = (
    "not computable: postcodes are cut to sectors in pool extracts, so distances cannot be "
    "worked out"
)


@dataclass(slots=True)
class ScopedResult:
    scope: str  # an LA's DfE number, or "pool"
    result: Result


def pool_population(las: list[str], year: int) -> reference.Population:
    pops = [reference.population(reference.resolve_la(la), year) for la in las]
    if any(p.value is None for p in pops):
        missing = [la for la, p in zip(las, pops, strict=True) if p.value is None]
        return reference.Population(None, None, f"no ONS estimate for LA {', '.join(missing)}")
    notes = sorted({p.note for p in pops if p.note})
    total = sum(p.value or 0 for p in pops)
    return reference.Population(total, max(p.year or 0 for p in pops), "; ".join(notes) or None)


def compute_scope(
    db: PoolDB,
    scope: str | None,
    period: Period,
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[Result]:
    """One scope's figures, on `con` (a cursor of the pool's database) or the pool's own."""
    con = con or db.con
    chosen = engine.select(ids)
    for sql in scope_sql(db.las, scope):
        con.execute(sql)
    ctx = engine.open_context(con, period, settings, scope, {i.return_ for i in chosen})
    ctx.postcodes = False  # sectors only: the distance indicator cannot be computed
    if scope is None:
        ctx.population = pool_population(db.las, period.population_year)
    results = [engine.compute_one(con, ind, ctx) for ind in chosen]
    finish_results(results, chosen, scope, len(db.las))
    return results


def finish_results(
    results: list[Result], chosen: list[Indicator], scope: str | None, n_las: int
) -> None:
    """The notes that differ in a pool (both engines): distances, and the pool's population."""
    for ind, res in zip(chosen, results, strict=True):
        if "postcodes" in ind.needs:
            res.notes = [SECTOR_NOTE if n.startswith("not computable") else n for n in res.notes]
        if scope is None and ind.template.name == "rate" and res.value is not None:
            res.notes = [n.replace("estimate,", f"estimates of {n_las} LAs,") for n in res.notes]


def compute_pool(
    db: PoolDB,
    period: Period,
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    las: Iterable[str] | None = None,
) -> list[ScopedResult]:
    """Each LA's figures (in the pool's order), then the whole pool's.

    The scopes run WORKERS at a time, each on its own cursor (its own temporary views and
    prepared tables over the one pooled database): the engine's many small statements leave
    cores idle that a second scope uses."""
    scopes: list[str | None] = [*(las or db.las), None]

    cursors = [db.con.cursor() for _ in scopes]  # made here: the connection takes one call at once

    def one(k: int) -> list[Result]:
        try:
            return compute_scope(db, scopes[k], period, ids, settings, cursors[k])
        finally:
            cursors[k].close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = list(pool.map(one, range(len(scopes))))
    return [
        ScopedResult(POOL if scope is None else scope, r)
        for scope, results in zip(scopes, done, strict=True)
        for r in results
    ]


def _template(indicator_id: str) -> str:
    ind = get(indicator_id)
    return ind.template.name if ind else ""


COLUMNS = ["scope", "id", "title", "unit", "value", "numerator", "denominator", "notes"]


def rows(results: list[ScopedResult]) -> list[list[Any]]:
    """The figures as rows of COLUMNS, as computed (for use inside the partnership)."""
    return [
        [
            s.scope,
            s.result.id,
            s.result.title,
            s.result.unit,
            s.result.value,
            s.result.numerator,
            s.result.denominator,
            "; ".join(n for n in s.result.notes if not n.startswith("choice:")),
        ]
        for s in results
    ]


def published_rows(results: list[ScopedResult]) -> tuple[list[list[Any]], str]:
    """The figures as they may leave the partnership: small counts and what is worked out from
    them shown as `c`, with secondary suppression against the pool total (see `publish`)."""
    scopes = list(dict.fromkeys(s.scope for s in results))  # the LAs, then the pool (the total)
    ids = list(dict.fromkeys(s.result.id for s in results))
    at = {(s.result.id, s.scope): s.result for s in results}

    def children(r: Result | None, part: str) -> float | None:
        """The count of children a figure rests on: numerator, denominator (None: not a count)."""
        if r is None or r.value is None:
            return None
        template = _template(r.id)
        if part == "num":
            return r.denominator if template == "mean" else r.numerator
        return r.denominator if template == "share" else None

    grids = {
        part: [[children(at.get((i, sc)), part) for sc in scopes] for i in ids]
        for part in ("num", "den")
    }
    groups = publish.table_groups(len(ids), len(scopes), row_total=True, col_total=False)
    hidden = {part: publish.suppress(grids[part], groups) for part in grids}
    # Only groups of real counts tie to the total; cells that are not counts stay as they are.
    out = []
    for r_i, ind_id in enumerate(ids):
        for c_i, scope in enumerate(scopes):
            res = at.get((ind_id, scope))
            if res is None:
                continue
            num_c = (r_i, c_i) in hidden["num"].hidden and grids["num"][r_i][c_i] is not None
            den_c = (r_i, c_i) in hidden["den"].hidden and grids["den"][r_i][c_i] is not None
            mark = publish.MARK
            row = rows([ScopedResult(scope, res)])[0]
            if num_c or den_c:
                row[4] = mark  # the figure itself
                if num_c:  # a mean rests on its children (denominator): both its parts go
                    row[5] = mark
                    row[6] = mark if _template(ind_id) == "mean" else row[6]
                if den_c:
                    row[6] = mark
            out.append(row)
    note = publish.footnote(
        publish.Suppression(
            hidden["num"].primary | {(r + 10**6, c) for r, c in hidden["den"].primary},
            hidden["num"].secondary | {(r + 10**6, c) for r, c in hidden["den"].secondary},
        ),
        "figures",
    )
    return out, note
