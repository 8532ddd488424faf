"""SSDA903 SWEpisodes (social worker episodes, from 2023/24): complete, and covering the year of a
child looked after on 31 March.

"Looked after on 31 March" is an episode begun by then and not ended before 1 April, other than
short breaks (V3/V4), as in the DfE's 31 March counts. SW_REASON is the reason the social worker
changed: it is written when an episode ends, and blank for the episode still open.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, fx, parse_rows, rule
from datamonger.validation.rules.ssda903.b_common import each_year
from datamonger.validation.templates import query, select, where

NOT_V34 = "(LS IS NULL OR LS NOT IN ('V3', 'V4'))"


def open_31_march(a: str = "") -> str:
    """The episode (alias prefix `a`, e.g. "t.") is open on 31 March, other than a short break."""
    return (
        f"{a}DECOM <= {{end}} AND ({a}DEC IS NULL OR {a}DEC > {{end}}) "
        f"AND ({a}LS IS NULL OR {a}LS NOT IN ('V3', 'V4'))"
    )


LOOKED_AFTER_31_MARCH = (
    f'(SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL AND {open_31_march()})'
)
COLLECTED_FROM = "DATE '2023-04-01'"  # social worker episodes were first collected for 2023/24

# Children looked after on 31 March (1, 2, 3), and one who left care in February (4).
EPISODES = [
    "DECOM=01/05/2026 RNE=S LS=C2",
    "CHILD=2 DECOM=01/05/2026 RNE=S LS=C2",
    "CHILD=3 DECOM=01/05/2026 RNE=S LS=C2",
    "CHILD=4 DECOM=01/05/2026 RNE=S LS=C2 DEC=01/02/2027 REC=E13",
]

# SW12: coverage is due from 1 April, or from the child's first episode of the year if later.
SW12 = f"""
WITH due AS (
  SELECT CHILD, greatest({{start}}, min(DECOM)) AS d FROM "Episodes"
  WHERE CHILD IN {LOOKED_AFTER_31_MARCH} AND DECOM IS NOT NULL AND {NOT_V34}
  GROUP BY CHILD)
SELECT 'SWEpisodes' AS "table", t.source_file, t.source_line, t.CHILD_raw AS child
FROM "SWEpisodes" t JOIN due ON due.CHILD = t.CHILD
WHERE t.SW_DECOM > due.d AND (t.source_file, t.source_line) = (
  SELECT (f.source_file, f.source_line) FROM "SWEpisodes" f WHERE f.CHILD = t.CHILD
  ORDER BY f.SW_DECOM NULLS LAST, f.source_file, f.source_line LIMIT 1)
UNION
SELECT 'Episodes', t.source_file, t.source_line, t.CHILD_raw FROM "Episodes" t
WHERE t.CHILD IS NOT NULL AND {open_31_march("t.")}
  AND t.CHILD NOT IN (SELECT CHILD FROM "SWEpisodes" WHERE CHILD IS NOT NULL)
