"""Validation speed: reading the files and validating an SSDA903 return (with last year) or a CIN census.

    .venv/bin/python benchmarks/bench_validate.py [--sizes 2700,20000] [--cin-sizes 10000,50000]

Each case runs in a fresh process so its peak memory (max RSS) is its own. The synthetic files are
generated first (not timed) under bench-data/, which is not committed. Timed: loading both years'
files into an in-memory store (last year's in a thread of its own, as `validate --previous` does),
then validating the latest year.
Targets (2 cores): SSDA903 2,700 children < 1 s, 20,000 < 5 s (with last year's return);
CIN census 10,000 children < 3 s, 50,000 < 15 s (parse included).

Messy returns (`--messy`, `synth.messy`: half the values random dates and codes) time whole
`datamonger validate --format json|csv|xlsx` processes, reading included, with their peak memory
and issues per second. Targets: SSDA903 20,000 children (about 400,000 issues) under 2.7 s for
JSON and 6 s for XLSX, peak under 1.5 GB; 3,600 children under 1 s; CIN 10,000 children under
2.1 s.

`--public PYTHON` (`make bench-public`, which installs the public validators, csc-validator-be-903
and csc-validator-be-cin, into a venv of their own from `benchmarks/public/requirements.lock`)
also runs the public validator once on each messy return, as a whole process on the same files,
between two sets of Datamonger JSON runs, and prints how many times faster their median is: the
issue's "10x" and "50x", measured on this machine at the same time rather than taken from
another machine's figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"


def _child(path: str, return_name: str) -> None:
    from datamonger.loading import load_with_previous
    from datamonger.store import Store
    from datamonger.validation.engine import validate

    if return_name == "ssda903":  # this year's folder, with last year's as --previous
        *previous, latest = sorted({p.parent for p in Path(path).rglob("*.csv")})[-2:]
    else:  # the latest census alone: the CIN rules do not read last year's return
        *previous, latest = sorted(Path(path).rglob("cin_census.xml"))[-1:]
    start = time.perf_counter()
    with Store(":memory:") as store:
        loaded, _ = load_with_previous([latest], previous, store)
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


MESSY_SHARE = 0.5  # of values replaced by random dates and codes: about 20 issues per child
DATAMONGER = Path(sys.executable).parent / "datamonger"


def _whole_process(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `datamonger` process, start to exit."""
    wall, peak, code = measure.run([str(DATAMONGER), *args])
    if code not in (0, 1):
        raise SystemExit(f"datamonger {' '.join(args)} failed")
    return wall, peak


PUBLIC_RUN = Path(__file__).resolve().parent / "public" / "run.py"


