"""SSDA903 OC2 (outcomes of children looked after 12 months at 31 March) and AD1 completeness.

The OC2 cohort and the shared snippets are in `oc_common`. Ages: "at the start of the year" is the
age in completed years on 1 April, "at the end of the year" / "at 31 March" on 31 March.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, fx, parse_rows, rule
from datamonger.validation.rules.ssda903.oc_common import (
    AD1_ITEMS,
    AGE_END,
    AGE_START,
    CLA12,
    CLA12_NOTE,
    OC2_CORE,
    OC2_ITEMS,
    OC3_ITEMS,
    any_blank,
    cla12_episodes,
    written,
)
from datamonger.validation.templates import all_or_none, query, select, where

SDQ = ("SDQ_SCORE", "SDQ_REASON")
NO_SDQ = "blank(t.SDQ_SCORE_raw) AND blank(t.SDQ_REASON_raw)"
IN_CLA12 = f"t.CHILD IN {CLA12}"
NOT_CLA12 = f"t.CHILD NOT IN {CLA12}"
CORE_OK = " ".join(f"{f}=1" for f in OC2_CORE)  # the four core items, all written
CLA = {"Episodes": cla12_episodes("1", "2", "3")}  # children 1-3 looked after 12 months
CLA_ROWS = {t: parse_rows(*rows) for t, rows in CLA.items()}

RULES = [
    rule(
        "151",
        all_or_none("AD1", " ".join(AD1_ITEMS)),
        fixture=fx(
            "AD1",
            [
                "DATE_INT=01/05/2026",
                "CHILD=2 DATE_INT=01/05/2026 DATE_MATCH=01/06/2026 "
                "FOSTER_CARE=0 NB_ADOPTR=1 SEX_ADOPTR=MF",
            ],
            [
                "DATE_INT=01/05/2026 DATE_MATCH=01/06/2026 FOSTER_CARE=0 NB_ADOPTR=1 "
                "SEX_ADOPTR=MF LS_ADOPTR=L0",
                "CHILD=2",
            ],
        ),
    ),
    # --- who belongs to the OC2 cohort -------------------------------------------------------------
    rule(
        "185",
        where("OC2", f"NOT blank(t.SDQ_SCORE_raw) AND {NOT_CLA12}"),
        fixture=fx(
            "OC2",
            [f"CHILD={c} SDQ_SCORE=10" for c in ("2", "4", "5", "6", "8", "9")],
            ["CHILD=1 SDQ_SCORE=10", "CHILD=3 SDQ_SCORE=10", "CHILD=7 SDQ_SCORE=10", "CHILD=2"],
            both={
                "Episodes": [
                    *cla12_episodes("1"),
                    "CHILD=2 DECOM=01/05/2026 RNE=S LS=C2",  # started in the year
                    "CHILD=3 DECOM=01/04/2026 RNE=S LS=C2",  # started on 1 April: 12 months
                    "CHILD=4 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=E13",  # left
                    "CHILD=5 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=E13",  # left, and
                    "CHILD=5 DECOM=01/07/2026 RNE=S LS=C2",  # came back
                    "CHILD=6 DECOM=01/01/2025 RNE=S LS=V3",  # short breaks
                    "CHILD=7 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=X1",  # moved
                    "CHILD=7 DECOM=01/06/2026 RNE=P LS=C2",
                    # child 8 has no episode
                    "CHILD=9 DECOM=01/01/2025 RNE=S LS=C2 DEC=31/03/2027 REC=E13",  # left 31/3
                ]
            },
        ),
        note=CLA12_NOTE,
    ),
    rule(
        "198",
        where("OC2", f"NOT blank(t.SDQ_REASON_raw) AND {NOT_CLA12}"),
        fixture=fx(
            "OC2",
            ["CHILD=4 SDQ_REASON=SDQ2"],
            ["CHILD=1 SDQ_REASON=SDQ2", "CHILD=4"],
            both=CLA,
        ),
        note=CLA12_NOTE,
    ),
    rule(
        "190",
        where("OC2", f"{written(OC2_ITEMS)} AND {NOT_CLA12}"),
        fixture=fx(
            "OC2",
            ["CHILD=4 CONVICTED=0", "CHILD=5 INTERVENTION_OFFERED=1"],
            [f"CHILD=1 CONVICTED=0 {CORE_OK}", "CHILD=4 SDQ_SCORE=10"],
            both=CLA,
        ),
        note=CLA12_NOTE,
    ),
    rule(
        "191",
        query(
            select("OC2", f"{IN_CLA12} AND {any_blank(OC2_CORE)}")
            + " UNION ALL "
            + select(
                "Episodes",
                f'{IN_CLA12} AND t.CHILD NOT IN (SELECT CHILD FROM "OC2" WHERE CHILD IS NOT NULL) '
                'AND t.seq = (SELECT max(x.seq) FROM "Episodes" x WHERE x.CHILD = t.CHILD)',
            ),
            "OC2",
            "Episodes",
        ),
        fixture=fx(
            "OC2",
            ["CHILD=1 IMMUNISATIONS=1 TEETH_CHECK=1 HEALTH_ASSESSMENT=1", "CHILD=4"],
            [f"CHILD=1 {CORE_OK}", f"CHILD=2 {CORE_OK}", f"CHILD=3 {CORE_OK}", "CHILD=4"],
            both={
                "Episodes": [
                    *cla12_episodes("1", "2"),
                    "CHILD=3 DECOM=01/01/2025 RNE=S LS=C2 DEC=01/06/2026 REC=X1",
                    "CHILD=3 DECOM=01/06/2026 RNE=P LS=C2",
                    "CHILD=4 DECOM=01/05/2026 RNE=S LS=C2",
                ]
            },
            flagged=[("OC2", 2), ("Episodes", 3), ("Episodes", 5)],
        ),
        note=CLA12_NOTE + " A child of the cohort with no OC2 row at all is reported on the "
        "episode open at 31 March.",
    ),
    rule(
        "187",
        query(
            select("AD1", f"{IN_CLA12} AND {written(AD1_ITEMS)}")
            + " UNION ALL "
            + select("OC3", f"{IN_CLA12} AND {written(OC3_ITEMS)}"),
            "AD1",
            "OC3",
            "Episodes",
        ),
        fixture=Fixture(
            failing={
                **CLA_ROWS,
                "AD1": parse_rows("CHILD=1 DATE_INT=01/05/2026"),
                "OC3": parse_rows("CHILD=2 IN_TOUCH=YES", "CHILD=4 IN_TOUCH=YES", "CHILD=3"),
            },
            passing={
                **CLA_ROWS,
                "AD1": parse_rows("CHILD=4 DATE_INT=01/05/2026", "CHILD=2"),
                "OC3": parse_rows("CHILD=5 IN_TOUCH=YES", "CHILD=3"),
            },
            flagged=(("AD1", 2), ("OC3", 2)),
        ),
        note=CLA12_NOTE,
    ),
    # --- SDQ by age --------------------------------------------------------------------------------
    rule(
        "186",
        where(
            "OC2", f"{IN_CLA12} AND {AGE_START} >= 4 AND {AGE_END} < 17 AND {NO_SDQ}", header=True
        ),
        fixture=fx(
            "OC2",
            ["CHILD=1 DOB=01/04/2022", "CHILD=2 DOB=01/04/2010"],
            [
                "CHILD=1 DOB=01/04/2022 SDQ_SCORE=0",
                "CHILD=2 DOB=01/04/2010 SDQ_REASON=SDQ2",
                "CHILD=3 DOB=02/04/2022",
                "CHILD=4 DOB=01/01/2015",
            ],
            both=CLA,
        ),
        note="Aged 4 or over on 1 April and under 17 on 31 March. " + CLA12_NOTE + " A reason "
        "for no SDQ score (SDQ_REASON) also satisfies the rule: the reasons exist for children "
        "of this age (the public validator's any-blank test flags a score without a reason).",
    ),
    rule(
        "197B",
        where(
            "OC2",
            f"{IN_CLA12} AND {NO_SDQ} AND (({AGE_START} < 4 AND {AGE_END} >= 4) "
            f"OR ({AGE_START} < 17 AND {AGE_END} >= 17))",
            header=True,
        ),
        fixture=fx(
            "OC2",
            ["CHILD=1 DOB=02/04/2022", "CHILD=2 DOB=31/03/2010"],
            [
                "CHILD=1 DOB=02/04/2022 SDQ_SCORE=0",
                "CHILD=2 DOB=31/03/2010 SDQ_REASON=SDQ1",
                "CHILD=3 DOB=01/04/2022",
                "CHILD=4 DOB=02/04/2022",
            ],
            both=CLA,
        ),
        note="4- and 17-year-olds: children whose 4th or 17th birthday falls after 1 April and on "
        "or before 31 March (rule 186 covers ages 4-16 for the whole year). " + CLA12_NOTE,
    ),
    rule(
        "188",
        where("OC2", f"{AGE_END} < 4 AND {written(SDQ)}", header=True),
        fixture=fx(
            "OC2",
            ["DOB=01/04/2023 SDQ_SCORE=5", "CHILD=2 DOB=01/04/2023 SDQ_REASON=SDQ1"],
            ["DOB=31/03/2023 SDQ_SCORE=5", "CHILD=2 DOB=01/04/2023"],
        ),
        note="Under 4 on 31 March.",
    ),
    rule(
        "189",
        where("OC2", f"{AGE_START} >= 17 AND {written(SDQ)}", header=True),
        fixture=fx(
            "OC2",
            ["DOB=01/04/2009 SDQ_SCORE=5", "CHILD=2 DOB=01/04/2009 SDQ_REASON=SDQ1"],
            ["DOB=02/04/2009 SDQ_SCORE=5", "CHILD=2 DOB=01/04/2009"],
            both={"Header": ["CHILD=2 DOB=01/04/2009"]},
        ),
        note="17 or over on 1 April.",
    ),
    rule(
        "157",
        where(
            "OC2",
            f"t.SDQ_REASON = 'SDQ1' AND {AGE_START} >= 4 AND {AGE_END} <= 16 AND {IN_CLA12}",
            header=True,
        ),
        fixture=fx(
            "OC2",
            ["CHILD=1 DOB=01/04/2022 SDQ_REASON=sdq1", "CHILD=2 DOB=01/04/2010 SDQ_REASON=SDQ1"],
            [
                "CHILD=1 DOB=02/04/2022 SDQ_REASON=SDQ1",
                "CHILD=2 DOB=31/03/2010 SDQ_REASON=SDQ1",
                "CHILD=3 DOB=01/01/2015 SDQ_REASON=SDQ2",
                "CHILD=4 DOB=01/01/2015 SDQ_REASON=SDQ1",
            ],
            both=CLA,
        ),
        note="Read as 'aged 4 or over on 1 April AND 16 or under on 31 March' (with 'or' every "
        "child would qualify); SDQ1 says the child was outside the SDQ ages. Checked for the OC2 "
        "cohort only (rule 198 reports a reason given outside it). The public validator tests "
        "the 16th birthday on or after 31 March (DOB plus 16 years >= 31 March), so it leaves "
        "out young people who turned 16 before 31 March; we keep the DfE's '16 or under'. "
        + CLA12_NOTE,
    ),
    rule(
        "197a",
        where("OC2", "NOT blank(t.SDQ_SCORE_raw) AND NOT blank(t.SDQ_REASON_raw)"),
        fixture=fx(
            "OC2",
            ["SDQ_SCORE=12 SDQ_REASON=SDQ2"],
            ["SDQ_SCORE=12", "CHILD=2 SDQ_REASON=SDQ2"],
        ),
    ),
    # --- health, convictions, substance misuse -----------------------------------------------------
    rule(
        "182",
        where("OC2", f"{written(OC2_ITEMS)} AND {any_blank(OC2_CORE)}"),
        fixture=fx(
            "OC2",
            ["CONVICTED=0", "CHILD=2 IMMUNISATIONS=1 TEETH_CHECK=1 HEALTH_ASSESSMENT=1"],
            [CORE_OK, f"CHILD=2 {CORE_OK} CONVICTED=1", "CHILD=3 SDQ_SCORE=10"],
        ),
        note="'All OC2 fields' are the eight items of the rule; the SDQ fields are checked by "
        "their own rules.",
    ),
    rule(
        "544",
        where("OC2", f"NOT blank(t.CONVICTED_raw) AND {any_blank(OC2_CORE)}"),
        fixture=fx(
            "OC2",
            ["CONVICTED=0 IMMUNISATIONS=1 TEETH_CHECK=1 HEALTH_ASSESSMENT=1"],
            [f"CONVICTED=0 {CORE_OK}", "CHILD=2 IMMUNISATIONS=1"],
        ),
    ),
    rule(
        "547",
        where("OC2", f"NOT blank(t.HEALTH_CHECK_raw) AND {any_blank(OC2_CORE)}"),
        fixture=fx(
            "OC2",
            ["HEALTH_CHECK=1 TEETH_CHECK=1 HEALTH_ASSESSMENT=1 SUBSTANCE_MISUSE=0"],
            [f"HEALTH_CHECK=1 {CORE_OK}", "CHILD=2 TEETH_CHECK=1"],
        ),
    ),
    rule(
        "542",
        where("OC2", f"{AGE_END} < 10 AND NOT blank(t.CONVICTED_raw)", header=True),
        fixture=fx(
            "OC2",
            ["DOB=01/04/2017 CONVICTED=0"],
            ["DOB=31/03/2017 CONVICTED=0", "CHILD=2 DOB=01/04/2017"],
        ),
        note="Age on 31 March.",
    ),
    rule(
        "543",
        where("OC2", f"{AGE_END} >= 10 AND {IN_CLA12} AND blank(t.CONVICTED_raw)", header=True),
        fixture=fx(
            "OC2",
            ["CHILD=1 DOB=31/03/2017"],
            [
                "CHILD=1 DOB=31/03/2017 CONVICTED=0",
                "CHILD=2 DOB=01/04/2017",
                "CHILD=4 DOB=01/01/2010",
            ],
            both=CLA,
        ),
        note="Age on 31 March. " + CLA12_NOTE,
    ),
    rule(
        "545",
        where("OC2", f"{AGE_END} < 5 AND {IN_CLA12} AND blank(t.HEALTH_CHECK_raw)", header=True),
        fixture=fx(
            "OC2",
            ["CHILD=1 DOB=01/04/2022"],
            [
                "CHILD=1 DOB=01/04/2022 HEALTH_CHECK=1",
                "CHILD=2 DOB=31/03/2022",
                "CHILD=4 DOB=01/01/2024",
            ],
            both=CLA,
        ),
        note="Age on 31 March. " + CLA12_NOTE,
    ),
    rule(
        "546",
        where(
            "OC2",
            f"{AGE_END} >= 5 AND {IN_CLA12} AND NOT blank(t.HEALTH_CHECK_raw)",
            header=True,
        ),
        fixture=fx(
            "OC2",
            ["CHILD=1 DOB=31/03/2022 HEALTH_CHECK=0"],
            [
                "CHILD=1 DOB=01/04/2022 HEALTH_CHECK=0",
                "CHILD=2 DOB=31/03/2022",
                "CHILD=4 DOB=31/03/2022 HEALTH_CHECK=0",  # not looked after 12 months
            ],
            both=CLA,
        ),
        note="Age on 31 March, for children looked after continuously for 12 months (the DfE's "
        "condition; health promotion information is asked of the OC2 cohort under 5, rule "
        "545). " + CLA12_NOTE,
    ),
    rule(
        "192",
        where("OC2", "t.SUBSTANCE_MISUSE = '1' AND blank(t.INTERVENTION_RECEIVED_raw)"),
        fixture=fx(
            "OC2",
            ["SUBSTANCE_MISUSE=1"],
            ["SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=0", "CHILD=2 SUBSTANCE_MISUSE=0"],
        ),
    ),
    rule(
        "193",
        where(
            "OC2",
            "coalesce(t.SUBSTANCE_MISUSE, '') <> '1' AND "
            + written(("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")),
        ),
        fixture=fx(
            "OC2",
            ["SUBSTANCE_MISUSE=0 INTERVENTION_RECEIVED=1", "CHILD=2 INTERVENTION_OFFERED=0"],
            ["SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=1", "CHILD=2 SUBSTANCE_MISUSE=0"],
        ),
        note="'Not identified' is SUBSTANCE_MISUSE other than 1, blank included.",
    ),
    rule(
        "158",
        where("OC2", "t.INTERVENTION_RECEIVED = '1' AND NOT blank(t.INTERVENTION_OFFERED_raw)"),
        fixture=fx(
            "OC2",
            ["SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=1 INTERVENTION_OFFERED=1"],
            [
                "SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=1",
                "CHILD=2 SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=0 INTERVENTION_OFFERED=1",
            ],
        ),
    ),
    rule(
        "159",
        where(
            "OC2",
            "t.SUBSTANCE_MISUSE = '1' AND t.INTERVENTION_RECEIVED = '0' "
            "AND blank(t.INTERVENTION_OFFERED_raw)",
        ),
        fixture=fx(
            "OC2",
            ["SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=0"],
            [
                "SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=0 INTERVENTION_OFFERED=0",
                "CHILD=2 SUBSTANCE_MISUSE=1 INTERVENTION_RECEIVED=1",
            ],
        ),
        note="Asked only when a substance misuse problem was identified (SUBSTANCE_MISUSE 1); "
        "otherwise rule 193 wants both intervention items blank.",
    ),
    # --- OC2 next to OC3 and AD1 -------------------------------------------------------------------
    rule(
        "215",
        query(
            select(
                "OC3",
                f"{written(OC3_ITEMS)} AND {written(OC2_ITEMS, 'o')}",
                'JOIN "OC2" o ON o.CHILD = t.CHILD',
            )
            + " UNION ALL "
            + select(
                "OC2",
                f"{written(OC2_ITEMS)} AND {written(OC3_ITEMS, 'o')}",
                'JOIN "OC3" o ON o.CHILD = t.CHILD',
            ),
            "OC3",
            "OC2",
        ),
        fixture=fx(
            "OC2",
            ["CHILD=1 IMMUNISATIONS=1"],
            ["CHILD=1 SDQ_SCORE=10", "CHILD=2 IMMUNISATIONS=1"],
            both={"OC3": ["CHILD=1 IN_TOUCH=YES ACTIV=F1 ACCOM=B1", "CHILD=2"]},
            flagged=[("OC3", 2), ("OC2", 2)],
        ),
    ),
]
