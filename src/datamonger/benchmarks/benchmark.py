"""Where one LA stands on every published measure: England, region, neighbours, rank, quartile, trend.

Suppressed figures (`c`, `x`, `z`, `k`, `u`, `low`) are carried as their code and never enter an
average, a rank or a quartile. An LA with no figure for a year (LAIT's `-`, or no row: for example
Cumberland before 2023-24) has `value` null and no code, and a `missing` note saying why when known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datamonger.benchmarks import years as year_labels
from datamonger.benchmarks.areas import ENGLAND, LA
from datamonger.benchmarks.flags import Flag, Notes, change_of, extreme, sudden_change
from datamonger.benchmarks.measures import Measure
from datamonger.benchmarks.published import NEIGHBOUR_MODELS, Cell, Published
from datamonger.benchmarks.stats import distribution, quartile_band, rank, rank_order

TREND_YEARS = 5


class BadRequest(ValueError):
    """The question cannot be answered as asked (for example an unknown neighbour model)."""


@dataclass
class Point:
    year: int
    value: float | None
    suppressed: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "value": self.value, "suppressed": self.suppressed}


@dataclass
class MeasureBenchmark:
    key: str
    title: str
    source: str
    polarity: str
    unit: str | None
    year: int
    period: str | None  # the year as published, e.g. "2025 (Rev)"
    period_note: str | None
    value: float | None
    suppressed: str | None
    missing: str | None
    england: float | None
    region: float | None
    region_name: str | None
    sn_mean: float | None
    sn_median: float | None
    sn_count: int
    rank: int | None
    of: int
    rank_order: str
    quartile: str | None
    previous_year: int | None
    previous: float | None
    change: float | None
    trend: list[Point]
    trend_direction: str | None
    flags: list[Flag] = field(default_factory=list)
    own: float | None = None
    own_rank: int | None = None
    own_quartile: str | None = None
    own_flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["trend"] = [p.to_dict() for p in self.trend]
        d["flags"] = [f.to_dict() for f in self.flags]
        d["own_flags"] = [f.to_dict() for f in self.own_flags]
        return d


@dataclass
class Benchmark:
    la: LA
    neighbours_model: str
    neighbours: list[dict[str, str]]
    measures: list[MeasureBenchmark]

    def to_dict(self) -> dict[str, Any]:
        return {
            "la": self.la.to_dict(),
            "neighbours_model": self.neighbours_model,
            "neighbours": self.neighbours,
            "measures": [m.to_dict() for m in self.measures],
        }


def _previous(years: Sequence[int], year: int) -> int | None:
    earlier = [y for y in years if y < year]
    return earlier[-1] if earlier else None


def _direction(points: list[Point]) -> str | None:
    """rising / falling / steady over the last published values (least-squares slope; steady when the
    fitted change over the period is under 5% of the average)."""
    pts = [(p.year, p.value) for p in points if p.value is not None][-TREND_YEARS:]
    if len(pts) < 3:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sxx
    fitted = slope * (pts[-1][0] - pts[0][0])
    if abs(fitted) < 0.05 * abs(my) or fitted == 0:
        return "steady"
    return "rising" if fitted > 0 else "falling"


def _missing_note(la: LA, year: int, cell: Cell | None) -> str | None:
    if cell is not None and (cell.value is not None or cell.code is not None):
        return None
    if la.first_year and year < la.first_year:
        return f"{la.name} did not exist yet: {la.change_note}"
    if la.last_year and year > la.last_year:
        return f"{la.name} no longer exists: {la.change_note}"
    if cell is not None:
        return "no figure published for this LA and year ('-' in LAIT)"
    return "no figure published for this LA and year"


def _la_values(cells: Mapping[str, Cell], la_codes: set[str]) -> dict[str, float]:
    return {a: c.value for a, c in cells.items() if a in la_codes and c.value is not None}


def benchmark(
    la: str | LA,
    year: int | None = None,
    measures: Sequence[str] | None = None,
    neighbours: str = "2025",
    own: Mapping[str, float] | None = None,
    published: Published | None = None,
    notes: Notes | None = None,
) -> Benchmark:
    """Benchmark one LA on the published measures (all, or `measures`), each at `year` or at its latest
    published year. `own` holds the LA's own computed values keyed by measure key (LAIT `Short Desc`):
    each stands beside the published figure with the rank and quartile it would take among LAs.
    """
    pub = published or Published.open()
    notes = notes or Notes.load()
    if neighbours not in NEIGHBOUR_MODELS:
        raise BadRequest(f"Unknown neighbour model {neighbours!r}: choose 2025 or 2021.")
    target = la if isinstance(la, LA) else pub.areas.find(la)
    wanted: list[Measure] = (
        [pub.catalogue.get(k) for k in measures] if measures else list(pub.catalogue)
    )
    own = dict(own or {})
    la_codes = set(pub.areas.las)
    sn_list = pub.neighbours(neighbours).get(target.number, [])

    plan: list[tuple[Measure, int, int | None]] = []
    for m in wanted:
        available = pub.years.get(m.key, [])
        if year is None:
            if not available:
                continue
            y = available[-1]
        else:
            if year not in available:
                if measures:  # asked for by name: say it has no figures that year
                    plan.append((m, year, _previous(available, year)))
                continue
            y = year
        plan.append((m, y, _previous(available, y)))

    pairs = sorted({(m.key, y) for m, y, _ in plan} | {(m.key, p) for m, _, p in plan if p})
    cells = pub.cells(pairs)
    history = pub.series([target.number], [m.key for m, _, _ in plan]) if plan else {}

    results = []
    for m, y, prev_year in plan:
        now = cells.get((m.key, y), {})
        before = cells.get((m.key, prev_year), {}) if prev_year else {}
        cell = now.get(target.number)
        values = _la_values(now, la_codes)
        others = [v for a, v in values.items() if a != target.number]
        dist = distribution(list(values.values()))
        value = cell.value if cell else None
        region_cell = now.get(target.region_code or "")
        sn_values = [now[n].value for n in sn_list if n in now and now[n].value is not None]
        sn_vals = [v for v in sn_values if v is not None]
        prev_cell = before.get(target.number)
        previous = prev_cell.value if prev_cell else None
        change = value - previous if value is not None and previous is not None else None
        banded = m.quartiles and dist is not None

        trend = [
            Point(yy, c.value, c.code if c.value is None else None)
            for yy, c in sorted(history.get(m.key, {}).get(target.number, {}).items())
        ]
        prev_values = _la_values(before, la_codes)
        changes = [
            ch
            for a, v in values.items()
            if a in prev_values and (ch := change_of(m, v, prev_values[a])) is not None
        ]
        flags: list[Flag] = []
        if value is not None:
            for flag in (
                extreme(m, value, dist, notes),
                sudden_change(
                    m,
                    change_of(m, value, previous) if previous is not None else None,
                    changes,
                    notes,
                ),
            ):
                if flag:
                    flags.append(flag)

        own_value = own.get(m.key)
        own_flags: list[Flag] = []
        if own_value is not None:
            flag = extreme(m, own_value, distribution(others), notes)
            if flag:
                own_flags.append(flag)

        results.append(
            MeasureBenchmark(
                key=m.key,
                title=m.title,
                source=m.source,
                polarity=m.polarity,
                unit=m.unit,
                year=y,
                period=cell.period if cell else None,
                period_note=year_labels.status_note(cell.period) if cell and cell.period else None,
                value=value,
                suppressed=cell.code if cell and value is None else None,
                missing=_missing_note(target, y, cell),
                england=(now.get(ENGLAND) or Cell(None, None, None)).value,
                region=region_cell.value if region_cell else None,
                region_name=target.region_name,
                sn_mean=sum(sn_vals) / len(sn_vals) if sn_vals else None,
                sn_median=distribution(sn_vals).median if sn_vals else None,  # type: ignore[union-attr]
                sn_count=len(sn_vals),
                rank=rank(value, others, m.polarity) if value is not None else None,
                of=len(values),
                rank_order=rank_order(m.polarity),
                quartile=quartile_band(value, dist, m.polarity)
                if banded and value is not None and dist
                else None,
                previous_year=prev_year,
                previous=previous,
                change=change,
                trend=trend,
                trend_direction=_direction(trend),
                flags=flags,
                own=own_value,
                own_rank=rank(own_value, others, m.polarity) if own_value is not None else None,
                own_quartile=quartile_band(own_value, distribution(others), m.polarity)  # type: ignore[arg-type]
                if own_value is not None and m.quartiles and others
                else None,
                own_flags=own_flags,
            )
        )
    neighbour_rows = [{"la_number": n, "name": pub.areas.name(n)} for n in sn_list]
    return Benchmark(target, neighbours, neighbour_rows, results)
