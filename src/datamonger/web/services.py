"""The web app's state, and the calls it makes into loading, validation, indicators and benchmarks.

Nothing here computes a figure: it calls the same functions as the CLI (`load_paths`,
`validation.engine.validate`, `indicators.compute`/`explain`, `benchmarks.benchmark`/`explore`)
and keeps their results so pages answer quickly:

- validation runs are stored in the web database (rows of the `Report`), so filtering by table,
  severity and rule is one SQL query;
- indicator results, benchmarks and charts are cached in memory, keyed by what was loaded
  (`returns_loaded`), so a new load makes them stale by itself; they are worked out again in the
  background after start and after each upload.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from datamonger.indicators import Explanation, Period, Result, all_indicators, compute, explain
from datamonger.loading import load_paths
from datamonger.returns import label
from datamonger.store import ALL_TABLES, BY_STORE_NAME, Store, q
from datamonger.validation.report import ISSUE_SCHEMA, Report, Skipped
from datamonger.web.auth import Accounts
from datamonger.web.config import WebConfig, load_secret, private_dir
from datamonger.web.webdb import WebDB, summarise_issues, summary_sql

log = logging.getLogger("datamonger.web")

CHILD_COLUMNS = ("CHILD", "LAchildID")
ISSUE_PAGE = 100


class LRU:
    """A small thread-safe cache; `get` computes a missing value once even when asked twice."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.data: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.key_locks: dict[Any, threading.Lock] = {}

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
            klock = self.key_locks.setdefault(key, threading.Lock())
        with klock:
            with self.lock:
                if key in self.data:
                    return self.data[key]
            value = make()
            with self.lock:
                self.data[key] = value
                while len(self.data) > self.size:
                    self.data.popitem(last=False)
                self.key_locks.pop(key, None)
            return value

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


@dataclass
class Job:
    id: str
    owner: str
    files: list[str]
    state: str = "queued"  # queued, loading, validating, computing, done, failed
    stage: str = "Waiting to start"
    problems: list[dict[str, Any]] = field(default_factory=list)
    loaded: list[dict[str, Any]] = field(default_factory=list)
    validated: list[dict[str, Any]] = field(default_factory=list)
    exit_code: int | None = None
    error: str | None = None
    started: dt.datetime = field(default_factory=dt.datetime.now)
    finished: dt.datetime | None = None

    @property
    def running(self) -> bool:
        return self.state not in ("done", "failed")


