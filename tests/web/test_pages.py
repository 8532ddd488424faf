"""The pages end to end on a small synthetic LA: upload with the CLI's problems, validation from a
rule down to the child, the framework with targets and RAG, benchmarks, exports."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import fastexcel
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from datamonger.web import create_app
from datamonger.web.routes.framework import rag
from tests.web.conftest import csrf_from, make_workbench, sign_in
from tests.web.helpers import assert_error


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    wb = make_workbench(tmp_path_factory.mktemp("empty"), None)
    yield create_app(wb.config, wb)
    wb.close()


def _wait(app, job_id: str) -> None:  # type: ignore[no-untyped-def]
    job = app.state.dm.jobs[job_id]
    for _ in range(1200):
        if not job.running:
            return
        time.sleep(0.1)
    raise AssertionError(f"upload still {job.state}")


def test_upload_loads_validates_and_reports_problems(empty_app, returns_dir: Path) -> None:  # type: ignore[no-untyped-def]
    year = returns_dir / "2024-25"
    header = (year / "ssda903" / "Header.csv").read_text().splitlines()
    cols = header[0].split(",")
    cells = header[1].split(",")
    cells[cols.index("DOB")] = "31/02/2010"
    header[1] = ",".join(cells)
    files = [("files", ("cin_census.xml", (year / "cin_census.xml").read_bytes(), "text/xml"))]
    for p in sorted((year / "ssda903").glob("*.csv")):
        content = "\n".join(header).encode() + b"\n" if p.name == "Header.csv" else p.read_bytes()
        files.append(("files", (p.name, content, "text/csv")))
    files.append(("files", ("notes.csv", b"NAME,COLOUR\nx,y\n", "text/csv")))
    with TestClient(empty_app) as c:
        sign_in(c, "analyst")
        page = c.get("/upload")
        assert page.status_code == 200 and 'type="file"' in page.text
        token = csrf_from(page.text)
        r = c.post("/upload", files=files, data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        job_url = r.headers["location"]
        _wait(empty_app, job_url.rsplit("/", 1)[1])
        done = c.get(job_url).text
        assert "Finished" in done and "hx-trigger" not in done
        # the same problems as the CLI: file, line, column, value, message, hint
        assert "notes.csv" in done and "unknown_table" not in done  # the message, not the code
        job = empty_app.state.dm.jobs[job_url.rsplit("/", 1)[1]]
        codes = {p["code"] for p in job.problems}
        assert {"unknown_table", "bad_date"} <= codes
        bad = next(
            p for p in job.problems if p["code"] == "bad_date" and p["value"] == "31/02/2010"
        )
        assert (bad["file"], bad["line"], bad["column"], bad["value"]) == (
            "Header.csv",
            2,
            "DOB",
            "31/02/2010",
        )
        assert str(escape(bad["message"])) in done and "31/02/2010" in done
        assert {v["return"] for v in job.validated} == {"cin", "ssda903"}
        # someone else cannot follow another user's upload
        other = TestClient(empty_app)
        sign_in(other, "administrator")
        assert_error(other.get(job_url), 403, "forbidden")
        # the overview and the framework now show the year
        assert "2024/25" in c.get("/").text
        assert c.get("/framework").status_code == 200


def test_upload_with_htmx_returns_the_progress_fragment(empty_app, returns_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(empty_app) as c:
        sign_in(c, "analyst")
        token = csrf_from(c.get("/upload").text)
        xml = (returns_dir / "2023-24" / "cin_census.xml").read_bytes()
        r = c.post(
            "/upload",
            files=[("files", ("cin.xml", xml, "text/xml"))],
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
        assert r.status_code == 200
        assert r.text.lstrip().startswith('<section class="job"') and "<html" not in r.text
        job_id = re.search(r'id="job-([0-9a-f]+)"', r.text).group(1)  # type: ignore[union-attr]
        _wait(empty_app, job_id)
        frag = c.get(f"/upload/jobs/{job_id}", headers={"HX-Request": "true"}).text
        assert "Finished" in frag and "hx-trigger" not in frag
        # an error in an HTMX request comes back as the error fragment
        bad = c.post("/upload", data={}, headers={"HX-Request": "true", "X-CSRF-Token": token})
        assert_error(bad, 400, "bad_request")
        assert "<html" not in bad.text


def test_validation_drill_from_rule_to_line_and_child(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    page = c.get("/validation")
    assert page.status_code == 200 and 'id="rules"' in page.text
    link = re.search(r'href="(/validation/rules/[^"]+)"', page.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    issues = c.get(link)
    assert issues.status_code == 200 and 'id="issues"' in issues.text
    line = re.search(r'href="(/validation/line[^"]+)"', issues.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    row = c.get(line)
    assert row.status_code == 200 and "The line as written" in row.text
    assert 'class="flag--' in row.text  # the fields the rule names are marked
    child = re.search(r'href="(/children/[^"]+)"', row.text).group(1)  # type: ignore[union-attr]
    rec = c.get(child)
    assert rec.status_code == 200 and "Records in the returns" in rec.text


def test_validation_filters(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    all_rows = wb.validation_summary({})
    assert all_rows
    first = all_rows[0]
    table = first["tables"][0]
    for query, keep in (
        (f"?severity={first['severity']}", lambda r: r["severity"] == first["severity"]),
        (f"?rule={first['rule']}", lambda r: r["rule"] == first["rule"]),
        (f"?table={table}", lambda r: table in r["tables"]),
    ):
        html = c.get("/validation" + query).text
        shown = re.findall(
            r"<td>(?:<a [^>]+>)?([0-9A-Za-z_]+)(?:</a>)?</td>\s*<td><span class=\"tag", html
        )
        expected = sorted({r["rule"] for r in all_rows if keep(r)})
        assert sorted(set(shown)) == expected, query
    api = c.get(f"/api/validation/summary?severity={first['severity']}").json()
    assert all(r["severity"] == first["severity"] for r in api)


def test_validation_counts_kept_with_a_run_equal_the_issues(wb) -> None:  # type: ignore[no-untyped-def]
    from datamonger.web.webdb import WebDB, summary_sql

    def live(f: dict) -> list[tuple]:
        where, params = wb._issue_filter(f)
        rows = wb.web.all(f"SELECT * FROM ({summary_sql(where, by_table=False)})", params)
        return sorted((r["rule"], r["issues"], r["children"], tuple(r["tables"])) for r in rows)

    def kept(f: dict) -> list[tuple]:
        rows = wb.validation_summary(f)
        return sorted((r["rule"], r["issues"], r["children"], tuple(r["tables"])) for r in rows)

    tables = wb.validation_facets()["tables"]
    assert len(tables) >= 3
    for f in [{}, {"severity": "error"}, {"year": 2025, "return": "cin"}] + [
        {"table": t} for t in tables
    ]:
        assert kept(f) == live(f), f
        assert kept(f), f
    # a web database from before the counts were kept gets them when opened
    before = kept({})
    with wb.web.lock:
        wb.web.con.execute("DELETE FROM validation_summary")
    assert kept({}) == []
    WebDB(wb.web.path).close()  # opening it again, as a new release would
    assert kept({}) == before


def test_framework_groups_targets_and_rag(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    page = c.get("/framework").text
    for q in ("How much did we do?", "How well did we do it?", "Is anyone better off?"):
        assert f">{q}</h2>" in page
    value = next(r for r in wb.results(2025) if r.id == "cla_at_end").value
    assert value
    token = csrf_from(page)
    r = c.post(
        "/framework/cla_at_end/target",
        data={"target": str(value * 2), "note": "grow", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = c.get("/framework/cla_at_end").text
    assert "grow" in detail and "Definition" in detail
    assert "/framework/cla_at_end/children" in detail  # analysts see the children link
    api = {i["id"]: i for i in c.get("/api/indicators").json()}
    assert api["cla_at_end"]["target"] == value * 2
    # a manager sees the target but no link to children
    m = as_role("manager")
    mpage = m.get("/framework/cla_at_end").text
    assert "/children" not in mpage and "grow" in mpage
    assert_error(
        m.post(
            "/framework/cla_at_end/target", data={"target": "1", "csrf_token": csrf_from(mpage)}
        ),
        403,
        "forbidden",
    )


def test_rag_rules() -> None:
    assert rag(10, 10, "higher is better", 0.05) == "green"
    assert rag(9.6, 10, "higher is better", 0.05) == "amber"
    assert rag(9, 10, "higher is better", 0.05) == "red"
    assert rag(9, 10, "lower is better", 0.05) == "green"
    assert rag(10.4, 10, "lower is better", 0.05) == "amber"
    assert rag(11, 10, "lower is better", 0.05) == "red"
    assert rag(11, 10, "neither", 0.05) is None
    assert rag(None, 10, "higher is better", 0.05) is None


def test_children_behind_an_indicator(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("analyst")
    r = next(x for x in wb.results(2025) if x.id == "cla_at_end")
    page = c.get("/framework/cla_at_end/children?only=numerator")
    assert page.status_code == 200
    assert page.text.count('<a href="/children/') == int(r.numerator or 0)
    csv = c.get("/framework/cla_at_end/children.csv")
    assert csv.text.splitlines()[0].startswith("child_id,numerator,denominator")


def test_benchmarks_pages(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    page = c.get("/benchmarks")
    # one topic at a time, social care first (the page used to list every measure and flag)
    assert page.status_code == 200 and "practice or recording?" in page.text
    assert '<strong aria-current="page">Referrals and children in need</strong>' in page.text
    m = c.get("/benchmarks/measure?key=ReReferral").text
    assert "<h1>Re-referrals" in m and "lower is better" in m
    # two charts drawn on the server (trend, all LAs), each with its spec for the browser
    assert m.count("<svg") == 2 and m.count('role="img"') == 2
    assert m.count("data-vega-spec=") == 2 and m.count("Show the figures as a table") == 2
    ids = re.findall(r'id="(c\d+[td])"', m)
    assert len(ids) == len(set(ids)) == 4  # unique ids for title and desc of each chart
    e = c.get("/benchmarks/explore?measure=ReReferral&compare_year=2023").text
    assert 'id="explore-table"' in e and "<svg" in e and "Up on 2023" in e
    assert c.get("/benchmarks?q=referral&flagged=true").status_code == 200


@pytest.mark.slow
def test_exports(wb, as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    x = c.get("/framework/export.xlsx")
    assert x.status_code == 200 and x.headers["content-disposition"].startswith("attachment")
    reader = fastexcel.read_excel(io.BytesIO(x.content).getvalue())
    assert reader.sheet_names == ["Framework", "About"]
    sheet = reader.load_sheet("Framework").to_arrow()
    assert "OBA question" in sheet.column_names and sheet.num_rows == len(wb.results(2025))
    queued = c.get("/framework/export.pdf", follow_redirects=False)  # made in the background
    assert queued.status_code == 303 and queued.headers["location"].startswith("/exports/")
    for _ in range(600):
        progress = c.get(queued.headers["location"], headers={"HX-Request": "true"})
        if 'data-state="done"' in progress.text:
            break
        assert 'hx-trigger="every 1s"' in progress.text
        time.sleep(0.1)
    pdf = c.get(queued.headers["location"] + "/file")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    a = as_role("analyst")
    v = a.get("/validation/export.xlsx?severity=error")
    assert v.status_code == 200
    names = fastexcel.read_excel(v.content).sheet_names
    assert names[0] == "Summary" and "By child" in names
