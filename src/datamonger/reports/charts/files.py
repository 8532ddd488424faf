"""Charts of one measure written as SVG files (`datamonger benchmark --chart KEY`): the LA over
time against England, its region and its neighbours, and the LA among all LAs for one year."""

from __future__ import annotations

from pathlib import Path

from datamonger.benchmarks.areas import ENGLAND, LA
from datamonger.benchmarks.published import Published
from datamonger.reports.charts.render import accessible_svg
from datamonger.reports.charts.series import comparison_series
from datamonger.reports.charts.specs import strip, trend


def write_charts(
    pub: Published, la: LA, key: str, year: int | None, model: str, directory: Path
) -> list[Path]:
    m = pub.catalogue.get(key)
    neighbours = pub.neighbours(model).get(la.number, [])
    areas = [la.number, ENGLAND, *([la.region_code] if la.region_code else []), *neighbours]
    series = pub.series(areas, [m.key]).get(m.key, {})

    def points(area: str) -> dict[int, float]:
        return {y: c.value for y, c in series.get(area, {}).items() if c.value is not None}

    lines = comparison_series(la, points, neighbours, f"Neighbours mean ({model})")
    directory.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() else "_" for ch in m.key)[:80]
    trend_path = directory / f"{la.number}_{safe}_trend.svg"
    trend_path.write_text(
        accessible_svg(trend(f"{m.title}: {la.name}", lines, m.unit)), encoding="utf-8"
    )

    years = pub.years.get(m.key, [])
    bar_year: int | None = year or (years[-1] if years else None)
    dots: list[tuple[str, float]] = []
    england = None
    if bar_year is not None:
        cells = pub.cells([(m.key, bar_year)]).get((m.key, bar_year), {})
        las = pub.areas.las
        dots = [
            (las[a].name, c.value) for a, c in cells.items() if a in las and c.value is not None
        ]
        england = cells[ENGLAND].value if ENGLAND in cells else None
        sn_names = [las[a].name for a in neighbours if a in las]
    strip_path = directory / f"{la.number}_{safe}_strip_{bar_year}.svg"
    chart = strip(
        f"{m.title}, {bar_year}: {la.name} among all LAs",
        dots,
        la.name,
        sn_names if bar_year is not None else [],
        england,
        m.unit,
        m.polarity,
    )
    strip_path.write_text(accessible_svg(chart), encoding="utf-8")
    return [trend_path, strip_path]
