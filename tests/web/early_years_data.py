"""A synthetic LA with two early-years checks stored, for the dashboard's tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from datamonger.early_years.monitor import run
from datamonger.early_years.readers import read_inputs
from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.synth.early_years import write_for


def early_years_db(out: Path) -> Path:
    """Checks as of 31 March and 7 April 2025; one neighbour's list is left out, so children
    placed there are unknown and need a request."""
    summary = generate(out / "returns", 8000, 2025, years=1, seed=21)
    ey = write_for(summary, 2025, 1, None)
    db = out / "la.duckdb"
    with Store(db) as store:
        assert load_paths([summary.out_dir], store).exit_code == 0
    d = ey.folder
    lists = [d / "ey_list_330.csv", d / f"ey_list_{ey.neighbours[1]}.csv"]
    inputs = read_inputs(lists, d / "identities.csv", d / "settings.csv")
    con = duckdb.connect(str(db))
    try:
        run(con, inputs, dt.date(2025, 3, 31))
        run(con, inputs, dt.date(2025, 4, 7))
    finally:
        con.close()
    return db
