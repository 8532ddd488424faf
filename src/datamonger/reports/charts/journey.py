"""A child's journey as a picture: one lane per kind of record (bars for periods, dots for days),
the validation issues as marks on their own lane. Vega-Lite through Altair, rendered on the server
to SVG by vl-convert and served as an image (no script; the page's table holds every figure)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pyarrow as pa

from datamonger.reports.charts import render

# Kinds with a start and an end (an open one is drawn to the last 31 March loaded).
PERIODS = {
    "referral",
    "assessment",
    "cin_plan",
    "cpp",
    "pre_proceedings",
    "episode",
    "missing",
    "social_worker",
    "placed_adoption",
    "dolo",
}
LEFT_OUT = {"record", "return_end", "birth"}  # the child's details: in the table, not the picture


def journey_svg(events: pa.Table, issues: pa.Table) -> dict[str, Any] | None:
    """{"src": data URI, "alt": text alternative, "caption"}, or None when nothing is dated."""
    import altair as alt

    rows = [e for e in events.to_pylist() if e["kind"] not in LEFT_OUT and e["start_date"]]
    if not rows:
        return None
    last = max(
        [max(e["years"] or [0]) for e in rows] + [d.year for d in _dates(rows)], default=2000
    )
    horizon = dt.date(last, 3, 31)
    bars, dots = [], []
    for e in rows:
        if e["kind"] in PERIODS:
            end = e["end_date"] or horizon
            bars.append(
                {
                    "lane": e["label"],
                    "start": str(e["start_date"]),
                    "end": str(max(end, e["start_date"])),
                }
            )
        else:
            dots.append({"lane": e["label"], "date": str(e["start_date"])})
    pins = [
        {"lane": "Validation issues", "date": str(d)} for d in issues.column("date").to_pylist()
    ]
    lanes = list(dict.fromkeys([b["lane"] for b in bars] + [d["lane"] for d in dots]))
    if pins:
        lanes.append("Validation issues")
    y = alt.Y("lane:N", sort=lanes, title=None, axis=alt.Axis(labelLimit=260))
    layers = []
    if bars:
        layers.append(
            alt.Chart(alt.Data(values=bars))
            .mark_bar(height=10, color="#1d70b8")
            .encode(x=alt.X("start:T", title=None), x2="end:T", y=y)
        )
    if dots:
        layers.append(
            alt.Chart(alt.Data(values=dots))
            .mark_point(filled=True, size=60, color="#0b0c0c")
            .encode(x=alt.X("date:T", title=None), y=y)
        )
    if pins:
        layers.append(
            alt.Chart(alt.Data(values=pins))
            .mark_point(shape="triangle-down", filled=True, size=90, color="#d4351c")
            .encode(x=alt.X("date:T", title=None), y=y)
        )
    chart = alt.layer(*layers).properties(width=640, height=max(60, 24 * len(lanes)))
    svg = render.svg(chart.to_dict())  # the shared engine draws one chart at a time
    first = min(_dates(rows))
    lastd = max(_dates(rows))
    alt_text = (
        f"Timeline from {first} to {lastd}: {len(rows)} dated records in {len(lanes) - bool(pins)} "
        f"kinds ({', '.join(lanes[: len(lanes) - bool(pins)])})"
        + (f"; {len(pins)} validation issues marked in red." if pins else ".")
        + " Every record is listed in the table below."
    )
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "alt": alt_text,
        "caption": "Bars: periods (open ones drawn to the end of the last return). Dots: days. "
        "Red triangles: validation issues. The table below lists every record and issue.",
    }


def _dates(rows: list[dict[str, Any]]) -> list[dt.date]:
    return [d for e in rows for d in (e["start_date"], e["end_date"]) if d]
