"""`datamonger benchmark --db`: the LA's own computed indicators beside its published figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb

from datamonger.indicators.engine import compute
from datamonger.indicators.model import Period
from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate


def test_own_values_stand_beside_the_published_ones(tmp_path: Path) -> None:
    generate(tmp_path / "r", children=1500, year=2025, years=2, seed=2)
    db = tmp_path / "la.duckdb"
    with Store(db) as store:
        assert load_paths([tmp_path / "r"], store).exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    mine = {
        r.benchmark_key: r.value
        for r in compute(con, Period.census_year(2025))
        if r.benchmark_key and r.value is not None
    }
    con.close()
    keys = ["ReReferral", "Continue_Assess_Comp", "LACStable_2016on"]
    assert all(k in mine for k in keys)
    args = ["benchmark", "--la", "Birmingham", "--year", "2025", "--measures", ",".join(keys)]
    done = subprocess.run(
        [sys.executable, "-m", "datamonger", *args, "--db", str(db), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rows = {r["key"]: r for r in json.loads(done.stdout)}
    for key in keys:
        assert rows[key]["own"] == mine[key]
        assert rows[key]["value"] is not None  # the published figure is still there
        assert 1 <= rows[key]["own_rank"] <= rows[key]["of"] + 1
