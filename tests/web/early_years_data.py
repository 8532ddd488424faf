"""A synthetic LA with two early-years checks stored, for the dashboard's tests."""

from __future__ import annotations

import csv
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
    _add_a_twin(d)
    lists = [d / "ey_list_330.csv", d / f"ey_list_{ey.neighbours[1]}.csv"]
    inputs = read_inputs(lists, d / "identities.csv", d / "settings.csv")
    con = duckdb.connect(str(db))
    try:
        run(con, inputs, dt.date(2025, 3, 31))
        run(con, inputs, dt.date(2025, 4, 7))
    finally:
        con.close()
    return db


def _add_a_twin(folder: Path) -> None:
    """A row like a looked-after child's own but for the forename (a twin, or a typo): the
    linkage cannot tell, so the review queue is never empty in these tests."""
    with (folder / "early_years_truth.csv").open(newline="", encoding="utf-8") as fh:
        line = next(int(r["line"]) for r in csv.DictReader(fh) if r["file"] == "ey_list_330.csv")
    path = folder / "ey_list_330.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, twin = rows[0], dict(zip(rows[0], rows[line - 1], strict=True))
    twin.update(forename="Zebedee", upn="", child_id="")
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow([twin[c] for c in header])
