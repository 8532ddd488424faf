"""Server time of every web page with a large synthetic LA loaded (default 20,000 children, two
collection years of both returns); with `--load`, a bounded load test instead.

    .venv/bin/python benchmarks/bench_web.py [--children 20000] [--runs 7] [--out bench-data/web]
    .venv/bin/python benchmarks/bench_web.py --load [--children 5000] [--requests 2000]
        [--concurrency 10]

The load test serves the workbench with uvicorn on 127.0.0.1 only (the options `datamonger
serve` uses), signs in `--concurrency` analysts, sends `--requests` GETs over the main pages from
that many threads, and prints the latency percentiles (p50/p95/p99, wall time per request) and
the errors (any answer but 200, or none); it stops by itself. `tests/web/test_load.py` runs a
smaller one in the suite.

Generates and loads the LA under `--out` (reused when already there), validates it, signs in as an
analyst and an administrator, then requests every GET page `--runs` times and prints the median
server time (the app's `Server-Timing` header: from the request reaching the app to the response
starting), the first (cold) request and the wall time of the exports. The target is a median under
300 ms per page. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.web import WebConfig, create_app
from datamonger.web.config import CHEAP
from datamonger.web.routes import ROUTERS
from datamonger.web.services import Workbench

PASSWORD = "benchmark password 1"


def prepare(out: Path, children: int, messy: float = 0.0) -> Path:
    tag = f"{children}-messy{messy}" if messy else f"{children}"
    db = out / f"la-{tag}.duckdb"
    if db.exists():
        return db
    returns = out / f"returns-{tag}"
    t = time.perf_counter()
    generate(returns, children=children, year=2025, years=2, seed=1, error_rate=0.01)
    if messy:  # hundreds of thousands of issues, as in a first extract before cleaning
        from datamonger.synth.messy import messify

        messify(returns, messy, seed=1)
    with Store(db) as store:
        load_paths([returns], store)
    print(f"generated and loaded {children:,} children in {time.perf_counter() - t:.1f} s")
    return db


def _fresh_web_files(db: Path) -> None:
    """The workbench starts from nothing: users, stored runs and its temp folder removed."""
    for p in db.parent.glob(db.stem + ".web.*"):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()


def sign_in(c: TestClient, user: str, password: str = PASSWORD) -> None:
    import re

    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = c.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def main_pages(wb: Workbench) -> list[str]:
    """The pages an analyst opens most: overview, validation down to a child, framework down to
    the children behind an indicator, benchmarks, and the API."""
    from urllib.parse import quote

    issue = wb.issues({"severity": "error"}, 1)[0][0]
    child = quote(str(issue["child"]), safe="")
    return [
        "/",
        "/validation",
        f"/validation/rules/{issue['return_name']}/{issue['rule']}",
        f"/children/{child}",
        "/framework",
        "/framework/rereferrals_12m",
        "/framework/rereferrals_12m/children",
        "/benchmarks",
        "/api/returns",
        "/api/validation/summary",
    ]


def load_test(
    wb: Workbench, requests: int = 2000, concurrency: int = 10, password: str = PASSWORD
) -> dict[str, float]:
    """`requests` GETs over `main_pages` from `concurrency` signed-in analysts against a real
    uvicorn on 127.0.0.1; returns the percentiles (ms), the errors and the throughput. Every
    request has a 30 s timeout; the whole run stops after `requests`, whatever happens."""
    import contextlib
    import socket
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import httpx
    import uvicorn

    from datamonger.cli.serve import uvicorn_options

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(wb.config, wb), lifespan="off", **uvicorn_options("127.0.0.1", port, None)
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    pages = main_pages(wb)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    try:
        clients = []
        for _ in range(concurrency):
            c = httpx.Client(base_url=base, timeout=30)
            sign_in(c, "analyst", password)  # type: ignore[arg-type]
            clients.append(c)

        def worker(c: httpx.Client) -> None:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                url = pages[n % len(pages)]
                t = time.perf_counter()
                try:
                    r = c.get(url)
                    ok, why = r.status_code == 200, f"{r.status_code} {url}"
                except httpx.HTTPError as exc:
                    ok, why = False, f"{type(exc).__name__} {url}"
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(ms)
                    if not ok:
                        errors.append(why)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(worker, clients))
        wall = time.perf_counter() - t0
        for c in clients:
            c.close()
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            thread.join(timeout=30)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "max": max(latencies),
        "per_second": len(latencies) / wall,
        "pages": len(pages),
        "first_errors": errors[:5],  # type: ignore[dict-item]
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=None)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("bench-data/web"))
    ap.add_argument("--load", action="store_true", help="the bounded load test")
    ap.add_argument(
        "--messy", type=float, default=0.0, help="share of values made random (many issues)"
    )
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=10)
    args = ap.parse_args()
    args.children = args.children or (5_000 if args.load else 20_000)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.load:
        return main_load(args)
    db = prepare(args.out, args.children, args.messy)
    _fresh_web_files(db)
    wb = Workbench(WebConfig(db=db, argon2=CHEAP, warm_caches=False))
    t = time.perf_counter()
    wb.validate(sorted({(r, y) for r, y, _ in wb.stamp()}), "bench")
    print(f"validation stored in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    wb.warm()
    print(f"indicators and benchmarks worked out in {time.perf_counter() - t:.1f} s (at start)")
    for role in ("analyst", "administrator"):
        wb.accounts.create_user(role, PASSWORD, role, must_change=False)
    app = create_app(wb.config, wb)

    issue = wb.issues({"severity": "error"}, 1)[0][0]
    child = issue["child"]
    year = max(wb.years())
    pages = {
        "/": "/",
        "/login": "/login",
        "/healthz": "/healthz",
        "/account/password": "/account/password",
        "/upload": "/upload",
        "/validation": "/validation",
        "/validation/rules/{ret}/{code}": f"/validation/rules/{issue['return_name']}/{issue['rule']}",
        "/validation/line": f"/validation/line?return={issue['return_name']}&table={issue['table']}"
        f"&file={issue['file']}&line={issue['line']}",
        "/children/{child_id:path}": f"/children/{child}",
        "/framework": "/framework",
        "/framework/{indicator_id}": "/framework/rereferrals_12m",
        "/framework/{indicator_id}/children": "/framework/rereferrals_12m/children",
        "/benchmarks": "/benchmarks",
        "/benchmarks/measure": "/benchmarks/measure?key=ReReferral",
        "/benchmarks/explore": "/benchmarks/explore?measure=ReReferral&compare_year=2023",
        "/admin/users": "/admin/users",
        "/admin/audit": "/admin/audit",
        "/admin/settings": "/admin/settings",
        "/api/returns": "/api/returns",
        "/api/indicators": "/api/indicators",
        "/api/indicators/{indicator_id}/children": "/api/indicators/rereferrals_12m/children",
        "/api/validation/summary": "/api/validation/summary",
        "/api/validation/issues": "/api/validation/issues",
        "/api/children/{child_id:path}": f"/api/children/{child}",
        "/briefing": "/briefing",
        "/subscribers": "/subscribers",
        "/briefing/preferences": None,  # opened from a subscriber's emailed link (a token)
        "/briefing/unsubscribe": None,  # the same
        "/subscribers/{subscriber_id}": None,  # needs a subscriber
        "/upload/jobs/{job_id}": None,  # exists only while an upload runs
        "/exports/{job_id}": None,  # exists only after an export is asked for
        "/exports/{job_id}/file": None,
        "/recording": f"/recording?year={year}",
        "/recording/{check_id}/children": f"/recording/referred_twice_in_a_week/children?year={year}",
        # not measured: they show data this LA does not have (an early-years check of the
        # virtual school's lists; a partnership's pool)
        "/early-years": None,
        "/early-years/children": None,
        "/early-years/export.xlsx": None,
        "/early-years/request.xlsx": None,
        "/pool": None,
    }
    exports = {
        "/framework/export.xlsx": f"/framework/export.xlsx?year={year}",
        "/framework/export.pdf": f"/framework/export.pdf?year={year}",
        "/validation/export.xlsx": "/validation/export.xlsx",
        "/briefing/export.pdf": "/briefing/export.pdf?edition=national&year=2024",
        "/framework/{indicator_id}/children.csv": "/framework/rereferrals_12m/children.csv",
    }
    # more views of the chart pages: every benchmark topic, everything, flags; a ratio in the
    # explorer (its ranked chart names every LA); indicators with a funnel plot
    d3, c4 = (
        "d3_cpps_subsequent_plan:CPP_start",
        "c4_children_in_need_section_47s_and_icpcs:Section47",
    )
    variants = [
        "/benchmarks?topic=all",
        "/benchmarks?topic=all&scope=all",
        "/benchmarks?topic=all&flagged=true&sort=flags",
        "/benchmarks?topic=Child+protection&against=worse&sort=rank",
        f"/benchmarks/explore?measure={d3}&per={c4}&compare_year=2024",
        "/framework/s47_to_cpp",
        "/framework/cla_at_end",
    ]
    gets = {r.path for router in ROUTERS for r in router.routes if "GET" in r.methods}  # type: ignore[attr-defined]
    missing = gets - set(pages) - set(exports)
    if missing:
        print(f"pages not measured: {sorted(missing)}")
        return 1

    analyst = TestClient(app)
    admin = TestClient(app)
    sign_in(analyst, "analyst")
    sign_in(admin, "administrator")
    print(f"\n{args.children:,} children; median of {args.runs} runs (server time, ms)")
    print(f"{'page':58} {'median':>8} {'first':>8} {'bytes':>9}")
    worst = 0.0
    for route, url in [*pages.items(), *(("variant", v) for v in variants)]:
        if url is None:
            continue
        c = admin if route.startswith("/admin/") else analyst
        times = []
        for _ in range(args.runs + 1):
            r = c.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
            times.append(float(r.headers["server-timing"].split("dur=")[1]))
        med = statistics.median(times[1:])
        worst = max(worst, med)
        print(f"{url[:58]:58} {med:8.1f} {times[0]:8.1f} {len(r.content):9,}")
    print(f"\nslowest page median: {worst:.1f} ms (target: under 300 ms)")
    print("\nexports (wall time, one run)")
    for _route, url in exports.items():
        t = time.perf_counter()
        r = analyst.get(url)
        assert r.status_code == 200, (url, r.status_code)
        print(
            f"{url[:58]:58} {(time.perf_counter() - t) * 1000:8.0f} ms  {len(r.content):>10,} bytes"
        )
    pdf = pdf_export_times(wb, year)
    wb.close()
    return 0 if worst < 300 and pdf < 3.0 else 1


def pdf_export_times(wb: Workbench, year: int) -> float:
    """The framework PDF as the export job makes it (`framework_pdf`): first with no chart drawn
    yet, then again with the drawings cached by spec hash (the target: under 3 s)."""
    from datamonger.web.routes.framework import framework_pdf

    try:
        from datamonger.reports.charts import render
    except ImportError:  # an older checkout, with hand-drawn charts
        render = None  # type: ignore[assignment]
    if render is not None:
        render.clear()
    print("\nframework PDF (wall time, in the process: the export job's own call)")
    t = time.perf_counter()
    first = framework_pdf(wb, year)
    cold = time.perf_counter() - t
    print(f"{'first export (charts drawn)':58} {cold * 1000:8.0f} ms  {len(first):>10,} bytes")
    t = time.perf_counter()
    again = framework_pdf(wb, year)
    warm = time.perf_counter() - t
    print(f"{'again (drawings cached)':58} {warm * 1000:8.0f} ms  {len(again):>10,} bytes")
    return warm


def main_load(args: argparse.Namespace) -> int:
    db = prepare(args.out, args.children, args.messy)
    _fresh_web_files(db)
    wb = Workbench(WebConfig(db=db, argon2=CHEAP, warm_caches=False))
    try:
        wb.validate(sorted({(r, y) for r, y, _ in wb.stamp()}), "bench")
        wb.warm()
        wb.accounts.create_user("analyst", PASSWORD, "analyst", must_change=False)
        out = load_test(wb, args.requests, args.concurrency)
    finally:
        wb.close()
    print(
        f"\nload test: {args.children:,} children, {out['requests']:,} requests at concurrency "
        f"{args.concurrency} over {out['pages']:.0f} main pages (127.0.0.1)"
    )
    print(
        f"p50 {out['p50']:.1f} ms  p95 {out['p95']:.1f} ms  p99 {out['p99']:.1f} ms  "
        f"max {out['max']:.1f} ms  {out['per_second']:.0f} requests/s  errors {out['errors']}"
    )
    if out["errors"]:
        print("first errors:", out["first_errors"])
    return 0 if out["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
