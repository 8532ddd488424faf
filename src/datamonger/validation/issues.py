"""From the rows the rule statements return to the issue table, in SQL.

The rule statements return (rule, table, source_file, source_line, child) as Arrow. Here those
rows meet the rules' severity and message and, for each table, the rule's fields as written in
the failing row, in one statement per table on the run's workspace: no Python object per issue.
The result has `report.ISSUE_SCHEMA`, in report order (rule as the DfE lists them, then table,
file and line), one issue per rule and row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from datamonger.store import arrow_of, lit, q
from datamonger.validation import registry
from datamonger.validation.report import ISSUE_COLUMNS, ISSUE_SCHEMA, empty_issues
from datamonger.validation.rule import Rule

_FOUND, _RULES, _DEDUPED = "_dm_found", "_dm_rules", "_dm_deduped"


def from_found(
    con: duckdb.DuckDBPyConnection,
    found: Sequence[pa.Table],
    by_code: Mapping[str, Rule],
    return_name: str,
    year: int,
) -> pa.Table:
    """The issue table of one run; `con` is a workspace cursor holding the prepared tables."""
    rows = pa.concat_tables(found, promote_options="permissive") if found else None
    if rows is None or rows.num_rows == 0:
        return empty_issues()
    rank = {c: n for n, c in enumerate(sorted(by_code, key=registry.sort_key))}
    rules = pa.table(
        {
            "code": list(by_code),
            "severity": [r.severity for r in by_code.values()],
            "message": [r.message for r in by_code.values()],
            "rank": [rank[c] for c in by_code],
        }
    )
    con.register(_FOUND, rows)
    con.register(_RULES, rules)
    try:  # each failing row once per rule (a rule may meet a row twice), in one scan
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE {_DEDUPED} AS SELECT rule, "table", source_file, '
            f"source_line, min(child) AS child FROM {_FOUND} GROUP BY ALL"
        )
        codes: dict[str, list[str]] = {}
        for table, code in con.execute(
            f'SELECT DISTINCT "table", rule FROM {_DEDUPED} ORDER BY ALL'
        ).fetchall():
            codes.setdefault(table, []).append(code)
        columns: dict[str, set[str]] = {}  # of the workspace's tables, in one query
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall():
            columns.setdefault(table, set()).add(column)
        selects = []
        for table, found_codes in codes.items():
            present = {
                code: [
                    f
                    for f in dict.fromkeys(by_code[code].fields)
                    if f + "_raw" in columns.get(table, ())
                ]
                for code in found_codes
            }
            selects.append(_select(table, present, return_name, year))
        sql = " UNION ALL ".join(f"({s})" for s in selects)
        ordered = f'SELECT {ISSUE_COLUMNS} FROM ({sql}) ORDER BY rank, "table", file, line'
        return arrow_of(con, ordered).cast(ISSUE_SCHEMA)
    finally:
        for name in (_FOUND, _RULES):
            con.unregister(name)
        con.execute(f"DROP TABLE IF EXISTS {_DEDUPED}")


def _raw(field: str) -> str:
    return f"CAST(t.{q(field + '_raw')} AS VARCHAR)"


def _select(table: str, present: dict[str, list[str]], return_name: str, year: int) -> str:
    """One table's issues: its failing rows, each with the rule's fields as written.

    The fields differ by rule, so they are one CASE over the rule, a list literal per rule: far
    cheaper than building a map per row.
    """
    with_fields = {c: f for c, f in present.items() if f}
    if with_fields:
        names = ", ".join(
            f"WHEN {lit(c)} THEN [{', '.join(lit(x) for x in f)}]" for c, f in with_fields.items()
        )
        values = ", ".join(
            f"WHEN {lit(c)} THEN [{', '.join(_raw(x) for x in f)}]" for c, f in with_fields.items()
        )
        fields_sql = f"CASE d.rule {names.replace(', WHEN', ' WHEN')} ELSE [] END"
        values_sql = f"CASE d.rule {values.replace(', WHEN', ' WHEN')} ELSE [] END"
    else:
        fields_sql = values_sql = "[]"
    return f"""
        WITH d AS (SELECT * FROM {_DEDUPED} WHERE "table" = {lit(table)})
        SELECT d.rule, r.severity, {lit(return_name)} AS "return", {int(year)} AS year,
            d."table", d.source_file AS file, d.source_line AS line, d.child,
            CASE WHEN t.source_line IS NULL THEN []::VARCHAR[] ELSE {fields_sql} END AS fields,
            CASE WHEN t.source_line IS NULL THEN []::VARCHAR[] ELSE {values_sql} END AS "values",
            r.message, r.rank
        FROM d JOIN {_RULES} r ON r.code = d.rule
        LEFT JOIN (
            SELECT DISTINCT ON (source_file, source_line) * FROM {q(table)}
            WHERE (source_file, source_line) IN (SELECT (source_file, source_line) FROM d)
        ) t ON t.source_file = d.source_file AND t.source_line = d.source_line"""
