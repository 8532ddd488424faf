"""Code sets the generator must respect, by collection year, as the format specs and rules state them.

Only what the generator needs to stay valid; the full lists live with the validation rules.
"""

from __future__ import annotations

from typing import Final

from datamonger.synth.dates import Day, day

# PLACE codes valid in every collection year 2023-2027 (rule 146). H5 and P2 are valid only up to
# 2024/25 (and P2 not from 28 October 2023, rule 217t), K3 only from 2024/25, Z1 up to 2024/25
# and Z11-Z14 from 2025/26, so the generator keeps away from them unless the years allow.
PLACE_ALL_YEARS: Final = frozenset(
    [
        "A3",
        "A4",
        "A5",
        "A6",
        "K1",
        "K2",
        "P1",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
    ]
)


def place_valid(place: str, year: int) -> bool:
    """Rule 146 as stated for the collection year."""
    if place in PLACE_ALL_YEARS:
        return True
    if place == "K3":
        return year >= 2025
    if place in ("H5", "P2"):
        return year <= 2025
    if place in ("Z11", "Z12", "Z13", "Z14"):
        return year >= 2026
    return place == "Z1" and year <= 2025


def supported_accommodation(start: Day, until: Day) -> str:
    """A placement code for supported accommodation from `start` to `until`, valid in every
    return the placement appears in, with or without a URN as each return asks
    (`supported_accommodation_urn`).

    K3 from 2024/25 (rule 146). H5 until 2024/25: without a URN in the returns up to 2022/23
    (rule 222), with one in 2023/24 and 2024/25 (rules 218 and 230, from 28 October 2023). An H5
    placement is kept inside one of those two spans, so that no return shows it with a URN and
    another without (503F), and none shows it after H5 is withdrawn. A placement crossing
    1 April 2023, or running past 31 March 2025 from before 2024/25, is a children's home (K2),
    valid throughout, unless it ends before 28 October 2023: then it is independent living (P2,
    which takes no URN and is valid until that day, rule 217t)."""
    if start >= K3_FROM:
        return "K3"
    if until < H5_URN_FROM or (start >= H5_URN_FROM and until <= H5_LAST_DAY):
        return "H5"
    if until < H5_UNTIL:
        return "P2"
    return "K2"


def supported_accommodation_urn(place: str, until: Day) -> bool:
    """Whether an H5 placement (see `supported_accommodation`) carries its setting's URN."""
    return place != "H5" or until >= H5_URN_FROM


K3_FROM: Final = day(2024, 4, 1)  # the first day of 2024/25
H5_UNTIL: Final = day(2023, 10, 28)  # rules 217t and 230: P2 and H5 in use after this date
H5_URN_FROM: Final = day(2023, 4, 1)  # the first return in which an H5 placement takes a URN
H5_LAST_DAY: Final = day(2025, 3, 31)  # H5 is withdrawn after 2024/25 (rule 146)

# Placements with no provider code (rule 178) and no URN (rules 218/222).
TEMPORARY: Final = frozenset(["T0", "T1", "T2", "T3", "T4"])
URN_NOT_RECORDED: Final = frozenset(
    ["H5", "P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"]
)
FOSTER: Final = frozenset(["U1", "U2", "U3", "U4", "U5", "U6"])
ADOPTION_PLACEMENT: Final = frozenset(["A3", "A4", "A5", "A6"])

# Provider codes allowed with each placement (rules 527-531, 550): PR0 only with P1; PR1/PR2 not with
# P1, R2, R5; PR3 not with P1, A3-A6, K1, K2, U1-U6; PR4/PR5 not with P1.
PROVIDERS: Final[dict[str, dict[str, float]]] = {
    "P1": {"PR0": 1},
    "R2": {"PR3": 1},
    "R5": {"PR3": 1},
    "K1": {"PR1": 30, "PR2": 20, "PR4": 50},
    "K2": {"PR1": 20, "PR4": 75, "PR5": 5},
    "K3": {"PR1": 15, "PR4": 75, "PR5": 10},
    "H5": {"PR1": 15, "PR4": 75, "PR5": 10},
    "P2": {"PR1": 30, "PR4": 70},
    "S1": {"PR1": 20, "PR3": 20, "PR4": 50, "PR5": 10},
    "R1": {"PR1": 30, "PR3": 30, "PR4": 40},
    "R3": {"PR1": 50, "PR4": 40, "PR5": 10},
    "P3": {"PR4": 100},
    "FOSTER": {"PR1": 62, "PR4": 33, "PR5": 5},
    "ADOPTION": {"PR1": 55, "PR2": 15, "PR4": 10, "PR5": 20},
}


def providers_for(place: str) -> dict[str, float]:
    if place in FOSTER:
        return PROVIDERS["FOSTER"]
    if place in ADOPTION_PLACEMENT:
        return PROVIDERS["ADOPTION"]
    return PROVIDERS[place]


# Participation in reviews (REVIEW_CODE): PN0 under 4 at the review (rules 440/441), PN1-PN7 from 4.
REVIEW_CODES_4_AND_OVER: Final = {
    "PN1": 45,
    "PN2": 10,
    "PN3": 20,
    "PN4": 10,
    "PN5": 5,
    "PN6": 5,
    "PN7": 5,
}

# Reasons for no SDQ score (SDQ_REASON). SDQ1 (under 4) is never used for 4+ (rule 157).
SDQ_REASONS: Final = ("SDQ2", "SDQ3", "SDQ4", "SDQ5")

# Social worker change reasons (SW_REASON, rule SW13STG1).
SW_REASONS: Final = {
    "MANAGE": 25, "FCONTA": 5, "LEFTRL": 30, "ORGRST": 15, "TSPROC": 10, "ABSENC": 5,
    "CHCHAN": 3, "PCCHAN": 2, "OTHERS": 5,
}  # fmt: skip

# A letter check (CIN rule 1510): weights 2..13 on characters 2..13, remainder mod 23 indexes this.
UPN_CHECK_LETTERS: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"
