"""SSDA903: the placement's Ofsted URN against Ofsted's provider lists (--providers FILE).

The lists are read by `validation.provider_list` into the temp table `providers` (one row per
URN: PLACE_CODES, PROVIDER_CODES, REG_END, POSTCODE, LA_CODE). The placeholder URN XXXXXXX is
never looked up. A URN missing from the lists is rule 1008's only: the other rules compare with
what the lists say and stay silent where they say nothing.
"""

from __future__ import annotations

from dataclasses import replace

from datamonger.validation import catalogue
from datamonger.validation.rule import Fixture, Fixtures, RuleDecl, parse_rows, rule
from datamonger.validation.templates import where

NEEDS = ("providers",)
URN = "t.URN IS NOT NULL AND t.URN <> 'XXXXXXX'"
LOOKUP = "LEFT JOIN providers p ON p.URN_key = t.URN"
FOUND = f"{URN} AND p.URN_key IS NOT NULL"

# Two providers as Ofsted's social care providers list gives them: a children's home in
# Manchester, open, run by the LA or privately; a secure home in Birmingham closed on 1 July 2026
# (in the year 2026/27 the fixtures are written for; `closing_in` moves it to another year).
LIST = [
    {
        "URN": "SC1",
        "Local authority": "Manchester",
        "Placement code": "K2",
        "Placement provider code": "PR1/PR4",
        "Deregistration date": "",
        "Setting postcode": "M1 1AE",
    },
    {
        "URN": "SC2",
        "Local authority": "Birmingham",
        "Placement code": "K1",
        "Placement provider code": "PR2",
        "Deregistration date": "01/07/2026",
        "Setting postcode": "B1 1AA",
    },
]
MANCHESTER = "E08000003"  # the LA making the fixtures' return


def fixture(fail: list[str], ok: list[str], flagged: list[int] | None = None) -> Fixture:
    return Fixture(
        failing={"Episodes": parse_rows(*fail)},
        passing={"Episodes": parse_rows(*ok)},
        flagged=tuple(("Episodes", n) for n in flagged) if flagged is not None else None,
        providers=LIST,
        la=MANCHESTER,
    )


def closing_in(fx: Fixture) -> dict[int, Fixture]:
    """`fx` (dates written for 2026/27) for every year, with the Birmingham home closing on 1 July
    of that year: the episodes' dates are moved to the year they run in, the provider list's are
    not, so each year has its own list."""
    return {
        year: replace(
            fx,
            year=2027,
            providers=[LIST[0], {**LIST[1], "Deregistration date": f"01/07/{year - 1}"}],
        )
        for year in catalogue.known_years("ssda903")
    }


def _lookup(code: str, condition: str | dict[int, str], fx: Fixtures, note: str = "") -> RuleDecl:
    return rule(
        code, where("Episodes", condition, joins=LOOKUP), needs=NEEDS, fixture=fx, note=note
    )


# From 2025/26 rule 229 leaves out placements whose provider need not be a registered setting.
EXEMPT_229 = (
    "('K3', 'P1', 'P3', 'R1', 'R2', 'R5', 'T0', 'T1', 'T2', 'T3', 'T4', 'Z11', 'Z12', 'Z13', 'Z14')"
)
PR_229 = (
    f"{FOUND} AND p.LA_CODE IS NOT NULL AND {{la}} IS NOT NULL AND ("
    "(t.PLACE_PROVIDER = 'PR1' AND p.LA_CODE <> {la}) "
    "OR (t.PLACE_PROVIDER = 'PR2' AND p.LA_CODE = {la}))"
)


def _fx_229(r1_exempt: bool) -> Fixture:
    r1 = "PLACE=R1 PLACE_PROVIDER=PR2 URN=SC1"  # another LA's provision at a Manchester home
    fail = ["PLACE=K2 PLACE_PROVIDER=PR2 URN=SC1", "PLACE=K1 PLACE_PROVIDER=PR1 URN=SC2"]
    ok = ["PLACE=K2 PLACE_PROVIDER=PR1 URN=SC1", "PLACE=K1 PLACE_PROVIDER=PR2 URN=SC2"]
    (ok if r1_exempt else fail).append(r1)
    return fixture(fail, [*ok, "PLACE=K2 PLACE_PROVIDER=PR4 URN=SC2"])


