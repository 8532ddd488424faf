"""A validation report written out: JSON, CSV and Parquet, streamed by DuckDB from the issue table.

The issues never become Python objects. JSON: `{"summary", "issues", "skipped"}`, each issue one
line, which DuckDB renders (`to_json`) batch by batch; the bytes of each batch's Arrow string
buffer go to the output as they are, so nothing is written twice. CSV: DuckDB's COPY, one row per
issue, `fields` and `values` joined with `;`, text that a spreadsheet could take for a formula
prefixed with `'`.
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

from datamonger.reports.arrow import text_bytes
from datamonger.reports.cells import csv_cell_sql
from datamonger.validation.report import ISSUE_KEYS, Report, issues_sql, values_text_sql

_CHUNK = 1 << 20
_BATCH = 65_536  # issues per Arrow batch of JSON text: a few MB in memory whatever the report
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


# The issue table holds each issue's values as a list beside its fields; documents show them
# as an object, field -> value, built as they are written.
_DOCUMENT = ", ".join(
    'MAP(fields, "values") AS "values"' if k == "values" else f'"{k}"' for k in ISSUE_KEYS
)
_SEP = b",\n    "  # between two issues of the JSON document
# One issue as the JSON text DuckDB's COPY (FORMAT json) writes, followed by the separator.
_RECORD = (
    "to_json(struct_pack("
    + ", ".join(
        f'"{k}" := MAP(fields, "values")' if k == "values" else f'"{k}" := "{k}"'
        for k in ISSUE_KEYS
    )
    + ")) || ',' || chr(10) || '    '"
)


def write_json(report: Report, output: Path | None = None) -> None:
    summary = json.dumps(report.summary(), indent=2, ensure_ascii=False)
    skipped = json.dumps([s.to_dict() for s in report.skipped], indent=2, ensure_ascii=False)
    with _sink(output) as out, issues_sql(report.table) as con:
        out.write(b'{\n  "summary": ' + _indent(summary) + b',\n  "issues": [')
        if report.count:
            out.write(b"\n    ")
            reader = con.sql(f"SELECT {_RECORD} AS j FROM issues").to_arrow_reader(_BATCH)
            held: memoryview | None = None  # the last batch loses its final separator
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                if held is not None:
                    out.write(held)
                held = text_bytes(batch.column(0))
            if held is not None:
                out.write(held[: len(held) - len(_SEP)])
            out.write(b"\n  ")
        out.write(b'],\n  "skipped": ' + _indent(skipped) + b"\n}\n")


def write_csv(report: Report, output: Path | None = None) -> None:
    select, options = f"SELECT {_CSV_SELECT} FROM issues", "HEADER, DELIMITER ','"
    if output is not None:
        _copy_csv(report, select, options, output)
        return
    folder = Path(tempfile.mkdtemp(prefix="dm-report-"))  # standard output: DuckDB writes files
    try:
        _copy_csv(report, select, options, folder / "issues.csv")
        with (folder / "issues.csv").open("rb") as fh, _sink(None) as out:
            shutil.copyfileobj(fh, out, _CHUNK)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_csv(report: Report, select: str, options: str, target: Path) -> None:
    """COPY the issues to `target`: whatever its name, plain CSV."""
    with issues_sql(report.table) as con:
        path = str(target).replace("'", "''")
        con.execute(f"COPY ({select}) TO '{path}' ({options}, COMPRESSION 'none')")


def write_parquet(report: Report, output: Path) -> None:
    cols = _DOCUMENT
    with issues_sql(report.table) as con:
        target = str(output).replace("'", "''")
        con.execute(f"COPY (SELECT {cols} FROM issues) TO '{target}' (FORMAT parquet)")


def _indent(text: str) -> bytes:
    return text.replace("\n", "\n  ").encode("utf-8")
