"""What the browser tests share: the workbench served on a free loopback port, Debian's Chromium
through Playwright (never a downloaded browser), signing in, and axe-core's WCAG audit."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from datamonger.web import create_app
from datamonger.web.services import Workbench

CHROMIUM = Path("/usr/bin/chromium")
# headless as root, and none of Chromium's own network traffic (this machine has no network)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serving(wb: Workbench) -> Iterator[str]:
    """The workbench's app served by uvicorn in a thread; yields its base address."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(create_app(wb.config, wb), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Tab through a page: for the focused element, whether it shows a focus indicator (an outline or a
# box shadow) and the contrast of its text against the background it has while focused. axe looks
# at the page at rest only, so a focus style that leaves white text on yellow goes unseen by it.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back = "rgb(255, 255, 255)";
  for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0) { back = getComputedStyle(e).backgroundColor; break; }
  }
  const [hi, lo] = [lum(cs.color), lum(back)].sort((a, b) => b - a);
  return {
    what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " +
      (el.innerText || el.name || "").trim().slice(0, 40),
    indicator: (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0)
      || cs.boxShadow !== "none",
    text: !!(el.innerText && el.innerText.trim()),
    contrast: (hi + 0.05) / (lo + 0.05),
  };
}"""

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}


def log_in(page: Any, server: str, username: str) -> Any:
    """Sign `page` in as `username` (the test accounts' password) and wait for the overview."""
    from tests.web.conftest import PASSWORD

    page.goto(server + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(server + "/")
    return page


def audit(page: Any, axe: Any, name: str) -> list[str]:
    """Run axe on the page as it stands, every <details> opened first so the tables behind the
    charts are checked too. Returns one line per violating element."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    results = axe.run(page, options=AXE_OPTIONS).response
    return [
        f"{name}: {v['id']} ({v['impact']}) at {', '.join(map(str, node['target']))}: {v['help']}"
        for v in results["violations"]
        for node in v["nodes"]
    ]
