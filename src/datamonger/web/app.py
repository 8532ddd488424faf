"""The web application: `create_app(config)` gives the FastAPI app (one process, embedded DuckDB)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datamonger.web import errors
from datamonger.web.config import WebConfig
from datamonger.web.services import Workbench

STATIC = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the security headers (and `Server-Timing`: the time spent on the response, which
    `benchmarks/bench_web.py` reads) to every response. Everything but the static files is
    `Cache-Control: no-store` (pages may hold child-level data; none may be kept by a browser
    or proxy). Refuses request bodies over the upload limit before reading them."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        static = scope["path"].startswith("/static/")
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            scope["dm_too_large"] = True

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"cache-control", b"pragma")
                ]
                headers += SECURITY_HEADERS
                ms = (time.perf_counter() - started) * 1000
                headers.append((b"server-timing", f"app;dur={ms:.1f}".encode()))
                if static:
                    headers.append((b"cache-control", b"public, max-age=3600"))
                else:
                    headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(config: WebConfig, workbench: Workbench | None = None) -> FastAPI:
    wb = workbench or Workbench(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.warm_caches:
            wb.warm_in_background()
        yield

    app = FastAPI(
        title="Datamonger",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.dm = wb
    errors.install(app)

    from datamonger.web.routes import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders, max_body=config.max_upload_bytes)
    return app


def app_from_env() -> Any:  # pragma: no cover - for `uvicorn --factory`
    import os

    return create_app(WebConfig(db=Path(os.environ.get("DATAMONGER_DB", "datamonger.duckdb"))))
