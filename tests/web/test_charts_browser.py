"""The interactive charts in a real browser (Debian's Chromium through Playwright): the vendored
Vega scripts replace the server's drawings under the CSP (no console errors), a hover shows a
tooltip, a click on a point opens the national explorer for that year, the keyboard reads a
chart's figures one row at a time, and the explorer's measure is found by typing its title."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import log_in

pytestmark = pytest.mark.browser


def _page(browser: Any, server: str, problems: list[str]) -> Any:
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    # errors (a CSP violation is one) and charts left static count as problems
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" or "left static" in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    return log_in(page, server, "manager")


def _indicator_with_funnel(wb: Any) -> str:
    year = max(wb.years())
    for ind in wb.measure_keys():
        if wb.funnel(ind, year) is not None:
            return str(ind)
    raise AssertionError("no indicator has a funnel plot")


def test_charts_become_interactive_with_tooltips_and_click_through(
    server: str, wb: Any, browser: Any
) -> None:
    problems: list[str] = []
    page = _page(browser, server, problems)
    ind = _indicator_with_funnel(wb)
    page.goto(f"{server}/framework/{ind}")
    boxes = page.locator("[data-vega-spec]")
    assert boxes.count() == 3
    # (waited for by locator: the CSP forbids the eval that wait_for_function would need)
    page.locator("[data-interactive=true]").nth(2).wait_for(state="attached", timeout=20000)
    # the static drawing is gone, Vega's own SVG is there, named by the chart's description
    trend = page.locator("#trend .chart__live svg")
    assert trend.count() == 1 and "England" in (trend.get_attribute("aria-label") or "")
    assert page.locator("#trend .chart__svg > svg").count() == 0
    # hovering a point shows its figures
    point = page.locator("#trend .chart__live g.mark-symbol path").first
    point.scroll_into_view_if_needed()
    point.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for(timeout=5000)
    assert "Year" in tooltip.inner_text() and "Series" in tooltip.inner_text()
    # a click on a point opens the national explorer for that measure and year
    point.click(force=True)
    page.wait_for_url("**/benchmarks/explore?measure=*&year=*", timeout=10000)
    assert page.locator("#explore-summary").count() == 1
    assert not problems, problems  # no script error and no CSP violation


def test_keyboard_reads_a_chart_and_picks_a_measure(server: str, browser: Any) -> None:
    problems: list[str] = []
    page = _page(browser, server, problems)
    page.goto(f"{server}/benchmarks/measure?key=ReReferral")
    # Tab reaches the chart; the arrow keys read its table of figures, row by row
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(
            "document.activeElement.id === '' && "
            "document.activeElement.classList.contains('chart__svg')"
        ):
            break
    else:
        raise AssertionError("Tab never reached a chart")
    figure = page.evaluate("document.activeElement.closest('figure').id")
    rows = page.locator(f"#{figure}-table tbody tr")
    page.keyboard.press("ArrowDown")
    status = page.locator(f"#{figure} .chart__status")
    first = rows.nth(0).locator("th").inner_text()
    assert status.inner_text().startswith(first) and f"(1 of {rows.count()})" in status.inner_text()
    page.keyboard.press("ArrowDown")
    assert f"(2 of {rows.count()})" in status.inner_text()
    page.keyboard.press("End")
    assert f"({rows.count()} of {rows.count()})" in status.inner_text()

    # the explorer: a measure found by typing words of its title, with the keyboard only
    page.goto(f"{server}/benchmarks/explore")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "measure":
            break
    else:
        raise AssertionError("Tab never reached the measure field")
    options = page.locator("#measure-list option")
    title = next(
        o.get_attribute("label") or ""
        for o in options.all()
        if (o.get_attribute("value") or "") == "ReReferral"
    )
    assert "(%)" in title  # the unit is shown with the title
    page.keyboard.type(title.rsplit(" (", 1)[0] if title.count(" (") > 1 else title)
    page.keyboard.press("Enter")
    page.wait_for_url("**/benchmarks/explore?measure=*")
    assert "ReReferral" in page.locator("main").inner_text()
    page.locator("[data-interactive=true]").first.wait_for(state="attached", timeout=20000)
    assert not problems, problems


def test_benchmarks_filters_and_flag_notes_by_keyboard(server: str, browser: Any) -> None:
    problems: list[str] = []
    page = _page(browser, server, problems)
    page.goto(f"{server}/benchmarks?topic=all")
    # ticking "Flagged only" with the keyboard applies it at once
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "flagged":
            break
    else:
        raise AssertionError("Tab never reached the flagged-only box")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "flagged=true" in page.url
    rows = page.locator("#measures tbody tr:not(.bench__group)")
    assert rows.count() > 0 and rows.count() == page.locator("#measures tr.flagged").count()
    # a flag's note opens from the keyboard
    summary = page.locator("details.flag summary").first
    summary.focus()
    page.keyboard.press("Enter")
    note = page.locator("details.flag[open] p").first
    assert note.is_visible() and "may" in note.inner_text()
    assert summary.get_attribute("title")  # the note on hover too
    assert not problems, problems
