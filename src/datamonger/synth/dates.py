"""Days as integers (proleptic ordinals) for speed, working days in England, and date formatting.

The simulation works on `date.toordinal()` integers; dates become text only when a file is written.
"""

from __future__ import annotations

import bisect
import datetime as dt
from functools import cache, lru_cache

import holidays

Day = int  # date.toordinal()

_FIRST_YEAR, _LAST_YEAR = 1985, 2040


def day(year: int, month: int, d: int) -> Day:
    return dt.date(year, month, d).toordinal()


def to_date(d: Day) -> dt.date:
    return dt.date.fromordinal(d)


@cache
def ddmmyyyy(d: Day) -> str:
    return dt.date.fromordinal(d).strftime("%d/%m/%Y")


@cache
def iso(d: Day) -> str:
    return dt.date.fromordinal(d).isoformat()


def add_years(birth: Day, years: int) -> Day:
    """The anniversary `years` after `birth` (29 February -> 28 February), as the DfE counts ages."""
    b = dt.date.fromordinal(birth)
    try:
        return b.replace(year=b.year + years).toordinal()
    except ValueError:
        return dt.date(b.year + years, 2, 28).toordinal()


def age_on(birth: Day, on: Day) -> int:
    b, o = dt.date.fromordinal(birth), dt.date.fromordinal(on)
    return o.year - b.year - ((o.month, o.day) < (b.month, b.day))


def year_start(year: int) -> Day:
    """1 April that opens collection year `year`."""
    return day(year - 1, 4, 1)


def year_end(year: int) -> Day:
    """31 March that closes collection year `year` (the CIN ReferenceDate)."""
    return day(year, 3, 31)


class WorkingDays:
    """England and Wales working days (Monday-Friday, not a bank holiday)."""

    def __init__(self) -> None:
        bank = {
            d.toordinal()
            for d in holidays.country_holidays(
                "GB", subdiv="ENG", years=range(_FIRST_YEAR, _LAST_YEAR + 1)
            )
        }
        first, last = day(_FIRST_YEAR, 1, 1), day(_LAST_YEAR, 12, 31)
        self.days = [d for d in range(first, last + 1) if d % 7 not in (0, 6) and d not in bank]
        # toordinal() % 7: 0 = Sunday, 6 = Saturday

    def on_or_after(self, d: Day) -> Day:
        return self.days[bisect.bisect_left(self.days, d)]

    def on_or_before(self, d: Day) -> Day:
        return self.days[bisect.bisect_right(self.days, d) - 1]

    def add(self, d: Day, n: int) -> Day:
        """The n-th working day after `d` (n >= 0; n = 0 gives `d` or the next working day)."""
        i = bisect.bisect_left(self.days, d)
        if n > 0 and i < len(self.days) and self.days[i] == d:
            return self.days[i + n]
        return self.days[i + max(n - 1, 0)] if n > 0 else self.days[i]

    def between(self, start: Day, end: Day) -> int:
        """Working days after `start` up to and including `end`."""
        return bisect.bisect_right(self.days, end) - bisect.bisect_right(self.days, start)


@lru_cache(maxsize=1)
def working_days() -> WorkingDays:
    return WorkingDays()


def is_weekend(d: Day) -> bool:
    return d % 7 in (0, 6)


def collection_year_of(d: Day) -> int:
    """The collection year (ending 31 March) containing day `d`."""
    date = dt.date.fromordinal(d)
    return date.year + 1 if date.month >= 4 else date.year
