"""The routes, one module per area. Every route declares its permission with `Depends(need(...))`
except the public ones listed in PUBLIC (sign-in and the static files)."""

from __future__ import annotations

from datamonger.web.routes import (
    account,
    admin,
    api,
    benchmarks,
    framework,
    home,
    upload,
    validation,
)

ROUTERS = [
    account.router,
    home.router,
    upload.router,
    validation.router,
    framework.router,
    benchmarks.router,
    admin.router,
    api.router,
]

# (method, path) of routes open before sign-in. POST /login checks its own CSRF token.
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz")}
