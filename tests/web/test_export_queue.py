"""Issue 14, item 11: slow exports run in a bounded background queue with a progress page, so
one user cannot starve the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datamonger.web import create_app
from datamonger.web.routes import framework
from datamonger.web.services import ExportBusy, ExportQueue, Workbench
from tests.web.conftest import make_workbench, sign_in
from tests.web.helpers import assert_error


def _wait(pred, seconds: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not pred():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_queue_is_bounded_per_user_and_overall(tmp_path: Path) -> None:
    q = ExportQueue(tmp_path, workers=1, per_user=2, limit=3)
    gate = threading.Event()

    def slow(path: Path) -> None:
        gate.wait(20)
        path.write_bytes(b"done")

    try:
        a1 = q.submit("ann", "a", "a.pdf", "application/pdf", slow)
        a2 = q.submit("ann", "a", "a.pdf", "application/pdf", slow)
        with pytest.raises(ExportBusy) as busy:  # a third for ann: refused
            q.submit("ann", "a", "a.pdf", "application/pdf", slow)
        assert busy.value.per_user
        b1 = q.submit("bob", "b", "b.pdf", "application/pdf", slow)  # bob is not starved
        with pytest.raises(ExportBusy) as full:
            q.submit("cat", "c", "c.pdf", "application/pdf", slow)
        assert not full.value.per_user
        _wait(lambda: a1.state == "running")
        assert a2.state == "queued" and b1.state == "queued"  # one worker: one at a time
        got = q.get(b1.id, "bob")
        assert got is not None and got.ahead == 2
        assert q.get(b1.id, "ann") is None  # someone else's export
        gate.set()
        _wait(lambda: all(j.state == "done" for j in (a1, a2, b1)))
        assert a1.path is not None and a1.path.read_bytes() == b"done"
        q.submit("ann", "a", "a.pdf", "application/pdf", slow)  # room again
    finally:
        gate.set()
        q.close()


@pytest.fixture
def wb(tmp_path: Path, loaded_db: Path) -> Iterator[Workbench]:
    w = make_workbench(tmp_path, loaded_db, validate=False)
    yield w
    w.close()


def test_framework_pdf_goes_through_the_queue_with_a_progress_page(
    wb: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()

    def fake_pdf(w: Workbench, year: int) -> bytes:
        gate.wait(20)
        return b"%PDF-1.7 fake " + str(year).encode()

    monkeypatch.setattr(framework, "framework_pdf", fake_pdf)
    app = create_app(wb.config, wb)
    with TestClient(app) as manager, TestClient(app) as other:
        sign_in(manager, "manager")
        sign_in(other, "analyst")
        r = manager.get("/framework/export.pdf", follow_redirects=False)
        assert r.status_code == 303
        url = r.headers["location"]
        progress = manager.get(url)
        assert progress.status_code == 200
        assert f'hx-get="{url}"' in progress.text and 'hx-trigger="every 1s"' in progress.text
        assert_error(manager.get(url + "/file"), 409, "conflict")  # not ready yet
        assert_error(other.get(url), 404, "not_found")  # not theirs
        manager.get("/framework/export.pdf", follow_redirects=False)
        busy = manager.get("/framework/export.pdf", follow_redirects=False)
        assert_error(busy, 429, "too_many_attempts")
        assert int(busy.headers["retry-after"]) > 0
        assert other.get("/framework/export.pdf", follow_redirects=False).status_code == 303
        gate.set()
        _wait(lambda: 'data-state="done"' in manager.get(url, headers={"HX-Request": "true"}).text)
        done = manager.get(url, headers={"HX-Request": "true"})
        assert "hx-get" not in done.text and f'href="{url}/file"' in done.text
        pdf = manager.get(url + "/file")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        assert "attachment" in pdf.headers["content-disposition"]
    rows = wb.web.all("SELECT username FROM audit WHERE action = 'export' AND resource = 'la'")
    assert len(rows) == 3
