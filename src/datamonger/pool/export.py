"""`pool export`: one LA's store -> a de-identified extract (partitioned Parquet + manifest).

Everything stays in DuckDB: each table is de-identified by one SELECT (see `deidentify`) and
written by COPY straight to Parquet; only the distinct identifiers pass through Python (HMAC).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datamonger import __version__
from datamonger.pool import deidentify, kanon, keys, manifest
from datamonger.pool.errors import PoolError
from datamonger.pool.policy import Policy
from datamonger.store import ALL_TABLES, q


@dataclass(frozen=True, slots=True)
class ExportSummary:
    out_dir: Path
    la: str
    years: dict[str, list[int]]
    rows: int
    files: int
    k: kanon.KReport


def _la(con: duckdb.DuckDBPyConnection, la: str | None) -> str:
    if la:
        return la.strip()
    row = con.execute(
        "SELECT la FROM returns_loaded WHERE la IS NOT NULL ORDER BY collection_year DESC"
    ).fetchone()
    if row is None:
        row = con.execute(
            "SELECT trim(LEA) FROM cin_header WHERE nullif(trim(LEA), '') IS NOT NULL LIMIT 1"
        ).fetchone()
    if row is None or not row[0]:
        raise PoolError("the database does not say which LA it holds: give --la (DfE number)")
    return str(row[0]).strip()


def _register_maps(con: duckdb.DuckDBPyConnection, key: bytes, policy: Policy) -> dict[str, str]:
    """One pseudonym map per kind of identifier, over every table that holds one."""
    sources: dict[str, list[str]] = {}
    for spec in ALL_TABLES:
        for kind, name in deidentify.pseudonym_kinds(spec, policy).items():
            sources.setdefault(kind, []).append(f"SELECT {q(name)} AS id FROM {spec.store_name}")
    maps = {}
    for kind, selects in sources.items():
        maps[kind] = f"pseudonyms_{kind}"
        keys.register_map(con, maps[kind], key, kind, " UNION ".join(selects))
    return maps


def export(
    db: Path, key_file: Path, out_dir: Path, policy: Policy, la: str | None = None
) -> ExportSummary:
    key = keys.read_key(key_file)
    if not db.is_file():
        raise PoolError(f"no database at {db}: load the returns first with `datamonger load`")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise PoolError(f"{out_dir} is not empty: give a new folder for the extract")
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise PoolError(f"cannot open {db}: {exc}") from None
    try:
        return _export(con, key, out_dir, policy, _la(con, la))
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)  # never leave half an extract behind
        raise
    finally:
        con.close()


def _export(
    con: duckdb.DuckDBPyConnection, key: bytes, out_dir: Path, policy: Policy, la: str
) -> ExportSummary:
    loaded = con.execute(
        "SELECT DISTINCT return_name, collection_year FROM returns_loaded ORDER BY 1, 2"
    ).fetchall()
    if not loaded:
        raise PoolError("the database holds no returns: load some with `datamonger load`")
    years: dict[str, list[int]] = {}
    for return_name, year in loaded:
        years.setdefault(str(return_name), []).append(int(year))
    maps = _register_maps(con, key, policy)
    k_report = kanon.choose_level(con, policy, la)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    for return_name, year_list in years.items():
        for year in year_list:
            folder = out_dir / manifest.partition(return_name, year, la)
            folder.mkdir(parents=True, exist_ok=True)
            for spec in (t for t in ALL_TABLES if t.return_ == return_name):
                path = folder / f"{spec.store_name}.parquet"
                select = deidentify.select_sql(spec, policy, k_report.level, maps)
                got = con.execute(
                    f"COPY ({select} WHERE t.collection_year = {year}) TO '{path}' "
                    "(FORMAT parquet, COMPRESSION zstd)"
                ).fetchone()
                written = int(got[0]) if got else 0
                held = con.execute(
                    f"SELECT count(*) FROM {spec.store_name} WHERE collection_year = ?", [year]
                ).fetchone()
                if held is None or int(held[0]) != written:  # never lose a row on the way out
                    raise PoolError(f"{spec.store_name} {year}: wrote {written} rows of {held}")
                files.append(
                    {
                        "path": path.relative_to(out_dir).as_posix(),
                        "return": return_name,
                        "year": year,
                        "table": spec.store_name,
                        "rows": written,
                        "sha256": manifest.sha256_file(path),
                    }
                )
    manifest.write(
        out_dir,
        {
            "format": manifest.FORMAT,
            "format_version": manifest.FORMAT_VERSION,
            "datamonger_version": __version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "la": la,
            "years": years,
            "policy": {"name": policy.name, "sha256": policy.sha256},
            "key_fingerprint": keys.fingerprint(key),
            "k_anonymity": k_report.as_dict(),
            "row_counts": {f["path"]: f["rows"] for f in files},
            "files": files,
        },
    )
    return ExportSummary(out_dir, la, years, sum(f["rows"] for f in files), len(files), k_report)
