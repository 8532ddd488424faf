"""Prepared tables every indicator query reads: each return's years stacked, one version per record.

Returns overlap: an episode open at 31 March appears again in the next year's return, usually with
its end now filled in. Each record is keyed by the child and its start (CIN episode: LAchildID +
CINreferralDate; 903 episode: CHILD + DECOM) and one version is kept: by default the one from the
return of the period's own collection year (the DfE's published figures come from it), else the
nearest later return, else the latest earlier one (setting `episode_version`). An episode left
open in an earlier return and closed by a later one is thereby repaired, and each repair is listed
in `dm_903_repairs` / `dm_cin_repairs` for the user to see.

A version whose end is blank is only known to be open up to the 31 March of its return
(`known_until`): an episode open in 2023/24 that is missing from a loaded 2024/25 return is not
taken to be still open in 2024/25.

All tables are TEMP tables named `dm_*` on the caller's connection (read-only stores work too).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from datamonger import workdays
from datamonger.indicators.model import Period, Settings

TEMPORARY = "('T0', 'T1', 'T2', 'T3', 'T4')"
SHORT_BREAK = "('V3', 'V4')"


@dataclass(slots=True)
class Loaded:
    """Which collection years of each return (and of some 903 tables) hold rows."""

    cin: set[int] = field(default_factory=set)
    ssda903: set[int] = field(default_factory=set)
    tables: dict[str, set[int]] = field(default_factory=dict)

    def years(self, return_: str) -> set[int]:
        return self.cin if return_ == "cin" else self.ssda903


def _years(con: duckdb.DuckDBPyConnection, table: str) -> set[int]:
    try:
        rows = con.execute(f"SELECT DISTINCT collection_year FROM {table}").fetchall()
    except duckdb.CatalogException:
        return set()
    return {int(r[0]) for r in rows if r[0] is not None}


def loaded(con: duckdb.DuckDBPyConnection) -> Loaded:
    out = Loaded(cin=_years(con, "cin_episodes"), ssda903=_years(con, "ssda903_episodes"))
    for t in ("oc2", "oc3", "ad1", "missing", "sw_episodes", "placed_adoption", "header"):
        out.tables[t] = _years(con, f"ssda903_{t}")
    out.tables["early_years"] = _check_years(con)
    return out


def _check_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Collection years holding an early-years check (`datamonger early-years`)."""
    try:
        rows = con.execute(
            "SELECT DISTINCT year(as_of) + (month(as_of) >= 4)::INTEGER FROM ey_runs"
        ).fetchall()
    except duckdb.CatalogException:
        return set()
    return {int(r[0]) for r in rows if r[0] is not None}


def _pref(period: Period, settings: Settings) -> str:
    """ORDER BY putting the preferred version of a record first."""
    if settings.episode_version == "latest":
        return "collection_year DESC"
    t = period.collection_year
    return (
        f"(collection_year < {t}), "
        f"CASE WHEN collection_year >= {t} THEN collection_year ELSE -collection_year END"
    )


def _lit(d: object) -> str:
    return f"DATE '{d}'"


def macros(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    workdays.install(con)
    day1 = settings.working_days == "day1"
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dm_wd(a, b) AS working_days_between(a, b)"
        + (" + CASE WHEN is_working_day(a) AND b >= a THEN 1 ELSE 0 END" if day1 else "")
    )
    back = "(d - INTERVAL 12 MONTH)::DATE" if settings.rereferral_window == "months" else "d - 365"
    con.execute(f"CREATE OR REPLACE TEMP MACRO dm_reref_from(d) AS {back}")
    # Open on day d: started by d and ended after it, or not ended and still known to be open.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dm_open_on(s, e, known, d) AS "
        "(s <= d AND (e > d OR (e IS NULL AND known >= d)))"
    )
    # Open at any time between a and b.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dm_open_during(s, e, known, a, b) AS "
        "(s <= b AND coalesce(e, known) >= a)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dm_age(dob, d) AS "
        "(year(d) - year(dob) - CASE WHEN month(d) * 100 + day(d) < month(dob) * 100 + day(dob) "
        "THEN 1 ELSE 0 END)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dm_postcode(p) AS "
        "CASE WHEN length(replace(upper(trim(p)), ' ', '')) >= 5 THEN "
        "left(replace(upper(trim(p)), ' ', ''), length(replace(upper(trim(p)), ' ', '')) - 3) "
        "|| ' ' || right(replace(upper(trim(p)), ' ', ''), 3) END"
    )


