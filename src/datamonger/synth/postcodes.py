"""Real English postcodes for homes and placements, from the sample shipped in `data/postcodes.csv`."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Postcodes:
    la: str
    inside: tuple[str, ...]  # postcodes in the LA's own area
    outside: tuple[str, ...]  # postcodes elsewhere in England

    def home(self, rng: random.Random) -> str:
        return self.inside[rng.randrange(len(self.inside))]

    def placement(self, rng: random.Random, in_area: bool, not_equal: str) -> str:
        pool = self.inside if in_area else self.outside
        while True:
            pc = pool[rng.randrange(len(pool))]
            if pc != not_equal:
                return pc


@lru_cache(maxsize=8)
def postcodes(la: str) -> Postcodes:
    text = resources.files("datamonger.synth").joinpath("data/postcodes.csv").read_text("utf-8")
    inside: list[str] = []
    outside: list[str] = []
    for row in csv.DictReader(io.StringIO(text)):
        (inside if row["dfe_la"] == la else outside).append(row["postcode"])
    if len(inside) < 2:
        raise ValueError(f"no postcodes for LA {la} in the synthetic sample")
    return Postcodes(la, tuple(inside), tuple(outside))


def known_las() -> set[str]:
    text = resources.files("datamonger.synth").joinpath("data/postcodes.csv").read_text("utf-8")
    return {row["dfe_la"] for row in csv.DictReader(io.StringIO(text))}
