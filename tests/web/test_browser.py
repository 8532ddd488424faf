"""In a real browser (Debian's Chromium through Playwright): sign in, upload a synthetic return,
drill from a rule to a child, change a target, export; keyboard and CSP checks on the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.browser import serving
from tests.web.conftest import PASSWORD, make_workbench

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    wb = make_workbench(tmp_path_factory.mktemp("browser"), None)
    with serving(wb) as address:
        yield address
    wb.close()


def test_analyst_uploads_drills_sets_a_target_and_exports(
    server: str,
    browser,  # type: ignore[no-untyped-def]
    returns_dir: Path,
    tmp_path: Path,
) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    # a page that needs signing in says so, and the focus goes to that message
    page.goto(server + "/")
    assert page.locator(".error-summary").get_attribute("data-error-status") == "401"
    assert page.evaluate("document.activeElement.className") == "error-summary"
    # signing in: the first Tab reaches the skip link, which moves the focus to the content
    page.goto(server + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.fill("#username", "analyst")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(server + "/")
    assert page.locator("h1").inner_text().startswith("Overview")

    # uploading one year of both returns, with progress, through HTMX
    year = returns_dir / "2024-25"
    page.click("nav >> text=Upload returns")
    page.set_input_files(
        "#files",
        [str(year / "cin_census.xml"), *sorted(map(str, (year / "ssda903").glob("*.csv")))],
    )
    page.click("button:has-text('Upload and check')")
    page.wait_for_selector("section.job[data-state=done]", timeout=120_000)
    assert "Problems reading the files" in page.inner_text("#job")

    # validation: from a rule to its issues, to the child
    page.click("text=See validation by rule")
    page.wait_for_selector("#rules")
    page.click("#rules tbody tr >> nth=0 >> a")
    page.wait_for_selector("#issues")
    page.click("#issues tbody a[href^='/children/'] >> nth=0")
    page.wait_for_selector("text=Records in the returns")
    assert page.locator("h1").inner_text().startswith("Child ")

    # the framework: change a target, see it saved
    page.click("nav >> text=Performance framework")
    page.click("table.framework a[href^='/framework/cla_at_end']")
    page.fill("#target-value", "123")
    page.click("button:has-text('Save target')")
    page.wait_for_selector("text=Target saved.")
    assert "123" in page.inner_text("#main")

    # exports: the framework workbook
    page.click("nav >> text=Performance framework")
    with page.expect_download() as dl:
        page.click("text=Download as Excel")
    target = tmp_path / "framework.xlsx"
    dl.value.save_as(target)
    assert target.read_bytes()[:2] == b"PK"

    # no script or style was refused by the CSP, no script error, nothing missing
    # (but the one 401 asked for above)
    assert [p for p in problems if "status of 401" not in p] == [], problems
    context.close()
