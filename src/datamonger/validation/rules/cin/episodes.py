"""CIN census: the CIN episodes (CINdetails), alone and against the child and their modules.

Presence is "written" (`blank(F_raw)`); dates are the typed values (blank or unreadable is NULL).
ReferralNFA is the typed boolean (true/false/1/0). An episode with no closure date is open until
the reference date (`{end}`, 31 March). Checks between tables report every row taking part (the
episode and the assessment, Section 47, plan or child row it conflicts with).

ReferralSource 5D and ReasonForClosure RC9 are absent from the 2021-22 schema and present in the
DfE's rules from 2022-23 (2990 and 8825Q name RC9), so they are valid in every year of the list.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, rule
from datamonger.validation.rules.cin.common import (
    ASSESS,
    CHILD,
    CPP,
    EP,
    PLAN,
    S47,
    BeforeStart,
    each_year,
    fx,
    involving,
    same_episode,
)
from datamonger.validation.templates import code_set, date_order, query, select, sql_list, where

REFERRAL_SOURCES = "1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10"
PRIMARY_NEED = "N0 N1 N2 N3 N4 N5 N6 N7 N8 N9"
CLOSURE_REASONS = "RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9"
AFTER_ASSESSMENT = "t.ReasonForClosure IN ('RC8', 'RC9')"  # closed after assessment
OPEN_FURTHER_ACTION = "t.CINclosureDate IS NULL AND NOT t.ReferralNFA"
WITH_CHILD = f'"{EP}" t JOIN "{CHILD}" c ON c.CHILD = t.CHILD'


def _module(table: str, alias: str) -> str:
    return f'EXISTS (SELECT 1 FROM "{table}" {alias} WHERE {same_episode(alias, "t")})'


def _ep(*rows: str) -> dict[str, list[str]]:
    return {EP: list(rows)}


def _fx_8866(year: int) -> Fixture:
    """The referral-date boundary is fixed (1 April 2013); the other referrals are in the year."""
    day = f"{year - 1}-06-01"
    return fx(
        _ep(
            f"CINreferralDate={day}",
            f"CINdetailsID=2 CINreferralDate={day} ReferralSource=5E",
            "CINdetailsID=3 CINreferralDate=2013-04-01 ReferralSource=11",
        ),
        _ep(
            f"CINreferralDate={day} ReferralSource=5D",
            f"CINdetailsID=2 CINreferralDate={day} ReferralSource=1a",
            "CINdetailsID=3 CINreferralDate=2013-03-31",
            "CINdetailsID=4 ReferralSource=10",
        ),
    )


# 8569Q: per collection year, the last working day before 1 April (the day D a referral must not
# be before) as (the day before D, D). It depends on the weekday of 1 April and on Easter, which a
# move by whole years does not keep.
ONE_WD_BEFORE_START = {
    2023: ("2022-03-30", "2022-03-31"),  # 1 April 2022 a Friday: D = Thursday 31 March
    2024: ("2023-03-30", "2023-03-31"),  # 1 April 2023 a Saturday: D = Friday 31 March
    2025: ("2024-03-27", "2024-03-28"),  # 1 April 2024 Easter Monday, 29 March Good Friday
    2026: ("2025-03-30", "2025-03-31"),  # 1 April 2025 a Tuesday: D = Monday 31 March
}


def _fx_8569q(year: int, flagged: str, passes: str) -> Fixture:
    long_ago = f"{year - 3}-01-01"
    return fx(
        _ep(
            f"CINreferralDate={flagged} ReferralNFA=true",
            f"CINdetailsID=2 CINreferralDate={long_ago} ReferralNFA=1",
        ),
        _ep(
            f"CINreferralDate={passes} ReferralNFA=true",
            f"CINdetailsID=2 CINreferralDate={long_ago} ReferralNFA=false",
            "CINdetailsID=3 ReferralNFA=true",
        ),
    )


RULES = [
    # --- one episode ---------------------------------------------------------------------------
    rule(
        "8568",
        where(EP, "trim(coalesce(t.ReferralNFA_raw, '')) NOT IN ('true', 'false', '1', '0')"),
        fixture=fx(
            _ep(
                "ReferralNFA=",
                "CINdetailsID=2",
                "CINdetailsID=3 ReferralNFA=yes",
                "CINdetailsID=4 ReferralNFA=TRUE",
            ),
            _ep(
                "ReferralNFA=true",
                "CINdetailsID=2 ReferralNFA=0",
                "CINdetailsID=3 ReferralNFA=_false_",
            ),
        ),
        note="The values xs:boolean allows: true, false, 1, 0 (lower case; spaces around them "
        "are layout). The other rules read 'TRUE' as true all the same.",
    ),
    rule(
        "8600",
        where(EP, "t.CINreferralDate IS NULL OR t.CINreferralDate > {end}"),
        fixture=fx(
            _ep(
                "CINreferralDate=2026-04-01",
                "CINdetailsID=2",
                "CINdetailsID=3 CINreferralDate=2026-02-30",
            ),
            _ep("CINreferralDate=2026-03-31", "CINdetailsID=2 CINreferralDate=2010-01-01"),
        ),
        note="An unreadable referral date counts as missing.",
    ),
    rule(
        "8610",
        where(EP, "NOT t.ReferralNFA AND blank(t.PrimaryNeedCode_raw)"),
        fixture=fx(
            _ep("ReferralNFA=false", "CINdetailsID=2 ReferralNFA=0 PrimaryNeedCode="),
            _ep(
                "ReferralNFA=false PrimaryNeedCode=N1",
                "CINdetailsID=2 ReferralNFA=true",
                "CINdetailsID=3",
            ),
        ),
        note="Further action: ReferralNFA false or 0 (a missing flag is 8568's).",
    ),
    rule(
        "8620",
        where(EP, "t.CINclosureDate < {start} OR t.CINclosureDate > {end}"),
        fixture=fx(
            _ep("CINclosureDate=2025-03-31", "CINdetailsID=2 CINclosureDate=2026-04-01"),
            _ep(
                "CINclosureDate=2025-04-01",
                "CINdetailsID=2 CINclosureDate=2026-03-31",
                "CINdetailsID=3",
            ),
        ),
    ),
    rule(
        "8630",
        date_order(EP, "CINreferralDate", "CINclosureDate"),
        fixture=fx(
            _ep("CINreferralDate=2025-06-02 CINclosureDate=2025-06-01"),
            _ep(
                "CINreferralDate=2025-06-02 CINclosureDate=2025-06-02",
                "CINdetailsID=2 CINreferralDate=2025-06-02",
            ),
        ),
    ),
    rule(
        "8640",
        code_set(EP, "ReasonForClosure", CLOSURE_REASONS),
        fixture=fx(
            _ep("ReasonForClosure=RC10", "CINdetailsID=2 ReasonForClosure=RC"),
            _ep("ReasonForClosure=RC1", "CINdetailsID=2 ReasonForClosure=rc9", "CINdetailsID=3"),
        ),
        note="RC9 (closed after assessment, referred to early help) is valid in every year.",
    ),
    rule(
        "8650",
        code_set(EP, "PrimaryNeedCode", PRIMARY_NEED),
        fixture=fx(
            _ep("PrimaryNeedCode=N10", "CINdetailsID=2 PrimaryNeedCode=1"),
            _ep("PrimaryNeedCode=N0", "CINdetailsID=2 PrimaryNeedCode=n9", "CINdetailsID=3"),
        ),
    ),
    rule(
        "8805",
        where(EP, "NOT blank(t.CINclosureDate_raw) AND blank(t.ReasonForClosure_raw)"),
        fixture=fx(
            _ep(
                "CINclosureDate=2025-06-01",
                "CINdetailsID=2 CINclosureDate=2025-06-01 ReasonForClosure=",
            ),
            _ep("CINclosureDate=2025-06-01 ReasonForClosure=RC1", "CINdetailsID=2"),
        ),
    ),
    rule(
        "8810",
        where(EP, "NOT blank(t.ReasonForClosure_raw) AND blank(t.CINclosureDate_raw)"),
        fixture=fx(
            _ep("ReasonForClosure=RC1", "CINdetailsID=2 ReasonForClosure=RC7 CINclosureDate="),
            _ep("CINclosureDate=2025-06-01 ReasonForClosure=RC1", "CINdetailsID=2"),
        ),
    ),
    rule(
        "8866",
        where(
            EP,
            f"t.CINreferralDate >= DATE '2013-04-01' AND (t.ReferralSource IS NULL "
            f"OR t.ReferralSource NOT IN ({sql_list(REFERRAL_SOURCES.split())}))",
        ),
        fixture=each_year(_fx_8866),
        note="Required for referrals from 1 April 2013, as the DfE's rule says. 5D is valid "
        "in every year.",
    ),
    rule(
        "8569Q",
        BeforeStart(
            EP,
            text=select(EP, "t.CINreferralDate < {start_wd} AND t.ReferralNFA"),
        ),
        fixture={year: _fx_8569q(year, *days) for year, days in ONE_WD_BEFORE_START.items()},
        note="'One working day prior to the collection start date' is the last working day "
        "before 1 April (England-and-Wales bank holidays and weekends skipped): with the day-0 "
        "convention of datamonger.workdays, the day D with working_days_between(D, first working "
        "day from 1 April) = 1. Referrals dated before D and flagged NFA (true or 1) are "
        "reported; a missing flag is 8568's. For 2025-26 that day is Monday 31 March 2025; for "
        "2024-25, Thursday 28 March 2024 (Good Friday and Easter Monday skipped).",
    ),
    # --- the episodes of one child -------------------------------------------------------------
    rule(
        "8815",
        where(
            EP,
            f'{OPEN_FURTHER_ACTION} AND (SELECT count(*) FROM "{EP}" o WHERE o.CHILD = t.CHILD '
            "AND o.CINclosureDate IS NULL AND NOT o.ReferralNFA) > 1",
        ),
        fixture=fx(
            _ep(
                "CINreferralDate=2025-05-01 ReferralNFA=false",
                "CINdetailsID=2 CINreferralDate=2025-06-01 ReferralNFA=0",
                "CINdetailsID=3 CINreferralDate=2025-07-01 ReferralNFA=true",
            ),
            _ep(
                "CINreferralDate=2025-05-01 ReferralNFA=false",
                "CINdetailsID=2 CINreferralDate=2025-06-01 ReferralNFA=true",
                "CINdetailsID=3 CINreferralDate=2025-04-01 CINclosureDate=2025-04-30 ReferralNFA=false",
                "C=2 ReferralNFA=false",
            ),
            flagged=[(EP, 2), (EP, 3)],
        ),
        note="Open: no readable closure date. Every open episode going on to further action "
        "of that child is reported.",
    ),
    rule(
        "8816",
        query(
            involving(
                f'"{EP}" t JOIN "{EP}" l ON l.CHILD = t.CHILD',
                f"{OPEN_FURTHER_ACTION} AND l.CINreferralDate > t.CINreferralDate AND "
                f'l.CINreferralDate = (SELECT max(m.CINreferralDate) FROM "{EP}" m '
                "WHERE m.CHILD = t.CHILD)",
                ("t", EP),
                ("l", EP),
            ),
            EP,
        ),
        fixture=fx(
            _ep(
                "CINreferralDate=2025-05-01 ReferralNFA=false",
                "CINdetailsID=2 CINreferralDate=2025-06-01 CINclosureDate=2025-06-02 ReferralNFA=false",
                "CINdetailsID=3 CINreferralDate=2025-05-15 CINclosureDate=2025-05-20 ReferralNFA=false",
            ),
            _ep(
                "CINreferralDate=2025-06-01 ReferralNFA=false",
                "CINdetailsID=2 CINreferralDate=2025-05-01 CINclosureDate=2025-05-02 ReferralNFA=false",
                "CINdetailsID=3 CINreferralDate=2025-04-01 ReferralNFA=true",
                "C=2 CINreferralDate=2025-04-01 ReferralNFA=false",
            ),
            flagged=[(EP, 2), (EP, 3)],
        ),
        note="The open episode and the child's latest episode (latest referral date, over all "
        "the child's episodes) are reported.",
    ),
    rule(
        "8820",
        query(
            involving(
                f'"{EP}" t JOIN "{EP}" o ON o.CHILD = t.CHILD AND NOT '
                "(o.source_file = t.source_file AND o.source_line = t.source_line)",
                "t.CINreferralDate >= o.CINreferralDate AND ("
                "(o.CINclosureDate IS NOT NULL AND t.CINreferralDate < o.CINclosureDate) OR "
                "(o.CINclosureDate IS NULL AND NOT o.ReferralNFA AND t.CINreferralDate <= {end}))",
                ("t", EP),
                ("o", EP),
            ),
            EP,
        ),
        fixture=fx(
            _ep(
                "CINreferralDate=2025-05-01 CINclosureDate=2025-07-01 ReferralNFA=false",
                "CINdetailsID=2 CINreferralDate=2025-06-01 CINclosureDate=2025-06-15 ReferralNFA=false",
                "C=2 CINreferralDate=2025-05-01 ReferralNFA=false",
                "C=2 CINdetailsID=2 CINreferralDate=2025-09-01 CINclosureDate=2025-09-01 ReferralNFA=true",
            ),
            _ep(
                "CINreferralDate=2025-05-01 CINclosureDate=2025-06-01 ReferralNFA=false",
                "CINdetailsID=2 CINreferralDate=2025-06-01 ReferralNFA=false",
                "C=2 CINreferralDate=2025-05-01 ReferralNFA=true",
                "C=2 CINdetailsID=2 CINreferralDate=2025-06-01 ReferralNFA=true",
                "C=3 CINreferralDate=2025-05-01 ReferralNFA=false",
            ),
        ),
        note="An episode's referral date must not fall on or after another episode's referral "
        "date and before its closure date (the closure day itself is free: the DfE allows one "
        "referral to start the day the previous ends), nor after the referral date of an open "
        "episode going on to further action (open until the reference date). Both episodes are "
        "reported.",
    ),
    # --- the episode and the child --------------------------------------------------------------
    rule(
        "8555Q",
        query(
            involving(WITH_CHILD, "t.CINreferralDate > c.PersonDeathDate", ("t", EP), ("c", CHILD)),
            EP,
            CHILD,
        ),
        fixture=fx(
            {EP: ["CINreferralDate=2025-06-02"], CHILD: ["PersonDeathDate=2025-06-01"]},
            {
                EP: ["CINreferralDate=2025-06-01", "C=2 CINreferralDate=2025-06-02"],
                CHILD: ["PersonDeathDate=2025-06-01", "C=2"],
            },
            flagged=[(EP, 2), (CHILD, 2)],
        ),
        note="The episode and the child's row are reported.",
    ),
    rule(
        "8585Q",
        query(
            involving(
                WITH_CHILD,
                "t.ReasonForClosure = 'RC2' AND blank(c.PersonDeathDate_raw)",
                ("t", EP),
                ("c", CHILD),
            ),
            EP,
            CHILD,
        ),
        fixture=fx(
            {EP: ["ReasonForClosure=RC2"], CHILD: ["PersonDeathDate="]},
            {
                EP: ["ReasonForClosure=rc2", "C=2 ReasonForClosure=RC1"],
                CHILD: ["PersonDeathDate=2025-06-01", "C=2"],
            },
            flagged=[(EP, 2), (CHILD, 2)],
        ),
        note="The episode and the child's row are reported.",
    ),
    rule(
        "8606",
        query(
            involving(
                WITH_CHILD,
                "t.CINreferralDate < c.PersonBirthDate - INTERVAL 280 DAY "
                "OR t.CINreferralDate < c.ExpectedPersonBirthDate - INTERVAL 280 DAY",
                ("t", EP),
                ("c", CHILD),
            ),
            EP,
            CHILD,
        ),
        # No 29 February between a referral and its date of birth in any year the dates move
        # to (April to January, March to December): 280 days stay 280 days.
        fixture=fx(
            {
                EP: ["CINreferralDate=2025-04-25", "C=2 CINreferralDate=2026-03-25"],
                CHILD: ["PersonBirthDate=2026-01-31", "C=2 ExpectedPersonBirthDate=2026-12-31"],
            },
            {
                EP: ["CINreferralDate=2025-04-26", "C=2 CINreferralDate=2026-03-26", "C=3"],
                CHILD: [
                    "PersonBirthDate=2026-01-31",
                    "C=2 ExpectedPersonBirthDate=2026-12-31",
                    "C=3 PersonBirthDate=2026-01-31",
                ],
            },
            flagged=[(EP, 2), (EP, 3), (CHILD, 2), (CHILD, 3)],
        ),
        note="40 weeks = 280 days, against whichever date of birth is given. The episode and "
        "the child's row are reported.",
    ),
    # --- the episode and its modules -------------------------------------------------------------
    rule(
        "2990",
        query(
            select(
                EP,
                f"{AFTER_ASSESSMENT} AND (NOT blank(t.DateOfInitialCPC_raw) OR "
                f"{_module(S47, 's')} OR {_module(CPP, 'p')} OR {_module(PLAN, 'n')})",
            )
            + " UNION "
            + " UNION ".join(
                involving(
                    f'"{EP}" t JOIN "{m}" m ON {same_episode("m", "t")}', AFTER_ASSESSMENT, ("m", m)
                )
                for m in (S47, CPP, PLAN)
            ),
            EP,
            S47,
            CPP,
            PLAN,
        ),
        fixture=fx(
            {
                EP: [
                    "ReasonForClosure=RC8",
                    "CINdetailsID=2 ReasonForClosure=RC9 DateOfInitialCPC=2025-06-01",
                    "CINdetailsID=3 ReasonForClosure=rc8",
                ],
                S47: ["S47ActualStartDate=2025-05-01"],
                CPP: ["CINdetailsID=3"],
                PLAN: ["CINdetailsID=3 CINPlanStartDate=2025-06-01"],
            },
            {
                EP: ["ReasonForClosure=RC8", "CINdetailsID=2 ReasonForClosure=RC1"],
                S47: ["CINdetailsID=2 S47ActualStartDate=2025-05-01"],
                CPP: ["C=2"],
                PLAN: ["CINdetailsID=2"],
            },
            flagged=[(EP, 2), (EP, 3), (EP, 4), (S47, 2), (CPP, 2), (PLAN, 2)],
        ),
        note="Closed after assessment (RC8, or RC9 as the message says): no Section 47, child "
        "protection plan, CIN plan or initial CPC date on the episode. The episode and each "
        "such module are reported.",
    ),
    rule(
        "2991Q",
        query(
            involving(
                f'"{EP}" t JOIN "{S47}" s ON {same_episode("s", "t")}',
                f"NOT {_module(ASSESS, 'a')}",
                ("t", EP),
                ("s", S47),
            ),
            EP,
            S47,
            ASSESS,
        ),
        fixture=fx(
            {
                EP: ["ReferralNFA=false"],
                S47: ["S47ActualStartDate=2025-05-01"],
                ASSESS: ["CINdetailsID=2"],
            },
            {
                EP: ["ReferralNFA=false", "CINdetailsID=2"],
                S47: ["S47ActualStartDate=2025-05-01"],
                ASSESS: ["AssessmentActualStartDate=2025-05-02"],
            },
            flagged=[(EP, 2), (S47, 2)],
        ),
        note="A module is an element present, whatever its dates. The episode and its Section 47 "
        "modules are reported.",
    ),
    rule(
        "8825Q",
        where(EP, f"{AFTER_ASSESSMENT} AND NOT {_module(ASSESS, 'a')}"),
        fixture=fx(
            {EP: ["ReasonForClosure=RC8", "CINdetailsID=2 ReasonForClosure=RC9"], ASSESS: ["C=2"]},
            {
                EP: ["ReasonForClosure=RC8", "CINdetailsID=2 ReasonForClosure=RC7"],
                ASSESS: ["AssessmentActualStartDate=2025-05-02"],
            },
        ),
        note="An assessment is an Assessments element on the episode, whatever its dates.",
    ),
    rule(
        "8831",
        query(
            select(
                EP,
                "t.ReferralNFA AND (NOT blank(t.DateOfInitialCPC_raw) OR EXISTS (SELECT 1 FROM "
                f'"{ASSESS}" a WHERE {same_episode("a", "t")} AND (NOT blank(a.AssessmentActualStartDate_raw) '
                "OR NOT blank(a.AssessmentAuthorisationDate_raw))) OR EXISTS (SELECT 1 FROM "
                f'"{S47}" s WHERE {same_episode("s", "t")} AND (NOT blank(s.S47ActualStartDate_raw) '
                "OR NOT blank(s.DateOfInitialCPC_raw))))",
            )
            + " UNION "
            + involving(
                f'"{EP}" t JOIN "{ASSESS}" a ON {same_episode("a", "t")}',
                "t.ReferralNFA AND (NOT blank(a.AssessmentActualStartDate_raw) "
                "OR NOT blank(a.AssessmentAuthorisationDate_raw))",
                ("a", ASSESS),
            )
            + " UNION "
            + involving(
                f'"{EP}" t JOIN "{S47}" s ON {same_episode("s", "t")}',
                "t.ReferralNFA AND (NOT blank(s.S47ActualStartDate_raw) "
                "OR NOT blank(s.DateOfInitialCPC_raw))",
                ("s", S47),
            ),
            EP,
            ASSESS,
            S47,
        ),
        fixture=fx(
            {
                EP: [
                    "ReferralNFA=true",
                    "CINdetailsID=2 ReferralNFA=1",
                    "CINdetailsID=3 ReferralNFA=true DateOfInitialCPC=2025-06-01",
                ],
                ASSESS: ["AssessmentAuthorisationDate=2025-06-01"],
                S47: ["CINdetailsID=2 DateOfInitialCPC=2025-06-01"],
            },
            {
                EP: [
                    "ReferralNFA=true",
                    "CINdetailsID=2 ReferralNFA=false DateOfInitialCPC=2025-06-01",
                ],
                ASSESS: [
                    "AssessmentInternalReviewDate=2025-06-01",
                    "CINdetailsID=2 AssessmentActualStartDate=2025-05-01",
                ],
                S47: ["ICPCnotRequired=true", "CINdetailsID=2 S47ActualStartDate=2025-05-01"],
            },
            flagged=[(EP, 2), (EP, 3), (EP, 4), (ASSESS, 2), (S47, 2)],
        ),
        note="Activity: an assessment start or authorisation date, a Section 47 start date, or "
        "an initial CPC date (on the episode or in a Section 47), as the rule's fields say. "
        "NFA: ReferralNFA true or 1. The episode and each module with activity are reported.",
    ),
    rule(
        "8867",
        query(
            involving(
                f'"{EP}" t JOIN "{ASSESS}" a ON {same_episode("a", "t")}',
                "NOT blank(t.CINclosureDate_raw) AND blank(a.AssessmentAuthorisationDate_raw)",
                ("t", EP),
                ("a", ASSESS),
            ),
            EP,
            ASSESS,
        ),
        fixture=fx(
            {
                EP: ["CINclosureDate=2025-07-01"],
                ASSESS: [
                    "AssessmentActualStartDate=2025-05-01",
                    "AssessmentID=2 AssessmentAuthorisationDate=2025-06-01",
                ],
            },
            {
                EP: ["CINclosureDate=2025-07-01", "CINdetailsID=2"],
                ASSESS: [
                    "AssessmentActualStartDate=2025-05-01 AssessmentAuthorisationDate=2025-06-01",
                    "CINdetailsID=2 AssessmentActualStartDate=2025-05-01",
                ],
            },
            flagged=[(EP, 2), (ASSESS, 2)],
        ),
        note="Closed: a closure date written. Every assessment of the episode without an "
        "authorisation date is reported, with the episode.",
    ),
    rule(
        "8868",
        query(
            involving(
                f'"{EP}" t JOIN "{S47}" s ON {same_episode("s", "t")}',
                "NOT blank(t.CINclosureDate_raw) AND blank(s.DateOfInitialCPC_raw) "
                "AND s.ICPCnotRequired IS NOT TRUE",
                ("t", EP),
                ("s", S47),
            ),
            EP,
            S47,
        ),
        fixture=fx(
            {
                EP: ["CINclosureDate=2025-07-01"],
                S47: [
                    "S47ActualStartDate=2025-05-01 ICPCnotRequired=false",
                    "Section47ID=2 S47ActualStartDate=2025-05-01 DateOfInitialCPC=2025-05-20",
                    "Section47ID=3 S47ActualStartDate=2025-05-01",
                ],
            },
            {
                EP: ["CINclosureDate=2025-07-01", "CINdetailsID=2"],
                S47: [
                    "S47ActualStartDate=2025-05-01 ICPCnotRequired=1",
                    "Section47ID=2 DateOfInitialCPC=2025-05-20",
                    "CINdetailsID=2 S47ActualStartDate=2025-05-01",
                ],
            },
            flagged=[(EP, 2), (S47, 2), (S47, 4)],
        ),
        note="Every Section 47 of a closed episode must have an initial CPC date or "
        "ICPCnotRequired true (or 1); each that has neither is reported, with the episode (an "
        "episode without Section 47 passes, unlike the public validator).",
    ),
    rule(
        "8890",
        query(
            involving(
                f'"{S47}" t JOIN "{S47}" o ON {same_episode("o", "t")} AND o.Section47ID <> t.Section47ID',
                "t.S47ActualStartDate >= o.S47ActualStartDate AND ("
                "t.S47ActualStartDate <= o.DateOfInitialCPC OR (o.DateOfInitialCPC IS NULL "
                "AND o.ICPCnotRequired IS NOT TRUE AND t.S47ActualStartDate <= {end}))",
                ("t", S47),
                ("o", S47),
            ),
            S47,
            EP,
        ),
        fixture=fx(
            {
                S47: [
                    "S47ActualStartDate=2025-05-01 DateOfInitialCPC=2025-05-20",
                    "Section47ID=2 S47ActualStartDate=2025-05-20",
                    "C=2 S47ActualStartDate=2025-05-01",
                    "C=2 Section47ID=2 S47ActualStartDate=2025-08-01 ICPCnotRequired=true",
                ],
            },
            {
                S47: [
                    "S47ActualStartDate=2025-05-01 DateOfInitialCPC=2025-05-20",
                    "Section47ID=2 S47ActualStartDate=2025-05-21 ICPCnotRequired=true",
                    "Section47ID=3 S47ActualStartDate=2025-06-01",
                    "C=2 S47ActualStartDate=2025-05-01",
                    "C=2 CINdetailsID=2 S47ActualStartDate=2025-06-01",
                ],
            },
        ),
        note="Within one episode, as the DfE's rule says (the public validator compares "
        "Section 47s of different episodes instead): a start on or between another enquiry's "
        "start and its initial CPC date, or after the start of one with neither an ICPC date "
        "nor ICPCnotRequired true (ongoing until the reference date). Both are reported.",
    ),
]
