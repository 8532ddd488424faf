"""SSDA903 rules the DfE deleted from 2024/25 on; they still check the 2022/23 and 2023/24 returns
(the years in force come from the DfE's list): placement types P2 and H5 after 28 October 2023,
independent living under 16, freeing orders (legal status D1, abolished on 30 December 2005) and
the first year's social worker episodes (SWEpisodes, 2023/24 only).

A child is looked after on 31 March as in `social_workers.py`: an episode begun by then and not
ended by 31 March, other than an agreed series of short breaks (V3/V4).
"""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.rules.ssda903.b_common import (
    PV_365_NOTE,
    V34,
    at,
    each_year,
    fxm,
    union,
)
from datamonger.validation.rules.ssda903.oc_common import any_blank
from datamonger.validation.rules.ssda903.social_workers import LOOKED_AFTER_31_MARCH, open_31_march
from datamonger.validation.templates import query, select, where

# 217t, 230: the placement still in use on or after 28 October 2023 (begun that day or later, or
# ended after it, or still open).
FROM_28_OCT_2023 = "(t.DECOM >= DATE '2023-10-28' OR blank(t.DEC_raw) OR t.DEC > DATE '2023-10-28')"
OUTSIDE_ENGLAND = "('SCO', 'WAL', 'NIR')"  # PL_LA outside England (derived from PL_POST)


def _sw_has(field: str) -> str:
    """The child has a social worker episode with `field` written."""
    return (
        f'EXISTS (SELECT 1 FROM "SWEpisodes" s WHERE s.CHILD = t.CHILD '
        f"AND NOT blank(s.{field}_raw))"
    )


# 555: a child freed for adoption (D1) without a decision to place for adoption; or still freed
# (the D1 episode open) when every decision has ceased. The ceased decisions are reported too.
NO_DECISION = (
    "t.LS = 'D1' AND t.CHILD IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"PlacedAdoption\" p "
    "WHERE p.CHILD = t.CHILD AND NOT blank(p.DATE_PLACED_raw))"
)
CEASED = "(NOT blank(p.DATE_PLACED_CEASED_raw) OR NOT blank(p.REASON_PLACED_CEASED_raw))"
ALL_CEASED = (
    "t.LS = 'D1' AND blank(t.DEC_raw) AND t.CHILD IS NOT NULL "
    'AND EXISTS (SELECT 1 FROM "PlacedAdoption" p WHERE p.CHILD = t.CHILD '
    "AND NOT blank(p.DATE_PLACED_raw)) "
    'AND NOT EXISTS (SELECT 1 FROM "PlacedAdoption" p WHERE p.CHILD = t.CHILD '
    f"AND NOT blank(p.DATE_PLACED_raw) AND NOT {CEASED})"
)
FREED_WITHOUT_DECISION = union(
    select("Episodes", f"({NO_DECISION}) OR ({ALL_CEASED})"),
    at(
        "PlacedAdoption",
        f'SELECT p.source_file, p.source_line FROM "PlacedAdoption" p WHERE {CEASED} '
        f'AND p.CHILD IN (SELECT t.CHILD FROM "Episodes" t WHERE {ALL_CEASED})',
    ),
)

# 556: the freeing order was granted on or before the DECOM of each D1 episode; the child's
# decisions must include one on or before it. The episode and the child's earliest decision are
# reported.
DECISION_AFTER_FREEING = (
    "t.LS = 'D1' AND t.DECOM IS NOT NULL "
    'AND EXISTS (SELECT 1 FROM "PlacedAdoption" p WHERE p.CHILD = t.CHILD '
    "AND p.DATE_PLACED IS NOT NULL) "
    'AND NOT EXISTS (SELECT 1 FROM "PlacedAdoption" p WHERE p.CHILD = t.CHILD '
    "AND p.DATE_PLACED <= t.DECOM)"
)
LATE_DECISION = union(
    select("Episodes", DECISION_AFTER_FREEING),
    select(
        "PlacedAdoption",
        't.DATE_PLACED = (SELECT min(x.DATE_PLACED) FROM "PlacedAdoption" x '
        'WHERE x.CHILD = t.CHILD) AND t.CHILD IN (SELECT t.CHILD FROM "Episodes" t '
        f"WHERE {DECISION_AFTER_FREEING})",
    ),
)

