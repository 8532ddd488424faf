"""The publications calendar: statistical releases and return deadlines that matter to children's
services, kept as data (`data/calendar.csv`) with their usual months.

Columns: id, title, publisher, kind (publication | deadline), frequency (annual | monthly),
months (`10`, `3;9`, or `*` for every month), day (blank = some time in the month), data_year_offset
(the data year a release in year Y covers is Y + offset), covers (`{year}` and `{year_span}` filled
in), topics (`;`-separated headline topics it feeds), url, note, dates (exact dates `YYYY-MM-DD`,
`;`-separated, which replace the usual month for their year), active (yes/no).

An analyst's own file with the same columns (`--calendar FILE`, `$DATAMONGER_CALENDAR` or
`$XDG_CONFIG_HOME/datamonger/calendar.csv`) is merged over the shipped one: a row with the same `id`
replaces it (empty cells keep the shipped value), `active=no` hides it, a new `id` adds a release.
"""

from __future__ import annotations

import calendar as cal
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from datamonger.briefing.paths import shipped, user_calendar

RECENT_DAYS = 92
UPCOMING_DAYS = 122


class CalendarError(ValueError):
    """The calendar file cannot be read as written (bad month, bad date)."""


@dataclass(frozen=True, slots=True)
class Release:
    id: str
    title: str
    publisher: str
    kind: str
    frequency: str
    months: tuple[int, ...]
    day: int | None
    data_year_offset: int
    covers: str
    topics: tuple[str, ...]
    url: str
    note: str
    dates: tuple[dt.date, ...]


@dataclass(frozen=True, slots=True)
class Occurrence:
    release: Release
    date: dt.date  # the exact date, or the first of the usual month
    exact: bool  # a known date (True) or the usual month (False)
    data_year: int

    @property
    def when(self) -> str:
        if self.exact:
            return f"{self.date.day} {self.date:%B %Y}"
        if self.release.day:
            return f"by {self.release.day} {self.date:%B %Y} (usual timing)"
        return f"{self.date:%B %Y} (usual month)"

    @property
    def covers(self) -> str:
        y = self.data_year
        return self.release.covers.format(year=y, year_span=f"{y - 1}/{str(y)[-2:]}")

    @property
    def last_day(self) -> dt.date:
        """The latest date the occurrence can fall on (the end of the month when only the month is
        known), so that "has it happened by D?" is never answered yes too early."""
        if self.exact:
            return self.date
        if self.release.day:
            return self.date.replace(day=min(self.release.day, _month_days(self.date)))
        return self.date.replace(day=_month_days(self.date))


def _month_days(d: dt.date) -> int:
    return cal.monthrange(d.year, d.month)[1]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _release(r: dict[str, str]) -> Release:
    rid = r.get("id", "")
    try:
        months_text = (r.get("months") or "").strip()
        months = (
            tuple(range(1, 13))
            if months_text == "*"
            else tuple(int(m) for m in months_text.split(";") if m.strip())
        )
        if any(not 1 <= m <= 12 for m in months):
            raise ValueError("month outside 1-12")
        dates = tuple(
            dt.date.fromisoformat(d.strip()) for d in (r.get("dates") or "").split(";") if d.strip()
        )
        day = int(r["day"]) if (r.get("day") or "").strip() else None
        offset = int(r.get("data_year_offset") or 0)
    except ValueError as exc:
        raise CalendarError(f"calendar row {rid!r}: {exc}") from None
    return Release(
        id=rid,
        title=r.get("title") or rid,
        publisher=r.get("publisher") or "",
        kind=r.get("kind") or "publication",
        frequency=r.get("frequency") or "annual",
        months=months,
        day=day,
        data_year_offset=offset,
        covers=r.get("covers") or "",
        topics=tuple(t.strip() for t in (r.get("topics") or "").split(";") if t.strip()),
        url=r.get("url") or "",
        note=r.get("note") or "",
        dates=dates,
    )


def load(user_file: Path | None = None) -> list[Release]:
    rows = {r["id"]: r for r in _read(shipped("calendar.csv"))}
    path = user_file or user_calendar()
    if path.exists():
        for r in _read(path):
            if r.get("id"):
                rows[r["id"]] = {**rows.get(r["id"], {}), **{k: v for k, v in r.items() if v}}
    return [
        _release(r)
        for r in rows.values()
        if (r.get("active") or "yes").strip().lower() not in ("no", "n", "false", "0")
    ]


def occurrences(release: Release, year: int) -> list[Occurrence]:
    """The release's occurrences in a calendar year: exact dates where given, else usual months."""
    exact = [d for d in release.dates if d.year == year]
    out = [Occurrence(release, d, True, d.year + release.data_year_offset) for d in exact]
    exact_months = {d.month for d in exact}
    for m in release.months:
        # An exact date replaces the usual month: for a yearly release the whole year's.
        if m in exact_months or (exact and release.frequency != "monthly"):
            continue
        out.append(Occurrence(release, dt.date(year, m, 1), False, year + release.data_year_offset))
    return sorted(out, key=lambda o: o.date)


@dataclass
class Window:
    as_of: dt.date
    recent: list[Occurrence]
    upcoming: list[Occurrence]


def window(releases: list[Release], as_of: dt.date) -> Window:
    recent: list[Occurrence] = []
    upcoming: list[Occurrence] = []
    for r in releases:
        for y in (as_of.year - 1, as_of.year, as_of.year + 1):
            for o in occurrences(r, y):
                if as_of - dt.timedelta(days=RECENT_DAYS) < o.last_day <= as_of:
                    recent.append(o)
                elif as_of < o.last_day <= as_of + dt.timedelta(days=UPCOMING_DAYS):
                    upcoming.append(o)
    # A monthly release would fill the list: keep its latest recent and next upcoming only.
    recent = _one_per_monthly(sorted(recent, key=lambda o: o.date), keep="last")
    upcoming = _one_per_monthly(sorted(upcoming, key=lambda o: o.date), keep="first")
    return Window(as_of, recent, upcoming)


def _one_per_monthly(items: list[Occurrence], keep: str) -> list[Occurrence]:
    seen: dict[str, Occurrence] = {}
    out: list[Occurrence] = []
    for o in items if keep == "first" else reversed(items):
        if o.release.frequency == "monthly":
            if o.release.id in seen:
                continue
            seen[o.release.id] = o
        out.append(o)
    return sorted(out, key=lambda o: o.date)


def publication(releases: list[Release], topic: str, data_year: int) -> Occurrence | None:
    """When the publication of `topic` for `data_year` comes out (usual month or exact date)."""
    for r in releases:
        if r.kind != "publication" or topic not in r.topics:
            continue
        for o in occurrences(r, data_year - r.data_year_offset):
            if o.data_year == data_year:
                return o
    return None


def is_published(releases: list[Release], topic: str, data_year: int, as_of: dt.date) -> bool:
    """Whether `topic`'s figures for `data_year` had certainly been published by `as_of` (a topic
    that no release in the calendar covers counts as published)."""
    o = publication(releases, topic, data_year)
    return o is None or o.last_day <= as_of


def release_for(releases: list[Release], topic: str, kind: str = "publication") -> Release | None:
    return next((r for r in releases if r.kind == kind and topic in r.topics), None)


def deadline(releases: list[Release], return_name: str, data_year: int) -> Occurrence | None:
    rid = {"cin": "cin_due", "ssda903": "ssda903_due"}.get(return_name)
    for r in releases:
        if r.id == rid:
            for o in occurrences(r, data_year - r.data_year_offset):
                if o.data_year == data_year:
                    return o
    return None
