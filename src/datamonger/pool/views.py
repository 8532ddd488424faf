"""The pool read as a store: the store's tables, with an `la` column, over the pooled Parquet.

`PoolDB` reads every table of the pool once into DuckDB (`pool_<table>`, with `la`), then
`scope(la)` puts views under the store's own table names (`cin_episodes`, `ssda903_header`...)
holding one LA, or the whole pool (`la=None`). The indicator engine then runs on them unchanged:
the same SQL for one LA's database and for the pool.

In the whole-pool scope a child who moved is one child (one pseudonym) across LAs, so a
re-referral in another LA is a re-referral. Record keys generated per return (CINdetailsID...)
and provenance (source_file) are made unique per LA there, so two LAs' records of one child
are never taken for versions of each other.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from datamonger.pool.errors import PoolError
from datamonger.pool.importer import read_pool
from datamonger.returns import TableSpec
from datamonger.store import _SQL_TYPES, ALL_TABLES, lit, q

KEY_STRIDE = 100_000  # generated keys of LA number n of the pool are offset by n x this


def _columns(spec: TableSpec) -> list[tuple[str, str]]:
    cols = [("collection_year", "INTEGER"), ("source_file", "VARCHAR"), ("source_line", "INTEGER")]
    cols += [(k, "INTEGER") for k in spec.keys]
    for f in spec.fields:
        cols.append((f.name, _SQL_TYPES[f.type]))
    return cols


class PoolDB:
    def __init__(self, pool: Path, con: duckdb.DuckDBPyConnection | None = None) -> None:
        doc = read_pool(pool)
        if not doc.get("las"):
            raise PoolError(f"{pool} holds no extracts: import some with `datamonger pool import`")
        self.pool = pool
        self.doc = doc
        self.las: list[str] = sorted(doc["las"])
        self.con = con or duckdb.connect()
        for spec in ALL_TABLES:
            self._read(spec)

    def _read(self, spec: TableSpec) -> None:
        files = sorted(
            (self.pool / f"return={spec.return_}").glob(f"year=*/la=*/{spec.store_name}.parquet")
        )
        want = [*_columns(spec), ("la", "VARCHAR")]
        if not files:
            cols = ", ".join(f"{q(n)} {t}" for n, t in want)
            self.con.execute(f"CREATE OR REPLACE TABLE pool_{spec.store_name} ({cols})")
            return
        paths = "[" + ", ".join(lit(str(p)) for p in files) + "]"
        src = (
            f"read_parquet({paths}, hive_partitioning = true, union_by_name = true, "
            "hive_types = {'la': 'VARCHAR', 'year': 'INTEGER'})"
        )
        have = {r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        # A field the policy dropped is NULL of its type: queries reading it see "not recorded".
        select = ", ".join(
            f"{q(n)}::{t} AS {q(n)}" if n in have else f"NULL::{t} AS {q(n)}" for n, t in want
        )
        self.con.execute(
            # Sorted by LA: DuckDB's min/max per row group then skips other LAs' rows.
            f"CREATE OR REPLACE TABLE pool_{spec.store_name} AS SELECT {select} FROM {src} "
            "ORDER BY la, collection_year"
        )

    def scope(self, la: str | None) -> None:
        """Views under the store's table names: one LA's rows, or every LA's (la=None)."""
        for sql in scope_sql(self.las, la):
            self.con.execute(sql)

    def years(self) -> list[int]:
        rows = self.con.execute(
            "SELECT DISTINCT collection_year FROM pool_cin_episodes UNION "
            "SELECT DISTINCT collection_year FROM pool_ssda903_episodes ORDER BY 1"
        ).fetchall()
        return [int(r[0]) for r in rows]

    def close(self) -> None:
        self.con.close()


def scope_sql(las: list[str], la: str | None) -> list[str]:
    """The statements putting one LA's rows (or the pool's) under the store's table names, over
    `pool_<table>`: run as they are by DuckDB, transpiled for Spark (`pool.spark`)."""
    if la is not None and la not in las:
        raise PoolError(f"LA {la} is not in the pool (it holds {', '.join(las)})")
    rank = "list_position(" + _list(las) + ", la)"
    out = []
    for spec in ALL_TABLES:
        names = [n for n, _ in _columns(spec)]
        if la is None:
            repl = {k: f"{q(k)} + {rank} * {KEY_STRIDE} AS {q(k)}" for k in spec.keys}
            repl["source_file"] = "la || '/' || source_file AS source_file"
            cols = ", ".join(repl.get(n, q(n)) for n in names)
            where = ""
        else:
            cols = ", ".join(q(n) for n in names)
            where = f" WHERE la = '{la}'"
        out.append(
            f"CREATE OR REPLACE TEMP VIEW {spec.store_name} AS "
            f"SELECT {cols} FROM pool_{spec.store_name}{where}"
        )
    return out


def _list(values: list[str]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"
