"""The tables rules read: one return and year of the store, normalised as the DfE validator sees it.

Each DfE table becomes a table named as the DfE names it (`Episodes`; last year's as
`Episodes_last`) in the run's `Workspace` (an in-memory catalog of its own) holding, per field, `F`
(text upper-cased and trimmed, NULL when blank; typed fields typed) and `F_raw` (exactly as
written). SSDA903 Episodes gains the derived PL_LA, PL_LOCATION and PL_DISTANCE (from the ONS
postcode directory) and `seq`; Header's UASC is the XML return's flag where the file gave one, else
'1' when the child has a UASC row (the CSV way); `UASC_raw` stays what the file wrote (nothing, for
a CSV return).
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import duckdb

from datamonger import la_codes
from datamonger.returns import TableSpec, cin, ssda903
from datamonger.store import lit, q

MACROS = (
    "CREATE OR REPLACE TEMP MACRO blank(x) AS (nullif(trim(CAST(x AS VARCHAR)), '') IS NULL)",
    "CREATE OR REPLACE TEMP MACRO age(dob, day) AS (date_sub('year', dob, day))",
    # ONSPD form: upper case, no spaces, then one space before the last three characters
    "CREATE OR REPLACE TEMP MACRO pc(x) AS (CASE WHEN length(replace(upper(trim(x)), ' ', '')) "
    "BETWEEN 5 AND 7 THEN left(replace(upper(trim(x)), ' ', ''), "
    "length(replace(upper(trim(x)), ' ', '')) - 3) || ' ' || right(replace(upper(trim(x)), ' ', ''), 3) END)",
)


class Workspace:
    """A private in-memory catalog holding one validation run's prepared tables.

    Rules name their tables unqualified (`"Episodes"`, `providers`), so the tables live in an
    in-memory catalog attached under a name unique to the run (runs in parallel on one database
    never meet) and detached when the run ends, which frees their memory. `cursor()` gives a
    connection of the same database whose default catalog is the workspace, with the macros:
    cursors run in parallel threads. `base` reads the store (its default catalog); the caller's
    connection is not used for anything, so its own default catalog is left as it was.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self.base = con.cursor()
        self.name = "dm_validation_" + uuid.uuid4().hex
        try:
            row = self.base.execute("SELECT current_database()").fetchone()
            assert row is not None
            self.store: str = row[0]  # the catalog holding the store's tables
            # READ_WRITE: a read-only store would otherwise refuse an in-memory database
            self.base.execute(f"ATTACH ':memory:' AS {self.name} (READ_WRITE)")
        except BaseException:
            self.base.close()
            raise

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        self._cursors.append(cur)
        cur.execute(f"USE {self.name}")
        for m in MACROS:
            cur.execute(m)
        return cur

    def close(self) -> None:
        for cur in self._cursors:
            cur.close()
        self._cursors.clear()
        try:
            self.base.execute(f"DETACH DATABASE IF EXISTS {self.name}")
        finally:
            self.base.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def postcodes_path() -> Path:
    return Path(str(resources.files("datamonger").joinpath("data", "postcodes")))


POSTCODES = postcodes_path() / "onspd_postcodes.parquet"
# A normalised postcode's bytes as one number (its `postcode_key` in POSTCODES): the lookup
# joins 8-byte integers instead of decoding and hashing 2.7 million strings (75 ms -> 30 ms).
# NULL past 8 bytes, where the directory has no postcode either.
POSTCODE_KEY = "TRY_CAST('0x' || hex({}) AS UBIGINT)"


def ons_la(code: str | None) -> str | None:
    """The LA as the ONS postcode directory writes it (E09000033), from an ONS code or the DfE
    number (213): what placement postcodes' LAs are compared with (`la_codes`)."""
    return la_codes.directory(code)


def specs(return_name: str) -> tuple[TableSpec, ...]:
    return ssda903.TABLES if return_name == "ssda903" else cin.TABLES


def _child_col(spec: TableSpec) -> str | None:
    names = spec.field_names
    return "CHILD" if "CHILD" in names else "LAchildID" if "LAchildID" in names else None


def _select(spec: TableSpec, year: int, store: str) -> str:
    cols = ["source_file", "source_line", *(q(k) for k in spec.keys)]
    for f in spec.fields:
        if f.type == "text":
            cols.append(f"nullif(upper(trim({q(f.name)})), '') AS {q(f.name)}")
            cols.append(f"{q(f.name)} AS {q(f.name + '_raw')}")
        else:
            cols += [q(f.name), q(f.name + "_raw")]
    child = _child_col(spec)
    if child and child != "CHILD":
        cols.append(f"nullif(upper(trim({q(child)})), '') AS CHILD")
        cols.append(f"{q(child)} AS CHILD_raw")
    elif not child:
        cols += ["NULL::VARCHAR AS CHILD", "NULL::VARCHAR AS CHILD_raw"]
    source = f"{q(store)}.main.{spec.store_name}"
    return f"SELECT {', '.join(cols)} FROM {source} WHERE collection_year = {int(year)}"


