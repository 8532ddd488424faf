"""Validation: counts by rule (aggregated, everyone), then a rule's issues, the file line and the
child (child-level: analysts, audited); the validation Excel workbook (analysts, audited)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page
from datamonger.web.services import ISSUE_PAGE

router = APIRouter()

RETURNS = ("cin", "ssda903")
SEVERITIES = ("error", "query")
Text = Annotated[str | None, Query(max_length=100)]


def filters(
    table: Text = None,
    severity: Text = None,
    rule: Text = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    return_name: Annotated[str | None, Query(alias="return", max_length=20)] = None,
) -> dict[str, Any]:
    if severity and severity not in SEVERITIES:
        raise WebError("bad_request", f"Severity is one of {', '.join(SEVERITIES)}.")
    if return_name and return_name not in RETURNS:
        raise WebError("bad_request", f"Return is one of {', '.join(RETURNS)}.")
    return {
        "table": table or None,
        "severity": severity or None,
        "rule": rule or None,
        "year": year,
        "return": return_name or None,
    }


Filters = Annotated[dict[str, Any], Depends(filters)]


@router.get("/validation", response_class=HTMLResponse)
def summary(
    request: Request, f: Filters, user: Annotated[User, Depends(need("view", "la"))]
) -> Response:
    wb = request.app.state.dm
    rows = wb.validation_summary(f)
    return page(
        request,
        "validation.html",
        title="Validation",
        rows=rows,
        f=f,
        facets=wb.validation_facets(),
        runs=wb.validation_runs(),
        totals={
            "issues": sum(r["issues"] for r in rows),
            "errors": sum(r["issues"] for r in rows if r["severity"] == "error"),
            "queries": sum(r["issues"] for r in rows if r["severity"] == "query"),
        },
    )


@router.post("/validation/run")
def run(request: Request, user: Annotated[User, Depends(need("upload", "return"))]) -> Response:
    """Validate again every return and year loaded (after loading from the command line)."""
    wb = request.app.state.dm
    targets = sorted({(r, y) for r, y, _ in wb.stamp()})
    if not targets:
        raise WebError("conflict", "No return is loaded yet.", "Upload returns first.")
    with wb.load_lock:  # one audit row per return and year, with its results
        wb.validate(targets, user.username, request, user)
    return RedirectResponse("/validation", status_code=303)


@router.get("/validation/rules/{ret}/{code}", response_class=HTMLResponse)
def rule_issues(
    request: Request,
    ret: str,
    code: str,
    f: Filters,
    user: Annotated[User, Depends(need("view", "child"))],
    page_no: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
) -> Response:
    rule, return_name = code, ret
    if return_name not in RETURNS:
        raise WebError("not_found", f"There is no return called '{return_name}'.")
    wb = request.app.state.dm
    f = dict(f, rule=rule, **{"return": return_name})
    rows, total = wb.issues(f, page_no)
    if not total:
        raise WebError("not_found", f"No issues for rule {rule} with these filters.")
    audit.child_view(
        wb.web,
        request,
        user,
        "rule issues",
        (r["child"] for r in rows),
        rule=rule,
        **{"return": return_name},
        filters=f,
        p=page_no,
    )
    return page(
        request,
        "validation_rule.html",
        title=f"Rule {rule}",
        rows=rows,
        total=total,
        rule=rule,
        return_name=return_name,
        message=rows[0]["message"],
        severity=rows[0]["severity"],
        f=f,
        page_no=page_no,
        pages=(total + ISSUE_PAGE - 1) // ISSUE_PAGE,
    )


@router.get("/validation/line", response_class=HTMLResponse)
def file_line(
    request: Request,
    table: Annotated[str, Query(max_length=100)],
    file: Annotated[str, Query(max_length=2000)],
    ret: Annotated[str, Query(alias="return", max_length=20)],
    line: Annotated[int, Query(ge=0, le=100_000_000)],
    user: Annotated[User, Depends(need("view", "child"))],
) -> Response:
    wb = request.app.state.dm
    if ret not in RETURNS:
        raise WebError("bad_request", f"Return is one of {', '.join(RETURNS)}.")
    row = wb.line_row(ret, table, file, line)
    if row is None:
        raise WebError("not_found", "That line is not in the loaded returns.")
    issues = wb.web.all(
        "SELECT rule, severity, fields, message FROM validation_issues WHERE return_name = ? "
        'AND "table" = ? AND file = ? AND line = ? ORDER BY rule',
        [ret, table, file, line],
    )
    flagged: dict[str, str] = {}
    for i in issues:
        for fld in json.loads(i["fields"] or "[]"):
            if flagged.get(fld) != "error":
                flagged[fld] = i["severity"]
    audit.child_view(
        wb.web,
        request,
        user,
        "file line",
        [row["child"]],
        **{"return": ret},
        table=table,
        file=row["file_name"],
        line=line,
    )
    return page(
        request,
        "validation_line.html",
        title=f"{row['file_name']}, line {line}",
        row=row,
        issues=issues,
        flagged=flagged,
    )


def child_id_of(request: Request, child_id: str, query_id: str | None) -> str:
    """The child id from the path (percent-encoded whole: any character may be in it, `/`, `%`,
    `?`, `#` and spaces included) or, for ids no path can carry (`..`), from `?id=`. Read from
    the path as sent and decoded once, so an id holding `%2F` stays as written."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes) and child_id:
        sent = raw.decode("latin-1").split("?", 1)[0]
        at = sent.find("/children/")
        if at >= 0:
            child_id = unquote(sent[at + len("/children/") :])
    found = query_id if query_id is not None and not child_id else child_id
    if not found:
        raise WebError("bad_request", "Which child? The address names no identifier.")
    if len(found) > 100:
        raise WebError("bad_request", "A child identifier has at most 100 characters.")
    return found


