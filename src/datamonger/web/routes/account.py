"""Signing in and out, and changing one's own password."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from datamonger.web import audit
from datamonger.web.auth import SESSION_COOKIE, User, client_ip, is_https, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no //host) may follow sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/healthz", response_class=PlainTextResponse)
def healthz() -> str:
    return "ok"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    if request.app.state.dm.accounts.current(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return page(request, "login.html", title="Sign in", next=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    wb = request.app.state.dm
    accounts = wb.accounts
    await accounts.check_csrf(request)
    name, ip = username.strip().lower(), client_ip(request)
    wait = accounts.throttled(name, ip)
    if wait is not None:  # counted in login_throttle; no audit row per refused attempt
        when = f"{wait} second(s)" if wait < 120 else f"{math.ceil(wait / 60)} minute(s)"
        raise WebError(
            "too_many_attempts",
            f"Too many failed sign-in attempts. Try again in {when}.",
            "Each further failure doubles the pause (up to 15 minutes). An administrator can "
            "lift it, or reset your password if you have forgotten it.",
            headers={"Retry-After": str(wait)},
        )
    row = accounts.verify(name, password) if name and password else None
    if row is None:
        delay = accounts.record_failure(name, ip)
        audit.record(
            wb.web,
            request,
            None,
            "login_failed",
            "account",
            {"pause_seconds": delay} if delay else None,
            username=name[:64],
        )
        return page(
            request,
            "login.html",
            status=400,
            title="Sign in",
            next=_safe_next(next),
            username=name,
            failed=True,
        )
    accounts.unlock(name)
    # signing in again ends the session this browser had (fixation, a forgotten sign-out)
    accounts.end_session(request.cookies.get(SESSION_COOKIE))
    cookie = accounts.start_session(name, ip)
    audit.record(wb.web, request, None, "login", "account", username=name)
    target = "/account/password" if row["must_change"] else _safe_next(next)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=wb.config.session_max_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )
    return resp


@router.post("/logout")
def logout(request: Request, user: Annotated[User, Depends(need("edit", "account"))]) -> Response:
    wb = request.app.state.dm
    wb.accounts.end_session(request.cookies.get(SESSION_COOKIE))
    audit.record(wb.web, request, user, "logout", "account")
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=is_https(request))
    return resp


@router.get("/account/password", response_class=HTMLResponse)
def password_form(
    request: Request, user: Annotated[User, Depends(need("view", "account"))]
) -> Response:
    return page(request, "password.html", title="Change your password")


@router.post("/account/password")
def change_password(
    request: Request,
    user: Annotated[User, Depends(need("edit", "account"))],
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    wb = request.app.state.dm
    problems = []
    if wb.accounts.verify(user.username, current) is None:
        problems.append("Your current password is not right.")
    if new != confirm:
        problems.append("The new password and its confirmation differ.")
    if new == current:
        problems.append("Choose a password different from the current one.")
    if not problems:
        try:
            wb.accounts.validate_password(new, user.username)
        except WebError as exc:
            problems.append(exc.message)
    if problems:
        return page(
            request, "password.html", status=400, title="Change your password", problems=problems
        )
    # every other session of this user ends; this one goes on
    wb.accounts.set_password(user.username, new, must_change=False, keep_session=user.session_id)
    audit.record(wb.web, request, user, "password_changed", "account")
    return RedirectResponse("/?changed=1", status_code=303)
