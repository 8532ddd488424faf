"""A child's journey and the recording checks on a large synthetic LA (default 20,000 children,
two collection years of both returns, validated so that issues are pinned).

    .venv/bin/python benchmarks/bench_journey.py [--children 20000] [--sample 200] [--out DIR]

Prints the time of `indicators.journey` per child (median, p95, max over `--sample` children, the
busiest ones included: most records and most issues), rows of events per second, the time of the
journey's picture (cold and warm), of all recording checks, and the peak memory of the CLI
command `datamonger recording` (benchmarks/measure.py). Target: a journey well under 300 ms.
Not a test: figures depend on the machine (and on what else runs on it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))

from bench_web import prepare
from measure import run as measure

from datamonger.indicators.journey import journey
from datamonger.indicators.model import Period
from datamonger.indicators.recording import run as recording
from datamonger.reports.charts.journey import journey_svg
from datamonger.store import Store
from datamonger.validation.engine import validate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--out", type=Path, default=Path("bench-data/web"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = prepare(args.out, args.children)
    with Store(db, read_only=True) as store:
        con = store.con
        t = time.perf_counter()
        issues = pa.concat_tables(
            [validate(store, r, y).table for r in ("cin", "ssda903") for y in (2024, 2025)]
        )
        print(f"validated in {time.perf_counter() - t:.1f} s: {issues.num_rows:,} issues")
        busiest = con.execute(
            """SELECT c FROM (SELECT LAchildID AS c FROM cin_episodes UNION ALL
                              SELECT CHILD FROM ssda903_episodes UNION ALL
                              SELECT CHILD FROM ssda903_sw_episodes)
               GROUP BY c ORDER BY count(*) DESC LIMIT 20"""
        ).fetchall()
        others = con.execute(
            f"SELECT LAchildID FROM cin_children USING SAMPLE {args.sample} ROWS (reservoir, 1)"
        ).fetchall()
        children = [r[0] for r in busiest + others]
        times, events = [], 0
        journey(con, children[0], issues)  # warm DuckDB's caches once
        for child in children:
            t = time.perf_counter()
            j = journey(con, child, issues)
            times.append((time.perf_counter() - t) * 1000)
            events += j.events.num_rows
        times.sort()
        total = sum(times) / 1000
        print(
            f"journey, {len(children)} children: median {statistics.median(times):.1f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms; "
            f"{events / total:,.0f} events per second"
        )
        j = journey(con, busiest[0][0], issues)
        for label in ("cold", "warm"):
            t = time.perf_counter()
            journey_svg(j.events, j.issues)
            print(f"journey picture ({label}, {j.events.num_rows} events): "
                  f"{(time.perf_counter() - t) * 1000:.0f} ms")  # fmt: skip
        t = time.perf_counter()
        found = recording(con, Period.census_year(2025))
        print(f"recording checks ({len(found)}): {(time.perf_counter() - t) * 1000:.0f} ms")
    wall, peak, code = measure(
        [sys.executable, "-m", "datamonger", "recording", "--db", str(db), "--format", "json"]
    )
    print(f"datamonger recording: {wall:.2f} s wall, {peak:.0f} MB peak, exit {code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
