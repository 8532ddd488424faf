"""Every indicator per LA of the pool and for the whole pool, by the one indicator engine.

The pool's views carry the store's table names (see `views`), so `engine.open_context` and
`engine.compute_one` run the catalogue's SQL unchanged. Two things differ from one LA's own
database, both said in the notes: postcodes are sectors (distances cannot be worked out), and the
whole pool's population for rates is the sum of its LAs' ONS estimates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from datamonger.indicators import engine, reference
from datamonger.indicators.model import Period, Result, Settings
from datamonger.pool.views import PoolDB

POOL = "pool"  # the scope label of the whole pool's figures
SECTOR_NOTE = (
    "not computable: postcodes are cut to sectors in pool extracts, so distances cannot be "
    "worked out"
)


@dataclass(slots=True)
class ScopedResult:
    scope: str  # an LA's DfE number, or "pool"
    result: Result


def _population(las: list[str], year: int) -> reference.Population:
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
) -> list[Result]:
    chosen = engine.select(ids)
    db.scope(scope)
    ctx = engine.open_context(db.con, period, settings, scope, {i.return_ for i in chosen})
    ctx.postcodes = False  # sectors only: the distance indicator cannot be computed
    if scope is None:
        ctx.population = _population(db.las, period.population_year)
    out = []
    for ind in chosen:
        res = engine.compute_one(db.con, ind, ctx)
        if "postcodes" in ind.needs:
            res.notes = [SECTOR_NOTE if n.startswith("not computable") else n for n in res.notes]
        if scope is None and res.notes and ind.template.name == "rate" and res.value is not None:
            res.notes = [
                n.replace("estimate,", f"estimates of {len(db.las)} LAs,") for n in res.notes
            ]
        out.append(res)
    return out


def compute_pool(
    db: PoolDB,
    period: Period,
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    las: Iterable[str] | None = None,
) -> list[ScopedResult]:
    """Each LA's figures (in the pool's order), then the whole pool's."""
    out = []
    for la in las or db.las:
        out += [ScopedResult(la, r) for r in compute_scope(db, la, period, ids, settings)]
    out += [ScopedResult(POOL, r) for r in compute_scope(db, None, period, ids, settings)]
    return out
