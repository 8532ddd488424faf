"""`datamonger explore --pool`: the pool's LAs ranked on an indicator, as each LA's own database
ranks them, with the pool's figure; `--publish` hides what the small-number convention hides."""

from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from datamonger.cli import benchmarks as _bench  # noqa: F401  (registers the command)
from datamonger.cli import pool as _pool  # noqa: F401
from datamonger.cli.app import app
from datamonger.indicators import Period, compute
from datamonger.pool.indicators import compute_pool
from datamonger.pool.views import PoolDB
from tests.pool.conftest import LAS, YEAR, Partnership

runner = CliRunner()
PERIOD = Period.census_year(YEAR)


def _explore(partnership: Partnership, *extra: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(
        app, ["explore", *extra, "--pool", str(partnership.pool), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.output)  # type: ignore[no-any-return]


def test_ranking_follows_each_las_own_figures(partnership: Partnership) -> None:
    got = _explore(partnership, "rereferrals_12m", "--year", str(YEAR))
    own = {}
    for la in LAS:
        con = duckdb.connect(str(partnership.dbs[la]), read_only=True)
        try:
            own[la] = compute(con, PERIOD, ["rereferrals_12m"], la=la)[0]
        finally:
            con.close()
    assert {r["la_number"]: r["value"] for r in got["las"]} == {la: own[la].value for la in LAS}
    assert all(own[la].value is not None for la in LAS)
    # lower is better for re-referrals: rank 1 is the lowest own figure (ties share a rank)
    assert got["rank_order"].startswith("1 = lowest")
    for r in got["las"]:
        assert r["rank"] == 1 + sum(own[o].value < own[r["la_number"]].value for o in LAS)
    assert [r["rank"] for r in got["las"]] == sorted(r["rank"] for r in got["las"])
    db = PoolDB(partnership.pool)
    try:
        whole = [s for s in compute_pool(db, PERIOD, ["rereferrals_12m"]) if s.scope == "pool"]
    finally:
        db.close()
    assert got["pool"]["value"] == whole[0].result.value
    assert got["pool"]["numerator"] > sum(own[la].numerator for la in LAS) - 1  # movers add


def test_publish_hides_small_counts_and_their_rates(partnership: Partnership) -> None:
    plain = _explore(partnership, "rereferrals_12m")
    # an indicator with small counts in the synthetic LAs, so suppression has work to do
    for ind in ("cpp_2yrs_at_end", "sgo_share", "adopted_share", "offending", "missing_children"):
        pub = _explore(partnership, ind, "--publish")
        small = [r for r in _explore(partnership, ind)["las"] if 1 <= (r["numerator"] or 0) <= 5]
        if small:
            break
    for r in pub["las"]:
        if r["suppressed"]:
            assert r["value"] is None and r["rank"] is None
        assert not (isinstance(r["numerator"], (int, float)) and 1 <= r["numerator"] <= 5)
    assert small, "no indicator with a count of 1 to 5 in the synthetic partnership"
    assert sum(1 for r in pub["las"] if r["suppressed"]) >= 2  # never one alone (secondary)
    assert "secondary suppression" in pub["note"]
    assert plain["note"] == ""


def test_bad_indicator_and_options_are_one_line(partnership: Partnership) -> None:
    res = runner.invoke(app, ["explore", "nonsense", "--pool", str(partnership.pool)])
    assert res.exit_code == 2 and "unknown indicator 'nonsense'" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(
        app, ["explore", "referrals", "--pool", str(partnership.pool), "--region", "London"]
    )
    assert res.exit_code == 2 and "do not apply with --pool" in res.output
    res = runner.invoke(app, ["explore", "referrals", "--pool", str(partnership.pool)])
    assert res.exit_code == 0 and "Whole pool" in res.output
