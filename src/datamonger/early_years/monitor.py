"""One run of the early-education monitor against the LA's database, kept with its history.

Reads who is looked after from the SSDA903 episodes already loaded (the placement postcode gives
the placing LA), the lists and identities from `readers`, links them (`linkage`), decides who is
eligible on the as-of date (`terms`), and stores the run: its counts (for the week-by-week
take-up), each eligible child's status (for "since the last check") and the review queue (for
the dashboard). Everything is SQL over DuckDB; nothing per child in Python.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.early_years.linkage import fingerprint_sql, link
from datamonger.early_years.readers import Inputs
from datamonger.early_years.terms import eligible_from_sql, offer_sql, reception_sql, term_of

NATIONAL_ALL_CHILDREN = 85.0  # % of all children in funded early education (issue 16's figure)
OFFER_LABEL = {"two": "2-year-old offer", "three_four": "3 and 4-year-old offer"}

# SSDA903 placement codes -> placement type and carer type, in the DfE's words.
PLACEMENT_TYPE_SQL = """CASE
    WHEN PLACE IN ('U1','U2','U3','U4','U5','U6') THEN 'Foster placement'
    WHEN PLACE IN ('A3','A4','A5','A6') THEN 'Placed for adoption'
    WHEN PLACE = 'P1' THEN 'Placed with parents'
    WHEN PLACE IN ('K1','K2','R1','H5','S1','P2','R2','R5','P3') THEN 'Residential or other settings'
    WHEN PLACE IS NULL THEN 'Not recorded'
    ELSE 'Other placements' END"""
CARER_TYPE_SQL = """CASE
    WHEN PLACE IN ('U1','U2','U3') THEN 'Relative or friend (kinship carer)'
    WHEN PLACE IN ('U4','U5','U6') THEN 'Other foster carer'
    WHEN PLACE IN ('A3','A4','A5','A6') THEN 'Prospective adopter'
    WHEN PLACE = 'P1' THEN 'Parent'
    WHEN PLACE IS NULL THEN 'Not recorded'
    ELSE 'Other carer' END"""

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS ey_runs (
        run_id INTEGER, run_at TIMESTAMP, as_of DATE, la VARCHAR, files VARCHAR[],
        eligible INTEGER, attending INTEGER, not_attending INTEGER, unknown INTEGER,
        take_up_pct DOUBLE, known_pct DOUBLE, review INTEGER, summary JSON)""",
    """CREATE TABLE IF NOT EXISTS ey_run_children (
        run_id INTEGER, child_id VARCHAR, eligible BOOLEAN, offer VARCHAR, status VARCHAR,
        episode_start DATE, placement_postcode VARCHAR, placing_la VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ey_review (
        run_id INTEGER, fingerprint VARCHAR, source_file VARCHAR, source_line INTEGER,
        child_id VARCHAR, match_weight DOUBLE, match_probability DOUBLE, reason VARCHAR,
        list_forename VARCHAR, list_surname VARCHAR, list_date_of_birth DATE,
        list_postcode VARCHAR, setting_urn VARCHAR, setting_name VARCHAR, list_la VARCHAR,
        child_forename VARCHAR, child_surname VARCHAR, child_date_of_birth DATE,
        child_postcode VARCHAR)""",
    # The latest run's children (with the identities' names, for a list request) and changes.
    """CREATE TABLE IF NOT EXISTS ey_children_latest (run_id INTEGER, child_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ey_changes_latest (child_id VARCHAR, change VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ey_decisions (
        fingerprint VARCHAR, child_id VARCHAR, decision VARCHAR, decided_by VARCHAR,
        decided_at TIMESTAMP)""",
)


class MonitorError(Exception):
    """The run cannot go on (no SSDA903 episodes, no LA): a plain message for the user."""


@dataclass(slots=True)
class Result:
    run_id: int
    as_of: dt.date
    la: str
    summary: dict[str, Any]
    children: pa.Table
    review: pa.Table
    changes: pa.Table
    trend: pa.Table
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "children": _jsonable(self.children),
            "review": _jsonable(self.review),
            "since_last_check": _jsonable(self.changes),
            "trend": _jsonable(self.trend),
        }


