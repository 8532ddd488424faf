"""CIN census: section 47 enquiries and initial child protection conferences (ICPC).

Dates are the typed values: blank or unreadable is "missing". ICPCnotRequired is xs:boolean
(true/1, false/0); an enquiry "without a conference" is one with no DateOfInitialCPC whose
ICPCnotRequired is not true (false or not given). Every row an issue involves is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from datamonger.validation.rule import Fixture, rule
from datamonger.validation.rules.cin.common import (
    each_year,
    fx,
    involving,
    rows_where,
    same_episode,
    union,
    wd_query,
)
from datamonger.validation.templates import query

S47 = "Section47"
EP = "CINdetails"
S47_EP = f'"{S47}" t JOIN "{EP}" e ON {same_episode("t")}'
NO_ICPC = "t.DateOfInitialCPC IS NULL AND t.ICPCnotRequired IS NOT TRUE"

# 8675Q: per collection year, the last S47 start flagged (more than 15 working days before 31 March)
# and the first that passes (exactly 15). Which day that is depends on the weekday of 31 March and
# on Easter, which a move by whole years does not keep.
S47_15_WD = {
    2023: ("2023-03-09", "2023-03-10"),  # Thu/Fri; 31 March 2023 a Friday, Easter in April
    2024: ("2024-03-06", "2024-03-07"),  # Wed/Thu; 31 March 2024 a Sunday, Good Friday 29 March
    2025: ("2025-03-09", "2025-03-10"),  # Sun/Mon; 31 March 2025 a Monday
    2026: ("2026-03-09", "2026-03-10"),  # Mon/Tue; 31 March 2026 a Tuesday
}


def _fx_8675q(year: int, flagged: str, passes: str) -> Fixture:
    return fx(
        {
            S47: [
                f"S47ActualStartDate={flagged}",
                f"S47ActualStartDate={year - 1}-04-01 ICPCnotRequired=false",
            ]
        },
        {
            S47: [
                f"S47ActualStartDate={passes}",
                f"S47ActualStartDate={passes} ICPCnotRequired=0",
                f"S47ActualStartDate={year}-01-01 ICPCnotRequired=true",
                f"S47ActualStartDate={year}-01-01 DateOfInitialCPC={year}-01-20",
            ]
        },
    )


def _weekend(field: str) -> Callable[[int], Fixture]:
    """8870Q/8875: the first Saturday and Sunday of June in the collection year fail; the Friday
    before and the Monday after pass (a weekday depends on the year: one fixture per year)."""

    def build(year: int) -> Fixture:
        first = dt.date(year - 1, 6, 1)
        sat = first + dt.timedelta(days=(5 - first.weekday()) % 7)
        day = {n: (sat + dt.timedelta(days=n)).isoformat() for n in (-1, 0, 1, 2)}
        return fx(
            {S47: [f"{field}={day[0]}", f"{field}={day[1]}"]},
            {S47: [f"{field}={day[-1]}", f"{field}={day[2]}", f"{field}="]},
        )

    return build


RULES = [
    rule(
        "1104",
        query(
            union(
                involving(S47_EP, "t.DateOfInitialCPC < e.CINreferralDate", ("t", S47), ("e", EP)),
                rows_where(EP, "t.DateOfInitialCPC < t.CINreferralDate"),
            ),
            S47,
            EP,
        ),
        fixture=fx(
            {
                EP: [
                    "CINreferralDate=2025-06-02",
                    "CINdetailsID=2 CINreferralDate=2025-06-02 DateOfInitialCPC=2025-06-01",
                ],
                S47: ["DateOfInitialCPC=2025-06-01"],
            },
            {
                EP: [
                    "CINreferralDate=2025-06-02",
                    "CINdetailsID=2 CINreferralDate=2025-06-02 DateOfInitialCPC=2025-06-02",
                ],
                S47: ["DateOfInitialCPC=2025-06-02", "CINdetailsID=3 DateOfInitialCPC=2025-06-01"],
            },
            flagged=[(S47, 2), (EP, 2), (EP, 3)],
        ),
        note="Both places an ICPC is recorded are checked against the episode's referral date: "
        "each Section47 DateOfInitialCPC and the CINdetails' own (the public validator checks "
        "only the first).",
    ),
    rule(
        "2884",
        query(
            involving(S47_EP, "t.DateOfInitialCPC = e.DateOfInitialCPC", ("t", S47), ("e", EP)),
            S47,
            EP,
        ),
        fixture=fx(
            {EP: ["DateOfInitialCPC=2025-06-02"], S47: ["DateOfInitialCPC=2025-06-02"]},
            {
                EP: ["DateOfInitialCPC=2025-06-02", "CINdetailsID=2 DateOfInitialCPC=2025-06-03"],
                S47: [
                    "CINdetailsID=2 DateOfInitialCPC=2025-06-02",
                    "CINdetailsID=2 DateOfInitialCPC=2025-09-01",
                    "CINdetailsID=2",
                ],
            },
            flagged=[(S47, 2), (EP, 2)],
        ),
        note="The same conference (same date) recorded on a Section47 and on its own CINdetails "
        "element. Two different dates are two conferences and pass; the public validator "
        "compares conferences across all of a child's episodes.",
    ),
    rule(
        "2889",
        query(
            involving(S47_EP, "t.S47ActualStartDate < e.CINreferralDate", ("t", S47), ("e", EP)),
            S47,
            EP,
        ),
        fixture=fx(
            {EP: ["CINreferralDate=2025-06-02"], S47: ["S47ActualStartDate=2025-06-01"]},
            {
                EP: ["CINreferralDate=2025-06-02", "CINdetailsID=2 CINreferralDate=2025-05-01"],
                S47: [
                    "S47ActualStartDate=2025-06-02",
                    "CINdetailsID=2 S47ActualStartDate=2025-05-02",
                ],
            },
            flagged=[(S47, 2), (EP, 2)],
        ),
    ),
    rule(
        "8615",
        query(
            rows_where(
                S47, "t.S47ActualStartDate IS NULL OR t.S47ActualStartDate > t.DateOfInitialCPC"
            ),
            S47,
        ),
        fixture=fx(
            {
                S47: [
                    "S47ActualStartDate=2025-06-03 DateOfInitialCPC=2025-06-02",
                    "DateOfInitialCPC=2025-06-02",
                    "ICPCnotRequired=true",
                ]
            },
            {
                S47: [
                    "S47ActualStartDate=2025-06-02 DateOfInitialCPC=2025-06-02",
                    "S47ActualStartDate=2025-06-02",
                ]
            },
        ),
        note="As the message says, the start date must be present on every Section47 element "
        "(the DfE's detailed text asks for it only when a conference date is given; no other "
        "rule requires it).",
    ),
    rule(
        "8675Q",
        wd_query(rows_where(S47, f"{NO_ICPC} AND t.S47ActualStartDate <= {{wd_cutoff_15}}"), S47),
        fixture={year: _fx_8675q(year, *days) for year, days in S47_15_WD.items()},
        note="Working days as `datamonger.workdays` counts them (day 0: the days after the start "
        "up to and including 31 March, England-and-Wales bank holidays and weekends excluded): "
        "flagged when more than 15 remain, i.e. the start is before 31 March minus 15 working "
        "days; the start day itself is not 'before the end' by a working day. For 2023-24 "
        "(31 March a Sunday, Good Friday 29 March) a start on Thu 7 March has 15 and passes, "
        "Wed 6 March has 16. ICPCnotRequired not given counts as false. The public validator "
        "now compares the same way (an earlier version had it reversed and flagged recent "
        "enquiries), but its cut-off is 14 business days back from 31 March (from the next "
        "working day when 31 March is not one), so it also flags a start with exactly 15 "
        "working days left (2025-26: Tue 10 March), and in 2023-24 one with 14 (Fri 8 March); "
        "and it takes ICPCnotRequired as false only when written false or 0.",
    ),
    rule(
        "8715",
        query(rows_where(S47, "t.DateOfInitialCPC < {start} OR t.DateOfInitialCPC > {end}"), S47),
        fixture=fx(
            {S47: ["DateOfInitialCPC=2025-03-31", "DateOfInitialCPC=2026-04-01"]},
            {
                S47: [
                    "DateOfInitialCPC=2025-04-01",
                    "DateOfInitialCPC=2026-03-31",
                    "ICPCnotRequired=1",
                ]
            },
        ),
    ),
    rule(
        "8740",
        query(
            rows_where(
                S47,
                f"{NO_ICPC} AND (t.S47ActualStartDate < {{start}} OR t.S47ActualStartDate > {{end}})",
            ),
            S47,
        ),
        fixture=fx(
            {
                S47: [
                    "S47ActualStartDate=2025-03-31",
                    "S47ActualStartDate=2026-04-01 ICPCnotRequired=false",
                ]
            },
            {
                S47: [
                    "S47ActualStartDate=2025-04-01",
                    "S47ActualStartDate=2026-03-31 ICPCnotRequired=false",
                    "S47ActualStartDate=2025-03-31 ICPCnotRequired=true",
                    "S47ActualStartDate=2025-03-01 DateOfInitialCPC=2025-04-02",
                ]
            },
        ),
        note="An enquiry with no conference date and ICPCnotRequired not true (false or not "
        "given) must have started in the collection year.",
    ),
    rule(
        "8839",
        query(
            rows_where(
                S47,
                f'{NO_ICPC} AND (SELECT count(*) FROM "{S47}" o WHERE {same_episode("t", "o")} '
                "AND o.DateOfInitialCPC IS NULL AND o.ICPCnotRequired IS NOT TRUE) > 1",
            ),
            S47,
        ),
        fixture=fx(
            {
                S47: [
                    "S47ActualStartDate=2025-06-02",
                    "S47ActualStartDate=2025-07-01 ICPCnotRequired=0",
                ]
            },
            {
                S47: [
                    "S47ActualStartDate=2025-06-02",
                    "S47ActualStartDate=2025-07-01 ICPCnotRequired=true",
                    "S47ActualStartDate=2025-08-01 DateOfInitialCPC=2025-08-20",
                    "CINdetailsID=2 S47ActualStartDate=2025-09-01",
                ]
            },
        ),
        note="Open: no conference date and ICPCnotRequired not true. Every open enquiry of the "
        "episode is reported.",
    ),
    rule(
        "8870Q",
        query(rows_where(S47, "isodow(t.InitialCPCtarget) >= 6"), S47),
        fixture=each_year(_weekend("InitialCPCtarget")),
        note="Saturday or Sunday only: a target on a bank holiday is not a weekend.",
    ),
    rule(
        "8875",
        query(rows_where(S47, "isodow(t.DateOfInitialCPC) >= 6"), S47),
        fixture=each_year(_weekend("DateOfInitialCPC")),
        note="Saturday or Sunday, on Section47 (the table the DfE names); a bank holiday is not a "
        "weekend.",
    ),
]
