"""Accounts, passwords, sessions, CSRF and login throttling.

- Passwords: argon2id (argon2-cffi); only the hash is stored. At first start one administrator
  is created with a random password printed once, which must be changed at first sign-in.
- Sessions: a random id kept server-side (so signing out and disabling a user end it at once),
  sent as a cookie signed with itsdangerous; it expires after `session_idle_minutes` without use
  and `session_max_hours` after sign-in. HttpOnly, SameSite=Strict, Secure over HTTPS.
- CSRF: every unsafe request carries the session's token (form field `csrf_token` or header
  `X-CSRF-Token`, which HTMX sends). Before sign-in the token is tied to a signed random cookie.
- Back-off, not lock-out: from the 5th failure for a user name (20th from one address, the real
  client address behind a trusted proxy) sign-in pauses 1 s, doubling with each further failure
  up to 15 minutes (429 with Retry-After, even for the right password); after the pause the
  right password works. Refused attempts are counted in `login_throttle`, not audited one by
  one. A success, an administrator's unlock or password reset lift a user's pause.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import math
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
        self._dummy_hash: str | None = None

    @property
    def _dummy(self) -> str:
        """A hash to verify against when the user does not exist, so timing does not tell."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

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
        """NIST SP 800-63B: long enough, not a common or easily guessed password (a list of
        common passwords and the zxcvbn estimator, which knows keyboard walks, repeats,
        sequences, dates, words and their l33t forms), not the user name; no composition rules
        (any character, spaces included, may be used; none is required)."""
        n = self.config.min_password_length
        if len(password) < n or not password.strip():
            raise WebError(
                "bad_request",
                f"The password must have at least {n} characters.",
                "A few unrelated words make a long password that is easy to remember.",
            )
        if password.lower() == username.lower() or username.lower() in password.lower():
            raise WebError("bad_request", "The password must not contain the user name.")
        problem = password_weakness(password, [username, "datamonger", "workbench"])
        if problem:
            raise WebError(
                "bad_request",
                problem,
                "Choose a longer password: a few unrelated words make one that is easy to "
                "remember and hard to guess.",
            )

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

    def set_password(
        self, username: str, password: str, must_change: bool, keep_session: str | None = None
    ) -> None:
        """Set a password and end every session of the user but `keep_session` (the one that
        changed its own password); an administrator's reset (must_change) ends them all. Either
        way the user's sign-in back-off is lifted."""
        self.validate_password(password, username)
        self.db.execute(
            "UPDATE users SET password_hash = ?, must_change = ?, password_changed_at = ? "
            "WHERE username = ?",
            [self.hasher.hash(password), must_change, now(), username],
        )
        if keep_session and not must_change:
            self.db.execute(
                "DELETE FROM sessions WHERE username = ? AND id <> ?", [username, keep_session]
            )
        else:
            self.end_sessions(username)
        self.unlock(username)

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

    # --- sign-in back-off ------------------------------------------------------------------------
    def backoff_seconds(self, failures: int, threshold: int) -> float:
        """The pause after `failures` failures: none before `threshold`, then 1 s doubling."""
        if failures < threshold:
            return 0.0
        c = self.config
        return float(
            min(c.throttle_first_delay * 2 ** min(failures - threshold, 40), c.throttle_max_delay)
        )

    def _throttle_keys(self, username: str, ip: str) -> list[tuple[str, str, int]]:
        keys = [("ip", ip[:64], self.config.throttle_per_ip)]
        if username:
            keys.insert(0, ("user", username[:64], self.config.throttle_per_user))
        return keys

    def throttled(self, username: str, ip: str) -> int | None:
        """Seconds to wait while the user name or the address is in back-off; None when an
        attempt may go ahead. A refused attempt is counted (`throttled`), nothing more."""
        t = now()
        waits = []
        for kind, key, _ in self._throttle_keys(username, ip):
            until = self.db.scalar(
                "SELECT blocked_until FROM login_throttle WHERE kind = ? AND key = ?", [kind, key]
            )
            if until is not None and until > t:
                waits.append(until - t)
                self.db.execute(
                    "UPDATE login_throttle SET throttled = throttled + 1 WHERE kind = ? AND key = ?",
                    [kind, key],
                )
        if not waits:
            return None
        return max(math.ceil(max(waits).total_seconds()), 1)

    def record_failure(self, username: str, ip: str) -> float:
        """Count a failed sign-in for the user name and the address; the pause it starts (s)."""
        t = now()
        forget = t - dt.timedelta(hours=self.config.throttle_forget_hours)
        longest = 0.0
        with self.db.transaction() as con:
            con.execute("DELETE FROM login_throttle WHERE last_at < ?", [forget])
            for kind, key, threshold in self._throttle_keys(username, ip):
                row = con.execute(
                    "SELECT failures, throttled FROM login_throttle WHERE kind = ? AND key = ?",
                    [kind, key],
                ).fetchone()
                failures, throttled = (row[0] + 1, row[1]) if row else (1, 0)
                delay = self.backoff_seconds(failures, threshold)
                longest = max(longest, delay)
                con.execute(
                    "INSERT OR REPLACE INTO login_throttle VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        kind,
                        key,
                        failures,
                        throttled,
                        t,
                        t + dt.timedelta(seconds=delay) if delay else None,
                    ],
                )
        return longest

    def unlock(self, username: str) -> None:
        """Forget a user name's failed sign-ins (a success, an administrator, a reset)."""
        self.db.execute(
            "DELETE FROM login_throttle WHERE kind = 'user' AND key = ?", [username[:64]]
        )

    def backoff(self) -> dict[str, dict[str, Any]]:
        """User name -> its failures, refused attempts and pause, for the users page."""
        rows = self.db.all(
            "SELECT key, failures, throttled, blocked_until FROM login_throttle WHERE kind = 'user'"
        )
        t = now()
        return {
            r["key"]: dict(r, paused=bool(r["blocked_until"] and r["blocked_until"] > t))
            for r in rows
        }

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


