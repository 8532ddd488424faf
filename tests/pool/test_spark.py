"""`--engine spark`: the same indicator SQL, transpiled by sqlglot, gives on Spark's local mode
exactly the figures DuckDB gives (one LA and the whole pool). Slow: starts a JVM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from datamonger.indicators import Period
from datamonger.pool.indicators import compute_pool
from datamonger.pool.views import PoolDB
from tests.pool.conftest import YEAR, Partnership

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from datamonger.pool.spark import session

    s = session("local[2]")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def test_spark_gives_duckdbs_figures(partnership: Partnership, spark: Any) -> None:
    from datamonger.pool.spark import compute_pool_spark

    db = PoolDB(partnership.pool)
    period = Period.census_year(YEAR)
    try:
        duck = compute_pool(db, period, las=["331"])
        sparked = compute_pool_spark(db, period, spark=spark, las=["331"])
    finally:
        db.close()
    assert [(s.scope, s.result.id) for s in sparked] == [(s.scope, s.result.id) for s in duck]
    differ = [
        (d.scope, d.result.id, d.result.value, s.result.value)
        for d, s in zip(duck, sparked, strict=True)
        if d.result.as_dict() != s.result.as_dict()
    ]
    assert differ == []
    assert sum(s.result.value is not None for s in sparked) > 100
