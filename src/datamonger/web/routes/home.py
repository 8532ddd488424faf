"""The overview: what is loaded, what validation found, and where to go next."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from datamonger.web.auth import User, need
from datamonger.web.pages import page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, user: Annotated[User, Depends(need("view", "la"))]) -> Response:
    wb = request.app.state.dm
    la = wb.la()
    return page(
        request,
        "home.html",
        title="Overview",
        returns=wb.returns_loaded(),
        runs=wb.validation_runs(),
        la=la,
        la_code=wb.la_code(),
        changed=request.query_params.get("changed") == "1",
    )
