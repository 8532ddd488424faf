"""The benchmarks overview as compact rows: one per measure, grouped by topic (children's social
care first, in the order of `curated/topics.csv`; measures outside it only when asked), filtered
by topic, flags and the side of England, and sorted.

Topics are data: `data/published/curated/topics.csv` maps each LAIT or EES topic to a group and
says whether it belongs to children's social care.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from typing import Any

from datamonger.benchmarks.benchmark import Benchmark, MeasureBenchmark
from datamonger.benchmarks.paths import published_dir
from datamonger.reports.charts import sparkline_points

OTHER = "Other measures"
SORTS = {"topic", "flags", "rank", "title", "change"}


@dataclass(frozen=True)
class Group:
    name: str
    order: int
    social_care: bool


@functools.cache
def groups() -> dict[str, Group]:
    """Topic (as LAIT or EES names it) -> its group."""
    path = published_dir() / "curated" / "topics.csv"
    out: dict[str, Group] = {}
    names: list[str] = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["group"] not in names:
                names.append(row["group"])
            out[row["topic"]] = Group(
                row["group"], names.index(row["group"]), row["social_care"] == "true"
            )
    return out


def group_of(topic: str | None) -> Group:
    return groups().get(topic or "", Group(OTHER, 999, False))


def against_england(mb: MeasureBenchmark) -> str | None:
    """better, worse or level against England by the measure's polarity; None without one."""
    if mb.value is None or mb.england is None or mb.polarity not in ("High", "Low"):
        return None
    if mb.value == mb.england:
        return "level"
    above = mb.value > mb.england
    return "better" if above == (mb.polarity == "High") else "worse"


@dataclass
class Row:
    mb: MeasureBenchmark
    group: Group
    against: str | None
    spark: str


def overview(
    b: Benchmark,
    topics: dict[str, str | None],
    *,
    group: str | None = None,  # a group's name, "all", or None: the first group
    flagged: bool = False,
    against: str | None = None,
    scope: str = "care",
    sort: str = "topic",
    q: str | None = None,
) -> dict[str, Any]:
    """The rows to show and the groups to pick from (with their counts), after the filters."""
    rows = [
        Row(
            mb,
            group_of(topics.get(mb.key)),
            against_england(mb),
            sparkline_points([p.value for p in mb.trend[-8:]]),
        )
        for mb in b.measures
    ]
    in_scope = [r for r in rows if scope == "all" or r.group.social_care]
    counts: dict[str, dict[str, Any]] = {}
    for r in sorted(in_scope, key=lambda r: r.group.order):
        c = counts.setdefault(r.group.name, {"name": r.group.name, "count": 0, "flagged": 0})
        c["count"] += 1
        c["flagged"] += bool(r.mb.flags)
    shown = in_scope
    # one topic at a time unless all are asked for: the page stays one screen's worth, not 700 rows
    if group is None and counts and not (flagged or q):
        group = next(iter(counts))
    if group and group != "all":
        shown = [r for r in shown if r.group.name == group]
    if flagged:
        shown = [r for r in shown if r.mb.flags]
    if against in ("better", "worse"):
        shown = [r for r in shown if r.against == against]
    if q:
        words = q.lower().split()
        shown = [r for r in shown if all(w in f"{r.mb.key} {r.mb.title}".lower() for w in words)]
    key = {
        "topic": lambda r: (r.group.order, r.mb.title),
        "flags": lambda r: (-len(r.mb.flags), r.group.order, r.mb.title),
        "rank": lambda r: (r.mb.rank is None, (r.mb.rank or 0) / max(r.mb.of, 1), r.mb.title),
        "title": lambda r: (r.mb.title.lower(),),
        "change": lambda r: (r.mb.change is None, -abs(r.mb.change or 0), r.mb.title),
    }[sort if sort in SORTS else "topic"]
    shown = sorted(shown, key=key)
    grouped: list[tuple[str, list[Row]]] = []
    if sort == "topic":
        for r in shown:
            if not grouped or grouped[-1][0] != r.group.name:
                grouped.append((r.group.name, []))
            grouped[-1][1].append(r)
    else:
        grouped = [("", shown)]
    outside = sum(1 for r in rows if not r.group.social_care)
    return {
        "groups": grouped,
        "group": group or "all",
        "counts": list(counts.values()),
        "shown": len(shown),
        "in_scope": len(in_scope),
        "outside": outside,
        "flags": sum(1 for r in in_scope if r.mb.flags),
    }
