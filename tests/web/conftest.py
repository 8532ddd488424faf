"""Fixtures for the web tests: one small synthetic LA (two years of both returns), loaded and
validated once per test module into its own database, the real app over it, and one account
per role. Argon2 runs with the cheap test profile."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.web import WebConfig, create_app
from datamonger.web.config import CHEAP
from datamonger.web.services import Workbench

PASSWORD = "correct horse battery staple"
ROLES = ("administrator", "analyst", "manager", "virtual_school")


@pytest.fixture(scope="session")
def returns_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "returns"
    generate(out, children=150, year=2025, years=2, seed=3, error_rate=0.03)
    return out


@pytest.fixture(scope="session")
def loaded_db(tmp_path_factory: pytest.TempPathFactory, returns_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("db") / "datamonger.duckdb"
    with Store(db) as store:
        report = load_paths([returns_dir], store)
    assert report.loaded
    return db


def make_workbench(
    folder: Path, source: Path | None, validate: bool = True, pool: Path | None = None
) -> Workbench:
    db = folder / "datamonger.duckdb"
    if source is not None:
        shutil.copy(source, db)
    wb = Workbench(WebConfig(db=db, argon2=CHEAP, warm_caches=False, pool=pool))
    if source is not None and validate:
        wb.validate(sorted({(r, y) for r, y, _ in wb.stamp()}), "fixture")
    for role in ROLES:
        wb.accounts.create_user(role, PASSWORD, role, must_change=False)
    return wb


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory, loaded_db: Path) -> Iterator[Workbench]:
    w = make_workbench(tmp_path_factory.mktemp("web"), loaded_db)
    yield w
    w.close()


@pytest.fixture(scope="module")
def app(wb: Workbench):  # type: ignore[no-untyped-def]
    return create_app(wb.config, wb)


@pytest.fixture(scope="module")
def server(wb: Workbench) -> Iterator[str]:
    """The module's workbench served on a loopback port, for the browser tests."""
    from tests.web.browser import serving

    with serving(wb) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.web.browser import chromium

    with chromium() as b:
        yield b


def audit_rows(wb: Workbench, action: str | None = None) -> list[dict[str, Any]]:
    """The audit log in order, each row's detail read from its JSON (of one action, if given)."""
    rows = wb.web.all("SELECT * FROM audit ORDER BY id")
    for r in rows:
        r["detail"] = json.loads(r["detail"] or "{}")
    return [r for r in rows if action is None or r["action"] == action]


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def as_role(app):  # type: ignore[no-untyped-def]
    """as_role("analyst") -> a signed-in TestClient."""
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        c = TestClient(app, base_url="http://testserver")
        clients.append(c)
        return sign_in(c, role)

    yield make
    for c in clients:
        c.close()
