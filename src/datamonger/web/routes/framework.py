"""The performance framework: the indicators grouped by the three OBA questions, each with its
value, trend, target and RAG status, England, region and neighbours; an indicator's definition
and charts; the children behind it (analysts, audited); targets (analysts); Excel and PDF."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from datamonger.indicators import Category, Polarity, get
from datamonger.reports.cells import csv_row, workbook_options, xlsx_write, xlsx_write_row
from datamonger.returns import label
from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import chart_svg, env, page
from datamonger.web.routes.exports import queue_export
from datamonger.web.services import Workbench

router = APIRouter()
CHILD_PAGE = 500
Year = Annotated[int | None, Query(ge=2000, le=2100)]


def rag(value: float | None, target: float | None, polarity: str, tolerance: float) -> str | None:
    """green: target met; amber: missed by at most `tolerance` of the target; red: missed by
    more. None without a value, a target, or a better direction."""
    if value is None or target is None or polarity == Polarity.neither.value:
        return None
    gap = value - target if polarity == Polarity.high.value else target - value
    if gap >= 0:
        return "green"
    return "amber" if abs(gap) <= tolerance * abs(target) else "red"


def direction(trend: list[tuple[int, float | None]]) -> str | None:
    values = [v for _, v in trend if v is not None]
    if len(values) < 2:
        return None
    if values[-1] > values[-2]:
        return "up"
    return "down" if values[-1] < values[-2] else "same"


def _year(wb: Workbench, year: int | None) -> int:
    years = wb.years()
    if not years:
        raise WebError("conflict", "No return is loaded yet.", "An analyst uploads returns first.")
    if year is None:
        return int(years[0])
    if year not in years:
        raise WebError(
            "not_found",
            f"No return for {label(year)} is loaded.",
            f"Years loaded: {', '.join(label(y) for y in years)}.",
        )
    return year


def rows(wb: Workbench, year: int) -> list[dict[str, Any]]:
    """One row per indicator: the computed result with its trend, target, RAG and benchmarks."""
    trends = wb.result_trends()
    targets = wb.targets()
    bench = wb.framework_benchmarks(year)
    out = []
    for r in wb.results(year):
        b = bench.get(r.id)
        t = targets.get(r.id)
        trend = [(y, v) for y, v in trends.get(r.id, []) if y <= year]
        computable = not any(n.startswith("not computable") for n in r.notes)
        out.append(
            {
                "r": r,
                "computable": computable,
                "reason": next((n for n in r.notes if n.startswith("not computable")), None),
                "notes": [n for n in r.notes if not n.startswith("not computable")],
                "trend": trend,
                "direction": direction(trend),
                "target": t["target"] if t else None,
                "rag": rag(
                    r.value, t["target"] if t else None, r.polarity, wb.config.amber_tolerance
                ),
                "b": b,
            }
        )
    return out


def grouped(items: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(c.value, [i for i in items if i["r"].category == c.value]) for c in Category]


@router.get("/framework", response_class=HTMLResponse)
def framework(
    request: Request, user: Annotated[User, Depends(need("view", "la"))], year: Year = None
) -> Response:
    wb = request.app.state.dm
    if not wb.years():
        return page(request, "framework.html", title="Performance framework", groups=[], year=None)
    y = _year(wb, year)
    items = rows(wb, y)
    return page(
        request,
        "framework.html",
        title="Performance framework",
        groups=grouped(items),
        year=y,
        year_label=label(y),
        years=[(yy, label(yy)) for yy in wb.years()],
        la=wb.la(),
        computed=sum(1 for i in items if i["computable"]),
        total=len(items),
    )


@router.get("/framework/export.xlsx")
def export_xlsx(
    request: Request, user: Annotated[User, Depends(need("export", "la"))], year: Year = None
) -> Response:
    import xlsxwriter

    wb = request.app.state.dm
    y = _year(wb, year)
    items = rows(wb, y)
    tmp = Path(tempfile.mkdtemp(prefix="export-", dir=wb.tmp)) / "framework.xlsx"
    book = xlsxwriter.Workbook(str(tmp), workbook_options())
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    fills = {
        "green": book.add_format({"bg_color": "#cce2d8"}),
        "amber": book.add_format({"bg_color": "#fff7bf"}),
        "red": book.add_format({"bg_color": "#f4cdc6"}),
    }
    years = sorted({yy for i in items for yy, _ in i["trend"]})
    cols = [
        "OBA question",
        "Indicator",
        "Id",
        "Unit",
        "Polarity",
        f"Value {label(y)}",
        "Numerator",
        "Denominator",
        "Target",
        "RAG",
        *[f"Value {label(yy)}" for yy in years],
        "England",
        "Region",
        "Neighbours mean",
        "Published year",
        "Published LA value",
        "Rank (computed value)",
        "Of",
        "Quartile (computed value)",
        "Flags",
        "Notes",
    ]
    ws = book.add_worksheet("Framework")
    ws.write_row(0, 0, cols, bold)
    ws.freeze_panes(1, 2)
    for n, i in enumerate(items, start=1):
        r, b = i["r"], i["b"]
        by_year = dict(i["trend"])
        values = [
            r.category,
            r.title,
            r.id,
            r.unit,
            r.polarity,
            r.value,
            r.numerator,
            r.denominator,
            i["target"],
            (i["rag"] or "").title(),
            *[by_year.get(yy) for yy in years],
            b.england if b else None,
            b.region if b else None,
            b.sn_mean if b else None,
            b.year if b else None,
            b.value if b else None,
            b.own_rank if b else None,
            b.of if b else None,
            b.own_quartile if b else None,
            "; ".join(f.note for f in (b.own_flags + b.flags)) if b else None,
            "; ".join(r.notes),
        ]
        xlsx_write_row(ws, n, 0, values)
        if i["rag"]:
            xlsx_write(ws, n, 9, i["rag"].title(), fills[i["rag"]])
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 50)
    ws.autofilter(0, 0, len(items), len(cols) - 1)
    about = book.add_worksheet("About")
    la = wb.la()
    for n, (k, v) in enumerate(
        [
            ("Local authority", la.name if la else wb.la_code() or "not known"),
            ("Period", label(y)),
            ("Neighbour model", wb.neighbour_model()),
            (
                "RAG",
                f"green: target met; amber: missed by up to {wb.config.amber_tolerance:.0%} "
                "of the target; red: missed by more",
            ),
            (
                "Source",
                "Computed by Datamonger from the LA's returns; England, region and "
                "neighbours from the DfE's published figures (Open Government Licence v3.0)",
            ),
        ]
    ):
        xlsx_write(about, n, 0, k, bold)
        xlsx_write(about, n, 1, v)
    about.set_column(0, 0, 20)
    about.set_column(1, 1, 100)
    book.close()
    audit.record(wb.web, request, user, "export", "la", {"file": "framework.xlsx", "year": y})
    return FileResponse(
        tmp,
        filename=f"datamonger-framework-{label(y).replace('/', '-')}.xlsx",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        background=BackgroundTask(shutil.rmtree, tmp.parent, True),
    )


@router.get("/framework/export.pdf")
def export_pdf(
    request: Request, user: Annotated[User, Depends(need("export", "la"))], year: Year = None
) -> Response:
    """The PDF report is made in the background (WeasyPrint takes seconds): this queues it and
    opens its progress page, which offers the file once ready."""
    wb = request.app.state.dm
    y = _year(wb, year)

    def make(path: Path) -> None:
        path.write_bytes(framework_pdf(wb, y))

    job = queue_export(
        request,
        user,
        f"performance framework {label(y)} (PDF)",
        f"datamonger-framework-{label(y).replace('/', '-')}.pdf",
        "application/pdf",
        make,
    )
    audit.record(
        wb.web, request, user, "export", "la", {"file": "framework.pdf", "year": y, "job": job.id}
    )
    return RedirectResponse(f"/exports/{job.id}", status_code=303)


def framework_pdf(wb: Workbench, y: int) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    items = rows(wb, y)
    # the charts go to WeasyPrint by a private address, not as data: URIs, which it would have
    # to parse out of megabytes of HTML
    images: dict[str, bytes] = {}
    for n, i in enumerate(items):
        own = {yy: v for yy, v in i["trend"] if v is not None}
        image = wb.pdf_trend(i["r"].id, own)
        if image:
            images[f"chart:{n}"], i["trend_alt"] = image
            i["trend_img"] = f"chart:{n}"

    class Charts(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in images:
                return URLFetcherResponse(url, images[url], {"Content-Type": "image/jpeg"})
            return super().fetch(url, headers)

    html = env.get_template("framework_pdf.html").render(
        groups=grouped(items),
        year_label=label(y),
        la=wb.la(),
        la_code=wb.la_code(),
        tolerance=wb.config.amber_tolerance,
    )
    pdf: bytes = HTML(string=html, url_fetcher=Charts()).write_pdf()
    return pdf


def _indicator(indicator_id: str) -> Any:
    ind = get(indicator_id)
    if ind is None:
        raise WebError("not_found", f"There is no indicator '{indicator_id}'.")
    return ind


@router.get("/framework/{indicator_id}", response_class=HTMLResponse)
def indicator(
    request: Request,
    indicator_id: str,
    user: Annotated[User, Depends(need("view", "la"))],
    year: Year = None,
) -> Response:
    wb = request.app.state.dm
    ind = _indicator(indicator_id)
    y = _year(wb, year)
    item = next(i for i in rows(wb, y) if i["r"].id == ind.id)
    key = wb.measure_keys().get(ind.id)
    own = {yy: v for yy, v in item["trend"] if v is not None}
    charts = wb.charts(key, own) if key else {}
    funnel = wb.funnel(ind.id, y) if key else None
    return page(
        request,
        "framework_indicator.html",
        title=ind.title,
        ind=ind,
        i=item,
        year=y,
        year_label=label(y),
        key=key,
        charts=charts,
        trend_svg=chart_svg(charts["trend"]) if charts else None,
        strip_svg=chart_svg(charts.get("strip")),
        funnel=funnel,
        funnel_svg=chart_svg(funnel),
        history=wb.target_history(ind.id),
        la=wb.la(),
    )


@router.post("/framework/{indicator_id}/target")
def set_target(
    request: Request,
    indicator_id: str,
    user: Annotated[User, Depends(need("edit", "target"))],
    target: Annotated[str, Form(max_length=50)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    wb = request.app.state.dm
    ind = _indicator(indicator_id)
    text = target.strip().replace(",", "")
    value: float | None = None
    if text:
        try:
            value = float(text.rstrip("%"))
        except ValueError:
            raise WebError("bad_request", f"The target must be a number, not '{target}'.") from None
        if value != value or abs(value) > 1e12:
            raise WebError("bad_request", "The target must be a finite number.")
    wb.set_target(ind.id, value, user.username, note.strip())
    audit.record(wb.web, request, user, "edit", "target", {"indicator": ind.id, "target": value})
    return RedirectResponse(f"/framework/{ind.id}?saved=1#target", status_code=303)


@router.get("/framework/{indicator_id}/children", response_class=HTMLResponse)
def children(
    request: Request,
    indicator_id: str,
    user: Annotated[User, Depends(need("view", "child"))],
    year: Year = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
    only: Annotated[str | None, Query(pattern="^(numerator|denominator)$")] = None,
) -> Response:
    wb = request.app.state.dm
    ind = _indicator(indicator_id)
    y = _year(wb, year)
    ex = wb.explanation(ind.id, y)
    recs = ex.rows
    if only and only in ex.columns:
        k = ex.columns.index(only)
        recs = [r for r in recs if r[k]]
    total = len(recs)
    start = (page_no - 1) * CHILD_PAGE
    audit.child_view(
        wb.web,
        request,
        user,
        "indicator children",
        (r[0] for r in recs[start : start + CHILD_PAGE]),
        indicator=ind.id,
        year=y,
        rows=total,
        p=page_no,
        only=only,
    )
    return page(
        request,
        "framework_children.html",
        title=f"Children behind: {ind.title}",
        ind=ind,
        ex=ex,
        rows=recs[start : start + CHILD_PAGE],
        total=total,
        page_no=page_no,
        pages=max((total + CHILD_PAGE - 1) // CHILD_PAGE, 1),
        only=only,
        year=y,
        year_label=label(y),
    )


@router.get("/framework/{indicator_id}/children.csv")
def children_csv(
    request: Request,
    indicator_id: str,
    user: Annotated[User, Depends(need("export", "child"))],
    year: Year = None,
) -> Response:
    wb = request.app.state.dm
    ind = _indicator(indicator_id)
    y = _year(wb, year)
    ex = wb.explanation(ind.id, y)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(csv_row(ex.columns))
    w.writerows(csv_row(r) for r in ex.rows)  # no formula injection
    audit.record(
        wb.web,
        request,
        user,
        "export",
        "child",
        {
            "file": f"{ind.id}.csv",
            "indicator": ind.id,
            "year": y,
            "rows": len(ex.rows),
            **audit.children(wb.web, (r[0] for r in ex.rows)),
        },
    )
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{ind.id}-{y}.csv"'},
    )
