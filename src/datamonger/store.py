"""The DuckDB database: the canonical tables of both returns, provenance, and the load log.

Every table row carries its collection year and provenance (`source_file`, `source_line`). Fields
that have a type (dates, numbers, booleans) are kept twice: typed under the DfE's name and exactly
as written under `<name>_raw`. Text fields (codes, identifiers) are kept as written.

Files are first staged in temporary tables; a return (one collection year of one return) is then
replaced in a single transaction, so the database never holds half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.returns import TableSpec, cin, ssda903

LOAD_MEMORY = "256MB"  # DuckDB's memory cap while loading into a file (it spills past it)
ALL_TABLES: tuple[TableSpec, ...] = ssda903.TABLES + cin.TABLES
BY_STORE_NAME: dict[str, TableSpec] = {t.store_name: t for t in ALL_TABLES}

_SQL_TYPES = {"text": "VARCHAR", "date": "DATE", "int": "BIGINT", "bool": "BOOLEAN"}
_SQL_TYPES["datetime"] = "TIMESTAMP"


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def _array(values: Any, type_: pa.DataType) -> pa.Array:
    """A staged column: a list from the row-by-row readers, or already an Arrow array."""
    if isinstance(values, pa.Array):
        return values if values.type == type_ else values.cast(type_)
    return pa.array(values, type_)


def _columns(spec: TableSpec) -> list[tuple[str, str]]:
    cols = [("source_file", "VARCHAR"), ("source_line", "INTEGER")]
    cols += [(k, "INTEGER") for k in spec.keys]
    for f in spec.fields:
        cols.append((f.name, _SQL_TYPES[f.type]))
        if f.type != "text":
            cols.append((f"{f.name}_raw", "VARCHAR"))
    return cols


# What a typed value must look like before it is read as its type. DuckDB's own parsers are more
# forgiving than the DfE's formats: `try_strptime('%d/%m/%Y')` takes 31/3/24 as the year 24 AD and
# `TRY_CAST(... AS BIGINT)` takes 12.7, 1e3, 0x10, 1_000 and .5. A value that does not have the
# DfE's shape is kept as written, its typed form is NULL, and it is reported at load.
_SHAPE = {
    "%d/%m/%Y": r"\d{1,2}/\d{1,2}/\d{4}",  # dd/mm/yyyy: always a four-digit year
    "%Y-%m-%d": r"\d{4}-\d{1,2}-\d{1,2}",  # xs:date
    "datetime": r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?",
    "int": r"[+-]?\d+",  # xs:integer: digits, an optional sign; nothing else
}


def _typed_expr(col: str, ftype: str, date_format: str) -> str:
    """SQL turning the raw text column `col` into its typed form; NULL when unreadable."""
    v = f"nullif(trim({q(col)}), '')"
    if ftype == "date":
        shape = _SHAPE.get(date_format)
        parsed = f"try_strptime({v}, '{date_format}')::DATE"
        if shape is None:
            return parsed
        return f"CASE WHEN regexp_full_match({v}, '{shape}') THEN {parsed} END"
    if ftype == "int":
        return (
            f"CASE WHEN regexp_full_match({v}, '{_SHAPE['int']}') THEN TRY_CAST({v} AS BIGINT) END"
        )
    if ftype == "bool":
        return (
            f"CASE lower({v}) WHEN 'true' THEN true WHEN '1' THEN true "
            f"WHEN 'false' THEN false WHEN '0' THEN false END"
        )
    if ftype == "datetime":
        return (
            f"CASE WHEN regexp_full_match({v}, '{_SHAPE['datetime']}') "
            f"THEN TRY_CAST({v} AS TIMESTAMP) END"
        )
    return q(col)


def _suggestion(v: str, ftype: str, date_format: str) -> str:
    """SQL: the date a two-digit year probably stands for (20yy), when it is a real date; else NULL."""
    if ftype == "date" and date_format == "%d/%m/%Y":
        pat, fmt = r"(\d{1,2})/(\d{1,2})/(\d{2})", "%d/%m/%Y"
        text = (
            f"lpad(regexp_extract({v}, '{pat}', 1), 2, '0') || '/' || "
            f"lpad(regexp_extract({v}, '{pat}', 2), 2, '0') || '/20' || "
            f"regexp_extract({v}, '{pat}', 3)"
        )
    elif ftype == "date":
        pat, fmt = r"(\d{2})-(\d{1,2})-(\d{1,2})", "%Y-%m-%d"
        text = (
            f"'20' || regexp_extract({v}, '{pat}', 1) || '-' || "
            f"lpad(regexp_extract({v}, '{pat}', 2), 2, '0') || '-' || "
            f"lpad(regexp_extract({v}, '{pat}', 3), 2, '0')"
        )
    elif ftype == "datetime":
        pat, fmt = r"(\d{2})-(\d{2})-(\d{2})([T ].*)?", ""
        text = f"'20' || {v}"
    else:
        return "NULL"
    check = f"try_strptime({text}, '{fmt}')" if fmt else f"TRY_CAST({text} AS TIMESTAMP)"
    return f"CASE WHEN regexp_full_match({v}, '{pat}') AND {check} IS NOT NULL THEN {text} END"


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# DuckDB warns on each call that a cursor's result is copied once more into Arrow: the trade
# `arrow_of` makes on purpose (calls from here only).
warnings.filterwarnings(
    "ignore", "Arrow output on a DB-API result", UserWarning, r"datamonger\.store"
)


def arrow_of(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """The rows of a long statement as Arrow. A relation (`con.sql`) binds its query before
    DuckDB binds it again to run it: 60 ms more for one of validation's 50 KB rule statements.
    A cursor's result costs one more copy of the rows, far less (a 3,600-child validate: median
    1.38 -> 1.32 s)."""
    return con.execute(sql).to_arrow_table()


class Store:
    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = str(path)
        self.con = duckdb.connect(self.path, read_only=read_only)
        if self.path == ":memory:":
            # A checkpoint of an in-memory database only recompresses it; at the default
            # threshold (16 MB) committing one year's return after another ran one, costing
            # more than the insert itself (0.14 s of a 20,000-child load).
            self.con.execute("SET checkpoint_threshold = '1TB'")
        if not read_only:
            self._create_schema()
        self._staged: set[str] = set()

    def view(self) -> Store:
        """This store's database through a connection of its own. Staged tables are temporary,
        so they belong to one connection: another thread can stage files on a view while this
        store stages others, and commit them through it."""
        other = Store.__new__(Store)
        other.path, other.con, other._staged = self.path, self.con.cursor(), set()
        return other

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def bounded_memory(self, limit: str = LOAD_MEMORY) -> Iterator[None]:
        """While loading into a database file, cap DuckDB's memory so staged tables spill to
        its temporary folder instead of growing with the rows (an in-memory database cannot)."""
        if self.path == ":memory:":
            yield
            return
        before = self.con.execute("SELECT current_setting('memory_limit')").fetchone()
        self.con.execute(f"SET memory_limit = '{limit}'")
        try:
            yield
        finally:
            self.con.execute(f"SET memory_limit = '{before[0] if before else '80%'}'")

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
        self, spec: TableSpec, group: int, chunk: dict[str, Any], date_format: str, file: str
    ) -> None:
        """Stage one chunk of `file`'s raw rows (field -> values as written, as lists or Arrow
        arrays; keys; source_line)."""
        name = self.stage_name(spec, group)
        if name not in self._staged:
            cols = ", ".join(f"{q(n)} {t}" for n, t in _columns(spec))
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({cols})")
            self._staged.add(name)
        n = len(chunk["source_line"])
        arrays: dict[str, pa.Array] = {"source_line": _array(chunk["source_line"], pa.int32())}
        for k in spec.keys:
            arrays[k] = _array(chunk[k], pa.int32())
        for f in spec.fields:
            values = chunk.get(f.name)
            arrays[f.name] = (
                pa.nulls(n, pa.string()) if values is None else _array(values, pa.string())
            )
        select = ["?::VARCHAR AS source_file", "source_line", *(q(k) for k in spec.keys)]
        for f in spec.fields:
            select.append(f"{_typed_expr(f.name, f.type, date_format)} AS {q(f.name)}")
            if f.type != "text":
                select.append(f"{q(f.name)} AS {q(f.name + '_raw')}")
        self.con.register("raw_chunk", pa.table(arrays))
        try:
            self.con.execute(
                f"INSERT INTO {name} SELECT {', '.join(select)} FROM raw_chunk", [file]
            )
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

    def stage_bad_values(self, group: int, describe: Mapping[str, tuple[str, str, str]]) -> None:
        """Every value written but unreadable as its type, as load problems, kept in SQL.

        `describe` maps a field type to (problem code, what the value should be, what to do).
        All of them go to the temporary table `staged_problems` (numbered per file in order of
        line) in one statement, never through Python one by one; `log_problems` stores them.
        Each field only selects its unreadable values; the messages are written once over them
        all (planning a message per field cost more than finding the values).
        """
        parts, kinds = [], set()
        for name in sorted(n for n in self._staged if n.startswith(f"stage_{group}_")):
            spec = BY_STORE_NAME[name.split("_", 2)[2]]
            fmt = cin.DATE_FORMAT if spec.return_ == "cin" else ssda903.DATE_FORMAT
            for pos, f in enumerate(spec.fields):
                if f.type == "text":
                    continue
                kinds.add((f.type, fmt))
                raw = q(f.name + "_raw")
                parts.append(
                    f"SELECT source_file AS file, source_line AS line, {lit(spec.name)} AS t, "
                    f"{pos} AS pos, {lit(f.name)} AS col, {raw} AS value, "
                    f"{lit(f.type)} AS ftype, {lit(fmt)} AS fmt "
                    f"FROM {name} WHERE {q(f.name)} IS NULL AND nullif(trim({raw}), '') IS NOT NULL"
                )
        self._create_staged_problems()
        if not parts:
            return
        guess = " ".join(
            f"WHEN ftype = {lit(t)} AND fmt = {lit(fmt)} THEN {_suggestion('trim(value)', t, fmt)}"
            for t, fmt in sorted(kinds)
        )
        by_type = {t: describe[t] for t, _ in kinds}
        code, what, hint = (
            "CASE ftype "
            + " ".join(f"WHEN {lit(t)} THEN {lit(d[i])}" for t, d in sorted(by_type.items()))
            + " END"
            for i in range(3)
        )
        self.con.execute(
            f"""INSERT INTO staged_problems
                SELECT {int(group)}, row_number() OVER (PARTITION BY file ORDER BY line, t, pos),
                       'warning', {code},
                       t || '.' || col || ' on line ' || line || ' is ' || chr(39) || value
                       || chr(39) || ', which ' || CASE WHEN guess IS NOT NULL
                       THEN 'has a two-digit year' ELSE 'cannot be read as ' || {what} END
                       || '; kept as written and flagged.',
                       file, line, col, value,
                       CASE WHEN guess IS NOT NULL THEN
                       'Years are written with four digits: did you mean ' || guess || '?'
                       ELSE {hint} END
                FROM (SELECT *, CASE {guess} END AS guess
                      FROM ({" UNION ALL ".join(parts)}))"""
        )

    def _create_staged_problems(self) -> None:
        self.con.execute(
            """CREATE TEMP TABLE IF NOT EXISTS staged_problems (
                grp INTEGER, n BIGINT, severity VARCHAR, code VARCHAR, message VARCHAR,
                file VARCHAR, line INTEGER, "column" VARCHAR, value VARCHAR, hint VARCHAR)"""
        )

    def stage_problems(self, group: int, tables: Sequence[pa.Table]) -> None:
        """Keep problems given as Arrow tables (the load_problems columns) until log_problems."""
        self._create_staged_problems()
        for table in tables:
            self.con.register("more_problems", table)
            try:
                self.con.execute(
                    f"""INSERT INTO staged_problems
                        SELECT {int(group)}, NULL, severity, code, message, file, line,
                               "column", value, hint
                        FROM more_problems"""
                )
            finally:
                self.con.unregister("more_problems")

    def first_bad_values(
        self, group: int, listed: int
    ) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, int, int]]]:
        """The first `listed` staged bad values of each file of the group (severity, code,
        message, file, line, column, value, hint), and per file and code the values past those:
        (file, code, how many, the first one's line)."""
        self._create_staged_problems()
        first = self.con.execute(
            """SELECT severity, code, message, file, line, "column", value, hint
               FROM staged_problems WHERE grp = ? AND n <= ? ORDER BY file, n""",
            [group, listed],
        ).fetchall()
        rest = self.con.execute(
            """SELECT file, code, count(*), min(line) FROM staged_problems
               WHERE grp = ? AND n > ? GROUP BY file, code ORDER BY file, code""",
            [group, listed],
        ).fetchall()
        return first, [(f, c, int(k), int(line)) for f, c, k, line in rest]

    def staged_rows(self, group: int) -> dict[str, int]:
        out = {}
        for name in sorted(n for n in self._staged if n.startswith(f"stage_{group}_")):
            row = self.con.execute(f"SELECT count(*) FROM {name}").fetchone()
            out[name.split("_", 2)[2]] = int(row[0]) if row else 0
        return out

    def staged_year_counts(
        self, group: int, spec: TableSpec, fields: Sequence[str], until: dt.date
    ) -> dict[int, int]:
        """How many of the staged dates in `fields` (up to `until`) fall in each collection year."""
        name = self.stage_name(spec, group)
        if name not in self._staged:
            return {}
        union = " UNION ALL ".join(f"SELECT {q(f)} AS d FROM {name}" for f in fields)
        got = self.con.execute(
            f"""SELECT CASE WHEN month(d) >= 4 THEN year(d) + 1 ELSE year(d) END AS y, count(*)
                FROM ({union}) WHERE d IS NOT NULL AND d <= ? GROUP BY y""",
            [until],
        ).fetchall()
        return {int(y): int(n) for y, n in got}

    # --- committing -------------------------------------------------------------------------
    def replace_return(
        self, return_name: str, year: int, group: int, files: Iterable[str], la: str | None
    ) -> tuple[dict[str, int], bool]:
        """Replace one collection year of one return with what the group staged, atomically.

        Returns the rows per table and whether an earlier load of that return and year was replaced.
        """
        ((counts, replaced),) = self.replace_returns([(return_name, year, group, files, la)])
        return counts, replaced

    def replace_returns(
        self, returns: Sequence[tuple[str, int, int, Iterable[str], str | None]]
    ) -> list[tuple[dict[str, int], bool]]:
        """Replace each (return, year) with what its group staged, all in one transaction: either
        every one is replaced or none is. Gives per return the rows per table and whether an
        earlier load of that return and year was replaced."""
        if not returns:
            return []
        out = []
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for return_name, year, group, files, la in returns:
                out.append(self._replace(return_name, year, group, files, la))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        for _, _, group, _, _ in returns:
            self.drop_staged(group)
        return out

    def _replace(
        self, return_name: str, year: int, group: int, files: Iterable[str], la: str | None
    ) -> tuple[dict[str, int], bool]:
        specs = [t for t in ALL_TABLES if t.return_ == return_name]
        counts = self.staged_rows(group)
        con = self.con
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
        return counts, replaced

    def log_problems(self, problems: Iterable[Any], skip: Iterable[int] = ()) -> None:
        """Keep every problem in `load_problems`, in bulk: the ones given (but those whose id()
        is in `skip`: staged already) and every value staged by `stage_bad_values`."""
        skipped = set(skip)
        names = ("severity", "code", "message", "file", "line", "column", "value", "hint")
        cols: dict[str, list[Any]] = {k: [] for k in names}
        for p in problems:
            if id(p) in skipped:
                continue
            cols["severity"].append(str(p.severity))
            for k in names[1:]:
                cols[k].append(getattr(p, k))
        table = pa.table(
            {k: pa.array(v, pa.int32() if k == "line" else pa.string()) for k, v in cols.items()}
        )
        self._create_staged_problems()
        self.con.register("new_problems", table)
        try:
            self.con.execute(
                """INSERT INTO load_problems
                   SELECT now(), severity, code, message, file, line, "column", value, hint
                   FROM new_problems"""
            )
            self.con.execute(
                """INSERT INTO load_problems
                   SELECT now(), severity, code, message, file, line, "column", value, hint
                   FROM staged_problems ORDER BY grp, file, n"""
            )
            self.con.execute("DELETE FROM staged_problems")
        finally:
            self.con.unregister("new_problems")

    # --- reading back -----------------------------------------------------------------------
    def returns(self) -> list[tuple[str, int, str | None]]:
        return [
            (r, int(y), la)
            for r, y, la in self.con.execute(
                "SELECT return_name, collection_year, la FROM returns_loaded ORDER BY 1, 2"
            ).fetchall()
        ]
