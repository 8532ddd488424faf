"""SSDA903 adoption: the decision to place for adoption (PlacedAdoption), the adoption itself (AD1:
dates of the best-interest decision and of matching, the adopters) and the episodes that show
the placement for adoption (PLACE A3-A6), the placement order (LS E1) and the adoption (REC E11,
E12).

A child may have several decisions (PlacedAdoption rows); the one in force is the latest
(greatest DATE_PLACED), an earlier one must have ceased (rule 583). The placement with the
adopters is the unbroken run of A3-A6 episodes that ends in the adoption episode; the day the
child was placed is the DECOM of its first episode (`ADOPTION_PLACEMENT`).
"""

from __future__ import annotations

from datamonger.validation.rule import RuleDecl, fx, rule
from datamonger.validation.rules.ssda903.b_common import (
    ADOPTED,
    ADOPTION_PLACEMENT,
    PLACED_FOR_ADOPTION,
    at,
    fxm,
    union,
)
from datamonger.validation.templates import all_or_none, query, select, where

AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
AD1_ANY = "(" + " OR ".join(f"NOT blank(t.{f}_raw)" for f in AD1_ITEMS) + ")"
AD1_ALL = "(" + " AND ".join(f"NOT blank(a.{f}_raw)" for f in AD1_ITEMS) + ")"
AP = f"JOIN {ADOPTION_PLACEMENT} ap ON ap.CHILD = t.CHILD"
# Adopted during the collection year: an episode ending in the year with REC E11/E12.
ADOPTED_IN_YEAR = f"t.REC IN {ADOPTED} AND t.DEC BETWEEN {{start}} AND {{end}}"
# The decision in force: the child's PlacedAdoption row with the latest DATE_PLACED.
LATEST_DECISION = (
    '(SELECT p.* FROM "PlacedAdoption" p WHERE p.DATE_PLACED = (SELECT max(x.DATE_PLACED) '
    'FROM "PlacedAdoption" x WHERE x.CHILD = p.CHILD))'
)
HAS_DECISION = 'EXISTS (SELECT 1 FROM "PlacedAdoption" p WHERE p.CHILD = t.CHILD AND p.DATE_PLACED IS NOT NULL)'
WRITTEN_DECISION = (
    'EXISTS (SELECT 1 FROM "PlacedAdoption" p WHERE p.CHILD = t.CHILD '
    "AND NOT blank(p.DATE_PLACED_raw))"
)
# The S episode that began the period of care of the adoption: the latest RNE S on or before the
# day the child was adopted (any, when no adoption episode is in the return).
ADOPTION_PERIOD = (
    "(SELECT e.* FROM \"Episodes\" e WHERE e.RNE = 'S' AND e.DECOM = (SELECT max(x.DECOM) "
    "FROM \"Episodes\" x WHERE x.CHILD = e.CHILD AND x.RNE = 'S' AND x.DECOM <= coalesce(("
    f'SELECT max(a.DEC) FROM "Episodes" a WHERE a.CHILD = e.CHILD AND a.REC IN {ADOPTED}), '
    "DATE '9999-12-31')))"
)
# The first period of care in the return: its RNE S episode.
FIRST_PERIOD = (
    "(SELECT e.* FROM \"Episodes\" e WHERE e.RNE = 'S' AND e.DECOM = (SELECT min(x.DECOM) "
    "FROM \"Episodes\" x WHERE x.CHILD = e.CHILD AND x.RNE = 'S'))"
)

# Fixture rows: child 1 fostered (U1), then placed for adoption (A4, A6) and adopted on 1 Dec.
PLACED = [
    "DECOM=01/05/2026 RNE=S LS=C2 PLACE=U1 DEC=01/07/2026 REC=X1",
    "DECOM=01/07/2026 RNE=P LS=E1 PLACE=A4 DEC=01/08/2026 REC=X1",
    "DECOM=01/08/2026 RNE=P LS=E1 PLACE=A6 DEC=01/12/2026 REC=E11",
]
AD1_FULL = "FOSTER_CARE=0 NB_ADOPTR=2 SEX_ADOPTR=MF LS_ADOPTR=L11"


