"""Figures read straight from the shipped EES files with the csv module, to check the briefing
against numbers computed without Datamonger's own readers."""

from __future__ import annotations

import csv
import functools
import gzip
from pathlib import Path

import datamonger

EES = Path(datamonger.__file__).parent / "data" / "published" / "ees"
CODES = {"c", "x", "z", "k", "u", "low"}


@functools.cache
def rows(stem: str) -> list[dict[str, str]]:
    (path,) = [p for p in EES.glob(f"{stem}*.csv.gz") if p.name.split(".")[0].startswith(stem)]
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def number(text: str | None) -> float | None:
    if text is None:
        return None
    t = text.strip()
    if t.lower() in CODES or t in ("", "-"):
        return None
    return float(t)


def figures(
    stem: str, column: str, year: int, level: str, **filters: str
) -> dict[str, float | None]:
    """area -> figure; area is the DfE LA number (old_la_code), the region code or 'England'."""
    out: dict[str, float | None] = {}
    for r in rows(stem):
        if r["time_period"] != str(year) or r["geographic_level"] != level:
            continue
        if any(r.get(k) != v for k, v in filters.items()):
            continue
        area = {"National": "England", "Regional": r["region_code"]}.get(level, r["old_la_code"])
        out.setdefault(area, number(r[column]))
    return out


def la_names(stem: str) -> dict[str, str]:
    return {r["old_la_code"]: r["la_name"] for r in rows(stem) if r["old_la_code"]}
