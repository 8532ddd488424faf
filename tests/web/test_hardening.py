"""The security hardening of issue 14 (OWASP ASVS level 2): one test (or a few) per finding.

1 sign-in back-off instead of lock-outs; 3 the body size limit on every route, while streaming;
5 sessions and the real client address behind a trusted proxy; 6 password strength;
7 audit rows naming the children shown; 8 private files, stale uploads, one transaction;
9 any child id can be opened; 10 `datamonger users`. (4 is in test_exports_cells.py, 11 in
test_export_queue.py, 2 in test_xlsx_bomb.py.)"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from datamonger.web import WebConfig, auth, create_app
from datamonger.web.config import CHEAP
from datamonger.web.services import Workbench
from tests.web.conftest import PASSWORD, audit_rows, csrf_from, sign_in
from tests.web.helpers import assert_error
from tests.web.live import live_server, raw_request

OTHER = "plum lantern okapi ribbon"


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Workbench]:
    wb = Workbench(WebConfig(db=tmp_path / "la.duckdb", argon2=CHEAP, warm_caches=False))
    for name, role in (("alice", "analyst"), ("boss", "administrator"), ("bob", "manager")):
        wb.accounts.create_user(name, PASSWORD, role, must_change=False)
    yield wb
    wb.close()


class Clock:
    """Stops `datamonger.web.auth.now`, and moves it on: back-off windows pass without sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = dt.timedelta()
        base = auth.now()
        monkeypatch.setattr(auth, "now", lambda: base + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)


def _login(c: Any, username: str, password: str, **headers: str) -> Any:
    token = csrf_from(c.get("/login", headers=headers).text)
    return c.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


