"""The Excel workbook of a validation run (XlsxWriter).

Sheets: Summary; one per rule with issues (`903 101`, `CIN 8520`); By child; then one per table
with issues holding that table's rows as written, the offending cells highlighted (red for errors,
amber for queries) and the rules each row raised.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import xlsxwriter

from datamonger.reports.cells import workbook_options, xlsx_write, xlsx_write_row
from datamonger.returns import raw_column
from datamonger.store import Store
from datamonger.validation import prepare
from datamonger.validation.report import Issue, Report

SHORT = {"ssda903": "903", "cin": "CIN"}
CHILD_COLUMNS = ("CHILD", "LAchildID")
ISSUE_COLS = ("table", "file", "line", "child", "fields", "values", "severity", "message")


def rule_sheet(return_name: str, code: str) -> str:
    return f"{SHORT[return_name]} {code}"[:31]


def table_sheet(return_name: str, year: int, table: str) -> str:
    return f"{SHORT[return_name]} {year} {table}"[:31]


def _values(i: Issue) -> str:
    return "; ".join(f"{k}={'' if v is None else v}" for k, v in i.values.items())


def write_xlsx(report: Report, store: Store, path: Path) -> set[str]:
    """Write the workbook; return the child ids it names (for the audit log). Every text is
    written as text: a value as written in a return never becomes a formula or a link."""
    children: set[str] = {i.child for i in report.issues if i.child}
    wb = xlsxwriter.Workbook(str(path), workbook_options(constant_memory=False))
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    hl = {
        "error": wb.add_format({"bg_color": "#F8B4B4", "bold": True}),
        "query": wb.add_format({"bg_color": "#FCE3A6"}),
    }

    # --- Summary ----------------------------------------------------------------------------
    s = report.summary()
    ws = wb.add_worksheet("Summary")
    rows: list[tuple[str, object]] = [
        ("Returns", ", ".join(f"{r['return']} {r['year']}" for r in s["returns"])),
        ("Issues", s["issues"]),
        ("Errors", s["by_severity"]["error"]),
        ("Queries", s["by_severity"]["query"]),
        ("Children affected", s["children_affected"]),
        ("Rules run", s["rules_run"]),
        ("Rules skipped", s["rules_skipped"]),
        ("Rules failed", s["rules_failed"]),
        ("Seconds", s["seconds"]),
    ]
    for r, (k, v) in enumerate(rows):
        ws.write(r, 0, k, bold)
        xlsx_write(ws, r, 1, v)
    r = len(rows) + 1
    for c, h in enumerate(("Return", "Rule", "Severity", "Issues", "Children", "Message")):
        ws.write(r, c, h, bold)
    for item in s["by_rule"]:
        r += 1
        xlsx_write_row(
            ws,
            r,
            0,
            [
                item["return"],
                item["rule"],
                item["severity"],
                item["issues"],
                item["children"],
                item["message"],
            ],
        )
    r += 2
    for c, h in enumerate(("Return", "Year", "Rule", "Category", "Reason")):
        ws.write(r, c, h, bold)
    for sk in report.skipped:
        r += 1
        xlsx_write_row(ws, r, 0, [sk.return_, sk.year, sk.rule, sk.category, sk.reason])
    ws.set_column(0, 0, 18)
    ws.set_column(5, 5, 90)

    # --- one sheet per rule -----------------------------------------------------------------
    by_rule: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for i in report.issues:
        by_rule[(i.return_, i.rule)].append(i)
    for (ret, code), issues in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        ws = wb.add_worksheet(rule_sheet(ret, code))
        xlsx_write(ws, 0, 0, f"Rule {code}: {issues[0].message}", bold)
        ws.write_row(1, 0, ISSUE_COLS, bold)
        for n, i in enumerate(issues, start=2):
            xlsx_write_row(
                ws,
                n,
                0,
                [
                    i.table,
                    i.file,
                    i.line,
                    i.child,
                    ", ".join(i.fields),
                    _values(i),
                    i.severity,
                    i.message,
                ],
            )
        ws.set_column(1, 1, 24)
        ws.set_column(7, 7, 80, wrap)

    # --- by child ---------------------------------------------------------------------------
    ws = wb.add_worksheet("By child")
    ws.write_row(0, 0, ("child", "return", "year", "rule", "severity", "table", "line", "message"))
    ordered = sorted(report.issues, key=lambda i: (str(i.child), i.return_, i.year, i.rule))
    for n, i in enumerate(ordered, start=1):
        xlsx_write_row(
            ws, n, 0, [i.child, i.return_, i.year, i.rule, i.severity, i.table, i.line, i.message]
        )

    # --- each table as written, offending cells highlighted ---------------------------------
    cells: dict[tuple[str, int, str], dict[tuple[str, int], dict[str, str]]] = defaultdict(dict)
    flagged: dict[tuple[str, int, str], dict[tuple[str, int], list[str]]] = defaultdict(dict)
    for i in report.issues:
        key = (i.return_, i.year, i.table)
        row_cells = cells[key].setdefault((i.file, i.line), {})
        for f in i.fields:
            if row_cells.get(f) != "error":
                row_cells[f] = i.severity
        flagged[key].setdefault((i.file, i.line), []).append(i.rule)
    for (ret, year, table), marks in sorted(cells.items()):
        spec = next((t for t in prepare.specs(ret) if t.name == table), None)
        if spec is None:
            continue
        names = list(spec.field_names)
        cols = ", ".join(f'"{raw_column(spec, f)}"' for f in names)
        data = store.con.execute(
            f"SELECT source_file, source_line, {cols} FROM {spec.store_name} "
            "WHERE collection_year = ? ORDER BY source_file, source_line",
            [year],
        ).fetchall()
        ws = wb.add_worksheet(table_sheet(ret, year, table))
        ws.write_row(0, 0, ["file", "line", *names, "rules"], bold)
        child_at = next((names.index(c) + 2 for c in CHILD_COLUMNS if c in names), None)
        for n, rec in enumerate(data, start=1):
            file, line = rec[0], rec[1]
            xlsx_write(ws, n, 0, file)
            xlsx_write(ws, n, 1, line)
            if child_at is not None and rec[child_at] is not None:
                children.add(str(rec[child_at]))
            row_marks = marks.get((file, line), {})
            for c, (fname, value) in enumerate(zip(names, rec[2:], strict=True), start=2):
                sev = row_marks.get(fname)
                if sev:
                    ws.write_string(n, c, "" if value is None else str(value), hl[sev])
                elif value is not None:
                    ws.write_string(n, c, str(value))
            rules = flagged[(ret, year, table)].get((file, line))
            if rules:
                xlsx_write(ws, n, len(names) + 2, ", ".join(dict.fromkeys(rules)))
        ws.freeze_panes(1, 2)
    wb.close()
    return children
