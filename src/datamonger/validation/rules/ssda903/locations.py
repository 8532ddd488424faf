"""SSDA903 Episodes: where the child is placed, read through the postcodes.

PL_LA, PL_LOCATION and PL_DISTANCE are derived by the engine from HOME_POST and PL_POST with the
ONS postcode directory (`prepare`), as the DfE derives them: every rule here needs the directory.
A postcode is known when the directory lists it with a location (a grid reference); one it lists
without (Channel Islands, Isle of Man, some large-user and terminated codes) is not, and gives no
PL_LA, PL_LOCATION or PL_DISTANCE. PL_DISTANCE is blank when either postcode is blank or not known
(or when the two lie on different national grids, Northern Ireland and Great Britain); PL_LOCATION
is blank, in addition, when the LA making the return is not known.

Rule 411 (PL_LOCATION 'IN' while PL_LA is another LA) is declared but always reported as skipped,
with the reason: neither the CSV nor the XML return carries a location code of the LA's own, and
the two derived columns come from the same postcode and LA, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import replace

from datamonger.validation.rule import Fixture, fx, rule
from datamonger.validation.templates import where

POSTCODES = ("postcodes",)
LA = "E08000003"  # the fixtures' LA: Manchester (M1 1AE, M1 1AG are in it; B1 1AA is Birmingham)

NOT_V34 = "(t.LS IS NULL OR t.LS NOT IN ('V3', 'V4'))"
# Children who are UASC this year or were last year (a UASC row, or the XML return's flag).
EVER_UASC = (
    "(SELECT CHILD FROM \"Header\" WHERE UASC = '1' AND CHILD IS NOT NULL "
    "UNION SELECT CHILD FROM \"Header_last\" WHERE UASC = '1' AND CHILD IS NOT NULL "
    'UNION SELECT CHILD FROM "UASC" WHERE CHILD IS NOT NULL '
    'UNION SELECT CHILD FROM "UASC_last" WHERE CHILD IS NOT NULL)'
)
NOT_UASC = f"t.CHILD NOT IN {EVER_UASC}"
BOTH_WRITTEN = "NOT blank(t.HOME_POST_raw) AND NOT blank(t.PL_POST_raw)"

# Own provision (PR1) other than foster care and placements for adoption, which may be outside
# the LA; from 2025/26 supported accommodation (K3) too, as the public validator reads it.
OWN_PROVISION_ANYWHERE = {
    2023: "('A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6')",
    2026: "('A3', 'A4', 'A5', 'A6', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'K3')",
}


def fxl(
    fail: list[str],
    ok: list[str],
    *,
    both: dict[str, list[str]] | None = None,
    last: dict[str, list[str]] | None = None,
    flagged: list[tuple[str, int]] | None = None,
    year: int | None = None,
) -> Fixture:
    """An Episodes fixture (compact rows) for a return made by Manchester."""
    f = fx("Episodes", fail, ok, both=both, last=last, flagged=flagged, year=year)
    return replace(f, la=LA)


def _fx_1015(k3_exempt: bool | None = None) -> Fixture:
    """Rule 1015's fixture; an own supported accommodation (K3) in Birmingham fails when K3 is
    not exempt, passes when it is, and is left out when there is no K3 (None)."""
    fail = [
        "LS=C2 PLACE=K2 PLACE_PROVIDER=PR1 PL_POST=B1_1AA",
        "LS=C2 PLACE=R1 PLACE_PROVIDER=PR1 PL_POST=EH1_1AA",
    ]
    ok = [
        "LS=C2 PLACE=K2 PLACE_PROVIDER=PR1 PL_POST=M1_1AE",
        "LS=C2 PLACE=U1 PLACE_PROVIDER=PR1 PL_POST=B1_1AA",
        "LS=V3 PLACE=K2 PLACE_PROVIDER=PR1 PL_POST=B1_1AA",
        "LS=C2 PLACE=K2 PLACE_PROVIDER=PR2 PL_POST=B1_1AA",
        "LS=C2 PLACE=K2 PLACE_PROVIDER=PR1 PL_POST=M1_9ZZ",
    ]
    if k3_exempt is not None:
        (ok if k3_exempt else fail).append("LS=C2 PLACE=K3 PLACE_PROVIDER=PR1 PL_POST=B1_1AA")
    return fxl(fail, ok)


RULES = [
    rule(
        "411",
        where(
            "Episodes",
            "t.PL_LOCATION = 'IN' AND t.PL_LA IS DISTINCT FROM {la} "
            "OR t.PL_LOCATION = 'OUT' AND t.PL_LA = {la}",
        ),
        needs=("location_code",),
        note="Reported as skipped: the return gives no location code to compare (see module).",
    ),
    rule(
        "164",
        where(
            "Episodes",
            f"{NOT_V34} AND {NOT_UASC} AND {BOTH_WRITTEN} AND (NOT t.HOME_POST_known "
            "OR NOT t.PL_POST_known OR t.PL_DISTANCE < 0 OR t.PL_DISTANCE > 999.9)",
        ),
        needs=POSTCODES,
        fixture=fxl(
            [
                "HOME_POST=M1_9ZZ PL_POST=M1_1AE",
                "HOME_POST=M1_1AE PL_POST=M99_9ZZ LS=C2",
                "HOME_POST=M1_1AE PL_POST=M1_9FN",  # listed without a location
            ],
            [
                "HOME_POST=M1_1AE PL_POST=B1_1AA",
                "HOME_POST=M1_1AE",  # no distance, but that is rule 392a
                "HOME_POST=M1_9ZZ PL_POST=M1_1AE LS=V3",
                "CHILD=2 HOME_POST=M1_9ZZ PL_POST=M1_1AE",
                "CHILD=3 HOME_POST=M1_9ZZ PL_POST=M1_1AE",
            ],
            both={"UASC": ["CHILD=2"]},
            last={"UASC": ["CHILD=3"]},
        ),
        note="The DfE's rule: PL_DISTANCE, a value calculated from the postcodes, must be between "
        "0.0 and 999.9. A calculated distance is always in that range (no two places in the "
        "ONS directory are 999.9 miles apart), so the distance is invalid only when it cannot "
        "be calculated: both postcodes written, one of them not known (not in the ONS "
        "directory, or listed without a location), as the message says ('check a valid "
        "postcode has been entered'); the public validator also reports a missing distance. "
        "This overlaps 392a (no distance) on those rows, as the DfE's rules do; a blank "
        "postcode is 392a's and 392b's only. Not asked for short breaks (V3/V4) nor for "
        "children UASC this year or last.",
    ),
    rule(
        "169",
        where("Episodes", f"{NOT_V34} AND t.PL_LA IS NULL"),
        needs=POSTCODES,
        fixture=fxl(
            ["PL_POST=M1_9ZZ LS=C2", "LS=C2"],
            ["PL_POST=M1_1AE LS=C2", "PL_POST=EH1_1AA", "LS=V4"],
        ),
        note="PL_LA is derived from PL_POST: blank when the placement postcode is blank or not "
        "in the ONS directory. Not asked for short breaks (V3/V4).",
    ),
    rule(
        "179",
        where("Episodes", f"{NOT_V34} AND {{la}} IS NOT NULL AND t.PL_LOCATION IS NULL"),
        needs=POSTCODES,
        fixture=fxl(
            # M1 9FN is in the ONS directory without a location (no grid reference, no LA)
            ["PL_POST=M1_9ZZ LS=C2", "LS=C2", "PL_POST=M1_9FN LS=C2"],
            ["PL_POST=M1_1AE LS=C2", "PL_POST=B1_1AA", "LS=V3"],
        ),
        note="PL_LOCATION (IN/OUT) is derived from PL_POST and the LA making the return; the "
        "rule is asked only when that LA is known (else every location would be blank). A "
        "placement postcode the ONS directory lists without a location gives no LA, so no "
        "location either (it is not 'OUT').",
    ),
    rule(
        "392a",
        where(
            "Episodes",
            f"{NOT_V34} AND {NOT_UASC} AND t.PL_DISTANCE IS NULL "
            "AND NOT (t.HOME_POST_known AND t.PL_POST_known)",
        ),
        needs=POSTCODES,
        fixture=fxl(
            [
                "HOME_POST=M1_1AE",
                "PL_POST=M1_1AE LS=C2",
                "HOME_POST=M1_9ZZ PL_POST=M1_1AE",
                "HOME_POST=M1_1AE PL_POST=M1_9FN",  # listed without a location
            ],
            [
                "HOME_POST=M1_1AE PL_POST=B1_1AA",
                "HOME_POST=M1_1AE PL_POST=BT1_1AA",  # both known, across grids: not measured here
                "LS=V4",
                "CHILD=2",
                "CHILD=3",
            ],
            both={"UASC": ["CHILD=2"]},
            last={"UASC": ["CHILD=3"]},
        ),
        note="Not asked for short breaks (V3/V4) nor for children UASC this year or last (the "
        "UASC tables of both years). A postcode listed without a location gives no distance. "
        "Two known postcodes on different grids (Northern Ireland and Great Britain) give a "
        "distance the DfE measures and this engine does not: not reported.",
    ),
    rule(
        "392c",
        where(
            "Episodes",
            "(NOT blank(t.HOME_POST_raw) AND NOT t.HOME_POST_known) "
            "OR (NOT blank(t.PL_POST_raw) AND NOT t.PL_POST_known)",
        ),
        needs=POSTCODES,
        fixture=fxl(
            [
                "HOME_POST=M1_9ZZ PL_POST=M1_1AE",
                "HOME_POST=M1_1AE PL_POST=NOT_A_POSTCODE",
                "HOME_POST=M1_9FN PL_POST=M1_1AE",  # listed without a location
            ],
            ["HOME_POST=m11ae PL_POST=M1_1AG", "HOME_POST=M1_1AE", ""],
        ),
        note="A postcode is valid when it is in the ONS directory with a location (a grid "
        "reference), read without regard to case or spacing (m11ae is M1 1AE); one listed "
        "without a location cannot be placed, so it is not counted as valid.",
    ),
    rule(
        "406",
        where("Episodes", f"t.CHILD IN {EVER_UASC} AND t.PL_DISTANCE IS NOT NULL"),
        needs=POSTCODES,
        fixture=fxl(
            ["HOME_POST=M1_1AE PL_POST=B1_1AA", "CHILD=2 HOME_POST=M1_1AE PL_POST=M1_1AG"],
            [
                "PL_POST=B1_1AA",
                "CHILD=2 PL_POST=M1_1AG",
                "CHILD=3 HOME_POST=M1_1AE PL_POST=M1_1AG",
            ],
            both={"UASC": ["CHILD=1"]},
            last={"UASC": ["CHILD=2"]},
        ),
        note="UASC this year or formerly: a UASC row (or the XML flag) this year or last year; "
        "earlier years are not loaded.",
    ),
    rule(
        "420",
        where("Episodes", "t.LS IN ('V3', 'V4') AND t.PL_LA IS NOT NULL"),
        needs=POSTCODES,
        fixture=fxl(
            ["LS=V3 PL_POST=M1_1AE", "LS=V4 PL_POST=EH1_1AA"],
            ["LS=V3", "LS=V4 PL_POST=M1_9ZZ", "LS=C2 PL_POST=M1_1AE"],
        ),
        note="PL_LA is derived from PL_POST; an unknown placement postcode gives none (392c).",
    ),
    rule(
        "454",
        where("Episodes", f"{NOT_UASC} AND t.PL_DISTANCE > 350"),
        needs=POSTCODES,
        fixture=fxl(
            ["HOME_POST=SW1A_1AA PL_POST=KW1_4AA"],  # London to Wick, 494 miles
            [
                "HOME_POST=SW1A_1AA PL_POST=EH1_1AA",  # London to Edinburgh, 332 miles
                "CHILD=2 HOME_POST=SW1A_1AA PL_POST=KW1_4AA",
            ],
            both={"UASC": ["CHILD=2"]},
        ),
        note="Children UASC this year or last are left out (their distance should be blank, "
        "rule 406), as the DfE's note implies.",
    ),
    rule(
        "1015",
        where(
            "Episodes",
            {
                y: "t.PLACE_PROVIDER = 'PR1' AND t.PLACE IS NOT NULL AND t.LS IS NOT NULL "
                f"AND t.PLACE NOT IN {places} AND t.LS NOT IN ('V3', 'V4') "
                "AND {la} IS NOT NULL AND t.PL_LA IS NOT NULL AND t.PL_LA <> {la}"
                for y, places in OWN_PROVISION_ANYWHERE.items()
            },
        ),
        needs=POSTCODES,
        # K3 (supported accommodation) is a code from 2024/25, exempt from 2025/26
        fixture={2023: _fx_1015(), 2025: _fx_1015(k3_exempt=False), 2026: _fx_1015(k3_exempt=True)},
        note="Own provision (PR1) must be in the LA's own area unless it is foster care or a "
        "placement for adoption (A3-A6, U1-U6; from 2025/26 also K3, as the public validator "
        "reads it) or a short break (V3/V4). An unknown placement postcode is rule 169's.",
    ),
]
