"""The audit log: who viewed or exported child-level data, and who signed in or changed accounts.

Append-only from the app: `record` INSERTs, `read` SELECTs, and nothing else touches the table
(no route updates or deletes it; a test walks the routes and searches the source to check).
Administrators read it at /admin/audit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import Request

from datamonger.web.auth import User, client_ip
from datamonger.web.webdb import WebDB

PAGE = 200


def record(
    db: WebDB,
    request: Request | None,
    user: User | None,
    action: str,
    resource: str,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO audit (happened_at, username, role, action, resource, detail, ip) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            dt.datetime.now(),
            user.username if user else username,
            user.role if user else None,
            action,
            resource,
            json.dumps(detail or {}, default=str, sort_keys=True),
            client_ip(request) if request is not None else None,
        ],
    )


def read(
    db: WebDB, username: str | None = None, action: str | None = None, before: int | None = None
) -> list[dict[str, Any]]:
    where: list[str] = ["1=1"]
    params: list[object] = []
    if username:
        where.append("username = ?")
        params.append(username)
    if action:
        where.append("action = ?")
        params.append(action)
    if before:
        where.append("id < ?")
        params.append(before)
    return db.all(
        f"SELECT id, happened_at, username, role, action, resource, detail, ip FROM audit "
        f"WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT {PAGE}",
        params,
    )


def count(db: WebDB) -> int:
    return int(db.scalar("SELECT count(*) FROM audit") or 0)
