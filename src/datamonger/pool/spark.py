"""`--engine spark`: the pool's indicators on Apache Spark, from the same SQL as DuckDB's.

The indicator engine (`indicators.engine`, `indicators.prepare`, the catalogue) is handed a
connection that speaks to Spark instead of DuckDB: each statement it would run on DuckDB is
transpiled by sqlglot from the DuckDB dialect to Spark SQL and run there. No indicator is written
twice. sqlglot rather than an engine-neutral layer (Ibis, SQLAlchemy): the catalogue is SQL
already, reviewed as SQL, and `--explain` shows it; a transpiler keeps that one text and adds
only what the two dialects disagree on, listed here:

- DuckDB macros (`CREATE TEMP MACRO`) have no Spark form: their bodies are inlined at each call.
- `date - date` is a number of days in DuckDB and an interval in Spark: with the tables' types
  (read from Spark's catalogue) sqlglot types each expression, and such a subtraction becomes
  `datediff`.
- `isodow`, `len` of a list and `list_position` are mapped to `weekday + 1`, `size` and
  `array_position`; `list(DISTINCT ... ORDER BY ...)` to a sorted set.
- `CREATE TEMP TABLE x AS` becomes a cached temporary view.

Spark reads the pool's Parquet itself (`read`); DuckDB is not involved in a Spark run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from datamonger.indicators import engine
from datamonger.indicators.model import Period, Result, Settings
from datamonger.pool.errors import PoolError
from datamonger.pool.indicators import POOL, ScopedResult, finish_results, pool_population
from datamonger.pool.views import PoolDB, _columns, scope_sql
from datamonger.store import ALL_TABLES, lit

_MACRO = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?TEMP\s+MACRO\s+(\w+)\s*\(([^)]*)\)\s+AS\s+(.*)", re.S | re.I
)
_TABLE_AS = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP\s+(TABLE|VIEW)\s+(\w+)\s+AS\s+(.*)", re.S | re.I
)
_TABLE_COLS = re.compile(
    r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP\s+TABLE\s+(\w+)\s*\((.*)\)\s*$", re.S
)
_READ_PARQUET = re.compile(r"read_parquet\('([^']*)'\)")

_SPARK_TYPES = {
    "DateType": "DATE",
    "IntegerType": "INT",
    "LongType": "BIGINT",
    "StringType": "VARCHAR",
    "BooleanType": "BOOLEAN",
    "DoubleType": "DOUBLE",
    "TimestampType": "TIMESTAMP",
    "ShortType": "SMALLINT",
    "ByteType": "TINYINT",
    "FloatType": "FLOAT",
}


def session(master: str = "local[2]") -> Any:
    """A Spark session for the pool (the UI off: nothing listens on a port)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise PoolError(
            "--engine spark needs pyspark: install Datamonger with its `spark` extra"
        ) from None
    return (
        SparkSession.builder.master(master)
        .appName("datamonger-pool")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")  # NULL, as DuckDB's try_ and / do
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        # Spark 4.3 leaves one catalogue query (CPP reviews on time) unresolved after this rule.
        .config(
            "spark.sql.optimizer.excludedRules",
            "org.apache.spark.sql.catalyst.optimizer.RemoveRedundantAliases",
        )
        .getOrCreate()
    )


class _Rows:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


def _literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool | int | float):
        return str(v)
    return lit(str(v))


