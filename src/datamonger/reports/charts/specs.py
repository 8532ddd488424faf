"""The chart specs, written with Altair: trend lines, a strip of all LAs with quartile bands, a
ranked bar chart and a funnel plot. Each returns a `Chart` with its text alternative and figures.

Colours follow the GOV.UK palette; every series also differs by dash or shape, and the LA is
named in words, so no chart relies on colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import altair as alt

from datamonger.reports.charts.model import Chart, Series

WIDTH = 560
COLOURS = {
    "own": "#6f2c91",
    "la": "#d4351c",
    "england": "#0b0c0c",
    "region": "#1d70b8",
    "neighbours": "#00703c",
    "neighbour": "#1d70b8",
    "other": "#6f777b",  # 4.7:1 on white (WCAG 1.4.11)
}
DASHES = {
    "own": [1, 0],
    "la": [6, 3],
    "england": [1, 0],
    "region": [2, 3],
    "neighbours": [8, 3, 2, 3],
    "other": [4, 2, 1, 2],
}
FONT = "Arial, Helvetica, sans-serif"
Z95, Z998 = 1.959964, 3.090232  # two-sided 95% and 99.8% control limits


def fmt(v: float | None) -> str:
    if v is None:
        return "no figure"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    text = f"{v:,.1f}"
    return "0.0" if text == "-0.0" else text


def _title(text: str, width: int = 78, subtitle: str | None = None) -> alt.Title:
    # long titles are wrapped, never cut (Vega would clip a single line at the chart's width)
    lines = textwrap.wrap(text, width) or [""]
    if subtitle:
        return alt.Title(
            lines, anchor="start", fontSize=14, font=FONT, subtitle=subtitle, subtitleFontSize=12
        )
    return alt.Title(lines, anchor="start", fontSize=14, font=FONT)


class _Datasets(dict[str, list[dict[str, Any]]]):
    """The chart's rows, kept out of Altair: Altair deep-copies inline values on every step
    (most of the time of building a spec), so marks name a dataset and the rows are put in the
    spec's top-level `datasets` once, at the end."""

    def __call__(self, name: str, values: list[dict[str, Any]]) -> alt.Data:
        self[name] = values
        return alt.Data(name=name)


def _config(chart: Any, desc: str, data: _Datasets) -> dict[str, Any]:
    spec: dict[str, Any] = (
        chart.properties(description=desc)
        .configure(font=FONT)
        .configure_axis(labelFontSize=11, titleFontSize=12, labelLimit=240)
        .configure_legend(labelFontSize=12, labelLimit=400, symbolStrokeWidth=2)
        .configure_view(stroke=None)
        .to_dict(validate=False)
    )
    spec["datasets"] = dict(data)
    return spec


def trend(
    title: str,
    series: Sequence[Series],
    unit: str | None,
    href: str | None = None,
    x_title: str = "Year",
) -> Chart:
    """Lines over the years (or whatever `x_title` numbers: the early-years checks), one per
    series (the LA computed here and published, England, the region, the neighbours' mean).
    `href`, if given, is a link with `{year}`: a click on a point opens it."""
    data = _Datasets()
    rows: list[dict[str, Any]] = []
    for s in series:
        for y, v in sorted(s.points.items()):
            row: dict[str, Any] = {"series": s.label, "year": y, "value": v}
            if href:
                row["href"] = href.format(year=y)
            rows.append(row)
    years = sorted({y for s in series for y in s.points})
    labels = [s.label for s in series]
    colours = [COLOURS.get(s.role, COLOURS["other"]) for s in series]
    dashes = [DASHES.get(s.role, DASHES["other"]) for s in series]
    legend = alt.Legend(title=None, orient="bottom", columns=2, symbolType="stroke")
    base = alt.Chart(data("d0", rows)).encode(
        x=alt.X("year:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=unit or "", scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", scale=alt.Scale(domain=labels, range=colours), legend=legend),
        strokeDash=alt.StrokeDash(
            "series:N", scale=alt.Scale(domain=labels, range=dashes), legend=legend
        ),
    )
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("year:O", title=x_title),
        alt.Tooltip("value:Q", title=unit or "Value", format=",.1f"),
    ]
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=70, opacity=1).encode(
        tooltip=tooltip, **({"href": alt.Href("href:N")} if href else {})
    )
    descs = []
    for s in series:
        pts = sorted(s.points.items())
        descs.append(
            f"{s.label}: " + (", ".join(f"{y} {fmt(v)}" for y, v in pts) if pts else "no figures")
        )
    alt_text = f"{title}. " + "; ".join(descs) + "." if rows else "No figures to chart."
    chart = (lines + points).properties(width=WIDTH, height=260, title=_title(title))
    table = [[s.label, *[s.points.get(y) for y in years]] for s in series]
    return Chart(
        "trend",
        title,
        _config(chart, alt_text, data),
        alt_text,
        ["Series", *map(str, years)],
        table,
    )


