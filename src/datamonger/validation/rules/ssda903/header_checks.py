"""SSDA903 Header: unknown UPN codes (UN1, UN4) and a blank UPN, UASC ages, care starting or going on
after the 18th birthday.

Not implemented: 105 (the UASC flag is invalid or blank) and 303 (a DUC needs UASC status 1). Both
check the Header's UASC flag, which only XML returns carry and the store does not keep: Header.UASC
is derived from the UASC table, so it is always 0 or 1, and 1 whenever a DUC is written.
"""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.rules.ssda903.b_common import (
    NOT_V34,
    PERIOD_START,
    V34,
    fxm,
    union,
)
from datamonger.validation.templates import query, select, where

# Looked after at 31 March (other than on short breaks): an episode begun by then and still open.
OPEN_AT_END = (
    f"t.DECOM <= {{end}} AND (t.DEC IS NULL OR t.DEC > {{end}}) "
    f"AND (t.LS IS NULL OR t.LS NOT IN {V34})"
)
# UN4 children whose latest period of care began before 24 March: more than a week by 31 March.
UN4_WEEK = (
    f'(SELECT h.CHILD FROM "Header" h JOIN {PERIOD_START} ps ON ps.CHILD = h.CHILD '
    "WHERE h.UPN = 'UN4' AND ps.DECOM < make_date({year}, 3, 24))"
)

RULES = [
    rule(
        "209",
        where("Header", "t.UPN = 'UN1' AND age(t.DOB, make_date({year} - 2, 8, 31)) >= 4"),
        fixture=fx(
            "Header",
            ["UPN=UN1 DOB=31/08/2021", "CHILD=2 UPN=un1 DOB=01/01/2010"],
            ["UPN=UN1 DOB=01/09/2021", "CHILD=2 UPN=UN2 DOB=01/01/2010"],
        ),
        note="School age as the DfE counts it: aged 4 or more on 31 August of the year before the "
        "collection year begins (31/08/2025 for 2026/27).",
    ),
    rule(
        "210",
        query(
            union(
                select(
                    "Header",
                    f"t.UPN = 'UN4' AND t.CHILD IN {UN4_WEEK} AND t.CHILD IN "
                    f'(SELECT t.CHILD FROM "Episodes" t WHERE {OPEN_AT_END})',
                ),
                select("Episodes", f"{OPEN_AT_END} AND t.CHILD IN {UN4_WEEK}"),
            ),
            "Header",
            "Episodes",
        ),
        fixture=fxm(
            {
                "Episodes": [
                    "DECOM=23/03/2027 RNE=S LS=C2",
                    "CHILD=4 DECOM=01/02/2026 RNE=P LS=C2",
                ]
            },
            {
                "Episodes": [
                    "DECOM=24/03/2027 RNE=S LS=C2",
                    "CHILD=4 DECOM=01/02/2026 RNE=P LS=C2 DEC=01/03/2027 REC=E13",
                ]
            },
            both={"Header": ["UPN=UN4", "CHILD=4 UPN=UN4", "CHILD=5 UPN=UN4", "CHILD=6 UPN=UN3"]},
            flagged=[("Header", 2), ("Header", 3), ("Episodes", 2), ("Episodes", 3)],
        ),
        note="Looked after at 31 March: an episode (not V3/V4 short breaks) still open. More than "
        "a week: the latest period of care (the last episode with RNE S, or the first episode "
        "when the period began before the year) began before 24 March. The public validator "
        "raises the opposite (a DECOM on or after 24 March); we follow the DfE's message. The "
        "Header row and the open episode are reported.",
    ),
    rule(
        "231",
        where("Header", "t.UASC = '1' AND age(t.DOB, {end}) < 11"),
        fixture=fxm(
            {"Header": ["DOB=01/04/2016"]},
            {"Header": ["DOB=31/03/2016", "CHILD=2 DOB=01/04/2016"]},
            both={"UASC": ["CHILD=1"]},
        ),
        note="UASC: the child has a row in the UASC table. Under 11 at 31 March.",
    ),
    rule(
        "352",
        where("Episodes", "t.RNE = 'S' AND age(h.DOB, t.DECOM) >= 18", header=True),
        fixture=fx(
            "Episodes",
            ["DECOM=01/06/2026 RNE=S"],
            ["DECOM=31/05/2026 RNE=S", "DECOM=01/06/2026 RNE=P"],
            both={"Header": ["DOB=01/06/2008"]},
        ),
    ),
    rule(
        "359",
        where(
            "Episodes",
            "h.DOB + INTERVAL 18 YEAR < coalesce(t.DEC, {end}) "
            "AND NOT coalesce(t.LS = 'V2' AND t.PLACE = 'K2', false)",
            header=True,
        ),
        fixture=fx(
            "Episodes",
            [
                "DECOM=01/05/2026 DEC=02/06/2026 REC=E13 LS=C2 PLACE=U1",
                "DECOM=02/06/2026 LS=V2 PLACE=K1",
            ],
            [
                "DECOM=01/05/2026 DEC=01/06/2026 REC=X1 LS=C2 PLACE=U1",
                "DECOM=01/06/2026 LS=V2 PLACE=K2",
            ],
            both={"Header": ["DOB=01/06/2008"]},
        ),
        note="Looked after after the 18th birthday: the episode ends after it, or is open at 31 "
        "March after it. It must then be under section 20(5) (LS V2) in a children's home (K2).",
    ),
    rule(
        "442",
        where(
            "Header",
            f'blank(t.UPN_raw) AND t.CHILD IN (SELECT CHILD FROM "Episodes" WHERE {NOT_V34})',
        ),
        fixture=fxm(
            {"Header": ["UPN=_", "CHILD=2"]},
            {"Header": ["UPN=UN1", "CHILD=2", "CHILD=3"]},
            both={"Episodes": ["DECOM=01/05/2026 LS=C2", "CHILD=2 DECOM=01/05/2026 LS=V3"]},
            flagged=[("Header", 2)],
        ),
        note="Asked of children with an episode other than V3/V4 short breaks.",
    ),
]
