"""The chart specs on the shipped published figures: the numbers in each spec are the published
ones (England's value, the LA's point, every LA once), the text alternative says them, and
vl-convert draws every spec to SVG (cached by the spec's hash)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from datamonger.benchmarks.areas import ENGLAND
from datamonger.benchmarks.published import Published
from datamonger.reports.charts import Series, funnel, ranked, render, strip, svg, trend
from datamonger.reports.charts.render import accessible_svg
from datamonger.reports.charts.specs import Z998, fmt, funnel_limits

KEY = "ReReferral"
LEEDS = "383"


@pytest.fixture(scope="module")
def pub() -> Published:
    return Published.open()


def _data(spec: dict) -> list[dict]:
    """Every row in the spec (its named datasets)."""
    return [r for rows in spec["datasets"].values() for r in rows]


def _published(pub: Published, year: int) -> tuple[dict[str, float], float]:
    cells = pub.cells([(KEY, year)])[(KEY, year)]
    las = pub.areas.las
    by_name = {las[a].name: c.value for a, c in cells.items() if a in las and c.value is not None}
    return by_name, cells[ENGLAND].value


def test_trend_holds_the_published_series_and_says_them(pub: Published) -> None:
    series = pub.series([LEEDS, ENGLAND], [KEY])[KEY]
    leeds = {y: c.value for y, c in series[LEEDS].items() if c.value is not None}
    england = {y: c.value for y, c in series[ENGLAND].items() if c.value is not None}
    chart = trend(
        "Re-referrals: Leeds",
        [Series("Leeds", leeds, "la"), Series("England", england, "england")],
        "%",
        href="/benchmarks/explore?measure=ReReferral&year={year}",
    )
    rows = _data(chart.spec)
    got = {(r["series"], r["year"]): r["value"] for r in rows}
    last = max(england)
    assert got[("England", last)] == england[last] and got[("Leeds", last)] == leeds[last]
    assert len(rows) == len(leeds) + len(england)
    assert all(r["href"].endswith(f"year={r['year']}") for r in rows)
    assert "England: " in chart.alt and f"{last} {fmt(england[last])}" in chart.alt
    assert chart.spec["description"] == chart.alt
    assert chart.columns[0] == "Series" and chart.rows[1][0] == "England"
    root = ET.fromstring(accessible_svg(chart))
    assert root.get("role") == "img"
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:desc", ns).text == chart.alt  # type: ignore[union-attr]


def test_strip_has_every_la_once_with_quarter_bands(pub: Published) -> None:
    year = pub.years[KEY][-1]
    values, england = _published(pub, year)
    neighbours = ["Bradford", "Kirklees"]
    chart = strip(
        f"Re-referrals, {year}", list(values.items()), "Leeds", neighbours, england, "%", "Low"
    )
    dots = [r for r in _data(chart.spec) if "role" in r]
    assert len(dots) == len(values)
    assert {r["name"]: r["value"] for r in dots} == values
    roles = {r["name"]: r["role"] for r in dots}
    assert roles["Leeds"] == "This LA" and roles["Bradford"] == "Statistical neighbour"
    assert sum(1 for r in dots if r["role"] == "This LA") == 1
    england_rows = [r for r in _data(chart.spec) if "england" in r]
    assert england_rows and england_rows[0]["england"] == england
    bands = [r for r in _data(chart.spec) if "band" in r]
    assert len(bands) == 4 and bands[0]["from"] == min(values.values())
    assert bands[-1]["to"] == max(values.values())
    assert f"Leeds {fmt(values['Leeds'])}" in chart.alt and f"England {fmt(england)}" in chart.alt
    assert "Lowest quarter (best)" in {b["band"] for b in bands}  # lower is better here
    drawn = svg(chart.spec)
    assert drawn.startswith("<svg") and "England" in drawn


def test_ranked_names_every_la_best_first(pub: Published) -> None:
    year = pub.years[KEY][-1]
    values, england = _published(pub, year)
    chart = ranked(f"Re-referrals, {year}", list(values.items()), "Leeds", england, "Low", "%")
    rows = _data(chart.spec)
    bars = [r for r in rows if "position" in r]
    assert [r["value"] for r in bars] == sorted(values.values())  # lower is better: lowest first
    leeds = next(r for r in bars if r["name"] == "Leeds")
    assert f"Leeds is {leeds['position']} of {len(values)}" in chart.alt
    drawn = svg(chart.spec)
    for name in ("Leeds", "Bradford", "Westminster"):
        assert f">{name}<" in drawn  # every LA is named on the axis, none cut
    assert "Dashed line: England" in drawn


def test_funnel_limits_widen_for_small_denominators() -> None:
    limits = funnel_limits(0.2, 1000, 100)
    upper = sorted((r["n"], r["value"]) for r in limits if r["limit"] == "99.8% upper")
    assert upper[0][1] > upper[-1][1] > 20  # narrower as the denominator grows
    chart = funnel("Share", [("Small LA", 2, 5), ("Big LA", 400, 1000)], 20.0, 100, "%", "Big")
    rows = {r["label"]: r for r in _data(chart.spec) if "label" in r}
    # 40% of 5 is inside the limits (small numbers); 40% of 1,000 is far outside them
    assert rows["Small LA"]["where"] == "inside the limits"
    assert rows["Big LA"]["where"] == "outside the 99.8% limits"
    assert Z998 < (0.4 - 0.2) / (0.2 * 0.8 / 1000) ** 0.5
    assert "Big LA 40.0 (400 of 1,000), outside the 99.8% limits" in chart.alt


def test_drawings_are_cached_by_spec_hash() -> None:
    chart = trend("Cache", [Series("England", {2024: 1.0, 2025: 2.0}, "england")], None)
    render.clear()
    before = dict(render.stats)
    first = svg(chart.spec)
    second = svg(chart.spec)
    assert first == second
    assert render.stats["misses"] == before["misses"] + 1
    assert render.stats["hits"] == before["hits"] + 1


def test_no_negative_zero() -> None:
    assert fmt(-0.04) == "0.0" and fmt(-0.06) == "-0.1"
    from datamonger.web.pages import number

    assert number(-0.04) == "0.0" and number(-1.26) == "-1.3"
