"""The regional pool page (`datamonger serve --pool POOLDIR`): every indicator per LA of the pool
and for the whole pool, from `pool.explore.overview` (the same figures as `indicators --pool`).

Aggregated figures only: the pool holds pseudonymised child-level rows, which are still personal
data, so no page lists them. A manager's figures are the published ones (the small-number
convention with secondary suppression); analysts and administrators work inside the partnership
and see them as computed. Every view is audited with the figures' form (published or not).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page

router = APIRouter()
Year = Annotated[int | None, Query(ge=2000, le=2100)]

# The figures take seconds to compute: kept per (pool, its import state, year, published form)
# until the pool is imported into again (its pool.json changes).
_cache: dict[tuple[Any, ...], dict[str, Any]] = {}
_lock = threading.Lock()


def _overview(pool: Path, year: int | None, publish: bool) -> dict[str, Any]:
    from datamonger.pool.explore import overview
    from datamonger.pool.importer import POOL_FILE

    state = pool / POOL_FILE
    stamp = state.stat().st_mtime_ns if state.exists() else None
    key = (str(pool), stamp, year, publish)
    with _lock:
        if key not in _cache:
            _cache[key] = overview(pool, year, publish)
        return _cache[key]


@router.get("/pool", response_class=HTMLResponse)
def pool_page(
    request: Request,
    user: Annotated[User, Depends(need("view", "la"))],
    year: Year = None,
) -> Response:
    from datamonger.pool.errors import PoolError

    wb = request.app.state.dm
    pool = wb.config.pool
    if pool is None:
        raise WebError(
            "not_found",
            "This workbench serves no regional pool.",
            "Start it with `datamonger serve --pool POOLDIR` (see docs/pool.md).",
        )
    publish = user.role == "manager"
    try:
        view = _overview(pool, year, publish)
    except PoolError as exc:
        raise WebError(
            "conflict",
            str(exc),
            "Choose a year the pool holds, or import extracts with `datamonger pool import`.",
        ) from None
    audit.record(
        wb.web, request, user, "view", "pool", {"year": view["year"], "published": publish}
    )
    return page(request, "pool.html", title="Regional pool", view=view)
