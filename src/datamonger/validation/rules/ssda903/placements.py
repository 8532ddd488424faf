"""SSDA903 Episodes: URNs by placement type, limits on custody, respite and temporary placements,
what a new episode's reason says, and the placement carried over from last year.

`seq` numbers a child's episodes 1.. by DECOM; `p` is the episode before, `n` the one after.
"""

from __future__ import annotations

import datetime as dt

from datamonger.validation.rule import Fixture, fx, rule
from datamonger.validation.rules.ssda903.b_common import each_year, order_runs
from datamonger.validation.templates import query, where

PREV = 'LEFT JOIN "Episodes" p ON p.CHILD = t.CHILD AND p.seq = t.seq - 1'
NEXT = 'LEFT JOIN "Episodes" n ON n.CHILD = t.CHILD AND n.seq = t.seq + 1'
V34 = "('V3', 'V4')"

# Placements that take no Ofsted URN (rules 218 and 222), by the first year of each list.
NO_URN = {
    2023: "('H5', 'P1', 'P2', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z1')",
    # H5 needs a URN from 28 October 2023 (rule 230), so 2023/24 cannot also forbid one
    2024: "('P1', 'P2', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z1')",
    2025: "('P1', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z1')",
    2026: "('P1', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z11', 'Z12', 'Z13', 'Z14')",
}
OUTSIDE_ENGLAND = "('SCO', 'WAL', 'NIR')"  # PL_LA outside England (derived from PL_POST)


# 364: runs of J2 episodes (each starting on or before the previous J2 episode's end), an open
# episode running to the end of the year; a run longer than 21 days fails, every episode in it.
J2_RUNS = order_runs("J2", 21)

# 367: days of respite (V3) inside the collection year, per child; over 75 fails every V3 episode
# of the year.
RESPITE = """
WITH v AS (
  SELECT CHILD, source_file, source_line,
         greatest(date_diff('day', greatest(DECOM, {start}), least(coalesce(DEC, {end}), {end})),
                  0) AS days
  FROM "Episodes"
  WHERE LS = 'V3' AND CHILD IS NOT NULL AND DECOM IS NOT NULL AND DECOM <= {end}
    AND (DEC IS NULL OR DEC >= {start})),
over AS (SELECT CHILD FROM v GROUP BY CHILD HAVING sum(days) > 75)
SELECT 'Episodes' AS "table", e.source_file, e.source_line, e.CHILD_raw AS child
FROM v JOIN over USING (CHILD)
JOIN "Episodes" e ON e.source_file = v.source_file AND e.source_line = v.source_line
"""

# 377: three or more T3 placements starting within twelve months; every one of them fails.
T3_HOLIDAYS = """
WITH t3 AS (
  SELECT CHILD, DECOM, source_file, source_line FROM "Episodes"
  WHERE PLACE = 'T3' AND DECOM IS NOT NULL AND CHILD IS NOT NULL),
win AS (
  SELECT a.CHILD, a.DECOM AS s FROM t3 a
  JOIN t3 b ON b.CHILD = a.CHILD AND b.DECOM >= a.DECOM AND b.DECOM < a.DECOM + INTERVAL 1 YEAR
  GROUP BY a.CHILD, a.DECOM, a.source_file, a.source_line HAVING count(*) > 2)
SELECT DISTINCT 'Episodes' AS "table", t3.source_file, t3.source_line, e.CHILD_raw AS child
FROM t3 JOIN win ON win.CHILD = t3.CHILD AND t3.DECOM >= win.s
                 AND t3.DECOM < win.s + INTERVAL 1 YEAR
JOIN "Episodes" e ON e.source_file = t3.source_file AND e.source_line = t3.source_line
"""

# 503D: this year's first episode against last year's last episode when that was still open.
LAST_OPEN = (
    'JOIN (SELECT CHILD, max(seq) AS s FROM "Episodes_last" WHERE DECOM IS NOT NULL '
    "GROUP BY CHILD) lm ON lm.CHILD = t.CHILD "
    'JOIN "Episodes_last" l ON l.CHILD = t.CHILD AND l.seq = lm.s AND blank(l.DEC_raw)'
)
FIRST_DIFFERS = "t.seq = 1 AND t.DECOM IS NOT NULL AND t.PLACE IS DISTINCT FROM l.PLACE"
OPEN_LAST = "DECOM=01/02/2025 RNE=S LS=C2 PLACE="


