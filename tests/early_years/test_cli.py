"""`datamonger early-years` end to end on a loaded synthetic LA."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import openpyxl
from typer.testing import CliRunner

from datamonger.cli import early_years, synth  # noqa: F401  (they register their commands)
from datamonger.cli.app import app
from datamonger.loading import load_paths
from datamonger.store import Store


def _db(ey_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "la.duckdb"
    shutil.copy(ey_db, db)
    return db


def _args(ey, db: Path, *more: str, as_of: str = "2025-03-31") -> list[str]:
    return [
        "early-years", "--db", str(db), "--ey-list", str(ey.folder),
        "--identities", str(ey.folder / "identities.csv"), "--as-of", as_of, *more,
    ]  # fmt: skip


def test_synth_early_years_folder_still_loads(tmp_path):
    r = CliRunner().invoke(
        app, ["synth", str(tmp_path), "--children", "2000", "--seed", "3", "--early-years"]
    )
    assert r.exit_code == 0, r.output
    assert "early_years_truth.csv" in r.output
    with Store(":memory:") as store:
        report = load_paths([tmp_path], store)
    assert report.exit_code == 0
    assert sorted(Path(f).name for f in report.files_skipped) == [
        "early_years_truth.csv", "ey_list_330.csv", "ey_list_333.csv", "ey_list_334.csv",
        "identities.csv", "settings.csv",
    ]  # fmt: skip


def test_json_shape_and_history(ey_la, ey_db, tmp_path):
    _, ey = ey_la
    db = _db(ey_db, tmp_path)
    first = CliRunner().invoke(app, _args(ey, db, "--format", "json"))
    assert first.exit_code == 0, first.output
    out = json.loads(first.output)
    s = out["summary"]
    assert s["eligible"] == s["attending"] + s["not_attending"] + s["unknown"] > 20
    assert 40 <= s["take_up_pct"] <= 95
    assert {g["group"] for g in s["by_age_band"]} == {"2-year-old offer", "3 and 4-year-old offer"}
    assert {g["group"] for g in s["by_area"]} <= {"in area", "out of area", "not known"}
    published = {(p["measure"], p["area"]) for p in s["comparison"]["published"]}
    assert ("%_2yr_olds", "England") in published and ("%_3&4yr_olds", "LA 330") in published
    assert s["comparison"]["national_all_children_pct"] == 85.0
    child = out["children"][0]
    for key in ("status", "setting", "funded_hours", "term", "link_weight", "area",
                "placing_la", "days_in_care"):  # fmt: skip
        assert key in child
    assert len(out["children"]) == s["eligible"]
    attending = [c for c in out["children"] if c["status"] == "attending"]
    assert all(c["setting"] and c["link_weight"] for c in attending)
    assert out["since_last_check"] == []
    # A week later: the run history has both, and changes are listed first.
    later = CliRunner().invoke(app, _args(ey, db, "--format", "json", as_of="2025-04-07"))
    assert later.exit_code == 0, later.output
    out2 = json.loads(later.output)
    assert [t["as_of"] for t in out2["trend"]] == ["2025-03-31", "2025-04-07"]
    assert out2["since_last_check"]  # a new term: children became eligible
    assert out2["children"][0]["since_last_check"]


def test_a_bad_list_is_refused_whole_and_nothing_is_stored(ey_la, ey_db, tmp_path):
    _, ey = ey_la
    db = _db(ey_db, tmp_path)
    src = ey.folder / "ey_list_330.csv"
    rows = list(csv.reader(src.open(encoding="utf-8")))
    secret = rows[5][0], rows[5][2]
    rows[5][2] = "31/02/2022"
    bad = tmp_path / "list.csv"
    with bad.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    r = CliRunner().invoke(
        app,
        ["early-years", "--db", str(db), "--ey-list", str(bad), "--identities",
         str(ey.folder / "identities.csv"), "--as-of", "2025-03-31"],
    )  # fmt: skip
    assert r.exit_code == 2
    assert f"{bad}, line 6, date_of_birth" in r.output
    assert secret[0] not in r.output and "31/02/2022" not in r.output
    con = duckdb.connect(str(db), read_only=True)
    tables = {t[0] for t in con.sql("SHOW TABLES").fetchall()}
    assert "ey_runs" not in tables or con.sql("SELECT count(*) FROM ey_runs").fetchall()[0][0] == 0


def test_xlsx_workbook_and_list_request(ey_la, ey_db, tmp_path):
    from datamonger.early_years.report import REQUEST_COLUMNS, request_las, write_request

    _, ey = ey_la
    db = _db(ey_db, tmp_path)
    out = tmp_path / "ey.xlsx"
    r = CliRunner().invoke(app, _args(ey, db, "--format", "xlsx", "--output", str(out)))
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Comparison", "Children", "Review", "Since last check",
                               "Trend"]  # fmt: skip
    con = duckdb.connect(str(db))
    las = request_las(con)
    assert las and all(la not in ("330", *ey.neighbours) for la, _ in las)
    la, n = las[0]
    req = tmp_path / "request.xlsx"
    assert write_request(con, "330", la, "Spring 2025", req) >= n
    ws = openpyxl.load_workbook(req).active
    header = [c.value for c in ws[4]]
    assert header == [*REQUEST_COLUMNS, "setting_urn", "setting_name", "funded_hours"]
    assert ws.max_row == 4 + n
