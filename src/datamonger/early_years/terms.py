"""Funded early education terms: a place starts in the term after a birthday.

Terms start on 1 September (autumn), 1 January (spring) and 1 April (summer). Every looked-after
child qualifies for the 2-year-old offer from the term after the 2nd birthday and for the
universal 3-and-4-year-old offer from the term after the 3rd, until reception, which starts in
the September after the 4th birthday. "After" is strict: a child turning 2 on 1 September is
eligible from 1 January, one turning 2 on 31 August from 1 September.
"""

from __future__ import annotations

import datetime as dt

TERM_STARTS = ((9, 1, "Autumn"), (1, 1, "Spring"), (4, 1, "Summer"))


def birthday(dob: dt.date, years: int) -> dt.date:
    """The anniversary `years` after `dob` (29 February -> 28 February)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dt.date(dob.year + years, 2, 28)


def term_after(d: dt.date) -> dt.date:
    """The first term start strictly after `d`."""
    candidates = [dt.date(y, m, day) for y in (d.year, d.year + 1) for m, day, _ in TERM_STARTS]
    return min(c for c in candidates if c > d)


def reception_start(dob: dt.date) -> dt.date:
    """1 September strictly after the 4th birthday."""
    fourth = birthday(dob, 4)
    sept = dt.date(fourth.year, 9, 1)
    return sept if sept > fourth else dt.date(fourth.year + 1, 9, 1)


def term_of(d: dt.date) -> str:
    """The name of the term `d` falls in, as early-years lists write it: `Spring 2025`."""
    if d.month >= 9:
        return f"Autumn {d.year}"
    if d.month >= 4:
        return f"Summer {d.year}"
    return f"Spring {d.year}"


def offer_on(dob: dt.date, on: dt.date) -> str | None:
    """`two` (2-year-old offer), `three_four` (universal) or None (not eligible on `on`)."""
    if on >= reception_start(dob) or on < term_after(birthday(dob, 2)):
        return None
    return "two" if on < term_after(birthday(dob, 3)) else "three_four"


# The same rules in SQL, for the columnar path: `dob` and `on` are DATE expressions.
def _term_after_sql(d: str) -> str:
    y = f"year({d})"
    return (
        f"(CASE WHEN month({d}) >= 9 THEN make_date({y} + 1, 1, 1) "
        f"WHEN month({d}) >= 4 THEN make_date({y}, 9, 1) "
        f"ELSE make_date({y}, 4, 1) END)"
    )


def _birthday_sql(dob: str, years: int) -> str:
    # DuckDB's interval arithmetic maps 29 February to 28 February, as the DfE counts ages.
    return f"CAST({dob} + INTERVAL {years} YEAR AS DATE)"


def eligible_from_sql(dob: str, years: int) -> str:
    return _term_after_sql(_birthday_sql(dob, years))


def reception_sql(dob: str) -> str:
    b = _birthday_sql(dob, 4)
    return f"(CASE WHEN month({b}) >= 9 THEN make_date(year({b}) + 1, 9, 1) ELSE make_date(year({b}), 9, 1) END)"


def offer_sql(dob: str, on: str) -> str:
    return (
        f"(CASE WHEN {on} >= {reception_sql(dob)} OR {on} < {eligible_from_sql(dob, 2)} "
        f"THEN NULL WHEN {on} < {eligible_from_sql(dob, 3)} THEN 'two' ELSE 'three_four' END)"
    )
