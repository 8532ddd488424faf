"""Exports made in the background (the framework PDF): a bounded queue (`ExportQueue`: a few
worker threads, at most a few exports per user), a progress page that HTMX polls, the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from datamonger.web.auth import User, need
from datamonger.web.errors import WebError
from datamonger.web.pages import page
from datamonger.web.services import ExportBusy, ExportJob

router = APIRouter()


def queue_export(
    request: Request,
    user: User,
    title: str,
    filename: str,
    media_type: str,
    make: Callable[[Path], None],
) -> ExportJob:
    try:
        job: ExportJob = request.app.state.dm.exports.submit(
            user.username, title, filename, media_type, make
        )
    except ExportBusy as exc:
        raise WebError(
            "too_many_attempts",
            str(exc),
            "Try again in a minute.",
            headers={"Retry-After": "10" if exc.per_user else "30"},
        ) from None
    return job


def _job(request: Request, job_id: str, user: User) -> ExportJob:
    job: ExportJob | None = request.app.state.dm.exports.get(job_id, user.username)
    if job is None:
        raise WebError("not_found", "There is no export with this number.")
    return job


@router.get("/exports/{job_id}", response_class=HTMLResponse)
def export_job(
    request: Request, job_id: str, user: Annotated[User, Depends(need("export", "la"))]
) -> Response:
    job = _job(request, job_id, user)
    fragment = request.headers.get("hx-request") == "true"
    return page(request, "export_job.html", title="Export", job=job, fragment=fragment)


@router.get("/exports/{job_id}/file")
def export_file(
    request: Request, job_id: str, user: Annotated[User, Depends(need("export", "la"))]
) -> Response:
    job = _job(request, job_id, user)
    if job.state != "done" or job.path is None or not job.path.exists():
        raise WebError("conflict", "This export is not ready.", f"See /exports/{job.id}.")
    return FileResponse(job.path, filename=job.filename, media_type=job.media_type)