class SparkConnection:
    """What the indicator engine asks of a DuckDB connection (`execute`, `fetchone`, `fetchall`),
    answered by Spark."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self.macros: dict[str, tuple[list[str], Any]] = {}
        self._cached: dict[str, Any] = {}

    # --- statements ---------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> _Rows:
        for v in params or ():
            sql = sql.replace("?", _literal(v), 1)
        m = _MACRO.match(sql.strip())
        if m:
            names = [a.strip() for a in m.group(2).split(",") if a.strip()]
            self.macros[m.group(1).lower()] = (names, sqlglot.parse_one(m.group(3), read="duckdb"))
            return _Rows([])
        m = _TABLE_AS.match(sql)
        if m:
            self._view(m.group(2), self.translate(m.group(3)), cache=m.group(1).upper() == "TABLE")
            return _Rows([])
        m = _TABLE_COLS.match(sql)
        if m:
            pairs = [t.strip().split()[:2] for t in m.group(2).split(",")]
            cols = ", ".join(
                f"CAST(NULL AS {'STRING' if t.upper() == 'VARCHAR' else t}) AS {n}"
                for n, t in pairs
            )
            self._view(m.group(1), f"SELECT {cols} WHERE false", cache=False)
            return _Rows([])
        try:
            rows = self.spark.sql(self.translate(sql)).collect()
        except Exception as exc:
            # The engine tells "no such table" (e.g. no load log in a pool) by DuckDB's error.
            if "TABLE_OR_VIEW_NOT_FOUND" in str(exc):
                raise duckdb.CatalogException(str(exc).splitlines()[0]) from None
            raise
        return _Rows([tuple(r) for r in rows])

    def _view(self, name: str, sql: str, cache: bool) -> None:
        old = self._cached.pop(name, None)
        df = self.spark.sql(sql)
        if cache:  # a TEMP TABLE is computed once, as in DuckDB (and ties broken once)
            df = df.localCheckpoint(eager=True)
            self._cached[name] = df
        df.createOrReplaceTempView(name)
        if old is not None:
            old.unpersist()

    # --- translation --------------------------------------------------------------------------
    def translate(self, sql: str) -> str:
        for path in _READ_PARQUET.findall(sql):
            name = "parquet_" + str(abs(hash(path)))
            self.spark.read.parquet(path).createOrReplaceTempView(name)
            sql = sql.replace(f"read_parquet('{path}')", name)
        tree = sqlglot.parse_one(sql, read="duckdb")
        tree = self._inline(tree)
        tree = self._dates(tree)
        tree = tree.transform(_functions)
        return tree.sql(dialect="spark")

    def _inline(self, tree: Any) -> Any:
        for _ in range(10):  # macros call macros: inline until none is left
            found = False

            def expand(node: exp.Expression) -> exp.Expression:
                nonlocal found
                if isinstance(node, exp.Anonymous) and str(node.name).lower() in self.macros:
                    found = True
                    names, body = self.macros[str(node.name).lower()]
                    args = dict(zip(names, node.expressions, strict=True))

                    def sub(n: exp.Expression) -> exp.Expression:
                        if isinstance(n, exp.Column) and not n.table and n.name in args:
                            return exp.Paren(this=args[n.name].copy())
                        return n

                    return exp.Paren(this=body.copy().transform(sub))
                return node

            tree = tree.transform(expand)
            if not found:
                break
        return tree

    def _schema(self, tree: exp.Expression) -> dict[str, object]:
        out: dict[str, object] = {}
        for t in tree.find_all(exp.Table):
            name = t.name
            if not name or name in out or not self.spark.catalog.tableExists(name):
                continue
            out[name] = {
                f.name: _SPARK_TYPES.get(type(f.dataType).__name__, "VARCHAR")
                for f in self.spark.table(name).schema.fields
            }
        return out

    def _dates(self, tree: exp.Expression) -> exp.Expression:
        """`date - date` (days in DuckDB) becomes datediff: typed with the tables' schemas."""
        if not any(isinstance(n, exp.Sub) for n in tree.walk()):
            return tree
        schema = self._schema(tree)
        try:
            typed = annotate_types(
                qualify(
                    tree.copy(), schema=schema, dialect="duckdb", validate_qualify_columns=False
                ),
                schema=schema,
            )
        except Exception:
            typed = annotate_types(tree.copy(), schema=schema)

        def fix(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Sub) and _is_date(node.left) and _is_date(node.right):
                return exp.Anonymous(this="DATEDIFF", expressions=[node.left, node.right])
            return node

        return typed.transform(fix)


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod)


_PASS_THROUGH = (exp.Least, exp.Greatest, exp.Coalesce, exp.Max, exp.Min, exp.AnyValue, exp.Case)


