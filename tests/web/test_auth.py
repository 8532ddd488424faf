"""Accounts and sessions: the first administrator, argon2 hashes, the key file, sign-in, forced
password change, throttling, session expiry and sign-out, security headers."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datamonger.web import WebConfig, create_app
from datamonger.web.config import CHEAP
from datamonger.web.services import Workbench
from tests.web.conftest import PASSWORD, csrf_from, sign_in
from tests.web.helpers import assert_error


@pytest.fixture
def fresh(tmp_path: Path):  # type: ignore[no-untyped-def]
    wb = Workbench(
        WebConfig(
            db=tmp_path / "la.duckdb",
            argon2=CHEAP,
            warm_caches=False,
            throttle_per_user=3,
            throttle_per_ip=5,
        )
    )
    yield wb
    wb.close()


def _login(c: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_from(c.get("/login").text)
    return c.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_first_start_creates_one_admin_with_a_random_password(
    fresh: Workbench, tmp_path: Path
) -> None:
    password = fresh.initial_password
    assert password and len(password) >= 16
    row = fresh.accounts.user_row("admin")
    assert row is not None
    assert row["role"] == "administrator" and row["must_change"]
    assert row["password_hash"].startswith("$argon2id$") and password not in row["password_hash"]
    key = fresh.config.secret_file
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    fresh.close()
    again = Workbench(fresh.config)  # a second start: no new admin, no password shown, same key
    try:
        assert again.initial_password is None
        assert again.accounts.secret == fresh.accounts.secret
    finally:
        again.close()


def test_key_file_is_tightened_to_0600(tmp_path: Path) -> None:
    key = tmp_path / "la.web.secret"
    key.write_text("a" * 64)
    key.chmod(0o644)
    wb = Workbench(WebConfig(db=tmp_path / "la.duckdb", argon2=CHEAP, warm_caches=False))
    wb.close()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_admin_must_change_the_first_password(fresh: Workbench) -> None:
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        r = _login(c, "admin", fresh.initial_password or "")
        assert r.status_code == 303 and r.headers["location"] == "/account/password"
        assert_error(c.get("/admin/users"), 403, "password_change_required")
        token = csrf_from(c.get("/account/password").text)
        bad = c.post(
            "/account/password",
            data={
                "current": fresh.initial_password,
                "new": "short",
                "confirm": "short",
                "csrf_token": token,
            },
        )
        assert_error(bad, 400, "bad_request")
        ok = c.post(
            "/account/password",
            data={
                "current": fresh.initial_password,
                "new": PASSWORD,
                "confirm": PASSWORD,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert ok.status_code == 303
        assert c.get("/admin/users").status_code == 200


def test_wrong_password_then_backoff_per_user_and_per_ip(fresh: Workbench) -> None:
    """Back-off from the 3rd failure for a user name and the 5th from an address (this
    fixture's thresholds); more in test_hardening.py."""
    fresh.accounts.create_user("alice", PASSWORD, "analyst", must_change=False)
    fresh.accounts.create_user("bob", PASSWORD, "analyst", must_change=False)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        for _ in range(3):
            assert_error(_login(c, "alice", "wrong password!"), 400, "bad_request")
        # alice is now paused, even with the right password
        r = _login(c, "alice", PASSWORD)
        assert_error(r, 429, "too_many_attempts")
        assert int(r.headers["retry-after"]) > 0
        # bob is not paused by alice's failures (per user)...
        assert _login(c, "bob", PASSWORD).status_code == 303
        c.cookies.clear()
        # ...but failures from one address pause every user there (per address)
        for name in ("carol", "dave"):
            _login(c, name, "wrong password!")
        assert_error(_login(c, "bob", PASSWORD), 429, "too_many_attempts")
    # the pause passes: attempts are allowed again
    fresh.web.execute("UPDATE login_throttle SET blocked_until = blocked_until - INTERVAL 1 DAY")
    with TestClient(app) as c:
        assert _login(c, "alice", PASSWORD).status_code == 303
    actions = [r["action"] for r in fresh.web.all("SELECT action FROM audit ORDER BY id")]
    assert actions.count("login_failed") == 5 and "login_throttled" not in actions


def test_sessions_expire_and_end_at_sign_out(fresh: Workbench) -> None:
    fresh.accounts.create_user("alice", PASSWORD, "manager", must_change=False)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        sign_in(c, "alice")
        assert c.get("/").status_code == 200
        cookie = c.cookies.get("dm_session")
        assert cookie and "alice" not in cookie
        # idle for longer than the idle limit: the session has ended
        fresh.web.execute(
            "UPDATE sessions SET last_seen = ?",
            [dt.datetime.now() - dt.timedelta(minutes=fresh.config.session_idle_minutes + 1)],
        )
        assert_error(c.get("/"), 401, "not_signed_in")
        sign_in(c, "alice")
        fresh.web.execute(
            "UPDATE sessions SET created_at = ?",
            [dt.datetime.now() - dt.timedelta(hours=fresh.config.session_max_hours + 1)],
        )
        assert_error(c.get("/"), 401, "not_signed_in")
        sign_in(c, "alice")
        old = c.cookies.get("dm_session")
        token = csrf_from(c.get("/").text)
        assert (
            c.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        )
        c.cookies.set("dm_session", old or "")  # replaying the old cookie does not work
        assert_error(c.get("/"), 401, "not_signed_in")
        c.cookies.set("dm_session", "forged.cookie.value")
        assert_error(c.get("/"), 401, "not_signed_in")


def test_disabling_a_user_ends_their_session(fresh: Workbench) -> None:
    fresh.accounts.create_user("alice", PASSWORD, "manager", must_change=False)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        sign_in(c, "alice")
        fresh.accounts.set_disabled("alice", True)
        assert_error(c.get("/"), 401, "not_signed_in")
        assert_error(_login(c, "alice", PASSWORD), 400, "bad_request")


def test_security_headers(fresh: Workbench) -> None:
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        for url in ("/login", "/", "/api/returns", "/static/app.css"):
            h = c.get(url).headers
            csp = h["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp
            assert h["x-frame-options"] == "DENY"
            assert h["x-content-type-options"] == "nosniff"
            assert h["referrer-policy"] == "no-referrer"
            if url.startswith("/static/"):
                assert "no-store" not in h["cache-control"]
            else:
                assert h["cache-control"] == "no-store"
    with TestClient(app) as c:
        page = c.get("/login")
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert "<script>" not in page.text and " onclick=" not in page.text


def test_sign_in_redirect_stays_on_this_site(fresh: Workbench) -> None:
    fresh.accounts.create_user("alice", PASSWORD, "manager", must_change=False)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        token = csrf_from(c.get("/login").text)
        r = c.post(
            "/login",
            data={
                "username": "alice",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "//evil.example/x",
            },
            follow_redirects=False,
        )
        assert r.headers["location"] == "/"


def test_admin_creates_a_user_who_must_change_the_password(fresh: Workbench) -> None:
    fresh.accounts.create_user("boss", PASSWORD, "administrator", must_change=False)
    app = create_app(fresh.config, fresh)
    with TestClient(app) as c:
        sign_in(c, "boss")
        token = csrf_from(c.get("/admin/users").text)
        r = c.post("/admin/users", data={"username": "Eve", "role": "manager", "csrf_token": token})
        assert r.status_code == 200
        import re

        password = re.search(r'<code class="secret">([^<]+)</code>', r.text)
        assert password
        dup = c.post(
            "/admin/users", data={"username": "eve", "role": "manager", "csrf_token": token}
        )
        assert_error(dup, 409, "conflict")
    with TestClient(app) as c2:
        r = _login(c2, "eve", password.group(1))
        assert r.headers["location"] == "/account/password"