"""

RULES = [
    rule(
        "SW01aSTG1",
        where(
            "SWEpisodes",
            f"blank(t.SW_DECOM_raw) OR (t.SW_DECOM < {COLLECTED_FROM} AND blank(t.SW_ID_raw))",
        ),
        # a fixed day: the same dates in every year
        fixture=each_year(
            lambda _: fx(
                "SWEpisodes",
                ["SW_ID=SW1", "SW_DECOM=31/03/2023"],
                ["SW_ID=SW1 SW_DECOM=31/03/2023", "SW_DECOM=01/04/2023"],
            )
        ),
        note="Every episode needs its start (SW_DECOM); one begun before 1 April 2023, before "
        "the data were collected, needs the social worker's ID but no reason. A blank start is "
        "reported here only, not under SW01bSTG1 too.",
    ),
    rule(
        "SW01bSTG1",
        where(
            "SWEpisodes",
            f"t.SW_DECOM >= {COLLECTED_FROM} AND (blank(t.SW_ID_raw) "
            "OR (NOT blank(t.SW_DEC_raw) AND blank(t.SW_REASON_raw)))",
        ),
        # a fixed day, and episodes begun in each year
        fixture=each_year(
            lambda y: fx(
                "SWEpisodes",
                ["SW_DECOM=01/04/2023", f"SW_ID=SW1 SW_DECOM=01/05/{y - 1} SW_DEC=01/06/{y - 1}"],
                [
                    f"SW_ID=SW1 SW_DECOM=01/05/{y - 1}",
                    f"SW_ID=SW1 SW_DECOM=01/05/{y - 1} SW_DEC=01/06/{y - 1} SW_REASON=MANAGE",
                    "SW_DECOM=31/03/2023",
                    "",
                ],
            )
        ),
        note="An episode begun on or after 1 April 2023 needs the social worker's ID and, once "
        "it has ended, the reason for the change (SW_REASON is blank for the open episode).",
    ),
    rule(
        "SW11bSTG2",
        where(
            "SWEpisodes",
            f"t.SW_DECOM IS NOT NULL AND t.SW_DEC < {{end}} AND t.CHILD IN {LOOKED_AFTER_31_MARCH} "
            'AND NOT EXISTS (SELECT 1 FROM "SWEpisodes" o WHERE o.CHILD = t.CHILD '
            "AND o.SW_DECOM > t.SW_DECOM)",
        ),
        fixture=Fixture(
            failing={
                "Episodes": parse_rows(*EPISODES),
                "SWEpisodes": parse_rows(
                    "SW_DECOM=01/05/2026 SW_DEC=01/03/2027",
                    "CHILD=2 SW_DECOM=01/05/2026 SW_DEC=01/06/2026",
                    "CHILD=2 SW_DECOM=01/06/2026 SW_DEC=10/03/2027",
                ),
            },
            passing={
                "Episodes": parse_rows(*EPISODES),
                "SWEpisodes": parse_rows(
                    "SW_DECOM=01/05/2026 SW_DEC=01/03/2027",
                    "SW_DECOM=01/03/2027",
                    "CHILD=2 SW_DECOM=01/05/2026 SW_DEC=31/03/2027",  # not before 31 March
                    "CHILD=4 SW_DECOM=01/05/2026 SW_DEC=01/02/2027",  # left care
                ),
            },
            flagged=(("SWEpisodes", 2), ("SWEpisodes", 4)),
        ),
        note="Asked of children looked after on 31 March: the episode begun last ended before "
        "31 March. One ended on 31 March itself is SW17STG2's.",
    ),
    rule(
        "SW12STG2",
        query(SW12, "SWEpisodes", "Episodes"),
        fixture=Fixture(
            failing={
                "Episodes": parse_rows(
                    "DECOM=01/05/2026 RNE=S LS=C2",
                    "CHILD=2 DECOM=01/01/2025 RNE=S LS=C2",
                    "CHILD=3 DECOM=01/05/2026 RNE=S LS=C2",
                ),
                "SWEpisodes": parse_rows(
                    "SW_DECOM=02/05/2026",
                    "CHILD=2 SW_DECOM=01/06/2026",
                    "CHILD=2 SW_DECOM=02/04/2026 SW_DEC=01/06/2026",
                ),
            },
            passing={
                "Episodes": parse_rows(
                    "DECOM=01/05/2026 RNE=S LS=C2",
                    "CHILD=2 DECOM=01/01/2025 RNE=S LS=C2",
                    "CHILD=3 DECOM=01/05/2026 RNE=S LS=C2",
                    "CHILD=4 DECOM=01/05/2026 RNE=S LS=C2 DEC=01/02/2027 REC=E13",
                    "CHILD=5 DECOM=01/05/2026 RNE=S LS=V3",
                ),
                "SWEpisodes": parse_rows(
                    "SW_DECOM=01/05/2026",
                    "CHILD=2 SW_DECOM=01/06/2026",
                    "CHILD=2 SW_DECOM=15/03/2026 SW_DEC=01/06/2026",
                    "CHILD=3 SW_DECOM=01/01/2026",
                ),
            },
            flagged=(("SWEpisodes", 2), ("SWEpisodes", 4), ("Episodes", 4)),
        ),
        note="For a child looked after on 31 March the episodes must run from 1 April, or from "
        "the child's first episode of the year if later (whether a social worker was allocated "
        "before care began cannot be known). The earliest episode is reported if it begins "
        "later; the episode open on 31 March if the child has no social worker episode at all.",
    ),
    rule(
        "SW17STG2",
        query(
            select(
                "SWEpisodes",
                f"t.CHILD IN {LOOKED_AFTER_31_MARCH} AND (t.source_file, t.source_line) = ("
                'SELECT (f.source_file, f.source_line) FROM "SWEpisodes" f '
                "WHERE f.CHILD = t.CHILD ORDER BY f.SW_DECOM DESC NULLS LAST, "
                'f.source_file DESC, f.source_line DESC LIMIT 1) AND NOT EXISTS (SELECT 1 FROM "'
                'SWEpisodes" o WHERE o.CHILD = t.CHILD AND (o.SW_DECOM IS NULL OR '
                "o.SW_DECOM <= {end}) AND (o.SW_DEC IS NULL OR o.SW_DEC > {end}))",
            ),
            "SWEpisodes",
            "Episodes",
        ),
        fixture=Fixture(
            failing={
                "Episodes": parse_rows(*EPISODES),
                "SWEpisodes": parse_rows(
                    "SW_DECOM=01/05/2026 SW_DEC=01/03/2027",
                    "CHILD=2 SW_DECOM=01/06/2026 SW_DEC=31/03/2027",
                    "CHILD=2 SW_DECOM=01/05/2026 SW_DEC=01/06/2026",
                ),
            },
            passing={
                "Episodes": parse_rows(*EPISODES),
                "SWEpisodes": parse_rows(
                    "SW_DECOM=01/05/2026 SW_DEC=01/03/2027",
                    "SW_DECOM=01/03/2027",
                    "CHILD=4 SW_DECOM=01/05/2026 SW_DEC=01/02/2027",  # left care
                ),
            },
            flagged=(("SWEpisodes", 2), ("SWEpisodes", 3)),
        ),
        note="Asked of children looked after on 31 March who have social worker episodes (one "
        "with none is SW12STG2's); an episode ended on 31 March is not open at 31 March. The "
        "child's latest episode is reported.",
    ),
]
