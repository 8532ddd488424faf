"""Small hand-written returns for indicator tests, loaded through the real store API."""

from __future__ import annotations

from typing import Any

from datamonger.returns import cin, ssda903
from datamonger.store import Store

Row = dict[str, Any]


def _stage(store: Store, spec: Any, rows: list[Row], date_format: str, file: str) -> None:
    if not rows:
        return
    chunk: dict[str, list[Any]] = {
        "source_line": list(range(2, len(rows) + 2)),
    }
    for k in spec.keys:
        chunk[k] = [int(r.get(k, 1)) for r in rows]
    for f in spec.fields:
        vals = [r.get(f.name) for r in rows]
        if any(v is not None for v in vals):
            chunk[f.name] = [None if v is None else str(v) for v in vals]
    store.stage(spec, 1, chunk, date_format, file)


def load_903(store: Store, year: int, la: str | None = "873", **tables: list[Row]) -> None:
    """tables: header, episodes, oc2, oc3, ad1, placed_adoption, missing, sw_episodes...
    Dates as written in the CSV (dd/mm/YYYY)."""
    by_store = {t.store_name.removeprefix("ssda903_"): t for t in ssda903.TABLES}
    for name, rows in tables.items():
        _stage(store, by_store[name], rows, ssda903.DATE_FORMAT, f"{name}_{year}.csv")
    store.replace_return("ssda903", year, 1, [f"903_{year}"], la)


def load_cin(store: Store, year: int, la: str | None = "873", **tables: list[Row]) -> None:
    """tables: children, disabilities, episodes, assessments, assessment_factors, section47,
    cpp, cpp_reviews, plans. Dates as ISO (YYYY-MM-DD)."""
    by_store = {t.store_name.removeprefix("cin_"): t for t in cin.TABLES}
    for name, rows in tables.items():
        _stage(store, by_store[name], rows, cin.DATE_FORMAT, f"cin_{year}.xml")
    store.replace_return("cin", year, 1, [f"cin_{year}.xml"], la)
