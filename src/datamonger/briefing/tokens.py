"""Signed links for unsubscribing and changing preferences, for the web to mount.

A token carries the subscriber's id and email address, signed with a secret kept in a local file
(`paths.secret_file()`, created on first use with mode 0600; refused if others can read it). It does
not expire, as unsubscribe links in old emails must keep working; changing the subscriber's email
address invalidates the old links.

For the web: `verify(token)` -> payload or None; `apply_unsubscribe(token, db)` and
`update_preferences(token, db, ...)` -> the changed Subscriber, or None for a bad token.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from datamonger.briefing import subscribers as subs
from datamonger.briefing.paths import secret_file

SALT = "datamonger-briefing-subscriber"


class SecretError(RuntimeError):
    """The secret file is missing and cannot be made, or others can read it."""


def secret(path: Path | None = None) -> str:
    path = path or secret_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made by another process meanwhile: read theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretError(
            f"{path} can be read by other users (mode {mode:o}): run `chmod 600 {path}`; "
            "if others may have read it, delete it to make a new one (old links stop working)"
        )
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise SecretError(f"{path} holds no usable secret: delete it to make a new one")
    return text


def _serializer(path: Path | None = None) -> URLSafeSerializer:
    return URLSafeSerializer(secret(path), salt=SALT)


def make(subscriber: subs.Subscriber, path: Path | None = None) -> str:
    return str(_serializer(path).dumps({"id": subscriber.id, "email": subscriber.email.lower()}))


def verify(token: str, path: Path | None = None) -> dict[str, Any] | None:
    try:
        payload = _serializer(path).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        return None
    return payload


def subscriber_for(token: str, db: Path, path: Path | None = None) -> subs.Subscriber | None:
    """The subscriber a token names, if the token is genuine and the address still matches."""
    payload = verify(token, path)
    if payload is None:
        return None
    found = subs.get(db, payload["id"])
    if found is None or found.email.lower() != payload.get("email"):
        return None
    return found


def apply_unsubscribe(token: str, db: Path, path: Path | None = None) -> subs.Subscriber | None:
    found = subscriber_for(token, db, path)
    return subs.unsubscribe(db, found.id) if found else None


def update_preferences(
    token: str,
    db: Path,
    edition: str | None = None,
    frequency: str | None = None,
    active: bool | None = None,
    path: Path | None = None,
) -> subs.Subscriber | None:
    found = subscriber_for(token, db, path)
    if found is None:
        return None
    return subs.update(db, found.id, edition=edition, frequency=frequency, active=active)


def links(base_url: str | None, subscriber: subs.Subscriber, **view: str) -> dict[str, str]:
    """view / preferences / unsubscribe links under the web's base URL (see docs/briefing.md)."""
    if not base_url:
        return {}
    base = base_url.rstrip("/")
    token = make(subscriber)
    query = urlencode({k: v for k, v in view.items() if v})
    return {
        "view": f"{base}/briefing" + (f"?{query}" if query else ""),
        "preferences": f"{base}/briefing/preferences?{urlencode({'token': token})}",
        "unsubscribe": f"{base}/briefing/unsubscribe?{urlencode({'token': token})}",
    }
