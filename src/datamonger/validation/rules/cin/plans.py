"""CIN census: CIN plans (CINplanDates), alone and against their episode and the child's CPPs.

Dates are the typed values: blank or unreadable is "missing". A plan with no end date is open
until the reference date (31 March, `{end}`). Every row an issue involves is reported (the plan and
the episode, CPP or other plan it conflicts with).
"""

from __future__ import annotations

from datamonger.validation.rule import rule
from datamonger.validation.rules.cin.common import (
    fx,
    involving,
    rows_where,
    same_episode,
    same_row,
)
from datamonger.validation.templates import query

PLAN = "CINplanDates"
EP = "CINdetails"
CPP = "ChildProtectionPlans"
PLAN_EP = f'"{PLAN}" t JOIN "{EP}" e ON {same_episode("t")}'
PLAN_CPP = f'"{PLAN}" t JOIN "{CPP}" p ON p.CHILD = t.CHILD'

RULES = [
    rule(
        "4000",
        query(involving(PLAN_EP, "e.ReferralNFA", ("t", PLAN), ("e", EP)), PLAN, EP),
        fixture=fx(
            {EP: ["ReferralNFA=true"], PLAN: ["CINPlanStartDate=2025-06-02"]},
            {
                EP: ["ReferralNFA=false", "CINdetailsID=2 ReferralNFA=1", "C=2 ReferralNFA=true"],
                PLAN: ["CINPlanStartDate=2025-06-02", "C=3 CINPlanStartDate=2025-06-02"],
            },
            flagged=[(PLAN, 2), (EP, 2)],
        ),
        note="ReferralNFA true or 1 is a referral with no further action; the plan and its "
        "episode are both reported.",
    ),
    rule(
        "4001",
        query(
            involving(
                f'"{PLAN}" t JOIN "{CPP}" p ON {same_episode("t", "p")}',
                "t.CINPlanEndDate IS NULL AND p.CPPendDate IS NULL",
                ("t", PLAN),
                ("p", CPP),
            ),
            PLAN,
            CPP,
        ),
        fixture=fx(
            {
                PLAN: ["CINPlanStartDate=2025-05-01", "CINPlanStartDate=2025-04-01"],
                CPP: ["CPPstartDate=2025-06-02"],
            },
            {
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-06-02",
                    "CINdetailsID=2 CINPlanStartDate=2025-05-01",
                ],
                CPP: [
                    "CPPstartDate=2025-06-02",
                    "CINdetailsID=2 CPPstartDate=2025-04-02 CPPendDate=2025-04-30",
                ],
            },
            flagged=[(PLAN, 2), (PLAN, 3), (CPP, 2)],
        ),
        note="Within one CINdetails element, an open CPP (no end date) and an open CIN plan; "
        "both are reported. Plans in other episodes of the child are 4016/4017's business.",
    ),
    rule(
        "4004",
        query(
            rows_where(
                PLAN,
                f't.CINPlanEndDate IS NULL AND (SELECT count(*) FROM "{PLAN}" o '
                "WHERE o.CHILD = t.CHILD AND o.CINPlanEndDate IS NULL) > 1",
            ),
            PLAN,
        ),
        fixture=fx(
            {PLAN: ["CINPlanStartDate=2025-05-01", "CINdetailsID=2 CINPlanStartDate=2025-07-01"]},
            {
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-06-01",
                    "CINdetailsID=2 CINPlanStartDate=2025-07-01",
                    "C=2 CINPlanStartDate=2025-07-01",
                ]
            },
        ),
        note="Counted per child across all episodes (the message says 'this child'); every open "
        "plan of the child is reported.",
    ),
    rule(
        "4010",
        query(rows_where(PLAN, "t.CINPlanStartDate IS NULL OR t.CINPlanStartDate > {end}"), PLAN),
        fixture=fx(
            {PLAN: ["CINPlanEndDate=2025-06-01", "CINPlanStartDate=2026-04-01"]},
            {PLAN: ["CINPlanStartDate=2026-03-31", "CINPlanStartDate=2024-01-01"]},
        ),
        note="Missing (blank or unreadable) or after the reference date. A plan that started "
        "before the collection year and is still open (or ended in it) is in period.",
    ),
    rule(
        "4011",
        query(rows_where(PLAN, "t.CINPlanEndDate < t.CINPlanStartDate"), PLAN),
        fixture=fx(
            {PLAN: ["CINPlanStartDate=2025-06-02 CINPlanEndDate=2025-06-01"]},
            {
                PLAN: [
                    "CINPlanStartDate=2025-06-02 CINPlanEndDate=2025-06-02",
                    "CINPlanStartDate=2025-06-02",
                ]
            },
        ),
    ),
    rule(
        "4012Q",
        query(rows_where(PLAN, "t.CINPlanEndDate = t.CINPlanStartDate"), PLAN),
        fixture=fx(
            {PLAN: ["CINPlanStartDate=2025-06-02 CINPlanEndDate=2025-06-02"]},
            {
                PLAN: [
                    "CINPlanStartDate=2025-06-02 CINPlanEndDate=2025-06-03",
                    "CINPlanStartDate=2025-06-02",
                ]
            },
        ),
    ),
    rule(
        "4013",
        query(rows_where(PLAN, "t.CINPlanEndDate < {start} OR t.CINPlanEndDate > {end}"), PLAN),
        fixture=fx(
            {PLAN: ["CINPlanEndDate=2025-03-31", "CINPlanEndDate=2026-04-01"]},
            {
                PLAN: [
                    "CINPlanEndDate=2025-04-01",
                    "CINPlanEndDate=2026-03-31",
                    "CINPlanStartDate=2025-04-01",
                ]
            },
        ),
    ),
    rule(
        "4014",
        query(
            involving(
                f'"{PLAN}" t JOIN "{PLAN}" o ON o.CHILD = t.CHILD AND NOT {same_row("t", "o")}',
                "t.CINPlanStartDate >= o.CINPlanStartDate "
                "AND t.CINPlanStartDate <= coalesce(o.CINPlanEndDate, {end})",
                ("t", PLAN),
                ("o", PLAN),
            ),
            PLAN,
        ),
        fixture=fx(
            {
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-07-01",
                    "CINdetailsID=2 CINPlanStartDate=2025-07-01 CINPlanEndDate=2025-08-01",
                    "C=2 CINPlanStartDate=2025-05-01",
                    "C=2 CINPlanStartDate=2026-03-31",
                ]
            },
            {
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-07-01",
                    "CINdetailsID=2 CINPlanStartDate=2025-07-02 CINPlanEndDate=2025-08-01",
                    "C=2 CINPlanStartDate=2025-05-01",
                    "C=3 CINPlanStartDate=2025-06-01",
                ]
            },
        ),
        note="A plan's start may not fall on or between another plan's start and end (the "
        "reference date when open), in any episode of the child: starting on the day the "
        "previous plan ended is an overlap, as the DfE's 'within' reads. Both plans are reported.",
    ),
    rule(
        "4015",
        query(
            involving(PLAN_EP, "t.CINPlanStartDate < e.CINreferralDate", ("t", PLAN), ("e", EP)),
            PLAN,
            EP,
        ),
        fixture=fx(
            {EP: ["CINreferralDate=2025-06-02"], PLAN: ["CINPlanStartDate=2025-06-01"]},
            {
                EP: ["CINreferralDate=2025-06-02", "CINdetailsID=2 CINreferralDate=2025-05-01"],
                PLAN: ["CINPlanStartDate=2025-06-02", "CINdetailsID=2 CINPlanStartDate=2025-05-02"],
            },
            flagged=[(PLAN, 2), (EP, 2)],
        ),
    ),
    rule(
        "4016",
        query(
            involving(
                PLAN_CPP,
                "t.CINPlanStartDate >= p.CPPstartDate AND (t.CINPlanStartDate < p.CPPendDate "
                "OR (p.CPPendDate IS NULL AND t.CINPlanStartDate <= {end}))",
                ("t", PLAN),
                ("p", CPP),
            ),
            PLAN,
            CPP,
        ),
        fixture=fx(
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-06-01",
                    "C=2 CPPstartDate=2025-09-01",
                ],
                PLAN: [
                    "CINPlanStartDate=2025-05-01",
                    "C=2 CINdetailsID=2 CINPlanStartDate=2025-10-01",
                ],
            },
            {
                CPP: [
                    "CPPstartDate=2025-05-01 CPPendDate=2025-06-01",
                    "C=2 CPPstartDate=2025-09-01",
                ],
                PLAN: [
                    "CINPlanStartDate=2025-06-01",
                    "CINPlanStartDate=2025-04-30",
                    "C=2 CINPlanStartDate=2025-08-31",
                ],
            },
            flagged=[(PLAN, 2), (PLAN, 3), (CPP, 2), (CPP, 3)],
        ),
        note="Compared with every CPP of the child, in any episode. The plan may start on the "
        "day a CPP ends (step down), not on the day one starts; an open CPP runs to the "
        "reference date. Both rows are reported.",
    ),
    rule(
        "4017",
        query(
            involving(
                PLAN_CPP,
                "p.CPPstartDate >= t.CINPlanStartDate AND (p.CPPstartDate < t.CINPlanEndDate "
                "OR (t.CINPlanEndDate IS NULL AND p.CPPstartDate <= {end}))",
                ("t", PLAN),
                ("p", CPP),
            ),
            PLAN,
            CPP,
        ),
        fixture=fx(
            {
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-06-01",
                    "C=2 CINPlanStartDate=2025-09-01",
                ],
                CPP: ["CPPstartDate=2025-05-01", "C=2 CINdetailsID=2 CPPstartDate=2026-03-31"],
            },
            {
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-06-01",
                    "C=2 CINPlanStartDate=2025-09-01",
                ],
                CPP: [
                    "CPPstartDate=2025-06-01",
                    "CPPstartDate=2025-04-30",
                    "C=2 CPPstartDate=2025-08-31",
                ],
            },
            flagged=[(PLAN, 2), (PLAN, 3), (CPP, 2), (CPP, 3)],
        ),
        note="Compared with every CIN plan of the child. A CPP may start on the day a CIN plan "
        "ends (step up); an open plan runs to the reference date. Both rows are reported.",
    ),
]
