"""Accounts, passwords, sessions, CSRF and login throttling.

- Passwords: argon2id (argon2-cffi); only the hash is stored. At first start one administrator
  is created with a random password printed once, which must be changed at first sign-in.
- Sessions: a random id kept server-side (so signing out and disabling a user end it at once),
  sent as a cookie signed with itsdangerous; it expires after `session_idle_minutes` without use
  and `session_max_hours` after sign-in. HttpOnly, SameSite=Strict, Secure over HTTPS.
- CSRF: every unsafe request carries the session's token (form field `csrf_token` or header
  `X-CSRF-Token`, which HTMX sends). Before sign-in the token is tied to a signed random cookie.
- Throttling: more than `throttle_per_user` failures for a user name, or `throttle_per_ip`
  from one address, within `throttle_window_minutes` refuse further attempts until the window
  passes (429, with Retry-After).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from datamonger.web.config import WebConfig
from datamonger.web.errors import WebError
from datamonger.web.permissions import Role, can, check_declared
from datamonger.web.webdb import WebDB

SESSION_COOKIE = "dm_session"
ANON_COOKIE = "dm_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


def now() -> dt.datetime:
    return dt.datetime.now()


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    must_change: bool
    session_id: str
    csrf: str


class Accounts:
    def __init__(self, db: WebDB, config: WebConfig, secret: bytes) -> None:
        self.db = db
        self.config = config
        self.secret = secret
        p = config.argon2
        self.hasher = PasswordHasher(
            time_cost=p.time_cost, memory_cost=p.memory_cost, parallelism=p.parallelism
        )
        self.signer = URLSafeTimedSerializer(secret, salt="datamonger-session")
        self.anon_signer = URLSafeTimedSerializer(secret, salt="datamonger-anon")
        # A hash to verify against when the user does not exist, so timing does not tell.
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))

    # --- users ---------------------------------------------------------------------------------
    def ensure_first_admin(self) -> str | None:
        """At first start: create `admin` with a random password; return it (shown once)."""
        if self.db.scalar("SELECT count(*) FROM users"):
            return None
        password = secrets.token_urlsafe(15)
        self.create_user("admin", password, Role.administrator, must_change=True)
        return password

    def validate_username(self, username: str) -> str:
        name = username.strip().lower()
        if not 2 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
            raise WebError(
                "bad_request",
                "A user name has 2 to 64 characters: letters, digits, '.', '_', '-' or '@'.",
            )
        return name

    def validate_password(self, password: str, username: str) -> None:
        if len(password) < self.config.min_password_length:
            raise WebError(
                "bad_request",
                f"The password must have at least {self.config.min_password_length} characters.",
                "A few unrelated words make a long password that is easy to remember.",
            )
        if password.lower() == username.lower() or username.lower() in password.lower():
            raise WebError("bad_request", "The password must not contain the user name.")

    def create_user(self, username: str, password: str, role: str, must_change: bool = True) -> str:
        name = self.validate_username(username)
        try:
            Role(role)
        except ValueError:
            raise WebError("bad_request", f"Unknown role '{role}'.") from None
        self.validate_password(password, name)
        if self.db.scalar("SELECT count(*) FROM users WHERE username = ?", [name]):
            raise WebError("conflict", f"A user called '{name}' already exists.")
        self.db.execute(
            "INSERT INTO users (username, password_hash, role, must_change, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [name, self.hasher.hash(password), str(role), must_change, now()],
        )
        return name

    def user_row(self, username: str) -> dict[str, Any] | None:
        return self.db.one("SELECT * FROM users WHERE username = ?", [username])

    def users(self) -> list[dict[str, Any]]:
        return self.db.all(
            "SELECT username, role, must_change, disabled, created_at, password_changed_at "
            "FROM users ORDER BY username"
        )

    def set_password(self, username: str, password: str, must_change: bool) -> None:
        self.validate_password(password, username)
        self.db.execute(
            "UPDATE users SET password_hash = ?, must_change = ?, password_changed_at = ? "
            "WHERE username = ?",
            [self.hasher.hash(password), must_change, now(), username],
        )
        if must_change:  # an administrator reset it: end the user's sessions
            self.end_sessions(username)

    def set_role(self, username: str, role: str) -> None:
        Role(role)
        self.db.execute("UPDATE users SET role = ? WHERE username = ?", [role, username])
        self.end_sessions(username)

    def set_disabled(self, username: str, disabled: bool) -> None:
        self.db.execute("UPDATE users SET disabled = ? WHERE username = ?", [disabled, username])
        if disabled:
            self.end_sessions(username)

    def verify(self, username: str, password: str) -> dict[str, Any] | None:
        row = self.user_row(username)
        if row is None or row["disabled"]:
            with contextlib.suppress(VerificationError):
                self.hasher.verify(self._dummy, password)
            return None
        try:
            self.hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(row["password_hash"]):
            self.db.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?",
                [self.hasher.hash(password), username],
            )
        return row

    # --- throttling ------------------------------------------------------------------------------
    def throttled(self, username: str, ip: str) -> int | None:
        """Seconds to wait, when too many recent failures; None when an attempt is allowed."""
        since = now() - dt.timedelta(minutes=self.config.throttle_window_minutes)
        row = self.db.one(
            "SELECT count(*) FILTER (WHERE username = ?) AS by_user, "
            "count(*) FILTER (WHERE ip = ?) AS by_ip, min(happened_at) FILTER (WHERE username = ?) AS u0, "
            "min(happened_at) FILTER (WHERE ip = ?) AS i0 FROM login_failures WHERE happened_at >= ?",
            [username, ip, username, ip, since],
        )
        assert row is not None
        starts = []
        if row["by_user"] >= self.config.throttle_per_user:
            starts.append(row["u0"])
        if row["by_ip"] >= self.config.throttle_per_ip:
            starts.append(row["i0"])
        if not starts:
            return None
        until = min(starts) + dt.timedelta(minutes=self.config.throttle_window_minutes)
        return max(int((until - now()).total_seconds()) + 1, 1)

    def record_failure(self, username: str, ip: str) -> None:
        self.db.execute(
            "INSERT INTO login_failures VALUES (?, ?, ?)", [now(), username[:64], ip[:64]]
        )

    # --- sessions --------------------------------------------------------------------------------
    def start_session(self, username: str, ip: str) -> str:
        sid = secrets.token_urlsafe(32)
        t = now()
        self.db.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
            [_digest(sid), username, secrets.token_urlsafe(32), t, t, ip],
        )
        return self.signer.dumps(sid)

    def end_session(self, cookie: str | None) -> None:
        sid = self._sid(cookie)
        if sid:
            self.db.execute("DELETE FROM sessions WHERE id = ?", [_digest(sid)])

    def end_sessions(self, username: str) -> None:
        self.db.execute("DELETE FROM sessions WHERE username = ?", [username])

    def _sid(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            sid = self.signer.loads(cookie, max_age=self.config.session_max_hours * 3600)
        except BadSignature:
            return None
        return sid if isinstance(sid, str) else None

    def current(self, request: Request) -> User | None:
        if "dm_user" in request.scope:
            user: User | None = request.scope["dm_user"]
            return user
        user = self._current(request)
        request.scope["dm_user"] = user
        return user

    def _current(self, request: Request) -> User | None:
        sid = self._sid(request.cookies.get(SESSION_COOKIE))
        if sid is None:
            return None
        row = self.db.one(
            "SELECT s.id, s.csrf, s.created_at, s.last_seen, u.username, u.role, u.must_change, "
            "u.disabled FROM sessions s JOIN users u USING (username) WHERE s.id = ?",
            [_digest(sid)],
        )
        if row is None or row["disabled"]:
            return None
        t = now()
        idle = dt.timedelta(minutes=self.config.session_idle_minutes)
        too_old = t - row["created_at"] > dt.timedelta(hours=self.config.session_max_hours)
        if t - row["last_seen"] > idle or too_old:
            self.db.execute("DELETE FROM sessions WHERE id = ?", [row["id"]])
            return None
        if t - row["last_seen"] > dt.timedelta(seconds=30):
            self.db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", [t, row["id"]])
        return User(row["username"], row["role"], bool(row["must_change"]), row["id"], row["csrf"])

    # --- CSRF --------------------------------------------------------------------------------------
    def anon_nonce(self, request: Request) -> str | None:
        cookie = request.cookies.get(ANON_COOKIE)
        if not cookie:
            return None
        try:
            nonce = self.anon_signer.loads(cookie, max_age=24 * 3600)
        except BadSignature:
            return None
        return nonce if isinstance(nonce, str) else None

    def new_anon_cookie(self, request: Request) -> str:
        nonce = secrets.token_urlsafe(24)
        request.scope["dm_new_anon"] = (nonce, self.anon_signer.dumps(nonce))
        return nonce

    def csrf_token(self, request: Request) -> str:
        user = self.current(request)
        if user is not None:
            return user.csrf
        if "dm_new_anon" in request.scope:
            nonce = request.scope["dm_new_anon"][0]
        else:
            nonce = self.anon_nonce(request) or self.new_anon_cookie(request)
        return hmac.new(self.secret, f"anon:{nonce}".encode(), hashlib.sha256).hexdigest()

    async def check_csrf(self, request: Request) -> None:
        if request.method in SAFE_METHODS:
            return
        sent = request.headers.get(CSRF_HEADER)
        if not sent:
            ctype = request.headers.get("content-type", "")
            if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                form = await request.form()
                value = form.get(CSRF_FIELD)
                sent = value if isinstance(value, str) else None
        user = self.current(request)
        expected: str | None
        if user is not None:
            expected = user.csrf
        else:
            nonce = self.anon_nonce(request)
            expected = (
                hmac.new(self.secret, f"anon:{nonce}".encode(), hashlib.sha256).hexdigest()
                if nonce
                else None
            )
        if not sent or not expected or not hmac.compare_digest(sent, expected):
            raise WebError(
                "csrf",
                "This form has expired or did not come from this workbench.",
                "Go back, reload the page and try again.",
            )


def _digest(sid: str) -> str:
    """Session ids are stored hashed, so a copy of the database cannot be used to sign in."""
    return hashlib.sha256(sid.encode()).hexdigest()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Need:
    """A route's declared permission (a FastAPI dependency): signs in, checks CSRF and the grant."""

    def __init__(self, action: str, resource: str) -> None:
        check_declared(action, resource)
        self.action = action
        self.resource = resource

    def __repr__(self) -> str:
        return f"Need({self.action!r}, {self.resource!r})"

    async def __call__(self, request: Request) -> User:
        accounts: Accounts = request.app.state.dm.accounts
        if request.scope.get("dm_too_large"):
            raise WebError("too_large", "The files are larger than this workbench accepts.")
        user = accounts.current(request)
        if user is None:
            raise WebError("not_signed_in", "Sign in to see this page.")
        await accounts.check_csrf(request)
        if user.must_change and self.resource != "account":
            raise WebError(
                "password_change_required",
                "Choose a new password before going on.",
                "Go to /account/password.",
            )
        if not can(user.role, self.action, self.resource):
            raise WebError(
                "forbidden",
                f"Your role ({user.role}) does not allow this.",
                "Ask an administrator if you need access.",
            )
        request.scope["dm_permission"] = (self.action, self.resource)
        return user


def need(action: str, resource: str) -> Need:
    return Need(action, resource)
