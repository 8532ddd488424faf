"""Validations running at once in several threads on one store (the web app's requests) do not
meet: each run prepares its tables in a catalog of its own and finds what it finds alone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.validation.engine import validate
from datamonger.validation.report import Report

RUNS = [("ssda903", 2027), ("ssda903", 2026), ("cin", 2027), ("ssda903", 2027)]


def _key(report: Report) -> tuple:
    return (report.issues, report.skipped, report.rules_run)


@pytest.mark.slow
def test_validations_in_parallel_threads_find_what_they_find_one_after_the_other(
    tmp_path: Path,
) -> None:
    generate(tmp_path / "r", children=600, year=2027, years=2, seed=3, error_rate=0.05)
    with Store(tmp_path / "la.duckdb") as store:
        loaded = load_paths(sorted(d for d in (tmp_path / "r").iterdir() if d.is_dir()), store)
        assert loaded.exit_code == 0
        alone = [validate(store, r, y) for r, y in RUNS]
        assert all(report.issues for report in alone)  # something to compare
        assert not any(report.failed for report in alone)

        together: list[Report | None] = [None] * len(RUNS)
        errors: list[BaseException] = []
        start = threading.Barrier(len(RUNS))

        def run(i: int) -> None:
            try:
                start.wait()
                together[i] = validate(store, *RUNS[i])
            except BaseException as exc:  # reported below, on the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(RUNS))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert [_key(r) for r in together if r] == [_key(r) for r in alone]
        names = [
            n
            for (n,) in store.con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
        ]
        assert not [n for n in names if n.startswith("dm_validation")]
