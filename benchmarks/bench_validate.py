"""Validation speed: reading the files and validating an SSDA903 return with its previous year.

    .venv/bin/python benchmarks/bench_validate.py [--sizes 2700,20000]

Each case runs in a fresh process so its peak memory (max RSS) is its own. The synthetic files are
generated first (not timed) under bench-data/, which is not committed. Timed: loading both years'
files into an in-memory store, then validating the latest year (as `datamonger validate` does).
Targets (2 cores): 2,700 children < 1 s, 20,000 < 5 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"


def _child(path: str) -> None:
    from datamonger.loading import load_paths
    from datamonger.store import Store
    from datamonger.validation.engine import validate

    folders = sorted({p.parent for p in Path(path).rglob("*.csv")})
    start = time.perf_counter()
    with Store(":memory:") as store:
        loaded = load_paths(folders, store)
        year = max(y for r, y, _, _ in loaded.loaded if r == "ssda903")
        rows = sum(n for r, y, _, n in loaded.loaded if r == "ssda903" and y == year)
        t_load = time.perf_counter() - start
        report = validate(store, "ssda903", year)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = report.summary()
    print(
        json.dumps(
            {
                "wall": wall,
                "load": t_load,
                "validate": report.seconds,
                "peak_mb": peak_mb,
                "rows": rows,
                "rules_run": s["rules_run"],
                "skipped": s["rules_skipped"],
                "failed": s["rules_failed"],
                "issues": s["issues"],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2700,20000")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    try:
        from datamonger.synth import generate
    except ImportError:
        sys.exit("datamonger.synth.generate is not available yet")
    for n in (int(x) for x in args.sizes.split(",")):
        out = DATA / f"validate-{n}"
        if not out.exists():
            generate(out, children=n, year=2027, years=2, seed=1, looked_after_share=1.0)
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if res.returncode != 0:
            print(f"{n:>6} children: failed\n{res.stderr}")
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(
            f"{n:>6} children: {r['wall']:.2f}s wall (load {r['load']:.2f}s, validate "
            f"{r['validate']:.2f}s), peak {r['peak_mb']:.0f} MB, {r['rows'] / r['wall']:,.0f} rows/s, "
            f"{r['rules_run']} rules run, {r['skipped']} skipped, {r['failed']} failed, "
            f"{r['issues']} issues"
        )


if __name__ == "__main__":
    main()
