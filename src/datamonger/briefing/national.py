"""The national edition: the sector-wide story of a release, from the published figures alone.

For each headline measure: England's figure and its change, how many LAs rose and fell, the
range between LAs with the LAs at each end, and for each end whether it stands out (the benchmarks
module's extreme-value rule) with the note naming practice and recording explanations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from datamonger.benchmarks.areas import ENGLAND
from datamonger.benchmarks.explore import explore
from datamonger.benchmarks.flags import Notes, extreme, is_count
from datamonger.benchmarks.measures import Measure
from datamonger.benchmarks.published import Published
from datamonger.benchmarks.stats import distribution
from datamonger.briefing import calendar, describe
from datamonger.briefing import headlines as hl
from datamonger.briefing.common import about, calendar_section, names, year_label
from datamonger.briefing.facts import Briefing, Fact, Paragraph, Section
from datamonger.briefing.headlines import Headline, Parts
from datamonger.reports.charts import ranked
from datamonger.reports.charts.render import accessible_svg

NO_PARTS = Parts(None, None)


class NoFigures(ValueError):
    """No headline measure has figures for the year asked."""


def available_years(pub: Published, heads: list[Headline]) -> list[int]:
    return sorted({y for h in heads for y in pub.years.get(h.key, [])})


def _source(h: Headline, year: int, area: str = "all LAs") -> str:
    parts = f" with {' and '.join(h.part_keys())}" if h.part_keys() else ""
    return f"{h.key} {year} ({area}){parts}"


def _measure_paragraph(
    h: Headline,
    m: Measure,
    year: int,
    pub: Published,
    notes: Notes,
    charts: str,
) -> tuple[Paragraph, dict[str, Any]]:
    """One headline measure's facts; also returns a summary used by "in brief" and "next"."""
    years = pub.years.get(h.key, [])
    earlier = [y for y in years if y < year]
    prev = earlier[-1] if earlier else None
    ex = explore(h.key, year=year, compare_year=prev, published=pub)
    P = hl.parts(pub, [h], [year] + ([prev] if prev else []))
    now_parts = P.get((h.id, year), {})
    prev_parts = P.get((h.id, prev), {}) if prev else {}
    label = year_label(h.topic, year)
    facts: list[Fact] = []

    eng = ex["england"]
    e_now, e_prev = eng.get("value"), eng.get("previous")
    ep_now = now_parts.get(ENGLAND, NO_PARTS)
    ep_prev = prev_parts.get(ENGLAND, NO_PARTS)
    move = describe.movement(h, e_now, e_prev)
    base_shown = {
        "short": h.short,
        "year": label,
        "figure": describe.figure(h, e_now, ep_now),
    }
    data = {
        "measure": h.key,
        "year": year,
        "value": e_now,
        "numerator": ep_now.numerator,
        "base": ep_now.base,
        "previous_year": prev,
        "previous": e_prev,
        "change": (e_now - e_prev) if e_now is not None and e_prev is not None else None,
    }
    if move is not None and prev is not None:
        facts.append(
            Fact(
                id=f"national.{h.id}.england",
                template="nat_england_change",
                data=data,
                shown={
                    **base_shown,
                    "movement": move,
                    "before": describe.figure(h, e_prev, ep_prev),
                    "prev_year": year_label(h.topic, prev),
                },
                sources=[_source(h, year, "England"), _source(h, prev, "England")],
            )
        )
    else:
        facts.append(
            Fact(
                id=f"national.{h.id}.england",
                template="nat_england",
                data=data,
                shown=base_shown,
                sources=[_source(h, year, "England")],
            )
        )

    s = ex["summary"]
    if prev is not None:
        compared = s["up"] + s["down"] + s["unchanged"]
        facts.append(
            Fact(
                id=f"national.{h.id}.moved",
                template="nat_moved",
                data={
                    "measure": h.key,
                    "year": year,
                    "previous_year": prev,
                    "compared": compared,
                    "up": s["up"],
                    "down": s["down"],
                    "unchanged": s["unchanged"],
                    "not_compared": s["not_compared"],
                },
                shown={
                    "compared": f"{compared:,}",
                    "up": f"{s['up']:,}",
                    "down": f"{s['down']:,}",
                    "unchanged": f"{s['unchanged']:,}",
                    "prev_year": year_label(h.topic, prev),
                    "not_compared": f"{s['not_compared']:,}",
                },
                sources=[_source(h, year), _source(h, prev)],
            )
        )

    summary: dict[str, Any] = {"headline": h, "england": e_now, "previous": e_prev, "move": move}
    chart = None
    if h.kind == "count" or is_count(m):
        facts.append(
            Fact(
                id=f"national.{h.id}.counts",
                template="nat_counts_note",
                data={"measure": h.key},
                shown={},
            )
        )
        return Paragraph(facts, heading=h.short, chart=chart), summary

    rows = [r for r in ex["las"] if r["value"] is not None]
    every = [r["value"] for r in rows]
    shown_rows = [
        r
        for r in rows
        if not describe.withheld(h, r["value"], now_parts.get(r["la_number"], NO_PARTS))
    ]
    hidden = len(rows) - len(shown_rows)
    dist = distribution([r["value"] for r in shown_rows])
    full = distribution(every)
    if dist is None or full is None:
        return Paragraph(facts, heading=h.short), summary

    def at(value: float) -> list[dict[str, Any]]:
        return [r for r in shown_rows if r["value"] == value]

    def end_figure(value: float) -> str:
        tied = at(value)
        if len(tied) == 1:
            return describe.figure(h, value, now_parts.get(tied[0]["la_number"], NO_PARTS))
        return describe.value(h, value)

    top, bottom = at(dist.maximum), at(dist.minimum)
    facts.append(
        Fact(
            id=f"national.{h.id}.range",
            template="nat_range",
            data={
                "measure": h.key,
                "year": year,
                "count": dist.count,
                "max": dist.maximum,
                "max_las": [r["la_number"] for r in top],
                "min": dist.minimum,
                "min_las": [r["la_number"] for r in bottom],
                "q1": dist.q1,
                "median": dist.median,
                "q3": dist.q3,
                "range": dist.maximum - dist.minimum,
            },
            shown={
                "count": f"{dist.count:,}",
                "max_las": names([r["name"] for r in top]),
                "max": end_figure(dist.maximum),
                "min_las": names([r["name"] for r in bottom]),
                "min": end_figure(dist.minimum),
                "q1": describe.value(h, dist.q1),
                "q3": describe.value(h, dist.q3),
                "median": describe.value(h, dist.median),
                "range": describe.value(h, dist.maximum - dist.minimum),
            },
            sources=[_source(h, year)],
        )
    )
    if hidden:
        facts.append(
            Fact(
                id=f"national.{h.id}.hidden",
                template="nat_hidden",
                data={"measure": h.key, "year": year, "hidden": hidden},
                shown={
                    "hidden": f"{hidden:,}",
                    "s": "" if hidden == 1 else "s",
                    "verb": "is" if hidden == 1 else "are",
                },
            )
        )
    flagged: list[str] = []
    low_fence, high_fence = full.fences()
    for end, ends in (("highest", top), ("lowest", bottom)):
        value = dist.maximum if end == "highest" else dist.minimum
        flag = extreme(m, value, full, notes)
        who = names([r["name"] for r in ends])
        if flag:
            flagged += [r["name"] for r in ends]
            facts.append(
                Fact(
                    id=f"national.{h.id}.{end}.flag",
                    template="nat_end_flag",
                    data={
                        "measure": h.key,
                        "year": year,
                        "value": value,
                        "las": [r["la_number"] for r in ends],
                        "rule": flag.rule,
                        "direction": flag.direction,
                        "low_fence": low_fence,
                        "high_fence": high_fence,
                    },
                    shown={
                        "las": who,
                        "end": end,
                        "value": describe.value(h, value),
                        "fence": describe.value(h, high_fence if end == "highest" else low_fence),
                        "side": "above" if end == "highest" else "below",
                        "lais": "is" if len(ends) == 1 else "are",
                        "note": flag.note,
                    },
                    sources=[_source(h, year), "benchmarks flag notes"],
                    tone="flag",
                )
            )
        else:
            facts.append(
                Fact(
                    id=f"national.{h.id}.{end}.within",
                    template="nat_end_within",
                    data={
                        "measure": h.key,
                        "year": year,
                        "value": value,
                        "las": [r["la_number"] for r in ends],
                        "low_fence": low_fence,
                        "high_fence": high_fence,
                    },
                    shown={
                        "las": who,
                        "end": end,
                        "value": describe.value(h, value),
                        "lies": "lies" if len(ends) == 1 else "lie",
                        "fence": _fence_words(h, end, low_fence, high_fence),
                    },
                    sources=[_source(h, year)],
                )
            )
    summary["flagged"] = flagged
    if charts == "all" or (charts == "key" and h.kind == "ratio"):
        bars = [(r["name"], float(r["value"])) for r in shown_rows]
        chart = accessible_svg(
            ranked(
                f"{h.short}, {year_label(h.topic, year)}: all LAs",
                bars,
                "",
                e_now,
                m.polarity,
                compact=True,
            )
        )
    return Paragraph(facts, heading=h.short, chart=chart), summary


