"""Uploading returns: any files `datamonger load` accepts, several at once, loaded in the
background with progress, then validated; the same Problem list as the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from datamonger.web import audit
from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page
from datamonger.web.services import Job

router = APIRouter()


@router.get("/upload", response_class=HTMLResponse)
def upload_form(
    request: Request, user: Annotated[User, Depends(need("upload", "return"))]
) -> Response:
    wb = request.app.state.dm
    jobs = sorted(wb.jobs.values(), key=lambda j: j.started, reverse=True)[:10]
    return page(request, "upload.html", title="Upload returns", jobs=jobs)


@router.post("/upload")
async def upload(
    request: Request, user: Annotated[User, Depends(need("upload", "return"))]
) -> Response:
    wb = request.app.state.dm
    form = await request.form(max_files=200, max_fields=20)
    files: list[tuple[str, Any]] = []
    for item in form.getlist("files"):
        if isinstance(item, UploadFile) and item.filename:
            await item.seek(0)
            files.append((item.filename, item.file))  # (spooled to disk by the form parser)
    if not files:
        raise WebError("bad_request", "Choose at least one file to upload.")
    year_text = str(form.get("year") or "").strip()
    year = None
    if year_text:
        if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
            raise WebError(
                "bad_request",
                "The collection year is the year in which it ends, for example 2025 for 2024/25.",
            )
        year = int(year_text)
    job = wb.start_upload(user.username, files, year)
    audit.record(
        wb.web, request, user, "upload", "return", {"files": job.files, "year": year, "job": job.id}
    )
    url = f"/upload/jobs/{job.id}"
    if request.headers.get("hx-request") == "true":
        return page(request, "upload_job.html", job=job, fragment=True)
    return RedirectResponse(url, status_code=303)


def _job(request: Request, job_id: str, user: User) -> Job:
    job: Job | None = request.app.state.dm.jobs.get(job_id)
    if job is None or (job.owner != user.username):
        raise WebError("not_found", "There is no upload with this number.")
    return job


@router.get("/upload/jobs/{job_id}", response_class=HTMLResponse)
def upload_job(
    request: Request, job_id: str, user: Annotated[User, Depends(need("upload", "return"))]
) -> Response:
    job = _job(request, job_id, user)
    fragment = request.headers.get("hx-request") == "true"
    return page(request, "upload_job.html", title="Upload progress", job=job, fragment=fragment)