def _jsonable(t: pa.Table) -> list[dict[str, Any]]:
    rows = t.to_pylist()
    for r in rows:
        for k, v in r.items():
            if isinstance(v, dt.date | dt.datetime):
                r[k] = v.isoformat()
    return rows


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for sql in SCHEMA:
        con.execute(sql)


def decide(
    con: duckdb.DuckDBPyConnection, fingerprint: str, child_id: str, decision: str, user: str
) -> None:
    """Remember the virtual school's call on a proposed link, for this and every later run."""
    if decision not in ("accept", "reject"):
        raise ValueError("decision is accept or reject")
    ensure_schema(con)
    con.execute(
        "DELETE FROM ey_decisions WHERE fingerprint = ? AND child_id = ?", [fingerprint, child_id]
    )
    con.execute(
        "INSERT INTO ey_decisions VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
        [fingerprint, child_id, decision, user],
    )
    if decision == "accept":  # one child per list row: an accepted link ends other proposals
        con.execute(
            """INSERT INTO ey_decisions
               SELECT fingerprint, child_id, 'reject', ?, now()::TIMESTAMP FROM ey_review
               WHERE fingerprint = ? AND child_id <> ?
                 AND run_id = (SELECT max(run_id) FROM ey_runs)""",
            [user, fingerprint, child_id],
        )
    con.execute(
        "DELETE FROM ey_review WHERE fingerprint = ? AND child_id = ?", [fingerprint, child_id]
    )


