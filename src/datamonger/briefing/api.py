"""Plain functions for the CLI and the web: build a briefing, render it, serve a subscriber's copy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from datamonger.benchmarks.flags import Notes
from datamonger.benchmarks.published import Published
from datamonger.briefing import calendar, render
from datamonger.briefing import headlines as hl
from datamonger.briefing.facts import Briefing
from datamonger.briefing.la import la_edition
from datamonger.briefing.national import national


def build(
    edition: str = "national",
    la: str | None = None,
    year: int | None = None,
    to: dt.date | None = None,
    db: Path | None = None,
    as_of: dt.date | None = None,
    charts: str = "key",
    calendar_file: Path | None = None,
    headlines_file: Path | None = None,
    published: Published | None = None,
    notes: Notes | None = None,
) -> Briefing:
    releases = calendar.load(calendar_file)
    heads = hl.load(headlines_file)
    if edition == "national":
        return national(
            year,
            as_of or to,
            published=published,
            notes=notes,
            heads=heads,
            releases=releases,
            charts=charts,
        )
    if edition == "la":
        if not la:
            raise ValueError("the LA edition needs an LA")
        return la_edition(
            la,
            year=year,
            to=to,
            db=db,
            as_of=as_of,
            published=published,
            notes=notes,
            heads=heads,
            releases=releases,
            charts=charts,
        )
    raise ValueError(f"unknown edition {edition!r}: national or la")


def render_briefing(
    edition: str = "national",
    la: str | None = None,
    year: int | None = None,
    to: dt.date | None = None,
    db: Path | None = None,
    fmt: str = "html",
    personal: render.Personal | None = None,
    as_of: dt.date | None = None,
    charts: str = "key",
    published: Published | None = None,
) -> str:
    """The briefing as HTML (or md / json), ready to serve as a page. Raises UnknownArea for an
    unknown LA and NoFigures / ValueError for a year or edition that cannot be shown."""
    if fmt == "pdf":
        raise ValueError("render_pdf gives the PDF as bytes")
    b = build(edition, la, year, to, db, as_of, charts, published=published)
    out = render.render(b, fmt, personal)
    assert isinstance(out, str)
    return out


def render_pdf(
    edition: str = "national",
    la: str | None = None,
    year: int | None = None,
    to: dt.date | None = None,
    db: Path | None = None,
    as_of: dt.date | None = None,
) -> bytes:
    return render.pdf(build(edition, la, year, to, db, as_of))