@router.get("/children/{child_id:path}", response_class=HTMLResponse)
def child(
    request: Request,
    child_id: str,
    user: Annotated[User, Depends(need("view", "child"))],
    query_id: Annotated[str | None, Query(alias="id", max_length=100)] = None,
) -> Response:
    wb = request.app.state.dm
    child_id = child_id_of(request, child_id, query_id)
    journey = wb.child_journey(child_id)
    if not journey.found:
        raise WebError("not_found", "No child with this identifier is in the loaded returns.")
    tables = wb.child_rows(child_id)
    audit.child_view(wb.web, request, user, "child", [child_id])
    # presentation only: the issues grouped under the event they are pinned on
    pins: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for i in journey.issues.to_pylist():
        pins.setdefault((i["kind"], i["identity"]), []).append(i)
    return page(
        request,
        "child.html",
        title=f"Child {child_id}",
        child_id=child_id,
        events=journey.events.to_pylist(),
        pins=pins,
        chart=wb.journey_chart(journey),
        total=journey.issues.num_rows,
        tables=tables,
    )


@router.get("/validation/export.xlsx")
def export_xlsx(
    request: Request, f: Filters, user: Annotated[User, Depends(need("export", "child"))]
) -> Response:
    wb = request.app.state.dm
    if not wb.validation_runs():
        raise WebError("conflict", "Nothing has been validated yet.", "Upload returns first.")
    tmp = Path(tempfile.mkdtemp(prefix="export-", dir=wb.tmp)) / "validation.xlsx"
    n, named = wb.write_validation_xlsx(f, tmp)
    audit.record(
        wb.web,
        request,
        user,
        "export",
        "child",
        {"file": "validation.xlsx", "issues": n, "filters": f, **audit.children(wb.web, named)},
    )
    return FileResponse(
        tmp,
        filename="datamonger-validation.xlsx",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        background=BackgroundTask(_remove, tmp),
    )


def _remove(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)
