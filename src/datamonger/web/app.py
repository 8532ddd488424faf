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
    or proxy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        static = scope["path"].startswith("/static/")

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


class BodyTooLarge(Exception):
    """Raised to the app by `receive` once a request body has passed its limit."""


class BodyLimit:
    """The request body limit, on every route, enforced while the body streams in: a
    Content-Length over the limit is refused (413) before a byte of the body is read; a body
    without one (chunked) is counted as it arrives and refused once over. `POST /upload` may
    send `max_upload` bytes, everything else `max_form`."""

    UPLOADS = frozenset({("POST", "/upload"), ("POST", "/early-years/run")})

    def __init__(self, app: ASGIApp, max_upload: int, max_form: int) -> None:
        self.app = app
        self.max_upload = max_upload
        self.max_form = max_form

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (
            self.max_upload
            if (scope["method"], scope["path"].rstrip("/")) in self.UPLOADS
            else self.max_form
        )
        for name, value in scope.get("headers") or []:
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await self.refuse(scope, send, limit)
                return
        received = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal received, over
            if over:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise BodyTooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:  # whatever the app made of the interrupted body, the answer is ours
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self.refuse(scope, send, limit)

    async def refuse(self, scope: Scope, send: Send, limit: int) -> None:
        from fastapi.responses import JSONResponse
        from starlette.requests import Request

        async def no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        upload = limit == self.max_upload
        err = errors.WebError(
            "too_large",
            f"The {'files are' if upload else 'request is'} larger than this workbench accepts "
            f"({_size(limit)} at most).",
            "Send fewer or smaller files at a time." if upload else None,
            headers={"Connection": "close"},
        )
        response: Any
        try:
            response = errors.render(Request(scope, no_body), err)
        except Exception:  # the one shape still, without the page around it
            response = JSONResponse(err.body(), status_code=413, headers=err.headers)
        await response(scope, no_body, send)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


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
    app.add_middleware(
        BodyLimit, max_upload=config.max_upload_bytes, max_form=config.max_form_bytes
    )
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> Any:  # pragma: no cover - for `uvicorn --factory`
    import os

    return create_app(WebConfig(db=Path(os.environ.get("DATAMONGER_DB", "datamonger.duckdb"))))
