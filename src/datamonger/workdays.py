"""England-and-Wales working days, as the DfE counts them for the CIN census timeliness measures.

A working day is a Monday to Friday that is not an England-and-Wales bank holiday (including the
one-off ones such as the 2022 state funeral and the 2023 coronation; the `holidays` package keeps
that list).

Convention (the DfE's "day 0"): `working_days_between(start, end)` counts the working days strictly
after `start` up to and including `end`. An assessment authorised on the day it started took 0
working days; started on a Friday and authorised the next Monday took 1. The DfE's duration bands
start at "same day" (0), which is why this convention was chosen; the public CIN validator counts
the start day as day 1 (one day stricter), available here as `inclusive_start=True`.

The same count is available inside DuckDB through `install(con)`: a macro
`working_days_between(a, b)` built on pure date arithmetic plus a short list of weekday bank
holidays, so SQL can count working days for hundreds of thousands of rows without a join.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import duckdb
import holidays

FIRST_YEAR = 1990
LAST_YEAR = 2045
_MONDAY = dt.date(1900, 1, 1)  # a Monday: the origin for counting weekdays


@lru_cache(maxsize=1)
def bank_holidays() -> tuple[dt.date, ...]:
    """England-and-Wales bank holidays that fall on a weekday, sorted (weekend ones change nothing:
    the substitute day is listed separately as "observed")."""
    days = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1)
    ).keys()
    return tuple(sorted(d for d in days if d.weekday() < 5))


@lru_cache(maxsize=1)
def _holiday_set() -> frozenset[dt.date]:
    return frozenset(bank_holidays())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holiday_set()


def _weekdays_to(day: dt.date) -> int:
    """Weekdays from the origin Monday up to and including `day`."""
    n = (day - _MONDAY).days
    weeks, rest = divmod(n, 7)
    return 5 * weeks + min(rest + 1, 5)


def _holidays_to(day: dt.date) -> int:
    from bisect import bisect_right

    return bisect_right(bank_holidays(), day)


def _index(day: dt.date) -> int:
    """Working days from the origin up to and including `day`."""
    return _weekdays_to(day) - _holidays_to(day)


def working_days_between(start: dt.date, end: dt.date, inclusive_start: bool = False) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`).

    With `inclusive_start`, the start day counts too when it is a working day (day-1 convention).
    """
    n = _index(end) - _index(start)
    if inclusive_start and is_working_day(start) and end >= start:
        n += 1
    return n


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The day that is `n` working days after `start` (day 0 = `start`)."""
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Define `working_days_between(a, b)` and `is_working_day(d)` macros on this connection.

    Same convention as the Python function; NULL when either date is NULL.
    """
    # Holidays grouped by year, with the running count before each year: a row then filters only
    # its own year's 8-10 holidays instead of the whole list.
    by_year: list[list[dt.date]] = [[] for _ in range(FIRST_YEAR, LAST_YEAR + 1)]
    for d in bank_holidays():
        by_year[d.year - FIRST_YEAR].append(d)
    before, running = [], 0
    for days in by_year:
        before.append(running)
        running += len(days)
    lists = ", ".join(
        "[" + ", ".join(f"DATE '{d}'" for d in days) + "]::DATE[]" for days in by_year
    )
    hol = ", ".join(f"DATE '{d.isoformat()}'" for d in bank_holidays())
    weekdays = "(5 * ((d - DATE '1900-01-01') // 7) + least(((d - DATE '1900-01-01') % 7) + 1, 5))"
    con.execute(f"CREATE OR REPLACE TEMP MACRO dm_weekdays_to(d) AS {weekdays}")
    slot = f"(year(d) - {FIRST_YEAR} + 1)"
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO dm_holidays_to(d) AS "
        f"CASE WHEN year(d) < {FIRST_YEAR} THEN 0 "
        f"WHEN year(d) > {LAST_YEAR} THEN {running} "
        f"ELSE [{', '.join(map(str, before))}][{slot}] "
        f"+ len(list_filter([{lists}][{slot}], lambda h: h <= d)) END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO working_days_between(a, b) AS "
        "(dm_weekdays_to(b::DATE) - dm_holidays_to(b::DATE)) "
        "- (dm_weekdays_to(a::DATE) - dm_holidays_to(a::DATE))"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO is_working_day(d) AS "
        f"(isodow(d::DATE) < 6 AND NOT list_contains([{hol}], d::DATE))"
    )
