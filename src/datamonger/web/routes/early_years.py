"""The early-education monitor in the dashboard: take-up and its trend for everyone who sees
aggregated figures; the children, the review queue, the workbook and the list requests to other
LAs for the analyst and virtual-school roles, every view and export in the audit log. The page
shows the latest run stored by `datamonger early-years` (the same functions, read back)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datamonger.early_years import report as ey_report
from datamonger.early_years.monitor import MonitorError, Result, decide, run
from datamonger.early_years.readers import InputRefused, read_inputs
from datamonger.reports.charts import Series, trend
from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import chart_svg, page

router = APIRouter()
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def _latest(request: Request) -> Result | None:
    wb = request.app.state.dm
    with wb.cursor() as cur:
        return ey_report.latest(cur)


def _trend_chart(result: Result) -> Any:
    runs = result.trend.to_pylist()
    points = {k + 1: r["take_up_pct"] for k, r in enumerate(runs) if r["take_up_pct"] is not None}
    if len(points) < 2:
        return None
    known = {k + 1: r["known_pct"] for k, r in enumerate(runs) if r["known_pct"] is not None}
    chart = trend(
        "Take-up of funded early education by looked-after children, check by check",
        [Series("Take-up (known status)", points, "la"), Series("Known status", known, "region")],
        "%",
        x_title="Check (oldest first)",
    )
    return chart, chart_svg(chart)


@router.get("/early-years", response_class=HTMLResponse)
def overview(request: Request, user: Annotated[User, Depends(need("view", "la"))]) -> Response:
    result = _latest(request)
    return page(
        request,
        "early_years.html",
        title="Early education of looked-after children",
        result=result,
        s=result.summary if result else None,
        breakdowns=ey_report.summary_rows(result.summary) if result else [],
        comparison=ey_report.comparison_rows(result.summary) if result else [],
        trend=result.trend.to_pylist() if result else [],
        chart=_trend_chart(result) if result else None,
    )


@router.get("/early-years/children", response_class=HTMLResponse)
def children(
    request: Request,
    user: Annotated[User, Depends(need("view", "early_years"))],
    status: Annotated[str | None, Query(pattern="^(attending|not attending|unknown)$")] = None,
) -> Response:
    wb = request.app.state.dm
    result = _latest(request)
    if result is None:
        raise WebError("not_found", "No early-years check has been run yet.",
                       "Run `datamonger early-years` with the lists and identities first.")  # fmt: skip
    rows = [r for r in result.children.to_pylist() if status is None or r["status"] == status]
    review = result.review.to_pylist()
    shown = [r["child_id"] for r in rows] + [r["child_id"] for r in review]
    audit.record(
        wb.web, request, user, "view", "early_years",
        {"page": "early years children", "run": result.run_id, "status": status,
         "review": len(review), **audit.children(wb.web, shown)},
    )  # fmt: skip
    with wb.cursor() as cur:
        las = ey_report.request_las(cur)
    return page(
        request,
        "early_years_children.html",
        title="Early years: children and review queue",
        result=result,
        rows=rows,
        review=review,
        changes=result.changes.to_pylist(),
        shown_status=status,
        request_las=las,
    )


@router.post("/early-years/review")
def review_decision(
    request: Request,
    user: Annotated[User, Depends(need("edit", "early_years"))],
    fingerprint: Annotated[str, Form(pattern="^[0-9a-f]{32}$")],
    child_id: Annotated[str, Form(min_length=1, max_length=100)],
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
) -> Response:
    wb = request.app.state.dm
    with wb.load_lock, wb.cursor() as cur:
        known = cur.execute(
            "SELECT count(*) FROM ey_review WHERE fingerprint = ? AND child_id = ?",
            [fingerprint, child_id],
        ).fetchall()[0][0]
        if not known:
            raise WebError("not_found", "That link is not in the review queue.",
                           "It may have been decided already; reload the page.")  # fmt: skip
        decide(cur, fingerprint, child_id, decision, user.username)
    audit.record(
        wb.web, request, user, "edit", "early_years",
        {"decision": decision, "child": child_id, "list_row": fingerprint},
    )  # fmt: skip
    return RedirectResponse(f"/early-years/children?decided={decision}#review", status_code=303)


def _file(path: Path, name: str) -> Response:
    data = path.read_bytes()
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/early-years/export.xlsx")
def export_xlsx(
    request: Request, user: Annotated[User, Depends(need("export", "early_years"))]
) -> Response:
    wb = request.app.state.dm
    result = _latest(request)
    if result is None:
        raise WebError("not_found", "No early-years check has been run yet.")
    with tempfile.TemporaryDirectory(dir=wb.tmp) as tmp:
        path = ey_report.write_workbook(result, Path(tmp) / "early_years.xlsx")
        shown = result.children.column("child_id").to_pylist()
        audit.record(
            wb.web, request, user, "export", "early_years",
            {"file": "early_years.xlsx", "run": result.run_id, **audit.children(wb.web, shown)},
        )  # fmt: skip
        return _file(path, f"early-years-{result.as_of}.xlsx")


@router.get("/early-years/request.xlsx")
def request_xlsx(
    request: Request,
    user: Annotated[User, Depends(need("export", "early_years"))],
    la: Annotated[str, Query(pattern="^[0-9]{3}$")],
) -> Response:
    wb = request.app.state.dm
    result = _latest(request)
    if result is None:
        raise WebError("not_found", "No early-years check has been run yet.")
    with wb.cursor() as cur:
        ids = [
            r[0]
            for r in cur.execute(
                """SELECT child_id FROM ey_children_latest
                   WHERE placing_la = ? AND status <> 'attending'""",
                [la],
            ).fetchall()
        ]
        if not ids:
            raise WebError("not_found", f"No child of the last check is placed in LA {la} "
                           "without a known status.")  # fmt: skip
        with tempfile.TemporaryDirectory(dir=wb.tmp) as tmp:
            path = Path(tmp) / "request.xlsx"
            ey_report.write_request(cur, result.la, la, result.summary["term"], path)
            audit.record(
                wb.web, request, user, "export", "early_years",
                {"file": f"request-{la}.xlsx", "to_la": la, **audit.children(wb.web, ids)},
            )  # fmt: skip
            return _file(path, f"early-years-request-{result.la}-to-{la}-{dt.date.today()}.xlsx")


def _save(item: Any, folder: Path, n: int) -> tuple[Path, str]:
    """An uploaded file under `folder`, kept with its own name for messages."""
    name = SAFE_NAME.sub("_", Path(item.filename).name)[:100] or f"file{n}"
    if Path(name).suffix.lower() not in (".csv", ".xlsx"):
        raise WebError("bad_request", f"{name}: only CSV and XLSX files can be read.")
    sub = folder / str(n)
    sub.mkdir()
    path = sub / name
    with path.open("wb") as out:
        item.file.seek(0)
        while chunk := item.file.read(1 << 20):
            out.write(chunk)
    return path, name


@router.post("/early-years/run")
async def run_check(
    request: Request, user: Annotated[User, Depends(need("edit", "early_years"))]
) -> Response:
    """Run this week's check from the dashboard (the server holds the database, so the command
    cannot run beside it): the lists, the identities and optionally Ofsted's register."""
    wb = request.app.state.dm
    form = await request.form(max_files=50, max_fields=10)
    lists = [i for i in form.getlist("lists") if isinstance(i, UploadFile) and i.filename]
    ids = form.get("identities")
    settings = form.get("settings")
    if not lists or not isinstance(ids, UploadFile) or not ids.filename:
        raise WebError("bad_request", "Choose the early-years lists and the identities file.")
    as_of_text = str(form.get("as_of") or "").strip()
    try:
        as_of = dt.date.fromisoformat(as_of_text) if as_of_text else dt.date.today()
    except ValueError:
        raise WebError("bad_request", "The date of the check is written YYYY-MM-DD.") from None
    with tempfile.TemporaryDirectory(dir=wb.tmp) as tmp:
        folder = Path(tmp)
        saved = [_save(i, folder, n) for n, i in enumerate(lists)]
        id_path, id_name = _save(ids, folder, len(saved))
        reg = None
        if isinstance(settings, UploadFile) and settings.filename:
            reg, _ = _save(settings, folder, len(saved) + 1)

        def work() -> Result:
            try:
                inputs = read_inputs([p for p, _ in saved], id_path, reg)
            except InputRefused as exc:
                text = exc.describe().replace(str(folder) + "/", "")
                raise WebError(
                    "bad_request",
                    "Nothing was read or stored: " + re.sub(r"(^|\n)\d+/", r"\1", text),
                    "Correct the file and run the check again.",
                ) from None
            inputs.files = [name for _, name in saved] + [id_name]
            with wb.load_lock, wb.cursor() as cur:
                try:
                    return run(cur, inputs, as_of)
                except MonitorError as exc:
                    raise WebError("conflict", str(exc)) from None

        result = await run_in_threadpool(work)
    audit.record(
        wb.web, request, user, "upload", "early_years",
        {"files": [n for _, n in saved] + [id_name], "run": result.run_id,
         "as_of": as_of.isoformat()},
    )  # fmt: skip
    return RedirectResponse("/early-years?ran=1", status_code=303)
