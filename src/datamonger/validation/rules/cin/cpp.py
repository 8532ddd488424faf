"""CIN census: child protection plans and their reviews.

Dates are the typed values: blank or unreadable is "missing". An open plan runs to the reference
date (31 March, `{end}`). Reviews has one row per CPPreviewDate element, so every review date is
checked (the public validator sees only the first date of each <Reviews> block). Every row an issue
involves is reported.
"""

from __future__ import annotations

from datamonger.validation.rule import rule
from datamonger.validation.rules.cin.common import (
    fx,
    involving,
    rows_where,
    same_episode,
    same_row,
    union,
)
from datamonger.validation.templates import query

CPP = "ChildProtectionPlans"
EP = "CINdetails"
REV = "Reviews"
PLAN = "CINplanDates"
S47 = "Section47"
ASS = "Assessments"
KIDS = "ChildIdentifiers"
CATEGORIES = ("NEG", "PHY", "SAB", "EMO", "MUL")
CPP_EP = f'"{CPP}" t JOIN "{EP}" e ON {same_episode("t")}'
REV_CPP = f'"{REV}" r JOIN "{CPP}" t ON {same_episode("r", "t")} AND t.CPPID = r.CPPID'
CPP_KID = f'"{CPP}" t JOIN "{KIDS}" k ON k.CHILD = t.CHILD'
IN_PERIOD = "BETWEEN {start} AND {end}"


def _category(field: str) -> str:
    codes = ", ".join(f"'{c}'" for c in CATEGORIES)
    return rows_where(CPP, f"t.{field} IS NULL OR t.{field} NOT IN ({codes})")


# 8565: every date of the episode's activity against its closure date (alias e: the episode).
_AFTER_CLOSURE = [
    (
        ASS,
        "a",
        "a.AssessmentActualStartDate > e.CINclosureDate "
        "OR a.AssessmentAuthorisationDate > e.CINclosureDate",
    ),
    (S47, "a", "a.S47ActualStartDate > e.CINclosureDate OR a.DateOfInitialCPC > e.CINclosureDate"),
    (CPP, "a", "a.CPPendDate > e.CINclosureDate"),
    (PLAN, "a", "a.CINPlanStartDate > e.CINclosureDate OR a.CINPlanEndDate > e.CINclosureDate"),
]


def _rule_8565() -> str:
    parts = [rows_where(EP, "t.DateOfInitialCPC > t.CINclosureDate")]
    for table, a, cond in _AFTER_CLOSURE:
        parts.append(
            involving(
                f'"{table}" {a} JOIN "{EP}" e ON {same_episode(a)}',
                f"({cond})",
                (a, table),
                ("e", EP),
            )
        )
    return union(*parts)


