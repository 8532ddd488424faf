"""The Excel workbook of a validation run, streamed from SQL (`reports.xlsx_sql`).

Sheets: Summary (the counts, what each sheet holds, the rules skipped, the sheets cut); one per
rule with issues (`903 101`, `CIN 8520`: table, file, line, child, fields and values; the rule's
severity and message in the title line, not on every row); By child (every issue, child by
child); then one per table with issues holding that table's rows as written, the offending cells
highlighted (red for errors, amber for queries) and the rules each row raised. Every sheet is
rendered by DuckDB from the issue table and the store, so memory stays flat whatever the number
of issues; a sheet over Excel's 1,048,576 rows is cut there and the Summary says so.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from datamonger.reports.xlsx_sql import Column, Sheet, Workbook
from datamonger.returns import TableSpec, cin, raw_column, ssda903
from datamonger.store import Store, lit, q
from datamonger.validation.report import Report, values_text_sql

SHORT = {"ssda903": "903", "cin": "CIN"}
CHILD_COLUMNS = ("CHILD", "LAchildID")
_VALUES = values_text_sql("; ", alias="s.")


# What each kind of sheet holds, as the Summary says it. Every issue is on its rule's sheet and
# on By child; a table sheet shows it again in its row, highlighted.
HOLDS = {
    "rule": "one per rule with issues: each issue's table, file, line, child, the rule's fields "
    "and their values as written; the rule's severity and message in its first line",
    "child": "every issue, child by child: return, year, rule, severity, table, line, message",
    "table": "one per table with issues: every row of the table as written, the cells of an "
    "error red and of a query amber, and the rules each row raised",
}


def rule_sheet(return_name: str, code: str) -> str:
    return f"{SHORT[return_name]} {code}"[:31]


def table_sheet(return_name: str, year: int, table: str) -> str:
    return f"{SHORT[return_name]} {year} {table}"[:31]


def write_xlsx(report: Report, store: Store, path: Path, *, audit: bool = True) -> set[str]:
    """Write the workbook; return the child ids it names, for the dashboard's audit log (none
    when not `audit`: the command line keeps no log). Every text is an inline string: a value
    as written in a return never becomes a formula or a link."""
    wb = Workbook(path)
    con = store.con.cursor()
    try:
        con.register("issues", report.table)
        summary = report.summary()
        by_rule = _rule_sheets(summary)
        others = [_by_child(), *_table_sheets(con)]
        sheets = [*by_rule, *others]
        summary_at = wb.reserve("Summary")  # first, but written last: it lists the sheets cut
        if by_rule:
            keys = [f"{i['return']} {i['rule']}" for i in summary["by_rule"]]
            wb.add_split(con, by_rule, "\"return\" || ' ' || rule", keys)
        for sheet in others:
            wb.add_sql(con, sheet)
        rows, bold = _summary(summary, report, sheets, _about(by_rule, others))
        wb.add_rows("Summary", rows, bold, at=summary_at)
        named = _named(con) if audit else set()
        wb.close()
        return named
    except BaseException:
        wb.discard()
        raise
    finally:
        con.close()


def _named(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every child id the workbook shows: those of the issues and of the table sheets' rows."""
    children = {
        c
        for (c,) in con.execute(
            "SELECT DISTINCT child FROM issues WHERE child IS NOT NULL"
        ).fetchall()
    }
    for ret, year, table in _tables(con):
        spec = _by_name(ret)[table]
        col = next((c for c in CHILD_COLUMNS if c in spec.field_names), None)
        if col is not None:
            children.update(
                str(c)
                for (c,) in con.execute(
                    f"SELECT DISTINCT {q(raw_column(spec, col))} FROM {spec.store_name} "
                    f"WHERE collection_year = ? AND {q(raw_column(spec, col))} IS NOT NULL",
                    [year],
                ).fetchall()
            )
    return children


def _by_name(return_name: str) -> dict[str, TableSpec]:
    return (ssda903 if return_name == "ssda903" else cin).BY_NAME


def _about(by_rule: list[Sheet], others: list[Sheet]) -> list[list[object]]:
    """(sheets, what they hold) for the Summary, named by the first of each kind."""
    tables = others[1:]
    kinds = [(by_rule, HOLDS["rule"]), (others[:1], HOLDS["child"]), (tables, HOLDS["table"])]
    return [
        [sheets[0].name + (", ..." if len(sheets) > 1 else ""), holds]
        for sheets, holds in kinds
        if sheets
    ]


