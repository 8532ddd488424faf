"""Linkage of early-years lists to looked-after children: speed and accuracy.

Run: .venv/bin/python benchmarks/bench_early_years.py [--rows 50000] [--seeds 11 12 13]
For each seed it writes a synthetic LA (`synth --early-years`, the LA's list of `--rows` rows
against about 1,500 identities of looked-after children) under bench-data/early_years/, links
the lists on 2 threads and prints the link time, rows per second, peak memory of a separate
linking process (benchmarks/measure.py), and precision and recall against
early_years_truth.csv, then the figures pooled over the seeds.
Targets (issue 16): under 10 s for 50,000 rows against 1,500 identities on 2 cores; precision
>= 0.99 and recall >= 0.97.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import run as measure_run

from datamonger.early_years.evaluate import score
from datamonger.early_years.linkage import link
from datamonger.early_years.readers import read_inputs
from datamonger.synth import generate
from datamonger.synth.early_years import write_for

CHILDREN = 14_600  # a synthetic LA with about 1,500 children looked after (or lately so)
_LINK_ONLY = """
import sys
from pathlib import Path
from datamonger.early_years.linkage import link
from datamonger.early_years.readers import read_inputs
d = Path(sys.argv[1])
i = read_inputs(sorted(d.glob("ey_list_*.csv")), d / "identities.csv", d / "settings.csv")
link(i.ey_rows, i.identities, threads=2)
"""


def one(seed: int, rows: int, root: Path) -> tuple[int, int, int, int]:
    out = root / f"seed{seed}"
    folder = out / "early_years"
    if not (folder / "early_years_truth.csv").exists():
        summary = generate(out, CHILDREN, 2025, years=1, seed=seed)
        write_for(summary, 2025, 1, None, rows)
    lists = sorted(folder.glob("ey_list_*.csv"))
    inputs = read_inputs(lists, folder / "identities.csv", folder / "settings.csv")
    started = time.perf_counter()
    links = link(inputs.ey_rows, inputs.identities, threads=2)
    elapsed = time.perf_counter() - started
    wall, peak, code = measure_run([sys.executable, "-c", _LINK_ONLY, str(folder)])
    s = score(links, folder / "early_years_truth.csv")
    n = inputs.ey_rows.num_rows
    print(
        f"seed {seed}: {n:,} list rows ({rows:,} in the LA's own list) x "
        f"{inputs.identities.num_rows:,} identities: link {elapsed:.2f} s "
        f"({n / elapsed:,.0f} rows/s); read + link in a fresh process {wall:.1f} s, peak "
        f"{peak:.0f} MB (exit {code}); {s.true_rows} looked-after rows, {s.linked} linked, "
        f"{s.review} to review ({s.review_correct} of them right); precision {s.precision:.3f}, "
        f"recall {s.recall:.3f}"
    )
    return s.true_rows, s.linked, s.correct, s.review


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--data", type=Path, default=Path("bench-data/early_years"))
    a = ap.parse_args()
    totals = [0, 0, 0, 0]
    for seed in a.seeds:
        for k, v in enumerate(one(seed, a.rows, a.data)):
            totals[k] += v
    true_rows, linked, correct, review = totals
    print(
        f"pooled over {len(a.seeds)} seeds: precision {correct / max(linked, 1):.3f}, "
        f"recall {correct / max(true_rows, 1):.3f} ({correct} of {true_rows} right, "
        f"{linked - correct} wrong links, {review} to review)"
    )


if __name__ == "__main__":
    main()
