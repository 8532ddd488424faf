"""The commands: export, import and indicators --pool, and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from datamonger.cli import indicators as _ind  # noqa: F401  (registers the command)
from datamonger.cli import pool as _pool  # noqa: F401
from datamonger.cli import synth as _synth  # noqa: F401
from datamonger.cli.app import app
from tests.pool.conftest import Partnership

runner = CliRunner()


def test_keygen_export_import_indicators(partnership: Partnership, tmp_path: Path) -> None:
    key = tmp_path / "k"
    res = runner.invoke(app, ["pool", "keygen", "--out", str(key)])
    assert res.exit_code == 0, res.output
    assert len(key.read_text().strip()) == 64
    again = runner.invoke(app, ["pool", "keygen", "--out", str(key)])
    assert again.exit_code == 2 and "never overwritten" in again.output
    out = tmp_path / "x"
    res = runner.invoke(
        app,
        ["pool", "export", "--db", str(partnership.dbs["330"]), "--key-file", str(key),
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "k-anonymity (k=5" in res.output
    res = runner.invoke(app, ["pool", "import", str(out), "--pool", str(tmp_path / "pool")])
    assert res.exit_code == 0, res.output
    assert "LA 330 cin 2025: added" in res.output
    res = runner.invoke(
        app,
        ["indicators", "--pool", str(tmp_path / "pool"), "--ids", "referrals,rereferrals_12m",
         "--format", "json", "--publish"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output[: res.output.rindex("]") + 1])
    assert {(r["scope"], r["id"]) for r in rows} == {
        (s, i) for s in ("330", "pool") for i in ("referrals", "rereferrals_12m")
    }
    assert "secondary suppression" in res.output


def test_errors_are_one_line_and_leave_the_pool(partnership: Partnership, tmp_path: Path) -> None:
    res = runner.invoke(app, ["pool", "import", str(tmp_path), "--pool", str(tmp_path / "pool")])
    assert res.exit_code == 2
    assert "has no manifest.json" in res.output and "pool was not changed" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "pool").exists()
    res = runner.invoke(app, ["indicators", "--pool", str(tmp_path / "nothing")])
    assert res.exit_code == 2 and "holds no extracts" in res.output


def test_synth_las_writes_one_folder_per_la(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["synth", str(tmp_path), "--las", "330,331", "--children", "60", "--years", "1"]
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["330", "331"]
    assert "moved in from the LA before it" in res.output
    bad = runner.invoke(app, ["synth", str(tmp_path / "b"), "--las", "330,999"])
    assert bad.exit_code != 0 and "999" in bad.output


def test_benchmark_with_pool_shows_the_las_pooled_figures(partnership: Partnership) -> None:
    from datamonger.cli import benchmarks as _bench  # noqa: F401

    res = runner.invoke(
        app,
        ["benchmark", "--la", "331", "--pool", str(partnership.pool), "--measures",
         "ReReferral", "--format", "json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    db = __import__("duckdb").connect(str(partnership.dbs["331"]), read_only=True)
    from datamonger.indicators import Period, compute

    (own,) = compute(db, Period.census_year(2025), ["rereferrals_12m"], la="331")
    assert row["own"] == own.value
    res = runner.invoke(app, ["benchmark", "--la", "801", "--pool", str(partnership.pool)])
    assert res.exit_code == 2 and "not in the pool" in res.output
