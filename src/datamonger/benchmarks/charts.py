"""Two charts per measure, written as plain SVG (no library, no network): the LA against England, its
region and its neighbours over time, and the LA among all LAs as a ranked bar chart.

Each SVG carries a <title> and a <desc> that says in words what the chart shows, for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from datamonger.benchmarks.areas import ENGLAND, LA
from datamonger.benchmarks.published import Published
from datamonger.benchmarks.stats import higher_is_better

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 60, 190, 40, 40
COLOURS = {"la": "#d4351c", "england": "#0b0c0c", "region": "#1d70b8", "neighbours": "#00703c"}
# Each line also has its own dash pattern, drawn in the legend too, so the lines are told apart
# without colour (WCAG 1.4.1); the other LAs' bars are a grey at 4.7:1 on white (WCAG 1.4.11).
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 2 1 2")
OTHER_BAR = "#6f777b"


@dataclass
class Line:
    label: str
    colour: str
    points: dict[int, float]


def _fmt(x: float) -> str:
    return f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"


def _svg(title: str, desc: str, body: list[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="t d" '
            'font-family="Arial, sans-serif" font-size="12">',
            f'<title id="t">{escape(title)}</title>',
            f'<desc id="d">{escape(desc)}</desc>',
            f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
            *body,
            "</svg>",
        ]
    )


def _scale(lo: float, hi: float, top: float, bottom: float) -> Callable[[float], float]:
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    return lambda v: bottom - (v - lo) / (hi - lo) * (bottom - top)


def trend_svg(title: str, lines: list[Line], unit: str | None) -> str:
    years = sorted({y for line in lines for y in line.points})
    values = [v for line in lines for v in line.points.values()]
    if not years or not values:
        return _svg(title, "No published figures to chart.", [])
    lo, hi = min(0.0, min(values)), max(values)
    y_of = _scale(lo, hi, TOP, HEIGHT - BOTTOM)
    span = max(len(years) - 1, 1)
    x_of = {yr: LEFT + i * (WIDTH - LEFT - RIGHT) / span for i, yr in enumerate(years)}
    body = [
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#b1b4b6"/>'
    ]
    for tick in (lo, (lo + hi) / 2, hi):
        body.append(
            f'<text x="{LEFT - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>'
        )
    for yr in years:
        body.append(
            f'<text x="{x_of[yr]:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{yr}</text>'
        )
    if unit:
        body.append(f'<text x="{LEFT}" y="{TOP - 6}" fill="#505a5f">{escape(unit)}</text>')
    descs = []
    for i, line in enumerate(lines):
        pts = sorted(line.points.items())
        if not pts:
            descs.append(f"{line.label}: no figures")
            continue
        path = " ".join(f"{x_of[y]:.1f},{y_of(v):.1f}" for y, v in pts)
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{line.colour}" stroke-width="2"{dash_attr}/>'
        )
        for y, v in pts:
            body.append(
                f'<circle cx="{x_of[y]:.1f}" cy="{y_of(v):.1f}" r="3" fill="{line.colour}"/>'
            )
        key_y = TOP + 16 * i + 6
        body.append(
            f'<line x1="{WIDTH - RIGHT + 8}" y1="{key_y}" x2="{WIDTH - RIGHT + 28}" y2="{key_y}" '
            f'stroke="{line.colour}" stroke-width="2"{dash_attr}/>'
        )
        body.append(
            f'<text x="{WIDTH - RIGHT + 32}" y="{TOP + 16 * i + 10}" fill="{line.colour}">{escape(line.label)}</text>'
        )
        descs.append(f"{line.label}: " + ", ".join(f"{y} {_fmt(v)}" for y, v in pts))
    return _svg(title, f"{title}. " + "; ".join(descs) + ".", body)


def ranked_svg(
    title: str, bars: list[tuple[str, float]], highlight: str, england: float | None, polarity: str
) -> str:
    """Bars best first by polarity; the LA in red, England as a dashed line."""
    if not bars:
        return _svg(title, "No published figures to chart.", [])
    ordered = sorted(bars, key=lambda b: b[1], reverse=higher_is_better(polarity))
    values = [v for _, v in ordered] + ([england] if england is not None else [])
    lo, hi = min(0.0, min(values)), max(values)
    y_of = _scale(lo, hi, TOP, HEIGHT - BOTTOM)
    step = (WIDTH - LEFT - 20) / len(ordered)
    body = []
    position: int | None = None
    for i, (name, v) in enumerate(ordered):
        x = LEFT + i * step
        colour = COLOURS["la"] if name == highlight else OTHER_BAR
        if name == highlight:
            position = i + 1
            # the LA's bar is named under the axis, not only shown in red (WCAG 1.4.1)
            anchor = (
                "start" if i < len(ordered) / 3 else "end" if i > 2 * len(ordered) / 3 else "middle"
            )
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}">'
                f"▲ {escape(name)}</text>"
            )
        top = y_of(max(v, 0))
        body.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{abs(y_of(v) - y_of(0)):.1f}" fill="{colour}"><title>{escape(name)}: {_fmt(v)}</title></rect>'
        )
    if england is not None:
        y = y_of(england)
        body.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 20}" y2="{y:.1f}" stroke="#0b0c0c" stroke-dasharray="4 3"/>'
        )
        label = f"England {_fmt(england)}"
        # on a white ground, so the label stays readable where it crosses the bars
        label_width = 7 * len(label) + 6
        body.append(
            f'<rect x="{WIDTH - 20 - label_width}" y="{y - 17:.1f}" width="{label_width}" '
            'height="16" fill="#fff"/>'
        )
        body.append(f'<text x="{WIDTH - 23}" y="{y - 4:.1f}" text-anchor="end">{label}</text>')
    for tick in (lo, hi):
        body.append(
            f'<text x="{LEFT - 6}" y="{y_of(tick) + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>'
        )
    la_value = dict(ordered).get(highlight)
    where = (
        f"{highlight} is {position} of {len(ordered)} at {_fmt(la_value)}"
        if position and la_value is not None
        else f"{highlight} has no published figure"
    )
    desc = (
        f"{title}. {len(ordered)} LAs ordered best first ({'highest' if higher_is_better(polarity) else 'lowest'} first); "
        f"{where}; highest {ordered[0][0] if higher_is_better(polarity) else ordered[-1][0]} "
        f"{_fmt(max(v for _, v in ordered))}, lowest {_fmt(min(v for _, v in ordered))}"
        + (f"; England {_fmt(england)}." if england is not None else ".")
    )
    return _svg(title, desc, body)


def write_charts(
    pub: Published, la: LA, key: str, year: int | None, model: str, directory: Path
) -> list[Path]:
    m = pub.catalogue.get(key)
    neighbours = pub.neighbours(model).get(la.number, [])
    areas = [la.number, ENGLAND, *([la.region_code] if la.region_code else []), *neighbours]
    series = pub.series(areas, [m.key]).get(m.key, {})

    def points(area: str) -> dict[int, float]:
        return {y: c.value for y, c in series.get(area, {}).items() if c.value is not None}

    sn_by_year: dict[int, list[float]] = {}
    for n in neighbours:
        for y, v in points(n).items():
            sn_by_year.setdefault(y, []).append(v)
    lines = [
        Line(la.name, COLOURS["la"], points(la.number)),
        Line("England", COLOURS["england"], points(ENGLAND)),
    ]
    if la.region_code:
        lines.append(Line(la.region_name or "Region", COLOURS["region"], points(la.region_code)))
    lines.append(
        Line(
            f"Neighbours mean ({model})",
            COLOURS["neighbours"],
            {y: sum(v) / len(v) for y, v in sn_by_year.items()},
        )
    )
    directory.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() else "_" for ch in m.key)[:80]
    trend_path = directory / f"{la.number}_{safe}_trend.svg"
    trend_path.write_text(trend_svg(f"{m.title}: {la.name}", lines, m.unit), encoding="utf-8")

    years = pub.years.get(m.key, [])
    bar_year: int | None = year or (years[-1] if years else None)
    bars: list[tuple[str, float]] = []
    england = None
    if bar_year is not None:
        cells = pub.cells([(m.key, bar_year)]).get((m.key, bar_year), {})
        bars = [
            (pub.areas.las[a].name, c.value)
            for a, c in cells.items()
            if a in pub.areas.las and c.value is not None
        ]
        england = cells[ENGLAND].value if ENGLAND in cells else None
    ranked_path = directory / f"{la.number}_{safe}_ranked_{bar_year}.svg"
    ranked_path.write_text(
        ranked_svg(f"{m.title}, {bar_year}: all LAs", bars, la.name, england, m.polarity),
        encoding="utf-8",
    )
    return [trend_path, ranked_path]
