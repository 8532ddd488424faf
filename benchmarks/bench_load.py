"""Loading speed: wall time, peak memory and rows per second for synthetic returns.

    .venv/bin/python benchmarks/bench_load.py [--sizes 10000,50000] [--ssda903 20000]

Each case runs in a fresh process so peak memory (max RSS) is its own. The synthetic files are
generated first (not timed) under bench-data/, which is not committed.
Targets (issue 2, 2 cores): CIN 10,000 children < 3 s, 50,000 < 15 s, peak < 1 GB.
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


def _child(kind: str, path: str) -> None:
    from datamonger.loading import load_paths
    from datamonger.store import Store

    db = Path(path) / f"bench-{kind}.duckdb"
    db.unlink(missing_ok=True)
    files = sorted(Path(path).rglob("cin_census.xml")) if kind == "cin" else [Path(path)]
    if kind == "ssda903":
        files = sorted({p.parent for p in Path(path).rglob("*.csv")})[-1:]
    start = time.perf_counter()
    with Store(db) as store:
        report = load_paths(files[-1:], store)
        rows = sum(n for r, _, _, n in report.loaded if r == kind)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "peak_mb": peak_mb, "rows": rows, "exit": report.exit_code}))


def _generate(out: Path, children: int, share: float | None) -> None:
    if (out / "done").exists():
        return
    from datamonger.synth import generate

    generate(out, children=children, year=2025, years=1, seed=7, looked_after_share=share)
    (out / "done").write_text("ok")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,50000", help="CIN census sizes (children)")
    ap.add_argument("--ssda903", type=int, default=20000, help="SSDA903 set size (children)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    cases = [("cin", int(n), None) for n in args.sizes.split(",") if n]
    cases.append(("ssda903", args.ssda903, 1.0))
    print(f"{'case':<24}{'wall s':>9}{'peak MB':>10}{'rows':>11}{'rows/s':>12}")
    for kind, n, share in cases:
        out = DATA / f"{kind}-{n}"
        _generate(out, n, share)
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        name = f"{kind} {n:,} children"
        print(
            f"{name:<24}{r['wall']:>9.2f}{r['peak_mb']:>10.0f}{r['rows']:>11,}"
            f"{r['rows'] / r['wall']:>12,.0f}"
        )


if __name__ == "__main__":
    main()
