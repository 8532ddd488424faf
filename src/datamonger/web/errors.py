"""One error shape for every page, fragment and API route.

JSON (paths under /api/, or a client that asks for JSON):
    {"error": {"status": 403, "code": "forbidden", "message": "...", "hint": "..." | null}}
HTML (full page, or the fragment alone for an HTMX request): the same four fields in
    <div class="error-summary" role="alert" data-error-status="403" data-error-code="forbidden">
Users never see a traceback: anything unexpected becomes a 500 of the same shape, logged.
"""

from __future__ import annotations

import logging
from html import escape as html_escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("datamonger.web")

# The closed list of error codes, with the status each one goes with.
CODES: dict[str, int] = {
    "bad_request": 400,
    "not_signed_in": 401,
    "forbidden": 403,
    "csrf": 403,
    "password_change_required": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "too_large": 413,
    "too_many_attempts": 429,
    "internal": 500,
    "unavailable": 503,
}

TITLES: dict[int, str] = {
    400: "There is a problem with the request",
    401: "Sign in to continue",
    403: "You cannot do this",
    404: "Page not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Not available yet",
}


class WebError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = CODES[code]
        self.message = message
        self.hint = hint
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "status": self.status,
                "code": self.code,
                "message": self.message,
                "hint": self.hint,
            }
        }


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def render(request: Request, err: WebError) -> Response:
    if wants_json(request):
        return JSONResponse(err.body(), status_code=err.status, headers=err.headers)
    from datamonger.web.pages import error_response

    try:
        return error_response(request, err, title=TITLES.get(err.status, "Error"))
    except Exception:  # the page itself failed: still one shape, in plain HTML
        log.exception("rendering the error page failed")
        return HTMLResponse(
            f'<!doctype html><html lang="en"><title>Error</title><main><div class="error-summary" '
            f'role="alert" data-error-status="{err.status}" data-error-code="{err.code}">'
            f"<h1>{TITLES.get(err.status, 'Error')}</h1><p>{html_escape(err.message)}</p></div>"
            "</main></html>",
            status_code=err.status,
            headers=err.headers,
        )


def install(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError) -> Response:
        return render(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "bad_request" if exc.status_code < 500 else "internal"
        )
        message = {
            "not_found": "There is nothing at this address.",
            "method_not_allowed": "This address does not accept that kind of request.",
        }.get(code, str(exc.detail))
        return render(request, WebError(code, message))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors()[:5]:
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path"))
            parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else e.get("msg", ""))
        return render(request, WebError("bad_request", "; ".join(parts) or "Invalid request."))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render(
            request,
            WebError(
                "internal",
                "The workbench could not complete this request.",
                "The details were written to the server log. Try again, or tell your administrator.",
            ),
        )
