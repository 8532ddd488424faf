"""The audit log: each view or export of child-level data writes one row; nothing edits it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.web.conftest import csrf_from
from tests.web.helpers import fill, routes

WEB = Path(__file__).parents[2] / "src" / "datamonger" / "web"


def _rows(wb):  # type: ignore[no-untyped-def]
    return wb.web.all("SELECT * FROM audit ORDER BY id")


def test_viewing_a_child_writes_one_audit_row(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    child = wb.rows("SELECT child_id FROM children ORDER BY child_id LIMIT 1")[0]["child_id"]
    before = _rows(wb)
    r = c.get(f"/children/{child}")
    assert r.status_code == 200 and child in r.text
    new = _rows(wb)[len(before) :]
    assert len(new) == 1
    row = new[0]
    assert row["username"] == "analyst" and row["role"] == "analyst"
    assert (row["action"], row["resource"]) == ("view", "child")
    assert json.loads(row["detail"]) == {
        "page": "child",
        "children": [child],
        "children_count": 1,
    }
    assert row["ip"]


def test_child_level_views_and_exports_are_audited(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    issue = wb.issues({}, 1)[0][0]
    urls = [
        f"/validation/rules/{issue['return_name']}/{issue['rule']}",
        f"/validation/line?return={issue['return_name']}&table={issue['table']}"
        f"&file={issue['file']}&line={issue['line']}",
        "/framework/cla_at_end/children",
        "/framework/cla_at_end/children.csv",
        "/validation/export.xlsx",
        "/api/validation/issues",
        "/api/indicators/cla_at_end/children",
    ]
    for url in urls:
        n = len(_rows(wb))
        assert c.get(url).status_code == 200, url
        new = _rows(wb)[n:]
        assert len(new) == 1, url
        assert new[0]["resource"] == "child" and new[0]["action"] in ("view", "export")


def test_aggregated_pages_are_not_audited(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    n = len(_rows(wb))
    for url in ("/", "/framework", "/validation", "/api/indicators"):
        assert c.get(url).status_code == 200
    assert len(_rows(wb)) == n


def test_administrators_read_the_log(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    # a view of its own, so the test does not lean on what earlier tests left in the log
    child = wb.rows("SELECT child_id FROM children ORDER BY child_id DESC LIMIT 1")[0]["child_id"]
    assert as_role("analyst").get(f"/children/{child}").status_code == 200
    newest = _rows(wb)[-1]
    assert (newest["username"], newest["action"]) == ("analyst", "view")
    page = as_role("administrator").get("/admin/audit?action=view&username=analyst")
    assert page.status_code == 200 and 'id="audit"' in page.text
    assert child in page.text  # the row's detail names the child viewed


def test_no_route_edits_the_audit_log(app, wb, as_role) -> None:  # type: ignore[no-untyped-def]
    # nothing in the web package updates, deletes or drops the audit table
    for path in WEB.rglob("*.py"):
        text = path.read_text()
        for stmt in (
            r"UPDATE\s+audit",
            r"DELETE\s+FROM\s+audit",
            r"DROP\s+TABLE\s+(IF EXISTS\s+)?audit",
            r"TRUNCATE\s+audit",
            r"ALTER\s+TABLE\s+audit",
        ):
            assert not re.search(stmt, text, re.IGNORECASE), f"{path.name}: {stmt}"
    # every unsafe route, called by an administrator and an analyst, leaves earlier rows as they were
    c = as_role("analyst")
    before = _rows(wb)
    assert before
    admin = as_role("administrator")
    for client in (admin, c):
        token = csrf_from(client.get("/account/password").text)
        client.headers["X-CSRF-Token"] = token
        for method, path, _ in routes(app):
            if method != "POST" or path in ("/logout", "/upload", "/validation/run"):
                continue
            client.post(
                fill(path, {"indicator_id": "cla_at_end", "username": "manager"}),
                data={"id": "1", "detail": "x", "action": "enable"},
            )
    after = _rows(wb)
    assert after[: len(before)] == before
    # and there is no route under /admin/audit but the page that reads it
    audit_routes = [(m, p) for m, p, _ in routes(app) if "audit" in p]
    assert audit_routes == [("GET", "/admin/audit")]
