"""The pool's indicators: each LA's equal its own database's; the pool's equal the sum of its
parts where children do not cross LAs, and follow the children who do."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from datamonger.indicators import Period, Template, all_indicators, compute
from datamonger.loading import load_paths
from datamonger.pool.export import export
from datamonger.pool.importer import import_extracts
from datamonger.pool.indicators import POOL, SECTOR_NOTE, compute_pool
from datamonger.pool.policy import load_policy
from datamonger.pool.views import PoolDB
from datamonger.store import Store
from datamonger.synth.partnership import generate_partnership
from tests.pool.conftest import LAS, YEAR, Partnership

PERIOD = Period.census_year(YEAR)


def _figures(r: object) -> tuple[object, object, object]:
    return (r.value, r.numerator, r.denominator)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pooled(partnership: Partnership) -> dict[tuple[str, str], object]:
    db = PoolDB(partnership.pool)
    try:
        return {(s.scope, s.result.id): s.result for s in compute_pool(db, PERIOD)}
    finally:
        db.close()


@pytest.mark.parametrize("la", LAS)
def test_every_indicator_of_an_la_in_the_pool_equals_its_own_database(
    partnership: Partnership, pooled: dict[tuple[str, str], object], la: str
) -> None:
    con = duckdb.connect(str(partnership.dbs[la]), read_only=True)
    own = {r.id: r for r in compute(con, PERIOD, la=la)}
    computed = 0
    for ind in all_indicators():
        got = pooled[(la, ind.id)]
        if "postcodes" in ind.needs:  # distances need full postcodes: sectors only in a pool
            assert got.value is None and SECTOR_NOTE in got.notes  # type: ignore[attr-defined]
            continue
        assert _figures(got) == _figures(own[ind.id]), ind.id
        computed += own[ind.id].value is not None
    assert computed > 0.6 * len(all_indicators())  # most computable on two years of returns


def test_a_child_re_referred_in_another_la_is_a_re_referral_of_the_pool(
    pooled: dict[tuple[str, str], object],
) -> None:
    parts = sum(pooled[(la, "rereferrals_12m")].numerator for la in LAS)  # type: ignore[attr-defined]
    whole = pooled[(POOL, "rereferrals_12m")]
    assert whole.numerator > parts  # type: ignore[attr-defined]
    assert whole.denominator == sum(pooled[(la, "rereferrals_12m")].denominator for la in LAS)  # type: ignore[attr-defined]


def test_without_movers_the_pool_is_the_sum_of_its_parts(tmp_path: Path) -> None:
    las = ("330", "331")
    generate_partnership(tmp_path / "r", las, 250, YEAR, years=2, seed=3, move_share=0.0)
    key = tmp_path / "k"
    key.write_text("11" * 32)
    for la in las:
        with Store(tmp_path / f"{la}.duckdb") as store:
            load_paths([tmp_path / "r" / la], store, la=la)
        export(tmp_path / f"{la}.duckdb", key, tmp_path / f"x{la}", load_policy())
    import_extracts([tmp_path / f"x{la}" for la in las], tmp_path / "pool")
    db = PoolDB(tmp_path / "pool")
    got = {(s.scope, s.result.id): s.result for s in compute_pool(db, PERIOD)}
    checked = 0
    for ind in all_indicators():
        whole = got[(POOL, ind.id)]
        if whole.value is None or "postcodes" in ind.needs:
            continue
        parts = [got[(la, ind.id)] for la in las]
        assert whole.numerator == sum(p.numerator for p in parts), ind.id
        if ind.template in (Template.share, Template.mean):
            assert whole.denominator == sum(p.denominator for p in parts), ind.id
        if ind.template is Template.rate:  # the pool's population is the sum of its LAs'
            assert whole.denominator == pytest.approx(sum(p.denominator for p in parts))
        checked += 1
    assert checked > 30
