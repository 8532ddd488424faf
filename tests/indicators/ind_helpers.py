from __future__ import annotations

from typing import Any

from datamonger.indicators import Period, Result, Settings, compute, explain
from datamonger.store import Store


def result(store: Store, indicator: str, year: int = 2025, **settings: Any) -> Result:
    (r,) = compute(store.con, Period.census_year(year), [indicator], Settings(**settings))
    return r


def rows(store: Store, indicator: str, year: int = 2025, **settings: Any) -> list[dict[str, Any]]:
    return explain(store.con, Period.census_year(year), indicator, Settings(**settings)).records()


def flagged(store: Store, indicator: str, year: int = 2025, **settings: Any) -> set[str]:
    """Child ids in the numerator."""
    return {r["child_id"] for r in rows(store, indicator, year, **settings) if r["numerator"]}
