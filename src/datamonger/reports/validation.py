"""A validation report written out: JSON, CSV and Parquet, streamed by DuckDB from the issue table.

The issues never become Python objects: DuckDB's COPY writes them to a file, and the JSON
document is that file between the summary and the skipped rules. JSON: `{"summary", "issues",
"skipped"}`, each issue one line; CSV: one row per issue, `fields` and `values` joined with `;`,
text that a spreadsheet could take for a formula prefixed with `'`.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import duckdb

from datamonger.reports.cells import csv_cell_sql
from datamonger.validation.report import ISSUE_KEYS, Report, issues_sql, values_text_sql

_CHUNK = 1 << 20
_CSV_SELECT = ", ".join(
    [
        *(
            csv_cell_sql(f'CAST("{k}" AS VARCHAR)') + f' AS "{k}"'
            for k in ("rule", "severity", "return")
        ),
        '"year"',
        *(csv_cell_sql(f'"{k}"') + f' AS "{k}"' for k in ("table", "file")),
        '"line"',
        csv_cell_sql("child") + " AS child",
        csv_cell_sql("array_to_string(fields, ';')") + " AS fields",
        csv_cell_sql(values_text_sql(";")) + ' AS "values"',
        csv_cell_sql("message") + " AS message",
    ]
)


@contextmanager
def _sink(output: Path | None) -> Iterator[IO[bytes]]:
    if output is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    else:
        with output.open("wb") as fh:
            yield fh


def _copy(con: duckdb.DuckDBPyConnection, select: str, options: str) -> Path:
    """COPY `select` to a temporary file with `options`; its path (the caller streams it)."""
    tmp = Path(tempfile.mkdtemp(prefix="dm-report-")) / "part"
    con.execute(f"COPY ({select}) TO '{tmp}' ({options})")
    return tmp


# The issue table holds each issue's values as a list beside its fields; documents show them
# as an object, field -> value, built as they are written.
_DOCUMENT = ", ".join(
    'MAP(fields, "values") AS "values"' if k == "values" else f'"{k}"' for k in ISSUE_KEYS
)


def write_json(report: Report, output: Path | None = None) -> None:
    summary = json.dumps(report.summary(), indent=2, ensure_ascii=False)
    skipped = json.dumps([s.to_dict() for s in report.skipped], indent=2, ensure_ascii=False)
    cols = _DOCUMENT
    with _sink(output) as out, issues_sql(report.table) as con:
        out.write(b'{\n  "summary": ' + _indent(summary) + b',\n  "issues": [')
        if report.count:
            part = _copy(con, f"SELECT {cols} FROM issues", "FORMAT json")
            try:
                out.write(b"\n    ")
                _stream(part, out, sep=b",\n    ")
                out.write(b"\n  ")
            finally:
                shutil.rmtree(part.parent, ignore_errors=True)
        out.write(b'],\n  "skipped": ' + _indent(skipped) + b"\n}\n")


def write_csv(report: Report, output: Path | None = None) -> None:
    with _sink(output) as out, issues_sql(report.table) as con:
        part = _copy(con, f"SELECT {_CSV_SELECT} FROM issues", "HEADER, DELIMITER ','")
        try:
            _stream(part, out)
        finally:
            shutil.rmtree(part.parent, ignore_errors=True)


def write_parquet(report: Report, output: Path) -> None:
    cols = _DOCUMENT
    with issues_sql(report.table) as con:
        target = str(output).replace("'", "''")
        con.execute(f"COPY (SELECT {cols} FROM issues) TO '{target}' (FORMAT parquet)")


def _indent(text: str) -> bytes:
    return text.replace("\n", "\n  ").encode("utf-8")


def _stream(part: Path, out: IO[bytes], sep: bytes | None = None) -> None:
    """Copy the file to `out`; with `sep`, its lines (one JSON record each: a newline inside a
    record is always escaped) are joined with `sep` and the last newline dropped."""
    with part.open("rb") as fh:
        if sep is None:
            shutil.copyfileobj(fh, out, _CHUNK)
            return
        tail = b""
        while chunk := fh.read(_CHUNK):
            chunk = tail + chunk
            out.write(chunk[:-1].replace(b"\n", sep))
            tail = chunk[-1:]
        if tail != b"\n":
            out.write(tail)
