"""Accessibility in a real browser: axe-core (from axe-playwright-python, which ships its
JavaScript, so nothing is fetched) runs its WCAG 2.0/2.1 A and AA rules on the main pages, signed
in as an analyst and as a manager, and on the sign-in and error pages; then a keyboard check.
One browser for the module, one context per user."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import FOCUS_STATE, audit, log_in

pytestmark = pytest.mark.browser


def _first_href(page: Any, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    assert href, f"no link {selector} on {page.url}"
    return str(href)


def test_pages_have_no_wcag_aa_violations(server: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []

    def visit(page: Any, name: str, path: str) -> None:
        response = page.goto(server + path)
        assert response is not None
        found.extend(audit(page, axe, name))

    # signed out: the sign-in page and the 401 page
    context = browser.new_context()
    page = context.new_page()
    visit(page, "login", "/login")
    visit(page, "401", "/")
    assert page.locator(".error-summary").get_attribute("data-error-status") == "401"
    context.close()

    # an analyst: everything, down to a rule's issues and a child
    context = browser.new_context()
    page = log_in(context.new_page(), server, "analyst")
    for name, path in (
        ("overview", "/"),
        ("upload", "/upload"),
        ("validation", "/validation"),
    ):
        visit(page, f"analyst {name}", path)
    rule = _first_href(page, "#rules tbody a[href^='/validation/rules/']")
    visit(page, "analyst rule issues", rule)
    child = _first_href(page, "#issues tbody a[href^='/children/']")
    visit(page, "analyst child", child)
    for name, path in (
        ("framework", "/framework"),
        ("indicator", "/framework/cla_at_end"),
        ("indicator children", "/framework/cla_at_end/children"),
        ("benchmarks", "/benchmarks"),
        ("benchmark measure", "/benchmarks/measure?key=ReReferral"),
        ("explorer", "/benchmarks/explore?measure=ReReferral&compare_year=2023"),
        ("briefing", "/briefing"),
        ("subscribers", "/subscribers"),
    ):
        visit(page, f"analyst {name}", path)
    context.close()

    # a manager: the aggregated pages, and the 403 page
    context = browser.new_context()
    page = log_in(context.new_page(), server, "manager")
    for name, path in (
        ("overview", "/"),
        ("validation", "/validation"),
        ("framework", "/framework"),
        ("indicator", "/framework/cla_at_end"),
        ("benchmarks", "/benchmarks"),
        ("explorer", "/benchmarks/explore?measure=ReReferral&compare_year=2023"),
        ("briefing", "/briefing"),
    ):
        visit(page, f"manager {name}", path)
    visit(page, "403", "/upload")
    assert page.locator(".error-summary").get_attribute("data-error-status") == "403"
    context.close()

    assert not found, f"{len(found)} accessibility violations:\n" + "\n".join(found)


def test_keyboard_skip_link_first_and_every_focus_visible(server: str, browser: Any) -> None:
    context = browser.new_context()
    page = log_in(context.new_page(), server, "analyst")
    # an indicator's page has the header, the navigation, the charts' tables and a form
    page.goto(server + "/framework/cla_at_end")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["width"] > 0  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")  # on from the start of the content, not back to the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")

    # every tab stop, from the top, shows where the focus is, its text readable (AA, 4.5:1)
    page.goto(server + "/framework/cla_at_end")
    bad, stops = [], 0
    for _ in range(200):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        stops += 1
        if not state["indicator"]:
            bad.append(f"{state['what']}: no focus indicator")
        if state["text"] and state["contrast"] < 4.5:
            bad.append(f"{state['what']}: text contrast {state['contrast']:.2f} when focused")
    assert stops > 10, stops
    assert not bad, "\n".join(bad)
    context.close()
