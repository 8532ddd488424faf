"""Where one `datamonger validate` run spends its time: a timeline of its phases.

    .venv/bin/python benchmarks/validate_phases.py validate THIS --previous LAST --format json \
        --output /tmp/report.json

Runs the command in this process with the phases (reading and staging each year, committing,
preparing the tables, each part of the rule statements, the issue table, the summary, writing)
timed as they start and end, and prints them in order: which run side by side, and what is
left between them (imports, process start and exit). Takes the command's own arguments. For the
figures to compare over time, use `bench_validate.py`; this is for finding the next thing to cut.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import sys
import time
from typing import Any

START = time.perf_counter()

PHASES = (
    "datamonger.loading:load_paths",
    "datamonger.loading:stage_paths",
    "datamonger.loading:finish",
    "datamonger.validation.prepare:prepare",
    "datamonger.validation.engine:_run_part",
    "datamonger.validation.issues:from_found",
    "datamonger.validation.report:Report.summary",
    "datamonger.reports.validation:write_json",
    "datamonger.reports.validation:write_csv",
    "datamonger.reports.validation:write_parquet",
    "datamonger.validation.xlsx:write_xlsx",
    "datamonger.validation.engine:validate",
)
marks: list[tuple[float, float, str]] = []


def _timed(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            marks.append((began - START, time.perf_counter() - began, name))

    return wrapper


def main() -> None:
    from datamonger.cli import main as cli

    imported = time.perf_counter() - START
    for phase in PHASES:
        module_name, attr = phase.split(":")
        owner: Any = importlib.import_module(module_name)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _timed(attr, getattr(owner, name)))
    sys.argv = ["datamonger", *sys.argv[1:]]
    with contextlib.suppress(SystemExit):  # the command's exit code is not this script's
        cli()
    done = time.perf_counter() - START
    print(f"{'start':>7} {'seconds':>8}  phase", file=sys.stderr)
    print(f"{0:7.3f} {imported:8.3f}  importing the command line", file=sys.stderr)
    first = min((m[0] for m in marks), default=done)
    print(
        f"{imported:7.3f} {first - imported:8.3f}  the command's module and libraries imported, "
        "its arguments read",
        file=sys.stderr,
    )
    for began, took, name in sorted(marks):
        print(f"{began:7.3f} {took:8.3f}  {name}", file=sys.stderr)
    print(f"{done:7.3f}           end of the command (process exit not counted)", file=sys.stderr)


if __name__ == "__main__":
    main()
