"""Administration: users and roles, settings, and the audit log (read only)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page
from datamonger.web.permissions import ROLE_HELP, Role

router = APIRouter()


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, user: Annotated[User, Depends(need("view", "users"))]) -> Response:
    wb = request.app.state.dm
    return page(
        request,
        "admin_users.html",
        title="Users",
        users=wb.accounts.users(),
        roles=[(r.value, ROLE_HELP[r]) for r in Role],
        created=request.query_params.get("created"),
        password=None,
        backoff=wb.accounts.backoff(),
    )


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    user: Annotated[User, Depends(need("edit", "users"))],
    username: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    wb = request.app.state.dm
    password = secrets.token_urlsafe(15)
    name = wb.accounts.create_user(username, password, role, must_change=True)
    audit.record(wb.web, request, user, "create_user", "users", {"user": name, "role": role})
    return page(
        request,
        "admin_users.html",
        title="Users",
        users=wb.accounts.users(),
        roles=[(r.value, ROLE_HELP[r]) for r in Role],
        created=name,
        password=password,
        backoff=wb.accounts.backoff(),
    )


@router.post("/admin/users/{username}", response_class=HTMLResponse)
def change_user(
    request: Request,
    username: str,
    user: Annotated[User, Depends(need("edit", "users"))],
    action: Annotated[str, Form(max_length=20)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    wb = request.app.state.dm
    if wb.accounts.user_row(username) is None:
        raise WebError("not_found", f"There is no user called '{username}'.")
    if username == user.username and action in ("disable", "role"):
        raise WebError("conflict", "You cannot disable yourself or change your own role.")
    password = None
    if action == "reset":
        password = secrets.token_urlsafe(15)
        wb.accounts.set_password(username, password, must_change=True)
    elif action == "role":
        try:
            Role(role)
        except ValueError:
            raise WebError("bad_request", f"Unknown role '{role}'.") from None
        wb.accounts.set_role(username, role)
    elif action in ("disable", "enable"):
        wb.accounts.set_disabled(username, action == "disable")
    elif action == "unlock":
        wb.accounts.unlock(username)
    else:
        raise WebError(
            "bad_request", "The action is one of reset, role, unlock, disable or enable."
        )
    audit.record(
        wb.web, request, user, f"{action}_user", "users", {"user": username, "role": role or None}
    )
    if password is None:
        return RedirectResponse("/admin/users", status_code=303)
    return page(
        request,
        "admin_users.html",
        title="Users",
        users=wb.accounts.users(),
        roles=[(r.value, ROLE_HELP[r]) for r in Role],
        created=username,
        password=password,
        reset=True,
        backoff=wb.accounts.backoff(),
    )


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    user: Annotated[User, Depends(need("view", "audit"))],
    username: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    wb = request.app.state.dm
    rows = audit.read(wb.web, username or None, action or None, before)
    return page(
        request,
        "admin_audit.html",
        title="Audit log",
        rows=rows,
        total=audit.count(wb.web),
        username=username or "",
        action=action or "",
        more=rows[-1]["id"] if len(rows) == audit.PAGE else None,
    )


@router.get("/admin/settings", response_class=HTMLResponse)
def settings(
    request: Request, user: Annotated[User, Depends(need("edit", "settings"))]
) -> Response:
    wb = request.app.state.dm
    return page(
        request,
        "admin_settings.html",
        title="Settings",
        la_setting=wb.setting("la") or "",
        la=wb.la(),
        la_code=wb.la_code(),
        neighbours=wb.neighbour_model(),
        config=wb.config,
    )


@router.post("/admin/settings")
def save_settings(
    request: Request,
    user: Annotated[User, Depends(need("edit", "settings"))],
    la: Annotated[str, Form(max_length=100)] = "",
    neighbours: Annotated[str, Form(max_length=10)] = "2025",
) -> Response:
    wb = request.app.state.dm
    if neighbours not in ("2025", "2021"):
        raise WebError("bad_request", "The neighbour model is 2025 or 2021.")
    la = la.strip()
    if la:
        from datamonger.benchmarks.areas import UnknownArea

        try:
            with wb.published() as pub:
                found = pub.areas.find(la)
        except UnknownArea as exc:
            raise WebError("bad_request", str(exc)) from None
        la = found.number
    wb.set_setting("la", la or None, user.username)
    wb.set_setting("neighbours", neighbours, user.username)
    audit.record(wb.web, request, user, "edit", "settings", {"la": la, "neighbours": neighbours})
    wb.warm_in_background()
    return RedirectResponse("/admin/settings?saved=1", status_code=303)