def _pair(first: str, cond: str, joins: str, second: str, pair_cols: str) -> str:
    """Rows of `first` (alias t) for which `cond` holds, and the rows of `second` they point at
    (`pair_cols`: the (source_file, source_line) of the other row, read through `joins`)."""
    return union(
        select(first, cond, joins),
        at(second, f'SELECT {pair_cols} FROM "{first}" t {joins} WHERE {cond}'),
    )


def _adopters(code: str, ls: str, sexes: str, bad: str, good: str, note: str = "") -> RuleDecl:
    """LS_ADOPTR `ls` with a SEX_ADOPTR in (or, `sexes` starting with NOT, not in) `sexes`."""
    return rule(
        code,
        where("AD1", f"t.LS_ADOPTR = '{ls}' AND t.SEX_ADOPTR IS NOT NULL AND t.SEX_ADOPTR {sexes}"),
        fixture=fx(
            "AD1",
            [f"LS_ADOPTR={ls} SEX_ADOPTR={bad}"],
            [
                f"LS_ADOPTR={ls} SEX_ADOPTR={good}",
                f"LS_ADOPTR={ls}",
                f"LS_ADOPTR=L9 SEX_ADOPTR={bad}",
            ],
        ),
        note=note,
    )


def _decision_first(
    code: str, episodes: str, joins: str, fail: str, ok: str, note: str
) -> RuleDecl:
    """The `episodes` (alias t) must come on or after a decision to place for adoption: when the
    child has decisions, one has a DATE_PLACED on or before the episode's DECOM. The episode and
    the child's earliest decision are reported."""
    cond = (
        f"{episodes} AND t.DECOM IS NOT NULL AND {HAS_DECISION} AND NOT EXISTS (SELECT 1 FROM "
        '"PlacedAdoption" p WHERE p.CHILD = t.CHILD AND p.DATE_PLACED <= t.DECOM)'
    )
    return rule(
        code,
        query(
            union(
                select("Episodes", cond, joins),
                select(
                    "PlacedAdoption",
                    't.DATE_PLACED = (SELECT min(x.DATE_PLACED) FROM "PlacedAdoption" x WHERE '
                    f'x.CHILD = t.CHILD) AND t.CHILD IN (SELECT t.CHILD FROM "Episodes" t {joins} '
                    f"WHERE {cond})",
                ),
            ),
            "Episodes",
            "PlacedAdoption",
        ),
        fixture=fxm(
            {"PlacedAdoption": [f"DATE_PLACED={fail}", "CHILD=2 DATE_PLACED=01/04/2026"]},
            {"PlacedAdoption": [f"DATE_PLACED={ok}", "CHILD=2 DATE_PLACED=01/04/2026"]},
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/05/2026 RNE=S LS=E1 PLACE=A4",
                    "CHILD=3 DECOM=01/05/2026 RNE=S LS=E1 PLACE=A4",
                ]
            },
            flagged=[("Episodes", 3), ("PlacedAdoption", 2)],
        ),
        note=note,
    )


