"""SSDA903 DoLo (deprivation of liberty orders, new in 2026/27) against last year's orders and the
child's episodes.

A DoLo and an episode overlap when they share a day other than a changeover day: the DoLo starts
before the episode ends (DEC, or still open) and ends after it begins (DOLO_END, or still open);
a DoLo of a single day overlaps the episode that day falls in. The public validator's 709 and 710
read a column (PLACEMENT) that does not exist and never report anything; these read PLACE.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, RuleDecl, parse_rows, rule
from datamonger.validation.templates import query, select

FAR = "DATE '9999-12-31'"
OVERLAP = (
    "e.DECOM IS NOT NULL AND d.DOLO_START IS NOT NULL AND (e.DEC IS NULL OR e.DEC > e.DECOM) "
    f"AND d.DOLO_START < coalesce(e.DEC, {FAR}) AND (coalesce(d.DOLO_END, {FAR}) > e.DECOM "
    "OR (d.DOLO_END = d.DOLO_START AND d.DOLO_START >= e.DECOM))"
)

OPEN_LAST = (
    'SELECT CHILD, DOLO_START FROM "DoLo_last" '
    "WHERE CHILD IS NOT NULL AND DOLO_START IS NOT NULL AND blank(DOLO_END_raw)"
)
# 706: the child's first DoLo this year when none repeats the start of last year's open one, or
# the Header row when the child has no DoLo this year.
CARRIED_OVER = f"""
SELECT 'DoLo' AS "table", t.source_file, t.source_line, t.CHILD_raw AS child
FROM "DoLo" t JOIN ({OPEN_LAST}) o ON o.CHILD = t.CHILD
WHERE (t.source_file, t.source_line) = (
        SELECT (f.source_file, f.source_line) FROM "DoLo" f WHERE f.CHILD = t.CHILD
        ORDER BY f.DOLO_START NULLS LAST, f.source_file, f.source_line LIMIT 1)
  AND o.DOLO_START NOT IN (SELECT DOLO_START FROM "DoLo" m
                           WHERE m.CHILD = t.CHILD AND m.DOLO_START IS NOT NULL)