# A step of preparing: (the table it makes, the tables it needs, what makes it on a cursor).
Step = tuple[str, frozenset[str], Callable[[duckdb.DuckDBPyConnection], object]]


def prepare(
    con: duckdb.DuckDBPyConnection,
    return_name: str,
    year: int,
    *,
    postcodes: Path | None,
    la: str | None,
    store: str,
    only: set[str] | None = None,
    more: Sequence[duckdb.DuckDBPyConnection] = (),
) -> None:
    """Create the tables the rules read on `con`, a `Workspace` cursor, from the store's tables
    in catalog `store` (`Workspace.store`); `only` names the ones needed (`needed`), else all.
    With `more` cursors of the workspace, the steps run in as many threads, each as soon as
    the tables it reads are made (the postcode lookup and the episodes take as long as all the
    rest)."""
    if only is not None and return_name == "ssda903":
        only = only | {"UASC" + s for s in ("", "_last") if "Header" + s in only}
    steps: list[Step] = []
    for suffix, y in (("", year), ("_last", year - 1)):
        for spec in specs(return_name):
            if only is not None and spec.name + suffix not in only:
                continue
            name = spec.name + suffix
            if return_name == "ssda903" and spec.name in ("Episodes", "Header"):
                name += "_base"
            sql = f"CREATE OR REPLACE TABLE {q(name)} AS {_select(spec, y, store)}"
            steps.append((name, frozenset(), _statement(sql)))
    if return_name == "ssda903":  # the episodes' chain first: it is the longest
        lookup, episodes, headers = _steps_903(postcodes, la, only, year, store)
        first = [s for s in steps if s[0].startswith("Episodes")]
        steps = [lookup, *first, *episodes, *(s for s in steps if s not in first), *headers]
    _run_steps([con, *more], steps)


def _statement(sql: str) -> Callable[[duckdb.DuckDBPyConnection], object]:
    return lambda cur: cur.execute(sql)


def _run_steps(cursors: Sequence[duckdb.DuckDBPyConnection], steps: Sequence[Step]) -> None:
    """Every step once, in order, on `cursors` in parallel threads: a free cursor takes the
    first step whose tables are made. A step that raises stops the others from starting."""
    if len(cursors) == 1:
        for _, _, make in steps:
            make(cursors[0])
        return
    waiting = list(steps)
    made: set[str] = set()
    running = [0]
    failed: list[BaseException] = []
    ready = threading.Condition()

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        while True:
            with ready:
                while True:
                    if failed or not waiting:
                        return
                    step = next((s for s in waiting if s[1] <= made), None)
                    if step is not None:
                        waiting.remove(step)
                        running[0] += 1
                        break
                    if not running[0]:  # nothing will ever make what they need
                        failed.append(RuntimeError(f"no step makes what {waiting[0][0]} needs"))
                        ready.notify_all()
                        return
                    ready.wait()
            try:
                step[2](cur)
            except BaseException as exc:
                failed.append(exc)
            with ready:
                made.add(step[0])
                running[0] -= 1
                ready.notify_all()

    with ThreadPoolExecutor(len(cursors), thread_name_prefix="prepare") as pool:
        list(pool.map(work, cursors))
    if failed:
        raise failed[0]


def needed(return_name: str, sql: str) -> set[str]:
    """The tables (`Episodes`, `Episodes_last`, ...) that rule SQL names. A word that is also
    a column name (`UASC`) only adds a table: never one too few."""
    words = set(re.findall(r"[A-Za-z0-9_]+", sql))
    return {t.name + s for t in specs(return_name) for s in ("", "_last") if t.name + s in words}


