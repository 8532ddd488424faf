"""The one shape every reading or loading problem takes, from the readers to the CLI and the web.

A problem is data, not an exception: readers and the loader collect problems and carry on where
they safely can. `Refused` is the only exception, raised by a reader when a whole file cannot be
loaded; it carries the problem that explains why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # the file (or the return) was not loaded
    WARNING = "warning"  # loaded, but something needs the analyst's attention
    INFO = "info"  # loaded; said so the analyst knows exactly what happened


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    code: str  # closed list below, stable for tests, filters and the web
    message: str  # what happened, in plain English
    file: str | None = None
    line: int | None = (
        None  # 1-based physical line (CSV: header is line 1; XML: the element's line)
    )
    column: str | None = None  # the field, in the DfE's spelling
    value: str | None = None  # the value as written, when there is one
    hint: str | None = None  # what to do about it

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Severity) else v) for k, v in asdict(self).items()}

    def where(self) -> str:
        parts = [self.file or ""]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(p for p in parts if p)


# The closed list of problem codes. A new code is added here, with its meaning, before it is used.
CODES: dict[str, str] = {
    "file_missing": "the path does not exist",
    "file_empty": "the file has no content (or only a header-less blank table)",
    "file_too_large": "the file is larger than the configured limit",
    "not_text": "the file is binary or in an encoding that cannot be read",
    "not_a_return": "a file Datamonger itself wrote beside the returns (synth's ground truth)",
    "zip_archive": "the file is a zip archive, not a return",
    "unknown_format": "the file is not a CSV, XLSX or XML return",
    "unknown_table": "the CSV header matches no table of the SSDA903 return",
    "missing_columns": "the CSV header lacks columns the table needs",
    "unexpected_columns": "the CSV header has columns the table does not have",
    "duplicate_columns": "the CSV header names a column twice",
    "ragged_row": "a row has more or fewer cells than the header",
    "field_too_long": "a value is longer than the configured limit",
    "blank_rows": "blank rows were skipped",
    "bad_date": "a date could not be read; the value is kept as written and flagged",
    "bad_number": "a number could not be read; the value is kept as written and flagged",
    "bad_boolean": "a true/false value could not be read; kept as written and flagged",
    "xml_malformed": "the XML is not well formed (for example truncated)",
    "xml_doctype": "the XML declares a DOCTYPE or entities, which are never processed",
    "xml_unknown_root": "the XML root is neither a CIN census nor an SSDA903 return",
    "xml_unexpected_element": "an element the return does not define; its content is not loaded",
    "xml_repeated_element": "an element that may appear once appears again; the repeat is not loaded",
    "no_year": "the collection year could not be read from the file",
    "year_conflict": "files of one return disagree about the collection year",
    "duplicate_table": "the same table was given twice for one return and year",
    "replaced": "a return already in the database was replaced",
    "table_not_in_year": "the table is not part of the return in that collection year",
    "unclosed_quote": "a quoted CSV value runs over lines (a quote never closed): rows would be lost",
    "xml_no_records": "the XML has no record where the return puts them (no Child, no CHILD)",
    "xml_missing_element": "an element the return needs is missing; its rows are loaded without it",
    "return_refused": "a return was not loaded because one of its files or tables was refused; "
    "what the database held for it is kept unchanged",
    "encoding": "how the file's text was decoded, when it was not plain UTF-8",
    "bad_encoding": "bytes that are not valid in the file's encoding; shown as \ufffd, reported",
    "xlsx_damaged": "the workbook is damaged (a part missing or unreadable): the file is refused",
    "xlsx_too_large": "the workbook is over a size cap (unpacked size, rows, columns or a cell)",
    "xlsx_formula_no_value": "a formula cell has no saved result; it is loaded as empty",
    "xlsx_hidden_sheet": "a sheet is hidden in Excel; it is read all the same",
    "xlsx_merged_cells": "merged cells: only the first holds the value, the others load as empty",
    "bad_year": "a collection year outside the years the DfE collections exist in",
    "year_inferred": "which collection year was read from an SSDA903 return's dates, and why",
    "unreadable": "the file could not be read for a reason not foreseen: it is refused",
    "not_a_database": "--db names a file that is not a Datamonger (DuckDB) database",
}


class Refused(Exception):
    """Raised by a reader when a file cannot be loaded at all.

    `table` names the DfE table the file was recognised as, when it was (a refused table makes
    the loader refuse the whole return it belongs to); "*" stands for a whole SSDA903 XML return.
    """

    def __init__(self, problem: Problem, table: str | None = None) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.table = table
