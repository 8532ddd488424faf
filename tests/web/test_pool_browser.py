"""The regional pool page in a real browser: a manager reaches it from the menu, changes the year
with the form, sees the published (suppressed) figures, and axe-core finds no WCAG 2.1 AA
violation on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pool.conftest import YEAR, Partnership, partnership  # noqa: F401
from tests.web.browser import audit, chromium, log_in, serving
from tests.web.conftest import make_workbench

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    partnership: Partnership,  # noqa: F811
) -> Iterator[str]:
    wb = make_workbench(tmp_path_factory.mktemp("poolbrowser"), None, pool=partnership.pool)
    with serving(wb) as address:
        yield address
    wb.close()


def test_manager_reads_the_pool_page(server: str, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    with chromium() as browser:
        context = browser.new_context()
        page: Any = log_in(context.new_page(), server, "manager")
        page.click("nav >> text=Regional pool")
        page.wait_for_url(server + "/pool")
        assert page.locator("#pool-published").is_visible()
        page.select_option("#pool-year", str(YEAR - 1))
        page.click("button:has-text('Show')")
        page.wait_for_url(f"{server}/pool?year={YEAR - 1}")
        assert f"{YEAR - 2}/{str(YEAR - 1)[-2:]}" in page.inner_text("main")  # 2023/24
        cells = page.locator("#pool-table tbody td.num").all_inner_texts()
        assert cells and any(c == "c" for c in cells)
        assert any(c not in ("c", "–") for c in cells)
        found = audit(page, Axe(), "manager pool")
        context.close()
    assert not found, "\n".join(found)