# SW11aSTG2 (SW11bSTG2 has the same message): the handover. An episode of a child looked after
# on 31 March ended at least 5 days before 31 March; another episode must take over: begun no later
# than 5 days after it ended, and going on beyond its end.
HANDOVER_DAYS = 5
NO_SUCCESSOR = (
    f"t.SW_DECOM IS NOT NULL AND t.SW_DEC <= {{end}} - INTERVAL {HANDOVER_DAYS} DAY "
    f"AND t.CHILD IN {LOOKED_AFTER_31_MARCH} "
    'AND NOT EXISTS (SELECT 1 FROM "SWEpisodes" o WHERE o.CHILD = t.CHILD '
    "AND (o.source_file, o.source_line) <> (t.source_file, t.source_line) "
    f"AND o.SW_DECOM <= t.SW_DEC + INTERVAL {HANDOVER_DAYS} DAY "
    "AND (o.SW_DEC IS NULL OR o.SW_DEC > t.SW_DEC))"
)

SW_FULL = "SW_ID=SW1 SW_DECOM=01/04/2023 SW_REASON=MANAGE"
SW_NEXT = "SW_ID=SW2 SW_DECOM=01/06/2023 SW_REASON=LEFTRL"  # child 1's later (open) episode
CLA = "DECOM=01/05/2023 RNE=S LS=C2 PLACE=U1"  # looked after on 31 March 2024