RULES = [
    _lookup(
        "1008",
        f"{URN} AND p.URN_key IS NULL",
        fixture(
            ["URN=SC9", "URN=1234567"],
            ["URN=SC1", "URN=_sc2_", "URN=XXXXXXX", "URN="],
        ),
        note="The URN must be in the lists given; XXXXXXX (no URN) is accepted. Case and "
        "surrounding spaces do not matter.",
    ),
    _lookup(
        "219",
        f"{FOUND} AND p.PLACE_CODES IS NOT NULL AND t.PLACE IS NOT NULL "
        "AND NOT list_contains(p.PLACE_CODES, t.PLACE)",
        fixture(
            ["PLACE=U1 URN=SC1", "PLACE=K2 URN=SC2"],
            ["PLACE=k2 URN=SC1", "PLACE=U1 URN=SC9", "PLACE=U1 URN=XXXXXXX", "PLACE=U1"],
        ),
        note="PLACE must be one of the URN's placement codes. A URN not in the lists (1008) or "
        "listed without placement codes is not judged.",
    ),
    _lookup(
        "224",
        f"{FOUND} AND p.PROVIDER_CODES IS NOT NULL AND t.PLACE_PROVIDER IS NOT NULL "
        "AND NOT list_contains(p.PROVIDER_CODES, t.PLACE_PROVIDER)",
        fixture(
            ["PLACE_PROVIDER=PR5 URN=SC1", "PLACE_PROVIDER=PR1 URN=SC2"],
            ["PLACE_PROVIDER=PR4 URN=SC1", "PLACE_PROVIDER=PR1 URN=SC1", "PLACE_PROVIDER=PR5"],
        ),
        note="PLACE_PROVIDER must be one of the URN's provider codes; a blank one is left to "
        "rule 526, a URN the lists do not know to 1008.",
    ),
    _lookup(
        "221",
        f"{FOUND} AND t.PLACE IN ('K1', 'K2', 'R3', 'S1') "
        "AND (t.LS IS NULL OR t.LS NOT IN ('V3', 'V4')) AND NOT blank(t.PL_POST_raw) "
        "AND p.POSTCODE IS NOT NULL AND replace(t.PL_POST, ' ', '') <> p.POSTCODE",
        fixture(
            ["PLACE=K2 LS=C2 URN=SC1 PL_POST=M1_1AG", "PLACE=K1 LS=C2 URN=SC2 PL_POST=M1_1AE"],
            [
                "PLACE=K2 LS=C2 URN=SC1 PL_POST=m11ae",
                "PLACE=U1 LS=C2 URN=SC1 PL_POST=M1_1AG",
                "PLACE=K2 LS=V3 URN=SC1 PL_POST=M1_1AG",
                "PLACE=K2 LS=C2 URN=SC1",
            ],
        ),
        note="For homes and other settings at one address (K1, K2, R3, S1; not V3/V4 short "
        "breaks) PL_POST must be the provider's postcode, spaces and case aside.",
    ),
    _lookup(
        "227",
        f"{FOUND} AND p.REG_END IS NOT NULL AND t.DECOM >= p.REG_END",
        closing_in(
            fixture(
                ["DECOM=01/07/2026 URN=SC2", "DECOM=01/08/2026 URN=SC2"],
                ["DECOM=30/06/2026 DEC=01/07/2026 URN=SC2", "DECOM=01/08/2026 URN=SC1"],
            )
        ),
        note="An episode cannot start on or after the day the provider's registration ended.",
    ),
    _lookup(
        "228",
        f"{FOUND} AND p.REG_END IS NOT NULL AND "
        "CASE WHEN blank(t.DEC_raw) THEN {end} ELSE t.DEC END > p.REG_END",
        closing_in(
            fixture(
                ["DECOM=01/06/2026 DEC=02/07/2026 URN=SC2", "DECOM=01/06/2026 URN=SC2"],
                [
                    "DECOM=01/06/2026 DEC=01/07/2026 URN=SC2",
                    "DECOM=01/06/2026 URN=SC1",
                    "DECOM=01/06/2026 DEC=31/02/2027 URN=SC2",
                ],
            )
        ),
        note="An episode must end by the day the registration ended; an open one runs to 31 "
        "March (so a provider closing during the year flags it, as the DfE warns). An invalid "
        "end date is rule 147's.",
    ),
    _lookup(
        "229",
        {2023: PR_229, 2026: f"{PR_229} AND (t.PLACE IS NULL OR t.PLACE NOT IN {EXEMPT_229})"},
        # R1 (residential care home) is checked until 2024/25 and left out from 2025/26
        {2023: _fx_229(r1_exempt=False), 2026: _fx_229(r1_exempt=True)},
        note="PR1 (the LA's own provision) needs the provider in the LA, PR2 (another LA's) "
        "outside it. The provider's LA is that of its postcode in the ONS directory, and the LA "
        "making the return must be known. From 2025/26 the DfE leaves out K3, P1, P3, R1, R2, "
        "R5, T0-T4 and Z11-Z14.",
    ),
]
