"""The audit log: who viewed or exported child-level data, and who signed in or changed accounts.

Append-only from the app: `record` INSERTs, `read` SELECTs, and nothing else touches the table
(no route updates or deletes it; a test walks the routes and searches the source to check).
Every view and export of child-level data names the children it showed: their ids in the row,
or, past `INLINE_CHILDREN`, the SHA-256 of the exact list, kept (once) in `audit_children`,
which is insert-only too.
Administrators read it at /admin/audit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from fastapi import Request

from datamonger.web.auth import User, client_ip
from datamonger.web.webdb import WebDB

PAGE = 200
INLINE_CHILDREN = 100  # child ids kept in an audit row itself; more go by reference


def insert(con: Any, row: list[Any]) -> None:
    """The one statement that writes the audit log."""
    con.execute(
        "INSERT INTO audit (happened_at, username, role, action, resource, detail, ip) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        row,
    )


def record(
    db: WebDB,
    request: Request | None,
    user: User | None,
    action: str,
    resource: str,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
    con: Any = None,
) -> None:
    """Append one row. `con`: the connection of a transaction this row belongs to (the row is
    then written, or not, with what it records)."""
    row = [
        dt.datetime.now(),
        user.username if user else username,
        user.role if user else None,
        action,
        resource,
        json.dumps(detail or {}, default=str, sort_keys=True),
        client_ip(request) if request is not None else None,
    ]
    if con is not None:
        insert(con, row)
    else:
        with db.lock:
            insert(db.con, row)


def children(db: WebDB, ids: Iterable[Any], con: Any = None) -> dict[str, Any]:
    """What an audit row keeps of the children a view or export showed: their ids (sorted,
    each once), or for a long list a reference to it (`children_ref`, the SHA-256 of the list,
    kept once in `audit_children`), with their number either way."""
    found = sorted({str(i) for i in ids if i is not None and str(i) != ""})
    if len(found) <= INLINE_CHILDREN:
        return {"children": found, "children_count": len(found)}
    text = json.dumps(found, ensure_ascii=False)
    ref = hashlib.sha256(text.encode()).hexdigest()
    sql = "INSERT OR IGNORE INTO audit_children VALUES (?, ?, ?)"
    if con is not None:
        con.execute(sql, [ref, text, dt.datetime.now()])
    else:
        db.execute(sql, [ref, text, dt.datetime.now()])
    return {"children_ref": ref, "children_count": len(found)}


def child_view(
    db: WebDB,
    request: Request,
    user: User,
    page: str,
    shown: Iterable[Any],
    **detail: Any,
) -> None:
    """The audit row of a child-level view: which page, with what, and the children it showed."""
    record(db, request, user, "view", "child", {"page": page, **detail, **children(db, shown)})


def children_of(db: WebDB, detail: dict[str, Any]) -> list[str]:
    """The child ids an audit row's detail names (inline or by reference)."""
    if "children" in detail:
        return list(detail["children"])
    if "child" in detail:
        return [detail["child"]]
    ref = detail.get("children_ref")
    if not ref:
        return []
    text = db.scalar("SELECT children FROM audit_children WHERE ref = ?", [ref])
    return list(json.loads(text)) if text else []


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