# --- 1: back-off, not lock-out ----------------------------------------------------------------
def test_backoff_doubles_from_the_fifth_failure_and_the_right_password_works_after_it(
    fresh: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        for _ in range(4):
            assert_error(_login(c, "alice", "wrong horse battery"), 400, "bad_request")
        assert _login(c, "alice", PASSWORD).status_code == 303  # four failures: no pause
        c.cookies.clear()
        waits = []
        for _ in range(5):
            assert_error(_login(c, "alice", "wrong horse battery"), 400, "bad_request")
        for _ in range(4):  # after the 5th failure: 1 s, then 2, 4, 8 s
            r = _login(c, "alice", PASSWORD)
            assert_error(r, 429, "too_many_attempts")
            waits.append(int(r.headers["retry-after"]))
            clock.advance(waits[-1] + 0.1)
            assert_error(_login(c, "alice", "wrong horse battery"), 400, "bad_request")
        assert waits == [1, 2, 4, 8]
        # the cap: however many failures, at most 15 minutes
        fresh.web.execute("UPDATE login_throttle SET failures = 60 WHERE kind = 'user'")
        clock.advance(3600)
        assert_error(_login(c, "alice", "wrong horse battery"), 400, "bad_request")
        r = _login(c, "alice", PASSWORD)
        assert_error(r, 429, "too_many_attempts")
        assert 800 < int(r.headers["retry-after"]) <= 900
        # after the window the right password works: no hard lock
        clock.advance(901)
        assert _login(c, "alice", PASSWORD).status_code == 303
        # other accounts were never paused
        c.cookies.clear()
        assert _login(c, "bob", PASSWORD).status_code == 303


def test_throttled_attempts_are_counted_not_written_to_the_audit_log(
    fresh: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        for _ in range(5):
            _login(c, "alice", "wrong horse battery")
        before = len(audit_rows(fresh))
        for _ in range(30):
            assert _login(c, "alice", "wrong horse battery").status_code == 429
        assert len(audit_rows(fresh)) == before  # no audit row per throttled attempt
        row = fresh.web.one(
            "SELECT failures, throttled FROM login_throttle WHERE kind = 'user' AND key = 'alice'"
        )
        assert row == {"failures": 5, "throttled": 30}


def test_an_administrator_unlocks_and_a_reset_clears_the_backoff(
    fresh: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as attacker, TestClient(app) as admin:
        sign_in(admin, "boss")
        for _ in range(12):
            _login(attacker, "alice", "wrong horse battery")
        assert _login(attacker, "alice", PASSWORD).status_code == 429
        token = csrf_from(admin.get("/admin/users").text)
        r = admin.post(
            "/admin/users/alice",
            data={"action": "unlock", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert _login(attacker, "alice", PASSWORD).status_code == 303
        assert audit_rows(fresh, "unlock_user")[-1]["detail"]["user"] == "alice"
        attacker.cookies.clear()
        for _ in range(12):
            _login(attacker, "alice", "wrong horse battery")
        r = admin.post(
            "/admin/users/alice", data={"action": "reset", "csrf_token": token}
        )  # an administrator's reset lifts the pause too
        password = re.search(r'<code class="secret">([^<]+)</code>', r.text)
        assert password
        r = _login(attacker, "alice", password.group(1))
        assert r.status_code == 303 and r.headers["location"] == "/account/password"


def test_the_per_address_limit_keys_on_the_real_client_address(fresh: Workbench) -> None:
    app = create_app(fresh.config, fresh)
    with (
        live_server(app, forwarded_allow_ips="127.0.0.1") as base,
        httpx.Client(base_url=base, timeout=10) as c,
    ):
        # twenty failures from one client behind the proxy...
        for n in range(20):
            r = _login(c, f"nobody{n}", "wrong horse battery", **{"X-Forwarded-For": "10.0.0.1"})
            assert r.status_code == 400
        r = _login(c, "alice", PASSWORD, **{"X-Forwarded-For": "10.0.0.1"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        # ...do not pause everyone else behind the same proxy
        c.cookies.clear()
        r = _login(c, "alice", PASSWORD, **{"X-Forwarded-For": "10.0.0.2"})
        assert r.status_code == 303
    assert {r["ip"] for r in audit_rows(fresh, "login_failed")} == {"10.0.0.1"}
    assert audit_rows(fresh, "login")[-1]["ip"] == "10.0.0.2"


# --- 3: the body size limit, while streaming, on every route ----------------------------------
@pytest.fixture
def small(tmp_path: Path) -> Iterator[Workbench]:
    wb = Workbench(
        WebConfig(
            db=tmp_path / "la.duckdb",
            argon2=CHEAP,
            warm_caches=False,
            max_upload_bytes=256 * 1024,
            max_form_bytes=16 * 1024,
        )
    )
    wb.accounts.create_user("alice", PASSWORD, "analyst", must_change=False)
    yield wb
    wb.close()


def _chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    """A multipart body with one file, `total` bytes long, never finished."""
    yield (
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="files"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_a_large_content_length_is_refused_before_the_body_is_read(small: Workbench) -> None:
    app = create_app(small.config, small)
    with live_server(app) as base:
        # 600 MiB announced, nothing sent: the answer must come at once
        for path in ("/login", "/upload", "/validation/run", "/nowhere"):
            status, _, body = raw_request(
                base,
                f"POST {path} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/"
                f"x-www-form-urlencoded\nContent-Length: {600 * 1024 * 1024}",
                timeout=5,
            )
            assert status == 413, (path, status, body[:200])
            assert b"too_large" in body


def test_a_chunked_body_is_refused_once_over_the_limit(small: Workbench) -> None:
    app = create_app(small.config, small)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as c:
        sign_in(c, "alice")  # type: ignore[arg-type]
        token = csrf_from(c.get("/upload").text)
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        head = (
            "POST {path} HTTP/1.1\nHost: 127.0.0.1\nTransfer-Encoding: chunked\n"
            f"Cookie: {cookie}\nX-CSRF-Token: {token}\n"
            "Content-Type: multipart/form-data; boundary=BOUNDARY"
        )
        status, _, body = raw_request(
            base, head.format(path="/upload"), _chunks(4 * 1024 * 1024), timeout=10
        )
        assert status == 413 and b"too_large" in body
        # every other route has a far smaller limit
        status, _, body = raw_request(
            base, head.format(path="/login"), _chunks(1024 * 1024), timeout=10
        )
        assert status == 413 and b"too_large" in body
        # under the limit, a chunked upload is still read (and refused for its content only)
        status, _, body = raw_request(base, head.format(path="/upload"), iter([b"--BOUNDARY--"]))
        assert status == 400
    assert not small.jobs


# --- 5: sessions, Secure cookies, the real client address ---------------------------------------
def test_changing_the_password_ends_the_other_sessions(fresh: Workbench) -> None:
    app = create_app(fresh.config, fresh)
    with TestClient(app) as mine, TestClient(app) as other:
        sign_in(mine, "alice")
        sign_in(other, "alice")
        token = csrf_from(mine.get("/account/password").text)
        r = mine.post(
            "/account/password",
            data={"current": PASSWORD, "new": OTHER, "confirm": OTHER, "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert mine.get("/").status_code == 200
        assert_error(other.get("/"), 401, "not_signed_in")


def test_signing_in_again_ends_the_earlier_session(fresh: Workbench) -> None:
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        sign_in(c, "alice")
        first = c.cookies.get("dm_session")
        assert _login(c, "alice", PASSWORD).status_code == 303
        assert c.cookies.get("dm_session") != first
        assert fresh.web.scalar("SELECT count(*) FROM sessions WHERE username = 'alice'") == 1
        c.cookies.set("dm_session", first or "")
        assert_error(c.get("/"), 401, "not_signed_in")


def test_cookies_are_secure_behind_a_trusted_https_proxy(fresh: Workbench) -> None:
    app = create_app(fresh.config, fresh)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"}
    with (
        live_server(app, forwarded_allow_ips="127.0.0.1") as base,
        httpx.Client(base_url=base, timeout=10) as c,
    ):
        page = c.get("/login", headers=https)
        assert "secure" in page.headers["set-cookie"].lower()
        anon = page.headers["set-cookie"].split(";")[0]  # (httpx keeps Secure ones for https)
        r = c.post(
            "/login",
            data={"username": "alice", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
            headers={**https, "Cookie": anon},
            follow_redirects=False,
        )
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "dm_session=" in cookie and "secure" in cookie
        assert audit_rows(fresh, "login")[-1]["ip"] == "192.0.2.7"
    # without --forwarded-allow-ips the headers are not believed
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as c:
        r = _login(c, "alice", PASSWORD, **https)
        assert r.status_code == 303 and "secure" not in r.headers["set-cookie"].lower()
        assert audit_rows(fresh, "login")[-1]["ip"] == "127.0.0.1"


def test_serve_takes_the_trusted_proxies() -> None:
    from typer.testing import CliRunner

    from datamonger.cli.app import app as cli
    from datamonger.cli.serve import uvicorn_options

    assert "--forwarded-allow-ips" in CliRunner().invoke(cli, ["serve", "--help"]).output
    assert uvicorn_options("127.0.0.1", 8000, None)["proxy_headers"] is False
    opts = uvicorn_options("127.0.0.1", 8000, "10.1.2.3")
    assert opts["proxy_headers"] is True and opts["forwarded_allow_ips"] == "10.1.2.3"
