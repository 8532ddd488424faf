"""SSDA903 OC3 (care leavers on their 17th-21st birthday): what the row says, who may have one.

Ages: "under 18", "17" are completed years on 31 March (the birthday in the year is the one the
OC3 information is about); "during the year" means on some day from 1 April to 31 March. Snippets
shared with the OC2 rules are in `oc_common`.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, fx, parse_rows, rule
from datamonger.validation.rules.ssda903.b_common import PV_365_NOTE
from datamonger.validation.rules.ssda903.oc_common import (
    AD1_ITEMS,
    AGE_END,
    AGE_START,
    DOB,
    IN_CARE_IN_YEAR,
    OC3_ITEMS,
    written,
)
from datamonger.validation.templates import all_or_none, query, select, where

OC3_DATA = written(OC3_ITEMS)  # the row says something
FULL = "IN_TOUCH=YES ACTIV=F1 ACCOM=B1"  # a complete OC3 row, as fixtures write it

# The 17th or 18th birthday that falls in the year (the child is 17 or 18 on 31 March).
BIRTHDAY = f"CAST({DOB} + to_years(CAST({AGE_END} AS INTEGER)) AS DATE)"
AGED_17_18 = f"{AGE_END} IN (17, 18)"
LOOKED_AFTER_ON_BIRTHDAY = (
    'EXISTS (SELECT 1 FROM "Episodes" e WHERE e.CHILD = t.CHILD '
    f"AND e.DECOM <= {BIRTHDAY} AND (e.DEC IS NULL OR e.DEC > {BIRTHDAY}))"
)
CEASED_AFTER_BIRTHDAY = (
    'EXISTS (SELECT 1 FROM "Episodes" e WHERE e.CHILD = t.CHILD '
    f"AND e.REC IS NOT NULL AND e.REC <> 'X1' AND e.DEC > {BIRTHDAY})"
)
# Children of the OC3 table with no episode open at any time in the year.
OC3_NO_EPISODE = (
    f'(SELECT CHILD FROM "OC3" WHERE CHILD IS NOT NULL AND CHILD NOT IN {IN_CARE_IN_YEAR})'
)
OTHER_TABLES = (
    "Reviews",
    "OC2",
    "AD1",
    "PlacedAdoption",
    "PrevPerm",
    "Missing",
    "SWEpisodes",
    "DoLo",
)


def _last_episode(table: str) -> str:
    """A child's latest episode (by DECOM) in `table`, alias e."""
    return (
        f'SELECT e.CHILD, e.REC FROM "{table}" e WHERE e.seq = '
        f'(SELECT max(x.seq) FROM "{table}" x WHERE x.CHILD = e.CHILD)'
    )


TRANSFERRED = (
    f"(t.CHILD IN (SELECT CHILD FROM ({_last_episode('Episodes')}) WHERE REC = 'E3') "
    'OR (t.CHILD NOT IN (SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL) AND t.CHILD IN '
    f"(SELECT CHILD FROM ({_last_episode('Episodes_last')}) WHERE REC = 'E3')))"
)

# Episodes shared by the fixtures of 1007 and 1016 (the birthdays are in the OC3 rows' DOBs).
BIRTHDAY_EPISODES = {
    "Episodes": [
        # 1: 17 on 01/10/2026, still looked after
        "CHILD=1 DECOM=01/01/2025 RNE=S LS=C2",
        # 2: 18 on 01/10/2026, left care after the birthday
        "CHILD=2 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/12/2026 REC=E13",
        # 3: 17 on 01/10/2026, left care on the birthday
        "CHILD=3 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/10/2026 REC=E13",
        # 4: 17 on 01/10/2026, left care before the birthday
        "CHILD=4 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/09/2026 REC=E13",
        # 5: 20 on 01/10/2026, still looked after (not 17 or 18)
        "CHILD=5 DECOM=01/01/2025 RNE=S LS=C2",
        # 6: 20 on 01/10/2026, left care after the birthday (not 17 or 18)
        "CHILD=6 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/12/2026 REC=E13",
    ]
}
BIRTHDAY_DOB = {
    "1": "01/10/2009",
    "2": "01/10/2008",
    "3": "01/10/2009",
    "4": "01/10/2009",
    "5": "01/10/2006",
    "6": "01/10/2006",
}


def _oc3(child: str, data: bool = True) -> str:
    return f"CHILD={child} DOB={BIRTHDAY_DOB[child]}" + (f" {FULL}" if data else "")


