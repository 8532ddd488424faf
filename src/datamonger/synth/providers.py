"""The Ofsted-registered providers a synthetic LA places children with, each with one URN.

A URN stands for one provider, as in Ofsted's lists: one placement type family (children's homes
K2, secure homes K1, supported accommodation K3, residential schools S1, family centres or mother
and baby units R3, fostering agencies U1-U6, adoption agencies A3-A6), one placement provider code
(PR1 the LA itself, PR2 another LA, PR4 private, PR5 voluntary) and one setting postcode. Settings
at one address (K1, K2, K3, R3, S1) give their postcode as the child's PL_POST (rule 221); agencies
(fostering, adoption) place children in their carers' homes, elsewhere.

The registry depends only on the LA, the run seed and the number of looked-after children, so
every child draws from the same providers and `ofsted_list` can write the list the URN rules
(219, 221, 224, 227-229, 1008) read with `datamonger validate --providers`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from datamonger.synth import codes
from datamonger.synth.postcodes import Postcodes, postcodes

# Placement codes each family of providers is registered for, as the lists give them.
FAMILY_PLACES: dict[str, tuple[str, ...]] = {
    "K1": ("K1",),
    "K2": ("K2",),
    # supported accommodation: K3 from 2024/25, H5 (with a URN) in 2023/24 and 2024/25
    "K3": ("K3", "H5"),
    "R3": ("R3",),
    "S1": ("S1",),
    "FOSTER": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "ADOPTION": ("A3", "A4", "A5", "A6"),
}
# Agencies place children with carers: PL_POST is the carer's home, not the agency's office.
AGENCIES = frozenset({"FOSTER", "ADOPTION"})
OUT_OF_AREA = 0.73  # share of private and voluntary settings outside the LA (about 40% of children)


@dataclass(frozen=True, slots=True)
class Provider:
    urn: str
    family: str  # a key of FAMILY_PLACES
    provider: str  # PR1, PR2, PR4 or PR5
    postcode: str  # the setting's (for agencies, the office's) postcode

    @property
    def places(self) -> tuple[str, ...]:
        return FAMILY_PLACES[self.family]


def family_of(place: str) -> str | None:
    """The provider family of a placement code; None for placements without a URN."""
    if place in codes.FOSTER:
        return "FOSTER"
    if place in codes.ADOPTION_PLACEMENT:
        return "ADOPTION"
    return next((f for f, places in FAMILY_PLACES.items() if place in places), None)


def _sizes(looked_after: int) -> dict[str, dict[str, int]]:
    """How many providers of each family and provider code (PR1 fostering and adoption: the LA's
    own service, one each)."""
    n = max(looked_after, 1)

    def spread(family: str, total: int) -> dict[str, int]:
        weights = codes.providers_for(FAMILY_PLACES[family][0])
        whole = sum(weights.values())
        return {p: max(1, round(total * w / whole)) for p, w in weights.items()}

    sizes = {
        "K1": spread("K1", max(3, n // 400)),
        "K2": spread("K2", max(8, n // 12)),
        "K3": spread("K3", max(6, n // 40)),
        "R3": spread("R3", max(3, n // 300)),
        "S1": spread("S1", max(4, n // 80)),
        "FOSTER": {"PR1": 1, "PR4": max(4, n // 100), "PR5": max(2, n // 500)},
        "ADOPTION": {"PR1": 1, "PR2": 3, "PR4": 2, "PR5": 4},
    }
    return sizes


@dataclass(frozen=True, slots=True)
class Registry:
    providers: tuple[Provider, ...]
    by_kind: dict[tuple[str, str], tuple[Provider, ...]]  # (family, provider code) -> providers

    def pick(
        self, rng: random.Random, family: str, provider: str, not_postcode: str = ""
    ) -> Provider:
        """A provider of the family and code, not at `not_postcode` (the child's home)."""
        pool = self.by_kind[(family, provider)]
        k = rng.randrange(len(pool))
        for j in range(len(pool)):
            p = pool[(k + j) % len(pool)]
            if family in AGENCIES or p.postcode != not_postcode:
                return p
        return pool[k]


def _postcode(rng: random.Random, pc: Postcodes, provider: str) -> str:
    if provider == "PR1":
        inside = True
    elif provider == "PR2":
        inside = False
    else:
        inside = rng.random() >= OUT_OF_AREA
    pool = pc.inside if inside else pc.outside
    return pool[rng.randrange(len(pool))]


@lru_cache(maxsize=4)
def registry(la: str, seed: int, looked_after: int) -> Registry:
    rng = random.Random(f"providers:{la}:{seed}:{looked_after}")
    pc = postcodes(la)
    sizes = _sizes(looked_after)
    total = sum(sum(v.values()) for v in sizes.values())
    numbers = rng.sample(range(100000, 1000000), total)
    providers: list[Provider] = []
    by_kind: dict[tuple[str, str], tuple[Provider, ...]] = {}
    used: set[str] = set()
    for family, per_code in sizes.items():
        for code, count in per_code.items():
            made: list[Provider] = []
            for _ in range(count):
                postcode = _postcode(rng, pc, code)
                # One setting per address (rule 221 reads the URN's postcode).
                for _ in range(20):
                    if postcode not in used:
                        break
                    postcode = _postcode(rng, pc, code)
                used.add(postcode)
                made.append(Provider(f"SC{numbers[len(providers)]}", family, code, postcode))
                providers.append(made[-1])
            by_kind[(family, code)] = tuple(made)
    return Registry(tuple(providers), by_kind)


OFSTED_COLUMNS = (
    "URN",
    "Placement code",
    "Placement provider code",
    "Deregistration date",
    "Setting postcode",
)


def ofsted_list(la: str, seed: int, looked_after: int) -> list[dict[str, str]]:
    """The registry as rows of Ofsted's social care providers list (the columns `datamonger
    validate --providers` reads); the rules derive each provider's LA from its postcode."""
    return [
        {
            "URN": p.urn,
            "Placement code": ",".join(p.places),
            "Placement provider code": p.provider,
            "Deregistration date": "",
            "Setting postcode": p.postcode,
        }
        for p in registry(la, seed, looked_after).providers
    ]