def _fx_218(other: str) -> Fixture:
    """Rule 218's fixture, with `other` the year's code for other placements (no URN)."""
    return fx(
        "Episodes",
        ["PLACE=K2", "PLACE=U1 DEC=01/04/2026 PL_POST=M1_1AE"],
        [
            "PLACE=K2 URN=SC123456",
            "PLACE=U1 URN=XXXXXXX",
            f"PLACE={other}",
            "PLACE=R1",
            "PLACE=K2 PL_POST=EH1_1AA",  # placed in Scotland: no Ofsted URN
            "PLACE=K2 DEC=31/03/2026",  # ended before the year
            "PLACE=U6 LS=V4",  # short breaks: URN must be blank (rule 214)
            "",  # no placement type: that is another rule
        ],
        year=2027,
    )


def _fx_222(other: str) -> Fixture:
    """Rule 222's fixture, with `other` the year's code for other placements (no URN)."""
    return fx(
        "Episodes",
        ["PLACE=R1 URN=SC123456", f"PLACE={other} URN=1"],
        ["PLACE=R1 URN=XXXXXXX", "PLACE=R1", "PLACE=K2 URN=SC123456"],
        year=2027,
    )


def _fx_367(year: int) -> Fixture:
    """Rule 367's fixture written for `year`: the open episodes begin so many days before 31
    March, which a move by whole years would change across a 29 February."""
    s = year - 1  # the year's first calendar year

    def days_to_end(days: int) -> str:
        return (dt.date(year, 3, 31) - dt.timedelta(days=days)).strftime("%d/%m/%Y")

    return fx(
        "Episodes",
        [
            f"LS=V3 DECOM=26/03/{s} DEC=11/04/{s} REC=E13",  # 10 days in the year
            *(f"LS=V3 DECOM=01/{m:02}/{s} DEC=17/{m:02}/{s} REC=E13" for m in (5, 6, 7, 8)),
            f"LS=V3 DECOM=01/09/{s} DEC=03/09/{s} REC=E13",  # 76 days in all
            f"CHILD=2 LS=V3 DECOM={days_to_end(76)}",  # open: 76 days to 31 March
        ],
        [
            f"LS=V3 DECOM=26/03/{s} DEC=11/04/{s} REC=E13",
            *(f"LS=V3 DECOM=01/{m:02}/{s} DEC=17/{m:02}/{s} REC=E13" for m in (5, 6, 7)),
            f"LS=V3 DECOM=01/08/{s} DEC=16/08/{s} REC=E13",
            f"LS=V3 DECOM=01/09/{s} DEC=03/09/{s} REC=E13",  # 75 days in all
            f"CHILD=2 LS=V3 DECOM={days_to_end(75)}",  # open: 75 days to 31 March
            f"CHILD=3 LS=V4 DECOM=01/04/{s}",  # an agreement, not days away
        ],
    )


def _fx_503d(last: str, other: str, same: str) -> Fixture:
    """Rule 503D's fixture: child 2 was placed `last` at the end of last year and is placed
    `other` (failing) or `same` (passing) in this year's first episode."""
    return fx(
        "Episodes",
        ["DECOM=01/02/2025 PLACE=U2", f"CHILD=2 DECOM=01/02/2025 PLACE={other}"],
        [
            "DECOM=01/02/2025 PLACE=U1",
            "DECOM=01/05/2025 RNE=P PLACE=U2",  # a later episode may change
            f"CHILD=2 DECOM=01/02/2025 PLACE={same}",
            "CHILD=3 DECOM=01/02/2025 PLACE=U2",  # last year's episode had ended
            "CHILD=4 DECOM=01/02/2025 PLACE=U2",  # not in last year's return
        ],
        last={
            "Episodes": [
                "DECOM=01/01/2024 DEC=01/02/2025 REC=X1 PLACE=R1",
                OPEN_LAST + "U1",
                "CHILD=2 " + OPEN_LAST + last,
                "CHILD=3 " + OPEN_LAST + "U1 DEC=01/03/2025 REC=E13",
            ]
        },
        year=2026,
    )


