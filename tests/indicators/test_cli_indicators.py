"""The command: JSON shape, explain, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from ind_builders import load_cin
from typer.testing import CliRunner

from datamonger.cli import indicators as _  # noqa: F401  (registers the command)
from datamonger.cli.app import app
from datamonger.store import Store

runner = CliRunner()


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "dm.duckdb"
    s = Store(path)
    load_cin(s, 2025, episodes=[
        {"LAchildID": "A", "CINdetailsID": 1, "CINreferralDate": "2024-05-01"},
        {"LAchildID": "A", "CINdetailsID": 2, "CINreferralDate": "2024-09-01"},
    ])  # fmt: skip
    s.close()
    return path


def test_json_output(tmp_path: Path) -> None:
    db = _db(tmp_path)
    res = runner.invoke(app, ["indicators", "--db", str(db), "--year", "2025", "--ids",
                              "referrals,rereferrals_12m,cla_at_end", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert [o["id"] for o in out] == ["referrals", "rereferrals_12m", "cla_at_end"]
    assert set(out[0]) == {"id", "title", "category", "polarity", "unit", "value", "numerator",
                           "denominator", "period_start", "period_end", "benchmark_key", "notes"}  # fmt: skip
    assert out[0]["value"] == 2 and out[1]["value"] == 50.0
    # No 903 loaded: null with the reason, not 0.
    assert (
        out[2]["value"] is None and "SSDA903 return for 2024/25 is not loaded" in out[2]["notes"][0]
    )


def test_explain_csv_lists_the_children(tmp_path: Path) -> None:
    db = _db(tmp_path)
    out = tmp_path / "x.csv"
    res = runner.invoke(app, ["indicators", "--db", str(db), "--explain", "rereferrals_12m",
                              "--format", "csv", "--output", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("child_id,numerator,denominator,value,referral_date")
    assert lines[1].startswith("A,True,True,,2024-09-01")


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    db = _db(tmp_path)
    for args in (["--ids", "nope"], ["--to", "2024-02-30"], ["--setting", "x=y"],
                 ["--year", "2025", "--to", "2024-09-30"]):  # fmt: skip
        res = runner.invoke(app, ["indicators", "--db", str(db), *args])
        assert res.exit_code == 2 and "Traceback" not in res.output, args
    res = runner.invoke(app, ["indicators", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2
