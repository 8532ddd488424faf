"""A synthetic regional partnership: several LAs, with some children who move between them.

Each LA is a synthetic LA of its own (`generate`, seeded by the run seed and the LA number), so
every LA alone is exactly what `synth --la` writes. Then a share of the children of each LA (but
the first) are made *movers*: they take the identity (identifier, date of birth, sex, ethnicity,
UPN) of a child of the LA before it in the list, whose history there is left alone. The mover is
the child of the previous LA nearest in date of birth, so ages barely shift.

The assumption this encodes: the LAs of a partnership record a child under one identifier shared
across them (LAchildID = CHILD; in real partnerships a regional or NHS-number-based identifier).
The pool's pseudonym is a keyed hash of that identifier, so it matches across LAs exactly when
the identifier does. Children recorded under LA-local identifiers are not followed across LAs.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from datamonger.synth.generate import SynthSummary, generate
from datamonger.synth.model import Child

MOVE_SHARE = 0.03  # of each LA's children in the CIN census, taken from the LA before it


@dataclass(slots=True)
class PartnershipSummary:
    out_dir: Path
    las: dict[str, SynthSummary] = field(default_factory=dict)
    movers: dict[str, int] = field(default_factory=dict)  # LA -> children who came from another


def _identity(c: Child) -> tuple[str, int, str, str, str, str]:
    return (c.child_id, c.birth, c.sex, c.ethnicity, c.upn, c.upn_unknown)


def _make_movers(
    population: list[Child], previous: list[tuple[str, int, str, str, str, str]], n: int, seed: int
) -> int:
    """Give `n` children of `population` the identity of children of the previous LA."""
    if not previous or n <= 0:
        return 0
    rng = random.Random(f"movers:{seed}:{population[0].child_id[:4]}")
    chosen = rng.sample(previous, min(n, len(previous)))
    targets = sorted((c.birth, k) for k, c in enumerate(population) if c.in_cin_census)
    moved = 0
    for ident in chosen:
        if not targets:
            break
        at = min(bisect.bisect_left(targets, (ident[1], -1)), len(targets) - 1)
        _, k = targets.pop(at)
        c = population[k]
        c.child_id, c.birth, c.sex, c.ethnicity, c.upn, c.upn_unknown = ident
        moved += 1
    return moved


def generate_partnership(
    out_dir: Path,
    las: Sequence[str],
    children: int,
    year: int,
    years: int = 1,
    seed: int = 0,
    move_share: float = MOVE_SHARE,
) -> PartnershipSummary:
    """Write `out_dir/<LA>/<YYYY-YY>/...` for each LA (the layout `synth` writes for one LA)."""
    if len(set(las)) != len(las):
        raise ValueError("each LA may be given once in --las")
    if not 0.0 <= move_share <= 0.5:
        raise ValueError("the share of movers must be between 0 and 0.5")
    out = PartnershipSummary(Path(out_dir))
    previous: list[tuple[str, int, str, str, str, str]] = []
    for la in las:
        own_seed = seed * 1000 + int(la) if la.isdigit() else seed
        moved = 0

        def adjust(population: list[Child], own_seed: int = own_seed) -> None:
            nonlocal previous, moved
            own = [_identity(c) for c in population if c.in_cin_census]
            moved = _make_movers(population, previous, round(len(own) * move_share), own_seed)
            previous = own

        out.las[la] = generate(
            out.out_dir / la, children, year, years, own_seed, la=la, adjust=adjust
        )
        out.movers[la] = moved
    return out
