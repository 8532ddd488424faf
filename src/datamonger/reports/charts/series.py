"""The lines of a benchmark trend: the LA, England, its region and its neighbours' mean."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datamonger.benchmarks.areas import ENGLAND, LA
from datamonger.reports.charts.model import Series


def comparison_series(
    la: LA,
    points: Callable[[str], dict[int, float]],
    neighbours: Sequence[str],
    neighbours_label: str,
    la_label: str | None = None,
) -> list[Series]:
    """`points(area)` gives an area's published figures by year; the neighbours' line is their
    mean in each year any of them has a figure."""
    by_year: dict[int, list[float]] = {}
    for n in neighbours:
        for y, v in points(n).items():
            by_year.setdefault(y, []).append(v)
    lines = [
        Series(la_label or la.name, points(la.number), "la"),
        Series("England", points(ENGLAND), "england"),
    ]
    if la.region_code:
        lines.append(Series(la.region_name or "Region", points(la.region_code), "region"))
    lines.append(
        Series(neighbours_label, {y: sum(v) / len(v) for y, v in by_year.items()}, "neighbours")
    )
    return lines