@dataclass
class ExportJob:
    """One export worked out in the background (`ExportQueue`)."""

    id: str
    owner: str
    title: str
    filename: str
    media_type: str
    state: str = "queued"  # queued, running, done, failed
    path: Path | None = None
    error: str | None = None
    ahead: int = 0
    queued_at: dt.datetime = field(default_factory=dt.datetime.now)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None

    @property
    def running(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def seconds(self) -> float | None:
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return None


class ExportBusy(Exception):
    """The queue is full, for this user (`per_user`) or for everyone."""

    def __init__(self, message: str, per_user: bool) -> None:
        super().__init__(message)
        self.per_user = per_user


class ExportQueue:
    """Slow exports (the framework PDF) made by a small pool of worker threads, so that one user
    cannot starve the others: at most `per_user` waiting or running for a user, `limit` for
    everyone. Finished files are kept in `folder` for an hour (or until the next start)."""

    KEEP = dt.timedelta(hours=1)

    def __init__(self, folder: Path, workers: int, per_user: int, limit: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.folder = folder
        self.per_user = per_user
        self.limit = limit
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export")
        self.jobs: dict[str, ExportJob] = {}
        self.lock = threading.Lock()

    def submit(
        self,
        owner: str,
        title: str,
        filename: str,
        media_type: str,
        make: Callable[[Path], None],
    ) -> ExportJob:
        """Queue `make(path)`, which writes the file; raises ExportBusy when full."""
        with self.lock:
            self._forget_old()
            active = [j for j in self.jobs.values() if j.running]
            if sum(1 for j in active if j.owner == owner) >= self.per_user:
                raise ExportBusy(
                    f"You already have {self.per_user} export(s) being made. Wait for one to "
                    "finish.",
                    per_user=True,
                )
            if len(active) >= self.limit:
                raise ExportBusy("The workbench is busy with other exports.", per_user=False)
            job = ExportJob(uuid.uuid4().hex, owner, title, filename, media_type)
            self.jobs[job.id] = job
        self.pool.submit(self._run, job, make)
        return job

    def _run(self, job: ExportJob, make: Callable[[Path], None]) -> None:
        job.state, job.started = "running", dt.datetime.now()
        try:
            folder = Path(tempfile.mkdtemp(prefix="export-", dir=private_dir(self.folder)))
            path = folder / job.filename
            make(path)
            job.path = path
            job.state = "done"
        except Exception as exc:  # shown as a message, logged with its traceback
            log.exception("export %s failed", job.id)
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = dt.datetime.now()

    def get(self, job_id: str, owner: str) -> ExportJob | None:
        job = self.jobs.get(job_id)
        if job is None or job.owner != owner:
            return None
        with self.lock:
            queued = sorted(
                (j for j in self.jobs.values() if j.state == "queued"), key=lambda j: j.queued_at
            )
            job.ahead = sum(1 for j in queued if j.queued_at < job.queued_at) + sum(
                1 for j in self.jobs.values() if j.state == "running"
            )
        return job

    def _forget_old(self) -> None:
        cutoff = dt.datetime.now() - self.KEEP
        for jid, j in list(self.jobs.items()):
            if not j.running and j.finished and j.finished < cutoff:
                if j.path is not None:
                    shutil.rmtree(j.path.parent, ignore_errors=True)
                del self.jobs[jid]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class Workbench:
    """Everything one running app holds: configuration, databases, accounts, caches, jobs."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        config.db.parent.mkdir(parents=True, exist_ok=True)
        self.store = Store(config.db)  # creates the canonical tables if the file is new
        self.web = WebDB(config.web_db)
        # uploads and exports a crash (or a kill) left behind are removed at every start
        self.tmp = private_dir(config.tmp_dir, empty=True)
        self.accounts = Accounts(self.web, config, load_secret(config.secret_file))
        self.initial_password = self.accounts.ensure_first_admin()
        self.load_lock = threading.Lock()
        # Indicator computations one at a time: they reach reference tables through DuckDB's
        # module-level default connection (indicators/reference.py), which refuses a second
        # thread instead of waiting. Results are cached, so only cold requests queue here.
        self.compute_lock = threading.RLock()
        self.pub_lock = threading.RLock()
        self._published: Any = None
        self.cache = LRU(256)
        self.jobs: dict[str, Job] = {}
        self.warming: list[threading.Thread] = []
        self.exports = ExportQueue(
            self.tmp, config.export_workers, config.exports_per_user, config.exports_queued
        )

    def close(self) -> None:
        self.exports.close()
        # a warm-up still running holds cursors of the store: closing under it would fail
        for thread in self.warming:
            thread.join(timeout=60)
        self.store.close()
        self.web.close()

    # --- the returns database ------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.store.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.cursor() as cur:
            rel = cur.execute(sql, params)
            cols = [d[0] for d in rel.description]
            return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]

    def returns_loaded(self) -> list[dict[str, Any]]:
        out = self.rows(
            "SELECT return_name, collection_year, la, files, loaded_at, rows_by_table "
            "FROM returns_loaded ORDER BY collection_year DESC, return_name"
        )
        for r in out:
            r["label"] = label(r["collection_year"])
            r["rows"] = json.loads(r["rows_by_table"]) if r["rows_by_table"] else {}
            r["files"] = [Path(f).name for f in (r["files"] or [])]
        return out

    def stamp(self) -> tuple[Any, ...]:
        """What is loaded, as a cache key: changes whenever a return is loaded or replaced."""
        with self.cursor() as cur:
            rows = cur.execute(
                "SELECT return_name, collection_year, loaded_at FROM returns_loaded ORDER BY ALL"
            ).fetchall()
        return tuple(rows)

    def years(self) -> list[int]:
        return sorted({int(y) for _, y, _ in self.stamp()}, reverse=True)

    # --- settings -------------------------------------------------------------------------------
    def setting(self, name: str) -> str | None:
        v = self.web.scalar("SELECT value FROM settings WHERE name = ?", [name])
        return str(v) if v not in (None, "") else None

    def set_setting(self, name: str, value: str | None, by: str) -> None:
        with self.web.transaction() as con:
            con.execute("DELETE FROM settings WHERE name = ?", [name])
            con.execute(
                "INSERT INTO settings VALUES (?, ?, ?, ?)", [name, value, by, dt.datetime.now()]
            )
        self.cache.clear()

    def la_code(self) -> str | None:
        """The LA: as set by an administrator, else as the loaded returns record it."""
        chosen = self.setting("la")
        if chosen:
            return chosen
        for r in self.returns_loaded():
            if r["la"]:
                return str(r["la"]).strip()
        return None

    def neighbour_model(self) -> str:
        return self.setting("neighbours") or "2025"

    # --- published figures ----------------------------------------------------------------------
    @contextmanager
    def published(self) -> Iterator[Any]:
        """The published figures (one connection, used by one thread at a time)."""
        from datamonger.benchmarks.published import Published

        with self.pub_lock:
            if self._published is None:
                self._published = Published.open()
            yield self._published

    def la(self) -> Any:
        """The benchmarks' LA object for this LA, or None when it is not known."""
        code = self.la_code()
        if not code:
            return None
        from datamonger.benchmarks.areas import UnknownArea

        def find() -> Any:
            with self.published() as pub:
                try:
                    return pub.areas.find(code)
                except UnknownArea:
                    return None

        return self.cache.get(("la", code), find)

    # --- validation -------------------------------------------------------------------------------
    def validate(
        self,
        targets: list[tuple[str, int]],
        by: str,
        request: Any = None,
        user: Any = None,
    ) -> list[dict[str, Any]]:
        """Run the DfE rules on each (return, year) and keep the result, replacing earlier runs.
        Each replacement and its audit row (`validate`, by `user` or `by`) are one transaction:
        a run killed part-way leaves the earlier results, not results nobody recorded."""
        from datamonger.validation.engine import validate as run

        out = []
        with Store(self.config.db) as store:
            loaded_at = {
                (r, y): t
                for r, y, t in store.con.execute(
                    "SELECT return_name, collection_year, loaded_at FROM returns_loaded"
                ).fetchall()
            }
            for return_name, year in targets:
                report = run(store, return_name, year)
                self._save_run(
                    report, return_name, year, loaded_at.get((return_name, year)), by, request, user
                )
                s = report.summary()
                out.append(
                    {
                        "return": return_name,
                        "year": year,
                        "label": label(year),
                        "errors": s["by_severity"]["error"],
                        "queries": s["by_severity"]["query"],
                        "rules_run": s["rules_run"],
                        "skipped": s["rules_skipped"],
                        "failed": s["rules_failed"],
                    }
                )
        return out

    def _save_run(
        self,
        report: Report,
        return_name: str,
        year: int,
        loaded_at: Any,
        by: str,
        request: Any = None,
        user: Any = None,
    ) -> None:
        from datamonger.web import audit

        messages = {code: m for (r, code), m in report.messages.items() if r == return_name}
        with self.web.transaction() as con:
            for t in ("validation_issues", "validation_runs", "validation_summary"):
                con.execute(
                    f"DELETE FROM {t} WHERE return_name = ? AND collection_year = ?",
                    [return_name, year],
                )
            # straight from the run's issue table: no Python object per issue
            con.register("_new_issues", report.table)
            try:
                con.execute(
                    'INSERT INTO validation_issues SELECT ?, ?, rule, severity, "table", file, '
                    'line, child, to_json(fields), to_json(MAP(fields, "values")), message '
                    'FROM _new_issues WHERE "return" = ? AND year = ?',
                    [return_name, year, return_name, year],
                )
            finally:
                con.unregister("_new_issues")
            summarise_issues(con, "return_name = ? AND collection_year = ?", [return_name, year])
            con.execute(
                "INSERT INTO validation_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    return_name,
                    year,
                    dt.datetime.now(),
                    loaded_at,
                    len(report.rules_run),
                    report.seconds,
                    json.dumps([s.to_dict() for s in report.skipped]),
                    json.dumps(messages),
                    by,
                ],
            )
            audit.record(
                self.web,
                request,
                user,
                "validate",
                "return",
                {
                    "return": return_name,
                    "year": year,
                    "by": by,
                    "issues": report.count,
                    "rules_run": len(report.rules_run),
                },
                username=None if user else by,
                con=con,
            )

    def validation_runs(self) -> list[dict[str, Any]]:
        runs = self.web.all(
            "SELECT r.*, (SELECT coalesce(sum(issues), 0) FROM validation_summary s "
            "WHERE s.return_name = r.return_name AND s.collection_year = r.collection_year "
            "AND NOT s.by_table) AS issues "
            "FROM validation_runs r ORDER BY collection_year DESC, return_name"
        )
        loaded = {(r, y): t for r, y, t in self.stamp()}
        for r in runs:
            key = (r["return_name"], r["collection_year"])
            r["label"] = label(r["collection_year"])
            r["stale"] = loaded.get(key) != r["data_loaded_at"]
            r["skipped"] = json.loads(r["skipped"]) if r["skipped"] else []
        return runs

    @staticmethod
    def _issue_filter(f: dict[str, Any]) -> tuple[str, list[Any]]:
        where, params = ["1=1"], []
        for key, col in (
            ("return", "return_name"),
            ("year", "collection_year"),
            ("table", '"table"'),
            ("severity", "severity"),
            ("rule", "rule"),
            ("child", "child"),
        ):
            if f.get(key) not in (None, ""):
                where.append(f"{col} = ?")
                params.append(f[key])
        return " AND ".join(where), params

    def validation_summary(self, f: dict[str, Any]) -> list[dict[str, Any]]:
        """Issues and children per rule: the counts kept with each run, or for one child's
        issues counted now."""
        where, params = self._issue_filter(f)
        cols = "return_name, collection_year, rule, severity, message, issues, children, tables"
        order = "ORDER BY issues DESC, return_name, rule"
        if f.get("child") not in (None, ""):
            return self.web.all(
                f"SELECT {cols} FROM ({summary_sql(where, by_table=False)}) {order}", params
            )
        kind = "by_table" if f.get("table") not in (None, "") else "NOT by_table"
        return self.web.all(
            f"SELECT {cols} FROM validation_summary WHERE {where} AND {kind} {order}", params
        )

    def validation_facets(self) -> dict[str, list[Any]]:
        rows = self.web.all(
            'SELECT list(DISTINCT "table" ORDER BY "table") AS tables, '
            "list(DISTINCT rule ORDER BY rule) AS rules, "
            "list(DISTINCT collection_year ORDER BY collection_year DESC) AS years "
            "FROM validation_summary"
        )
        r = rows[0] if rows else {}
        return {k: list(r.get(k) or []) for k in ("tables", "rules", "years")}

    def issues(self, f: dict[str, Any], page: int = 1) -> tuple[list[dict[str, Any]], int]:
        where, params = self._issue_filter(f)
        total = int(
            self.web.scalar(f"SELECT count(*) FROM validation_issues WHERE {where}", params) or 0
        )
        rows = self.web.all(
            f"""SELECT * FROM validation_issues WHERE {where}
                ORDER BY collection_year DESC, return_name, rule, file, line
                LIMIT {ISSUE_PAGE} OFFSET {(max(page, 1) - 1) * ISSUE_PAGE}""",
            params,
        )
        for r in rows:
            r["fields"] = json.loads(r["fields"]) if r["fields"] else []
            r["values"] = json.loads(r["values"]) if r["values"] else {}
            r["file_name"] = Path(r["file"] or "").name
        return rows, total

    def report(self, f: dict[str, Any]) -> Report:
        """The stored run(s) as a validation `Report`, for the validation Excel writer."""
        where, params = self._issue_filter(f)
        report = Report()
        report.table = self.web.arrow(  # read in SQL, straight into the issue table
            'SELECT rule, severity, return_name AS "return", collection_year AS year, '
            '"table", file, line, child, CAST(fields AS JSON)::VARCHAR[] AS fields, '
            "list_transform(CAST(fields AS JSON)::VARCHAR[], "
            'lambda k: json_extract_string("values", \'$."\' || k || \'"\')) AS "values", '
            f"message FROM validation_issues WHERE {where} "
            'ORDER BY return_name, rule, "table", file, line',
            params,
        ).cast(ISSUE_SCHEMA)
        for run in self.validation_runs():
            if f.get("return") and run["return_name"] != f["return"]:
                continue
            if f.get("year") and run["collection_year"] != int(f["year"]):
                continue
            report.returns.append((run["return_name"], run["collection_year"]))
            report.seconds += run["seconds"] or 0
            report.rules_run += [
                (run["return_name"], run["collection_year"], "") for _ in range(run["rules_run"])
            ]
            for s in run["skipped"]:
                report.skipped.append(
                    Skipped(s["rule"], s["return"], s["year"], s["reason"], s["category"])
                )
            messages = self.web.scalar(
                "SELECT messages FROM validation_runs WHERE return_name = ? AND collection_year = ?",
                [run["return_name"], run["collection_year"]],
            )
            for code, m in json.loads(messages or "{}").items():
                report.messages[(run["return_name"], code)] = m
        return report

    def write_validation_xlsx(self, f: dict[str, Any], path: Path) -> tuple[int, set[str]]:
        """Write the workbook; (issues, the child ids it names)."""
        from datamonger.validation.xlsx import write_xlsx

        report = self.report(f)
        with Store(self.config.db) as store:
            named = write_xlsx(report, store, path)
        return report.count, named

    # --- child-level rows ----------------------------------------------------------------------------
    def child_rows(self, child_id: str) -> list[dict[str, Any]]:
        """Every row that names this child, table by table, exactly as written."""
        out = []
        with self.cursor() as cur:
            for spec in ALL_TABLES:
                col = next((c for c in CHILD_COLUMNS if c in spec.field_names), None)
                if col is None:
                    continue
                fields = [f.name for f in spec.fields]
                sel = ", ".join(
                    f"{q(f.name + '_raw')} AS {q(f.name)}" if f.type != "text" else q(f.name)
                    for f in spec.fields
                )
                rel = cur.execute(
                    f"SELECT collection_year, source_file, source_line, {sel} "
                    f"FROM {spec.store_name} WHERE {q(col)} = ? "
                    "ORDER BY collection_year DESC, source_line",
                    [child_id],
                )
                rows = rel.fetchall()
                if rows:
                    out.append(
                        {
                            "table": spec.store_name,
                            "name": spec.name,
                            "return": spec.return_,
                            "fields": fields,
                            "rows": [
                                {
                                    "year": r[0],
                                    "file": Path(r[1] or "").name,
                                    "line": r[2],
                                    "values": list(r[3:]),
                                }
                                for r in rows
                            ],
                        }
                    )
        return out

    def child_journey(self, child_id: str) -> Any:
        """The child on one timeline (`indicators.journey`), with the issues of the validation
        runs kept in the web database pinned on it."""
        from datamonger.indicators.journey import journey

        issues = self.web.arrow(
            'SELECT child, return_name AS "return", collection_year AS year, "table", file, '
            "line, rule, severity, message FROM validation_issues WHERE child = ?",
            [child_id],
        )
        with self.cursor() as cur:
            return journey(cur, child_id, issues)

    def journey_chart(self, journey: Any) -> dict[str, Any] | None:
        """The journey's picture (an SVG image), cached for what is loaded and validated."""
        from datamonger.reports.charts.journey import journey_svg

        key = ("journey_chart", self.stamp(), journey.child, journey.issues.num_rows)
        found: dict[str, Any] | None = self.cache.get(
            key, lambda: journey_svg(journey.events, journey.issues)
        )
        return found

    # --- recording checks ------------------------------------------------------------------------
    def recording(self, year: int) -> list[Any]:
        """The recording checks for a census year (`indicators.recording.run`), cached."""
        from datamonger.indicators.recording import run

        stamp, la = self.stamp(), self.la_code()

        def make() -> list[Any]:
            with self.compute_lock, self.published() as pub, self.cursor() as cur:
                return run(cur, Period.census_year(year), la=la, published=pub)

        found: list[Any] = self.cache.get(("recording", stamp, la, year), make)
        return found

    def recording_children(self, check_id: str, year: int) -> Any:
        """The flagged records behind one check (an Arrow table), cached like the figures."""
        from datamonger.indicators.recording import children

        stamp, la = self.stamp(), self.la_code()

        def make() -> Any:
            with self.compute_lock, self.cursor() as cur:
                return children(cur, Period.census_year(year), check_id, la=la)

        return self.cache.get(("recording_children", stamp, la, year, check_id), make)

    @staticmethod
    def table_spec(return_name: str, table: str) -> Any:
        """A table by the name validation uses (the DfE's, e.g. `Episodes`) or its store name."""
        return BY_STORE_NAME.get(table) or next(
            (s for s in ALL_TABLES if s.return_ == return_name and s.name == table), None
        )

    def line_row(self, return_name: str, table: str, file: str, line: int) -> dict[str, Any] | None:
        """One row of a return as written, found by its provenance (file and line)."""
        spec = self.table_spec(return_name, table)
        if spec is None:
            return None
        sel = ", ".join(
            f"{q(f.name + '_raw')} AS {q(f.name)}" if f.type != "text" else q(f.name)
            for f in spec.fields
        )
        with self.cursor() as cur:
            row = cur.execute(
                f"SELECT collection_year, {sel} FROM {spec.store_name} "
                "WHERE source_file = ? AND source_line = ? LIMIT 1",
                [file, line],
            ).fetchone()
        if row is None:
            return None
        col = next((c for c in CHILD_COLUMNS if c in spec.field_names), None)
        values = dict(zip([f.name for f in spec.fields], row[1:], strict=True))
        return {
            "table": spec.store_name,
            "name": spec.name,
            "return": spec.return_,
            "year": row[0],
            "file": file,
            "file_name": Path(file).name,
            "line": line,
            "values": values,
            "child": values.get(col) if col else None,
        }

    # --- indicators --------------------------------------------------------------------------------
    def indicator_years(self) -> list[int]:
        return self.years()

    def results(self, year: int) -> list[Result]:
        stamp, la = self.stamp(), self.la_code()

        def make() -> list[Result]:
            with self.compute_lock, self.cursor() as cur:
                return compute(cur, Period.census_year(year), la=la)

        result: list[Result] = self.cache.get(("results", stamp, la, year), make)
        return result

    def result_trends(self) -> dict[str, list[tuple[int, float | None]]]:
        """Indicator id -> [(year, value)] over every loaded year, oldest first."""
        trends: dict[str, list[tuple[int, float | None]]] = {}
        for y in sorted(self.years()):
            for r in self.results(y):
                trends.setdefault(r.id, []).append((y, r.value))
        return trends

    def explanation(self, indicator_id: str, year: int) -> Explanation:
        stamp, la = self.stamp(), self.la_code()

        def make() -> Explanation:
            with self.compute_lock, self.cursor() as cur:
                return explain(cur, Period.census_year(year), indicator_id, la=la)

        ex: Explanation = self.cache.get(("explain", stamp, la, year, indicator_id), make)
        return ex

    # --- targets ------------------------------------------------------------------------------------
    def targets(self) -> dict[str, dict[str, Any]]:
        rows = self.web.all(
            "SELECT indicator_id, target, set_by, set_at, note FROM targets "
            "QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY set_at DESC) = 1"
        )
        return {r["indicator_id"]: r for r in rows if r["target"] is not None}

    def target_history(self, indicator_id: str) -> list[dict[str, Any]]:
        return self.web.all(
            "SELECT target, set_by, set_at, note FROM targets WHERE indicator_id = ? "
            "ORDER BY set_at DESC",
            [indicator_id],
        )

    def set_target(self, indicator_id: str, target: float | None, by: str, note: str) -> None:
        self.web.execute(
            "INSERT INTO targets VALUES (?, ?, ?, ?, ?)",
            [indicator_id, target, by, dt.datetime.now(), note[:500] or None],
        )

    # --- benchmarks -----------------------------------------------------------------------------------
    def measure_keys(self) -> dict[str, str]:
        """Indicator id -> published measure key, for the indicators whose key is published."""
        from datamonger.benchmarks.measures import UnknownMeasure

        def make() -> dict[str, str]:
            out = {}
            with self.published() as pub:
                for ind in all_indicators():
                    key = ind.benchmark_key
                    if not key:
                        continue
                    try:
                        out[ind.id] = pub.catalogue.get(key).key
                    except UnknownMeasure:
                        continue
            return out

        keys: dict[str, str] = self.cache.get(("measure_keys",), make)
        return keys

    def framework_benchmarks(self, year: int) -> dict[str, Any]:
        """Indicator id -> MeasureBenchmark (England, region, neighbours, rank...), with the
        computed value given as the LA's own figure."""
        la = self.la()
        if la is None:
            return {}
        keys = self.measure_keys()
        results = {r.id: r for r in self.results(year)}
        own = {keys[i]: r.value for i, r in results.items() if i in keys and r.value is not None}
        stamp, model = self.stamp(), self.neighbour_model()

        def make() -> dict[str, Any]:
            from datamonger.benchmarks.benchmark import benchmark

            with self.published() as pub:
                b = benchmark(la, None, sorted(set(keys.values())), model, own, pub)
            by_key = {m.key: m for m in b.measures}
            return {i: by_key[k] for i, k in keys.items() if k in by_key}

        out: dict[str, Any] = self.cache.get(("fw_bench", stamp, la.number, model, year), make)
        return out

    def la_benchmark(self) -> Any:
        la = self.la()
        if la is None:
            return None
        model = self.neighbour_model()

        def make() -> Any:
            from datamonger.benchmarks.benchmark import benchmark

            with self.published() as pub:
                return benchmark(la, None, None, model, None, pub)

        return self.cache.get(("la_bench", la.number, model), make)

    def charts(
        self, key: str, own: dict[int, float] | None = None, year: int | None = None
    ) -> dict[str, Any]:
        """The benchmark charts of a measure, as `reports.charts.Chart`s (Vega-Lite spec, text
        alternative, table of figures): `trend`, the LA over time against England, its region and
        its neighbours (with the years computed here, `own`); `strip`, every LA in one year over
        the quarter bands, the LA and its neighbours highlighted."""
        from urllib.parse import quote

        from datamonger.benchmarks.areas import ENGLAND
        from datamonger.reports.charts import Series, strip, trend
        from datamonger.reports.charts.series import comparison_series

        la = self.la()
        if la is None:
            return {}
        model = self.neighbour_model()
        own = own or {}

        def make() -> dict[str, Any]:
            with self.published() as pub:
                m = pub.catalogue.get(key)
                sn = pub.neighbours(model).get(la.number, [])
                areas = [la.number, ENGLAND, *([la.region_code] if la.region_code else []), *sn]
                series = pub.series(areas, [m.key]).get(m.key, {})
                years = pub.years.get(m.key, [])
                bar_year = year if year in years else (years[-1] if years else None)
                cells = (
                    pub.cells([(m.key, bar_year)]).get((m.key, bar_year), {}) if bar_year else {}
                )
                las = pub.areas.las
                bars = sorted(
                    (las[a].name, c.value)
                    for a, c in cells.items()
                    if a in las and c.value is not None
                )
                sn_names = [las[a].name for a in sn if a in las]
                england = cells[ENGLAND].value if ENGLAND in cells else None

            def points(area: str) -> dict[int, float]:
                return {y: c.value for y, c in series.get(area, {}).items() if c.value is not None}

            lines = [Series(f"{la.name} (computed here)", dict(own), "own")] if own else []
            lines += comparison_series(
                la, points, sn, f"Neighbours mean ({model} model)", f"{la.name} (published)"
            )
            explore = "/benchmarks/explore?measure=" + quote(m.key, safe="")
            own_now = own.get(bar_year) if bar_year else None
            return {
                "measure": m,
                "trend": trend(
                    f"{m.title}: {la.name}", lines, m.unit, href=explore + "&year={year}"
                ),
                "strip": strip(
                    f"{m.title}, {bar_year}: {la.name} among all LAs",
                    bars,
                    la.name,
                    sn_names,
                    england,
                    m.unit,
                    m.polarity,
                    own=own_now,
                    href=f"{explore}&year={bar_year}",
                )
                if bar_year and bars
                else None,
                "ranked_year": bar_year,
                "england": england,
            }

        own_key = tuple(sorted(own.items()))
        out: dict[str, Any] = self.cache.get(("charts", la.number, model, key, own_key, year), make)
        return out

    def pdf_trend(self, indicator_id: str, own: dict[int, float]) -> tuple[bytes, str] | None:
        """An indicator's trend chart for the framework PDF: (a JPEG, its text alternative),
        drawn once per spec and kept (`reports.charts.render`)."""
        from datamonger.reports.charts.render import jpeg

        key = self.measure_keys().get(indicator_id)
        if not key or not own:
            return None
        chart = self.charts(key, own)["trend"]
        return jpeg(chart.spec), chart.alt

    def funnel(self, indicator_id: str, year: int) -> Any:
        """A funnel plot for a rate or percentage whose numerator and denominator are known: the
        LA's computed figure for each loaded year (and, for a derived ratio of two published
        counts, every LA's published figure) against England's control limits. None where the
        indicator has no numerator and denominator, or no published England figure."""
        import math

        from datamonger.reports.charts import funnel

        la = self.la()
        bench = self.framework_benchmarks(year).get(indicator_id)
        if la is None or bench is None or bench.england is None:
            return None
        mine = []
        scale = None
        for y in sorted(self.years()):
            r = next((x for x in self.results(y) if x.id == indicator_id), None)
            if r is None or not r.numerator or not r.denominator or r.value is None:
                continue
            # the scale the value is given in (100 for a percentage, 10,000 for a rate per
            # 10,000), read back from the figures themselves
            scale = 10 ** round(math.log10(r.value * r.denominator / r.numerator))
            mine.append((f"{la.name} {y} (computed here)", r.numerator, r.denominator))
        # a share of a count (per 100, per 1,000...): a rate whose denominator is itself scaled
        # (children in the population, in 10,000s) has no binomial limits to draw
        if not mine or scale is None or scale < 100 or not 0 <= bench.england <= scale:
            return None
        key = self.measure_keys().get(indicator_id)

        def make() -> Any:
            others: list[tuple[str, float, float]] = []
            with self.published() as pub:
                m = pub.catalogue.get(key) if key else None
                parts = (m.methodology or "").split(" / ") if m and m.source == "derived" else []
                if len(parts) == 2:
                    num_key, den_key = parts[0], parts[1].split(" x ")[0]
                    cells = pub.cells([(num_key, bench.year), (den_key, bench.year)])
                    nums, dens = (
                        cells.get((num_key, bench.year), {}),
                        cells.get((den_key, bench.year), {}),
                    )
                    las = pub.areas.las
                    for a, c in nums.items():
                        d = dens.get(a)
                        if a in las and a != la.number and c.value is not None and d and d.value:
                            others.append((f"{las[a].name} {bench.year}", c.value, d.value))
            chart = funnel(
                f"{bench.title}: {la.name} against England's control limits",
                others + mine,
                bench.england,
                float(scale),
                bench.unit,
                highlight=la.name,
            )
            return chart if chart.spec else None

        return self.cache.get(("funnel", self.stamp(), la.number, indicator_id, year), make)

    def measure(self, key: str) -> Any:
        with self.published() as pub:
            return pub.catalogue.get(key)

    def explore(
        self,
        measure: str,
        per: str | None,
        year: int | None,
        compare_year: int | None,
        region: str | None,
    ) -> dict[str, Any]:
        from datamonger.benchmarks.explore import explore

        def make() -> dict[str, Any]:
            with self.published() as pub:
                result: dict[str, Any] = explore(measure, per, year, compare_year, region, pub)
                return result

        out: dict[str, Any] = self.cache.get(
            ("explore", measure, per, year, compare_year, region), make
        )
        return out

    def explore_chart(self, result: dict[str, Any]) -> Any:
        """The explorer's ranked chart: every LA with a figure, best first, each named, the LA and
        its statistical neighbours drawn apart, England as a line."""
        from datamonger.reports.charts import ranked

        la = self.la()
        sn: list[str] = []
        if la is not None:
            with self.published() as pub:
                las = pub.areas.las
                sn = [
                    las[a].name
                    for a in pub.neighbours(self.neighbour_model()).get(la.number, [])
                    if a in las
                ]
        bars = [(r["name"], r["value"]) for r in result["las"] if r["value"] is not None]
        return ranked(
            f"{result['title']}, {result['year']}: all LAs",
            bars,
            la.name if la else "",
            result["england"]["value"],
            result.get("polarity") or "-",
            result.get("unit"),
            sn,
        )

    def measure_list(self) -> list[dict[str, Any]]:
        def make() -> list[dict[str, Any]]:
            with self.published() as pub:
                return [
                    dict(m.to_dict(), years=pub.years.get(m.key, []))
                    for m in pub.catalogue.search(None)
                ]

        out: list[dict[str, Any]] = self.cache.get(("measures",), make)
        return out

    # --- uploads ------------------------------------------------------------------------------------
    def upload_folder(self) -> Path:
        """A new private folder for one upload, inside the workbench's own temporary folder."""
        return Path(tempfile.mkdtemp(prefix="upload-", dir=private_dir(self.config.tmp_dir)))

    def start_upload(
        self, owner: str, files: list[tuple[str, Any]], year: int | None, folder: Path | None = None
    ) -> Job:
        """Load the files (name, bytes or a binary file object) in the background."""
        folder = folder or self.upload_folder()
        paths = []
        for name, content in files:
            safe = Path(name).name or "upload"
            target = folder / safe
            n = 1
            while target.exists():
                target = folder / f"{Path(safe).stem}-{n}{Path(safe).suffix}"
                n += 1
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:  # copied a block at a time: an upload is never held in memory whole
                with target.open("wb") as out:
                    shutil.copyfileobj(content, out, 1024 * 1024)
            paths.append(target)
        job = Job(id=uuid.uuid4().hex, owner=owner, files=[p.name for p in paths])
        self.jobs[job.id] = job
        threading.Thread(
            target=self._run_upload, args=(job, folder, paths, year), daemon=True
        ).start()
        return job

    def _run_upload(self, job: Job, folder: Path, paths: list[Path], year: int | None) -> None:
        try:
            with self.load_lock:
                job.state, job.stage = "loading", "Reading and loading the files"
                with Store(self.config.db) as store:
                    report = load_paths(paths, store, year=year)
                base = str(folder) + "/"
                job.problems = [
                    {k: (v.replace(base, "") if isinstance(v, str) else v) for k, v in d.items()}
                    for d in (p.to_dict() for p in report.problems)
                ]
                job.loaded = [
                    {"return": r, "year": y, "label": label(y), "table": t, "rows": n}
                    for r, y, t, n in report.loaded
                ]
                job.exit_code = report.exit_code
                targets = sorted({(r, y) for r, y, _, _ in report.loaded})
                if targets:
                    job.state, job.stage = "validating", "Checking the DfE's validation rules"
                    job.validated = self.validate(targets, job.owner)
                    job.state, job.stage = "computing", "Computing the indicators"
                    self.warm()
            job.state, job.stage = "done", "Finished"
        except Exception as exc:  # shown as a message, logged with its traceback
            log.exception("upload %s failed", job.id)
            job.state, job.stage = "failed", "Stopped"
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = dt.datetime.now()
            shutil.rmtree(folder, ignore_errors=True)

    # --- warming -------------------------------------------------------------------------------------
    def warm(self) -> None:
        """Work out what the pages show (indicators for each year, benchmarks) ahead of time."""
        try:
            self.validate_unchecked()
            years = self.years()
            for y in years:
                self.results(y)
            if years:
                self.framework_benchmarks(years[0])
            self.la_benchmark()
            self.measure_list()
            if years:
                self.recording(years[0])
            self._start_chart_engine()  # the journey picture and every other chart use it
            if years:  # the framework PDF's charts, drawn ahead of the first export
                for indicator_id, trend in self.result_trends().items():
                    self.pdf_trend(indicator_id, {y: v for y, v in trend if v is not None})
        except Exception:
            log.exception("warming the caches failed")

    def _start_chart_engine(self) -> None:
        """vl-convert starts its JavaScript engine on the first drawing (about 0.4 s): done here,
        in the background, so the first page with a chart does not wait for it."""
        from datamonger.reports.charts import Series, svg, trend

        svg(trend("", [Series("", {2024: 0.0, 2025: 1.0})], None).spec)

    def validate_unchecked(self) -> list[dict[str, Any]]:
        """Check the returns loaded (e.g. by `datamonger load`) that have never been checked, so
        the validation pages are filled when the workbench opens; out-of-date results stay as they
        are until an analyst presses Check again."""
        checked = {(r["return_name"], r["collection_year"]) for r in self.validation_runs()}
        todo = [(r, y) for r, y, _ in self.stamp() if (r, y) not in checked]
        return self.validate(todo, by="workbench start") if todo else []

    def warm_in_background(self) -> None:
        thread = threading.Thread(target=self.warm, daemon=True)
        self.warming.append(thread)
        thread.start()
