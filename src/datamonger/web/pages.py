"""Rendering: the Jinja2 environment, the page helper every route uses, charts made safe to inline."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from datamonger.web.auth import ANON_COOKIE, is_https
from datamonger.web.permissions import can

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def number(v: Any, dps: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if v.is_integer() and abs(v) >= 100:
            return f"{v:,.0f}"
        text = f"{v:,.{dps}f}"
        # a small negative that rounds to nothing is shown as nothing, not "-0.0"
        return text[1:] if text.startswith("-") and not text.strip("-0.,") else text
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def count(v: Any) -> str:
    """A count: no decimals."""
    if isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    return number(v)


def child_href(child_id: Any) -> str:
    """The address of a child's page: the id percent-encoded whole (`/`, `%`, `?`, `#` and
    spaces included), so any id as written in a return opens; `.` and `..`, which browsers would
    resolve as paths, go as a query parameter."""
    text = str(child_id)
    if text.strip(".") == "":
        return "/children/?id=" + quote(text, safe="")
    return "/children/" + quote(text, safe="")


env.filters["num"] = number
env.filters["count"] = count
env.filters["child_href"] = child_href

NAV = [
    ("/", "Overview", ("view", "la")),
    ("/framework", "Performance framework", ("view", "la")),
    ("/validation", "Validation", ("view", "la")),
    ("/benchmarks", "Benchmarks", ("view", "la")),
    ("/briefing", "Briefing", ("view", "la")),
    ("/recording", "Practice or recording?", ("view", "la")),
    ("/subscribers", "Subscribers", ("view", "subscribers")),
    ("/upload", "Upload returns", ("upload", "return")),
    ("/admin/users", "Users", ("view", "users")),
    ("/admin/audit", "Audit log", ("view", "audit")),
    ("/admin/settings", "Settings", ("edit", "settings")),
    ("/early-years", "Early years", ("view", "la")),
    ("/pool", "Regional pool", ("view", "la")),  # shown only when serving a pool
]


def context(request: Request, **extra: Any) -> dict[str, Any]:
    wb = request.app.state.dm
    user = wb.accounts.current(request)
    role = user.role if user else None
    path = request.url.path
    nav = [
        {"href": h, "label": lbl, "current": path == h or (h != "/" and path.startswith(h))}
        for h, lbl, (a, r) in NAV
        if user
        and not user.must_change
        and can(role, a, r)
        and (h != "/pool" or wb.config.pool is not None)
    ]
    return {
        "request": request,
        "user": user,
        "csrf_token": wb.accounts.csrf_token(request),
        "can": lambda action, resource: can(role, action, resource),
        "nav": nav,
        "path": path,
        # where to return after signing in: the page asked for, with its query (an emailed link)
        "path_qs": f"{path}?{request.url.query}" if request.url.query else path,
        **extra,
    }


def _finish(request: Request, resp: HTMLResponse) -> HTMLResponse:
    new = request.scope.get("dm_new_anon")
    if new:
        resp.set_cookie(
            ANON_COOKIE,
            new[1],
            max_age=24 * 3600,
            httponly=True,
            samesite="strict",
            secure=is_https(request),
        )
    return resp


def page(request: Request, template: str, status: int = 200, **extra: Any) -> HTMLResponse:
    html = env.get_template(template).render(context(request, **extra))
    return _finish(request, HTMLResponse(html, status_code=status))


def error_response(request: Request, err: Any, title: str) -> HTMLResponse:
    fragment = request.headers.get("hx-request") == "true"
    ctx = context(request, error=err, title=title, fragment=fragment)
    html = env.get_template("error.html").render(ctx)
    # (the login form on a 401 page needs its cookie: `_finish` sets it)
    return _finish(request, HTMLResponse(html, status_code=err.status, headers=err.headers))


_ids = itertools.count(1)


def inline_svg(svg: str) -> Markup:
    """A chart SVG from the benchmarks module, with ids unique on the page."""
    n = next(_ids)
    svg = svg.replace('aria-labelledby="t d"', f'aria-labelledby="c{n}t c{n}d"')
    svg = svg.replace('<title id="t">', f'<title id="c{n}t">', 1)
    svg = svg.replace('<desc id="d">', f'<desc id="c{n}d">', 1)
    svg = re.sub(r'width="\d+" height="\d+" viewBox', "viewBox", svg, count=1)
    return Markup(svg)


def chart_svg(chart: Any) -> Markup | None:
    """A `reports.charts.Chart` drawn on the server as accessible SVG, ready to inline."""
    if chart is None:
        return None
    from datamonger.reports.charts.render import accessible_svg

    return inline_svg(accessible_svg(chart))
