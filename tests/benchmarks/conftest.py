"""Shared fixtures: the shipped published data, read through the product and independently."""

from __future__ import annotations

import contextlib
import csv
import gzip
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datamonger.benchmarks.paths import published_dir

# One cache for the whole session, outside the user's home; no imported data, no user notes.
_TMP = Path(tempfile.mkdtemp(prefix="dm-bench-"))
os.environ["DATAMONGER_CACHE_DIR"] = str(_TMP / "cache")
os.environ["DATAMONGER_REFERENCE_DB"] = str(_TMP / "none.duckdb")
os.environ["DATAMONGER_NOTES"] = str(_TMP / "no-notes.csv")

REGION_NUMBERS = {970, *range(980, 991)}


@pytest.fixture(scope="session")
def published():  # type: ignore[no-untyped-def]
    from datamonger.benchmarks.published import Published

    return Published.open()


@pytest.fixture(scope="session")
def lait_rows() -> list[dict[str, object]]:
    """LAIT's store read straight from the shipped parquet with pyarrow."""
    return pq.read_table(published_dir() / "lait" / "bds_long_0.parquet").to_pylist()


def lait_value(rows: list[dict[str, object]], key: str, years: str, la_number: int) -> str:
    for r in rows:
        if r["Short Desc"] == key and r["Years"] == years and r["LA Number"] == la_number:
            return str(r["Values"])
    raise KeyError((key, years, la_number))


def lait_la_values(rows: list[dict[str, object]], key: str, years: str) -> dict[int, float]:
    out = {}
    for r in rows:
        if r["Short Desc"] == key and r["Years"] == years and r["LA Number"] not in REGION_NUMBERS:
            with contextlib.suppress(ValueError):  # '-' and codes are not figures
                out[int(r["LA Number"])] = float(r["Values"])  # type: ignore[arg-type]
    return out


def ees_rows(stem_prefix: str) -> Iterator[dict[str, str]]:
    """An EES file read straight from the shipped gzip with the csv module."""
    (path,) = sorted((published_dir() / "ees").glob(f"{stem_prefix}*.csv.gz"))
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


def sn_2025(la_number: str) -> list[str]:
    with (published_dir() / "neighbours" / "sn_model_2025_wide.csv").open(
        encoding="utf-8-sig"
    ) as f:
        for row in csv.DictReader(f):
            if row["old_la_code"] == la_number:
                return [row[f"SN_{k}"] for k in range(1, 11)]
    raise KeyError(la_number)
