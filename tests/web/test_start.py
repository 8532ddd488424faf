"""Opening the workbench over returns loaded with `datamonger load`: they are checked at start."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import make_workbench


def test_returns_never_checked_are_validated_when_the_workbench_starts(
    tmp_path: Path, loaded_db: Path
) -> None:
    wb = make_workbench(tmp_path, loaded_db, validate=False)
    try:
        assert wb.validation_runs() == []
        done = wb.validate_unchecked()
        loaded = {(r, y) for r, y, _ in wb.stamp()}
        assert {(d["return"], d["year"]) for d in done} == loaded
        runs = wb.validation_runs()
        assert {(r["return_name"], r["collection_year"]) for r in runs} == loaded
        assert not any(r["stale"] for r in runs)
        assert wb.validate_unchecked() == []  # once checked, not again
    finally:
        wb.close()
