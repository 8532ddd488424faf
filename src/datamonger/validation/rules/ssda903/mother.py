"""SSDA903 Header: motherhood (MOTHER, MC_DOB) and who must, or must not, report it.

MOTHER is asked of girls and young women looked after during the year, other than on short breaks
(V3/V4), and of no one else: not of boys, nor of care leavers not looked after this year. SEX was
written 1/2 until 2023/24 and M/F/U from 2024/25; each year reads its own codes.
"""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.rules.ssda903.b_common import (
    FEMALE,
    LOOKED_AFTER,
    MALE,
    PV_365_NOTE,
    V34,
    fxm,
    sex_codes,
    union,
)
from datamonger.validation.templates import query, select, where

# Children whose every episode is a short break (V3/V4).
ALL_V34 = (
    '(SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL GROUP BY CHILD '
    f"HAVING bool_and(coalesce(LS IN {V34}, false)))"
)
# Children with an episode overlapping the year (any legal status).
IN_CARE = (
    '(SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL AND (DECOM IS NULL OR DECOM <= {end}) '
    "AND (DEC IS NULL OR DEC >= {start}))"
)
# Care leavers: a row in OC3.
CARE_LEAVER = '(SELECT CHILD FROM "OC3" WHERE CHILD IS NOT NULL)'
# Episodes that end care in the year (REC other than X1), other than short breaks.
CEASED = (
    "t.DEC BETWEEN {start} AND {end} AND t.REC IS NOT NULL AND t.REC <> 'X1' "
    f"AND (t.LS IS NULL OR t.LS NOT IN {V34})"
)
# The child's last episode (by DECOM).
LAST_EPISODE = (
    'JOIN (SELECT CHILD, max(seq) AS s FROM "Episodes" WHERE CHILD IS NOT NULL GROUP BY CHILD) '
    "m ON m.CHILD = t.CHILD AND m.s = t.seq"
)
# 165 (d): MOTHER written for a care leaver not looked after this year (other than short breaks).
LEAVER_WITH_MOTHER = (
    f"t.MOTHER IS NOT NULL AND t.CHILD NOT IN {LOOKED_AFTER} AND t.CHILD IN {CARE_LEAVER}"
)

