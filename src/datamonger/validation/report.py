"""What validation found, as data: issues, rules skipped and rules that failed to run.

Issues are one Arrow table (`Report.table`, columns `ISSUE_SCHEMA`), never a Python object per
issue: the engine writes it from SQL, summaries are GROUP BYs over it, and the writers in
`datamonger.reports.validation` stream it to JSON, CSV, Parquet and Excel with DuckDB. A
returns's hundreds of thousands of issues cost what the rule queries cost.

Categories form a closed list (CATEGORIES) shared by the CLI exit code, JSON, CSV and Excel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

CATEGORIES: dict[str, str] = {
    "error": "a DfE validation error: the return will be rejected until it is fixed or bypassed",
    "query": "a DfE query: check the data, and explain it to the DfE if it is right",
    "skipped": "a rule that could not run without outside data (the reason says which)",
    "rule_failed": "a rule that raised while running: the run is incomplete (exit code 2)",
}

ISSUE_KEYS = (
    "rule",
    "severity",
    "return",
    "year",
    "table",
    "file",
    "line",
    "child",
    "fields",
    "values",
    "message",
)
ISSUE_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("severity", pa.string()),  # "error" | "query"
        ("return", pa.string()),
        ("year", pa.int32()),
        ("table", pa.string()),
        ("file", pa.string()),
        ("line", pa.int32()),
        ("child", pa.string()),
        ("fields", pa.list_(pa.string())),  # the rule's fields found in the row, in rule order
        ("values", pa.list_(pa.string())),  # each of those fields' value as written
        ("message", pa.string()),
    ]
)
# The SQL that casts a query's columns to ISSUE_SCHEMA's types, in its order.
ISSUE_COLUMNS = (
    'rule, severity, "return", CAST(year AS INTEGER) AS year, "table", file, '
    "CAST(line AS INTEGER) AS line, CAST(child AS VARCHAR) AS child, fields, "
    '"values", message'
)


def values_text_sql(sep: str, alias: str = "") -> str:
    """SQL: an issue's values as text, `FIELD=value` joined with `sep` (a blank value as '')."""
    f, v = f"{alias}fields", f'{alias}"values"'
    return (
        f"array_to_string(list_transform(range(1, len({f}) + 1), "
        f"lambda i: {f}[i] || '=' || coalesce({v}[i], '')), '{sep}')"
    )


def empty_issues() -> pa.Table:
    return ISSUE_SCHEMA.empty_table()


@dataclass(frozen=True, slots=True)
class Issue:
    """One issue as an object: for the CIN structure check's few issues and for tests. The
    pipeline itself never makes one per issue (`Report.table`)."""

    rule: str
    severity: str  # "error" | "query"
    return_: str
    year: int
    table: str
    file: str
    line: int
    child: str | None
    fields: tuple[str, ...]
    values: dict[str, str | None]  # field -> value as written
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "return": self.return_,
            "year": self.year,
            "table": self.table,
            "file": self.file,
            "line": self.line,
            "child": self.child,
            "fields": list(self.fields),
            "values": dict(self.values),
            "message": self.message,
        }


def issues_table(issues: list[Issue]) -> pa.Table:
    """A (small) list of issues as the issue table."""
    columns: dict[str, list[Any]] = {k: [] for k in ISSUE_KEYS}
    for i in issues:
        for k, v in i.to_dict().items():
            columns[k].append([v.get(f) for f in i.fields] if k == "values" else v)
    return pa.table(columns, schema=ISSUE_SCHEMA)


@dataclass(frozen=True, slots=True)
class Skipped:
    rule: str
    return_: str
    year: int
    reason: str
    category: str = "skipped"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "return": self.return_,
            "year": self.year,
            "category": self.category,
            "reason": self.reason,
        }


@cache
def _scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory database for reading issue tables: opening one per report costs 15 ms."""
    return duckdb.connect()


@contextmanager
def issues_sql(table: pa.Table) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of its own on which `table` is the view `issues` (a view registered on a
    connection is that connection's alone: threads and reports never meet)."""
    con = _scratch().cursor()
    try:
        con.register("issues", table)
        yield con
    finally:
        con.close()