RULES = [
    rule(
        "1105",
        query(
            involving(CPP_EP, "t.CPPstartDate < e.CINreferralDate", ("t", CPP), ("e", EP)), CPP, EP
        ),
        fixture=fx(
            {EP: ["CINreferralDate=2025-06-02"], CPP: ["CPPstartDate=2025-06-01"]},
            {
                EP: ["CINreferralDate=2025-06-02", "CINdetailsID=2 CINreferralDate=2025-05-01"],
                CPP: ["CPPstartDate=2025-06-02", "CINdetailsID=2 CPPstartDate=2025-05-02"],
            },
            flagged=[(CPP, 2), (EP, 2)],
        ),
    ),
    rule(
        "2883",
        query(
            rows_where(
                "Header",
                f'(SELECT count(*) FROM "{CPP}" WHERE CPPstartDate {IN_PERIOD}) > '
                f'(SELECT count(*) FROM "{EP}" WHERE DateOfInitialCPC {IN_PERIOD}) + '
                f'(SELECT count(*) FROM "{S47}" WHERE DateOfInitialCPC {IN_PERIOD})',
            ),
            "Header",
            CPP,
            EP,
            S47,
        ),
        fixture=fx(
            {
                "Header": ["Collection=CIN Year=2026 ReferenceDate=2026-03-31"],
                CPP: ["CPPstartDate=2025-06-02", "C=2 CPPstartDate=2025-07-01"],
                S47: ["DateOfInitialCPC=2025-06-02", "C=2 DateOfInitialCPC=2025-03-31"],
            },
            {
                "Header": ["Collection=CIN Year=2026 ReferenceDate=2026-03-31"],
                CPP: [
                    "CPPstartDate=2025-06-02",
                    "C=2 CPPstartDate=2025-07-01",
                    "C=3 CPPstartDate=2025-03-01",
                ],
                S47: ["DateOfInitialCPC=2025-06-02"],
                EP: ["C=2 DateOfInitialCPC=2025-07-01"],
            },
        ),
        note="A whole-return count: plans starting in the year against initial conferences held "
        "in it (CINdetails and Section47). Reported once, on the Header row, with no child.",
    ),
    rule(
        "2885",
        query(
            rows_where(
                CPP,
                f"t.CPPstartDate {IN_PERIOD} "
                f'AND NOT EXISTS (SELECT 1 FROM "{S47}" s WHERE {same_episode("t", "s")} '
                "AND s.DateOfInitialCPC = t.CPPstartDate) "
                f'AND NOT EXISTS (SELECT 1 FROM "{EP}" e WHERE {same_episode("t")} '
                "AND e.DateOfInitialCPC = t.CPPstartDate)",
            ),
            CPP,
            S47,
            EP,
        ),
        fixture=fx(
            {
                CPP: [
                    "CPPstartDate=2025-06-02",
                    "CINdetailsID=2 CPPstartDate=2025-07-01",
                    "C=2 CPPstartDate=2025-08-01",
                ],
                S47: ["DateOfInitialCPC=2025-06-03", "CINdetailsID=3 DateOfInitialCPC=2025-07-01"],
                EP: ["CINdetailsID=2 DateOfInitialCPC=2025-06-30"],
            },
            {
                CPP: [
                    "CPPstartDate=2025-06-02",
                    "CINdetailsID=2 CPPstartDate=2025-07-01",
                    "C=2 CPPstartDate=2025-03-01",
                ],
                S47: ["S47ActualStartDate=2025-05-01", "DateOfInitialCPC=2025-06-02"],
                EP: ["CINdetailsID=2 DateOfInitialCPC=2025-07-01"],
            },
        ),
        note="A plan starting in the year must start on the day of an initial conference of the "
        "same episode, recorded on a Section47 or on the CINdetails (either is accepted). Only "
        "the plan is reported.",
    ),
    rule(
        "4003",
        query(
            involving(
                f'"{REV}" r JOIN "{CPP}" t ON {same_episode("r", "t")} AND t.CPPID = r.CPPID '
                f'JOIN "{PLAN}" c ON {same_episode("r", "c")}',
                "r.CPPreviewDate >= c.CINPlanStartDate "
                "AND r.CPPreviewDate <= coalesce(c.CINPlanEndDate, {end}) "
                "AND r.CPPreviewDate IS DISTINCT FROM t.CPPendDate",
                ("r", REV),
                ("c", PLAN),
            ),
            REV,
            CPP,
            PLAN,
        ),
        fixture=fx(
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-09-01",
                    "C=2 CPPstartDate=2025-05-01",
                ],
                REV: ["CPPreviewDate=2025-07-01", "C=2 CPPreviewDate=2025-07-01"],
                PLAN: [
                    "CINPlanStartDate=2025-06-01 CINPlanEndDate=2025-07-01",
                    "C=2 CINPlanStartDate=2025-06-15",
                ],
            },
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-09-01",
                    "C=2 CPPstartDate=2025-05-01",
                ],
                REV: [
                    "CPPreviewDate=2025-07-01",
                    "CPPreviewDate=2025-09-01",
                    "C=2 CPPreviewDate=2025-07-01",
                ],
                PLAN: [
                    "CINPlanStartDate=2025-09-01",
                    "CINdetailsID=2 CINPlanStartDate=2025-06-01",
                    "C=2 CINPlanStartDate=2025-04-01 CINPlanEndDate=2025-06-30",
                ],
            },
            flagged=[(REV, 2), (REV, 3), (PLAN, 2), (PLAN, 3)],
        ),
        note="Within one CINdetails element, a review date on or between a CIN plan's start "
        "and end (the reference date when open) is flagged unless it is the plan's own CPP end "
        "date. Every review date is checked; the review and the plan are reported.",
    ),
    rule(
        "8565",
        query(_rule_8565(), CPP, EP, ASS, S47, PLAN),
        fixture=fx(
            {
                EP: [
                    "CINclosureDate=2025-09-01 DateOfInitialCPC=2025-09-02",
                    "CINdetailsID=2 CINclosureDate=2025-09-01",
                    "CINdetailsID=3 CINclosureDate=2025-09-01",
                ],
                CPP: ["CINdetailsID=2 CPPstartDate=2025-06-01 CPPendDate=2025-09-02"],
                ASS: ["CINdetailsID=3 AssessmentActualStartDate=2025-09-02"],
                S47: ["CINdetailsID=3 S47ActualStartDate=2025-08-01 DateOfInitialCPC=2025-09-02"],
                PLAN: ["CINdetailsID=3 CINPlanStartDate=2025-08-01 CINPlanEndDate=2025-09-02"],
            },
            {
                EP: [
                    "CINclosureDate=2025-09-01 DateOfInitialCPC=2025-09-01",
                    "CINdetailsID=2 CINclosureDate=2025-09-01",
                    "CINdetailsID=3",
                ],
                CPP: ["CINdetailsID=2 CPPstartDate=2025-06-01 CPPendDate=2025-09-01"],
                ASS: [
                    "CINdetailsID=2 AssessmentActualStartDate=2025-08-01 "
                    "AssessmentAuthorisationDate=2025-09-01",
                    "CINdetailsID=3 AssessmentActualStartDate=2025-09-02",
                ],
                S47: ["CINdetailsID=3 S47ActualStartDate=2025-09-02"],
                PLAN: ["CINdetailsID=2 CINPlanStartDate=2025-08-01 CINPlanEndDate=2025-09-01"],
            },
            flagged=[
                (EP, 2),
                (EP, 3),
                (EP, 4),
                (CPP, 2),
                (ASS, 2),
                (S47, 2),
                (PLAN, 2),
            ],
        ),
        note="Each dated activity of the episode (assessment start and authorisation, S47 start "
        "and conference, the episode's own conference, CPP end, CIN plan start and end) must be "
        "on or before its closure date; the episode and each late row are reported.",
    ),
    rule(
        "8720",
        query(rows_where(CPP, "t.CPPstartDate IS NULL OR t.CPPstartDate > {end}"), CPP),
        fixture=fx(
            {CPP: ["CPPendDate=2025-06-01", "CPPstartDate=2026-04-01"]},
            {CPP: ["CPPstartDate=2026-03-31", "CPPstartDate=2024-01-01"]},
        ),
        note="Missing (blank or unreadable) or after the reference date: a plan that started "
        "before the year and is still open (or ended in it) is in period.",
    ),
    rule(
        "8730",
        query(rows_where(CPP, "t.NumberOfPreviousCPP IS NULL"), CPP),
        fixture=fx(
            {CPP: ["CPPstartDate=2025-06-01", "NumberOfPreviousCPP=two"]},
            {CPP: ["NumberOfPreviousCPP=0", "NumberOfPreviousCPP=3"]},
        ),
        note="Missing: blank, or not a whole number.",
    ),
    rule(
        "8832",
        query(involving(CPP_EP, "e.ReferralNFA", ("t", CPP), ("e", EP)), CPP, EP),
        fixture=fx(
            {EP: ["ReferralNFA=1"], CPP: ["CPPstartDate=2025-06-02"]},
            {
                EP: ["ReferralNFA=false", "CINdetailsID=2 ReferralNFA=true"],
                CPP: ["CPPstartDate=2025-06-02"],
            },
            flagged=[(CPP, 2), (EP, 2)],
        ),
    ),
    rule(
        "8840",
        query(rows_where(CPP, "t.CPPendDate = t.CPPstartDate"), CPP),
        fixture=fx(
            {CPP: ["CPPstartDate=2025-06-02 CPPendDate=2025-06-02"]},
            {CPP: ["CPPstartDate=2025-06-02 CPPendDate=2025-06-03", "CPPstartDate=2025-06-02"]},
        ),
    ),
    rule(
        "8841",
        query(
            involving(REV_CPP, "r.CPPreviewDate <= t.CPPstartDate", ("r", REV), ("t", CPP)),
            CPP,
            REV,
        ),
        fixture=fx(
            {
                CPP: ["CPPstartDate=2025-06-02"],
                REV: [
                    "CPPreviewDate=2025-06-02",
                    "CPPreviewDate=2025-07-01",
                    "CPPreviewDate=2025-06-01",
                ],
            },
            {
                CPP: ["CPPstartDate=2025-06-02", "CPPID=2 CPPstartDate=2025-08-01"],
                REV: [
                    "CPPreviewDate=2025-06-03",
                    "CPPreviewDate=2025-07-01",
                    "CPPID=2 CPPreviewDate=2025-08-02",
                ],
            },
            flagged=[(CPP, 2), (REV, 2), (REV, 4)],
        ),
        note="Every review date of the plan is compared (not only the first of each Reviews "
        "block); the review and its plan are reported.",
    ),
    rule(
        "8842Q",
        query(rows_where(REV, "t.CPPreviewDate IS NULL"), REV),
        fixture=fx(
            {REV: ["CPPreviewDate=", "CPPreviewDate=2025-02-30"]},
            {REV: ["CPPreviewDate=2025-06-02"]},
        ),
        note="A CPPreviewDate element that is empty or not a date. An empty <Reviews/> block "
        "holds no review date and so no Reviews row: it is not reported.",
    ),
    rule(
        "8905",
        query(_category("InitialCategoryOfAbuse"), CPP),
        fixture=fx(
            {CPP: ["InitialCategoryOfAbuse=", "InitialCategoryOfAbuse=NEGLECT"]},
            {CPP: ["InitialCategoryOfAbuse=NEG", "InitialCategoryOfAbuse=mul"]},
        ),
    ),
    rule(
        "8910",
        query(_category("LatestCategoryOfAbuse"), CPP),
        fixture=fx(
            {CPP: ["LatestCategoryOfAbuse=", "LatestCategoryOfAbuse=PHYS"]},
            {CPP: ["LatestCategoryOfAbuse=EMO", "LatestCategoryOfAbuse=sab"]},
        ),
    ),
    rule(
        "8915",
        query(
            involving(CPP_KID, "t.CPPstartDate > k.PersonDeathDate", ("t", CPP), ("k", KIDS)),
            CPP,
            KIDS,
        ),
        fixture=fx(
            {KIDS: ["PersonDeathDate=2025-06-01"], CPP: ["CPPstartDate=2025-06-02"]},
            {
                KIDS: ["PersonDeathDate=2025-06-02", "C=2"],
                CPP: ["CPPstartDate=2025-06-02", "C=2 CPPstartDate=2025-06-02"],
            },
            flagged=[(CPP, 2), (KIDS, 2)],
        ),
    ),
    rule(
        "8920",
        query(
            involving(CPP_KID, "t.CPPendDate > k.PersonDeathDate", ("t", CPP), ("k", KIDS)),
            CPP,
            KIDS,
        ),
        fixture=fx(
            {
                KIDS: ["PersonDeathDate=2025-06-01"],
                CPP: ["CPPstartDate=2025-05-01 CPPendDate=2025-06-02"],
            },
            {
                KIDS: ["PersonDeathDate=2025-06-02", "C=2"],
                CPP: ["CPPendDate=2025-06-02", "C=2 CPPendDate=2025-06-02"],
            },
            flagged=[(CPP, 2), (KIDS, 2)],
        ),
    ),
    rule(
        "8925",
        query(rows_where(CPP, "t.CPPendDate < t.CPPstartDate"), CPP),
        fixture=fx(
            {CPP: ["CPPstartDate=2025-06-02 CPPendDate=2025-06-01"]},
            {CPP: ["CPPstartDate=2025-06-02 CPPendDate=2025-06-02", "CPPstartDate=2025-06-02"]},
        ),
    ),
    rule(
        "8930",
        query(rows_where(CPP, "t.CPPendDate < {start} OR t.CPPendDate > {end}"), CPP),
        fixture=fx(
            {CPP: ["CPPendDate=2025-03-31", "CPPendDate=2026-04-01"]},
            {CPP: ["CPPendDate=2025-04-01", "CPPendDate=2026-03-31", "CPPstartDate=2025-04-01"]},
        ),
    ),
    rule(
        "8935",
        query(
            rows_where(
                CPP,
                f't.CPPendDate IS NULL AND (SELECT count(*) FROM "{CPP}" o '
                "WHERE o.CHILD = t.CHILD AND o.CPPendDate IS NULL) > 1",
            ),
            CPP,
        ),
        fixture=fx(
            {CPP: ["CPPstartDate=2025-05-01", "CINdetailsID=2 CPPstartDate=2025-07-01"]},
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-06-01",
                    "CINdetailsID=2 CPPstartDate=2025-07-01",
                    "C=2 CPPstartDate=2025-07-01",
                ]
            },
        ),
        note="Counted per child across all episodes; every open plan of the child is reported.",
    ),
    rule(
        "8940",
        query(
            involving(
                f'"{CPP}" t JOIN "{CPP}" o ON o.CHILD = t.CHILD AND NOT {same_row("t", "o")}',
                "t.CPPstartDate >= o.CPPstartDate "
                "AND t.CPPstartDate <= coalesce(o.CPPendDate, {end})",
                ("t", CPP),
                ("o", CPP),
            ),
            CPP,
        ),
        fixture=fx(
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-07-01",
                    "CINdetailsID=2 CPPstartDate=2025-07-01 CPPendDate=2025-08-01",
                    "C=2 CPPstartDate=2025-05-01",
                    "C=2 CPPID=2 CPPstartDate=2026-03-31",
                ]
            },
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-07-01",
                    "CINdetailsID=2 CPPstartDate=2025-07-02 CPPendDate=2025-08-01",
                    "C=2 CPPstartDate=2025-05-01",
                    "C=3 CPPstartDate=2025-06-01",
                ]
            },
        ),
        note="A plan's start may not fall on or between another plan's start and end (the "
        "reference date when open), in any episode of the child: starting on the day the "
        "previous plan ended is an overlap, as the DfE's 'within' reads. Plans are told apart "
        "by their element (the public validator compares CPPID, a position that repeats across "
        "episodes). Both plans are reported.",
    ),
]
