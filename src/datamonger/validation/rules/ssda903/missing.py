"""SSDA903 Missing: periods missing (M) or away without authorisation (A), and the care around them.

A period belongs to the episode it starts in (DECOM <= MIS_START, before DEC or with the episode
still open). A placement runs over episodes joined by a change of legal status only (RNE L on
the day the previous episode ended); it ends with the DEC of its last episode. The child ceases
to be looked after when an episode ends with a REC other than X1.
"""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.rules.ssda903.b_common import PV_365_NOTE
from datamonger.validation.templates import query, select, where

# Per episode: its placement (pl, numbered per child) and the placement's end (blank if open).
PLACEMENTS = """
WITH x AS (
  SELECT CHILD, seq, DECOM, DEC,
         CASE WHEN RNE = 'L' AND DECOM = lag(DEC) OVER w THEN 0 ELSE 1 END AS new_pl
  FROM "Episodes" WHERE CHILD IS NOT NULL AND DECOM IS NOT NULL
  WINDOW w AS (PARTITION BY CHILD ORDER BY seq)),
p AS (SELECT *, sum(new_pl) OVER (PARTITION BY CHILD ORDER BY seq) AS pl FROM x),
last AS (SELECT CHILD, pl, max(seq) AS s FROM p GROUP BY CHILD, pl)
SELECT p.CHILD, p.DECOM, p.DEC, e.DEC AS pl_end
FROM p JOIN last USING (CHILD, pl) JOIN p e ON e.CHILD = p.CHILD AND e.seq = last.s
"""
IN_EPISODE = "x.DECOM <= t.MIS_START AND (x.DEC IS NULL OR t.MIS_START < x.DEC)"
OPEN_MISSING = "t.MIS_START IS NOT NULL AND blank(t.MIS_END_raw)"
CEASED = "x.REC IS NOT NULL AND x.REC <> 'X1'"