# A child counts once per return; issues without a child count as one more "child", as a set
# of child ids holding None would (over groups of one child each).
_CHILDREN = "count(child) + (count(*) FILTER (WHERE child IS NULL) > 0)::INTEGER"


def _by_rule(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int, int]]:
    # children counted from (rule, child) groups: cheaper than count(DISTINCT) over the issues
    return [
        (r, c, s, int(n), int(k))
        for r, c, s, n, k in con.execute(
            f'SELECT "return", rule, severity, sum(n) AS n, {_CHILDREN} FROM ('
            'SELECT "return", rule, severity, child, count(*) AS n FROM issues GROUP BY ALL) '
            'GROUP BY ALL ORDER BY n DESC, "return", rule, severity'
        ).fetchall()
    ]


@dataclass
class Report:
    table: pa.Table = field(default_factory=empty_issues)  # ISSUE_SCHEMA, in report order
    skipped: list[Skipped] = field(default_factory=list)  # includes rule_failed entries
    rules_run: list[tuple[str, int, str]] = field(default_factory=list)  # (return, year, code)
    messages: dict[tuple[str, str], str] = field(default_factory=dict)  # (return, code) -> msg
    seconds: float = 0.0
    returns: list[tuple[str, int]] = field(default_factory=list)

    # --- combining and counting ---------------------------------------------------------------
    def extend(self, other: Report) -> None:
        if self.table.num_rows == 0:  # the first report joined: nothing to copy
            self.table = other.table
        elif other.table.num_rows:
            self.table = pa.concat_tables([self.table, other.table]).combine_chunks()
        self.skipped += other.skipped
        self.rules_run += other.rules_run
        self.messages.update(other.messages)
        self.seconds += other.seconds
        self.returns += other.returns

    @property
    def issues(self) -> list[Issue]:
        """The issues as objects. For tests and a handful of issues only: everything that can
        meet a whole report works on `table`."""
        return [
            Issue(
                d["rule"],
                d["severity"],
                d["return"],
                d["year"],
                d["table"],
                d["file"],
                d["line"],
                d["child"],
                tuple(d["fields"] or ()),
                dict(zip(d["fields"] or (), d["values"] or (), strict=True)),
                d["message"],
            )
            for d in self.table.to_pylist()
        ]

    @property
    def count(self) -> int:
        return self.table.num_rows

    @property
    def failed(self) -> list[Skipped]:
        return [s for s in self.skipped if s.category == "rule_failed"]

    @property
    def errors(self) -> int:
        return int(pc.sum(pc.equal(self.table["severity"], "error")).as_py() or 0)

    @property
    def exit_code(self) -> int:
        """2 when a rule failed (the run is incomplete), 1 when an error was found, else 0."""
        if self.failed:
            return 2
        return 1 if self.errors else 0

    def by_rule(self) -> list[tuple[str, str, str, int, int]]:
        """(return, rule, severity, issues, children) with the most frequent rules first."""
        with issues_sql(self.table) as con:
            return _by_rule(con)

    def summary(self) -> dict[str, Any]:
        with issues_sql(self.table) as con:
            # a (return, child) pair is a struct, never NULL: a missing child counts as one
            row = con.execute(
                "SELECT count(*) FILTER (WHERE severity = 'error'), "
                "count(*) FILTER (WHERE severity = 'query'), "
                'count(DISTINCT {"return": "return", child: child}) FROM issues'
            ).fetchone()
            by_rule = _by_rule(con)
        errors, queries, children = row if row else (0, 0, 0)
        return {
            "returns": [{"return": r, "year": y} for r, y in self.returns],
            "issues": self.count,
            "by_severity": {"error": int(errors), "query": int(queries)},
            "by_rule": [
                {
                    "return": r,
                    "rule": c,
                    "severity": s,
                    "issues": n,
                    "children": k,
                    "message": self.messages.get((r, c), ""),
                }
                for r, c, s, n, k in by_rule
            ],
            "rules_run": len(self.rules_run),
            "rules_skipped": sum(1 for s in self.skipped if s.category == "skipped"),
            "rules_failed": len(self.failed),
            "children_affected": int(children) if self.count else 0,
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
        }