def _fence_words(h: Headline, end: str, low: float, high: float) -> str:
    if end == "highest":
        return f"the upper fence is {describe.value(h, high)}"
    if low < 0:
        return "the lower fence is below zero, so no low figure can stand out on this test"
    return f"the lower fence is {describe.value(h, low)}"


def national(
    year: int | None = None,
    as_of: dt.date | None = None,
    published: Published | None = None,
    notes: Notes | None = None,
    heads: list[Headline] | None = None,
    releases: list[calendar.Release] | None = None,
    charts: str = "key",
) -> Briefing:
    pub = published or Published.open()
    notes = notes or Notes.load()
    heads = heads if heads is not None else hl.load()
    releases = releases if releases is not None else calendar.load()
    as_of = as_of or dt.date.today()
    years = available_years(pub, heads)
    if not years:
        raise NoFigures("no headline measure has published figures")
    year = year or years[-1]
    if year not in years:
        raise NoFigures(
            f"no headline figures for {year}; years with figures: {years[0]} to {years[-1]}"
        )

    sections = [calendar_section(releases, as_of)]
    by_topic: dict[str, list[Headline]] = defaultdict(list)
    for h in heads:
        by_topic[h.topic].append(h)

    published_facts = []
    missing: list[Fact] = []
    summaries: list[dict[str, Any]] = []
    topic_sections = []
    for topic, hs in by_topic.items():
        paragraphs = []
        with_figures = [h for h in hs if year in pub.years.get(h.key, [])]
        for h in hs:
            if h not in with_figures:
                have = pub.years.get(h.key, [])
                missing.append(
                    Fact(
                        id=f"national.{h.id}.missing",
                        template="nat_missing",
                        data={"measure": h.key, "year": year, "years": have},
                        shown={
                            "short": h.short,
                            "year": year_label(h.topic, year),
                            "years": f"{have[0]} to {have[-1]}" if have else "none",
                        },
                    )
                )
                continue
            para, summary = _measure_paragraph(
                h, pub.catalogue.get(h.key), year, pub, notes, charts
            )
            paragraphs.append(para)
            summaries.append(summary)
        if not paragraphs:
            continue
        topic_sections.append(Section(f"topic.{topic}", topic, paragraphs))
        occ = calendar.publication(releases, topic, year)
        if occ:
            published_facts.append(
                Fact(
                    id=f"published.{topic}",
                    template="published_release",
                    data={"release": occ.release.id, "data_year": year, "topic": topic},
                    shown={
                        "title": occ.release.title,
                        "publisher": occ.release.publisher,
                        "when": occ.when,
                        "covers": occ.covers,
                        "topic": topic,
                        "n": f"{len(with_figures)}",
                    },
                    sources=[f"calendar: {occ.release.id}"],
                )
            )
    if published_facts:
        sections.append(
            Section("published", "What was published", [Paragraph(published_facts, bullets=True)])
        )
    sections.append(_in_brief(summaries, year))
    sections += topic_sections
    if missing:
        sections.append(Section("missing", "Not published for this year", [Paragraph(missing)]))
    sections.append(_next(summaries, releases, as_of))
    return Briefing(
        edition="national",
        title=f"Children's social care: the national picture, {year_label('', year)}",
        subtitle="What the Department for Education's published figures say across England",
        as_of=as_of.isoformat(),
        year=year,
        la=None,
        sections=sections,
        about=about(),
    )


