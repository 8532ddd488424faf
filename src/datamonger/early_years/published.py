"""Published take-up of funded early education (all children), from the DfE's LAIT data shipped in
`datamonger/data/published/lait/` (provenance and licence in its PROVENANCE.md)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import duckdb

MEASURES = {
    "%_2yr_olds": "2-year-olds benefiting from funded early education (% of those eligible)",
    "%_3&4yr_olds": "3 and 4-year-olds benefiting from funded early education (%)",
}


@lru_cache(maxsize=32)
def _rows(la: str) -> tuple[tuple[str, str, str, float], ...]:
    path = str(resources.files("datamonger").joinpath("data/published/lait/bds_long_0.parquet"))
    con = duckdb.connect()
    try:
        rows = con.sql(
            f"""SELECT "Short Desc", "Years", CASE WHEN "LA Number" = 970 THEN 'England'
                       ELSE 'LA' END, TRY_CAST("Values" AS DOUBLE)
                FROM read_parquet('{path}')
                WHERE "Short Desc" IN ('%_2yr_olds', '%_3&4yr_olds')
                  AND ("LA Number" = 970 OR "LA Number" = TRY_CAST(? AS DOUBLE))
                  AND TRY_CAST("Values" AS DOUBLE) IS NOT NULL
                ORDER BY "Years" DESC""",
            params=[la],
        ).fetchall()
    finally:
        con.close()
    return tuple((str(m), str(y), str(w), float(v)) for m, y, w, v in rows)


def published_take_up(la: str) -> list[dict[str, Any]]:
    """The latest published year of each measure, for England and the LA."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for measure, year, where, value in _rows(la):
        if (measure, where) in seen:
            continue
        seen.add((measure, where))
        out.append(
            {
                "measure": measure,
                "description": MEASURES[measure],
                "area": "England" if where == "England" else f"LA {la}",
                "year": year,
                "value_pct": round(value, 1),
                "source": "DfE Local Authority Interactive Tool (LAIT)",
            }
        )
    return out
