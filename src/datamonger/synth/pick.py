"""Weighted choices built once from the declarative weights in `proportions`."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Draw keys of a {key: weight} mapping in proportion to their weights."""

    __slots__ = ("cumulative", "keys", "total")

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> T:
        return self.keys[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def without(self, *excluded: T) -> Weighted[T]:
        kept = {k: w for k, w in zip(self.keys, self._weights(), strict=True) if k not in excluded}
        return Weighted(kept)

    def _weights(self) -> list[float]:
        return [b - a for a, b in zip([0.0, *self.cumulative[:-1]], self.cumulative, strict=True)]


class Banded:
    """Draw a band from {(low, high): weight}, then an integer uniformly inside it."""

    __slots__ = ("bands",)

    def __init__(self, weights: Mapping[tuple[int, int], float]) -> None:
        self.bands = Weighted(weights)

    def __call__(self, rng: random.Random) -> int:
        low, high = self.bands(rng)
        return rng.randint(low, high)
