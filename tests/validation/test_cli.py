"""`datamonger validate` and `datamonger rules`: formats, Excel highlighting, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from datamonger.cli import validate as _registers  # noqa: F401
from datamonger.cli.app import app

runner = CliRunner()
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def _return(tmp_path: Path, header_rows: str) -> Path:
    folder = tmp_path / "ret"
    folder.mkdir()
    (folder / "header.csv").write_text(HEADER + header_rows)
    (folder / "episodes.csv").write_text(
        EPISODES
        + "1,01/05/2026,S,C2,N1,U1,PR1,,,,M1 1AE,M1 1AF,\n"
        + "2,01/05/2026,S,C2,N1,U1,PR1,,,,M1 1AE,M1 1AF,\n"
    )
    return folder


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return _return(tmp_path, "1,M,01/06/2010,WBRI,UN1,,\n2,Q,01/06/2011,WBRI,UN1,,\n")


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return _return(tmp_path, "1,M,01/06/2010,WBRI,UN1,,\n2,F,01/06/2011,WBRI,UN1,,\n")


def _run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["validate", *args])


def test_json_shape_and_exit_code_1_on_errors(bad: Path) -> None:
    result = _run(str(bad), "--year", "2027", "--rules", "101", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["summary", "issues", "skipped"]
    assert list(data["issues"][0]) == [
        "rule",
        "severity",
        "return",
        "year",
        "table",
        "file",
        "line",
        "child",
        "fields",
        "values",
        "message",
    ]
    issue = data["issues"][0]
    assert (issue["rule"], issue["line"], issue["values"]) == ("101", 3, {"SEX": "Q"})
    assert data["summary"]["by_severity"] == {"error": 1, "query": 0}


def test_exit_code_0_when_clean(good: Path) -> None:
    assert _run(str(good), "--rules", "101,103", "--format", "json").exit_code == 0


def test_csv_one_row_per_issue(bad: Path) -> None:
    result = _run(str(bad), "--rules", "101", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["rule"], r["line"], r["values"]) for r in rows] == [("101", "3", "SEX=Q")]


def test_table_groups_by_rule(bad: Path) -> None:
    result = _run(str(bad), "--rules", "101")
    assert "101" in result.stdout and "1 error(s)" in result.stdout


def test_xlsx_sheets_and_highlighted_cell(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    result = _run(str(bad), "--rules", "101", "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(out)
    assert {"Summary", "903 101", "By child", "903 2027 Header"} <= set(wb.sheetnames)
    ws = wb["903 2027 Header"]
    header = [c.value for c in ws[1]]
    sex_col = header.index("SEX") + 1
    line_col = header.index("line") + 1
    highlighted = [
        (ws.cell(r, line_col).value, ws.cell(r, c).value)
        for r in range(2, ws.max_row + 1)
        for c in range(1, ws.max_column + 1)
        if ws.cell(r, c).fill.fgColor.rgb not in (None, "00000000")
    ]
    assert highlighted == [(3, "Q")]
    assert ws.cell(3, sex_col).value == "Q"


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    assert _run(str(tmp_path / "nothing-here.csv")).exit_code == 2


def test_unknown_rule_exits_2_without_traceback(good: Path) -> None:
    result = _run(str(good), "--rules", "NOPE")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_validates_a_loaded_database(good: Path, tmp_path: Path) -> None:
    db = tmp_path / "la.duckdb"
    assert _run(str(good), "--db", str(db), "--rules", "101", "--format", "json").exit_code == 0
    result = _run(str(db), "--format", "json", "--rules", "101")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["returns"] == [{"return": "ssda903", "year": 2027}]


def test_a_database_validates_its_latest_years_or_all_of_them(good: Path, tmp_path: Path) -> None:
    db = tmp_path / "la.duckdb"
    for year in ("2026", "2027"):
        loaded = _run(str(good), "--db", str(db), "--year", year, "--rules", "101")
        assert loaded.exit_code == 0, loaded.output

    def years(*extra: str) -> list[int]:
        result = _run(str(db), "--format", "json", "--rules", "101", *extra)
        assert result.exit_code == 0, result.output
        return [r["year"] for r in json.loads(result.stdout)["summary"]["returns"]]

    assert years() == [2027]
    assert years("--all-years") == [2026, 2027]


def test_rules_lists_objects() -> None:
    result = runner.invoke(
        app, ["rules", "--year", "2027", "--return", "ssda903", "--format", "json"]
    )
    items = json.loads(result.stdout)
    assert len(items) == 322
    first = items[0]
    assert set(first) == {
        "return",
        "code",
        "severity",
        "message",
        "fields",
        "tables",
        "years",
        "implemented",
        "module",
    }
    assert first["code"] == "101" and first["implemented"] is True
    assert first["module"].startswith("datamonger.validation.rules.ssda903.")