RULES = [
    rule(
        "564",
        where("Missing", "NOT blank(t.MISSING_raw) AND blank(t.MIS_START_raw)"),
        fixture=fx(
            "Missing",
            ["MISSING=M", "MISSING=A MIS_END=01/06/2026"],
            ["MISSING=M MIS_START=01/06/2026", ""],
        ),
    ),
    rule(
        "565",
        where("Missing", "NOT blank(t.MIS_START_raw) AND blank(t.MISSING_raw)"),
        fixture=fx(
            "Missing",
            ["MIS_START=01/06/2026", "MIS_START=31/02/2026"],
            ["MISSING=A MIS_START=01/06/2026", "MIS_END=01/06/2026"],
        ),
        note="A start date written but not a valid date counts as completed (rule 1004).",
    ),
    rule(
        "566",
        where("Missing", "NOT blank(t.MIS_END_raw) AND blank(t.MISSING_raw)"),
        fixture=fx(
            "Missing",
            ["MIS_START=01/06/2026 MIS_END=02/06/2026"],
            ["MISSING=M MIS_START=01/06/2026 MIS_END=02/06/2026", "MIS_START=01/06/2026"],
        ),
    ),
    rule(
        "575",
        query(
            select(
                "Missing",
                f"{OPEN_MISSING} AND EXISTS (SELECT 1 FROM ({PLACEMENTS}) x "
                f"WHERE x.CHILD = t.CHILD AND {IN_EPISODE} AND x.pl_end IS NOT NULL)",
            ),
            "Missing",
            "Episodes",
        ),
        fixture=fx(
            "Missing",
            ["MIS_START=10/05/2026"],
            [
                "MIS_START=10/05/2026 MIS_END=12/05/2026",
                "MIS_START=10/07/2026",  # the placement is still open
                "CHILD=2 MIS_START=10/05/2026",  # only the legal status changed on 01/06
            ],
            both={
                "Episodes": [
                    "DECOM=01/05/2026 DEC=01/07/2026 REC=X1",
                    "DECOM=01/07/2026 RNE=P",
                    "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=X1 LS=C1",
                    "CHILD=2 DECOM=01/06/2026 RNE=L LS=C2",
                ]
            },
        ),
        note="The placement the child went missing from is the episode the period starts in, "
        "carried on by episodes that change only the legal status (RNE L); when it has ended "
        "(DEC of its last episode) the period must have an end date. " + PV_365_NOTE,
    ),
    rule(
        "577",
        query(
            select(
                "Missing",
                f'{OPEN_MISSING} AND EXISTS (SELECT 1 FROM "Episodes" x WHERE x.CHILD = t.CHILD '
                f"AND {CEASED} AND x.DEC >= t.MIS_START)",
            ),
            "Missing",
            "Episodes",
        ),
        fixture=fx(
            "Missing",
            ["MIS_START=10/05/2026", "CHILD=2 MIS_START=01/06/2026"],
            [
                "MIS_START=10/05/2026 MIS_END=12/05/2026",
                "CHILD=2 MIS_START=10/06/2026",  # still looked after
                "CHILD=3 MIS_START=10/06/2026",  # began after the care ended (rule 578)
            ],
            both={
                "Episodes": [
                    "DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
                    "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=E4A",
                    "CHILD=2 DECOM=05/06/2026 RNE=S",
                    "CHILD=3 DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
                ]
            },
        ),
        note="The child ceased to be looked after (an episode ending with a REC other than X1) "
        "on or after the day the open period started. " + PV_365_NOTE,
    ),
    rule(
        "578",
        query(
            select(
                "Missing",
                't.MIS_START IS NOT NULL AND t.MIS_START >= (SELECT min(DECOM) FROM "Episodes" '
                'f WHERE f.CHILD = t.CHILD) AND NOT EXISTS (SELECT 1 FROM "Episodes" x '
                "WHERE x.CHILD = t.CHILD AND x.DECOM <= t.MIS_START "
                "AND (x.DEC IS NULL OR t.MIS_START <= x.DEC))",
            ),
            "Missing",
            "Episodes",
        ),
        fixture=fx(
            "Missing",
            ["MIS_START=02/06/2026", "CHILD=2 MIS_START=01/09/2026"],
            [
                "MIS_START=01/06/2026 MIS_END=01/06/2026",  # on the last day
                "CHILD=2 MIS_START=10/06/2026 MIS_END=11/06/2026",
                "CHILD=2 MIS_START=01/12/2026",  # looked after again
                "CHILD=3 MIS_START=01/04/2026",  # before care began (rule 581)
            ],
            both={
                "Episodes": [
                    "DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
                    "CHILD=2 DECOM=01/05/2026 DEC=01/07/2026 REC=E4A",
                    "CHILD=2 DECOM=01/11/2026 RNE=S",
                    "CHILD=3 DECOM=01/05/2026",
                ]
            },
        ),
        note="The start falls in no episode (from DECOM to DEC, both days included) but after "
        "the child's first DECOM: after care ended, or between two periods of care. A start "
        "before the first episode is rule 581's.",
    ),
    rule(
        "580",
        query(
            select(
                "Episodes",
                "t.REC IS NOT NULL AND t.REC NOT IN ('X1', 'E8') AND t.DEC IS NOT NULL AND EXISTS "
                '(SELECT 1 FROM "Missing" m WHERE m.CHILD = t.CHILD AND m.MIS_START <= t.DEC '
                "AND (blank(m.MIS_END_raw) OR m.MIS_END >= t.DEC))",
            ),
            "Episodes",
            "Missing",
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=E5",
                "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
            ],
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=E8",
                "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=X1",
                "CHILD=2 DECOM=01/06/2026 RNE=P",
                "CHILD=3 DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
            ],
            both={
                "Missing": [
                    "MISSING=M MIS_START=20/05/2026 MIS_END=01/06/2026",
                    "CHILD=2 MISSING=A MIS_START=25/05/2026",
                    "CHILD=3 MISSING=M MIS_START=20/05/2026 MIS_END=31/05/2026",
                ]
            },
        ),
        note="Missing when care ceased: a period begun on or before the DEC of the episode that "
        "ended care (REC other than X1) and not ended before that day. The public validator "
        "asks this only when care ends on the 18th birthday; the DfE's words do not.",
    ),
    rule(
        "581",
        query(
            select(
                "Missing",
                't.MIS_START < (SELECT min(DECOM) FROM "Episodes" f WHERE f.CHILD = t.CHILD)',
            ),
            "Missing",
            "Episodes",
        ),
        fixture=fx(
            "Missing",
            ["MIS_START=30/04/2026 MIS_END=01/05/2026", "CHILD=2 MIS_START=01/04/2026"],
            [
                "MIS_START=01/05/2026 MIS_END=02/05/2026",
                "CHILD=2 MIS_START=10/05/2026",
                "CHILD=3 MIS_START=10/05/2026",  # no episodes: the Header's EPI check
            ],
            both={"Episodes": ["DECOM=01/05/2026", "CHILD=2 DECOM=01/05/2026"]},
        ),
        note="The start is before the child's first episode in the return. A child with no "
        "episodes at all is left to the checks that every child has episodes.",
    ),
]
