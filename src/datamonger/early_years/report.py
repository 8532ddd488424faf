"""The monitor's outputs: the latest run read back from the database (for the web), the workbook
of a run, and the list request to another LA (the children placed there, no more than needed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.early_years.monitor import Result, ensure_schema
from datamonger.reports.cells import workbook_options, xlsx_write_row
from datamonger.reports.rows import plain

# Children's columns without names: what a count-level view and the CLI table show.
CHILD_COLUMNS = (
    "child_id", "status", "age_band", "eligible_from", "setting", "sector", "ofsted_grade",
    "funded_hours", "term", "link_weight", "area", "placing_la", "placement_type", "carer_type",
    "days_in_care", "in_review", "since_last_check",
)  # fmt: skip
REVIEW_COLUMNS = (
    "child_id", "match_weight", "reason", "list_forename", "list_surname", "list_date_of_birth",
    "list_postcode", "setting_name", "list_la", "child_forename", "child_surname",
    "child_date_of_birth", "child_postcode",
)  # fmt: skip
# A request to another LA for its list: enough to find the child, nothing about the child's case.
REQUEST_COLUMNS = ("forename", "surname", "date_of_birth", "upn", "postcode", "placed_since")


def latest(con: duckdb.DuckDBPyConnection) -> Result | None:
    """The last run stored, or None."""
    ensure_schema(con)
    row = con.sql(
        "SELECT run_id, as_of, la, files, summary FROM ey_runs ORDER BY run_id DESC LIMIT 1"
    ).fetchall()
    if not row:
        return None
    run_id, as_of, la, files, summary = row[0]
    children = con.sql(
        "SELECT * EXCLUDE (run_id, forename, surname, upn) FROM ey_children_latest"
    ).to_arrow_table()
    review = con.sql(
        "SELECT * EXCLUDE (run_id) FROM ey_review ORDER BY match_weight DESC, source_line"
    ).to_arrow_table()
    changes = con.sql("SELECT * FROM ey_changes_latest").to_arrow_table()
    trend = con.sql(
        """SELECT run_id, as_of, run_at, eligible, attending, not_attending, unknown, take_up_pct,
                  known_pct, review FROM ey_runs ORDER BY as_of, run_id"""
    ).to_arrow_table()
    return Result(
        int(run_id), as_of, str(la), json.loads(summary), children, review, changes, trend,
        list(files or []),
    )  # fmt: skip


def summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """The summary as rows of (measure, group, eligible, attending, not attending, unknown,
    take-up %)."""
    rows: list[list[Any]] = [
        ["All eligible looked-after children", "", summary["eligible"], summary["attending"],
         summary["not_attending"], summary["unknown"], summary["take_up_pct"]],
    ]  # fmt: skip
    for key, title in (
        ("by_age_band", "Age band"),
        ("by_placement_type", "Placement type"),
        ("by_area", "In or out of area"),
        ("by_carer_type", "Carer type"),
    ):
        for g in summary[key]:
            rows.append(
                [title, g["group"], g["eligible"], g["attending"], g["not_attending"],
                 g["unknown"], g["take_up_pct"]]
            )  # fmt: skip
    for key, title in (
        ("attending_by_setting_sector", "Setting sector (attending)"),
        ("attending_by_ofsted_grade", "Ofsted grade (attending)"),
    ):
        for g in summary[key]:
            rows.append([title, g["group"], None, g["attending"], None, None, None])
    return rows


SUMMARY_COLUMNS = (
    "measure", "group", "eligible", "attending", "not_attending", "unknown", "take_up_pct",
)  # fmt: skip


def comparison_rows(summary: dict[str, Any]) -> list[list[Any]]:
    c = summary["comparison"]
    rows: list[list[Any]] = [
        ["Looked-after children in this LA (take-up, known status)", summary["as_of"],
         summary["take_up_pct"], "this run"],
        ["All children, England", "", c["national_all_children_pct"],
         c["national_all_children_source"]],
    ]  # fmt: skip
    for p in c["published"]:
        rows.append([f"{p['description']}, {p['area']}", p["year"], p["value_pct"], p["source"]])
    return rows


def _sheet(book: Any, name: str, columns: Any, rows: Any, bold: Any) -> None:
    ws = book.add_worksheet(name[:31])
    xlsx_write_row(ws, 0, 0, list(columns), bold)
    for r, row in enumerate(rows, start=1):
        xlsx_write_row(ws, r, 0, [plain(v) for v in row])
    ws.freeze_panes(1, 0)
    if columns:
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def _rows(t: pa.Table, columns: tuple[str, ...]) -> list[list[Any]]:
    cols = [c for c in columns if c in t.column_names]
    data = t.select(cols).to_pydict()
    return [list(r) for r in zip(*(data[c] for c in cols), strict=True)] if cols else []


def write_workbook(result: Result, path: Path, with_review_names: bool = True) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), workbook_options())
    bold = book.add_format({"bold": True})
    s = result.summary
    _sheet(book, "Summary", SUMMARY_COLUMNS, summary_rows(s), bold)
    _sheet(book, "Comparison", ("figure", "year", "percent", "source"), comparison_rows(s), bold)
    _sheet(book, "Children", CHILD_COLUMNS, _rows(result.children, CHILD_COLUMNS), bold)
    review_cols = REVIEW_COLUMNS if with_review_names else REVIEW_COLUMNS[:3]
    _sheet(book, "Review", review_cols, _rows(result.review, review_cols), bold)
    _sheet(book, "Since last check", ("child_id", "change"),
           _rows(result.changes, ("child_id", "change")), bold)  # fmt: skip
    trend_cols = ("as_of", "eligible", "attending", "not_attending", "unknown", "take_up_pct")
    _sheet(book, "Trend", trend_cols, _rows(result.trend, trend_cols), bold)
    book.close()
    return path


def request_rows(con: duckdb.DuckDBPyConnection, placing_la: str) -> list[list[Any]]:
    """Eligible children of the latest run placed in `placing_la` whose status is not known from
    a list: what the other LA needs to find them on its own list."""
    ensure_schema(con)
    return [
        list(r)
        for r in con.sql(
            """SELECT forename, surname, date_of_birth, upn, placement_postcode, episode_start
               FROM ey_children_latest WHERE placing_la = ? AND status <> 'attending'
               ORDER BY surname, forename""",
            params=[placing_la],
        ).fetchall()
    ]


def request_las(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """LAs where children of the latest run are placed with no list from them: (LA, children)."""
    ensure_schema(con)
    return [
        (str(la), int(n))
        for la, n in con.sql(
            """SELECT placing_la, count(*) FROM ey_children_latest
               WHERE status = 'unknown' AND placing_la IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"""
        ).fetchall()
    ]


def write_request(
    con: duckdb.DuckDBPyConnection, la: str, placing_la: str, term: str, path: Path
) -> int:
    import xlsxwriter

    rows = request_rows(con, placing_la)
    book = xlsxwriter.Workbook(str(path), workbook_options())
    bold = book.add_format({"bold": True})
    ws = book.add_worksheet("Request")
    xlsx_write_row(ws, 0, 0, [f"Request from LA {la} to LA {placing_la}: funded early "
                              f"education of looked-after children placed in your area, {term}"],
                   bold)  # fmt: skip
    xlsx_write_row(ws, 1, 0, ["Please return each child's setting URN, setting name and weekly "
                              "funded hours, or say the child is not on your list. "
                              f"Requested {dt.date.today().isoformat()}."])  # fmt: skip
    columns = [*REQUEST_COLUMNS, "setting_urn", "setting_name", "funded_hours"]
    xlsx_write_row(ws, 3, 0, columns, bold)
    for r, row in enumerate(rows, start=4):
        xlsx_write_row(ws, r, 0, [plain(v) for v in row])
    book.close()
    return len(rows)