def _relative_move(s: dict[str, Any]) -> float:
    now, before = s["england"], s["previous"]
    if now is None or before is None or not before:
        return 0.0
    return abs(now - before) / abs(before)


def _in_brief(summaries: list[dict[str, Any]], year: int) -> Section:
    moved = sorted(
        (s for s in summaries if s["move"] and s["move"] != "unchanged"),
        key=_relative_move,
        reverse=True,
    )[:4]
    facts = []
    for s in moved:
        h: Headline = s["headline"]
        facts.append(
            Fact(
                id=f"brief.{h.id}",
                template="brief_move",
                data={
                    "measure": h.key,
                    "year": year,
                    "value": s["england"],
                    "previous": s["previous"],
                    "relative_change": _relative_move(s),
                },
                shown={
                    "short": h.short,
                    "value": describe.value(h, s["england"]),
                    "movement": s["move"],
                },
            )
        )
    if not facts:
        facts.append(Fact(id="brief.none", template="brief_none", data={}, shown={}))
    return Section(
        "brief",
        "In brief",
        [Paragraph(facts, bullets=True)],
        intro="England's largest changes on last year, as a share of last year's figure.",
    )


def _next(
    summaries: list[dict[str, Any]], releases: list[calendar.Release], as_of: dt.date
) -> Section:
    facts = []
    flagged = sorted({n for s in summaries for n in s.get("flagged", [])})
    if flagged:
        facts.append(
            Fact(
                id="next.flagged",
                template="next_national_flagged",
                data={"las": flagged},
                shown={"n": f"{len(flagged)}", "las": names(flagged, 6)},
                tone="next",
            )
        )
    for s in sorted(summaries, key=_relative_move, reverse=True)[:2]:
        if s["move"] and s["move"] != "unchanged":
            h = s["headline"]
            facts.append(
                Fact(
                    id=f"next.move.{h.id}",
                    template="next_national_move",
                    data={"measure": h.key, "value": s["england"], "previous": s["previous"]},
                    shown={"short": h.short, "movement": s["move"]},
                    tone="next",
                )
            )
    for o in calendar.window(releases, as_of).upcoming[:3]:
        if o.release.kind == "publication":
            facts.append(
                Fact(
                    id=f"next.release.{o.release.id}",
                    template="next_release",
                    data={"release": o.release.id, "date": o.date.isoformat()},
                    shown={"title": o.release.title, "when": o.when, "covers": o.covers},
                    tone="next",
                )
            )
    if not facts:
        facts.append(Fact(id="next.none", template="next_none", data={}, shown={}, tone="next"))
    return Section("next", "What to look at next", [Paragraph(facts, bullets=True)])
