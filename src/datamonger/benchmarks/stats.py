"""The arithmetic of benchmarking, in one place so every command ranks and bands the same way.

Quartiles are R's default (type 7, linear interpolation), the method of `quantile()` in the R code of
DfE's dashboards and DuckDB's `quantile_cont`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

HIGH = "High"
LOW = "Low"


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Type-7 quantile of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    h = (len(sorted_values) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def median(values: Sequence[float]) -> float:
    return quantile(sorted(values), 0.5)


@dataclass(frozen=True, slots=True)
class Distribution:
    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    def fences(self, k: float = 1.5) -> tuple[float, float]:
        return self.q1 - k * self.iqr, self.q3 + k * self.iqr


def distribution(values: Sequence[float]) -> Distribution | None:
    if not values:
        return None
    s = sorted(values)
    return Distribution(len(s), s[0], quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), s[-1])


def higher_is_better(polarity: str) -> bool:
    # No polarity: rank by value, highest first (said beside the rank).
    return polarity != LOW


def rank(value: float, others: Sequence[float], polarity: str) -> int:
    """1 = best. Ties share the better rank (competition ranking: 1, 2, 2, 4)."""
    if higher_is_better(polarity):
        return 1 + sum(1 for v in others if v > value)
    return 1 + sum(1 for v in others if v < value)


def rank_order(polarity: str) -> str:
    if polarity == HIGH:
        return "1 = highest (higher is better)"
    if polarity == LOW:
        return "1 = lowest (lower is better)"
    return "1 = highest (no better direction: ranked by value, highest first)"


def quartile_band(value: float, dist: Distribution, polarity: str) -> str | None:
    """LAIT's bands: A is the best quarter by polarity, D the worst; none without a polarity."""
    if polarity == HIGH:
        if value >= dist.q3:
            return "A"
        if value >= dist.median:
            return "B"
        if value >= dist.q1:
            return "C"
        return "D"
    if polarity == LOW:
        if value <= dist.q1:
            return "A"
        if value <= dist.median:
            return "B"
        if value <= dist.q3:
            return "C"
        return "D"
    return None