RULES = [
    rule(
        "217t",
        where("Episodes", f"t.PLACE = 'P2' AND {FROM_28_OCT_2023}"),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2023 PLACE=P2",  # still open
                "DECOM=01/05/2023 DEC=29/10/2023 PLACE=P2",
                "DECOM=01/11/2023 DEC=01/12/2023 PLACE=P2",
            ],
            [
                "DECOM=01/05/2023 DEC=28/10/2023 PLACE=P2",  # ended on 28 October
                "DECOM=28/10/2023 PLACE=H5",
            ],
            year=2024,
        ),
        note="P2 placements in use on or after 28 October 2023: begun that day or later, ended "
        "after it, or still open. An episode ending on 28 October passes.",
    ),
    rule(
        "230",
        where(
            "Episodes",
            "t.PLACE = 'H5' AND (t.URN IS NULL OR t.URN = 'XXXXXXX') "
            f"AND (t.LS IS NULL OR t.LS NOT IN {V34}) "
            f"AND (t.PL_LA IS NULL OR t.PL_LA NOT IN {OUTSIDE_ENGLAND}) AND {FROM_28_OCT_2023}",
        ),
        needs=("postcodes",),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2023 PLACE=H5",
                "DECOM=01/05/2023 DEC=29/10/2023 PLACE=H5 URN=XXXXXXX",
                "DECOM=01/11/2023 PLACE=H5 PL_POST=M1_1AE",
            ],
            [
                "DECOM=01/05/2023 PLACE=H5 URN=SC123456",
                "DECOM=01/05/2023 DEC=28/10/2023 PLACE=H5",  # ended on 28 October
                "DECOM=01/05/2023 PLACE=H5 PL_POST=EH1_1AA",  # placed in Scotland
                "DECOM=01/05/2023 PLACE=H5 LS=V3",  # short breaks: URN must be blank (214)
                "DECOM=01/05/2023 PLACE=K2",
            ],
            year=2024,
        ),
        note="H5 placements in use on or after 28 October 2023 (begun that day or later, ended "
        "after it, or still open). The placeholder XXXXXXX is not a URN. Not asked outside "
        "England (PL_LA SCO/WAL/NIR, from the postcode; an unknown postcode counts as English) "
        "nor of short breaks (V3/V4), whose URN must be blank (rule 214).",
    ),
    rule(
        "370",
        where("Episodes", "t.PLACE = 'P2' AND age(h.DOB, t.DECOM) < 16", header=True),
        fixture=fx(
            "Episodes",
            ["DECOM=01/06/2023 PLACE=P2"],
            ["CHILD=2 DECOM=01/06/2023 PLACE=P2", "DECOM=01/06/2023 PLACE=U1"],
            both={"Header": ["DOB=02/06/2007", "CHILD=2 DOB=01/06/2007"]},
            year=2024,
        ),
        note="Age in completed years on the day the independent living placement (P2) began.",
    ),
    rule(
        "445",
        where("Episodes", "t.LS = 'D1' AND t.DECOM > DATE '2005-12-31'"),
        # a fixed day, and episodes begun in each year
        fixture=each_year(
            lambda y: fx(
                "Episodes",
                ["DECOM=01/01/2006 LS=D1", f"DECOM=01/05/{y - 1} LS=D1"],
                ["DECOM=31/12/2005 LS=D1", f"DECOM=01/05/{y - 1} LS=C2", "LS=D1"],
            )
        ),
        note="Every D1 episode begun from 1 January 2006, a later placement of a child freed "
        "before then included.",
    ),
    rule(
        "451",
        where("Episodes", "t.LS = 'D1' AND blank(t.DEC_raw)"),
        fixture=fx(
            "Episodes",
            ["DECOM=01/05/2005 LS=D1"],
            [
                "DECOM=01/05/2005 LS=D1 DEC=01/06/2023 REC=X1",
                "DECOM=01/06/2023 LS=C2",
            ],
            year=2024,
        ),
        note="Still freed: a D1 episode left open (DEC blank) at the end of the year. "
        + PV_365_NOTE,
    ),
    rule(
        "555",
        query(FREED_WITHOUT_DECISION, "Episodes", "PlacedAdoption"),
        fixture=fxm(
            {
                "Episodes": [
                    "DECOM=01/05/2005 LS=D1",  # no decision at all
                    "CHILD=2 DECOM=01/05/2005 LS=D1",  # still freed, every decision ceased
                    "CHILD=3 DECOM=01/05/2005 LS=D1 DEC=01/06/2023 REC=E11",  # no decision
                ],
                "PlacedAdoption": [
                    "CHILD=2 DATE_PLACED=01/02/2005 DATE_PLACED_CEASED=01/03/2023 "
                    "REASON_PLACED_CEASED=RD1",
                    "CHILD=4 DATE_PLACED=01/02/2005",
                ],
            },
            {
                "Episodes": [
                    "CHILD=2 DECOM=01/05/2005 LS=D1",
                    "CHILD=3 DECOM=01/05/2005 LS=D1 DEC=01/06/2023 REC=E11",
                    "CHILD=4 DECOM=01/05/2005 LS=C2",
                ],
                "PlacedAdoption": [
                    "CHILD=2 DATE_PLACED=01/01/2004 DATE_PLACED_CEASED=01/06/2004 "
                    "REASON_PLACED_CEASED=RD1",
                    "CHILD=2 DATE_PLACED=01/02/2005",  # the decision in force
                    # ceased once the child left the freeing episode
                    "CHILD=3 DATE_PLACED=01/02/2005 DATE_PLACED_CEASED=01/06/2023 "
                    "REASON_PLACED_CEASED=RD1",
                ],
            },
            flagged=[("Episodes", 2), ("Episodes", 3), ("Episodes", 4), ("PlacedAdoption", 2)],
            year=2024,
        ),
        note="Freed for adoption: an episode with legal status D1. Fails when the child has no "
        "decision to place for adoption (no PlacedAdoption row with DATE_PLACED), or is still "
        "freed (the D1 episode open) while every decision has ceased (DATE_PLACED_CEASED or "
        "REASON_PLACED_CEASED written); the ceased decisions are reported with the episode.",
    ),
    rule(
        "556",
        query(LATE_DECISION, "Episodes", "PlacedAdoption"),
        fixture=fxm(
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/06/2005",
                    "CHILD=2 DATE_PLACED=01/02/2005",
                ]
            },
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/05/2005",  # the same day
                    "CHILD=2 DATE_PLACED=01/02/2005",
                ]
            },
            both={
                "Episodes": [
                    "DECOM=01/05/2005 LS=D1 DEC=01/06/2023 REC=X1",
                    "DECOM=01/06/2023 LS=D1",  # a new placement under the same order
                    "CHILD=2 DECOM=01/03/2005 LS=D1",
                    "CHILD=3 DECOM=01/03/2005 LS=D1",  # no decision: rule 555
                ]
            },
            flagged=[("Episodes", 2), ("PlacedAdoption", 2)],
            year=2024,
        ),
        note="The freeing order was granted on or before the start (DECOM) of each D1 episode: "
        "one of the child's decisions (DATE_PLACED) must be on or before it. The episode and "
        "the child's earliest decision are reported; a child with no decision is rule 555's.",
    ),
    rule(
        "SW01STG1",
        where(
            "Episodes",
            f"t.CHILD IS NOT NULL AND {open_31_march('t.')} AND NOT ("
            + " AND ".join(_sw_has(f) for f in ("SW_ID", "SW_DECOM", "SW_REASON"))
            + ")",
        ),
        fixture=fxm(
            {
                "Episodes": [CLA, f"CHILD=2 {CLA}", f"CHILD=3 {CLA}"],
                "SWEpisodes": ["CHILD=2 SW_ID=SW1 SW_DECOM=01/05/2023", "CHILD=4 " + SW_FULL],
            },
            {
                "Episodes": [
                    CLA,
                    f"CHILD=2 {CLA}",
                    "CHILD=3 DECOM=01/05/2023 LS=C2 DEC=01/03/2024 REC=E13",
                    "CHILD=4 DECOM=01/05/2023 LS=V3",
                ],
                "SWEpisodes": [
                    SW_FULL,
                    "CHILD=2 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/06/2023",
                    "CHILD=2 SW_ID=SW2 SW_DECOM=01/06/2023 SW_REASON=MANAGE",
                ],
            },
            year=2024,
        ),
        note="Looked after on 31 March: an episode begun by then and not ended by 31 March, "
        "other than short breaks (V3/V4). Fails when the child's social worker episodes give "
        "no SW_ID, no SW_DECOM or no SW_REASON (none at all included; SWEpisodes is loaded as "
        "CSV, also beside an XML return); the open episode is reported.",
    ),
    rule(
        "SW03STG1",
        where("SWEpisodes", any_blank(("SW_ID", "SW_DECOM", "SW_REASON"))),
        fixture=fx(
            "SWEpisodes",
            [
                "SW_DECOM=01/05/2023 SW_REASON=MANAGE",
                "SW_ID=SW1 SW_REASON=MANAGE",
                "SW_ID=SW1 SW_DECOM=01/05/2023",
            ],
            [SW_FULL, "CHILD=2 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/06/2023 SW_REASON=OTHERS"],
            year=2024,
        ),
        note="SW_ID, SW_DECOM and SW_REASON are asked of every episode, open ones included.",
    ),
    rule(
        "SW11aSTG2",
        where("SWEpisodes", NO_SUCCESSOR),
        fixture=fxm(
            {
                "SWEpisodes": [
                    "SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/03/2024 SW_REASON=MANAGE",  # none
                    "CHILD=2 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/09/2023 SW_REASON=MANAGE",
                    "CHILD=2 SW_ID=SW2 SW_DECOM=07/09/2023 SW_REASON=LEFTRL",  # 6 days later
                    # one ending inside the first does not take over (the first covers it)
                    "CHILD=3 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/09/2023 SW_REASON=MANAGE",
                    "CHILD=3 SW_ID=SW2 SW_DECOM=01/06/2023 SW_DEC=01/07/2023 SW_REASON=ABSENC",
                ]
            },
            {
                "SWEpisodes": [
                    "SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/03/2024 SW_REASON=MANAGE",
                    "SW_ID=SW2 SW_DECOM=01/03/2024 SW_REASON=LEFTRL",
                    "CHILD=2 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/09/2023 SW_REASON=MANAGE",
                    "CHILD=2 SW_ID=SW2 SW_DECOM=06/09/2023 SW_REASON=LEFTRL",  # 5 days later
                    "CHILD=3 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/09/2023 SW_REASON=MANAGE",
                    "CHILD=3 SW_ID=SW2 SW_DECOM=20/08/2023 SW_REASON=LEFTRL",  # overlaps
                    # ended within 5 days of 31 March: SW11bSTG2's
                    "CHILD=4 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=27/03/2024 SW_REASON=MANAGE",
                    # left care
                    "CHILD=5 SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/09/2023 SW_REASON=MANAGE",
                ]
            },
            both={
                "Episodes": [
                    CLA,
                    f"CHILD=2 {CLA}",
                    f"CHILD=3 {CLA}",
                    f"CHILD=4 {CLA}",
                    "CHILD=5 DECOM=01/05/2023 LS=C2 PLACE=U1 DEC=01/09/2023 REC=E13",
                ]
            },
            flagged=[("SWEpisodes", 2), ("SWEpisodes", 3), ("SWEpisodes", 5)],
            year=2024,
        ),
        note="SW11aSTG2 and SW11bSTG2 share the message; SW11a is read as the handover, asked of "
        "children looked after on 31 March: an episode ended at least 5 days before 31 March "
        "needs another that takes over, begun no more than 5 days after it ended and going on "
        "beyond its end (still open, or ending later); overlaps are SW10STG2's. An episode ended in "
        "the last 5 days is left to SW11bSTG2.",
    ),
    rule(
        "SW14STG2",
        where(
            "SWEpisodes",
            'blank(t.SW_DEC_raw) AND EXISTS (SELECT 1 FROM "SWEpisodes" o '
            "WHERE o.CHILD = t.CHILD AND o.SW_DECOM > t.SW_DECOM)",
        ),
        fixture=fx(
            "SWEpisodes",
            ["SW_ID=SW1 SW_DECOM=01/05/2023 SW_REASON=MANAGE", SW_NEXT],
            [
                "SW_ID=SW1 SW_DECOM=01/05/2023 SW_DEC=01/06/2023 SW_REASON=MANAGE",
                SW_NEXT,
                "CHILD=2 SW_ID=SW1 SW_DECOM=01/05/2023 SW_REASON=MANAGE",
            ],
            flagged=[("SWEpisodes", 2)],
            year=2024,
        ),
        note="Every episode but the child's latest (by SW_DECOM) must have ended; the latest may "
        "be open at 31 March.",
    ),
]
