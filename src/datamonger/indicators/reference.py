"""Reference data the indicators need from outside the returns: ONS population, LA codes, postcodes.

All of it is package data (`datamonger/data/`), never read from elsewhere at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import duckdb

POPULATION_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"


def _data_dir() -> Path:
    return Path(str(resources.files("datamonger"))) / "data"


def population_path() -> Path | None:
    """The EES copy of the ONS mid-year estimates (plain or gzipped, wherever it was shipped)."""
    base = _data_dir() / "published"
    for name in (POPULATION_FILE, POPULATION_FILE + ".gz"):
        for found in sorted(base.rglob(name)) if base.exists() else []:
            return found
    return None


def postcodes_path() -> Path | None:
    path = _data_dir() / "postcodes" / "onspd_postcodes.parquet"
    return path if path.exists() else None


def la_codes_path() -> Path | None:
    path = _data_dir() / "postcodes" / "la_ons_to_dfe.csv"
    return path if path.exists() else None


@dataclass(frozen=True, slots=True)
class LA:
    dfe: str | None  # 3-digit DfE number, e.g. "873"
    ons: str | None  # E06/E08/E09/E10 code
    name: str | None


@lru_cache(maxsize=4)
def _la_table(path: str) -> dict[str, tuple[str, str, str]]:
    with duckdb.connect() as con:  # its own connection: callers may run in several threads
        rows = con.execute(
            f"SELECT ons_la_code, CAST(dfe_la_number AS VARCHAR), la_name "
            f"FROM read_csv('{path}', all_varchar=true)"
        ).fetchall()
    out: dict[str, tuple[str, str, str]] = {}
    for ons, dfe, name in rows:
        out[ons.upper()] = (dfe, ons, name)
        out[dfe] = (dfe, ons, name)
    return out


def la_numbers() -> dict[str, str]:
    """Every code an English LA may be named by (DfE number, ONS code) -> its DfE number."""
    path = la_codes_path()
    return {} if path is None else {k: v[0] for k, v in _la_table(str(path)).items()}


def resolve_la(code: str | None) -> LA:
    """An LA from a DfE number or an ONS code (either is accepted wherever `--la` is)."""
    if not code:
        return LA(None, None, None)
    code = code.strip().upper()
    path = la_codes_path()
    if path is not None:
        hit = _la_table(str(path)).get(code)
        if hit:
            return LA(*hit)
    if code[:1].isalpha():
        return LA(None, code, None)
    return LA(code, None, None)


@dataclass(frozen=True, slots=True)
class Population:
    value: int | None
    year: int | None
    note: str | None


def population(la: LA, year: int, path: Path | None = None) -> Population:
    """Children aged 0-17 in the LA, ONS mid-year estimate for `year` (or the nearest earlier)."""
    path = path or population_path()
    if path is None:
        return Population(None, None, "the ONS population estimates are not installed")
    if not la.dfe and not la.ons:
        return Population(None, None, "the LA is not known (give --la): no population for a rate")
    with duckdb.connect() as con:  # its own connection: callers may run in several threads
        rows = con.execute(
            f"""SELECT CAST(time_period AS INTEGER), population_estimate
            FROM read_csv('{path}', all_varchar=true)
            WHERE geographic_level = 'Local authority'
              AND (old_la_code = $dfe OR new_la_code = $ons)
            ORDER BY 1""",
            {"dfe": la.dfe or "", "ons": la.ons or ""},
        ).fetchall()
    usable = [(y, int(v)) for y, v in rows if v and v.strip().isdigit() and y <= year]
    if not usable:
        return Population(None, None, f"no ONS population estimate for LA {la.dfe or la.ons}")
    y, v = usable[-1]
    note = None if y == year else f"ONS mid-{year} estimate not available: used mid-{y}"
    return Population(v, y, note)
