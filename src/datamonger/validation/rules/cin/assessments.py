"""CIN census: assessments and the factors identified at assessment.

Dates are the typed values: blank or unreadable is "missing"; an assessment with no authorisation
date is not completed (open). Factor codes live in AssessmentFactorsList, one row per
<AssessmentFactors> element (upper-cased, trimmed), joined to their assessment by child, CINdetailsID
and AssessmentID. Rules about a factor code report the factor's own row (its XML line); rules about
the assessment report the Assessments row, with the rows that explain it.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, rule
from datamonger.validation.rules.cin.common import (
    fx,
    involving,
    rows_where,
    same_episode,
    same_row,
    union,
    wd_query,
    year_query,
)
from datamonger.validation.templates import codes_for, query, sql_list

ASS = "Assessments"
FAC = "AssessmentFactorsList"
EP = "CINdetails"
ASS_EP = f'"{ASS}" t JOIN "{EP}" e ON {same_episode("t")}'
OPEN = "t.AssessmentAuthorisationDate IS NULL"

# Factors identified at assessment, per first collection year in force. From 2024/25 physical and
# sexual abuse are split by who the abuser is (18B/18C, 19B/19C; 18A/19A are then queried by
# 8945Q/8950Q) and 24A is added.
_BASE = (
    "1A 1B 1C 2A 2B 2C 3A 3B 3C 4A 4B 4C 5A 5B 5C 6A 6B 6C 7A 8B 8C 8D 8E 8F 9A 10A 11A 12A "
    "13A 14A 15A 16A 17A 18A 19A 20 21 22A 23A"
)
FACTORS = {2023: _BASE, 2025: _BASE + " 18B 18C 19B 19C 24A"}


def same_assessment(a: str, b: str) -> str:
    """Join condition: rows `a` and `b` (Assessments or factors) are of the same assessment."""
    return f"{same_episode(a, b)} AND {b}.AssessmentID = {a}.AssessmentID"


def _valid(alias: str, year: int) -> str:
    return f"{alias}.AssessmentFactors IN ({sql_list(codes_for(FACTORS, year))})"


def _rule_8897q(year: int) -> str:
    completed = "t.AssessmentAuthorisationDate >= {start}"
    return union(
        rows_where(
            ASS,
            f'{completed} AND NOT EXISTS (SELECT 1 FROM "{FAC}" f WHERE '
            f"{same_assessment('t', 'f')} AND {_valid('f', year)})",
        ),
        involving(
            f'"{FAC}" f JOIN "{ASS}" t ON {same_assessment("f", "t")}',
            f"{completed} AND NOT coalesce({_valid('f', year)}, false)",
            ("f", FAC),
        ),
    )


# 8670Q: per collection year, the last assessment start flagged (more than 45 working days before
# 31 March) and the first that passes (exactly 45). Which day that is depends on the weekday of
# 31 March and on Easter, which a move by whole years does not keep.
ASSESS_45_WD = {
    2023: ("2023-01-26", "2023-01-27"),  # Thu/Fri; 31 March 2023 a Friday, Easter in April
    2024: ("2024-01-24", "2024-01-25"),  # Wed/Thu; 31 March 2024 a Sunday, Good Friday 29 March
    2025: ("2025-01-26", "2025-01-27"),  # Sun/Mon; 31 March 2025 a Monday
    2026: ("2026-01-26", "2026-01-27"),  # Mon/Tue; 31 March 2026 a Tuesday
}


def _fx_8670q(year: int, flagged: str, passes: str) -> Fixture:
    early = f"{year - 1}-06-01"
    return fx(
        {ASS: [f"AssessmentActualStartDate={flagged}", f"AssessmentActualStartDate={early}"]},
        {
            ASS: [
                f"AssessmentActualStartDate={passes}",
                f"AssessmentActualStartDate={early} AssessmentAuthorisationDate={year - 1}-07-03",
                "AssessmentAuthorisationDate=",
            ]
        },
    )


def _factor_code(code: str) -> str:
    return rows_where(FAC, f"t.AssessmentFactors = '{code}'")


RULES = [
    rule(
        "1103",
        query(
            involving(
                ASS_EP, "t.AssessmentActualStartDate < e.CINreferralDate", ("t", ASS), ("e", EP)
            ),
            ASS,
            EP,
        ),
        fixture=fx(
            {EP: ["CINreferralDate=2025-06-02"], ASS: ["AssessmentActualStartDate=2025-06-01"]},
            {
                EP: ["CINreferralDate=2025-06-02", "CINdetailsID=2 CINreferralDate=2025-05-01"],
                ASS: [
                    "AssessmentActualStartDate=2025-06-02",
                    "CINdetailsID=2 AssessmentActualStartDate=2025-05-02",
                ],
            },
            flagged=[(ASS, 2), (EP, 2)],
        ),
    ),
    rule(
        "8608",
        query(rows_where(ASS, "t.AssessmentAuthorisationDate < t.AssessmentActualStartDate"), ASS),
        fixture=fx(
            {ASS: ["AssessmentActualStartDate=2025-06-02 AssessmentAuthorisationDate=2025-06-01"]},
            {
                ASS: [
                    "AssessmentActualStartDate=2025-06-02 AssessmentAuthorisationDate=2025-06-02",
                    "AssessmentActualStartDate=2025-06-02",
                ]
            },
        ),
    ),
    rule(
        "8614",
        query(
            involving(
                f'"{ASS}" t JOIN "{FAC}" f ON {same_assessment("t", "f")}',
                f"{OPEN} AND f.AssessmentFactors IS NOT NULL",
                ("t", ASS),
                ("f", FAC),
            ),
            ASS,
            FAC,
        ),
        fixture=fx(
            {
                ASS: ["AssessmentActualStartDate=2025-06-02"],
                FAC: ["AssessmentFactors=1A", "AssessmentFactors=21"],
            },
            {
                ASS: [
                    "AssessmentActualStartDate=2025-06-02 AssessmentAuthorisationDate=2025-06-20",
                    "AssessmentID=2 AssessmentActualStartDate=2025-07-01",
                ],
                FAC: ["AssessmentFactors=1A", "AssessmentID=2 AssessmentFactors="],
            },
            flagged=[(ASS, 2), (FAC, 2), (FAC, 3)],
        ),
        note="A factor code written on an assessment with no authorisation date; the assessment "
        "and each of its factors are reported (an empty AssessmentFactors element is no factor).",
    ),
    rule(
        "8670Q",
        wd_query(
            rows_where(ASS, f"{OPEN} AND t.AssessmentActualStartDate <= {{wd_cutoff_45}}"), ASS
        ),
        fixture={year: _fx_8670q(year, *days) for year, days in ASSESS_45_WD.items()},
        note="Working days as `datamonger.workdays` counts them (day 0: the days after the start "
        "up to and including 31 March, England-and-Wales bank holidays and weekends excluded): "
        "flagged when more than 45 remain, i.e. the start is before 31 March minus 45 working "
        "days; the start day itself is not 'before the end' by a working day, the DfE's "
        "timeliness convention. For 2023-24 (Good Friday 29 March) a start on Thu 25 January "
        "has 45 and passes, Wed 24 January has 46.",
    ),
    rule(
        "8696",
        query(
            rows_where(
                ASS,
                "t.AssessmentAuthorisationDate < {start} OR t.AssessmentAuthorisationDate > {end}",
            ),
            ASS,
        ),
        fixture=fx(
            {
                ASS: [
                    "AssessmentAuthorisationDate=2025-03-31",
                    "AssessmentAuthorisationDate=2026-04-01",
                ]
            },
            {
                ASS: [
                    "AssessmentAuthorisationDate=2025-04-01",
                    "AssessmentAuthorisationDate=2026-03-31",
                    "AssessmentActualStartDate=2025-01-01",
                ]
            },
        ),
    ),
    rule(
        "8736",
        query(
            rows_where(
                ASS,
                f"{OPEN} AND (t.AssessmentActualStartDate < {{start}} "
                "OR t.AssessmentActualStartDate > {end})",
            ),
            ASS,
        ),
        fixture=fx(
            {
                ASS: [
                    "AssessmentActualStartDate=2025-03-31",
                    "AssessmentActualStartDate=2026-04-01",
                ]
            },
            {
                ASS: [
                    "AssessmentActualStartDate=2025-04-01",
                    "AssessmentActualStartDate=2026-03-31",
                    "AssessmentActualStartDate=2025-03-01 AssessmentAuthorisationDate=2025-04-10",
                    "AssessmentInternalReviewDate=2025-05-01",
                ]
            },
        ),
        note="An open assessment's start must be on or between 1 April and 31 March; a missing "
        "start is not this rule's business.",
    ),
    rule(
        "8863Q",
        query(
            involving(
                f'"{ASS}" t JOIN "{ASS}" o ON {same_episode("t", "o")} '
                f"AND NOT {same_row('t', 'o')}",
                "t.AssessmentActualStartDate >= o.AssessmentActualStartDate AND "
                "t.AssessmentActualStartDate <= coalesce(o.AssessmentAuthorisationDate, {end})",
                ("t", ASS),
                ("o", ASS),
            ),
            ASS,
        ),
        fixture=fx(
            {
                ASS: [
                    "AssessmentActualStartDate=2025-05-01 AssessmentAuthorisationDate=2025-06-02",
                    "AssessmentID=2 AssessmentActualStartDate=2025-06-02",
                    "C=2 AssessmentActualStartDate=2025-05-01",
                    "C=2 AssessmentID=2 AssessmentActualStartDate=2026-03-31 "
                    "AssessmentAuthorisationDate=2026-03-31",
                ]
            },
            {
                ASS: [
                    "AssessmentActualStartDate=2025-05-01 AssessmentAuthorisationDate=2025-06-02",
                    "AssessmentID=2 AssessmentActualStartDate=2025-06-03",
                    "CINdetailsID=2 AssessmentActualStartDate=2025-05-15",
                    "C=3 AssessmentActualStartDate=2025-05-01",
                ]
            },
        ),
        note="Within one CINdetails element, a start on or between another assessment's start "
        "and authorisation (the reference date when open): starting on the day the other was "
        "authorised counts, as the DfE's 'on or between' says. Both assessments are reported.",
    ),
    rule(
        "8869",
        query(
            rows_where(
                FAC,
                f"t.AssessmentFactors IS NOT NULL "
                f'AND EXISTS (SELECT 1 FROM "{FAC}" x WHERE {same_assessment("t", "x")} '
                "AND x.AssessmentFactors = '21') "
                f'AND EXISTS (SELECT 1 FROM "{FAC}" y WHERE {same_assessment("t", "y")} '
                "AND y.AssessmentFactors <> '21')",
            ),
            FAC,
        ),
        fixture=fx(
            {FAC: ["AssessmentFactors=21", "AssessmentFactors=1a"]},
            {
                FAC: [
                    "AssessmentFactors=21",
                    "AssessmentID=2 AssessmentFactors=1A",
                    "AssessmentID=2 AssessmentFactors=2B",
                    "AssessmentID=3 AssessmentFactors=21",
                    "AssessmentID=3 AssessmentFactors=21",
                    "AssessmentID=3 AssessmentFactors=",
                ]
            },
        ),
        note="Every factor row of an assessment that has 21 and another code is reported.",
    ),
    rule(
        "8873Q",
        query(
            involving(
                f'{ASS_EP} JOIN "{FAC}" f ON {same_assessment("t", "f")}',
                "t.AssessmentAuthorisationDate IS NOT NULL AND f.AssessmentFactors = '21' "
                "AND (e.CINclosureDate IS NOT NULL OR e.ReasonForClosure IS NOT NULL) "
                "AND coalesce(e.ReasonForClosure NOT IN ('RC8', 'RC9'), true) "
                f'AND (SELECT count(*) FROM "{ASS}" o WHERE {same_episode("t", "o")}) = 1',
                ("t", ASS),
                ("f", FAC),
                ("e", EP),
            ),
            ASS,
            FAC,
            EP,
        ),
        fixture=fx(
            {
                EP: ["CINclosureDate=2025-07-01 ReasonForClosure=RC7"],
                ASS: [
                    "AssessmentActualStartDate=2025-06-02 AssessmentAuthorisationDate=2025-06-20"
                ],
                FAC: ["AssessmentFactors=21"],
            },
            {
                EP: [
                    "CINclosureDate=2025-07-01 ReasonForClosure=RC8",
                    "CINdetailsID=2",
                    "CINdetailsID=3 CINclosureDate=2025-07-01 ReasonForClosure=RC7",
                    "CINdetailsID=4 CINclosureDate=2025-07-01 ReasonForClosure=rc9",
                ],
                ASS: [
                    "AssessmentActualStartDate=2025-06-02 AssessmentAuthorisationDate=2025-06-20",
                    "CINdetailsID=2 AssessmentAuthorisationDate=2025-06-20",
                    "CINdetailsID=3 AssessmentAuthorisationDate=2025-06-20",
                    "CINdetailsID=3 AssessmentID=2 AssessmentAuthorisationDate=2025-06-25",
                    "CINdetailsID=4 AssessmentAuthorisationDate=2025-06-20",
                ],
                FAC: [
                    "AssessmentFactors=21",
                    "CINdetailsID=2 AssessmentFactors=21",
                    "CINdetailsID=3 AssessmentFactors=21",
                    "CINdetailsID=4 AssessmentFactors=21",
                ],
            },
            flagged=[(ASS, 2), (FAC, 2), (EP, 2)],
        ),
        note="Only for a closed episode (closure date or reason given): an open case has no "
        "reason for closure yet. The single assessment must be completed (authorised); the "
        "assessment, its factor 21 and the episode are reported.",
    ),
    rule(
        "8896",
        query(
            rows_where(
                ASS,
                f'{OPEN} AND (SELECT count(*) FROM "{ASS}" o WHERE {same_episode("t", "o")} '
                "AND o.AssessmentAuthorisationDate IS NULL) > 1",
            ),
            ASS,
        ),
        fixture=fx(
            {
                ASS: [
                    "AssessmentActualStartDate=2025-06-02",
                    "AssessmentID=2 AssessmentActualStartDate=2025-07-01",
                    "AssessmentID=3 AssessmentActualStartDate=2025-05-01 "
                    "AssessmentAuthorisationDate=2025-05-20",
                ]
            },
            {
                ASS: [
                    "AssessmentActualStartDate=2025-06-02",
                    "AssessmentID=3 AssessmentActualStartDate=2025-05-01 "
                    "AssessmentAuthorisationDate=2025-05-20",
                    "CINdetailsID=2 AssessmentActualStartDate=2025-07-01",
                ]
            },
            flagged=[(ASS, 2), (ASS, 3)],
        ),
        note="Only the open assessments of the episode are reported.",
    ),
    rule(
        "8897Q",
        year_query(_rule_8897q, ASS, FAC),
        fixture={
            # Until 2023/24: 18B is not a code yet.
            2023: fx(
                {
                    ASS: [
                        "AssessmentAuthorisationDate=2023-06-01",
                        "AssessmentID=2 AssessmentAuthorisationDate=2023-06-01",
                        "AssessmentID=3 AssessmentAuthorisationDate=2023-06-01",
                    ],
                    FAC: [
                        "AssessmentID=2 AssessmentFactors=18B",
                        "AssessmentID=3 AssessmentFactors=1A",
                        "AssessmentID=3 AssessmentFactors=",
                    ],
                },
                {
                    ASS: [
                        "AssessmentAuthorisationDate=2023-06-01",
                        "AssessmentID=2 AssessmentAuthorisationDate=2023-03-31",
                        "AssessmentID=3 AssessmentActualStartDate=2024-03-01",
                    ],
                    FAC: ["AssessmentFactors=18a", "AssessmentFactors=19A"],
                },
                flagged=[(ASS, 2), (ASS, 3), (FAC, 2), (FAC, 4)],
                year=2024,
            ),
            # From 2024/25: 18B, 18C, 19B, 19C and 24A are codes; 18A and 19A still are (8945Q
            # and 8950Q query them); 8A never was.
            2025: fx(
                {
                    ASS: [
                        "AssessmentAuthorisationDate=2024-06-01",
                        "AssessmentID=2 AssessmentAuthorisationDate=2024-06-01",
                        "AssessmentID=3 AssessmentAuthorisationDate=2024-06-01",
                    ],
                    FAC: [
                        "AssessmentID=2 AssessmentFactors=8A",
                        "AssessmentID=3 AssessmentFactors=18B",
                        "AssessmentID=3 AssessmentFactors=",
                    ],
                },
                {
                    ASS: [
                        "AssessmentAuthorisationDate=2024-06-01",
                        "AssessmentID=2 AssessmentAuthorisationDate=2024-06-01",
                        "AssessmentID=3 AssessmentAuthorisationDate=2024-03-31",
                        "AssessmentID=4 AssessmentActualStartDate=2025-03-01",
                    ],
                    FAC: [
                        "AssessmentFactors=18b",
                        "AssessmentFactors=18C",
                        "AssessmentFactors=19B",
                        "AssessmentFactors=19C",
                        "AssessmentID=2 AssessmentFactors=24A",
                        "AssessmentID=2 AssessmentFactors=18A",
                        "AssessmentID=2 AssessmentFactors=19A",
                    ],
                },
                flagged=[(ASS, 2), (ASS, 3), (FAC, 2), (FAC, 4)],
            ),
        },
        note="An assessment authorised on or after 1 April needs a valid factor code; each "
        "code of it that is not valid (or empty) is reported too, since no other rule checks the "
        "code set. The codes in force are the year's: 18B, 18C, 19B, 19C and 24A from 2024/25 "
        "(the fixture shows 18B refused in 2023/24).",
    ),
    rule(
        "8898",
        query(
            rows_where(
                FAC,
                f'(SELECT count(*) FROM "{FAC}" o WHERE {same_assessment("t", "o")} '
                "AND o.AssessmentFactors = t.AssessmentFactors) > 1",
            ),
            FAC,
        ),
        fixture=fx(
            {FAC: ["AssessmentFactors=1A", "AssessmentFactors=_1a_", "AssessmentFactors=2B"]},
            {
                FAC: [
                    "AssessmentFactors=1A",
                    "AssessmentFactors=2B",
                    "AssessmentID=2 AssessmentFactors=1A",
                    "AssessmentFactors=",
                    "AssessmentFactors=",
                ]
            },
            flagged=[(FAC, 2), (FAC, 3)],
        ),
        note="Every row of the repeated code is reported; empty elements are not codes.",
    ),
    rule(
        "8945Q",
        query(_factor_code("18A"), FAC),
        fixture=fx(
            {FAC: ["AssessmentFactors=18A", "AssessmentFactors=18a"]},
            {FAC: ["AssessmentFactors=18B", "AssessmentFactors=18C", "AssessmentFactors=19A"]},
        ),
    ),
    rule(
        "8950Q",
        query(_factor_code("19A"), FAC),
        fixture=fx(
            {FAC: ["AssessmentFactors=19A"]},
            {FAC: ["AssessmentFactors=19B", "AssessmentFactors=19C", "AssessmentFactors=18A"]},
        ),
    ),
]