RULES = [
    rule(
        "165",
        query(
            union(
                select(
                    "Header",
                    "(NOT blank(t.MOTHER_raw) AND t.MOTHER NOT IN ('0', '1')) "
                    f"OR (t.MOTHER IS NOT NULL AND t.SEX = {MALE}) "
                    f"OR (t.MOTHER IS NULL AND t.SEX = {FEMALE} AND t.CHILD IN {LOOKED_AFTER}) "
                    f"OR ({LEAVER_WITH_MOTHER})",
                ),
                select(
                    "OC3",
                    f't.CHILD IN (SELECT t.CHILD FROM "Header" t WHERE {LEAVER_WITH_MOTHER})',
                ),
            ),
            "Header",
            "Episodes",
            "OC3",
        ),
        fixture=sex_codes(
            fxm(
                {
                    "Header": [
                        "SEX=F MOTHER=2",
                        "CHILD=2 SEX=M MOTHER=0",
                        "CHILD=3 SEX=F",
                        "CHILD=4 SEX=F MOTHER=0",
                    ],
                    "OC3": ["CHILD=4 IN_TOUCH=YES"],
                },
                {
                    "Header": [
                        "SEX=F MOTHER=1",
                        "CHILD=2 SEX=M",
                        "CHILD=3 SEX=F MOTHER=0",
                        "CHILD=4 SEX=F",
                        "CHILD=5 SEX=F",
                    ],
                    "OC3": ["CHILD=4 IN_TOUCH=YES"],
                },
                both={
                    "Episodes": [
                        "DECOM=01/05/2026 LS=C2",
                        "CHILD=2 DECOM=01/05/2026 LS=C2",
                        "CHILD=3 DECOM=01/05/2026 LS=C2",
                        "CHILD=5 DECOM=01/05/2026 LS=V3",
                    ]
                },
                flagged=[
                    ("Header", 2),
                    ("Header", 3),
                    ("Header", 4),
                    ("Header", 5),
                    ("OC3", 2),
                ],
                year=2027,
            )
        ),
        note="Invalid: a MOTHER other than 0/1; any MOTHER for a boy; a blank MOTHER for a girl "
        "looked after in the year (not only on V3/V4 short breaks); a MOTHER for a care leaver "
        "(OC3) not looked after in the year, whose OC3 row is reported too.",
    ),
    rule(
        "174",
        where("Header", f"NOT blank(t.MC_DOB_raw) AND t.SEX = {MALE}"),
        fixture=sex_codes(
            fx(
                "Header",
                ["SEX=M MC_DOB=01/01/2024", "CHILD=2 SEX=M MC_DOB=xx"],
                ["SEX=F MC_DOB=01/01/2024", "CHILD=2 SEX=M"],
                year=2024,
            )
        ),
        note="Male: SEX 1 until 2023/24, M from 2024/25. Any MC_DOB written counts.",
    ),
    rule(
        "393",
        where(
            "Header",
            f"t.SEX = {FEMALE} AND blank(t.MOTHER_raw) AND t.CHILD IN {LOOKED_AFTER}",
        ),
        fixture=sex_codes(
            fxm(
                {"Header": ["SEX=F", "CHILD=2 SEX=F"]},
                {"Header": ["SEX=F MOTHER=0", "CHILD=2 SEX=F", "CHILD=3 SEX=M", "CHILD=4 SEX=F"]},
                both={
                    "Episodes": [
                        "DECOM=01/05/2026 LS=C2",
                        "CHILD=2 DECOM=01/05/2026 LS=V3",
                        "CHILD=3 DECOM=01/05/2026 LS=C2",
                    ]
                },
                flagged=[("Header", 2)],
                year=2027,
            )
        ),
        note="Looked after: an episode overlapping the year other than a V3/V4 short break. Only "
        "girls and young women are asked.",
    ),
    rule(
        "399",
        query(
            union(
                select("Header", f"NOT blank(t.MOTHER_raw) AND t.CHILD IN {ALL_V34}"),
                select(
                    "Reviews",
                    "(NOT blank(t.REVIEW_raw) OR NOT blank(t.REVIEW_CODE_raw)) "
                    f"AND t.CHILD IN {ALL_V34}",
                ),
            ),
            "Header",
            "Reviews",
            "Episodes",
        ),
        fixture=fxm(
            {
                "Header": ["MOTHER=0", "CHILD=2"],
                "Reviews": ["CHILD=2 REVIEW=01/06/2026 REVIEW_CODE=PN1"],
            },
            {
                "Header": ["", "CHILD=2", "CHILD=3 MOTHER=0"],
                "Reviews": ["CHILD=3 REVIEW=01/06/2026 REVIEW_CODE=PN1"],
            },
            both={
                "Episodes": [
                    "DECOM=01/05/2026 LS=V3",
                    "CHILD=2 DECOM=01/05/2026 LS=V4",
                    "CHILD=3 DECOM=01/05/2026 LS=V3",
                    "CHILD=3 DECOM=01/07/2026 LS=C2",
                ]
            },
            flagged=[("Header", 2), ("Reviews", 2)],
        ),
        note="Asked of children whose every episode is V3/V4 (as the public validator's DfE "
        "amendment reads it); the Header and Reviews rows with the values are reported.",
    ),
    rule(
        "607",
        query(
            union(
                select(
                    "Header",
                    f"t.SEX = {FEMALE} AND blank(t.MOTHER_raw) AND t.CHILD IN "
                    f'(SELECT t.CHILD FROM "Episodes" t WHERE {CEASED})',
                ),
                select(
                    "Episodes",
                    f'{CEASED} AND t.CHILD IN (SELECT CHILD FROM "Header" WHERE SEX = {FEMALE} '
                    "AND MOTHER IS NULL)",
                ),
            ),
            "Header",
            "Episodes",
        ),
        fixture=sex_codes(
            fxm(
                {"Header": ["SEX=F", "CHILD=2 SEX=F"]},
                {"Header": ["SEX=F MOTHER=0", "CHILD=2 SEX=F", "CHILD=3 SEX=M"]},
                both={
                    "Episodes": [
                        "DECOM=01/05/2026 DEC=01/06/2026 REC=E13 LS=C2",
                        "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=X1 LS=C2",
                        "CHILD=2 DECOM=01/06/2026 LS=C2",
                        "CHILD=3 DECOM=01/05/2026 DEC=01/06/2026 REC=E13 LS=C2",
                    ]
                },
                flagged=[("Header", 2), ("Episodes", 2)],
                year=2027,
            )
        ),
        note="Ceased to be looked after: an episode ending in the year with a REC other than X1, "
        "not a V3/V4 short break. The Header row and that episode are reported. " + PV_365_NOTE,
    ),
    rule(
        "611",
        where("Header", "t.MOTHER = '1' AND blank(t.MC_DOB_raw)"),
        fixture=fx("Header", ["MOTHER=1"], ["MOTHER=1 MC_DOB=01/01/2026", "CHILD=2 MOTHER=0"]),
    ),
    rule(
        "612",
        where(
            "Header",
            f"NOT blank(t.MC_DOB_raw) AND (t.MOTHER = '0' OR blank(t.MOTHER_raw)) "
            f"AND t.SEX IS DISTINCT FROM {MALE}",
        ),
        fixture=sex_codes(
            fx(
                "Header",
                ["SEX=F MOTHER=0 MC_DOB=01/01/2026", "CHILD=2 SEX=F MC_DOB=01/01/2026"],
                [
                    "SEX=F MOTHER=1 MC_DOB=01/01/2026",
                    "CHILD=2 SEX=F MOTHER=0",
                    "CHILD=3 SEX=M MC_DOB=01/01/2026",
                    "CHILD=4 SEX=F MOTHER=2 MC_DOB=01/01/2026",  # invalid MOTHER: rule 165's
                ],
                year=2027,
            )
        ),
        note="'Indicates child is not a mother': MOTHER 0, or left blank (a blank does not say "
        "she is a mother either). A MOTHER that is neither 0 nor 1 indicates nothing: it is "
        "invalid, rule 165's error, and not reported here. Boys with MC_DOB are rule 174's.",
    ),
    rule(
        "620",
        where("Header", "t.MOTHER = '1' AND age(t.DOB, {start}) < 11"),
        fixture=fx(
            "Header",
            ["MOTHER=1 DOB=02/04/2015"],
            ["MOTHER=1 DOB=01/04/2015", "CHILD=2 MOTHER=0 DOB=02/04/2015"],
        ),
        note="Age on 1 April, the first day of the year.",
    ),
    rule(
        "625",
        query(
            union(
                select(
                    "Header",
                    "t.MC_DOB > {end} OR t.MC_DOB > l.DEC",
                    f'LEFT JOIN (SELECT t.CHILD, t.DEC FROM "Episodes" t {LAST_EPISODE}) l '
                    "ON l.CHILD = t.CHILD",
                ),
                select(
                    "Episodes",
                    "t.DEC < h.MC_DOB",
                    f'{LAST_EPISODE} JOIN "Header" h ON h.CHILD = t.CHILD',
                ),
            ),
            "Header",
            "Episodes",
        ),
        fixture=fxm(
            {"Header": ["MC_DOB=02/06/2026", "CHILD=2 MC_DOB=01/04/2027"]},
            {"Header": ["MC_DOB=01/06/2026", "CHILD=2 MC_DOB=31/03/2027"]},
            both={
                "Episodes": [
                    "DECOM=01/05/2026 DEC=01/06/2026 REC=E13",
                    "CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=X1",
                    "CHILD=2 DECOM=01/06/2026",
                ]
            },
            flagged=[("Header", 2), ("Header", 3), ("Episodes", 2)],
        ),
        note="The day she ceased to be looked after is the DEC of her last episode, when it has "
        "one; the Header row and that episode are reported.",
    ),
    rule(
        "628",
        where(
            "Header",
            f"NOT blank(t.MOTHER_raw) AND t.CHILD IN {CARE_LEAVER} AND t.CHILD NOT IN {IN_CARE}",
        ),
        fixture=fxm(
            {"Header": ["MOTHER=0"]},
            {"Header": ["", "CHILD=2 MOTHER=1", "CHILD=3 MOTHER=1"]},
            both={
                "OC3": ["IN_TOUCH=YES", "CHILD=2 IN_TOUCH=YES"],
                "Episodes": ["CHILD=2 DECOM=01/05/2026 DEC=01/06/2026 REC=E13"],
            },
        ),
        note="Care leaver: a row in OC3. Looked after during the year: any episode overlapping it.",
    ),
]
