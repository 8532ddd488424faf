"""Reference data the indicators need from outside the returns: ONS population, LA codes, postcodes.

All of it is package data (`datamonger/data/`), never read from elsewhere at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from datamonger import la_codes

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


@dataclass(frozen=True, slots=True)
class LA:
    dfe: str | None  # 3-digit DfE number, e.g. "873"
    ons: str | None  # E06/E08/E09/E10 code
    name: str | None


def la_numbers() -> dict[str, str]:
    """Every code an English LA may be named by (DfE number, ONS code) -> its DfE number."""
    return {code: la.dfe for code, la in la_codes.all_codes().items()}


def resolve_la(code: str | None) -> LA:
    """An LA from a DfE number or an ONS code (either is accepted wherever `--la` is); its ONS
    code as the DfE's statistics write it, whichever code named it."""
    if not code:
        return LA(None, None, None)
    found = la_codes.lookup(code)
    if found:
        return LA(found.dfe, found.ons, found.name)
    code = code.strip().upper()
    if code[:1].isalpha():
        return LA(None, code, None)
    return LA(code, None, None)


def directory_code(la: LA) -> str | None:
    """The LA's code as the ONS postcode directory writes its postcodes' LA (Barnsley: E08000038,
    where the DfE's statistics write E08000016): what placement LAs are compared with."""
    found = la_codes.lookup(la.dfe or la.ons)
    return found.directory if found else la.ons


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
