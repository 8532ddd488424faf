"""Pieces both editions share: the calendar section, year labels, names, the notes at the end."""

from __future__ import annotations

import datetime as dt

from datamonger.benchmarks.flags import CHANGE_RULE, EXTREME_RULE
from datamonger.briefing import numbers
from datamonger.briefing.calendar import Occurrence, Release, window
from datamonger.briefing.facts import Fact, Paragraph, Section

WORKFORCE = "Social work workforce"


def year_label(topic: str, year: int) -> str:
    """The DfE's year as a manager reads it: 2025 is 2024-25 (year ending 31 March 2025), except
    for the workforce census, which counts social workers at 30 September."""
    if topic == WORKFORCE:
        return f"{year} (30 September)"
    return f"{year - 1}-{str(year)[-2:]}"


def names(items: list[str], limit: int = 3, noun: str = "LA") -> str:
    """ "A", "A and B", "A, B, C and 4 other LAs"."""
    if not items:
        return ""
    if len(items) <= limit:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    rest = len(items) - limit
    return ", ".join(items[:limit]) + f" and {rest} other {noun}{'' if rest == 1 else 's'}"


def _occurrence_fact(o: Occurrence, which: str) -> Fact:
    r = o.release
    kind = "deadline" if r.kind == "deadline" else "release"
    return Fact(
        id=f"calendar.{which}.{r.id}.{o.date.isoformat()}",
        template=f"calendar_{kind}",
        data={
            "release": r.id,
            "date": o.date.isoformat(),
            "exact": o.exact,
            "data_year": o.data_year,
        },
        shown={
            "title": r.title,
            "publisher": r.publisher,
            "when": o.when,
            "covers": o.covers,
            "note": r.note,
        },
        sources=[f"calendar: {r.id}" + (f" ({r.url})" if r.url else "")],
    )


def calendar_section(releases: list[Release], as_of: dt.date) -> Section:
    w = window(releases, as_of)
    paragraphs = []
    for which, items, heading in (
        ("recent", w.recent, "Recently published"),
        ("upcoming", w.upcoming, "Coming up"),
    ):
        facts = [_occurrence_fact(o, which) for o in items] or [
            Fact(
                id=f"calendar.{which}.none",
                template=f"calendar_none_{which}",
                data={"as_of": as_of.isoformat()},
                shown={"as_of": f"{as_of.day} {as_of:%B %Y}"},
            )
        ]
        paragraphs.append(Paragraph(facts, heading=heading, bullets=True))
    return Section(
        "calendar",
        "Publications calendar",
        paragraphs,
        intro=f"Statistical releases and return deadlines around {as_of.day} {as_of:%B %Y}. "
        "Usual months are shown where the exact date is not in the calendar.",
    )


def about(extra: list[str] | None = None) -> list[str]:
    return [
        numbers.RULE,
        "Figures are the Department for Education's published statistics (Explore Education "
        "Statistics and the Local Authority Interactive Tool) as shipped with Datamonger or "
        "imported with `datamonger reference import`. Contains public sector information licensed "
        "under the Open Government Licence v3.0.",
        f"A figure is marked as standing out when it lies {EXTREME_RULE}; a change when it is a "
        f"{CHANGE_RULE}. Standing out is a reason to look, not a judgement: each note names the "
        "practice explanation and the recording explanation.",
        "Ratios such as plans per 100 section 47 enquiries are not DfE published figures: they "
        "divide two published counts for the same year, which need not be the same children.",
        *(extra or []),
    ]
