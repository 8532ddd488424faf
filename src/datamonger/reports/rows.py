"""Rows of a small result (indicators, benchmarks, measures) in any format, in one place.

These results hold one row per indicator or measure, never per child or issue, so Python rows
are fine here; the issue-sized outputs are `reports.validation` and `reports.xlsx_sql`. Text
that a spreadsheet could take for a formula stays text in CSV and XLSX (`reports.cells`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datamonger.reports.cells import csv_row, workbook_options, xlsx_write_row


def plain(v: Any) -> Any:
    """A cell as a spreadsheet or CSV shows it: lists joined with '; ', dates ISO."""
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(csv_row(columns))
    w.writerows(csv_row(plain(v) for v in r) for r in rows)
    return buf.getvalue()


def to_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=2, default=str)


def write_xlsx(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], output: Path, sheet: str
) -> None:
    """One sheet: a bold header, frozen, with a filter on every column."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(output), workbook_options())
    ws = book.add_worksheet(sheet[:31])
    xlsx_write_row(ws, 0, 0, columns, book.add_format({"bold": True}))
    for r, row in enumerate(rows, start=1):
        xlsx_write_row(ws, r, 0, [plain(v) for v in row])
    ws.freeze_panes(1, 0)
    if columns:
        ws.autofilter(0, 0, len(rows), len(columns) - 1)
    book.close()
