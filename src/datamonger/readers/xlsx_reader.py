"""SSDA903 tables saved as an Excel workbook: one table per sheet, recognised by its header row.

Row numbers are the sheet's own (row 1 is the first row in Excel). A cell Excel stores as a date
is written back as dd/mm/yyyy, the way the analyst sees it and the way the CSV return writes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import fastexcel

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import FileResult, Limits, Stage
from datamonger.readers.tabular import match_table, stage_rows

_EXCEL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")


def _as_written(value: str | None, is_date: bool) -> str:
    """The cell as text ("" when empty); a date cell as dd/mm/yyyy."""
    if value is None:
        return ""
    if is_date:
        m = _EXCEL_DATE.match(value)
        if m:
            return f"{m[3]}/{m[2]}/{m[1]}"
    return value


def read(path: Path, stage: Stage, limits: Limits) -> FileResult:
    file = str(path)
    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
    except Exception as exc:  # calamine's errors are not one class; the message is what matters
        raise Refused(
            Problem(
                Severity.ERROR,
                "unknown_format",
                f"The workbook cannot be opened: {exc}.",
                file=file,
                hint="Open it in Excel, save it again as .xlsx, and load it again.",
            )
        ) from None
    result = FileResult("ssda903")
    for idx, sheet in enumerate(names):
        where = f"Sheet '{sheet}': "
        data = reader.load_sheet(idx, header_row=None, dtypes="string", skip_rows=0)
        columns = [col.to_pylist() for col in data.to_arrow().columns]
        rows = list(zip(*columns, strict=True)) if columns else []
        numbered = [(i + 1, list(r)) for i, r in enumerate(rows)]
        start = next(
            (k for k, (_, r) in enumerate(numbered) if any(c and c.strip() for c in r)), None
        )
        if start is None:
            result.problems.append(
                Problem(Severity.INFO, "file_empty", f"{where}empty, skipped.", file=file)
            )
            continue
        header_line, header = numbered[start]
        spec = match_table([c or "" for c in header], file, header_line, where)
        if spec.name in result.tables:
            raise Refused(
                Problem(
                    Severity.ERROR,
                    "duplicate_table",
                    f"{where}a second {spec.name} table in the same workbook.",
                    file=file,
                    line=header_line,
                    hint="Keep one sheet per table.",
                )
            )
        dates = {f.name for f in spec.fields if f.type == "date"}
        hdr = [(c or "").strip() for c in header]
        body = (
            (line, [_as_written(v, h in dates) for h, v in zip(hdr, r, strict=False)])
            for line, r in numbered[start + 1 :]
        )
        result.tables[spec.name] = stage_rows(
            spec, [c or "" for c in header], body, stage, result, limits, file, where
        )
    return result
