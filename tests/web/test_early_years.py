"""The early-years dashboard: counts for every role, children and the review queue for the
analyst and virtual-school roles only, every child-level view and export audited, decisions
remembered."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from datamonger.web.services import Workbench
from tests.web.conftest import audit_rows, csrf_from, make_workbench
from tests.web.early_years_data import early_years_db
from tests.web.helpers import assert_error


@pytest.fixture(scope="module")
def ey_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return early_years_db(tmp_path_factory.mktemp("eyweb"))


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory, ey_source: Path) -> Iterator[Workbench]:
    w = make_workbench(tmp_path_factory.mktemp("web"), ey_source, validate=False)
    yield w
    w.close()


def _child_ids(wb) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["child_id"] for r in wb.rows("SELECT child_id FROM ey_children_latest")]


def test_manager_sees_counts_and_trend_only(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    n = len(audit_rows(wb))
    r = c.get("/early-years")
    assert r.status_code == 200
    assert 'id="ey-summary"' in r.text and 'id="ey-trend"' in r.text
    assert "2025-03-31" in r.text and "2025-04-07" in r.text and "<svg" in r.text
    ids = _child_ids(wb)
    assert ids and not re.search("|".join(map(re.escape, ids)), r.text)
    assert "/early-years/children" not in r.text
    assert len(audit_rows(wb)) == n  # counts are not child-level
    for url in ("/early-years/children", "/early-years/export.xlsx",
                "/early-years/request.xlsx?la=333"):  # fmt: skip
        assert_error(c.get(url), 403, "forbidden")
    token = csrf_from(c.get("/account/password").text)
    resp = c.post(
        "/early-years/review",
        data={"fingerprint": "0" * 32, "child_id": "x", "decision": "accept", "csrf_token": token},
    )
    assert_error(resp, 403, "forbidden")


@pytest.mark.parametrize("role", ["analyst", "virtual_school"])
def test_children_page_is_shown_and_audited(wb, as_role, role: str) -> None:  # type: ignore[no-untyped-def]
    c = as_role(role)
    n = len(audit_rows(wb))
    r = c.get("/early-years/children")
    assert r.status_code == 200, r.text[:500]
    ids = _child_ids(wb)
    assert all(i in r.text for i in ids[:5])
    assert 'id="ey-children"' in r.text and "Since the last check" in r.text
    new = audit_rows(wb)[n:]
    assert len(new) == 1
    assert (new[0]["action"], new[0]["resource"], new[0]["role"]) == ("view", "early_years", role)
    detail = new[0]["detail"]
    assert detail["page"] == "early years children" and detail["children_count"] >= len(set(ids))


def test_workbook_and_request_exports_are_audited(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("virtual_school")
    n = len(audit_rows(wb))
    r = c.get("/early-years/export.xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "Children" in book.sheetnames
    page = c.get("/early-years/children").text
    la = re.search(r"/early-years/request.xlsx\?la=(\d{3})", page)
    assert la, "a child placed where no list came from needs a request"
    req = c.get(f"/early-years/request.xlsx?la={la.group(1)}")
    assert req.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(req.content)).active
    assert [x.value for x in ws[4]][:6] == [
        "forename", "surname", "date_of_birth", "upn", "postcode", "placed_since",
    ]  # fmt: skip
    exports = [a for a in audit_rows(wb)[n:] if a["action"] == "export"]
    assert [a["detail"]["file"] for a in exports] == [
        "early_years.xlsx", f"request-{la.group(1)}.xlsx",
    ]  # fmt: skip
    assert all(a["resource"] == "early_years" for a in exports)


def test_review_decision_is_remembered(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    queue = wb.rows("SELECT fingerprint, child_id FROM ey_review ORDER BY match_weight DESC")
    assert queue  # the fixture's twin at least
    first = queue[0]
    c = as_role("virtual_school")
    token = csrf_from(c.get("/account/password").text)
    r = c.post(
        "/early-years/review",
        data={**first, "decision": "reject", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert wb.rows(
        "SELECT decision, decided_by FROM ey_decisions WHERE fingerprint = ? AND child_id = ?",
        [first["fingerprint"], first["child_id"]],
    ) == [{"decision": "reject", "decided_by": "virtual_school"}]
    again = c.post("/early-years/review", data={**first, "decision": "reject", "csrf_token": token})
    assert_error(again, 404, "not_found")  # decided: no longer in the queue
    row = audit_rows(wb)[-1]
    assert (row["action"], row["resource"]) == ("edit", "early_years")


def _files(folder: Path, names: list[str]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("lists", (n, (folder / n).read_bytes(), "text/csv")) for n in names]


def test_a_check_runs_from_the_dashboard(wb, as_role, ey_source: Path) -> None:  # type: ignore[no-untyped-def]
    folder = ey_source.parent / "returns" / "early_years"
    c = as_role("virtual_school")
    token = csrf_from(c.get("/early-years").text)
    runs = len(wb.rows("SELECT run_id FROM ey_runs"))
    # A list with an unreadable date: refused whole, by file, line and field, naming no child.
    text = (folder / "ey_list_330.csv").read_text(encoding="utf-8").splitlines()
    cells = text[3].split(",")
    cells[2] = "31/02/2022"
    text[3] = ",".join(cells)
    bad = [("lists", ("week.csv", ("\n".join(text) + "\n").encode(), "text/csv"))]
    ids = ("identities", ("ids.csv", (folder / "identities.csv").read_bytes(), "text/csv"))
    r = c.post("/early-years/run", data={"csrf_token": token, "as_of": "2025-04-14"},
               files=[*bad, ids])  # fmt: skip
    assert_error(r, 400, "bad_request")
    assert "week.csv, line 4, date_of_birth" in r.text
    assert cells[0] not in r.text and "31/02/2022" not in r.text and "/tmp" not in r.text
    assert len(wb.rows("SELECT run_id FROM ey_runs")) == runs
    # The lists as sent: a third check is stored and shown in the trend.
    good = _files(folder, ["ey_list_330.csv", "ey_list_333.csv", "ey_list_334.csv"])
    r = c.post("/early-years/run", data={"csrf_token": token, "as_of": "2025-04-14"},
               files=[*good, ids], follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    assert len(wb.rows("SELECT run_id FROM ey_runs")) == runs + 1
    assert "2025-04-14" in c.get("/early-years").text
    row = audit_rows(wb)[-1]
    assert (row["action"], row["resource"]) == ("upload", "early_years")
    assert row["detail"]["files"][-1] == "ids.csv"
