"""The routes, one module per area. Every route declares its permission with `Depends(need(...))`
except the public ones listed in PUBLIC (sign-in, the static files, and the briefing's
preferences and unsubscribe pages)."""

from __future__ import annotations

from datamonger.web.routes import (
    account,
    admin,
    api,
    benchmarks,
    briefing,
    early_years,
    exports,
    framework,
    home,
    pool,
    recording,
    upload,
    validation,
)

ROUTERS = [
    account.router,
    home.router,
    upload.router,
    validation.router,
    framework.router,
    exports.router,
    benchmarks.router,
    briefing.router,
    admin.router,
    api.router,
    early_years.router,
    recording.router,
    pool.router,
]

# (method, path) of routes open before sign-in. POST /login checks its own CSRF token. The
# briefing's preferences and unsubscribe pages are opened from emailed links by subscribers who
# may have no account: the signed token in the address is their authorisation (POST
# /briefing/preferences checks the CSRF token too; POST /briefing/unsubscribe, the one-click
# unsubscribe mail clients send, cannot: see routes/briefing.py).
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),
    ("GET", "/briefing/preferences"),
    ("POST", "/briefing/preferences"),
    ("GET", "/briefing/unsubscribe"),
    ("POST", "/briefing/unsubscribe"),
}
