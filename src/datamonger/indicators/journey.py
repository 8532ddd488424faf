"""A child's journey: every record of one child in both returns and every loaded year, as events on
one timeline, with the validation issues raised on those records pinned at their dates.

One columnar query over the store (`journey`): each return table gives events in one shape
(kind, start, end, detail), the versions of a record written again in later returns (an episode
open at 31 March is in the next year's return too) are folded into one event that lists the
returns it was seen in, and the issues (an Arrow table in `ISSUE_SCHEMA`'s shape, from the
validation run) are joined to the record they were raised on by file and line. The web only
presents the two tables this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from datamonger.store import ALL_TABLES

# What each kind of event is called on the timeline, in the DfE's words.
KINDS: dict[str, str] = {
    "birth": "Born",
    "death": "Died",
    "referral": "CIN episode (referral)",
    "assessment": "Assessment",
    "s47": "Section 47 enquiry",
    "conference": "Initial child protection conference",
    "cin_plan": "Child in need plan",
    "cpp": "Child protection plan",
    "cpp_review": "Child protection plan review",
    "pre_proceedings": "Pre-proceedings",
    "episode": "Looked-after episode",
    "cla_review": "Looked-after review",
    "missing": "Missing or away from placement",
    "social_worker": "Social worker",
    "uasc": "Ceased to be UASC",
    "adoption_decision": "Adoption: decision",
    "placed_adoption": "Placed for adoption",
    "prev_perm": "Previous permanence",
    "dolo": "Deprivation of liberty order",
    "outcomes": "Outcomes (OC2)",
    "leaving_care": "Care leaver (OC3)",
    "record": "Record (no date of its own)",
    "return_end": "End of the return's year (issues on records with no date of their own)",
}

# One SELECT per table: kind, start, end, detail, identity (what makes two returns' rows the same
# record), from the raw store table `t` for the child `$child`.
_EVENTS: list[tuple[str, str]] = [
    (
        "cin_children",
        """SELECT 'birth', coalesce(PersonBirthDate, ExpectedPersonBirthDate), NULL::DATE,
              concat_ws('; ', CASE WHEN PersonBirthDate IS NULL
                                   AND ExpectedPersonBirthDate IS NOT NULL
                                   THEN 'expected date of birth' END,
                        'sex ' || coalesce(Sex, GenderCurrent), 'ethnicity ' || Ethnicity,
                        'UPN ' || UPN),
              'child'
           FROM t WHERE LAchildID = $child
           UNION ALL
           SELECT 'death', PersonDeathDate, NULL, NULL, 'death' FROM t
           WHERE LAchildID = $child AND PersonDeathDate IS NOT NULL""",
    ),
    (
        "cin_episodes",
        """SELECT 'referral', CINreferralDate, CINclosureDate,
              concat_ws('; ', 'source ' || ReferralSource, 'primary need ' || PrimaryNeedCode,
                        CASE WHEN ReferralNFA THEN 'no further action' END,
                        'closure reason ' || ReasonForClosure),
              CINreferralDate::VARCHAR
           FROM t WHERE LAchildID = $child""",
    ),
    (
        "cin_assessments",
        """SELECT 'assessment', AssessmentActualStartDate, AssessmentAuthorisationDate,
              concat_ws('; ', CASE WHEN AssessmentAuthorisationDate IS NULL THEN 'not authorised'
                                   END,
                        'factors ' || (SELECT string_agg(f.AssessmentFactors, ', '
                                                         ORDER BY f.AssessmentFactors)
                                       FROM cin_assessment_factors f
                                       WHERE f.LAchildID = $child
                                         AND f.LAchildID = t.LAchildID
                                         AND f.collection_year = t.collection_year
                                         AND f.CINdetailsID = t.CINdetailsID
                                         AND f.AssessmentID = t.AssessmentID)),
              AssessmentActualStartDate::VARCHAR
           FROM t WHERE LAchildID = $child""",
    ),
    (
        "cin_section47",
        """SELECT 's47', S47ActualStartDate, NULL::DATE,
              concat_ws('; ', 'conference due ' || InitialCPCtarget,
                        'conference held ' || DateOfInitialCPC,
                        CASE WHEN ICPCnotRequired THEN 'conference not required' END),
              S47ActualStartDate::VARCHAR
           FROM t WHERE LAchildID = $child
           UNION ALL
           SELECT 'conference', DateOfInitialCPC, NULL, 'after the section 47 enquiry of '
                  || S47ActualStartDate, DateOfInitialCPC::VARCHAR
           FROM t WHERE LAchildID = $child AND DateOfInitialCPC IS NOT NULL""",
    ),
    (
        "cin_plans",
        """SELECT 'cin_plan', CINPlanStartDate, CINPlanEndDate, NULL,
              CINPlanStartDate::VARCHAR
           FROM t WHERE LAchildID = $child""",
    ),
    (
        "cin_cpp",
        """SELECT 'cpp', CPPstartDate, CPPendDate,
              concat_ws('; ', 'initial category ' || InitialCategoryOfAbuse,
                        'latest category ' || LatestCategoryOfAbuse,
                        'previous plans ' || NumberOfPreviousCPP),
              CPPstartDate::VARCHAR
           FROM t WHERE LAchildID = $child""",
    ),
    (
        "cin_cpp_reviews",
        """SELECT 'cpp_review', CPPreviewDate, NULL, NULL, CPPreviewDate::VARCHAR
           FROM t WHERE LAchildID = $child""",
    ),
    (
        "cin_pre_proceedings",
        """SELECT 'pre_proceedings', PPStartDate, StepDecisionDate,
              concat_ws('; ', 'letter before proceedings ' || LBPSentDate,
                        'outcome ' || PPOutcome, 'court application ' || CourtAppDate),
              PPStartDate::VARCHAR
           FROM t WHERE LAchildID = $child""",
    ),
    (
        "cin_disabilities",
        """SELECT 'record', NULL::DATE, NULL::DATE, 'disability ' || Disability,
              'disability ' || Disability FROM t WHERE LAchildID = $child""",
    ),
    (
        "ssda903_header",
        """SELECT 'birth', DOB, NULL::DATE,
              concat_ws('; ', 'sex ' || SEX, 'ethnicity ' || ETHNIC, 'UPN ' || UPN,
                        'UASC ' || UASC), 'child'
           FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_episodes",
        """SELECT 'episode', DECOM, DEC,
              concat_ws('; ', 'legal status ' || LS, 'placement ' || PLACE,
                        'provider ' || PLACE_PROVIDER, 'reason for new episode ' || RNE,
                        'category of need ' || CIN, 'reason episode ceased ' || REC,
                        'reason for placement change ' || REASON_PLACE_CHANGE, 'URN ' || URN),
              DECOM::VARCHAR
           FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_reviews",
        """SELECT 'cla_review', REVIEW, NULL::DATE, 'participation ' || REVIEW_CODE,
              REVIEW::VARCHAR FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_missing",
        """SELECT 'missing', MIS_START, MIS_END,
              CASE MISSING WHEN 'M' THEN 'missing' WHEN 'A' THEN 'away from placement without '
                   || 'authorisation' ELSE MISSING END,
              MIS_START::VARCHAR FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_sw_episodes",
        """SELECT 'social_worker', SW_DECOM, SW_DEC,
              concat_ws('; ', 'social worker ' || SW_ID, 'reason for change ' || SW_REASON),
              SW_DECOM::VARCHAR FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_uasc",
        """SELECT 'uasc', DUC, NULL::DATE, NULL, DUC::VARCHAR FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_ad1",
        """SELECT 'adoption_decision', DATE_INT, DATE_MATCH,
              concat_ws('; ', 'matched ' || DATE_MATCH, 'foster carer adopting ' || FOSTER_CARE,
                        'adopters ' || NB_ADOPTR),
              DATE_INT::VARCHAR FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_placed_adoption",
        """SELECT 'placed_adoption', DATE_PLACED, DATE_PLACED_CEASED,
              'reason ceased ' || REASON_PLACED_CEASED, DATE_PLACED::VARCHAR
           FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_prev_perm",
        """SELECT 'prev_perm', DATE_PERM, NULL::DATE,
              concat_ws('; ', 'previous permanence ' || PREV_PERM, 'LA ' || LA_PERM),
              'prev_perm' FROM t WHERE CHILD = $child""",
    ),
    (
        "ssda903_dolo",
        """SELECT 'dolo', DOLO_START, DOLO_END, NULL, DOLO_START::VARCHAR
           FROM t WHERE CHILD = $child""",
    ),
    (
        # outcomes are as at 31 March of the return's year: dated there, one per year
        "ssda903_oc2",
        """SELECT 'outcomes', make_date(collection_year, 3, 31), NULL::DATE,
              concat_ws('; ', 'SDQ ' || SDQ_SCORE, 'convicted ' || CONVICTED,
                        'health check ' || HEALTH_CHECK, 'immunisations ' || IMMUNISATIONS,
                        'teeth ' || TEETH_CHECK, 'substance misuse ' || SUBSTANCE_MISUSE),
              collection_year::VARCHAR FROM t WHERE CHILD = $child""",
    ),
    (
        # a care leaver's information is recorded around their birthday in the year
        "ssda903_oc3",
        """SELECT 'leaving_care',
              CASE WHEN DOB IS NOT NULL THEN DOB + to_years(
                  (collection_year - CASE WHEN month(DOB) >= 4 THEN 1 ELSE 0 END
                   - year(DOB))::INTEGER) END,
              NULL::DATE,
              concat_ws('; ', 'in touch ' || IN_TOUCH, 'activity ' || ACTIV,
                        'accommodation ' || ACCOM),
              collection_year::VARCHAR FROM t WHERE CHILD = $child""",
    ),
]

EVENT_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("label", pa.string()),
        ("identity", pa.string()),  # with kind: which event an issue is pinned on
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("detail", pa.string()),
        ("return", pa.string()),
        ("table", pa.string()),
        ("years", pa.list_(pa.int32())),
        ("file", pa.string()),  # the latest return's row
        ("line", pa.int32()),
        ("issues", pa.int64()),
    ]
)


@dataclass(frozen=True, slots=True)
class Journey:
    child: str
    events: pa.Table  # EVENT_SCHEMA, by date (undated records last)
    # the child's issues, each with the date it is pinned at (the record's date; the return's
    # 31 March for a record with no date of its own) and the event (kind, identity) it is on
    issues: pa.Table

    @property
    def found(self) -> bool:
        return self.events.num_rows > 0


def _union(con: duckdb.DuckDBPyConnection) -> str:
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    spec = {t.store_name: t for t in ALL_TABLES}
    parts = []
    for table, sql in _EVENTS:
        if table not in present:
            continue
        # every SELECT also gives its row's year and provenance
        body = sql.replace(
            "FROM t", f", t.collection_year, t.source_file, t.source_line FROM {table} t"
        ).replace("$child", "getvariable('dm_journey_child')")
        parts.append(
            f"SELECT '{spec[table].return_}' AS return_name, '{table}' AS store_table, "
            f"'{spec[table].name}' AS dfe_table, "
            # a record without the date that identifies it is its own event
            "e.* REPLACE (coalesce(e.identity, e.collection_year || '#' || e.source_line) "
            f"AS identity) FROM ({body}) AS e(kind, start_date, "
            "end_date, detail, identity, collection_year, source_file, source_line)"
        )
    return " UNION ALL ".join(parts)


def journey(con: duckdb.DuckDBPyConnection, child: str, issues: pa.Table | None = None) -> Journey:
    """Every record of `child` as events, and `issues` (rows of a validation run: return, table,
    file, line, rule, severity, message; any other columns are ignored) pinned on them."""
    union = _union(con)
    cur = con.cursor()
    try:
        cur.execute("SET VARIABLE dm_journey_child = ?", [child])
        if issues is None or issues.num_rows == 0:
            issues = pa.table(
                {
                    "child": pa.array([], pa.string()),
                    "return": pa.array([], pa.string()),
                    "table": pa.array([], pa.string()),
                    "file": pa.array([], pa.string()),
                    "line": pa.array([], pa.int32()),
                    "rule": pa.array([], pa.string()),
                    "severity": pa.array([], pa.string()),
                    "message": pa.array([], pa.string()),
                    "year": pa.array([], pa.int32()),
                }
            )
        if "child" not in issues.column_names:
            raise ValueError("the issues need a `child` column (ISSUE_SCHEMA)")
        cur.register("dm_issues_in", issues)
        # one event per record: the versions in several returns folded, the latest one's values
        cur.execute(
            """
            CREATE OR REPLACE TEMP TABLE dm_journey_events AS
            WITH dm_journey_rows AS ("""
            + union
            + """)
            SELECT kind, store_table, identity, any_value(return_name) AS return_name,
                   any_value(dfe_table) AS dfe_table,
                   arg_max(start_date, collection_year) AS start_date,
                   arg_max(end_date, collection_year) AS end_date,
                   arg_max(detail, collection_year) AS detail,
                   list(DISTINCT collection_year::INTEGER ORDER BY collection_year) AS years,
                   arg_max(source_file, collection_year) AS file,
                   arg_max(source_line, collection_year)::INTEGER AS line,
                   list({'file': source_file, 'line': source_line}) AS rows
            FROM dm_journey_rows GROUP BY kind, store_table, identity"""
        )
        pinned = cur.sql("""
            WITH i AS (
                SELECT i."return" AS return_name, i."table" AS tbl, i.file, i.line::INTEGER AS line,
                       i.rule, i.severity, i.message, i.year::INTEGER AS year,
                       row_number() OVER () AS issue_n
                FROM dm_issues_in i WHERE i.child = getvariable('dm_journey_child')),
            hit AS (
                SELECT i.*, e.kind, e.identity, e.store_table,
                       -- a child's details hold for the whole return: pinned at its end
                       CASE WHEN e.kind NOT IN ('birth', 'record')
                            THEN coalesce(e.start_date, e.end_date) END AS event_date
                FROM i LEFT JOIN (SELECT kind, identity, store_table, dfe_table, start_date,
                                         end_date, unnest(rows, recursive := true)
                                  FROM dm_journey_events) e
                  ON e.file = i.file AND e.line = i.line
                 AND (i.tbl = e.dfe_table OR i.tbl = e.store_table)
                -- one row of a return can be two events (an enquiry and its conference):
                -- each issue is pinned once, on the first
                QUALIFY row_number() OVER (PARTITION BY i.issue_n ORDER BY e.kind) = 1)
            SELECT coalesce(event_date, make_date(year, 3, 31))::DATE AS date,
                   event_date IS NULL AS at_return_end, rule, severity, message,
                   return_name AS "return", tbl AS "table", file, line, year,
                   CASE WHEN event_date IS NULL THEN 'return_end' ELSE kind END AS kind,
                   CASE WHEN event_date IS NULL THEN return_name || ' ' || year
                        ELSE identity END AS identity,
                   kind AS record_kind
            FROM hit
            ORDER BY date, rule""").to_arrow_table()
        cur.register("dm_pinned", pinned)
        events = cur.sql(
            """
            WITH e AS (
                SELECT kind, identity, start_date, end_date, detail, return_name, dfe_table,
                       years, file, line
                FROM dm_journey_events
                UNION ALL
                -- a marker at the end of each return's year for the issues on undated records
                SELECT 'return_end', identity, any_value(date), NULL,
                       'issues on the child''s details or on records with no date',
                       any_value("return"), NULL, [any_value(year)], NULL, NULL
                FROM dm_pinned WHERE kind = 'return_end' GROUP BY identity)
            SELECT e.kind, k.label, e.identity, e.start_date, e.end_date, e.detail,
                   e.return_name AS "return", e.dfe_table AS "table", e.years, e.file, e.line,
                   (SELECT count(*) FROM dm_pinned p
                    WHERE p.kind = e.kind AND p.identity = e.identity) AS issues
            FROM e JOIN (VALUES """
            + _kinds_values()
            + """) k(kind, label, ord) USING (kind)
            ORDER BY coalesce(e.start_date, e.end_date) NULLS LAST, k.ord, e.identity
        """
        ).to_arrow_table()
    finally:
        cur.close()
    return Journey(child, events.cast(EVENT_SCHEMA), pinned)


def _kinds_values() -> str:
    """KINDS as SQL VALUES rows (kind, label, order)."""
    return ", ".join(
        "('{}', '{}', {})".format(k, v.replace("'", "''"), n)
        for n, (k, v) in enumerate(KINDS.items())
    )
