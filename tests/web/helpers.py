"""Shared checks for the web tests."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute

from datamonger.web.auth import Need

HTML_ERROR = re.compile(
    r'<div class="error-summary" role="alert" tabindex="-1" '
    r'data-error-status="(\d+)" data-error-code="([a-z_]+)">'
)


def assert_error(resp: Any, status: int, code: str | None = None) -> None:
    """The one error shape: JSON {"error": {status, code, message, hint}} or the HTML summary."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    if resp.headers.get("content-type", "").startswith("application/json"):
        body = resp.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"status", "code", "message", "hint"}
        assert body["error"]["status"] == status
        assert body["error"]["message"]
        if code:
            assert body["error"]["code"] == code
    else:
        found = HTML_ERROR.search(resp.text)
        assert found, resp.text[:1000]
        assert int(found.group(1)) == status
        if code:
            assert found.group(2) == code, found.group(2)


def routes(app: Any) -> list[tuple[str, str, Need | None]]:
    """(method, path, declared permission) for every route of the app."""
    from datamonger.web.routes import ROUTERS

    out = []
    every = [r for router in ROUTERS for r in router.routes]
    assert every and all(isinstance(r, APIRoute) for r in every)
    for r in every:
        assert isinstance(r, APIRoute)
        needs = [d.call for d in r.dependant.dependencies if isinstance(d.call, Need)]
        assert len(needs) <= 1, r.path
        for m in sorted(r.methods):
            out.append((m, r.path, needs[0] if needs else None))
    return out


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), path)
