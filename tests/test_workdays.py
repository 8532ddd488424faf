"""England-and-Wales working days: day-0 convention, weekends, bank holidays, SQL = Python."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from datamonger import workdays
from datamonger.workdays import working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2024, 6, 3), D(2024, 6, 3), 0),  # same day = 0 (the DfE's "same day" band)
        (D(2024, 6, 7), D(2024, 6, 10), 1),  # Friday -> Monday: only Monday counts
        (D(2024, 6, 8), D(2024, 6, 9), 0),  # Saturday -> Sunday
        # Christmas/New Year 2024-25: after Fri 20 Dec, working days are 23, 24, 27, 30, 31 Dec
        # and 2, 3 Jan (25, 26 Dec and 1 Jan are bank holidays) = 7.
        (D(2024, 12, 20), D(2025, 1, 3), 7),
        # Easter 2024: Good Friday 29 Mar, Easter Monday 1 Apr; Thu 28 Mar -> Tue 2 Apr = 1.
        (D(2024, 3, 28), D(2024, 4, 2), 1),
        # One-off: the state funeral, Monday 19 Sep 2022: Fri 16 -> Tue 20 Sep = 1.
        (D(2022, 9, 16), D(2022, 9, 20), 1),
        # Christmas 2022 fell on a Sunday: substitute day Tue 27 Dec. Fri 23 -> Wed 28 = 1.
        (D(2022, 12, 23), D(2022, 12, 28), 1),
        (D(2024, 6, 10), D(2024, 6, 7), -1),  # backwards is negative
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert working_days_between(start, end) == expected


def test_day1_convention_counts_a_working_start_day() -> None:
    assert working_days_between(D(2024, 6, 3), D(2024, 6, 3), inclusive_start=True) == 1
    # A Saturday start adds nothing: Sat 8 -> Mon 10 June is 1 either way.
    assert working_days_between(D(2024, 6, 8), D(2024, 6, 10), inclusive_start=True) == 1


def test_add_working_days_inverts_the_count() -> None:
    # 45 working days after Mon 2 Dec 2024, across Christmas and New Year, is Thu 6 Feb 2025.
    assert workdays.add_working_days(D(2024, 12, 2), 45) == D(2025, 2, 6)
    assert working_days_between(D(2024, 12, 2), D(2025, 2, 6)) == 45


def test_sql_macro_matches_python_on_every_pair_of_a_year() -> None:
    con = duckdb.connect()
    workdays.install(con)
    starts = [D(2022, 12, 1) + dt.timedelta(days=i) for i in range(0, 400, 3)]
    pairs = [(s, s + dt.timedelta(days=k)) for s in starts for k in (0, 1, 5, 17, 63)]
    con.execute("CREATE TABLE p (a DATE, b DATE)")
    con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    got = con.execute("SELECT a, b, working_days_between(a, b) FROM p").fetchall()
    for a, b, n in got:
        brute = sum(
            workdays.is_working_day(a + dt.timedelta(days=i)) for i in range(1, (b - a).days + 1)
        )
        assert n == brute == working_days_between(a, b), (a, b)
    assert con.execute("SELECT working_days_between(NULL, DATE '2024-01-01')").fetchone() == (None,)
    assert con.execute("SELECT is_working_day(DATE '2024-12-25')").fetchone() == (False,)
