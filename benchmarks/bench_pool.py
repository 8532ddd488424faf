"""Speed of the regional pool: a 10-LA synthetic partnership, 3 years of both returns (about
300,000 children), each LA loaded and exported; then the measured part: every extract imported
into a new pool and every indicator computed per LA and for the pool (DuckDB; `--spark` adds
the same on Spark local mode). Wall time and peak memory of each command come from
`benchmarks/measure.py` (the command's own process), rows per second from the pool's rows.

    .venv/bin/python benchmarks/bench_pool.py [--las 10] [--children 30000] [--keep DIR] [--spark]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import measure

DM = [sys.executable, "-m", "datamonger"]
# The West Midlands' LAs (DfE numbers): any English LAs would do.
WEST_MIDLANDS = ("330", "331", "332", "333", "334", "335", "336", "860", "861", "885")


def _prepare(base: Path, las: list[str], children: int) -> list[Path]:
    """Returns, databases and extracts (made once; kept with --keep)."""
    from datamonger.loading import load_paths
    from datamonger.pool.export import export
    from datamonger.pool.keys import new_key
    from datamonger.pool.policy import load_policy
    from datamonger.store import Store
    from datamonger.synth.partnership import generate_partnership

    extracts = [base / f"extract-{la}" for la in las]
    if all((x / "manifest.json").exists() for x in extracts):
        return extracts
    t = time.perf_counter()
    generate_partnership(base / "returns", las, children, 2025, years=3, seed=1)
    print(
        f"generated {len(las)} LAs x {children:,} children x 3 years in "
        f"{time.perf_counter() - t:.0f} s"
    )
    key = base / "partnership.key"
    key.write_text(new_key())
    t = time.perf_counter()
    for la, extract in zip(las, extracts, strict=True):
        db = base / f"{la}.duckdb"
        if not db.exists():
            with Store(db) as store:
                load_paths([base / "returns" / la], store, la=la)
        shutil.rmtree(extract, ignore_errors=True)
        export(db, key, extract, load_policy())
    print(f"loaded and exported {len(las)} LAs in {time.perf_counter() - t:.0f} s")
    return extracts


def _rows(extracts: list[Path]) -> tuple[int, int]:
    rows, children = 0, 0
    for x in extracts:
        doc = json.loads((x / "manifest.json").read_text())
        rows += sum(f["rows"] for f in doc["files"])
        children += sum(f["rows"] for f in doc["files"] if f["table"] == "cin_children")
    return rows, children


def _cpu() -> float:
    """CPU seconds used by finished child processes so far (the commands measured): on a machine
    shared with other work, wall time says as much about the others as about the command."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--las", type=int, default=10, choices=range(1, 11))
    ap.add_argument("--children", type=int, default=30_000, help="per LA, over the 3 years")
    ap.add_argument("--keep", type=Path, help="reuse/keep the returns, databases and extracts")
    ap.add_argument("--spark", action="store_true", help="also run the indicators on Spark")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="dm_bench_pool_"))
    base.mkdir(parents=True, exist_ok=True)
    las = list(WEST_MIDLANDS[: args.las])
    extracts = _prepare(base, las, args.children)
    rows, children = _rows(extracts)
    print(f"pool: {len(las)} LAs, {rows:,} rows, {children:,} child-years in the CIN census")
    pool = base / "pool"
    shutil.rmtree(pool, ignore_errors=True)
    cpu = _cpu()
    wall_i, peak_i, code = measure.run(
        [*DM, "pool", "import", *map(str, extracts), "--pool", str(pool)]
    )
    assert code == 0, "import failed"
    cpu_i, cpu = _cpu() - cpu, _cpu()
    print(
        f"import:     {wall_i:6.1f} s (CPU {cpu_i:5.1f} s), peak {peak_i:5.0f} MB, "
        f"{rows / wall_i:,.0f} rows/s"
    )
    out = base / "indicators.json"
    cmd = [*DM, "indicators", "--pool", str(pool), "--format", "json", "--output", str(out)]
    wall_d, peak_d, code = measure.run(cmd)
    assert code == 0, "indicators --pool failed"
    figures = json.loads(out.read_text())
    cpu_d, cpu = _cpu() - cpu, _cpu()
    print(
        f"indicators: {wall_d:6.1f} s (CPU {cpu_d:5.1f} s), peak {peak_d:5.0f} MB, {rows / wall_d:,.0f} rows/s "
        f"({len(figures)} figures: {len(las)} LAs + the pool)"
    )
    total = wall_i + wall_d
    print(f"import + all indicators (DuckDB): {total:.1f} s (target < 30 s on 2 cores)")
    print(f"load average while measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.spark:
        out_s = base / "indicators_spark.json"
        cmd = [*cmd[:-1], str(out_s), "--engine", "spark"]
        wall_s, peak_s, code = measure.run(cmd)
        assert code == 0, "indicators --pool --engine spark failed"
        same = json.loads(out_s.read_text()) == figures
        print(
            f"spark:      {wall_s:6.1f} s (CPU {_cpu() - cpu:5.1f} s), peak {peak_s:5.0f} MB (launcher's JVM child "
            f"not included), figures identical to DuckDB: {same}"
        )


if __name__ == "__main__":
    main()