RULES = [
    rule(
        "119",
        all_or_none("PlacedAdoption", "DATE_PLACED_CEASED REASON_PLACED_CEASED"),
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED_CEASED=01/06/2026", "CHILD=2 REASON_PLACED_CEASED=RD1"],
            ["DATE_PLACED_CEASED=01/06/2026 REASON_PLACED_CEASED=RD1", "CHILD=2"],
        ),
    ),
    rule(
        "199",
        where(
            "Episodes",
            'EXISTS (SELECT 1 FROM (SELECT CHILD, DECOM, REC FROM "Episodes" UNION ALL '
            'SELECT CHILD, DECOM, REC FROM "Episodes_last") e WHERE e.CHILD = t.CHILD '
            f"AND e.REC IN {ADOPTED} AND e.DECOM < t.DECOM)",
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=E11",
                "DECOM=01/09/2026 RNE=S",
                "CHILD=2 DECOM=01/05/2026 RNE=S",
            ],
            ["DECOM=01/05/2026 DEC=01/06/2026 REC=E12", "CHILD=4 DECOM=01/05/2026 RNE=S"],
            last={
                "Episodes": [
                    "CHILD=2 DECOM=01/05/2024 DEC=01/06/2025 REC=E12",
                    "CHILD=3 DECOM=01/05/2024 DEC=01/06/2025 REC=E11",
                ]
            },
            flagged=[("Episodes", 3), ("Episodes", 4)],
        ),
        note="An episode after an adoption (REC E11/E12) in this year's or last year's episodes. "
        "Every later episode of this year is reported.",
    ),
    rule(
        "331",
        query(
            _pair(
                "AD1", "t.DATE_MATCH > ap.placed", AP, "Episodes", "ap.source_file, ap.source_line"
            ),
            "AD1",
            "Episodes",
        ),
        fixture=fxm(
            {"AD1": ["DATE_MATCH=02/07/2026", "CHILD=2 DATE_MATCH=02/09/2026"]},
            {"AD1": ["DATE_MATCH=01/07/2026", "CHILD=2 DATE_MATCH=15/08/2026"]},
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/05/2026 RNE=S PLACE=A4 DEC=01/06/2026 REC=X1",
                    "CHILD=2 DECOM=01/06/2026 RNE=P PLACE=U1 DEC=01/09/2026 REC=X1",
                    "CHILD=2 DECOM=01/09/2026 RNE=P PLACE=A6 DEC=01/12/2026 REC=E12",
                ]
            },
            flagged=[("AD1", 2), ("AD1", 3), ("Episodes", 3), ("Episodes", 7)],
        ),
        note="The date of placement for adoption is the DECOM of the first episode of the "
        "unbroken run of A3-A6 placements that ends in the adoption (REC E11/E12); that episode "
        "and the AD1 row are reported. An earlier placement that broke down does not count.",
    ),
    rule(
        "334",
        query(
            _pair(
                "AD1",
                "t.DATE_INT < s.DECOM",
                f"JOIN {ADOPTION_PERIOD} s ON s.CHILD = t.CHILD",
                "Episodes",
                "s.source_file, s.source_line",
            ),
            "AD1",
            "Episodes",
        ),
        fixture=fxm(
            {"AD1": ["DATE_INT=30/04/2026"]},
            {"AD1": ["DATE_INT=01/05/2026", "CHILD=2 DATE_INT=01/03/2026"]},
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/02/2026 RNE=S PLACE=A4 DEC=01/06/2026 REC=E11",
                    "CHILD=2 DECOM=01/09/2026 RNE=S PLACE=U1",
                ]
            },
            flagged=[("AD1", 2), ("Episodes", 2)],
        ),
        note="The latest period of care is the one the child was adopted from: its last episode "
        "with RNE S on or before the adoption. The AD1 row and that episode are reported.",
    ),
    rule(
        "335",
        query(
            _pair(
                "Episodes",
                f"t.REC IN {ADOPTED} AND ((t.PLACE IN ('A3', 'A5') AND a.FOSTER_CARE = '0') "
                "OR (t.PLACE IN ('A4', 'A6') AND a.FOSTER_CARE = '1'))",
                'JOIN "AD1" a ON a.CHILD = t.CHILD',
                "AD1",
                "a.source_file, a.source_line",
            ),
            "Episodes",
            "AD1",
        ),
        fixture=fxm(
            {"AD1": ["FOSTER_CARE=1", "CHILD=2 FOSTER_CARE=0"]},
            {"AD1": ["FOSTER_CARE=0", "CHILD=2 FOSTER_CARE=1"]},
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/07/2026 RNE=S PLACE=A5 DEC=01/12/2026 REC=E12",
                ]
            },
            flagged=[("AD1", 2), ("AD1", 3), ("Episodes", 4), ("Episodes", 5)],
        ),
        note="The last placement is the adoption episode's (REC E11/E12). A3/A5: placed with the "
        "current foster carers; A4/A6: not.",
    ),
    rule(
        "511",
        where(
            "AD1",
            "t.NB_ADOPTR = '2' AND t.SEX_ADOPTR IS NOT NULL "
            "AND t.SEX_ADOPTR NOT IN ('MM', 'FF', 'MF')",
        ),
        fixture=fx(
            "AD1",
            ["NB_ADOPTR=2 SEX_ADOPTR=M1", "NB_ADOPTR=2 SEX_ADOPTR=F1"],
            ["NB_ADOPTR=2 SEX_ADOPTR=mf", "NB_ADOPTR=1 SEX_ADOPTR=F1", "NB_ADOPTR=2"],
        ),
        note="A blank SEX_ADOPTR is left to rule 151 (all adoption items or none).",
    ),
    _adopters("514", "L0", "IN ('MM', 'FF', 'MF')", "FF", "F1"),
    _adopters("517", "L3", "<> 'MF'", "MM", "MF"),
    _adopters("518", "L4", "NOT IN ('MM', 'FF')", "MF", "FF"),
    _adopters(
        "519",
        "L2",
        "NOT IN ('MM', 'FF', 'MF')",
        "M1",
        "MM",
        note="A couple: MM, FF or MF.",
    ),
    _adopters(
        "520",
        "L11",
        "IN ('MM', 'FF')",
        "FF",
        "MF",
        note="As the message says: a same-gender couple (MM, FF). The public validator raises "
        "anything but MF.",
    ),
    _adopters("524", "L12", "NOT IN ('MM', 'FF')", "MF", "MM"),
    rule(
        "521",
        query(
            _pair(
                "AD1", "t.DATE_INT > ap.placed", AP, "Episodes", "ap.source_file, ap.source_line"
            ),
            "AD1",
            "Episodes",
        ),
        fixture=fxm(
            {"AD1": ["DATE_INT=02/07/2026"]},
            {"AD1": ["DATE_INT=01/07/2026", "CHILD=2 DATE_INT=01/09/2026"]},
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/05/2026 RNE=S PLACE=A4 DEC=01/06/2026 REC=X1",
                    "CHILD=2 DECOM=01/06/2026 RNE=P PLACE=U1 DEC=01/09/2026 REC=X1",
                    "CHILD=2 DECOM=01/09/2026 RNE=P PLACE=A6 DEC=01/12/2026 REC=E12",
                ]
            },
            flagged=[("AD1", 2), ("Episodes", 3)],
        ),
        note="The date placed for adoption is read as in rule 331: the first episode of the run "
        "of A3-A6 placements ending in the adoption. A placement that broke down before the "
        "decision is not judged.",
    ),
    rule(
        "523",
        query(
            _pair(
                "AD1",
                "t.DATE_INT <> d.DATE_PLACED",
                f"JOIN {LATEST_DECISION} d ON d.CHILD = t.CHILD",
                "PlacedAdoption",
                "d.source_file, d.source_line",
            ),
            "AD1",
            "PlacedAdoption",
        ),
        fixture=fxm(
            {
                "AD1": ["DATE_INT=02/06/2026", "CHILD=2 DATE_INT=01/01/2026"],
                "PlacedAdoption": [
                    "DATE_PLACED=01/06/2026",
                    "CHILD=2 DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/02/2026",
                    "CHILD=2 DATE_PLACED=01/06/2026",
                ],
            },
            {
                "AD1": ["DATE_INT=01/06/2026", "CHILD=2 DATE_INT=01/06/2026", "CHILD=3"],
                "PlacedAdoption": [
                    "DATE_PLACED=01/06/2026",
                    "CHILD=2 DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/02/2026",
                    "CHILD=2 DATE_PLACED=01/06/2026",
                    "CHILD=3 DATE_PLACED=01/06/2026",
                ],
            },
            flagged=[("AD1", 2), ("AD1", 3), ("PlacedAdoption", 2), ("PlacedAdoption", 4)],
        ),
        note="Compared with the decision in force (the latest DATE_PLACED); the AD1 row and that "
        "decision are reported.",
    ),
    rule(
        "525",
        query(
            _pair(
                "PlacedAdoption",
                "NOT blank(t.DATE_PLACED_CEASED_raw) AND NOT EXISTS (SELECT 1 FROM "
                '"PlacedAdoption" o WHERE o.CHILD = t.CHILD AND o.DATE_PLACED >= '
                "t.DATE_PLACED_CEASED AND (o.source_file, o.source_line) <> "
                f"(t.source_file, t.source_line)) AND {AD1_ANY.replace('t.', 'a.')}",
                'JOIN "AD1" a ON a.CHILD = t.CHILD',
                "AD1",
                "a.source_file, a.source_line",
            ),
            "PlacedAdoption",
            "AD1",
        ),
        fixture=fxm(
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/06/2026 REASON_PLACED_CEASED=RD1"
                ],
                "AD1": ["DATE_MATCH=01/07/2026"],
            },
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/06/2026 REASON_PLACED_CEASED=RD1",
                    "DATE_PLACED=01/07/2026",
                    "CHILD=2 DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/06/2026",
                ],
                "AD1": ["DATE_MATCH=01/08/2026", "CHILD=2"],
            },
            flagged=[("PlacedAdoption", 2), ("AD1", 2)],
        ),
        note="Reversed: a decision with a date it ceased and no later decision after it. Adopted: "
        "AD1 has an adoption item. Both rows are reported.",
    ),
    rule(
        "551",
        where("Episodes", f"t.PLACE IN {PLACED_FOR_ADOPTION} AND NOT {WRITTEN_DECISION}"),
        fixture=fxm(
            {"Episodes": ["PLACE=A3", "CHILD=2 PLACE=A6"]},
            {"Episodes": ["PLACE=A3", "CHILD=2 PLACE=U1"]},
            both={"PlacedAdoption": ["DATE_PLACED=01/05/2026", "CHILD=2"]},
            flagged=[("Episodes", 3)],
        ),
        note="A decision is a PlacedAdoption row with DATE_PLACED written (an invalid date is "
        "rule 115's).",
    ),
    _decision_first(
        "552",
        f"t.PLACE IN {PLACED_FOR_ADOPTION}",
        "",
        "02/07/2026",
        "01/07/2026",
        "Every placement for adoption (A3-A6) must follow a decision; when the child has "
        "decisions but all come after the episode began, the episode and the earliest decision "
        "are reported (no decision at all is rule 551's).",
    ),
    rule(
        "553",
        where("Episodes", f"t.LS = 'E1' AND NOT {WRITTEN_DECISION}"),
        fixture=fxm(
            {"Episodes": ["LS=E1", "CHILD=2 LS=e1"]},
            {"Episodes": ["LS=E1", "CHILD=2 LS=C2"]},
            both={"PlacedAdoption": ["DATE_PLACED=01/05/2026", "CHILD=2"]},
            flagged=[("Episodes", 3)],
        ),
        note="A decision is a PlacedAdoption row with DATE_PLACED written. A decision that has "
        "ceased while the order stands is not reported: the order may not yet be revoked.",
    ),
    _decision_first(
        "554",
        "t.LS = 'E1' AND p.LS IS DISTINCT FROM 'E1'",
        'LEFT JOIN "Episodes" p ON p.CHILD = t.CHILD AND p.seq = t.seq - 1',
        "02/07/2026",
        "01/07/2026",
        "The placement order was granted on the DECOM of the first E1 episode of a run (the "
        "episode before is not E1). When the child has decisions but all come after it, the "
        "episode and the earliest decision are reported.",
    ),
    rule(
        "557",
        query(
            _pair(
                "Episodes",
                "t.REC IS NOT NULL AND t.REC NOT IN ('X1', 'E11', 'E12') AND t.DEC IS NOT NULL "
                "AND (blank(d.DATE_PLACED_CEASED_raw) OR blank(d.REASON_PLACED_CEASED_raw))",
                'JOIN "PlacedAdoption" d ON d.CHILD = t.CHILD AND d.DATE_PLACED <= t.DEC',
                "PlacedAdoption",
                "d.source_file, d.source_line",
            ),
            "Episodes",
            "PlacedAdoption",
        ),
        fixture=fxm(
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/06/2026",
                    "CHILD=2 DATE_PLACED=01/06/2026 DATE_PLACED_CEASED=01/07/2026",
                ]
            },
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/06/2026 DATE_PLACED_CEASED=01/07/2026 REASON_PLACED_CEASED=RD4",
                    "CHILD=2 DATE_PLACED=01/06/2026 DATE_PLACED_CEASED=01/07/2026 "
                    "REASON_PLACED_CEASED=RD1",
                    "CHILD=3 DATE_PLACED=01/06/2026",
                    "CHILD=4 DATE_PLACED=01/10/2026",
                ]
            },
            both={
                "Episodes": [
                    "DECOM=01/05/2026 RNE=S LS=C2 PLACE=U1 DEC=01/09/2026 REC=E13",
                    "CHILD=2 DECOM=01/05/2026 RNE=S LS=E1 PLACE=A4 DEC=01/09/2026 REC=E41",
                    "CHILD=3 DECOM=01/05/2026 RNE=S LS=E1 PLACE=A4 DEC=01/09/2026 REC=E11",
                    "CHILD=4 DECOM=01/05/2026 RNE=S LS=C2 PLACE=U1 DEC=01/09/2026 REC=E13",
                ]
            },
            flagged=[
                ("Episodes", 2),
                ("Episodes", 3),
                ("PlacedAdoption", 2),
                ("PlacedAdoption", 3),
            ],
        ),
        note="Left care not adopted: an episode with a REC other than X1, E11, E12. Each decision "
        "made by then (DATE_PLACED on or before the DEC) must have both its date and reason of "
        "ceasing; the episode and the decision are reported. The DfE's PLACE and LS are not "
        "required: the decision itself is what must be closed.",
    ),
    rule(
        "558",
        query(
            _pair(
                "Episodes",
                f"t.REC IN {ADOPTED} AND NOT blank(d.DATE_PLACED_CEASED_raw)",
                f"JOIN {LATEST_DECISION} d ON d.CHILD = t.CHILD",
                "PlacedAdoption",
                "d.source_file, d.source_line",
            ),
            "Episodes",
            "PlacedAdoption",
        ),
        fixture=fxm(
            {"PlacedAdoption": ["DATE_PLACED=01/06/2026 DATE_PLACED_CEASED=01/10/2026"]},
            {
                "PlacedAdoption": [
                    "DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/03/2026",
                    "DATE_PLACED=01/06/2026",
                ]
            },
            both={"Episodes": PLACED},
            flagged=[("Episodes", 4), ("PlacedAdoption", 2)],
        ),
        note="The decision that led to the adoption is the latest one (earlier decisions may have "
        "ceased); the adoption episode and that decision are reported.",
    ),
    rule(
        "563",
        where(
            "PlacedAdoption",
            "blank(t.DATE_PLACED_raw) AND (NOT blank(t.DATE_PLACED_CEASED_raw) "
            "OR NOT blank(t.REASON_PLACED_CEASED_raw))",
        ),
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED_CEASED=01/06/2026 REASON_PLACED_CEASED=RD1", "REASON_PLACED_CEASED=RD1"],
            ["DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/06/2026 REASON_PLACED_CEASED=RD1"],
        ),
        note="Either the date or the reason the decision ceased says it ceased.",
    ),
    rule(
        "582",
        query(
            _pair(
                "Episodes",
                f"t.REC IN {ADOPTED} AND t.DEC = a.DATE_MATCH",
                'JOIN "AD1" a ON a.CHILD = t.CHILD',
                "AD1",
                "a.source_file, a.source_line",
            ),
            "Episodes",
            "AD1",
        ),
        severity="query",
        fixture=fxm(
            {"AD1": ["DATE_MATCH=01/12/2026"]},
            {"AD1": ["DATE_MATCH=30/11/2026"]},
            both={"Episodes": PLACED},
            flagged=[("Episodes", 4), ("AD1", 2)],
        ),
        note="A query: the DfE expects matching before the adoption 'in most circumstances'.",
    ),
    rule(
        "583",
        where(
            "PlacedAdoption",
            'blank(t.DATE_PLACED_CEASED_raw) AND EXISTS (SELECT 1 FROM "PlacedAdoption" o '
            "WHERE o.CHILD = t.CHILD AND o.DATE_PLACED > t.DATE_PLACED)",
        ),
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=01/01/2026", "DATE_PLACED=01/06/2026"],
            ["DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/03/2026", "DATE_PLACED=01/06/2026"],
            flagged=[("PlacedAdoption", 2)],
        ),
        note="Every decision but the latest must have a date it ceased; the earlier one is "
        "reported.",
    ),
    rule(
        "601",
        query(
            union(
                select(
                    "Episodes",
                    f'{ADOPTED_IN_YEAR} AND NOT EXISTS (SELECT 1 FROM "AD1" a '
                    f"WHERE a.CHILD = t.CHILD AND {AD1_ALL})",
                ),
                select(
                    "AD1",
                    f"NOT {AD1_ALL.replace('a.', 't.')} AND t.CHILD IN "
                    f'(SELECT t.CHILD FROM "Episodes" t WHERE {ADOPTED_IN_YEAR})',
                ),
            ),
            "Episodes",
            "AD1",
        ),
        fixture=fxm(
            {"AD1": ["DATE_INT=01/06/2026 DATE_MATCH=01/06/2026"]},
            {
                "AD1": [
                    f"DATE_INT=01/06/2026 DATE_MATCH=01/06/2026 {AD1_FULL}",
                    "CHILD=2 DATE_INT=01/06/2026",
                ]
            },
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/05/2025 RNE=S PLACE=A4 DEC=31/03/2026 REC=E11",
                    "CHILD=3 DECOM=01/05/2026 RNE=S PLACE=A4 DEC=01/12/2026 REC=E13",
                ]
            },
            flagged=[("Episodes", 4), ("AD1", 2)],
        ),
        note="Adopted during the year: an episode ending in it with REC E11/E12. The adoption "
        "episode is reported, and the AD1 row when there is one.",
    ),
    rule(
        "602",
        where(
            "AD1",
            f'{AD1_ANY} AND NOT EXISTS (SELECT 1 FROM "Episodes" e WHERE e.CHILD = t.CHILD '
            f"AND e.REC IN {ADOPTED} AND e.DEC BETWEEN {{start}} AND {{end}})",
        ),
        fixture=fxm(
            {"AD1": ["CHILD=2 DATE_INT=01/06/2025", "CHILD=3 DATE_INT=01/06/2026"]},
            {"AD1": ["DATE_INT=01/06/2026", "CHILD=2", "CHILD=3"]},
            both={
                "Episodes": [
                    *PLACED,
                    "CHILD=2 DECOM=01/05/2025 RNE=S PLACE=A4 DEC=31/03/2026 REC=E11",
                    "CHILD=3 DECOM=01/05/2026 RNE=S PLACE=A4",
                ]
            },
        ),
        note="An AD1 row with an adoption item needs an episode ending in the year with REC "
        "E11/E12.",
    ),
    rule(
        "1003",
        query(
            _pair(
                "PlacedAdoption",
                "t.DATE_PLACED < s.DECOM",
                f"JOIN {FIRST_PERIOD} s ON s.CHILD = t.CHILD",
                "Episodes",
                "s.source_file, s.source_line",
            ),
            "PlacedAdoption",
            "Episodes",
        ),
        fixture=fxm(
            {"PlacedAdoption": ["DATE_PLACED=30/04/2026"]},
            {"PlacedAdoption": ["DATE_PLACED=01/05/2026", "CHILD=2 DATE_PLACED=01/01/2026"]},
            both={
                "Episodes": [*PLACED, "CHILD=2 DECOM=01/05/2026 RNE=P LS=C2"],
            },
            flagged=[("PlacedAdoption", 2), ("Episodes", 2)],
        ),
        note="Started to be looked after: the first episode with RNE S in the return (a child "
        "whose care began before the year is not judged). The decision and that episode are "
        "reported.",
    ),
]
