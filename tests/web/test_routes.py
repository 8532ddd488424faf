"""Every route: declares one permission; answers the unauthenticated, the wrong role and bad input
with the one error shape; a manager reaches no child-level page, export or API route."""

from __future__ import annotations

import io
import re

import fastexcel
import pytest
from fastapi.testclient import TestClient

from datamonger.web.permissions import Role, can
from datamonger.web.routes import PUBLIC
from tests.web.conftest import csrf_from
from tests.web.helpers import assert_error, fill, routes

DUMMY = {
    "job_id": "0" * 32,
    "ret": "ssda903",
    "code": "101",
    "indicator_id": "rereferrals_12m",
    "child_id": "NOBODY",
    "username": "nobody",
}

# One bad request per route (method, path): what to send, and the status it must get.
BAD_INPUT: dict[tuple[str, str], tuple[str, dict[str, str] | None, int]] = {
    ("GET", "/"): ("/?year=x", None, 200),  # takes no input: ignored
    ("GET", "/healthz"): ("/healthz", None, 200),
    ("GET", "/login"): ("/login?next=//evil.example", None, 200),
    ("POST", "/login"): ("/login", {"username": "", "password": ""}, 400),
    ("POST", "/logout"): ("/logout", {}, 303),  # takes no input
    ("GET", "/account/password"): ("/account/password", None, 200),
    ("POST", "/account/password"): ("/account/password", {"current": "x"}, 400),
    ("GET", "/upload"): ("/upload", None, 200),
    ("POST", "/upload"): ("/upload", {"year": "20x5"}, 400),
    ("GET", "/upload/jobs/{job_id}"): ("/upload/jobs/nonexistent", None, 404),
    ("GET", "/validation"): ("/validation?severity=fatal", None, 400),
    ("POST", "/validation/run"): ("/validation/run", {}, 303),  # takes no input
    ("GET", "/validation/rules/{ret}/{code}"): ("/validation/rules/xyz/101", None, 404),
    ("GET", "/validation/line"): ("/validation/line?return=cin&table=x&file=y&line=-1", None, 400),
    ("GET", "/children/{child_id:path}"): ("/children/NOBODY", None, 404),
    ("GET", "/recording"): ("/recording?year=1999", None, 400),
    ("GET", "/recording/{check_id}/children"): ("/recording/no_such_check/children", None, 404),
    ("GET", "/validation/export.xlsx"): ("/validation/export.xlsx?year=1", None, 400),
    ("GET", "/framework"): ("/framework?year=1999", None, 400),
    ("GET", "/framework/export.xlsx"): ("/framework/export.xlsx?year=2030", None, 404),
    ("GET", "/framework/export.pdf"): ("/framework/export.pdf?year=abc", None, 400),
    ("GET", "/framework/{indicator_id}"): ("/framework/no_such_indicator", None, 404),
    ("GET", "/exports/{job_id}"): ("/exports/nonexistent", None, 404),
    ("GET", "/exports/{job_id}/file"): ("/exports/nonexistent/file", None, 404),
    ("POST", "/framework/{indicator_id}/target"): (
        "/framework/rereferrals_12m/target",
        {"target": "lots"},
        400,
    ),
    ("GET", "/framework/{indicator_id}/children"): (
        "/framework/rereferrals_12m/children?only=everyone",
        None,
        400,
    ),
    ("GET", "/framework/{indicator_id}/children.csv"): (
        "/framework/nope/children.csv",
        None,
        404,
    ),
    ("GET", "/benchmarks"): ("/benchmarks?q=" + "x" * 200, None, 400),
    ("GET", "/benchmarks/measure"): ("/benchmarks/measure?key=NoSuchMeasureAtAll", None, 400),
    ("GET", "/benchmarks/explore"): ("/benchmarks/explore?measure=NoSuchMeasure", None, 400),
    ("GET", "/briefing"): ("/briefing?edition=county", None, 400),
    ("GET", "/briefing/export.pdf"): ("/briefing/export.pdf?edition=national&year=20x5", None, 400),
    ("GET", "/subscribers"): ("/subscribers?page=x", None, 200),  # takes no input: ignored
    ("POST", "/subscribers"): (
        "/subscribers",
        {"name": "A", "email": "not-an-address", "edition": "national", "frequency": "release"},
        400,
    ),
    ("GET", "/subscribers/{subscriber_id}"): ("/subscribers/999999", None, 404),
    ("POST", "/subscribers/{subscriber_id}"): ("/subscribers/abc", {"name": "A"}, 400),
    ("POST", "/subscribers/{subscriber_id}/remove"): ("/subscribers/999999/remove", {}, 404),
    # the public pages of the emailed links: a forged token
    ("GET", "/briefing/preferences"): ("/briefing/preferences?token=forged", None, 400),
    ("POST", "/briefing/preferences"): (
        "/briefing/preferences?token=forged",
        {"action": "save", "edition": "national", "frequency": "monthly"},
        400,
    ),
    ("GET", "/briefing/unsubscribe"): ("/briefing/unsubscribe?token=forged", None, 400),
    ("POST", "/briefing/unsubscribe"): (
        "/briefing/unsubscribe?token=forged",
        {"List-Unsubscribe": "One-Click"},
        400,
    ),
    ("GET", "/admin/users"): ("/admin/users", None, 200),
    ("POST", "/admin/users"): ("/admin/users", {"username": "", "role": "analyst"}, 400),
    ("POST", "/admin/users/{username}"): ("/admin/users/nobody", {"action": "reset"}, 404),
    ("GET", "/admin/audit"): ("/admin/audit?before=0", None, 400),
    ("GET", "/admin/settings"): ("/admin/settings", None, 200),
    ("POST", "/admin/settings"): ("/admin/settings", {"neighbours": "1999"}, 400),
    ("GET", "/api/returns"): ("/api/returns", None, 200),
    ("GET", "/api/indicators"): ("/api/indicators?year=abc", None, 400),
    ("GET", "/api/indicators/{indicator_id}/children"): (
        "/api/indicators/nope/children",
        None,
        404,
    ),
    ("GET", "/api/validation/summary"): ("/api/validation/summary?severity=x", None, 400),
    ("GET", "/api/validation/issues"): ("/api/validation/issues?page=0", None, 400),
    ("GET", "/api/children/{child_id:path}"): ("/api/children/NOBODY", None, 404),
    ("GET", "/early-years"): ("/early-years?x=1", None, 200),  # takes no input
    ("GET", "/early-years/children"): ("/early-years/children?status=bogus", None, 400),
    ("POST", "/early-years/review"): ("/early-years/review", {"fingerprint": "zz"}, 400),
    ("GET", "/early-years/export.xlsx"): ("/early-years/export.xlsx", None, 404),  # no check yet
    ("GET", "/early-years/request.xlsx"): ("/early-years/request.xlsx?la=abc", None, 400),
    ("POST", "/early-years/run"): ("/early-years/run", {"as_of": "x"}, 400),
    ("GET", "/pool"): ("/pool?year=1999", None, 400),
}


