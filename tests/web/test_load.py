"""A bounded load test (issue 14): a real uvicorn on 127.0.0.1, signed-in analysts sending GETs
over the main pages at concurrency 10; no errors. It stops by itself after its requests. The full
run (2,000 requests, a 5,000-child LA, p50/p95/p99 printed) is `benchmarks/bench_web.py --load`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from datamonger.web.services import Workbench
from tests.web.conftest import PASSWORD

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_web.py"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_web", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_300_requests_at_concurrency_10_without_an_error(wb: Workbench) -> None:
    out = _bench().load_test(wb, requests=300, concurrency=10, password=PASSWORD)
    print(
        f"\n300 requests: p50 {out['p50']:.0f} ms, p95 {out['p95']:.0f} ms, "
        f"p99 {out['p99']:.0f} ms, {out['per_second']:.0f}/s"
    )
    assert out["requests"] == 300
    assert out["errors"] == 0, out["first_errors"]