RULES = [
    rule(
        "153",
        all_or_none("OC3", " ".join(OC3_ITEMS)),
        fixture=fx(
            "OC3",
            ["IN_TOUCH=YES", "CHILD=2 IN_TOUCH=YES ACTIV=F1"],
            [FULL, "CHILD=2", "CHILD=3 IN_TOUCH=DIED ACTIV=0 ACCOM=0"],
        ),
    ),
    rule(
        "134",
        query(
            select(
                "AD1",
                f"{written(AD1_ITEMS)} AND {written(OC3_ITEMS, 'o')}",
                'JOIN "OC3" o ON o.CHILD = t.CHILD',
            )
            + " UNION ALL "
            + select(
                "OC3",
                f"{OC3_DATA} AND {written(AD1_ITEMS, 'o')}",
                'JOIN "AD1" o ON o.CHILD = t.CHILD',
            ),
            "AD1",
            "OC3",
        ),
        fixture=Fixture(
            failing={
                "AD1": parse_rows("CHILD=1 DATE_INT=01/05/2026"),
                "OC3": parse_rows(f"CHILD=1 {FULL}"),
            },
            passing={
                "AD1": parse_rows("CHILD=1 DATE_INT=01/05/2026", "CHILD=2"),
                "OC3": parse_rows("CHILD=1", f"CHILD=2 {FULL}"),
            },
            flagged=(("AD1", 2), ("OC3", 2)),
        ),
        note="Both rows are reported: the child's adoption row and care leaver row.",
    ),
    rule(
        "344",
        where(
            "OC3",
            "t.IN_TOUCH IN ('DIED', 'RHOM') AND ("
            "(NOT blank(t.ACTIV_raw) AND t.ACTIV <> '0') OR "
            "(NOT blank(t.ACCOM_raw) AND t.ACCOM <> '0'))",
        ),
        fixture=fx(
            "OC3",
            ["IN_TOUCH=DIED ACTIV=F1 ACCOM=0", "CHILD=2 IN_TOUCH=rhom ACTIV=0 ACCOM=B1"],
            ["IN_TOUCH=DIED ACTIV=0 ACCOM=0", f"CHILD=2 {FULL}", "CHILD=3 IN_TOUCH=RHOM"],
        ),
        note="Completed means written and other than 0 (a blank is rule 153's business).",
    ),
    rule(
        "345",
        where("OC3", "t.IN_TOUCH = 'YES' AND (t.ACTIV = '0' OR t.ACCOM = '0')"),
        fixture=fx(
            "OC3",
            ["IN_TOUCH=YES ACTIV=0 ACCOM=B1", "CHILD=2 IN_TOUCH=YES ACTIV=F1 ACCOM=0"],
            [FULL, "CHILD=2 IN_TOUCH=NO ACTIV=0 ACCOM=0"],
        ),
    ),
    rule(
        "347",
        where("OC3", f"t.ACCOM IN ('T1', 'T2') AND {AGE_END} < 18", header=True),
        fixture=fx(
            "OC3",
            ["DOB=01/04/2009 IN_TOUCH=YES ACTIV=F1 ACCOM=T1"],
            [
                "DOB=31/03/2009 IN_TOUCH=YES ACTIV=F1 ACCOM=T2",
                "CHILD=2 DOB=01/04/2009 IN_TOUCH=YES ACTIV=F1 ACCOM=B1",
            ],
        ),
        note="A Foyer is ACCOM T1/T2 (the public validator compares ACCOM with 'T', a code the "
        "return does not have, so it never fires). Under 18 on 31 March: the birthday the "
        "information is about is the 17th (the public validator takes the age on 1 April, "
        "which also catches young people 18 on the birthday in question).",
    ),
    rule(
        "348",
        where(
            "OC3",
            "l.IN_TOUCH = 'DIED' AND t.IN_TOUCH IS DISTINCT FROM 'DIED'",
            joins='JOIN "OC3_last" l ON l.CHILD = t.CHILD',
        ),
        needs=("previous",),
        fixture=fx(
            "OC3",
            ["IN_TOUCH=YES ACTIV=F1 ACCOM=B1"],
            ["IN_TOUCH=DIED ACTIV=0 ACCOM=0", "CHILD=2 IN_TOUCH=NO ACTIV=0 ACCOM=0"],
            last={"OC3": ["IN_TOUCH=DIED ACTIV=0 ACCOM=0", "CHILD=2 IN_TOUCH=YES"]},
        ),
        note="Any row this year that does not say DIED again, for a young person last year's "
        "return recorded as having died.",
    ),
    rule(
        "391",
        where("OC3", f"{OC3_DATA} AND ({AGE_END} < 17 OR {AGE_START} > 21)", header=True),
        fixture=fx(
            "OC3",
            [f"DOB=01/04/2010 {FULL}", f"CHILD=2 DOB=01/04/2004 {FULL}"],
            [
                f"DOB=31/03/2010 {FULL}",
                f"CHILD=2 DOB=02/04/2004 {FULL}",
                "CHILD=3 DOB=01/04/2015",
            ],
        ),
        note="17 to 21 on some day of the year: 17 or over on 31 March and 21 or under on "
        "1 April. Only rows with care leaver information are checked.",
    ),
    rule(
        "1000",
        where(
            "OC3",
            f"{OC3_DATA} AND t.CHILD IN (SELECT CHILD FROM \"Episodes\" WHERE REC = 'E2' "
            "UNION SELECT CHILD FROM \"Episodes_last\" WHERE REC = 'E2')",
        ),
        fixture=fx(
            "OC3",
            ["IN_TOUCH=DIED ACTIV=0 ACCOM=0", f"CHILD=2 {FULL}"],
            ["CHILD=1", "CHILD=2", f"CHILD=3 {FULL}"],
            both={"Episodes": ["DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=E2"]},
            last={"Episodes": ["CHILD=2 DECOM=01/01/2024 RNE=S LS=C2 DEC=01/06/2025 REC=e2"]},
        ),
        note="Died in care (REC E2) in this year's episodes or, when loaded, last year's.",
    ),
    rule(
        "1007",
        where(
            "OC3",
            f"{OC3_DATA} AND {AGED_17_18} AND {LOOKED_AFTER_ON_BIRTHDAY} "
            f"AND NOT {CEASED_AFTER_BIRTHDAY}",
            header=True,
        ),
        fixture=fx(
            "OC3",
            [_oc3("1")],
            [_oc3("1", data=False), _oc3("2"), _oc3("3"), _oc3("4"), _oc3("5")],
            both=BIRTHDAY_EPISODES,
        ),
        note="The 17th or 18th birthday falling in the year; looked after on it (an episode "
        "begun on or before it and not ended by it) and not ceasing to be looked after later "
        "(that is rule 1016). Leaving care on the birthday itself is not 'still looked after'.",
    ),
    rule(
        "1016",
        where(
            "OC3",
            f"{OC3_DATA} AND {AGED_17_18} AND {CEASED_AFTER_BIRTHDAY}",
            header=True,
        ),
        fixture=fx(
            "OC3",
            [_oc3("2")],
            [_oc3("1"), _oc3("2", data=False), _oc3("3"), _oc3("4"), _oc3("6")],
            both=BIRTHDAY_EPISODES,
        ),
        note="The 17th or 18th birthday falling in the year; an episode ends care (REC other "
        "than X1) after it. Leaving on the birthday itself is not after it. " + PV_365_NOTE,
    ),
    rule(
        "1011",
        where("OC3", f"{OC3_DATA} AND {TRANSFERRED}"),
        fixture=fx(
            "OC3",
            [f"CHILD=1 {FULL}", f"CHILD=2 {FULL}"],
            ["CHILD=1", f"CHILD=3 {FULL}", f"CHILD=4 {FULL}"],
            both={
                "Episodes": [
                    "CHILD=1 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=X1",
                    "CHILD=1 DECOM=01/06/2026 RNE=P LS=C2 DEC=01/08/2026 REC=E3",
                    "CHILD=3 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=E3",
                    "CHILD=3 DECOM=01/09/2026 RNE=S LS=C2",
                    "CHILD=4 DECOM=01/05/2026 RNE=S LS=C2 DEC=01/09/2026 REC=E13",
                ]
            },
            last={
                "Episodes": [
                    "CHILD=2 DECOM=01/01/2024 RNE=S LS=C2 DEC=01/06/2025 REC=E3",
                    "CHILD=4 DECOM=01/01/2024 RNE=S LS=C2 DEC=01/06/2025 REC=E3",
                ]
            },
        ),
        note="The final episode is the child's latest in this year's return or, when the child "
        "has none this year, in last year's (when loaded).",
    ),
    rule(
        "1012",
        query(
            " UNION ALL ".join(
                select(table, f"t.CHILD IN {OC3_NO_EPISODE}") for table in OTHER_TABLES
            ),
            "Episodes",
            "OC3",
            *OTHER_TABLES,
        ),
        fixture=Fixture(
            failing={
                "OC3": parse_rows(f"CHILD=1 {FULL}", f"CHILD=2 {FULL}"),
                "Episodes": parse_rows(
                    "CHILD=2 DECOM=01/01/2025 RNE=S LS=C2",
                    "CHILD=1 DECOM=01/01/2024 RNE=S LS=C2 DEC=31/03/2026 REC=E13",
                ),
                "Reviews": parse_rows("CHILD=1 REVIEW=01/06/2026 REVIEW_CODE=PN1"),
                "Missing": parse_rows("CHILD=2 MISSING=M", "CHILD=1 MISSING=M"),
                "OC2": parse_rows("CHILD=1 SDQ_SCORE=10"),
            },
            passing={
                "OC3": parse_rows(f"CHILD=1 {FULL}", f"CHILD=2 {FULL}"),
                "Episodes": parse_rows(
                    "CHILD=2 DECOM=01/01/2025 RNE=S LS=C2",
                    "CHILD=1 DECOM=01/01/2024 RNE=S LS=C2 DEC=01/04/2026 REC=E13",
                ),
                "Reviews": parse_rows("CHILD=1 REVIEW=01/06/2026 REVIEW_CODE=PN1"),
                "Missing": parse_rows("CHILD=2 MISSING=M", "CHILD=3 MISSING=M"),
            },
            flagged=(("Reviews", 2), ("Missing", 3), ("OC2", 2)),
        ),
        note="Rows of Reviews, OC2, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes and DoLo "
        "for a child of the OC3 table with no episode open on any day of the year (UASC rows "
        "are rule 1014's).",
    ),
    rule(
        "1014",
        query(
            select(
                "UASC",
                f"t.CHILD IN {OC3_NO_EPISODE} AND t.CHILD IN "
                f'(SELECT o.CHILD FROM "OC3" o WHERE {written(OC3_ITEMS, "o")})',
            )
            + " UNION ALL "
            + select(
                "OC3",
                f"{OC3_DATA} AND t.CHILD IN {OC3_NO_EPISODE} "
                'AND t.CHILD IN (SELECT CHILD FROM "UASC" WHERE CHILD IS NOT NULL)',
            ),
            "UASC",
            "OC3",
            "Episodes",
        ),
        fixture=Fixture(
            failing={
                "UASC": parse_rows("CHILD=1 DUC=01/01/2027", "CHILD=3 DUC=01/01/2027"),
                "OC3": parse_rows(f"CHILD=1 {FULL}", "CHILD=3"),
                "Episodes": parse_rows("CHILD=2 DECOM=01/01/2025 RNE=S LS=C2"),
            },
            passing={
                "UASC": parse_rows("CHILD=2 DUC=01/01/2027", "CHILD=3 DUC=01/01/2027"),
                "OC3": parse_rows(f"CHILD=2 {FULL}", "CHILD=3", f"CHILD=4 {FULL}"),
                "Episodes": parse_rows("CHILD=2 DECOM=01/01/2025 RNE=S LS=C2"),
            },
            flagged=(("UASC", 2), ("OC3", 2)),
        ),
        note="Care leavers: children with care leaver information and no episode open on any "
        "day of the year. Both the UASC row and the OC3 row are reported.",
    ),
    rule(
        "3001",
        where("OC3", f"t.ACCOM IN ('Z1', 'Z2') AND {AGE_END} = 17", header=True),
        fixture=fx(
            "OC3",
            [
                "DOB=01/04/2009 IN_TOUCH=YES ACTIV=F1 ACCOM=Z1",
                "CHILD=2 DOB=31/03/2010 IN_TOUCH=YES ACTIV=F1 ACCOM=z2",
            ],
            [
                "DOB=31/03/2009 IN_TOUCH=YES ACTIV=F1 ACCOM=Z1",
                "CHILD=2 DOB=01/04/2010 IN_TOUCH=YES ACTIV=F1 ACCOM=Z1",
                "CHILD=3 DOB=01/04/2009 IN_TOUCH=YES ACTIV=F1 ACCOM=B1",
            ],
        ),
        note="Around the 17th birthday: the 17th birthday falls in the year (17 on 31 March). "
        "Former foster carers are ACCOM Z1/Z2.",
    ),
]