def _call(c: TestClient, method: str, url: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    if method == "GET":
        return c.get(url, follow_redirects=False)
    return c.post(url, data=data or {}, follow_redirects=False)


def _token(c: TestClient) -> str:
    return csrf_from(c.get("/account/password").text)


def test_every_route_declares_one_permission(app) -> None:  # type: ignore[no-untyped-def]
    for method, path, need in routes(app):
        if (method, path) in PUBLIC:
            assert need is None or path == "/logout", path
        else:
            assert need is not None, f"{method} {path} declares no permission"


def test_every_route_has_a_bad_input_case(app) -> None:  # type: ignore[no-untyped-def]
    assert {(m, p) for m, p, _ in routes(app)} == set(BAD_INPUT)


def test_unauthenticated_gets_401_everywhere(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    for method, path, _ in routes(app):
        if (method, path) in PUBLIC:
            continue
        url = fill(path, DUMMY)
        assert_error(_call(client, method, url), 401, "not_signed_in")
        if path.startswith("/api/"):
            continue
        # the HTML 401 page offers the sign-in form in place
        if method == "GET":
            assert 'action="/login"' in client.get(url).text


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_wrong_role_gets_403_everywhere(app, as_role, role: str) -> None:  # type: ignore[no-untyped-def]
    c = as_role(role)
    c.headers["X-CSRF-Token"] = _token(c)
    checked = 0
    for method, path, need in routes(app):
        if need is None or can(role, need.action, need.resource):
            continue
        assert_error(_call(c, method, fill(path, DUMMY)), 403, "forbidden")
        checked += 1
    assert checked or role == "analyst"


def test_bad_input_gets_the_error_shape(app, as_role) -> None:  # type: ignore[no-untyped-def]
    clients = {r: as_role(r) for r in ("administrator", "analyst")}
    for c in clients.values():
        c.headers["X-CSRF-Token"] = _token(c)
    for method, path, need in routes(app):
        url, data, status = BAD_INPUT[(method, path)]
        if (method, path) in PUBLIC:
            c = TestClient(app, base_url="http://testserver")
            page = c.get("/login")
            data = dict(data or {}, csrf_token=csrf_from(page.text))
        else:
            assert need is not None
            role = "analyst" if can("analyst", need.action, need.resource) else "administrator"
            c = clients[role]
        resp = _call(c, method, url, data)
        if status >= 400:
            assert_error(resp, status)
        else:
            assert resp.status_code == status, (method, path, resp.status_code, resp.text[:300])
        if path == "/logout":  # signed out: sign in again for the rest
            clients["analyst"] = as_role("analyst")
            clients["analyst"].headers["X-CSRF-Token"] = _token(clients["analyst"])


def test_unknown_address_and_method(as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    assert_error(c.get("/no/such/page"), 404, "not_found")
    assert_error(c.get("/api/no/such/thing"), 404, "not_found")
    assert_error(c.delete("/framework"), 405, "method_not_allowed")


def test_post_without_csrf_token_is_refused(as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    assert_error(c.post("/framework/rereferrals_12m/target", data={"target": "5"}), 403, "csrf")
    assert_error(
        c.post(
            "/framework/rereferrals_12m/target",
            data={"target": "5", "csrf_token": "forged"},
        ),
        403,
        "csrf",
    )
    assert_error(c.post("/validation/run", headers={"X-CSRF-Token": "forged"}), 403, "csrf")


def _child_ids(wb) -> list[str]:  # type: ignore[no-untyped-def]
    rows = wb.rows("SELECT DISTINCT child_id FROM children ORDER BY child_id")
    return [r["child_id"] for r in rows]


def test_manager_reaches_no_child_level_route(app, wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    c.headers["X-CSRF-Token"] = _token(c)
    child = _child_ids(wb)[0]
    issue = wb.issues({}, 1)[0][0]
    real = dict(
        DUMMY,
        child_id=child,
        ret=issue["return_name"],
        code=issue["rule"],
    )
    child_routes = [(m, p) for m, p, n in routes(app) if n and n.resource in ("child", "return")]
    assert len(child_routes) >= 8
    for method, path in child_routes:
        assert_error(_call(c, method, fill(path, real)), 403, "forbidden")
    line = (
        f"/validation/line?return={issue['return_name']}&table={issue['table']}"
        f"&file={issue['file']}&line={issue['line']}"
    )
    assert_error(c.get(line), 403, "forbidden")
    assert_error(c.get(f"/children/{child}"), 403, "forbidden")
    assert_error(c.get(f"/api/children/{child}"), 403, "forbidden")
    assert_error(c.get("/validation/export.xlsx"), 403, "forbidden")


def test_manager_pages_and_exports_show_no_child_identifier(app, wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    ids = _child_ids(wb)
    assert ids
    pattern = re.compile("|".join(re.escape(i) for i in ids))
    pages = [
        "/",
        "/framework",
        "/framework/rereferrals_12m",
        "/framework/cla_at_end",
        "/validation",
        "/validation?severity=error",
        "/benchmarks",
        "/benchmarks/measure?key=ReReferral",
        "/benchmarks/explore?measure=ReReferral",
        "/api/indicators",
        "/api/validation/summary",
        "/api/returns",
        "/recording",
    ]
    for url in pages:
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert not pattern.search(resp.text), f"a child id on {url}"
        assert "/children/" not in resp.text and "/validation/rules/" not in resp.text, url
    xlsx = c.get("/framework/export.xlsx")
    assert xlsx.status_code == 200
    reader = fastexcel.read_excel(io.BytesIO(xlsx.content).getvalue())
    for name in reader.sheet_names:
        df = reader.load_sheet(name, header_row=None).to_arrow()
        text = " ".join(str(v) for col in df.columns for v in col.to_pylist())
        assert not pattern.search(text), f"a child id in sheet {name}"


def test_sign_in_returns_to_the_page_asked_for_with_its_query(client: TestClient) -> None:
    # an emailed "view in browser" link opened before signing in
    page = client.get("/briefing?edition=national&year=2024").text
    assert 'name="next" value="/briefing?edition=national&amp;year=2024"' in page
