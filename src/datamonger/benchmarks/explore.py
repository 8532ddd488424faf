"""The national explorer: every LA on one measure (or the ratio of two), one year or two compared.

A ratio is given per 100 of the divisor. Ranks are national (1 = best by polarity; ratios and measures without polarity rank highest first).
A region filter narrows the list and the summary to that region's LAs but keeps the national rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datamonger.benchmarks.areas import ENGLAND
from datamonger.benchmarks.benchmark import BadRequest
from datamonger.benchmarks.measures import Measure
from datamonger.benchmarks.published import Cell, Published
from datamonger.benchmarks.stats import distribution, rank, rank_order

TOLERANCE = 1e-9
# a ratio of two counts is shown per 100 of the second, as the briefing does ("36.7 plans per
# 100 S47 enquiries", not 0.4)
PER = 100.0


@dataclass(frozen=True, slots=True)
class Figure:
    value: float | None
    suppressed: str | None


def _ratio(num: Cell | None, den: Cell | None) -> Figure:
    if num is None or den is None:
        return Figure(None, None)
    if num.value is not None and den.value is not None:
        return Figure(num.value / den.value * PER, None) if den.value else Figure(None, None)
    return Figure(None, num.code if num.value is None else den.code)


def _figures(pub: Published, m: Measure, per: Measure | None, year: int) -> dict[str, Figure]:
    keys = [(m.key, year)] + ([(per.key, year)] if per else [])
    cells = pub.cells(keys)
    num = cells.get((m.key, year), {})
    if per is None:
        return {a: Figure(c.value, c.code if c.value is None else None) for a, c in num.items()}
    den = cells.get((per.key, year), {})
    return {a: _ratio(num.get(a), den.get(a)) for a in set(num) | set(den)}


def _common_years(pub: Published, m: Measure, per: Measure | None) -> list[int]:
    years = set(pub.years.get(m.key, []))
    if per:
        years &= set(pub.years.get(per.key, []))
    return sorted(years)


def explore(
    measure: str,
    per: str | None = None,
    year: int | None = None,
    compare_year: int | None = None,
    region: str | None = None,
    published: Published | None = None,
) -> dict[str, Any]:
    pub = published or Published.open()
    m = pub.catalogue.get(measure)
    d = pub.catalogue.get(per) if per else None
    available = _common_years(pub, m, d)
    if not available:
        raise BadRequest(f"{m.key}{' / ' + d.key if d else ''} has no LA figures in a common year.")
    year = year or available[-1]
    for y in (year, compare_year):
        if y is not None and y not in available:
            raise BadRequest(
                f"No LA figures for {m.key}{' / ' + d.key if d else ''} in {y}; years available: "
                f"{', '.join(map(str, available))}."
            )
    polarity = m.polarity if d is None else "-"
    regions = pub.areas.find_region(region) if region else None
    now = _figures(pub, m, d, year)
    before = _figures(pub, m, d, compare_year) if compare_year else {}

    las = pub.areas.las
    values = {a: f.value for a, f in now.items() if a in las and f.value is not None}
    rows = []
    up = down = same = not_compared = 0
    for code in sorted(set(now) | set(before)):
        if code not in las:
            continue
        la = las[code]
        if regions and la.region_code not in regions:
            continue
        fig = now.get(code, Figure(None, None))
        row: dict[str, Any] = {
            "la_number": code,
            "name": la.name,
            "region": la.region_name,
            "value": fig.value,
            "suppressed": fig.suppressed,
            "rank": rank(fig.value, [v for a, v in values.items() if a != code], polarity)
            if fig.value is not None
            else None,
        }
        if compare_year:
            old = before.get(code, Figure(None, None))
            row["previous"] = old.value
            row["previous_suppressed"] = old.suppressed
            if fig.value is not None and old.value is not None:
                change = fig.value - old.value
                row["change"] = change
                if abs(change) <= TOLERANCE:
                    same += 1
                    row["direction"] = "unchanged"
                elif change > 0:
                    up += 1
                    row["direction"] = "up"
                else:
                    down += 1
                    row["direction"] = "down"
            else:
                not_compared += 1
                row["change"] = None
                row["direction"] = None
        if fig.value is None and not fig.suppressed and not compare_year:
            continue  # an LA with no row at all this year (abolished or not yet created)
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))

    shown = [r["value"] for r in rows if r["value"] is not None]
    dist = distribution(shown)
    summary: dict[str, Any] = {
        "count": len(shown),
        "suppressed": sum(1 for r in rows if r["suppressed"]),
    }
    if dist:
        summary.update(
            {
                "median": dist.median,
                "q1": dist.q1,
                "q3": dist.q3,
                "min": {
                    "value": dist.minimum,
                    "las": [r["name"] for r in rows if r["value"] == dist.minimum],
                },
                "max": {
                    "value": dist.maximum,
                    "las": [r["name"] for r in rows if r["value"] == dist.maximum],
                },
            }
        )
    if compare_year:
        summary.update({"up": up, "down": down, "unchanged": same, "not_compared": not_compared})

    eng_now = now.get(ENGLAND, Figure(None, None))
    england: dict[str, Any] = {"value": eng_now.value, "suppressed": eng_now.suppressed}
    if compare_year:
        eng_old = before.get(ENGLAND, Figure(None, None))
        england["previous"] = eng_old.value
        england["change"] = (
            eng_now.value - eng_old.value
            if eng_now.value is not None and eng_old.value is not None
            else None
        )
    return {
        "measure": m.to_dict(),
        "per": d.to_dict() if d else None,
        "title": m.title if d is None else f"{m.title} per 100 {d.title}",
        "unit": m.unit if d is None else f"per 100 {d.title}",
        "polarity": polarity,
        "rank_order": rank_order(polarity),
        "year": year,
        "compare_year": compare_year,
        "region": region,
        "england": england,
        "las": rows,
        "summary": summary,
    }
