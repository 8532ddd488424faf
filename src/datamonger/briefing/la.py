"""The LA edition: where one LA stands against England, its region and its statistical neighbours,
how that moved, what stands out (with the practice and recording explanations), its own computed
indicators and validation status when a database of its returns is given, and what to look at next.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from datamonger.benchmarks.areas import ENGLAND, LA
from datamonger.benchmarks.benchmark import MeasureBenchmark, benchmark
from datamonger.benchmarks.flags import Notes
from datamonger.benchmarks.published import Published
from datamonger.briefing import calendar, describe, numbers
from datamonger.briefing import headlines as hl
from datamonger.briefing.common import about, calendar_section, names, year_label
from datamonger.briefing.facts import Briefing, Fact, Paragraph, Section
from datamonger.briefing.headlines import Headline, Parts
from datamonger.reports.charts import trend
from datamonger.reports.charts.render import accessible_svg
from datamonger.reports.charts.series import comparison_series

NO_PARTS = Parts(None, None)
BANDS = {
    "A": "band A (the best quarter of LAs)",
    "B": "band B (the second-best quarter)",
    "C": "band C (the third quarter)",
    "D": "band D (the quarter furthest from the best)",
}


def _year_for(
    pub: Published,
    h: Headline,
    year: int | None,
    to: dt.date | None,
    releases: list[calendar.Release],
) -> int | None:
    """The data year to show: --year, or the latest one certainly published by --to, or the latest."""
    have = pub.years.get(h.key, [])
    if year is not None:
        return year if year in have else None
    if to is not None:
        have = [y for y in have if calendar.is_published(releases, h.topic, y, to)]
    return have[-1] if have else None


def _better(h: Headline, mb: MeasureBenchmark) -> str | None:
    if mb.value is None or mb.england is None or mb.polarity not in ("High", "Low"):
        return None
    if abs(mb.value - mb.england) < 1e-9:
        return "same"
    higher = mb.value > mb.england
    return "better" if higher == (mb.polarity == "High") else "worse"


def _chart(pub: Published, h: Headline, la: LA, mb: MeasureBenchmark, sn: list[str]) -> str | None:
    years = [p.year for p in mb.trend]
    if not years:
        return None
    P = hl.parts(pub, [h], years)
    areas = [la.number, ENGLAND, *([la.region_code] if la.region_code else []), *sn]
    series = pub.series(areas, [h.key]).get(h.key, {})

    def pts(area: str) -> dict[int, float]:
        return {
            y: c.value
            for y, c in series.get(area, {}).items()
            if c.value is not None
            and not describe.withheld(h, c.value, P.get((h.id, y), {}).get(area, NO_PARTS))
        }

    lines = comparison_series(la, pts, sn, "Neighbours' mean")
    return accessible_svg(trend(f"{h.short}: {la.name}", lines, None))


def _paragraph(
    h: Headline,
    la: LA,
    mb: MeasureBenchmark,
    before: MeasureBenchmark | None,
    parts: dict[tuple[str, int], dict[str, Parts]],
) -> tuple[list[Fact], dict[str, Any]]:
    y = mb.year
    label = year_label(h.topic, y)
    mine = parts.get((h.id, y), {}).get(la.number, NO_PARTS)
    prev_parts = (
        parts.get((h.id, mb.previous_year), {}).get(la.number, NO_PARTS)
        if mb.previous_year
        else NO_PARTS
    )
    held = mb.value is not None and describe.withheld(h, mb.value, mine)
    held_before = mb.previous is not None and describe.withheld(h, mb.previous, prev_parts)
    src = [f"{h.key} {y} ({la.name}, England, {la.region_name}, neighbours)"]
    facts: list[Fact] = []
    info: dict[str, Any] = {"headline": h, "mb": mb, "withheld": held, "better": None}
    data = {
        "measure": h.key,
        "year": y,
        "la": la.number,
        "value": mb.value,
        "numerator": mine.numerator,
        "base": mine.base,
        "withheld": held,
        "previous_year": mb.previous_year,
        "previous": mb.previous,
        "previous_withheld": held_before,
    }
    if mb.value is None:
        reason = (
            numbers.CODES.get(mb.suppressed or "", f"published as '{mb.suppressed}'")
            if mb.suppressed
            else (mb.missing or "not published")
        )
        facts.append(
            Fact(
                id=f"la.{h.id}.value",
                template="la_unpublished",
                data={**data, "code": mb.suppressed},
                shown={"short": h.short, "la": la.name, "year": label, "reason": reason},
                sources=src,
            )
        )
    else:
        move = describe.movement(h, mb.value, mb.previous, held or held_before)
        shown = {
            "short": h.short,
            "la": la.name,
            "year": label,
            "figure": describe.figure(h, mb.value, mine),
        }
        if move and mb.previous_year:
            facts.append(
                Fact(
                    id=f"la.{h.id}.value",
                    template="la_value_change",
                    data=data,
                    shown={
                        **shown,
                        "movement": move,
                        "prev_year": year_label(h.topic, mb.previous_year),
                        "before": describe.figure(h, mb.previous, prev_parts),
                    },
                    sources=src,
                )
            )
        else:
            facts.append(
                Fact(
                    id=f"la.{h.id}.value", template="la_value", data=data, shown=shown, sources=src
                )
            )

    eng_parts = parts.get((h.id, y), {}).get(ENGLAND, NO_PARTS)
    reg_parts = parts.get((h.id, y), {}).get(la.region_code or "", NO_PARTS)
    facts.append(
        Fact(
            id=f"la.{h.id}.compare",
            template="la_compare" if mb.sn_count else "la_compare_no_sn",
            data={
                "measure": h.key,
                "year": y,
                "england": mb.england,
                "england_base": eng_parts.base,
                "region": mb.region,
                "region_base": reg_parts.base,
                "region_name": mb.region_name,
                "sn_mean": mb.sn_mean,
                "sn_count": mb.sn_count,
            },
            shown={
                "england": describe.based(h, mb.england, eng_parts),
                "region_name": mb.region_name or "its region",
                "region": describe.based(h, mb.region, reg_parts),
                "sn_mean": describe.value(h, mb.sn_mean),
                "sn_count": f"{mb.sn_count}",
            },
            sources=src,
        )
    )
    if mb.value is not None and not held and mb.rank is not None and h.kind != "count":
        better = _better(h, mb)
        info["better"] = better
        prev_rank = before.rank if before and before.value is not None else None
        facts.append(
            Fact(
                id=f"la.{h.id}.rank",
                template="la_rank_moved" if prev_rank else "la_rank",
                data={
                    "measure": h.key,
                    "year": y,
                    "rank": mb.rank,
                    "of": mb.of,
                    "quartile": mb.quartile,
                    "previous_rank": prev_rank,
                    "previous_of": before.of if before else None,
                    "compared_with_england": better,
                },
                shown={
                    "la": la.name,
                    "rank": f"{mb.rank}",
                    "of": f"{mb.of}",
                    "order": mb.rank_order,
                    "band": f", in {BANDS[mb.quartile]}" if mb.quartile else "",
                    "prev_rank": f"{prev_rank}",
                    "prev_of": f"{before.of}" if before else "",
                    "prev_year": year_label(h.topic, before.year) if before else "",
                },
                sources=src,
            )
        )
    for i, flag in enumerate(mb.flags):
        facts.append(
            Fact(
                id=f"la.{h.id}.flag{i}",
                template="la_flag_withheld" if held else f"la_flag_{flag.rule}",
                data={
                    "measure": h.key,
                    "year": y,
                    "rule": flag.rule,
                    "direction": flag.direction,
                    "detail": None if held else flag.detail,
                },
                shown={
                    "direction": flag.direction,
                    "detail": "" if held else flag.detail,
                    "note": flag.note,
                },
                sources=[*src, "benchmarks flag notes"],
                tone="flag",
            )
        )
    info["flags"] = list(mb.flags)
    return facts, info


def la_edition(
    la: str,
    year: int | None = None,
    to: dt.date | None = None,
    db: Path | None = None,
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
    target = pub.areas.find(la)
    as_of = as_of or to or dt.date.today()
    sn = pub.neighbours("2025").get(target.number, [])

    chosen: dict[int, list[Headline]] = defaultdict(list)
    absent: list[Headline] = []
    for h in heads:
        y = _year_for(pub, h, year, to, releases)
        (chosen[y].append(h) if y is not None else absent.append(h))
    results: dict[str, tuple[MeasureBenchmark, MeasureBenchmark | None]] = {}
    for y, hs in chosen.items():
        now = benchmark(target, y, [h.key for h in hs], published=pub, notes=notes)
        by_key = {m.key: m for m in now.measures}
        prev_years: dict[int, list[str]] = defaultdict(list)
        for m in now.measures:
            if m.previous_year:
                prev_years[m.previous_year].append(m.key)
        before: dict[str, MeasureBenchmark] = {}
        for py, keys in prev_years.items():
            for m in benchmark(target, py, keys, published=pub, notes=notes).measures:
                before[m.key] = m
        for h in hs:
            if h.key in by_key:
                results[h.id] = (by_key[h.key], before.get(h.key))
    all_years = {mb.year for mb, _ in results.values()} | {
        mb.previous_year for mb, _ in results.values() if mb.previous_year
    }
    parts = hl.parts(pub, heads, all_years)

    sections = [calendar_section(releases, as_of)]
    topic_paras: dict[str, list[Paragraph]] = defaultdict(list)
    infos: list[dict[str, Any]] = []
    for h in heads:
        if h.id not in results:
            continue
        mb, earlier = results[h.id]
        facts, info = _paragraph(h, target, mb, earlier, parts)
        infos.append(info)
        chart = None
        if charts == "all" or (charts == "key" and mb.flags):
            chart = _chart(pub, h, target, mb, sn)
        topic_paras[h.topic].append(Paragraph(facts, heading=h.short, chart=chart))
    sections.append(_in_brief(target, infos))
    for topic, paras in topic_paras.items():
        sections.append(Section(f"topic.{topic}", topic, paras))
    if absent:
        sections.append(
            Section(
                "missing",
                "Not yet published",
                [
                    Paragraph(
                        [
                            Fact(
                                id=f"la.{h.id}.absent",
                                template="la_absent",
                                data={"measure": h.key, "year": year, "to": str(to)},
                                shown={
                                    "short": h.short,
                                    "when": f"for {year}"
                                    if year
                                    else f"by {to:%d %B %Y}"
                                    if to
                                    else "yet",
                                },
                            )
                            for h in absent
                        ]
                    )
                ],
            )
        )
    own_sections: list[Section] = []
    own_next: list[Fact] = []
    if db is not None:
        from datamonger.briefing import own

        own_sections, own_next = own.sections(db, target, to, releases, as_of, pub)
        sections += own_sections
    sections.append(_next(target, infos, own_next, releases, as_of))
    neighbours = names([pub.areas.name(n) for n in sn], 10) if sn else "none"
    shown_years = sorted({mb.year for mb, _ in results.values()})
    return Briefing(
        edition="la",
        title=f"{target.name}: children's social care briefing",
        subtitle=(
            f"Where {target.name} stands against England, {target.region_name} and its "
            f"statistical neighbours ({neighbours})"
        ),
        as_of=as_of.isoformat(),
        year=max(shown_years) if shown_years else year,
        la=target.to_dict(),
        sections=sections,
        about=about(
            [
                "Statistical neighbours: the DfE's 2025 model; the neighbours' figure is the mean "
                "of those with a published figure. Rank 1 is the best by the measure's direction "
                "(or the highest, where no direction is better); bands A-D are quarters of all LAs."
            ]
        ),
    )


def _in_brief(la: LA, infos: list[dict[str, Any]]) -> Section:
    judged = [i for i in infos if i["better"] in ("better", "worse", "same")]
    better = sum(1 for i in judged if i["better"] == "better")
    worse = sum(1 for i in judged if i["better"] == "worse")
    flagged = [i for i in infos if i.get("flags")]
    bands = [i["mb"].quartile for i in infos if i["mb"].quartile and not i["withheld"]]
    facts = [
        Fact(
            id="la.brief.england",
            template="la_brief_england",
            data={"judged": len(judged), "better": better, "worse": worse},
            shown={
                "la": la.name,
                "judged": f"{len(judged)}",
                "better": f"{better}",
                "worse": f"{worse}",
                "same": f"{len(judged) - better - worse}",
            },
        ),
        Fact(
            id="la.brief.bands",
            template="la_brief_bands",
            data={"banded": len(bands), "A": bands.count("A"), "D": bands.count("D")},
            shown={
                "banded": f"{len(bands)}",
                "a": f"{bands.count('A')}",
                "d": f"{bands.count('D')}",
            },
        ),
        Fact(
            id="la.brief.flags",
            template="la_brief_flags" if flagged else "la_brief_no_flags",
            data={"flagged": [i["headline"].key for i in flagged]},
            shown={
                "n": f"{len(flagged)}",
                "measures": names([i["headline"].short for i in flagged], 5, "measure"),
            },
        ),
    ]
    return Section("brief", "In brief", [Paragraph(facts, bullets=True)])


def _next(
    la: LA,
    infos: list[dict[str, Any]],
    own_next: list[Fact],
    releases: list[calendar.Release],
    as_of: dt.date,
) -> Section:
    facts: list[Fact] = []
    for i in infos:
        h: Headline = i["headline"]
        for f in i.get("flags", []):
            facts.append(
                Fact(
                    id=f"next.flag.{h.id}.{f.rule}",
                    template="next_la_flag",
                    data={"measure": h.key, "rule": f.rule, "direction": f.direction},
                    shown={"short": h.short, "direction": f.direction},
                    tone="next",
                )
            )
    for i in infos:
        mb = i["mb"]
        if mb.quartile == "D" and not i["withheld"] and not i.get("flags"):
            h = i["headline"]
            facts.append(
                Fact(
                    id=f"next.band.{h.id}",
                    template="next_la_band_d",
                    data={"measure": h.key, "quartile": "D", "rank": mb.rank, "of": mb.of},
                    shown={"short": h.short, "rank": f"{mb.rank}", "of": f"{mb.of}"},
                    tone="next",
                )
            )
    facts += own_next
    for o in calendar.window(releases, as_of).upcoming[:3]:
        template = "next_deadline" if o.release.kind == "deadline" else "next_release"
        facts.append(
            Fact(
                id=f"next.release.{o.release.id}",
                template=template,
                data={"release": o.release.id, "date": o.date.isoformat()},
                shown={"title": o.release.title, "when": o.when, "covers": o.covers},
                tone="next",
            )
        )
    if not facts:
        facts.append(Fact(id="next.none", template="next_none", data={}, shown={}, tone="next"))
    return Section("next", "What to look at next", [Paragraph(facts, bullets=True)])