def prepare_cin(con: duckdb.DuckDBPyConnection, period: Period, settings: Settings) -> None:
    pref = _pref(period, settings)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cin_episode_versions AS
        SELECT LAchildID AS child_id, collection_year, CINdetailsID,
               CINreferralDate AS referral_date, CINclosureDate AS closure_date,
               upper(trim(ReasonForClosure)) AS closure_reason,
               row_number() OVER (
                   PARTITION BY LAchildID,
                       coalesce(CINreferralDate::VARCHAR, collection_year || '#' || CINdetailsID),
                       occurrence
                   ORDER BY {pref}) AS version_rank,
               source_file, source_line
        FROM (SELECT *, row_number() OVER (
                  PARTITION BY collection_year, LAchildID, CINreferralDate ORDER BY CINdetailsID)
                  AS occurrence
              FROM cin_episodes)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dm_cin_episodes AS
        SELECT e.LAchildID AS child_id, e.collection_year, e.CINdetailsID,
               e.CINreferralDate AS referral_date,
               upper(trim(e.ReferralSource)) AS referral_source,
               upper(trim(e.PrimaryNeedCode)) AS primary_need,
               e.CINclosureDate AS closure_date,
               upper(trim(e.ReasonForClosure)) AS closure_reason,
               e.ReferralNFA AS referral_nfa, e.DateOfInitialCPC AS icpc_date,
               make_date(e.collection_year, 3, 31) AS known_until,
               e.source_file, e.source_line
        FROM cin_episodes e
        JOIN dm_cin_episode_versions v
          ON v.child_id = e.LAchildID AND v.collection_year = e.collection_year
         AND v.CINdetailsID = e.CINdetailsID AND v.version_rank = 1""")
    # The latest earlier referral of the same child (any year loaded): for re-referrals.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dm_cin_referrals AS
        SELECT *, max(referral_date) OVER (
                   PARTITION BY child_id ORDER BY referral_date
                   RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING)
                   AS previous_referral_date
        FROM dm_cin_episodes WHERE referral_date IS NOT NULL""")
    keep = "JOIN dm_cin_episodes k ON k.child_id = x.LAchildID AND k.collection_year = x.collection_year AND k.CINdetailsID = x.CINdetailsID"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cin_assessments AS
        SELECT x.LAchildID AS child_id, x.collection_year, x.CINdetailsID, x.AssessmentID,
               k.referral_date, x.AssessmentActualStartDate AS start_date,
               x.AssessmentAuthorisationDate AS auth_date, x.source_file, x.source_line
        FROM cin_assessments x {keep}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cin_factors AS
        SELECT x.LAchildID AS child_id, x.collection_year, x.CINdetailsID, x.AssessmentID,
               upper(trim(x.AssessmentFactors)) AS factor
        FROM cin_assessment_factors x {keep}
        WHERE nullif(trim(x.AssessmentFactors), '') IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cin_section47 AS
        SELECT x.LAchildID AS child_id, x.collection_year, x.CINdetailsID,
               k.referral_date, x.S47ActualStartDate AS s47_start,
               x.DateOfInitialCPC AS icpc_date, x.ICPCnotRequired AS icpc_not_required,
               x.source_file, x.source_line
        FROM cin_section47 x {keep}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cin_cpp AS
        SELECT x.LAchildID AS child_id, x.collection_year, x.CINdetailsID, x.CPPID,
               x.CPPstartDate AS cpp_start, x.CPPendDate AS cpp_end,
               upper(trim(x.InitialCategoryOfAbuse)) AS initial_category,
               x.NumberOfPreviousCPP AS previous_cpps, k.known_until,
               x.source_file, x.source_line
        FROM cin_cpp x {keep}""")
    # Review dates of a plan are spread over the returns of the years it was open: keep them all.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dm_cin_cpp_reviews AS
        SELECT DISTINCT r.LAchildID AS child_id, c.CPPstartDate AS cpp_start,
               r.CPPreviewDate AS review_date
        FROM cin_cpp_reviews r
        JOIN cin_cpp c ON c.LAchildID = r.LAchildID AND c.collection_year = r.collection_year
         AND c.CINdetailsID = r.CINdetailsID AND c.CPPID = r.CPPID
        WHERE r.CPPreviewDate IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cin_children AS
        WITH v AS (
            SELECT *, row_number() OVER (PARTITION BY LAchildID ORDER BY {pref}) AS rn
            FROM cin_children)
        SELECT v.LAchildID AS child_id, v.collection_year, v.PersonBirthDate AS dob,
               v.ExpectedPersonBirthDate AS expected_dob, v.PersonDeathDate AS death_date,
               coalesce((SELECT list(DISTINCT upper(trim(d.Disability)) ORDER BY 1)
                         FROM cin_disabilities d
                         WHERE d.LAchildID = v.LAchildID
                           AND d.collection_year = v.collection_year
                           AND nullif(trim(d.Disability), '') IS NOT NULL), []) AS disabilities
        FROM v WHERE rn = 1""")
    # Children in need on the period end / during the period: one row per child.
    end, start = _lit(period.end), _lit(period.start)
    for name, cond in (
        ("dm_cin_at_end", f"dm_open_on(referral_date, closure_date, known_until, {end})"),
        (
            "dm_cin_during",
            f"dm_open_during(referral_date, closure_date, known_until, {start}, {end})",
        ),
    ):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {name} AS
            SELECT child_id, arg_max(CINdetailsID, referral_date) AS CINdetailsID,
                   max(referral_date) AS referral_date,
                   arg_max(primary_need, referral_date) AS primary_need,
                   arg_max(closure_date, referral_date) AS closure_date
            FROM dm_cin_episodes WHERE {cond} GROUP BY child_id""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dm_cin_repairs AS
        SELECT o.child_id, o.referral_date, o.collection_year AS open_in_return,
               v.collection_year AS used_return, v.closure_date AS closed_on,
               v.closure_reason
        FROM dm_cin_episode_versions o
        JOIN dm_cin_episode_versions v
          ON v.child_id = o.child_id AND v.referral_date = o.referral_date AND v.version_rank = 1
        WHERE o.version_rank > 1 AND o.closure_date IS NULL AND v.closure_date IS NOT NULL""")


def prepare_903(con: duckdb.DuckDBPyConnection, period: Period, settings: Settings) -> None:
    pref = _pref(period, settings)
    start, end = _lit(period.start), _lit(period.end)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_903_episode_versions AS
        SELECT CHILD AS child_id, collection_year, DECOM, DEC, upper(trim(REC)) AS REC,
               row_number() OVER (
                   PARTITION BY CHILD,
                       coalesce(DECOM::VARCHAR, collection_year || '#' || source_line), occurrence
                   ORDER BY {pref}) AS version_rank,
               source_file, source_line
        FROM (SELECT *, row_number() OVER (
                  PARTITION BY collection_year, CHILD, DECOM ORDER BY source_file, source_line)
                  AS occurrence
              FROM ssda903_episodes)""")
    first_year = con.execute("SELECT min(collection_year) FROM ssda903_episodes").fetchone()
    first = first_year[0] if first_year and first_year[0] else period.collection_year
    earliest = f"DATE '{first - 1}-04-01'"
    # Placement change rules. A new placement starts with RNE S, P or B ("carer"), plus T and U
    # ("placement"). With temporary placements ignored, a T0-T4 episode is never a new placement,
    # nor is the return to the carer the child was with before it.
    moves = "('S', 'P', 'B')" if settings.placement_moves == "carer" else "('S','P','B','T','U')"
    ignore_temp = settings.temporary_placements == "ignore"
    temp_rules = (
        f"""WHEN PLACE IN {TEMPORARY} THEN false
            WHEN prev_place IN {TEMPORARY} AND prev2_place = PLACE
                 AND prev2_pl_post IS NOT DISTINCT FROM PL_POST
                 AND prev2_urn IS NOT DISTINCT FROM URN THEN false"""
        if ignore_temp
        else ""
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_903_episodes AS
        SELECT e.CHILD AS child_id, e.collection_year, e.DECOM, e.DEC,
               upper(trim(e.RNE)) AS RNE, upper(trim(e.LS)) AS LS, upper(trim(e.CIN)) AS CIN,
               upper(trim(e.PLACE)) AS PLACE, upper(trim(e.PLACE_PROVIDER)) AS PLACE_PROVIDER,
               upper(trim(e.REC)) AS REC, upper(trim(e.REASON_PLACE_CHANGE)) AS REASON_PLACE_CHANGE,
               dm_postcode(e.HOME_POST) AS HOME_POST, dm_postcode(e.PL_POST) AS PL_POST,
               nullif(trim(e.URN), '') AS URN,
               make_date(e.collection_year, 3, 31) AS known_until,
               upper(trim(e.LS)) IN {SHORT_BREAK} AS short_break,
               e.source_file, e.source_line
        FROM ssda903_episodes e
        JOIN dm_903_episode_versions v
          ON v.child_id = e.CHILD AND v.collection_year = e.collection_year
         AND v.source_file = e.source_file AND v.source_line = e.source_line
         AND v.version_rank = 1
        WHERE e.DECOM IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_903_header AS
        WITH v AS (SELECT *, row_number() OVER (PARTITION BY CHILD ORDER BY {pref}) AS rn
                   FROM ssda903_header)
        SELECT CHILD AS child_id, DOB AS dob, upper(trim(SEX)) AS sex FROM v WHERE rn = 1""")
    # Care episodes (short breaks V3/V4 left out), periods of care, placements and carers.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_903_care AS
        WITH e AS (
            SELECT *,
                   lag(DEC) OVER w AS prev_dec, lag(REC) OVER w AS prev_rec,
                   lag(PLACE) OVER w AS prev_place,
                   lag(PLACE, 2) OVER w AS prev2_place, lag(PL_POST, 2) OVER w AS prev2_pl_post,
                   lag(URN, 2) OVER w AS prev2_urn
            FROM dm_903_episodes WHERE NOT short_break
            WINDOW w AS (PARTITION BY child_id ORDER BY DECOM)),
        f AS (
            SELECT *,
                   (prev_rec IS NULL OR prev_rec <> 'X1' OR prev_dec IS NULL
                    OR prev_dec <> DECOM OR RNE = 'S') AS new_poc,
                   CASE WHEN DEC IS NOT NULL AND DEC <= DECOM THEN false
                        WHEN RNE = 'S' THEN true
                        {temp_rules}
                        WHEN RNE IN {moves} THEN true
                        ELSE false END AS new_placement
            FROM e),
        g AS (SELECT *, sum(new_poc::INT) OVER (PARTITION BY child_id ORDER BY DECOM) AS poc
              FROM f),
        h AS (
            SELECT g.*,
                   min(DECOM) OVER p AS poc_start,
                   first(RNE) OVER (PARTITION BY child_id, poc ORDER BY DECOM) = 'S'
                     OR min(DECOM) OVER p >= {earliest} AS poc_start_known,
                   last(CASE WHEN REC <> 'X1' THEN DEC END) OVER p AS poc_end,
                   last(REC) OVER p AS poc_end_reason,
                   coalesce(max(CASE WHEN new_placement THEN DECOM END) OVER (
                       PARTITION BY child_id, poc ORDER BY DECOM
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), min(DECOM) OVER p)
                     AS carer_start
            FROM g
            WINDOW p AS (PARTITION BY child_id, poc ORDER BY DECOM
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
        SELECT h.*,
               -- start of the carer before the current one (adoption + preceding placement)
               max(CASE WHEN new_placement THEN prev_carer END) OVER (
                   PARTITION BY child_id, poc ORDER BY DECOM
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prev_carer_start
        FROM (SELECT *, lag(carer_start) OVER (PARTITION BY child_id, poc ORDER BY DECOM)
                         AS prev_carer FROM h) h""")
    # Children looked after on the period end, during it, and ceasing in it (one row per child).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cla_at_end AS
        SELECT c.*, hd.dob, dm_age(hd.dob, {end}) AS age_at_end
        FROM dm_903_care c LEFT JOIN dm_903_header hd USING (child_id)
        WHERE dm_open_on(c.DECOM, c.DEC, c.known_until, {end})
        QUALIFY row_number() OVER (PARTITION BY c.child_id ORDER BY c.DECOM DESC) = 1""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cla_during AS
        SELECT child_id, min(DECOM) AS first_decom, max(coalesce(DEC, known_until)) AS last_day
        FROM dm_903_care WHERE dm_open_during(DECOM, DEC, known_until, {start}, {end})
        GROUP BY child_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_cla_ceased AS
        SELECT child_id, max(poc_end) AS ceased, arg_max(poc_end_reason, poc_end) AS REC,
               arg_max(poc_start, poc_end) AS poc_start
        FROM dm_903_care WHERE poc_end BETWEEN {start} AND {end} GROUP BY child_id""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dm_903_repairs AS
        SELECT o.child_id, o.DECOM, o.collection_year AS open_in_return,
               v.collection_year AS closed_in_return, v.DEC AS closed_on, v.REC AS reason,
               'closed by a later return' AS repair
        FROM dm_903_episode_versions o
        JOIN dm_903_episode_versions v
          ON v.child_id = o.child_id AND v.DECOM = o.DECOM AND v.version_rank = 1
        WHERE o.version_rank > 1 AND o.DEC IS NULL AND v.DEC IS NOT NULL
          AND o.collection_year < v.collection_year
        UNION ALL
        SELECT v.child_id, v.DECOM, v.collection_year, NULL, NULL, NULL,
               'open at 31 March but missing from the next return: not taken as open after it'
        FROM dm_903_episode_versions v
        WHERE v.version_rank = 1 AND v.DEC IS NULL
          AND EXISTS (SELECT 1 FROM ssda903_episodes l WHERE l.collection_year = v.collection_year + 1)
          AND NOT EXISTS (SELECT 1 FROM dm_903_episode_versions n
                          WHERE n.child_id = v.child_id AND n.DECOM = v.DECOM
                            AND n.collection_year = v.collection_year + 1)""")
    for table, key in (
        ("missing", "CHILD, MIS_START"),
        ("sw_episodes", "CHILD, SW_ID, SW_DECOM"),
        ("placed_adoption", "CHILD, DATE_PLACED"),
        ("ad1", "CHILD"),
        ("uasc", "CHILD"),
    ):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE dm_903_{table} AS
            SELECT * EXCLUDE (rn), CHILD AS child_id,
                   make_date(collection_year, 3, 31) AS known_until
            FROM (SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY {pref}) AS rn
                  FROM ssda903_{table}) WHERE rn = 1""")
    # Outcomes (OC2) and care leavers (OC3) are a snapshot in the return of the period's year.
    for table in ("oc2", "oc3"):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE dm_903_{table} AS
            SELECT *, CHILD AS child_id FROM ssda903_{table}
            WHERE collection_year = {period.collection_year}
            QUALIFY row_number() OVER (PARTITION BY CHILD ORDER BY source_line) = 1""")


def prepare_postcodes(con: duckdb.DuckDBPyConnection, path: str | None) -> bool:
    """Grid references of the postcodes used in the episodes (only those: the file is large)."""
    if path is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE dm_postcodes (postcode VARCHAR, easting INTEGER, "
            "northing INTEGER, utla_code VARCHAR, country VARCHAR)"
        )
        return False
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dm_postcodes AS
        SELECT postcode, easting, northing, utla_code, country
        FROM read_parquet('{path}')
        WHERE postcode IN (SELECT HOME_POST FROM dm_cla_at_end WHERE HOME_POST IS NOT NULL
                           UNION SELECT PL_POST FROM dm_cla_at_end WHERE PL_POST IS NOT NULL)""")
    return True
