"""The early-years pages in a real browser (Debian's Chromium): axe-core's WCAG 2.1 AA rules on
the counts page and the children page, and the virtual school rejecting a proposed link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import audit, log_in, serving
from tests.web.conftest import make_workbench
from tests.web.early_years_data import early_years_db

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = early_years_db(tmp_path_factory.mktemp("eyb"))
    wb = make_workbench(tmp_path_factory.mktemp("eybweb"), db, validate=False)
    with serving(wb) as address:
        yield address
    wb.close()


def test_early_years_pages_in_a_browser(server: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    manager = log_in(browser.new_context().new_page(), server, "manager")
    manager.click("nav >> text=Early years")
    manager.wait_for_url(server + "/early-years")
    assert manager.locator("#ey-summary").is_visible()
    assert manager.locator("a[href='/early-years/children']").count() == 0
    found += audit(manager, axe, "manager early years")

    vs = log_in(browser.new_context().new_page(), server, "virtual_school")
    vs.goto(server + "/early-years")
    found += audit(vs, axe, "virtual school early years")
    vs.click("a[href='/early-years/children']")
    vs.wait_for_url(server + "/early-years/children")
    assert vs.locator("#ey-children tbody tr").count() > 0
    assert vs.locator("#ey-requests a").count() > 0
    found += audit(vs, axe, "virtual school children")
    rows = vs.locator("#ey-review tbody tr")
    before = rows.count()
    if before:
        rows.first.locator("button[value='reject']").click()
        vs.wait_for_url("**/early-years/children?decided=reject#review")
        # gone, with the same child's row from a second setting (one decision covers both)
        assert 0 <= vs.locator("#ey-review tbody tr").count() < before
    assert not found, "\n".join(found)
