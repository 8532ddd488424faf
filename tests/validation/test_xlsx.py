"""The validation workbook against the JSON report of the same messy return: every issue on its
rule's sheet and on By child, exactly the flagged cells highlighted in the table sheets, the
Summary saying what each sheet holds, and sheets over the row limit cut and said to be."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from datamonger.cli import synth as _synth  # noqa: F401
from datamonger.cli import validate as _validate  # noqa: F401
from datamonger.cli.app import app
from datamonger.reports import xlsx_sql
from datamonger.validation.xlsx import HOLDS, rule_sheet, table_sheet

runner = CliRunner()
RED, AMBER = "FFF8B4B4", "FFFCE3A6"


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[dict[str, Any]]]:
    """A small messy SSDA903 return with last year's, and its issues as the JSON report has them."""
    out = tmp_path_factory.mktemp("messy") / "la"
    made = runner.invoke(
        app,
        ["synth", str(out), "--children", "40", "--year", "2025", "--years", "2", "--seed", "5",
         "--looked-after-share", "1.0", "--messy", "0.5"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    inputs = [str(out / "2024-25" / "ssda903"), "--previous", str(out / "2023-24" / "ssda903")]
    target = out.parent / "report.json"
    result = runner.invoke(app, ["validate", *inputs, "--format", "json", "--output", str(target)])
    assert result.exit_code == 1, result.output
    issues = json.loads(target.read_text("utf-8"))["issues"]
    assert len(issues) > 300 and len({i["rule"] for i in issues}) > 20
    return inputs, issues


def _workbook(inputs: list[str], path: Path) -> openpyxl.Workbook:
    result = runner.invoke(app, ["validate", *inputs, "--format", "xlsx", "--output", str(path)])
    assert result.exit_code == 1, result.output
    return openpyxl.load_workbook(path)


def _values(i: dict[str, Any]) -> str | None:
    return "; ".join(f"{f}={i['values'].get(f) or ''}" for f in i["fields"]) or None


def _data(ws: Any, first: int) -> list[tuple[Any, ...]]:
    return [r for r in ws.iter_rows(min_row=first, values_only=True)]


def _summary(book: openpyxl.Workbook) -> list[tuple[Any, ...]]:
    """The Summary's lines, without the blank cells padding them to its widest."""
    out = []
    for row in book["Summary"].iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        out.append(tuple(cells))
    return out


def test_every_issue_on_its_rule_sheet_and_by_child(messy: Any, tmp_path: Path) -> None:
    inputs, issues = messy
    book = _workbook(inputs, tmp_path / "v.xlsx")
    for rule in {i["rule"] for i in issues}:
        ws = book[rule_sheet("ssda903", rule)]
        mine = [i for i in issues if i["rule"] == rule]
        assert ws["A1"].value.startswith(f"Rule {rule} (error): ")
        assert Counter(_data(ws, 3)) == Counter(
            (
                i["table"],
                i["file"],
                i["line"],
                i["child"],
                ", ".join(i["fields"]) or None,
                _values(i),
            )
            for i in mine
        )
    assert Counter(_data(book["By child"], 2)) == Counter(
        (i["child"], "ssda903", 2025, i["rule"], i["severity"], i["table"], i["line"], i["message"])
        for i in issues
    )
    summary = _summary(book)
    start = summary.index(("Sheet", "What it holds"))
    first_rule, first_table = (
        book.sheetnames[1],
        book.sheetnames[book.sheetnames.index("By child") + 1],
    )
    assert summary[start + 1 : start + 4] == [
        (f"{first_rule}, ...", HOLDS["rule"]),
        ("By child", HOLDS["child"]),
        (f"{first_table}, ...", HOLDS["table"]),
    ]


def test_table_sheets_highlight_exactly_the_flagged_cells(messy: Any, tmp_path: Path) -> None:
    inputs, issues = messy
    book = _workbook(inputs, tmp_path / "v.xlsx")
    flagged, rules = set(), {}
    for i in issues:
        flagged |= {(i["table"], i["line"], f) for f in i["fields"]}
        rules.setdefault((i["table"], i["line"]), []).append(i["rule"])
    seen, said, columns = set(), {}, set()
    for table in {i["table"] for i in issues}:
        ws = book[table_sheet("ssda903", 2025, table)]
        header = [c.value for c in ws[1]]
        columns |= {(table, name) for name in header}
        for row in ws.iter_rows(min_row=2):
            line = row[1].value
            for name, cell in zip(header, row, strict=False):
                assert cell.fill.fgColor.rgb in ("00000000", RED)  # only errors here
                if cell.fill.fgColor.rgb == RED:
                    seen.add((table, line, name))
            if row[-1].value:
                said[(table, line)] = row[-1].value
    # a field a rule derives (PL_DISTANCE from the postcodes) is not a column as written
    assert seen == {(t, line, f) for t, line, f in flagged if (t, f) in columns}
    # each row's rules once each, where each first comes in the report
    assert said == {k: ", ".join(dict.fromkeys(v)) for k, v in rules.items()}


def test_sheets_over_the_row_limit_are_cut_and_said_to_be(
    messy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, issues = messy
    monkeypatch.setattr(xlsx_sql, "MAX_ROWS", 12)  # rule sheets keep 10 rows, the others 11
    book = _workbook(inputs, tmp_path / "cut.xlsx")
    per_rule = Counter(i["rule"] for i in issues)
    summary = _summary(book)
    start = summary.index(("Sheets cut at Excel's row limit", "Rows left out"))
    cut = dict(r[:2] for r in summary[start + 1 :])
    expected = {rule_sheet("ssda903", r): n - 10 for r, n in per_rule.items() if n > 10}
    assert {k: v for k, v in cut.items() if k in expected} == expected
    assert cut["By child"] == len(issues) - 11
    for rule, n in per_rule.items():
        assert len(_data(book[rule_sheet("ssda903", rule)], 3)) == min(n, 10)
    assert len(_data(book["By child"], 2)) == 11
    # the rows kept are the first: By child starts with the same children, in order
    whole = _workbook(inputs, tmp_path / "whole.xlsx")
    monkeypatch.undo()
    assert _data(book["By child"], 2) == _data(whole["By child"], 2)[:11]


def test_a_second_reader_finds_every_cell_where_openpyxl_does(messy: Any, tmp_path: Path) -> None:
    """Cells and rows carry no `r` reference (optional in OOXML): calamine (fastexcel), as
    Excel and LibreOffice do, places each cell after the one before, empty cells included."""
    import fastexcel

    inputs, _ = messy
    path = tmp_path / "v.xlsx"
    book = _workbook(inputs, path)
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names == book.sheetnames

    def text(v: Any) -> str | None:  # fastexcel types a column by its header: compare as text
        return None if v in (None, "") else str(v).removesuffix(".0")

    for name in book.sheetnames:
        theirs = reader.load_sheet_by_name(name, header_row=None).to_arrow().to_pylist()
        assert [[text(v) for v in row.values()] for row in theirs] == [
            [text(v) for v in row] for row in book[name].iter_rows(values_only=True)
        ], name
