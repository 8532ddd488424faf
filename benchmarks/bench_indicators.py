"""Speed of `datamonger indicators`: every indicator for a 20,000-child synthetic LA with 3 years
of both returns. Prints wall time and peak memory (resident set size of this process).

    .venv/bin/python benchmarks/bench_indicators.py [--children 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from datamonger.indicators import Period, compute
from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth.generate import folder_name, generate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--keep", type=Path, help="reuse/keep the generated returns and database here")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="dm_bench_"))
    db = base / f"bench_{args.children}.duckdb"
    if not db.exists():
        t = time.perf_counter()
        generate(base / "returns", args.children, args.year, years=3, seed=1)
        print(f"generated {args.children:,} children x 3 years in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        with Store(db) as store:
            for y in range(args.year - 2, args.year + 1):
                load_paths([base / "returns" / folder_name(y)], store, year=y)
        print(f"loaded in {time.perf_counter() - t:.1f} s")
    with Store(db, read_only=True) as store:
        counts = store.con.execute(
            "SELECT (SELECT count(*) FROM cin_episodes), (SELECT count(*) FROM ssda903_episodes)"
        ).fetchone()
        print(f"rows: {counts[0]:,} CIN episodes, {counts[1]:,} 903 episodes (all years)")
        for label, period in (
            ("census year", Period.census_year(args.year)),
            (
                "12 months to 30 Sep",
                Period.twelve_months_to(__import__("datetime").date(args.year - 1, 9, 30)),
            ),
        ):
            t = time.perf_counter()
            results = compute(store.con, period)
            wall = time.perf_counter() - t
            done = sum(r.value is not None for r in results)
            print(f"{label}: {len(results)} indicators ({done} with a value) in {wall:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
