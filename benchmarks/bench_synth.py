"""Speed and memory of `datamonger synth`: both returns, two years, for 10,000 and 50,000 children.

Run: .venv/bin/python benchmarks/bench_synth.py [N ...]
Prints wall time, peak memory (the process's maximum resident set so far) and rows written per
second.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from datamonger.synth import generate


def run(children: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        summary = generate(Path(tmp), children, 2025, years=2, seed=1)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        rows = sum(sum(y.ssda903_rows.values()) for y in summary.years.values())
        lines = sum(
            sum(1 for _ in y.cin_path.open(encoding="utf-8")) for y in summary.years.values()
        )
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    print(
        f"{children:>7,} children, 2 years: {elapsed:6.1f} s wall, peak RSS "
        f"{peak / 2**20:6.0f} MiB, {rows:,} SSDA903 rows + {lines:,} CIN XML lines "
        f"({(rows + lines) / elapsed:,.0f} rows/s), {size / 2**20:.0f} MiB written"
    )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [10_000, 50_000]:
        run(n)
