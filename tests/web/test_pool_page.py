"""The workbench's regional pool page (`serve --pool`): every indicator per LA and for the pool,
as each LA's own database computes it; published (suppressed) for managers; no child listed;
role-gated and audited."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from datamonger.indicators import Period, compute
from datamonger.web import audit as audit_log
from datamonger.web import create_app
from datamonger.web.pages import number
from datamonger.web.services import Workbench
from tests.pool.conftest import LAS, YEAR, Partnership, partnership  # noqa: F401
from tests.web.conftest import make_workbench, sign_in
from tests.web.helpers import assert_error


@pytest.fixture(scope="module")
def pool_wb(
    tmp_path_factory: pytest.TempPathFactory,
    partnership: Partnership,  # noqa: F811
) -> Iterator[Workbench]:
    wb = make_workbench(tmp_path_factory.mktemp("poolweb"), None, pool=partnership.pool)
    yield wb
    wb.close()


@pytest.fixture(scope="module")
def pages(pool_wb: Workbench) -> Iterator[dict[str, str]]:
    """The /pool page as each role sees it (computed once per role form)."""
    out = {}
    with TestClient(create_app(pool_wb.config, pool_wb), base_url="http://testserver") as c:
        for role in ("analyst", "manager"):
            c.cookies.clear()
            sign_in(c, role)
            r = c.get("/pool")
            assert r.status_code == 200, r.text[:500]
            out[role] = r.text
    yield out


def _row(page: str, title: str) -> list[str]:
    """The cells (LAs in order, then the pool) of an indicator's row."""
    found = re.search(
        r'<tr><th scope="row">' + re.escape(html.escape(title)) + r"</th><td>[^<]*</td>(.*?)</tr>",
        page,
    )
    assert found, title
    return re.findall(r'<td class="num">([^<]*)</td>', found.group(1))


def _own(partnership: Partnership, ind: str) -> dict[str, object]:  # noqa: F811
    out = {}
    for la in LAS:
        con = duckdb.connect(str(partnership.dbs[la]), read_only=True)
        try:
            out[la] = compute(con, Period.census_year(YEAR), [ind], la=la)[0]
        finally:
            con.close()
    return out


def test_analyst_sees_each_las_own_figures(
    pages: dict[str, str],
    partnership: Partnership,  # noqa: F811
) -> None:
    page = pages["analyst"]
    for ind in ("referrals", "rereferrals_12m", "sgo_share"):
        own = _own(partnership, ind)
        title = own[LAS[0]].title  # type: ignore[attr-defined]
        cells = _row(page, title)
        assert len(cells) == len(LAS) + 1
        assert cells[: len(LAS)] == [number(own[la].value) for la in LAS]  # type: ignore[attr-defined]
        assert cells[-1] not in ("", "–", "c")
    assert "c = suppressed" in page and 'id="pool-published"' not in page


def test_manager_sees_the_published_figures(
    pages: dict[str, str],
    partnership: Partnership,  # noqa: F811
) -> None:
    own = _own(partnership, "sgo_share")
    small = [i for i, la in enumerate(LAS) if 1 <= (own[la].numerator or 0) <= 5]  # type: ignore[attr-defined]
    assert small, "the synthetic partnership should have a small SGO count"
    cells = _row(pages["manager"], own[LAS[0]].title)  # type: ignore[attr-defined]
    assert all(cells[i] == "c" for i in small)
    assert cells.count("c") >= 2  # never one alone: secondary suppression
    assert 'id="pool-published"' in pages["manager"]
    assert "secondary suppression" in pages["manager"]


def test_no_child_is_listed(pages: dict[str, str], partnership: Partnership) -> None:  # noqa: F811
    files = sorted(partnership.pool.glob("return=cin/year=*/la=*/*.parquet"))
    con = duckdb.connect()
    cols = {r[0] for r in con.sql(f"DESCRIBE SELECT * FROM '{files[0]}'").fetchall()}
    assert "LAchildID" in cols
    ids = {
        r[0] for f in files if "LAchildID" in {c[0] for c in con.sql(f"DESCRIBE '{f}'").fetchall()}
        for r in con.sql(f"SELECT DISTINCT LAchildID FROM '{f}'").fetchall() if r[0]
    }  # fmt: skip
    assert len(ids) > 100
    for page in pages.values():
        assert not any(p in page for p in ids)
        assert "/child" not in page


def test_gated_audited_and_only_when_serving_a_pool(
    pool_wb: Workbench, pages: dict[str, str], tmp_path: Path
) -> None:
    rows = [r for r in audit_log.read(pool_wb.web, "manager", "view") if r["resource"] == "pool"]
    assert rows and '"published": true' in rows[0]["detail"]
    rows = [r for r in audit_log.read(pool_wb.web, "analyst", "view") if r["resource"] == "pool"]
    assert rows and '"published": false' in rows[0]["detail"]
    with TestClient(create_app(pool_wb.config, pool_wb), base_url="http://testserver") as c:
        assert_error(c.get("/pool", headers={"accept": "application/json"}), 401)
        sign_in(c, "manager")
        assert 'href="/pool"' in c.get("/").text
        assert_error(c.get("/pool?year=1999", headers={"accept": "application/json"}), 400)
        assert_error(c.get("/pool?year=2030"), 409, "conflict")  # a year the pool lacks
    plain = make_workbench(tmp_path, None)
    try:
        with TestClient(create_app(plain.config, plain), base_url="http://testserver") as c:
            sign_in(c, "analyst")
            assert 'href="/pool"' not in c.get("/").text
            assert_error(c.get("/pool"), 404, "not_found")
    finally:
        plain.close()
