"""Recording-quality evidence ("practice or recording?"): the checks' figures beside the published
spread (aggregated, everyone), and the records behind one check (child-level: analysts, audited).
The figures come from `indicators.recording`, as `datamonger recording` gives them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from datamonger.indicators.recording import RecordingError, get
from datamonger.returns import label
from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page
from datamonger.web.routes.framework import CHILD_PAGE, Year, _year

router = APIRouter()


@router.get("/recording", response_class=HTMLResponse)
def summary(
    request: Request, user: Annotated[User, Depends(need("view", "la"))], year: Year = None
) -> Response:
    wb = request.app.state.dm
    y = _year(wb, year)
    findings = wb.recording(y)
    return page(
        request,
        "recording.html",
        title="Practice or recording?",
        findings=findings,
        year=y,
        year_label=label(y),
        years=wb.years(),
        la=wb.la(),
    )


@router.get("/recording/{check_id}/children", response_class=HTMLResponse)
def children(
    request: Request,
    check_id: str,
    user: Annotated[User, Depends(need("view", "child"))],
    year: Year = None,
) -> Response:
    wb = request.app.state.dm
    check = get(check_id)
    if check is None:
        raise WebError("not_found", "No recording check has this name.", "See /recording.")
    y = _year(wb, year)
    try:
        rows = wb.recording_children(check.id, y)
    except RecordingError as exc:
        raise WebError("not_found", str(exc)) from None
    total = rows.num_rows
    shown = rows.slice(0, CHILD_PAGE).to_pylist()
    audit.child_view(
        wb.web,
        request,
        user,
        "recording check children",
        (r["child_id"] for r in shown),
        check=check.id,
        year=y,
        rows=total,
    )
    return page(
        request,
        "recording_children.html",
        title=f"Records behind: {check.title}",
        check=check,
        rows=shown,
        total=total,
        year=y,
        year_label=label(y),
        limit=CHILD_PAGE,
    )