UNION
SELECT 'Header', t.source_file, t.source_line, t.CHILD_raw
FROM "Header" t JOIN ({OPEN_LAST}) o ON o.CHILD = t.CHILD
WHERE t.CHILD NOT IN (SELECT CHILD FROM "DoLo" WHERE CHILD IS NOT NULL)
"""


def _placed(code: str, condition: str, bad: str, good: str, note: str) -> RuleDecl:
    """A DoLo overlapping an episode whose PLACE meets `condition`: both rows are reported."""
    pairs = (
        "SELECT d.source_file AS df, d.source_line AS dl, e.source_file AS ef, "
        'e.source_line AS el FROM "DoLo" d JOIN "Episodes" e ON e.CHILD = d.CHILD '
        f"WHERE {OVERLAP} AND {condition}"
    )
    sql = (
        select("DoLo", "true", f"JOIN ({pairs}) x ON x.df = t.source_file AND x.dl = t.source_line")
        + " UNION "
        + select(
            "Episodes", "true", f"JOIN ({pairs}) x ON x.ef = t.source_file AND x.el = t.source_line"
        )
    )
    episodes = parse_rows(
        f"DECOM=01/05/2026 DEC=01/07/2026 REC=X1 PLACE={good}",
        f"DECOM=01/07/2026 DEC=01/09/2026 REC=X1 PLACE={bad} RNE=P",
        f"DECOM=01/09/2026 PLACE={good} RNE=P",
        f"CHILD=2 DECOM=01/05/2026 PLACE={bad}",
    )
    return rule(
        code,
        query(sql, "DoLo", "Episodes"),
        fixture=Fixture(
            failing={
                "Episodes": episodes,
                "DoLo": parse_rows(
                    "DOLO_START=01/06/2026 DOLO_END=02/07/2026",  # runs into the bad placement
                    "DOLO_START=01/09/2026",  # open, from the day of the change: not overlapping
                    "CHILD=2 DOLO_START=01/06/2026 DOLO_END=01/06/2026",  # a single day
                ),
            },
            passing={
                "Episodes": episodes,
                "DoLo": parse_rows(
                    "DOLO_START=01/06/2026 DOLO_END=01/07/2026",  # ends on the changeover day
                    "DOLO_START=01/09/2026",
                    "CHILD=3 DOLO_START=01/06/2026 DOLO_END=01/06/2026",
                ),
            },
            flagged=(("DoLo", 2), ("DoLo", 4), ("Episodes", 3), ("Episodes", 5)),
        ),
        note=note,
    )


RULES = [
    rule(
        "706",
        query(CARRIED_OVER, "DoLo", "Header"),
        needs=("previous",),
        fixture=Fixture(
            failing={
                "DoLo": parse_rows("DOLO_START=01/03/2027 DOLO_END=20/03/2027"),
                "Header": parse_rows("CHILD=1", "CHILD=2"),
            },
            passing={
                "DoLo": parse_rows(
                    "DOLO_START=01/02/2027 DOLO_END=10/02/2027",
                    "DOLO_START=01/03/2026 DOLO_END=01/05/2026",
                    "CHILD=2 DOLO_START=01/03/2026",
                ),
                "Header": parse_rows("CHILD=1", "CHILD=2", "CHILD=3"),
            },
            last={
                "DoLo": parse_rows(
                    "DOLO_START=01/03/2026",
                    "CHILD=2 DOLO_START=01/03/2026",
                    "CHILD=3 DOLO_START=01/02/2026 DOLO_END=02/03/2026",
                )
            },
            flagged=(("DoLo", 2), ("Header", 3)),
        ),
        note="The DoLo open at 31 March last year must appear this year with the same start. "
        "The child's first DoLo this year is reported, or the Header row when the child has none. "
        "DoLo is new in 2026/27, so a 2026/27 return has no last-year DoLo to compare with.",
    ),
    rule(
        "707",
        query(
            select(
                "DoLo",
                "t.DOLO_START IS NOT NULL AND blank(t.DOLO_END_raw) AND EXISTS (SELECT 1 FROM "
                "\"Episodes\" x WHERE x.CHILD = t.CHILD AND x.REC IS NOT NULL AND x.REC <> 'X1' "
                "AND x.DEC >= t.DOLO_START)",
            ),
            "DoLo",
            "Episodes",
        ),
        fixture=Fixture(
            failing={
                "DoLo": parse_rows("DOLO_START=01/06/2026", "CHILD=2 DOLO_START=01/07/2026"),
                "Episodes": parse_rows(
                    "DECOM=01/05/2026 DEC=01/08/2026 REC=E13",
                    "CHILD=2 DECOM=01/05/2026 DEC=01/07/2026 REC=E4A",
                ),
            },
            passing={
                "DoLo": parse_rows(
                    "DOLO_START=01/06/2026 DOLO_END=01/08/2026",
                    "CHILD=2 DOLO_START=01/06/2026",
                ),
                "Episodes": parse_rows(
                    "DECOM=01/05/2026 DEC=01/08/2026 REC=E13",
                    "CHILD=2 DECOM=01/05/2026 DEC=01/07/2026 REC=X1",
                    "CHILD=2 DECOM=01/07/2026 RNE=P",
                ),
            },
        ),
        note="The child ceased to be looked after (an episode ending with a REC other than X1) "
        "on or after the day the open DoLo started.",
    ),
    _placed(
        "709",
        "e.PLACE IS NOT NULL AND e.PLACE NOT IN ('K2', 'Z12', 'Z13')",
        "U1",
        "K2",
        "A DoLo is expected only in a children's home (K2) or the Z12/Z13 placements; the DoLo "
        "and each overlapping episode of another type are reported. An open DoLo runs on.",
    ),
    _placed(
        "710",
        "e.PLACE IN ('K1', 'P1', 'R5', 'K3')",
        "K1",
        "U1",
        "Secure children's homes (K1), with parents (P1), young offender institutions (R5), "
        "supported accommodation (K3): the DoLo and each overlapping episode are reported. "
        "An open DoLo runs on.",
    ),
]
