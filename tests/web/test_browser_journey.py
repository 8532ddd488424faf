"""In a real browser (Debian's Chromium, axe-core): an analyst goes from a recording check to the
records behind it, to a child's journey and back; the pages pass WCAG 2.1 AA, the journey's
picture has its text alternative, the timeline is reachable by keyboard, and the CSP holds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser import FOCUS_STATE, audit, log_in

pytestmark = pytest.mark.browser


def test_recording_check_to_a_childs_journey(server: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context()
    page = log_in(context.new_page(), server, "analyst")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    violations: list[str] = []

    page.click("nav >> text=Practice or recording?")
    page.wait_for_selector("#recording")
    violations += audit(page, axe, "recording")
    page.click("a:has-text('records behind this check') >> nth=0")
    page.wait_for_selector("#children")
    assert "recorded in the audit log" in page.inner_text(".notice")
    violations += audit(page, axe, "recording children")
    page.click("#children tbody a[href^='/children/'] >> nth=0")
    page.wait_for_selector("#timeline")
    assert page.locator("h1").inner_text().startswith("Child ")
    # the picture shows, with a text alternative (the CSP allows it: no console errors)
    img = page.locator("figure.chart img")
    assert img.count() == 1
    assert str(img.get_attribute("alt")).startswith("Timeline from ")
    assert page.evaluate("document.querySelector('figure.chart img').naturalWidth") > 0
    assert page.locator("#timeline tbody tr").count() > 0
    violations += audit(page, axe, "journey")

    # the timeline's scrolling region takes the keyboard focus, and shows it
    page.reload()
    for _ in range(80):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("Journey"):
            break
    else:
        pytest.fail("the timeline cannot be reached with the keyboard")
    state = page.evaluate(FOCUS_STATE)
    assert state["indicator"], state
    context.close()

    # a manager's browser gets the 403 page for the same child
    child_url = page.url
    context = browser.new_context()
    page = log_in(context.new_page(), server, "manager")
    page.goto(child_url)
    assert page.locator(".error-summary").get_attribute("data-error-status") == "403"
    page.goto(server + "/recording")
    violations += audit(page, axe, "manager recording")
    context.close()

    assert not problems, problems
    assert not violations, "\n".join(violations)