def _is_date(node: Any) -> bool:
    """A date-valued operand: typed DATE, and not arithmetic (sqlglot types `int * (date - date)`
    as a date too, so only the innermost subtraction of two dates is a number of days). Where
    sqlglot leaves a `least`, `coalesce`, `max`... untyped (a correlated subquery among its
    arguments), it is a date when one of its arguments is."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast):
        return bool(node.to.this == exp.DataType.Type.DATE)
    if isinstance(node, _ARITHMETIC):
        return False
    if node.type is not None and node.type.this == exp.DataType.Type.DATE:
        return True
    unknown = node.type is None or node.type.this == exp.DataType.Type.UNKNOWN
    if unknown and isinstance(node, _PASS_THROUGH):
        args = [node.this, *node.expressions] if node.this is not None else node.expressions
        if isinstance(node, exp.Case):
            args = [i.args.get("true") for i in node.args.get("ifs", [])] + [
                node.args.get("default")
            ]
        return any(a is not None and _is_date(a) for a in args)
    return False


def _functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.DayOfWeekIso):
        return exp.Paren(
            this=exp.Add(
                this=exp.Anonymous(this="WEEKDAY", expressions=[node.this]),
                expression=exp.Literal.number(1),
            )
        )
    if isinstance(node, exp.Length) and isinstance(node.this, exp.ArrayFilter | exp.Array):
        return exp.Anonymous(this="SIZE", expressions=[node.this])
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="ARRAYS_OVERLAP", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and str(node.name).lower() == "list_position":
        return exp.Anonymous(this="ARRAY_POSITION", expressions=node.expressions)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        inner = node.this.this
        if isinstance(inner, exp.Distinct):
            return exp.Anonymous(
                this="ARRAY_SORT",
                expressions=[exp.Anonymous(this="COLLECT_SET", expressions=inner.expressions)],
            )
    return node


def read(spark: Any, pool: Path) -> None:
    """Every table of the pool as a Spark view `pool_<table>` (with `la`), as `views.PoolDB`."""
    for spec in ALL_TABLES:
        files = sorted(
            str(p)
            for p in (pool / f"return={spec.return_}").glob(
                f"year=*/la=*/{spec.store_name}.parquet"
            )
        )
        want = [*_columns(spec), ("la", "VARCHAR")]
        spark_type = {"VARCHAR": "STRING"}
        if not files:
            cols = ", ".join(f"CAST(NULL AS {spark_type.get(t, t)}) AS {n}" for n, t in want)
            spark.sql(f"SELECT {cols} WHERE false").createOrReplaceTempView(
                f"pool_{spec.store_name}"
            )
            continue
        df = spark.read.option("basePath", str(pool)).parquet(*files)
        have = set(df.columns)
        cols = ", ".join(
            f"CAST(`{n}` AS {spark_type.get(t, t)}) AS `{n}`"
            if n in have
            else f"CAST(NULL AS {spark_type.get(t, t)}) AS `{n}`"
            for n, t in want
        )
        df.createOrReplaceTempView(f"raw_{spec.store_name}")
        spark.sql(f"SELECT {cols} FROM raw_{spec.store_name}").localCheckpoint(
            eager=True
        ).createOrReplaceTempView(f"pool_{spec.store_name}")


def compute_pool_spark(
    db: PoolDB,
    period: Period,
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    spark: Any = None,
    las: Iterable[str] | None = None,
) -> list[ScopedResult]:
    """`compute_pool` on Spark: the same statements, transpiled; the same results."""
    spark = spark or session()
    read(spark, db.pool)
    con = SparkConnection(spark)
    out: list[ScopedResult] = []
    for scope in [*(las or db.las), None]:
        for sql in scope_sql(db.las, scope):
            con.execute(sql)
        chosen = engine.select(ids)
        ctx = engine.open_context(
            cast(Any, con), period, settings, scope, {i.return_ for i in chosen}
        )
        ctx.postcodes = False
        if scope is None:
            ctx.population = pool_population(db.las, period.population_year)
        results: list[Result] = [engine.compute_one(cast(Any, con), ind, ctx) for ind in chosen]
        finish_results(results, chosen, scope, len(db.las))
        out += [ScopedResult(scope or POOL, r) for r in results]
    return out