def infer_la(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.sql(
        """SELECT la FROM returns_loaded WHERE la IS NOT NULL
           ORDER BY collection_year DESC, loaded_at DESC LIMIT 1"""
    ).fetchall()
    return str(rows[0][0]) if rows else None


def _postcodes_file() -> str:
    return str(resources.files("datamonger").joinpath("data/postcodes/onspd_postcodes.parquet"))


def _la_lookup_file() -> str:
    return str(resources.files("datamonger").joinpath("data/postcodes/la_ons_to_dfe.csv"))


def run(
    con: duckdb.DuckDBPyConnection,
    inputs: Inputs,
    as_of: dt.date,
    la: str | None = None,
    record: bool = True,
    threads: int | None = None,
) -> Result:
    """Link, decide eligibility and status, compare with the last run, and store this one."""
    ensure_schema(con)
    la = la or infer_la(con)
    if la is None:
        raise MonitorError(
            "The database does not say which LA it belongs to; give --la with its DfE number."
        )
    n_episodes = con.sql("SELECT count(*) FROM ssda903_episodes").fetchall()[0][0]
    if not n_episodes:
        raise MonitorError(
            "The database holds no SSDA903 episodes: load the looked-after children's return "
            "first (datamonger load PATH --db FILE)."
        )
    on = f"DATE '{as_of.isoformat()}'"
    decisions = con.sql("SELECT fingerprint, child_id, decision FROM ey_decisions").to_arrow_table()
    links = link(inputs.ey_rows, inputs.identities, decisions, threads=threads)

    con.register("ey_in", inputs.ey_rows)
    con.register("ids_in", inputs.identities)
    con.register("settings_in", inputs.settings)
    con.register("links_in", links)
    list_las = sorted({x for x in inputs.ey_rows.column("la").to_pylist() if x})
    con.register("list_las", pa.table({"la": pa.array(list_las, pa.string())}))
    # Looked after on the as-of date: the episode open that day (short breaks excluded), the
    # period of care's start, and the placing LA from the placement postcode.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ey_cla AS
            WITH ep AS (
              SELECT DISTINCT CHILD, DECOM, DEC, RNE, LS, PLACE, PL_POST FROM ssda903_episodes
              WHERE DECOM IS NOT NULL),
            open_now AS (
              SELECT * FROM ep WHERE DECOM <= {on} AND (DEC IS NULL OR DEC > {on})
                AND coalesce(LS, '') NOT IN ('V3', 'V4')
              QUALIFY row_number() OVER (PARTITION BY CHILD ORDER BY DECOM DESC) = 1),
            period AS (
              SELECT e.CHILD, max(e.DECOM) AS care_start FROM ep e JOIN open_now o USING (CHILD)
              WHERE e.RNE = 'S' AND e.DECOM <= {on} GROUP BY e.CHILD),
            dob AS (
              SELECT CHILD, any_value(DOB ORDER BY collection_year DESC) AS dob,
                     any_value(SEX ORDER BY collection_year DESC) AS sex
              FROM ssda903_header WHERE DOB IS NOT NULL GROUP BY CHILD),
            pc AS (
              SELECT o.CHILD, l.dfe_la_number AS placing_la
              FROM open_now o
              JOIN read_parquet('{_postcodes_file()}') p
                ON p.postcode = upper(trim(o.PL_POST))
              JOIN read_csv('{_la_lookup_file()}', all_varchar = true) l
                ON l.ons_la_code = p.utla_code)
            SELECT o.CHILD AS child_id, d.dob, d.sex, o.DECOM AS episode_start, o.PLACE,
                   upper(trim(o.PL_POST)) AS placement_postcode,
                   coalesce(pc.placing_la, CASE WHEN o.PLACE = 'P1' THEN '{la}' END) AS placing_la,
                   coalesce(p.care_start, o.DECOM) AS care_start,
                   {offer_sql("d.dob", on)} AS offer,
                   {PLACEMENT_TYPE_SQL} AS placement_type, {CARER_TYPE_SQL} AS carer_type
            FROM open_now o JOIN dob d USING (CHILD)
            LEFT JOIN period p USING (CHILD) LEFT JOIN pc USING (CHILD)
            WHERE d.dob > {on} - INTERVAL 6 YEAR"""
    )
    # Each eligible child's attendance: confident links (setting, hours, term, list LA).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE ey_attend AS
            SELECT l.child_id,
                   string_agg(DISTINCT coalesce(s.setting_name, e.setting_name), '; ') AS setting,
                   string_agg(DISTINCT e.setting_urn, '; ') AS setting_urn,
                   arg_max(coalesce(s.sector, 'Not in the register'), e.funded_hours) AS sector,
                   arg_max(coalesce(s.overall_effectiveness, 'Not in the register'), e.funded_hours)
                     AS ofsted_grade,
                   sum(e.funded_hours) AS funded_hours, max(e.term) AS term,
                   string_agg(DISTINCT e.la, '; ') AS list_la,
                   max(l.match_weight) AS link_weight, string_agg(DISTINCT l.method, '; ') AS link_method
            FROM links_in l
            JOIN ey_in e USING (source_file, source_line)
            LEFT JOIN settings_in s ON s.urn = e.setting_urn
            WHERE l.status = 'linked'
            GROUP BY l.child_id"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ey_children AS
            SELECT c.child_id, c.dob AS date_of_birth, c.offer,
                   CASE c.offer WHEN 'two' THEN '{OFFER_LABEL["two"]}'
                                ELSE '{OFFER_LABEL["three_four"]}' END AS age_band,
                   {eligible_from_sql("c.dob", 2)} AS eligible_from,
                   {reception_sql("c.dob")} AS reception_from,
                   CASE WHEN a.child_id IS NOT NULL THEN 'attending'
                        WHEN c.placing_la IS NULL OR (c.placing_la <> '{la}'
                             AND c.placing_la NOT IN (SELECT la FROM list_las)) THEN 'unknown'
                        ELSE 'not attending' END AS status,
                   EXISTS (SELECT 1 FROM links_in r WHERE r.child_id = c.child_id
                           AND r.status = 'review') AS in_review,
                   a.setting, a.setting_urn, a.sector, a.ofsted_grade, a.funded_hours, a.term,
                   a.link_weight, a.link_method,
                   CASE WHEN c.placing_la = '{la}' THEN 'in area'
                        WHEN c.placing_la IS NULL THEN 'not known'
                        ELSE 'out of area' END AS area,
                   c.placing_la, c.placement_type, c.carer_type, c.episode_start,
                   c.placement_postcode,
                   ({on} - c.care_start)::INTEGER AS days_in_care
            FROM ey_cla c LEFT JOIN ey_attend a USING (child_id)
            WHERE c.offer IS NOT NULL"""
    )
    changes = _changes(con, as_of)
    summary = _summary(con, la, as_of)
    review = con.sql(
        f"""SELECT {fingerprint_sql("e.")} AS fingerprint, l.source_file, l.source_line, l.child_id,
                   l.match_weight, l.match_probability, l.reason,
                   e.forename AS list_forename, e.surname AS list_surname,
                   e.date_of_birth AS list_date_of_birth, e.postcode AS list_postcode,
                   e.setting_urn, e.setting_name, e.la AS list_la,
                   i.forename AS child_forename, i.surname AS child_surname,
                   i.date_of_birth AS child_date_of_birth, i.postcode AS child_postcode
            FROM links_in l JOIN ey_in e USING (source_file, source_line)
            JOIN ids_in i ON i.child_id = l.child_id
            WHERE l.status = 'review' ORDER BY l.match_weight DESC, l.source_file, l.source_line"""
    ).to_arrow_table()
    children = con.sql(
        """SELECT c.*, coalesce(ch.changes, '') AS since_last_check
           FROM ey_children c LEFT JOIN (
             SELECT child_id, string_agg(change, '; ') AS changes FROM ey_changes GROUP BY child_id
           ) ch USING (child_id)
           ORDER BY ch.changes IS NULL, c.status = 'attending', c.child_id"""
    ).to_arrow_table()
    run_id = int(con.sql("SELECT coalesce(max(run_id), 0) + 1 FROM ey_runs").fetchall()[0][0])
    if record:
        con.register("children_out", children)
        _record(con, run_id, as_of, la, inputs, summary, review)
        con.unregister("children_out")
    trend = con.sql(
        """SELECT run_id, as_of, run_at, eligible, attending, not_attending, unknown, take_up_pct,
                  known_pct, review FROM ey_runs ORDER BY as_of, run_id"""
    ).to_arrow_table()
    for name in ("ey_in", "ids_in", "settings_in", "links_in", "list_las"):
        con.unregister(name)
    return Result(run_id, as_of, la, summary, children, review, changes, trend, inputs.files)


