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

from datamonger.store import q
from datamonger.validation import registry
from datamonger.validation.report import ISSUE_COLUMNS, ISSUE_SCHEMA, empty_issues
from datamonger.validation.rule import Rule

_FOUND, _RULES, _FIELDS = "_dm_found", "_dm_rules", "_dm_rule_fields"


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
    tables = sorted(set(rows.column("table").to_pylist()))
    rank = {c: n for n, c in enumerate(sorted(by_code, key=registry.sort_key))}
    rules = pa.table(
        {
            "code": list(by_code),
            "severity": [r.severity for r in by_code.values()],
            "message": [r.message for r in by_code.values()],
            "rank": [rank[c] for c in by_code],
        }
    )
    fields: dict[str, list] = {"code": [], "table": [], "fields": []}
    selects = []
    for table in tables:
        columns = {r[0] for r in con.execute(f"DESCRIBE {q(table)}").fetchall()}
        names: dict[str, None] = {}
        for code, rule in by_code.items():
            present = [f for f in dict.fromkeys(rule.fields) if f + "_raw" in columns]
            if present:
                fields["code"].append(code)
                fields["table"].append(table)
                fields["fields"].append(present)
                names.update(dict.fromkeys(present))
        selects.append(_select(table, list(names), return_name, year))
    con.register(_FOUND, rows)
    con.register(_RULES, rules)
    con.register(_FIELDS, pa.table(fields, schema=_FIELDS_SCHEMA))
    try:
        sql = " UNION ALL ".join(f"({s})" for s in selects)
        return (
            con.sql(f'SELECT {ISSUE_COLUMNS} FROM ({sql}) ORDER BY rank, "table", file, line')
            .to_arrow_table()
            .cast(ISSUE_SCHEMA)
        )
    finally:
        for name in (_FOUND, _RULES, _FIELDS):
            con.unregister(name)


_FIELDS_SCHEMA = pa.schema(
    [("code", pa.string()), ("table", pa.string()), ("fields", pa.list_(pa.string()))]
)


def _select(table: str, names: list[str], return_name: str, year: int) -> str:
    """One table's issues: its failing rows, each with the rule's fields as written."""
    keys = ", ".join(f"'{n}'" for n in names)
    values = ", ".join(f"CAST(t.{q(n + '_raw')} AS VARCHAR)" for n in names)
    row_map = f"MAP([{keys}]::VARCHAR[], [{values}]::VARCHAR[])"
    table_lit = table.replace("'", "''")
    return f"""
        WITH d AS (
            SELECT rule, "table", source_file, source_line, min(child) AS child
            FROM {_FOUND} WHERE "table" = '{table_lit}'
            GROUP BY rule, "table", source_file, source_line
        ), v AS (
            SELECT t.source_file, t.source_line, first({row_map}) AS m
            FROM {q(table)} t
            SEMI JOIN (SELECT DISTINCT source_file, source_line FROM d) k
              ON k.source_file = t.source_file AND k.source_line = t.source_line
            GROUP BY t.source_file, t.source_line
        )
        SELECT d.rule, r.severity, '{return_name}' AS "return", {int(year)} AS year, d."table",
            d.source_file AS file, d.source_line AS line, d.child,
            CASE WHEN v.m IS NULL OR f.fields IS NULL THEN []::VARCHAR[] ELSE f.fields END
                AS fields,
            CASE WHEN v.m IS NULL OR f.fields IS NULL
                 THEN MAP([]::VARCHAR[], []::VARCHAR[])
                 ELSE map_from_entries(list_transform(f.fields, lambda x: {{'key': x, 'value': v.m[x]}}))
            END AS "values",
            r.message, r.rank
        FROM d JOIN {_RULES} r ON r.code = d.rule
        LEFT JOIN {_FIELDS} f ON f.code = d.rule AND f."table" = d."table"
        LEFT JOIN v ON v.source_file = d.source_file AND v.source_line = d.source_line"""
