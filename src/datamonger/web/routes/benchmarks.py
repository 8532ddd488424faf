"""Benchmarks: the LA against England, its region and its neighbours over time, where it sits among
all LAs, flags with their notes; the national explorer. All published, aggregated figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import chart_svg, page

router = APIRouter()
Key = Annotated[str, Query(min_length=1, max_length=300)]
OptKey = Annotated[str | None, Query(max_length=300)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
# the explorer's form sends its optional year fields empty when left blank
FormYear = Annotated[str | None, Query(pattern=r"^(\d{4})?$")]


def _bad_input(exc: Exception) -> WebError:
    from datamonger.benchmarks.areas import UnknownArea
    from datamonger.benchmarks.benchmark import BadRequest
    from datamonger.benchmarks.measures import UnknownMeasure

    if isinstance(exc, UnknownMeasure | UnknownArea | BadRequest):
        return WebError("bad_request", str(exc))
    raise exc


def _no_la() -> WebError:
    return WebError(
        "conflict",
        "The local authority is not known yet.",
        "Load a CIN census (its header names the LA), or ask an administrator to set it.",
    )


@router.get("/benchmarks", response_class=HTMLResponse)
def overview(
    request: Request,
    user: Annotated[User, Depends(need("view", "la"))],
    q: Annotated[str | None, Query(max_length=100)] = None,
    flagged: Annotated[bool, Query()] = False,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    against: Annotated[str | None, Query(pattern="^(better|worse|)$")] = None,
    scope: Annotated[str, Query(pattern="^(care|all)$")] = "care",
    sort: Annotated[str, Query(pattern="^(topic|flags|rank|title|change)$")] = "topic",
) -> Response:
    from datamonger.reports.benchmark_rows import overview as rows

    wb = request.app.state.dm
    b = wb.la_benchmark()
    if b is None:
        raise _no_la()
    topics = {m["key"]: m["topic"] for m in wb.measure_list()}
    view = rows(
        b,
        topics,
        group=topic or None,
        flagged=flagged,
        against=against or None,
        scope=scope,
        sort=sort,
        q=q,
    )
    return page(
        request,
        "benchmarks.html",
        title=f"Benchmarks: {b.la.name}",
        b=b,
        view=view,
        form={
            "q": q or "",
            "flagged": flagged,
            "topic": topic or "",
            "against": against or "",
            "scope": scope,
            "sort": sort,
        },
    )


@router.get("/benchmarks/measure", response_class=HTMLResponse)
def measure(
    request: Request,
    key: Key,
    user: Annotated[User, Depends(need("view", "la"))],
    year: Year = None,
) -> Response:
    wb = request.app.state.dm
    if wb.la() is None:
        raise _no_la()
    try:
        m = wb.measure(key)
        charts = wb.charts(m.key, None, year)
        b = wb.la_benchmark()
    except Exception as exc:
        raise _bad_input(exc) from None
    mb = next((x for x in b.measures if x.key == m.key), None)
    return page(
        request,
        "benchmarks_measure.html",
        title=m.title,
        meas=m,
        mb=mb,
        charts=charts,
        trend_svg=chart_svg(charts["trend"]),
        strip_svg=chart_svg(charts.get("strip")),
        la=wb.la(),
    )


@router.get("/benchmarks/explore", response_class=HTMLResponse)
def explore(
    request: Request,
    user: Annotated[User, Depends(need("view", "la"))],
    measure: OptKey = None,
    per: OptKey = None,
    year: FormYear = None,
    compare_year: FormYear = None,
    region: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    wb = request.app.state.dm
    result: dict[str, Any] | None = None
    chart = None
    if measure:
        try:
            result = wb.explore(
                measure,
                per or None,
                int(year) if year else None,
                int(compare_year) if compare_year else None,
                region or None,
            )
        except Exception as exc:
            raise _bad_input(exc) from None
        chart = wb.explore_chart(result)
    return page(
        request,
        "explore.html",
        title="National explorer",
        result=result,
        chart=chart,
        svg=chart_svg(chart),
        measures=wb.measure_list(),
        form={
            "measure": measure or "",
            "per": per or "",
            "year": year or "",
            "compare_year": compare_year or "",
            "region": region or "",
        },
    )