RULES = [
    rule(
        "218",
        where(
            "Episodes",
            {
                y: f"blank(t.URN_raw) AND t.PLACE IS NOT NULL AND t.PLACE NOT IN {places} "
                f"AND (t.LS IS NULL OR t.LS NOT IN {V34}) "
                f"AND (t.PL_LA IS NULL OR t.PL_LA NOT IN {OUTSIDE_ENGLAND}) "
                "AND (t.DEC IS NULL OR t.DEC >= {start})"
                for y, places in NO_URN.items()
            },
        ),
        needs=("postcodes",),
        # Z1 (other placements) takes no URN until 2024/25, and Z11 in its stead from 2025/26
        fixture={2023: _fx_218("Z1"), 2026: _fx_218("Z11")},
        note="Not asked for short breaks (V3/V4, whose URN must be blank: rule 214), placements "
        "outside England (PL_LA SCO/WAL/NIR, from the postcode), episodes ended before the "
        "year, or a blank placement type. The placeholder XXXXXXX counts as written.",
    ),
    rule(
        "222",
        where(
            "Episodes",
            {
                y: f"t.URN IS NOT NULL AND t.URN <> 'XXXXXXX' AND t.PLACE IN {places}"
                for y, places in NO_URN.items()
            },
        ),
        # Z1 (other placements) until 2024/25, Z11-Z14 from 2025/26
        fixture={2023: _fx_222("Z1"), 2026: _fx_222("Z12")},
        note="The placements that take no URN are rule 218's exemptions (2025/26 on: P1, P3, "
        "R1, R2, R5, T0-T4, Z11-Z14); the placeholder XXXXXXX is allowed.",
    ),
    rule(
        "367",
        query(RESPITE, "Episodes"),
        fixture=each_year(_fx_367),
        note="Respite is short breaks recorded episode by episode (V3; a V4 episode spans an "
        "agreement, not the days away). The twelve months are the collection year: days "
        "(DEC - DECOM) inside it, an open episode running to 31 March.",
    ),
    rule(
        "377",
        query(T3_HOLIDAYS, "Episodes"),
        fixture=fx(
            "Episodes",
            [
                "PLACE=T3 DECOM=02/03/2026 DEC=05/04/2026 REC=X1",
                "PLACE=U1 DECOM=05/04/2026 DEC=01/08/2026 REC=X1",
                "PLACE=T3 DECOM=01/08/2026 DEC=08/08/2026 REC=X1",
                "PLACE=U1 DECOM=08/08/2026 DEC=01/03/2027 REC=X1",
                "PLACE=T3 DECOM=01/03/2027",
            ],
            [
                "PLACE=T3 DECOM=01/03/2026 DEC=05/04/2026 REC=X1",
                "PLACE=U1 DECOM=05/04/2026 DEC=01/08/2026 REC=X1",
                "PLACE=T3 DECOM=01/08/2026 DEC=08/08/2026 REC=X1",
                "PLACE=U1 DECOM=08/08/2026 DEC=01/03/2027 REC=X1",
                "PLACE=T3 DECOM=01/03/2027",  # a year after the first
                "CHILD=2 PLACE=T3 DECOM=01/05/2026",
                "CHILD=2 PLACE=T3 DECOM=01/06/2026",
            ],
            flagged=[("Episodes", 2), ("Episodes", 4), ("Episodes", 6)],
        ),
        note="Any twelve months: three T3 placements (holiday of the usual foster carers) "
        "starting less than a year apart, each of them reported; this year's return only.",
    ),
    rule(
        "437",
        where("Episodes", "t.REC IN ('E2', 'E15') AND n.CHILD IS NOT NULL", joins=NEXT),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=E15",
                "DECOM=01/07/2026 RNE=S",
                "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=E2",
                "CHILD=2 DECOM=02/06/2026 RNE=S",
            ],
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
                "DECOM=01/07/2026 RNE=S",
                "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=E2",
            ],
            flagged=[("Episodes", 2), ("Episodes", 4)],
        ),
        note="Died (E2) or found by age assessment to be 18 or over (E15); staying put at 18 "
        "(E17) is not a reason for which later care is impossible in the DfE's list.",
    ),
    rule(
        "503D",
        where(
            "Episodes",
            {
                2023: FIRST_DIFFERS,
                2025: FIRST_DIFFERS + " AND NOT (l.PLACE = 'H5' AND t.PLACE = 'K3')",
                2026: FIRST_DIFFERS
                + " AND NOT (l.PLACE = 'Z1' AND t.PLACE IN ('Z11', 'Z12', 'Z13', 'Z14'))",
                2027: FIRST_DIFFERS,
            },
            joins=LAST_OPEN,
        ),
        needs=("previous",),
        # child 2 in the codes of each year: last year's placement, a different one, and one
        # that is not a difference (the same, or the recoding allowed that year)
        fixture={
            2023: _fx_503d("Z1", "K2", "Z1"),
            2025: _fx_503d("H5", "K2", "K3"),  # H5 withdrawn, K3 added in 2024/25
            2026: _fx_503d("Z1", "K2", "Z13"),  # Z1 split into Z11-Z14 in 2025/26
            2027: _fx_503d("Z11", "Z13", "Z11"),
        },
        note="As 503A-503J: asked when last year's last episode was still open. A placement "
        "recoded because its code was withdrawn is not a difference: H5 to K3 in 2024/25, Z1 to "
        "Z11-Z14 in 2025/26 (as the public validator allows).",
    ),
    rule(
        "364",
        query(J2_RUNS, "Episodes"),
        fixture=fx(
            "Episodes",
            [
                "LS=J2 DECOM=01/05/2026 DEC=15/05/2026 REC=X1",
                "LS=J2 DECOM=15/05/2026 DEC=25/05/2026 REC=E8",
                "CHILD=2 LS=J2 DECOM=01/03/2027",
            ],
            [
                "LS=J2 DECOM=01/05/2026 DEC=15/05/2026 REC=X1",
                "LS=J2 DECOM=15/05/2026 DEC=22/05/2026 REC=X1",
                "LS=C2 DECOM=22/05/2026 DEC=01/06/2026 REC=X1",
                "LS=J2 DECOM=01/06/2026 DEC=20/06/2026 REC=E8",
                "CHILD=2 LS=J2 DECOM=11/03/2027",
            ],
        ),
        note="Custody under PACE (LS J2) may last 21 days: consecutive J2 episodes count as one "
        "stay; an episode still open counts to 31 March.",
    ),
    rule(
        "436",
        where(
            "Episodes",
            "t.RNE IN ('B', 'U') AND p.CHILD IS NOT NULL AND (t.LS IS NOT DISTINCT FROM p.LS "
            "OR (t.PLACE IS NOT DISTINCT FROM p.PLACE AND pc(t.PL_POST) IS NOT DISTINCT FROM "
            "pc(p.PL_POST) AND t.URN IS NOT DISTINCT FROM p.URN "
            "AND t.PLACE_PROVIDER IS NOT DISTINCT FROM p.PLACE_PROVIDER))",
            joins=PREV,
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 LS=C2 PLACE=U1",
                "DECOM=01/06/2026 RNE=B LS=C2 PLACE=U2",
                "DECOM=01/07/2026 RNE=U LS=C1 PLACE=U2",
            ],
            [
                "DECOM=01/05/2026 LS=C2 PLACE=U1",
                "DECOM=01/06/2026 RNE=B LS=C1 PLACE=U2",
                "DECOM=01/07/2026 RNE=U LS=E1 PLACE=A3",
                "CHILD=2 DECOM=01/07/2026 RNE=U LS=C1 PLACE=U2",  # first episode: nothing before
            ],
            flagged=[("Episodes", 3), ("Episodes", 4)],
        ),
        note="B and U are the reasons for a new episode in which both the legal status and the "
        "placement change; the placement is its type, postcode, URN and provider.",
    ),
]
