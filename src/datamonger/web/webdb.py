"""The web app's own database (`X.web.duckdb`): users, sessions, throttling, targets, settings,
stored validation runs, and the audit log.

The audit table is append-only from the app: this module only ever INSERTs into it and SELECTs
from it (a test checks that no statement in the web package updates or deletes it).
Writes are serialised with one lock (DuckDB allows one writer; the app's writes are tiny);
reads use their own cursor.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.web.config import private_duckdb

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS users (
        username VARCHAR PRIMARY KEY, password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL,
        must_change BOOLEAN NOT NULL DEFAULT true, disabled BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL DEFAULT now(), password_changed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        id VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, csrf VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL, ip VARCHAR)""",
    "DROP TABLE IF EXISTS login_failures",  # before back-off: one row per failure
    # sign-in back-off: one row per user name (kind 'user') and per client address ('ip')
    """CREATE TABLE IF NOT EXISTS login_throttle (
        kind VARCHAR NOT NULL, key VARCHAR NOT NULL, failures INTEGER NOT NULL,
        throttled INTEGER NOT NULL DEFAULT 0, last_at TIMESTAMP NOT NULL,
        blocked_until TIMESTAMP, PRIMARY KEY (kind, key))""",
    # the child ids behind an audit row that names too many to hold in its detail
    """CREATE TABLE IF NOT EXISTS audit_children (
        ref VARCHAR PRIMARY KEY, children JSON NOT NULL, first_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS targets (
        indicator_id VARCHAR NOT NULL, target DOUBLE, set_by VARCHAR NOT NULL,
        set_at TIMESTAMP NOT NULL, note VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS settings (
        name VARCHAR PRIMARY KEY, value VARCHAR, set_by VARCHAR, set_at TIMESTAMP)""",
    """CREATE SEQUENCE IF NOT EXISTS audit_seq START 1""",
    """CREATE TABLE IF NOT EXISTS audit (
        id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'), happened_at TIMESTAMP NOT NULL,
        username VARCHAR, role VARCHAR, action VARCHAR NOT NULL, resource VARCHAR NOT NULL,
        detail VARCHAR, ip VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS validation_runs (
        return_name VARCHAR NOT NULL, collection_year INTEGER NOT NULL, run_at TIMESTAMP NOT NULL,
        data_loaded_at TIMESTAMP, rules_run INTEGER, seconds DOUBLE,
        skipped JSON, messages JSON, run_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS validation_issues (
        return_name VARCHAR NOT NULL, collection_year INTEGER NOT NULL, rule VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, "table" VARCHAR, file VARCHAR, line INTEGER, child VARCHAR,
        fields JSON, "values" JSON, message VARCHAR)""",
    # per rule (by_table false) and per rule and table: what the validation page shows, counted
    # once when a run is stored rather than over every issue at every request
    """CREATE TABLE IF NOT EXISTS validation_summary (
        return_name VARCHAR NOT NULL, collection_year INTEGER NOT NULL, rule VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, by_table BOOLEAN NOT NULL, "table" VARCHAR, message VARCHAR,
        issues BIGINT NOT NULL, children BIGINT NOT NULL, tables VARCHAR[])""",
]


def summary_sql(where: str, *, by_table: bool) -> str:
    """Issues and children per rule (and per table with `by_table`) of the issues `where`."""
    table = '"table"' if by_table else "NULL"
    group = ', "table"' if by_table else ""
    return f"""SELECT return_name, collection_year, rule, severity, {str(by_table).upper()} AS
               by_table, {table} AS "table", any_value(message) AS message, count(*) AS issues,
               count(DISTINCT child) AS children, list(DISTINCT "table" ORDER BY "table") AS tables
            FROM validation_issues WHERE {where}
            GROUP BY return_name, collection_year, rule, severity{group}"""


def summarise_issues(con: Any, where: str, params: list[Any]) -> None:
    """Keep the counts of the stored issues `where` in validation_summary."""
    con.execute(
        f"INSERT INTO validation_summary {summary_sql(where, by_table=False)} "
        f"UNION ALL {summary_sql(where, by_table=True)}",
        params * 2,
    )


class WebDB:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        private_duckdb(Path(path))  # password hashes, the audit log, child ids: 0600
        self.con = duckdb.connect(self.path)
        self.lock = threading.RLock()
        with self.lock:
            for stmt in SCHEMA:
                self.con.execute(stmt)
            # runs stored before validation_summary existed get their counts once
            self.con.execute("BEGIN TRANSACTION")
            summarise_issues(
                self.con,
                "(return_name, collection_year) NOT IN "
                "(SELECT (return_name, collection_year) FROM validation_summary)",
                [],
            )
            self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()

    # --- reads: a cursor of their own (DuckDB cursors may be used from other threads) -------
    def all(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        cur = self.con.cursor()
        try:
            rel = cur.execute(sql, params)
            cols = [d[0] for d in rel.description]
            return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]
        finally:
            cur.close()

    def arrow(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> pa.Table:
        """A whole result as Arrow, for results too big for a dict per row."""
        cur = self.con.cursor()
        try:
            return cur.sql(sql, params=list(params)).to_arrow_table()
        finally:
            cur.close()

    def one(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> dict[str, Any] | None:
        rows = self.all(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        cur = self.con.cursor()
        try:
            row = cur.execute(sql, params).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    # --- writes: one at a time ------------------------------------------------------------------
    def execute(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
        with self.lock:
            self.con.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.lock:
            self.con.execute("BEGIN")
            try:
                yield self.con
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            self.con.execute("COMMIT")