def messy(
    cases: list[tuple[str, int]], formats: list[str], repeat: int = 1, public: str | None = None
) -> None:
    """Whole `datamonger validate` processes on messy returns, reading included; with `repeat`,
    each is run that many times and the fastest and median runs are printed (a shared machine
    slows some runs down, never speeds one up). With `public` (the interpreter of
    `make bench-public`'s venv), the public validator runs once on the same files between two
    sets of `repeat` JSON runs, and is compared with their median: this machine's speed drifts
    by 20% within minutes, so both sides are taken at the same time."""
    for return_name, n in cases:
        out = DATA / f"messy-{return_name}-{n}"
        if not out.exists():  # in a process of its own: a child's peak counts its parent's
            years = "2" if return_name == "ssda903" else "1"
            share = ["--looked-after-share", "1.0"] if return_name == "ssda903" else []
            subprocess.run(
                [str(DATAMONGER), "synth", str(out), "--children", str(n), "--year", "2025",
                 "--years", years, "--seed", "7", "--messy", str(MESSY_SHARE), *share],
                check=True, capture_output=True,
            )  # fmt: skip
        if return_name == "ssda903":
            inputs = [
                str(out / "2024-25" / "ssda903"),
                "--previous",
                str(out / "2023-24" / "ssda903"),
            ]
        else:
            inputs = [str(out / "2024-25" / "cin_census.xml")]
        issues = None
        json_runs: list[float] = []
        for fmt in formats:
            target = DATA / f"messy-{return_name}-{n}.{fmt}"
            runs = sorted(
                _whole_process(["validate", *inputs, "--format", fmt, "--output", str(target)])
                for _ in range(repeat)
            )
            wall, peak = runs[0][0], max(p for _, p in runs)
            median = runs[len(runs) // 2][0]
            if fmt == "json":
                json_runs += [w for w, _ in runs]
            if issues is None and fmt == "json":
                # the summary comes first; parsing the whole report here would grow this
                # process, and its children's peaks count its own (fork inherits it)
                with target.open(encoding="utf-8") as fh:
                    head = fh.read(4096)
                issues = int(head.split('"issues": ', 1)[1].split(",", 1)[0])
            rate = f", {issues / wall:,.0f} issues/s" if issues else ""
            spread = f" (median of {repeat}: {median:.2f}s)" if repeat > 1 else ""
            print(
                f"messy {return_name:>7} {n:>6} children, --format {fmt:<7}: {wall:.2f}s wall"
                f"{spread}, peak {peak:.0f} MB, {f'{issues:,}' if issues else '?'} issues{rate}"
            )
        if public is not None:
            target = DATA / f"messy-{return_name}-{n}.json"
            json_args = ["validate", *inputs, "--format", "json", "--output", str(target)]
            theirs = _public(public, return_name, n, inputs)
            json_runs += [_whole_process(json_args)[0] for _ in range(repeat)]
            ours = sorted(json_runs)[len(json_runs) // 2]
            print(
                f"{'':>6} Datamonger JSON, median of the {len(json_runs)} runs around it: "
                f"{ours:.2f}s, {theirs / ours:.1f}x faster"
            )


def _public(python: str, return_name: str, n: int, inputs: list[str]) -> float:
    """Wall seconds of the public validator of `return_name`, once, as a whole process on the
    same files."""
    ruleset = ("lac" if return_name == "ssda903" else "cin") + "2024_25"  # messy returns: 2024/25
    files = [a for a in inputs if a != "--previous"]
    wall, peak, code = measure.run([python, str(PUBLIC_RUN), return_name, *files, ruleset])
    if code != 0:
        raise SystemExit(f"public {return_name} {n} children: failed (exit {code})")
    print(
        f"public {return_name:>6} {n:>6} children ({ruleset}): {wall:.2f}s wall, peak {peak:.0f} MB"
    )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2700,20000", help="SSDA903 children (with last year)")
    parser.add_argument("--cin-sizes", default="10000,50000", help="CIN census children")
    parser.add_argument(
        "--messy",
        default="ssda903:3600,ssda903:20000,cin:10000",
        help="messy cases, return:children (empty: none)",
    )
    parser.add_argument("--formats", default="json,csv,xlsx", help="formats of the messy cases")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each messy case")
    parser.add_argument(
        "--public",
        metavar="PYTHON",
        help="also time the public validators with this interpreter (make bench-public)",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if args.messy:
        cases = [(c.split(":")[0], int(c.split(":")[1])) for c in args.messy.split(",")]
        messy(cases, args.formats.split(","), args.repeat, args.public)
    cases = [("ssda903", int(n)) for n in args.sizes.split(",") if n]
    cases += [("cin", int(n)) for n in args.cin_sizes.split(",") if n]
    for return_name, n in cases:
        out = DATA / f"validate-{return_name}-{n}"
        if not out.exists():  # in a process of its own: a child's peak counts its parent's
            args = ["--year", "2027", "--years", "2", "--looked-after-share", "1.0"]
            if return_name == "cin":
                args = ["--year", "2026", "--years", "1"]
            subprocess.run(
                [str(DATAMONGER), "synth", str(out), "--children", str(n), "--seed", "1", *args],
                check=True,
                capture_output=True,
            )
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
