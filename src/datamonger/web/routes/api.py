"""A small JSON API over the same functions (for scripts and dashboards), with the same
permissions and the same error shape as the pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.routes.framework import _indicator, _year, rows
from datamonger.web.routes.validation import Filters, child_id_of

router = APIRouter(prefix="/api")
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/returns")
def returns(request: Request, user: Annotated[User, Depends(need("view", "la"))]) -> Any:
    wb = request.app.state.dm
    return [
        {k: r[k] for k in ("return_name", "collection_year", "label", "la", "loaded_at", "rows")}
        for r in wb.returns_loaded()
    ]


@router.get("/indicators")
def indicators(
    request: Request, user: Annotated[User, Depends(need("view", "la"))], year: Year = None
) -> Any:
    wb = request.app.state.dm
    y = _year(wb, year)
    out = []
    for i in rows(wb, y):
        b = i["b"]
        out.append(
            dict(
                i["r"].as_dict(),
                trend=[{"year": yy, "value": v} for yy, v in i["trend"]],
                target=i["target"],
                rag=i["rag"],
                england=b.england if b else None,
                region=b.region if b else None,
                neighbours_mean=b.sn_mean if b else None,
                rank=b.own_rank if b else None,
                of=b.of if b else None,
            )
        )
    return out


@router.get("/indicators/{indicator_id}/children")
def indicator_children(
    request: Request,
    indicator_id: str,
    user: Annotated[User, Depends(need("view", "child"))],
    year: Year = None,
) -> Any:
    wb = request.app.state.dm
    ind = _indicator(indicator_id)
    y = _year(wb, year)
    ex = wb.explanation(ind.id, y)
    audit.child_view(
        wb.web,
        request,
        user,
        "api indicator children",
        (r[0] for r in ex.rows),
        indicator=ind.id,
        year=y,
    )
    return {"result": ex.result.as_dict(), "columns": ex.columns, "rows": ex.records()}


@router.get("/validation/summary")
def validation_summary(
    request: Request, f: Filters, user: Annotated[User, Depends(need("view", "la"))]
) -> Any:
    return request.app.state.dm.validation_summary(f)


@router.get("/validation/issues")
def validation_issues(
    request: Request,
    f: Filters,
    user: Annotated[User, Depends(need("view", "child"))],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Any:
    wb = request.app.state.dm
    issues, total = wb.issues(f, page)
    audit.child_view(
        wb.web, request, user, "api issues", (i["child"] for i in issues), filters=f, p=page
    )
    return {"total": total, "page": page, "issues": issues}


@router.get("/children/{child_id:path}")
def child(
    request: Request,
    child_id: str,
    user: Annotated[User, Depends(need("view", "child"))],
    query_id: Annotated[str | None, Query(alias="id", max_length=100)] = None,
) -> Any:
    wb = request.app.state.dm
    child_id = child_id_of(request, child_id, query_id)
    tables = wb.child_rows(child_id)
    if not tables:
        raise WebError("not_found", "No child with this identifier is in the loaded returns.")
    audit.child_view(wb.web, request, user, "api child", [child_id])
    return {"child": child_id, "tables": tables}