def _steps_903(
    postcodes: Path | None, la: str | None, only: set[str] | None, year: int, store: str
) -> tuple[Step, list[Step], list[Step]]:
    """The steps making the postcode lookup, Episodes and Header. The lookup reads the
    postcodes from the store, so it runs while the episodes are copied."""
    suffixes = [x for x in ("", "_last") if only is None or "Episodes" + x in only]
    years = ", ".join(str(year - (x == "_last")) for x in suffixes)
    used = (
        " UNION ".join(
            f"SELECT pc({c}) AS postcode FROM {q(store)}.main.{ssda903.BY_NAME['Episodes'].store_name} "
            f"WHERE collection_year IN ({years})"
            for c in ("HOME_POST", "PL_POST")
        )
        if suffixes
        else ""
    )

    def lookup(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute(
            "CREATE OR REPLACE TABLE _used_postcodes AS SELECT "
            f"{POSTCODE_KEY.format('postcode')} AS postcode_key FROM ("
            f"{used or 'SELECT NULL::VARCHAR AS postcode'}) WHERE postcode IS NOT NULL"
        )
        ((n,),) = cur.execute("SELECT count(*) FROM _used_postcodes").fetchall()
        if postcodes is not None and n:
            path = str(postcodes).replace("'", "''")
            source = f"read_parquet('{path}')"
            columns = {r[0] for r in cur.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            key = "postcode_key"
            if key not in columns:  # a directory of another make: keyed as it is read
                key = POSTCODE_KEY.format("postcode")
            # Only the postcodes the return uses: a semi-join keeps the 2.7M-row file out of
            # memory. A postcode the directory lists without a location (no grid reference:
            # Channel Islands, Isle of Man, some large-user and terminated codes) is not known:
            # it gives no LA, location or distance, and rules 392c/179/392a report it.
            cur.execute(
                f"CREATE OR REPLACE TABLE _postcodes AS SELECT {key} AS postcode_key, easting, "
                f"northing, utla_code, country FROM {source} "
                f"WHERE {key} IN (SELECT postcode_key FROM _used_postcodes) "
                "AND easting IS NOT NULL AND northing IS NOT NULL"
            )
        else:  # no directory, or no postcode to look up (scanning the file would find nothing)
            cur.execute(
                "CREATE OR REPLACE TABLE _postcodes (postcode_key UBIGINT, easting INTEGER, "
                "northing INTEGER, utla_code VARCHAR, country VARCHAR)"
            )

    steps: list[Step] = []
    headers: list[Step] = []
    la_sql = "NULL" if la is None else lit(la)
    home_key, placement_key = (POSTCODE_KEY.format(f"pc(e.{c})") for c in ("HOME_POST", "PL_POST"))
    for suffix in ("", "_last"):
        if suffix in suffixes:
            # PL_LA: upper-tier LA of the placement; SCO / WAL / NIR outside England (as the DfE's
            # validator writes them). PL_DISTANCE: straight line between OS grid points in miles,
            # 1 dp, never across the Irish and British grids.
            episodes = f"""CREATE OR REPLACE TABLE "Episodes{suffix}" AS
                SELECT *, PL_LA AS PL_LA_raw, PL_LOCATION AS PL_LOCATION_raw,
                       CAST(PL_DISTANCE AS VARCHAR) AS PL_DISTANCE_raw FROM (
                SELECT e.*,
                  row_number() OVER (PARTITION BY e.CHILD ORDER BY e.DECOM NULLS LAST,
                                     e.source_file, e.source_line) AS seq,
                  CASE pl.country WHEN 'England' THEN pl.utla_code WHEN 'Scotland' THEN 'SCO'
                       WHEN 'Wales' THEN 'WAL' WHEN 'Northern Ireland' THEN 'NIR' END AS PL_LA,
                  CASE WHEN pl.postcode_key IS NULL OR {la_sql} IS NULL THEN NULL
                       WHEN pl.utla_code = {la_sql} THEN 'IN' ELSE 'OUT' END AS PL_LOCATION,
                  CASE WHEN (hp.country = 'Northern Ireland') = (pl.country = 'Northern Ireland')
                       THEN round(sqrt((hp.easting - pl.easting)::DOUBLE ** 2
                                     + (hp.northing - pl.northing)::DOUBLE ** 2) / 1000 / 1.6093, 1)
                       END AS PL_DISTANCE,
                  hp.postcode_key IS NOT NULL AS HOME_POST_known,
                  pl.postcode_key IS NOT NULL AS PL_POST_known
                FROM "Episodes{suffix}_base" e
                LEFT JOIN _postcodes hp ON hp.postcode_key = {home_key}
                LEFT JOIN _postcodes pl ON pl.postcode_key = {placement_key})"""
            steps.append(
                (
                    f"Episodes{suffix}",
                    frozenset({"_postcodes", f"Episodes{suffix}_base"}),
                    _statement(episodes),
                )
            )
        if only is not None and "Header" + suffix not in only:
            continue
        header = f"""CREATE OR REPLACE TABLE "Header{suffix}" AS
            SELECT h.* EXCLUDE (UASC),
                   coalesce(h.UASC, CASE WHEN h.CHILD IN (SELECT CHILD FROM "UASC{suffix}")
                                         THEN '1' ELSE '0' END) AS UASC
            FROM "Header{suffix}_base" h"""
        needs = frozenset({f"Header{suffix}_base", f"UASC{suffix}"})
        headers.append((f"Header{suffix}", needs, _statement(header)))
    return ("_postcodes", frozenset(), lookup), steps, headers


def year_present(con: duckdb.DuckDBPyConnection, return_name: str, year: int) -> bool:
    for spec in specs(return_name):
        row = con.execute(
            f"SELECT 1 FROM {spec.store_name} WHERE collection_year = ? LIMIT 1", [year]
        ).fetchone()
        if row:
            return True
    return False
