"""Issue 14, item 2: a small workbook whose sheet unpacks to millions of rows is refused with a
clear message, using modest memory (the XLSX reader checks the sizes the zip entries declare,
and reads in streaming fashion with row, column and cell-size caps)."""

from __future__ import annotations

import resource
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from datamonger.web import create_app
from tests.web.conftest import csrf_from, make_workbench, sign_in

ROWS = 1_500_000
COLUMNS = [
    *("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"),
    *("REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
]

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"><sheets><sheet name="Episodes" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'
    ),
}


def bomb(path: Path, rows: int = ROWS) -> Path:
    """An XLSX of a few hundred KB whose one sheet declares and holds `rows` rows."""

    def cells(values: list[str]) -> str:
        return "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main">'
                + f'<dimension ref="A1:M{rows + 1}"/><sheetData>'.encode()
                + f"<row>{cells(COLUMNS)}</row>".encode()
            )
            values = ["1", "01/04/2024", "S", "C2", "N1", "U1", "PR1", "", "", "", "", "", ""]
            row = f"<row>{cells(values)}</row>"
            block = row.encode() * 10_000
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _reader_streams() -> bool:
    """Whether the XLSX reader has its caps yet (the readers' helper is changing it)."""
    from datamonger.readers import xlsx_reader

    text = Path(xlsx_reader.__file__).read_text()
    return "file_size" in text or "uncompressed" in text.lower()


@pytest.mark.slow
@pytest.mark.xfail(
    not _reader_streams(),
    reason="XLSX reader streaming: readers helper",
    run=False,  # today's reader would take the test process to several GB
    strict=True,
)
def test_a_workbook_bomb_is_refused_with_a_clear_message_and_modest_memory(
    tmp_path: Path,
) -> None:
    wb = make_workbench(tmp_path, None)
    upload = bomb(tmp_path / "903_episodes.xlsx")
    assert upload.stat().st_size < 4 * 1024 * 1024  # a small upload
    try:
        with TestClient(create_app(wb.config, wb)) as c:
            sign_in(c, "analyst")
            token = csrf_from(c.get("/upload").text)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
            r = c.post(
                "/upload",
                data={"csrf_token": token},
                files={"files": (upload.name, upload.read_bytes())},
                follow_redirects=False,
            )
            assert r.status_code == 303
            job = next(iter(wb.jobs.values()))
            deadline = time.monotonic() + 120
            while job.running and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not job.running
            grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
            page = c.get(f"/upload/jobs/{job.id}")
        assert not job.loaded and job.exit_code
        messages = " ".join(str(p.get("message", "")) for p in job.problems).lower()
        assert any(w in messages for w in ("too large", "too many", "uncompressed", "rows")), (
            job.problems
        )
        assert str(escape(job.problems[0]["message"])) in page.text
        assert grown_mb < 400, f"the server grew by {grown_mb:.0f} MB"
    finally:
        wb.close()