def _changes(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pa.Table:
    """Since the previous run: became looked after, changed placement, crossed an age threshold,
    left care."""
    prev = con.sql("SELECT max(run_id) FROM ey_runs WHERE as_of <= ?", params=[as_of]).fetchall()[
        0
    ][0]
    if prev is None:
        con.execute("CREATE OR REPLACE TEMP TABLE ey_changes (child_id VARCHAR, change VARCHAR)")
        return con.sql("SELECT * FROM ey_changes").to_arrow_table()
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE ey_changes AS
            WITH before AS (SELECT * FROM ey_run_children WHERE run_id = {int(prev)}),
            now AS (SELECT child_id, offer, episode_start, placement_postcode FROM ey_cla)
            SELECT n.child_id, 'became looked after' AS change FROM now n
              WHERE n.child_id NOT IN (SELECT child_id FROM before)
            UNION ALL
            SELECT n.child_id, 'changed placement' FROM now n JOIN before b USING (child_id)
              WHERE n.episode_start <> b.episode_start
                 OR n.placement_postcode IS DISTINCT FROM b.placement_postcode
            UNION ALL
            SELECT n.child_id, CASE n.offer WHEN 'two' THEN 'now eligible for the 2-year-old offer'
                                            ELSE 'now eligible for the 3 and 4-year-old offer' END
              FROM now n JOIN before b USING (child_id)
              WHERE n.offer IS NOT NULL AND n.offer IS DISTINCT FROM b.offer
            UNION ALL
            SELECT b.child_id, 'no longer looked after' FROM before b
              WHERE b.child_id NOT IN (SELECT child_id FROM now)
            ORDER BY 1, 2"""
    )
    return con.sql("SELECT * FROM ey_changes").to_arrow_table()


def _group(con: duckdb.DuckDBPyConnection, column: str) -> list[dict[str, Any]]:
    rows = con.sql(
        f"""SELECT coalesce({column}, 'Not known') AS grp, count(*) AS eligible,
                   count(*) FILTER (WHERE status = 'attending') AS attending,
                   count(*) FILTER (WHERE status = 'not attending') AS not_attending,
                   count(*) FILTER (WHERE status = 'unknown') AS unknown
            FROM ey_children GROUP BY ALL ORDER BY grp"""
    ).fetchall()
    return [
        {
            "group": g,
            "eligible": e,
            "attending": a,
            "not_attending": n,
            "unknown": u,
            "take_up_pct": _pct(a, a + n),
        }
        for g, e, a, n, u in rows
    ]


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _summary(con: duckdb.DuckDBPyConnection, la: str, as_of: dt.date) -> dict[str, Any]:
    e, a, n, u, r = con.sql(
        """SELECT count(*), count(*) FILTER (WHERE status = 'attending'),
                  count(*) FILTER (WHERE status = 'not attending'),
                  count(*) FILTER (WHERE status = 'unknown'),
                  count(*) FILTER (WHERE in_review AND status <> 'attending')
           FROM ey_children"""
    ).fetchall()[0]
    settings_rows = con.sql(
        """SELECT sector, ofsted_grade, count(*) FROM ey_children WHERE status = 'attending'
           GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    by_sector: dict[str, int] = {}
    by_grade: dict[str, int] = {}
    for sector, grade, k in settings_rows:
        by_sector[sector] = by_sector.get(sector, 0) + k
        by_grade[grade] = by_grade.get(grade, 0) + k
    take_up = _pct(a, a + n)
    from datamonger.early_years.published import published_take_up

    return {
        "la": la,
        "as_of": as_of.isoformat(),
        "term": term_of(as_of),
        "eligible": e,
        "attending": a,
        "not_attending": n,
        "unknown": u,
        "awaiting_review": r,
        "take_up_pct": take_up,
        "take_up_pct_of_all_eligible": _pct(a, e),
        "known_status_pct": _pct(a + n, e),
        "by_age_band": _group(con, "age_band"),
        "by_placement_type": _group(con, "placement_type"),
        "by_area": _group(con, "area"),
        "by_carer_type": _group(con, "carer_type"),
        "attending_by_setting_sector": [{"group": k, "attending": v} for k, v in by_sector.items()],
        "attending_by_ofsted_grade": [{"group": k, "attending": v} for k, v in by_grade.items()],
        "comparison": {
            "national_all_children_pct": NATIONAL_ALL_CHILDREN,
            "national_all_children_source": "As reported nationally: about 85% of all children "
            "attend funded early education, against about 71% of looked-after children "
            "(a round figure to compare with, not a published statistic of one year)",
            "published": published_take_up(la),
        },
    }


def _record(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    as_of: dt.date,
    la: str,
    inputs: Inputs,
    summary: dict[str, Any],
    review: pa.Table,
) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO ey_runs VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id, as_of, la, inputs.files, summary["eligible"], summary["attending"],
                summary["not_attending"], summary["unknown"], summary["take_up_pct"],
                summary["known_status_pct"], review.num_rows, json.dumps(summary),
            ],
        )  # fmt: skip
        con.execute(
            f"""INSERT INTO ey_run_children
                SELECT {run_id}, c.child_id, c.offer IS NOT NULL, c.offer, e.status,
                       c.episode_start, c.placement_postcode, c.placing_la
                FROM ey_cla c LEFT JOIN ey_children e USING (child_id)"""
        )
        con.execute(
            f"""CREATE OR REPLACE TABLE ey_children_latest AS
                SELECT {run_id} AS run_id, c.*, i.forename, i.surname, i.upn
                FROM children_out c LEFT JOIN ids_in i USING (child_id)"""
        )
        con.execute("CREATE OR REPLACE TABLE ey_changes_latest AS SELECT * FROM ey_changes")
        con.register("review_in", review)
        con.execute("DELETE FROM ey_review")  # the queue is the latest run's
        con.execute(
            f"""INSERT INTO ey_review SELECT {run_id}, fingerprint, source_file, source_line,
                child_id, match_weight, match_probability, reason, list_forename, list_surname,
                list_date_of_birth, list_postcode, setting_urn, setting_name, list_la,
                child_forename, child_surname, child_date_of_birth, child_postcode
                FROM review_in"""
        )
        con.unregister("review_in")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def summary_json(result: Result) -> str:
    return json.dumps(result.to_json(), indent=2, default=str)