MIN_STRENGTH = 3  # zxcvbn's score, 0 to 4: 3 is "safely unguessable" (about 10^8 guesses or more)


def password_weakness(password: str, context: list[str]) -> str | None:
    """Why a password is too easy to guess, or None."""
    from zxcvbn import zxcvbn
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    common = _common_passwords(FREQUENCY_LISTS)
    plain = password.strip().lower()
    if plain in common or plain.rstrip("0123456789!.") in common:
        return "This is one of the most common passwords: choose another."
    result = zxcvbn(password[:100], user_inputs=context)
    if result["score"] < MIN_STRENGTH:
        warning = (result.get("feedback") or {}).get("warning") or ""
        return "This password is too easy to guess" + (
            f" ({warning.rstrip('.').lower()})." if warning else "."
        )
    return None


_COMMON: frozenset[str] | None = None


def _common_passwords(lists: dict[str, Any]) -> frozenset[str]:
    """The 30,000 most common passwords of the leaked-password lists zxcvbn ships."""
    global _COMMON
    if _COMMON is None:
        _COMMON = frozenset(lists["passwords"])
    return _COMMON


def _digest(sid: str) -> str:
    """Session ids are stored hashed, so a copy of the database cannot be used to sign in."""
    return hashlib.sha256(sid.encode()).hexdigest()


def client_ip(request: Request) -> str:
    """The client's address: behind a trusted proxy (`serve --forwarded-allow-ips`) uvicorn has
    already put the real one (X-Forwarded-For) here."""
    return request.client.host if request.client else "unknown"


def is_https(request: Request) -> bool:
    """Over HTTPS, directly or (X-Forwarded-Proto from a trusted proxy) behind one: cookies are
    then `Secure`."""
    return request.url.scheme in ("https", "wss")


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
