"""Validation speed: reading the files and validating an SSDA903 return (with last year) or a CIN census.

    .venv/bin/python benchmarks/bench_validate.py [--sizes 2700,20000] [--cin-sizes 10000,50000]

Each case runs in a fresh process so its peak memory (max RSS) is its own. The synthetic files are
generated first (not timed) under bench-data/, which is not committed. Timed: loading both years'
files into an in-memory store, then validating the latest year (as `datamonger validate` does).
Targets (2 cores): SSDA903 2,700 children < 1 s, 20,000 < 5 s (with last year's return);
CIN census 10,000 children < 3 s, 50,000 < 15 s (parse included).
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


def _child(path: str, return_name: str) -> None:
    from datamonger.loading import load_paths
    from datamonger.store import Store
    from datamonger.validation.engine import validate

    if return_name == "ssda903":
        files = sorted({p.parent for p in Path(path).rglob("*.csv")})
    else:  # the latest census alone: the CIN rules do not read last year's return
        files = sorted(Path(path).rglob("cin_census.xml"))[-1:]
    start = time.perf_counter()
    with Store(":memory:") as store:
        loaded = load_paths(files, store)
        year = max(y for r, y, _, _ in loaded.loaded if r == return_name)
        rows = sum(n for r, y, _, n in loaded.loaded if r == return_name and y == year)
        t_load = time.perf_counter() - start
        report = validate(store, return_name, year)
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
    parser.add_argument("--sizes", default="2700,20000", help="SSDA903 children (with last year)")
    parser.add_argument("--cin-sizes", default="10000,50000", help="CIN census children")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    try:
        from datamonger.synth import generate
    except ImportError:
        sys.exit("datamonger.synth.generate is not available yet")
    cases = [("ssda903", int(n)) for n in args.sizes.split(",") if n]
    cases += [("cin", int(n)) for n in args.cin_sizes.split(",") if n]
    for return_name, n in cases:
        out = DATA / f"validate-{return_name}-{n}"
        if not out.exists():
            if return_name == "ssda903":
                generate(out, children=n, year=2027, years=2, seed=1, looked_after_share=1.0)
            else:
                generate(out, children=n, year=2026, years=1, seed=1)
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(out), return_name],
            capture_output=True,
            text=True,
            check=False,
        )
        if res.returncode != 0:
            print(f"{return_name} {n:>6} children: failed\n{res.stderr}")
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(
            f"{return_name:>7} {n:>6} children: {r['wall']:.2f}s wall (load {r['load']:.2f}s, validate "
            f"{r['validate']:.2f}s), peak {r['peak_mb']:.0f} MB, {r['rows'] / r['wall']:,.0f} rows/s, "
            f"{r['rules_run']} rules run, {r['skipped']} skipped, {r['failed']} failed, "
            f"{r['issues']} issues"
        )


if __name__ == "__main__":
    main()
