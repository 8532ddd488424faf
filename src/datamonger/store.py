"""The DuckDB database: the canonical tables of both returns, provenance, and the load log.

Every table row carries its collection year and provenance (`source_file`, `source_line`). Fields
that have a type (dates, numbers, booleans) are kept twice: typed under the DfE's name and exactly
as written under `<name>_raw`. Text fields (codes, identifiers) are kept as written.

Files are first staged in temporary tables; a return (one collection year of one return) is then
replaced in a single transaction, so the database never holds half a file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.returns import TableSpec, cin, ssda903

ALL_TABLES: tuple[TableSpec, ...] = ssda903.TABLES + cin.TABLES
BY_STORE_NAME: dict[str, TableSpec] = {t.store_name: t for t in ALL_TABLES}

_SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "int": "BIGINT", "bool": "BOOLEAN"}
_SQL_TYPES["datetime"] = "TIMESTAMP"


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def _columns(spec: TableSpec) -> list[tuple[str, str]]:
    cols = [("source_file", "VARCHAR"), ("source_line", "INTEGER")]
    cols += [(k, "INTEGER") for k in spec.keys]
    for f in spec.fields:
        cols.append((f.name, _SQL_TYPES[f.type]))
        if f.type != "text":
            cols.append((f"{f.name}_raw", "VARCHAR"))
    return cols


def _typed_expr(col: str, ftype: str, date_format: str) -> str:
    """SQL turning the raw text column `col` into its typed form; NULL when unreadable."""
    v = f"nullif(trim({q(col)}), '')"
    if ftype == "date":
        return f"try_strptime({v}, '{date_format}')::DATE"
    if ftype == "int":
        return f"TRY_CAST({v} AS BIGINT)"
    if ftype == "bool":
        return (
            f"CASE lower({v}) WHEN 'true' THEN true WHEN '1' THEN true "
            f"WHEN 'false' THEN false WHEN '0' THEN false END"
        )
    if ftype == "datetime":
        return f"TRY_CAST({v} AS TIMESTAMP)"
    return q(col)


@dataclass(frozen=True, slots=True)
class BadValue:
    file: str
    line: int
    table: str
    field: str
    ftype: str
    value: str


class Store:
    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = str(path)
        self.con = duckdb.connect(self.path, read_only=read_only)
        if not read_only:
            self._create_schema()
        self._staged: set[str] = set()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema -----------------------------------------------------------------------------
    def _create_schema(self) -> None:
        for spec in ALL_TABLES:
            cols = ", ".join(
                f"{q(n)} {t}" for n, t in [("collection_year", "INTEGER"), *_columns(spec)]
            )
            self.con.execute(f"CREATE TABLE IF NOT EXISTS {spec.store_name} ({cols})")
        self.con.execute(
            """CREATE TABLE IF NOT EXISTS returns_loaded (
                return_name VARCHAR, collection_year INTEGER, la VARCHAR,
                files VARCHAR[], loaded_at TIMESTAMP, rows_by_table JSON)"""
        )
        self.con.execute(
            """CREATE TABLE IF NOT EXISTS load_problems (
                loaded_at TIMESTAMP, severity VARCHAR, code VARCHAR, message VARCHAR,
                file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR, hint VARCHAR)"""
        )
        # One identity per child across returns and years (LAchildID in CIN = CHILD in SSDA903).
        self.con.execute(
            """CREATE OR REPLACE VIEW children AS
               SELECT child_id, list(DISTINCT return_name ORDER BY return_name) AS returns,
                      list(DISTINCT collection_year ORDER BY collection_year) AS years
               FROM (SELECT LAchildID AS child_id, 'cin' AS return_name, collection_year
                       FROM cin_children
                     UNION ALL
                     SELECT CHILD, 'ssda903', collection_year FROM ssda903_header)
               GROUP BY child_id"""
        )

    # --- staging ----------------------------------------------------------------------------
    @staticmethod
    def stage_name(spec: TableSpec, group: int) -> str:
        return f"stage_{group}_{spec.store_name}"

    def stage(
        self, spec: TableSpec, group: int, chunk: dict[str, list[Any]], date_format: str
    ) -> None:
        """Stage one chunk of raw rows (field -> values as written; keys; source_file/line)."""
        name = self.stage_name(spec, group)
        if name not in self._staged:
            cols = ", ".join(f"{q(n)} {t}" for n, t in _columns(spec))
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({cols})")
            self._staged.add(name)
        arrays: dict[str, pa.Array] = {
            "source_file": pa.array(chunk["source_file"], pa.string()),
            "source_line": pa.array(chunk["source_line"], pa.int32()),
        }
        for k in spec.keys:
            arrays[k] = pa.array(chunk[k], pa.int32())
        for f in spec.fields:
            arrays[f.name] = pa.array(
                chunk.get(f.name) or [None] * len(chunk["source_line"]), pa.string()
            )
        select = ["source_file", "source_line", *(q(k) for k in spec.keys)]
        for f in spec.fields:
            select.append(f"{_typed_expr(f.name, f.type, date_format)} AS {q(f.name)}")
            if f.type != "text":
                select.append(f"{q(f.name)} AS {q(f.name + '_raw')}")
        self.con.register("raw_chunk", pa.table(arrays))
        try:
            self.con.execute(f"INSERT INTO {name} SELECT {', '.join(select)} FROM raw_chunk")
        finally:
            self.con.unregister("raw_chunk")

    def drop_staged(self, group: int, file: str | None = None) -> None:
        """Forget what was staged for a group (or for one file of it)."""
        for name in [n for n in self._staged if n.startswith(f"stage_{group}_")]:
            if file is None:
                self.con.execute(f"DROP TABLE IF EXISTS {name}")
                self._staged.discard(name)
            else:
                self.con.execute(f"DELETE FROM {name} WHERE source_file = ?", [file])

    def move_staged(self, src: int, dst: int) -> None:
        """Append everything staged under group `src` to group `dst` (same tables), then drop src."""
        for name in sorted(n for n in self._staged if n.startswith(f"stage_{src}_")):
            spec = BY_STORE_NAME[name.split("_", 2)[2]]
            target = self.stage_name(spec, dst)
            if target in self._staged:
                self.con.execute(f"INSERT INTO {target} SELECT * FROM {name}")
                self.con.execute(f"DROP TABLE {name}")
            else:
                self.con.execute(f"ALTER TABLE {name} RENAME TO {target}")
                self._staged.add(target)
            self._staged.discard(name)

    def bad_values(self, group: int) -> list[BadValue]:
        """Values that were written but could not be read as their type (kept raw, flagged)."""
        parts = []
        for name in sorted(n for n in self._staged if n.startswith(f"stage_{group}_")):
            spec = BY_STORE_NAME[name.split("_", 2)[2]]
            for f in spec.typed():
                parts.append(
                    f"SELECT source_line, '{spec.name}' AS t, '{f.name}' AS f, '{f.type}' AS ty, "
                    f"{q(f.name + '_raw')} AS v, source_file FROM {name} "
                    f"WHERE {q(f.name)} IS NULL AND nullif(trim({q(f.name + '_raw')}), '') IS NOT NULL"
                )
        if not parts:
            return []
        rows = self.con.execute(
            " UNION ALL ".join(parts) + " ORDER BY source_file, source_line, t, f"
        ).fetchall()
        return [BadValue(file, line, t, f, ty, v) for line, t, f, ty, v, file in rows]

    def staged_rows(self, group: int) -> dict[str, int]:
        out = {}
        for name in sorted(n for n in self._staged if n.startswith(f"stage_{group}_")):
            row = self.con.execute(f"SELECT count(*) FROM {name}").fetchone()
            out[name.split("_", 2)[2]] = int(row[0]) if row else 0
        return out

    def staged_dates(self, group: int, spec: TableSpec, fields: Sequence[str]) -> list[dt.date]:
        name = self.stage_name(spec, group)
        if name not in self._staged:
            return []
        union = " UNION ALL ".join(f"SELECT {q(f)} AS d FROM {name}" for f in fields)
        return [
            r[0]
            for r in self.con.execute(f"SELECT d FROM ({union}) WHERE d IS NOT NULL").fetchall()
        ]

    # --- committing -------------------------------------------------------------------------
    def replace_return(
        self, return_name: str, year: int, group: int, files: Iterable[str], la: str | None
    ) -> tuple[dict[str, int], bool]:
        """Replace one collection year of one return with what the group staged, atomically.

        Returns the rows per table and whether an earlier load of that return and year was replaced.
        """
        specs = [t for t in ALL_TABLES if t.return_ == return_name]
        counts = self.staged_rows(group)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            before = con.execute(
                "SELECT count(*) FROM returns_loaded WHERE return_name = ? AND collection_year = ?",
                [return_name, year],
            ).fetchone()
            replaced = bool(before and before[0])
            for spec in specs:
                if replaced:
                    con.execute(f"DELETE FROM {spec.store_name} WHERE collection_year = ?", [year])
                name = self.stage_name(spec, group)
                if name in self._staged:
                    con.execute(f"INSERT INTO {spec.store_name} SELECT ?, * FROM {name}", [year])
            con.execute(
                "DELETE FROM returns_loaded WHERE return_name = ? AND collection_year = ?",
                [return_name, year],
            )
            con.execute(
                "INSERT INTO returns_loaded VALUES (?, ?, ?, ?, now(), ?)",
                [return_name, year, la, sorted(files), json.dumps(counts)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        self.drop_staged(group)
        return counts, replaced

    def log_problems(self, problems: Iterable[Any]) -> None:
        rows = [
            (p.severity.value, p.code, p.message, p.file, p.line, p.column, p.value, p.hint)
            for p in problems
        ]
        if rows:
            self.con.executemany(
                "INSERT INTO load_problems VALUES (now(), ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    # --- reading back -----------------------------------------------------------------------
    def returns(self) -> list[tuple[str, int, str | None]]:
        return [
            (r, int(y), la)
            for r, y, la in self.con.execute(
                "SELECT return_name, collection_year, la FROM returns_loaded ORDER BY 1, 2"
            ).fetchall()
        ]