def _summary(
    s: dict, report: Report, sheets: list[Sheet], about: list[list[object]]
) -> tuple[list[list[object]], frozenset[int]]:
    rows: list[list[object]] = [
        ["Returns", ", ".join(f"{r['return']} {r['year']}" for r in s["returns"])],
        ["Issues", s["issues"]],
        ["Errors", s["by_severity"]["error"]],
        ["Queries", s["by_severity"]["query"]],
        ["Children affected", s["children_affected"]],
        ["Rules run", s["rules_run"]],
        ["Rules skipped", s["rules_skipped"]],
        ["Rules failed", s["rules_failed"]],
        ["Seconds", s["seconds"]],
    ]
    bold = set()
    rows += [[], ["Sheet", "What it holds"]]
    bold.add(len(rows))
    rows += about
    rows += [[], ["Return", "Rule", "Severity", "Issues", "Children", "Message"]]
    bold.add(len(rows))
    rows += [
        [i["return"], i["rule"], i["severity"], i["issues"], i["children"], i["message"]]
        for i in s["by_rule"]
    ]
    rows += [[], ["Return", "Year", "Rule", "Category", "Reason"]]
    bold.add(len(rows))
    rows += [[sk.return_, sk.year, sk.rule, sk.category, sk.reason] for sk in report.skipped]
    cut = [sh for sh in sheets if sh.truncated]
    if cut:
        rows += [[], ["Sheets cut at Excel's row limit", "Rows left out"]]
        bold.add(len(rows))
        rows += [[sh.name, sh.truncated] for sh in cut]
    return rows, frozenset(bold)


def _rule_sheets(summary: dict) -> list[Sheet]:
    out = []
    for item in summary["by_rule"]:
        ret, code = item["return"], item["rule"]
        out.append(
            Sheet(
                rule_sheet(ret, code),
                [
                    Column("table", 's."table"', code=True),
                    Column("file", "s.file", width=24),
                    Column("line", "s.line", number=True),
                    Column("child", "s.child"),
                    Column("fields", "array_to_string(s.fields, ', ')", code=True),
                    Column("values", _VALUES, width=40),
                ],
                "SELECT * FROM issues",  # cut by rule in one query (`Workbook.add_split`)
                order='"table", file, line',
                title=f"Rule {code} ({item['severity']}): {item['message']}",
            )
        )
    return out


def _by_child() -> Sheet:
    return Sheet(
        "By child",
        [
            Column("child", "s.child"),
            Column("return", 's."return"', code=True),
            Column("year", "s.year", number=True),
            Column("rule", "s.rule", code=True),
            Column("severity", "s.severity", code=True),
            Column("table", 's."table"', code=True),
            Column("line", "s.line", number=True),
            Column("message", "s.message", code=True),
        ],
        "SELECT * FROM issues",
        order='CAST(child AS VARCHAR) NULLS FIRST, "return", year, rule, "table", file, line',
    )


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str]]:
    return [
        (r, int(y), t)
        for r, y, t in con.execute(
            'SELECT DISTINCT "return", year, "table" FROM issues ORDER BY ALL'
        ).fetchall()
        if t in _by_name(r)
    ]


# Each row with issues, once: the rules it raised in report order (each once: a rule kept where
# it first comes), and the fields flagged by an error and by a query, which the table sheets
# highlight red and amber. One GROUP BY over the issues, shared by every table sheet.
_FLAGGED = """
    SELECT "return", year, "table", file, line,
           array_to_string(list_filter(rs, lambda x, i: list_position(rs, x) = i), ', ') AS rules,
           string_split(errors, ',') AS errors, string_split(queries, ',') AS queries
    FROM (
        SELECT "return", year, "table", file, line, list(rule ORDER BY k) AS rs,
               string_agg(nullif(array_to_string(fields, ','), ''), ',')
                   FILTER (WHERE severity = 'error') AS errors,
               string_agg(nullif(array_to_string(fields, ','), ''), ',')
                   FILTER (WHERE severity <> 'error') AS queries
        FROM (SELECT *, row_number() OVER () AS k FROM issues)
        GROUP BY ALL)"""


def _table_sheets(con: duckdb.DuckDBPyConnection) -> list[Sheet]:
    """Each table with issues, every row as written, the flagged cells highlighted."""
    tables = _tables(con)
    if tables:
        con.register("flagged", con.sql(_FLAGGED).to_arrow_table())
    out = []
    for ret, year, table in tables:
        spec = _by_name(ret)[table]
        names = list(spec.field_names)
        source = f"""
            SELECT t.source_file, t.source_line,
                   {", ".join(f"t.{q(raw_column(spec, f))} AS {q(f)}" for f in names)},
                   f.errors, f.queries, f.rules
            FROM {spec.store_name} t
            LEFT JOIN (
                SELECT * FROM flagged
                WHERE "return" = {lit(ret)} AND year = {year} AND "table" = {lit(table)}
            ) f ON f.file = t.source_file AND f.line = t.source_line
            WHERE t.collection_year = {year}"""
        columns = [Column("file", "s.source_file"), Column("line", "s.source_line", number=True)]
        columns += [
            Column(
                f,
                f"s.{q(f)}",
                style=f"CASE WHEN list_contains(s.errors, {lit(f)}) THEN 'error' "
                f"WHEN list_contains(s.queries, {lit(f)}) THEN 'query' END",
            )
            for f in names
        ]
        columns.append(Column("rules", "s.rules"))
        out.append(
            Sheet(
                table_sheet(ret, year, table),
                columns,
                source,
                order="source_file, source_line",
                freeze=(1, 2),
            )
        )
    return out