def _quarters(values: list[float]) -> tuple[float, float, float]:
    from datamonger.benchmarks.stats import quantile

    s = sorted(values)
    return quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75)


def strip(
    title: str,
    points: Sequence[tuple[str, float]],
    la: str,
    neighbours: Sequence[str],
    england: float | None,
    unit: str | None,
    polarity: str,
    own: float | None = None,
    href: str | None = None,
) -> Chart:
    """Every LA as a dot on one scale, over the four quarter bands of all LAs' values; the LA and
    its statistical neighbours drawn apart. `own` adds the figure computed here."""
    data = _Datasets()
    if not points:
        return Chart("strip", title, {}, "No figures to chart.")
    values = [v for _, v in points]
    q1, q2, q3 = _quarters(values)
    lo, hi = min(values + ([own] if own is not None else [])), max(values)
    if own is not None:
        hi = max(hi, own)
    good_high = polarity == "High"
    names = ["Lowest quarter", "Second quarter", "Third quarter", "Highest quarter"]
    if polarity in ("High", "Low"):
        names = [
            n + (" (best)" if (i == 3) == good_high and i in (0, 3) else "")
            for i, n in enumerate(names)
        ]
    shorts = ["Q1 lowest", "Q2", "Q3", "Q4 highest"]
    bands = [
        {"from": a, "to": b, "band": n, "short": shorts[i], "shade": i % 2}
        for i, (a, b, n) in enumerate(zip([lo, q1, q2, q3], [q1, q2, q3, hi], names, strict=True))
    ]
    sn = set(neighbours)
    rows: list[dict[str, Any]] = []
    ordered = sorted(points, key=lambda p: p[1])
    for i, (name, v) in enumerate(ordered):
        role = "This LA" if name == la else "Statistical neighbour" if name in sn else "Other LA"
        # spread the dots up and down so equal values stay visible; the same every time
        row = {"name": name, "value": v, "role": role, "jitter": (i % 7) - 3}
        if href:
            row["href"] = href
        rows.append(row)
    if own is not None:
        rows.append({"name": f"{la} (computed here)", "value": own, "role": "Computed here"})
        rows[-1]["jitter"] = 0
    roles = ["Other LA", "Statistical neighbour", "This LA", "Computed here"]
    x = alt.X("value:Q", title=unit or "", scale=alt.Scale(domain=[lo, hi], nice=True))
    band_layer = (
        alt.Chart(data("d1", bands))
        .mark_rect(opacity=0.6)
        .encode(
            x=alt.X("from:Q", scale=alt.Scale(domain=[lo, hi], nice=True), title=unit or ""),
            x2="to:Q",
            color=alt.Color(
                "shade:N", scale=alt.Scale(domain=[0, 1], range=["#f3f2f1", "#dee0e2"]), legend=None
            ),
            tooltip=[alt.Tooltip("band:N", title="Quarter of all LAs")],
        )
    )
    band_text = (
        alt.Chart(data("d1", bands))
        .transform_calculate(mid="(datum.from + datum.to) / 2")
        .mark_text(baseline="top", fontSize=10, color="#505a5f")
        .encode(x="mid:Q", y=alt.value(2), text="short:N")
    )
    dots = (
        alt.Chart(data("d3", rows))
        .mark_point(filled=True, opacity=0.9)
        .encode(
            x=x,
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-4, 4]), axis=None),
            color=alt.Color(
                "role:N",
                scale=alt.Scale(
                    domain=roles,
                    range=[COLOURS["other"], COLOURS["neighbour"], COLOURS["la"], COLOURS["own"]],
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            shape=alt.Shape(
                "role:N",
                scale=alt.Scale(domain=roles, range=["circle", "diamond", "triangle-up", "square"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            size=alt.condition("datum.role === 'Other LA'", alt.value(30), alt.value(150)),
            order=alt.Order("jitter:Q"),
            tooltip=[
                alt.Tooltip("name:N", title="Local authority"),
                alt.Tooltip("value:Q", title=unit or "Value", format=",.1f"),
                alt.Tooltip("role:N", title="Shown as"),
            ],
            **({"href": alt.Href("href:N")} if href else {}),
        )
    )
    layers: list[Any] = [band_layer, band_text, dots]
    if england is not None:
        eng = alt.Chart(data("d4", [{"england": england, "label": f"England {fmt(england)}"}]))
        layers.append(eng.mark_rule(strokeDash=[4, 3], color="#0b0c0c").encode(x="england:Q"))
        layers.append(
            eng.mark_text(align="left", dx=4, fontSize=11).encode(
                x="england:Q", y=alt.value(20), text="label:N"
            )
        )
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent")
        .properties(width=WIDTH, height=130, title=_title(title))
    )
    la_value = next((v for n, v in points if n == la), None)
    sn_values = [f"{n} {fmt(v)}" for n, v in ordered if n in sn]
    better = {"High": "higher is better", "Low": "lower is better"}.get(polarity, "")
    alt_text = (
        f"{title}. {len(points)} LAs; quarters split at {fmt(q1)}, {fmt(q2)} (median) and "
        f"{fmt(q3)}{'; ' + better if better else ''}. "
        + (f"{la} {fmt(la_value)}" if la_value is not None else f"{la}: no published figure")
        + (f"; computed here {fmt(own)}" if own is not None else "")
        + (f"; England {fmt(england)}" if england is not None else "")
        + (f". Neighbours: {', '.join(sn_values)}." if sn_values else ".")
    )
    table = [[i + 1, r["name"], r["role"], r["value"]] for i, r in enumerate(rows)]
    return Chart(
        "strip",
        title,
        _config(chart, alt_text, data),
        alt_text,
        ["Order", "Local authority", "Shown as", "Value"],
        table,
        la,
    )


def ranked(
    title: str,
    bars: Sequence[tuple[str, float]],
    la: str,
    england: float | None,
    polarity: str,
    unit: str | None = None,
    neighbours: Sequence[str] = (),
    compact: bool = False,
) -> Chart:
    """All LAs as horizontal bars, best first by polarity (highest first without one), every LA
    named; the LA and its neighbours drawn apart, England as a dashed line. `compact` (the
    briefing, an email) draws upright bars without the LAs' names, in a fixed height: the
    names are in the table and the tooltips instead."""
    data = _Datasets()
    if not bars:
        return Chart("ranked", title, {}, "No figures to chart.")
    high_first = polarity != "Low"
    ordered = sorted(bars, key=lambda b: (-b[1] if high_first else b[1], b[0]))
    sn = set(neighbours)
    rows: list[dict[str, Any]] = [
        {
            "name": n,
            "value": v,
            "position": i + 1,
            "role": "This LA" if n == la else "Statistical neighbour" if n in sn else "Other LA",
        }
        for i, (n, v) in enumerate(ordered)
    ]
    roles = ["Other LA", "Statistical neighbour", "This LA"]
    x = alt.X("value:Q", title=unit or "", axis=alt.Axis(orient="top"))
    bars_layer = (
        alt.Chart(data("d5", rows))
        .mark_bar()
        .encode(
            **(
                {
                    "x": alt.X(
                        "name:N",
                        sort=alt.EncodingSortField("position", order="ascending"),
                        title=f"{len(rows)} LAs, best first",
                        axis=alt.Axis(labels=False, ticks=False),
                    ),
                    "y": alt.Y("value:Q", title=unit or ""),
                }
                if compact
                else {
                    "y": alt.Y(
                        "name:N",
                        sort=alt.EncodingSortField("position", order="ascending"),
                        title=None,
                        axis=alt.Axis(labelFontSize=10, labelLimit=260),
                    ),
                    "x": x,
                }
            ),
            color=alt.Color(
                "role:N",
                scale=alt.Scale(
                    domain=roles, range=[COLOURS["other"], COLOURS["neighbour"], COLOURS["la"]]
                ),
                # no LA to pick out (the national briefing): no key either
                legend=alt.Legend(title=None, orient="bottom") if la else None,
            ),
            tooltip=[
                alt.Tooltip("position:Q", title="Position"),
                alt.Tooltip("name:N", title="Local authority"),
                alt.Tooltip("value:Q", title=unit or "Value", format=",.1f"),
            ],
        )
    )
    layers: list[Any] = [bars_layer]
    if england is not None:
        eng = alt.Chart(data("d6", [{"england": england, "label": f"England {fmt(england)}"}]))
        layers.append(
            eng.mark_rule(strokeDash=[4, 3], color="#0b0c0c", strokeWidth=2).encode(
                **({"y": "england:Q"} if compact else {"x": "england:Q"})
            )
        )
    chart = alt.layer(*layers).properties(
        width=WIDTH if compact else WIDTH - 200,
        height=220 if compact else alt.Step(12),
        title=_title(
            title, 60, f"Dashed line: England {fmt(england)}" if england is not None else None
        ),
    )
    position = next((r["position"] for r in rows if r["name"] == la), None)
    la_value = next((r["value"] for r in rows if r["name"] == la), None)
    alt_text = (
        f"{title}. {len(rows)} LAs, {'highest' if high_first else 'lowest'} first; "
        + (
            f"{la} is {position} of {len(rows)} at {fmt(la_value)}"
            if position
            else f"{la or 'the LA'} has no published figure"
        )
        + f"; highest {ordered[0][0] if high_first else ordered[-1][0]} "
        + f"{fmt(max(values := [v for _, v in ordered]))}, lowest {fmt(min(values))}"
        + (f"; England {fmt(england)}." if england is not None else ".")
    )
    table = [[r["position"], r["name"], r["value"]] for r in rows]
    return Chart(
        "ranked",
        title,
        _config(chart, alt_text, data),
        alt_text,
        ["Position", "Local authority", "Value"],
        table,
        la,
    )


def funnel_limits(p0: float, n_max: float, scale: float, steps: int = 60) -> list[dict[str, Any]]:
    """95% and 99.8% control limits around the proportion `p0` for denominators 1..n_max (the
    normal approximation to the binomial), as `scale` (100 for a percentage)."""
    rows = []
    top = max(n_max, 2.0)
    for i in range(steps + 1):
        n = math.exp(math.log(2.0) + (math.log(top * 1.1) - math.log(2.0)) * i / steps)
        se = math.sqrt(max(p0 * (1 - p0), 0.0) / n)
        for level, z in (("95%", Z95), ("99.8%", Z998)):
            for side, sign in (("lower", -1), ("upper", 1)):
                value = min(max(p0 + sign * z * se, 0.0), 1.0) * scale
                rows.append({"n": n, "limit": f"{level} {side}", "level": level, "value": value})
    return rows


def funnel(
    title: str,
    points: Sequence[tuple[str, float, float]],
    england_rate: float,
    scale: float,
    unit: str | None,
    highlight: str | None = None,
) -> Chart:
    """A funnel plot: each point is (label, numerator, denominator); the lines are the 95% and
    99.8% control limits around England's rate for each denominator. A point outside the
    99.8% limits is unusual even allowing for its size; inside them, it may be small numbers."""
    data = _Datasets()
    p0 = england_rate / scale
    pts = [(lbl, n, d) for lbl, n, d in points if d and d > 0]
    if not pts or not 0 <= p0 <= 1:
        return Chart("funnel", title, {}, "No figures to chart.")
    n_max = max(d for _, _, d in pts)
    limits = funnel_limits(p0, n_max, scale)
    rows: list[dict[str, Any]] = []
    for lbl, num, den in pts:
        rate = num / den * scale
        se = math.sqrt(max(p0 * (1 - p0), 0.0) / den) * scale
        z = (rate - p0 * scale) / se if se else 0.0
        where = (
            "outside the 99.8% limits"
            if abs(z) > Z998
            else "outside the 95% limits"
            if abs(z) > Z95
            else "inside the limits"
        )
        rows.append(
            {
                "label": lbl,
                "numerator": num,
                "denominator": den,
                "value": rate,
                "where": where,
                "role": "This LA" if (highlight and lbl.startswith(highlight)) else "Other LA",
            }
        )
    x = alt.X("n:Q", title="Denominator (children or events counted)")
    # the limits run to 0 and 100% at tiny denominators: the scale follows the points instead
    top = min(scale, max(max(r["value"] for r in rows), england_rate) * 1.6)
    lines = (
        alt.Chart(data("d7", limits))
        .mark_line(color="#505a5f", clip=True)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=unit or "", scale=alt.Scale(domain=[0, top])),
            detail="limit:N",
            strokeDash=alt.StrokeDash(
                "level:N",
                scale=alt.Scale(domain=["95%", "99.8%"], range=[[4, 3], [1, 0]]),
                legend=alt.Legend(title="Control limits", orient="bottom"),
            ),
        )
    )
    centre = (
        alt.Chart(data("d8", [{"value": england_rate}]))
        .mark_rule(color="#0b0c0c")
        .encode(y="value:Q")
    )
    dots = (
        alt.Chart(data("d9", rows))
        .mark_point(filled=True, size=90, opacity=1)
        .encode(
            x=alt.X("denominator:Q"),
            y="value:Q",
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=["Other LA", "This LA"], range=["#6f777b", "#d4351c"]),
                legend=None,
            ),
            shape=alt.Shape(
                "role:N",
                scale=alt.Scale(domain=["Other LA", "This LA"], range=["circle", "triangle-up"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Figure"),
                alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
                alt.Tooltip("denominator:Q", title="Denominator", format=",.0f"),
                alt.Tooltip("value:Q", title=unit or "Value", format=",.1f"),
                alt.Tooltip("where:N", title="Against England"),
            ],
        )
    )
    chart = (
        alt.layer(lines, centre, dots)
        .resolve_scale(color="independent", shape="independent")
        .properties(width=WIDTH, height=260, title=_title(title))
    )
    mine = [r for r in rows if r["role"] == "This LA"] or rows
    alt_text = (
        f"{title}. Control limits around England's {fmt(england_rate)}; "
        + "; ".join(
            f"{r['label']} {fmt(r['value'])} ({r['numerator']:,.0f} of {r['denominator']:,.0f}), "
            f"{r['where']}"
            for r in mine[:12]
        )
        + (f"; and {len(rows)} figures in all." if len(rows) > len(mine) else ".")
    )
    table = [[r["label"], r["numerator"], r["denominator"], r["value"], r["where"]] for r in rows]
    return Chart(
        "funnel",
        title,
        _config(chart, alt_text, data),
        alt_text,
        ["Figure", "Numerator", "Denominator", "Value", "Against England's limits"],
        table,
        highlight,
    )


def sparkline_points(values: Sequence[float | None], width: int = 80, height: int = 18) -> str:
    """The points of a word-sized line (a polyline's `points`), drawn with no axes: a glyph in a
    table row beside the figures it sums up, not a chart; its trend is also said in words."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    lo = min(v for _, v in known)
    hi = max(v for _, v in known)
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in known
    )
