"""The published figures as one queryable store: shipped files (cached) merged with the analyst's imports.

Merge rule: an imported file's rows replace the shipped rows of the same measure and year; other
years of that measure, and other measures, stay as shipped. Between two imports the later one wins the
same way. Imported neighbour models replace the shipped model of the same name; an imported data
dictionary replaces the shipped description of the measures it lists.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from datamonger.benchmarks import loaders
from datamonger.benchmarks.paths import cache_dir, default_reference_db, published_dir

# Bump when the cache's shape or the loaders' reading of a file changes.
CACHE_VERSION = "4"


def shipped_files() -> list[tuple[Path, str]]:
    """The package's published files, in load order: the dictionary before the store it describes."""
    root = published_dir()
    files = [(root / "lait" / "lait_data_dictionary.csv.gz", "lait_dictionary")]
    files.append((root / "lait" / "bds_long_0.parquet", "lait"))
    files += [(p, "ees") for p in sorted((root / "ees").glob("*.csv.gz"))]
    files.append((root / "neighbours" / "sn_model_2025_wide.csv", "sn2025"))
    files.append(
        (root / "neighbours" / "New_Statistical_Neighbour_Groupings_April_2021.csv", "sn2021")
    )
    return files


def _fingerprint() -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in sorted(published_dir().rglob("*")):
        # curated/ is read afresh on every connection, so editing it needs no rebuild
        if path.is_file() and path.parent.name != "curated":
            stat = path.stat()
            digest.update(
                f"{path.relative_to(published_dir())}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
    return digest.hexdigest()[:16]


def _build(target: Path, files: Iterable[tuple[Path, str]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.stem, suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        con = duckdb.connect(str(tmp))
        loaders.ensure_schema(con)
        for path, kind in files:
            loaders.load(con, path, kind)
        # Sorted by measure and year so the per-year scans read few blocks.
        con.execute("create table obs_sorted as select * from obs order by measure, year, area")
        con.execute("drop table obs")
        con.execute("alter table obs_sorted rename to obs")
        con.close()
        os.replace(
            tmp, target
        )  # atomic: a concurrent reader sees the old cache or the whole new one
    finally:
        tmp.unlink(missing_ok=True)


def shipped_cache() -> Path:
    """The cache of the shipped files, built on first use (about 3 s) and reused while they are unchanged."""
    target = cache_dir() / f"published-{_fingerprint()}.duckdb"
    if not target.exists():
        _build(target, shipped_files())
    return target


@dataclass(frozen=True)
class ImportReport:
    file: str
    kind: str
    rows: int
    measures: int
    years: list[int]
    skipped: list[str]
    database: str

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


IMPORT_LOG = """create table if not exists imports (
    file varchar, path varchar, kind varchar, sha256 varchar, imported_at timestamp,
    rows bigint, measures bigint, years varchar)"""


def import_files(paths: list[Path], database: Path | None = None) -> list[ImportReport]:
    """Load newer published files into the analyst's reference database (never into the package)."""
    database = database or default_reference_db()
    database.parent.mkdir(parents=True, exist_ok=True)
    kinds = [(p, loaders.detect(p)) for p in paths]  # refuse before writing anything
    # Dictionary first so a store imported with it picks up the new measure names.
    kinds.sort(key=lambda pk: pk[1] != "lait_dictionary")
    reports = []
    con = duckdb.connect(str(database))
    try:
        loaders.ensure_schema(con)
        con.execute(IMPORT_LOG)
        for path, kind in kinds:
            loaded = loaders.load(con, path, kind)
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            con.execute(
                "insert into imports values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    path.name,
                    str(path.resolve()),
                    kind,
                    sha,
                    datetime.now(UTC).replace(tzinfo=None),
                    loaded.rows,
                    len(loaded.measures),
                    ",".join(str(y) for y in sorted(loaded.years)),
                ],
            )
            reports.append(
                ImportReport(
                    path.name,
                    kind,
                    loaded.rows,
                    len(loaded.measures),
                    sorted(loaded.years),
                    loaded.skipped,
                    str(database),
                )
            )
    finally:
        con.close()
    return reports


def imports_log(database: Path | None = None) -> list[dict[str, object]]:
    database = database or default_reference_db()
    if not database.exists():
        return []
    con = duckdb.connect(str(database), read_only=True)
    try:
        rel = con.execute(
            "select file, kind, sha256, imported_at, rows, measures, years from imports order by imported_at"
        )
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]
    finally:
        con.close()


_CSV = "all_varchar=true, header=true, quote='\"'"


def _curated(name: str) -> str:
    return str(published_dir() / "curated" / name)


def connect(reference_db: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose views `obs`, `measures`, `areas`, `neighbours` are the merged store."""
    con = duckdb.connect()
    con.execute(f"attach '{shipped_cache()}' as shipped (read_only)")
    database = reference_db or default_reference_db()
    if database.exists():
        con.execute(f"attach '{database}' as imported (read_only)")
        con.execute(
            """create temp table obs_base as
            select * from imported.obs
            union all
            select s.* from shipped.obs s
            anti join (select distinct measure, year from imported.obs) i using (measure, year)"""
        )
        con.execute(
            """create temp view measures_base as
            select * from imported.measures
            union all select * from shipped.measures
            where key not in (select key from imported.measures)"""
        )
        con.execute(
            """create temp view areas as
            select * from imported.areas union all select * from shipped.areas"""
        )
        con.execute(
            """create temp view neighbours as
            select * from imported.neighbours
            union all select * from shipped.neighbours
            where model not in (select distinct model from imported.neighbours)"""
        )
    else:
        con.execute("create temp view obs_base as select * from shipped.obs")
        con.execute("create temp view measures_base as select * from shipped.measures")
        con.execute("create temp view areas as select * from shipped.areas")
        con.execute("create temp view neighbours as select * from shipped.neighbours")
    con.execute(
        f"create temp table derived as select * from read_csv('{_curated('derived.csv')}', {_CSV})"
    )
    con.execute(
        f"""create temp table extras as
        select * from read_csv('{_curated("ees_measures.csv")}', {_CSV})"""
    )
    # Ratios of two published measures, per area and year; a suppressed part suppresses the ratio.
    con.execute(
        """create temp view obs as
        select * from obs_base
        union all
        select d.key, n.year, n.period, 2, n.area,
            case when m.value <> 0 then n.value / m.value * cast(d.scale as double) end,
            case when n.value is null or m.value is null then coalesce(n.code, m.code) end,
            'derived: ' || d.numerator || ' / ' || d.denominator
        from derived d
        join obs_base n on n.measure = d.numerator
        join obs_base m on m.measure = d.denominator and m.year = n.year and m.area = n.area"""
    )
    con.execute(
        """create temp view measures as
        select m.key, coalesce(e.title, m.title) as title, m.source, m.topic,
            coalesce(e.polarity, m.polarity) as polarity,
            coalesce(try_cast(e.quartiles as boolean), m.quartiles) as quartiles,
            coalesce(e.unit, m.unit) as unit, m.dps, m.year_type, m.description,
            m.methodology, m.file
        from measures_base m left join extras e on e.key = m.key
        union all
        select key, title, 'derived', 'Derived ratios', polarity, true, unit, 1,
            'as its parts', note, numerator || ' / ' || denominator || ' x ' || scale, null
        from derived"""
    )
    return con
