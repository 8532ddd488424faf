"""Loading a rule's fixture (rows as written) into a real Store, as a file would be loaded.

A fixture is written for one collection year (its `year`, else the latest year its rule is in
force). Run in another year, every date in it moves by the same number of years, so ages,
intervals and the position of each date in the collection year stay as the author wrote them.
"""

from __future__ import annotations

import datetime as dt
import re

from datamonger.returns import cin, ssda903
from datamonger.store import Store
from datamonger.validation.rule import Fixture, Rows

_SPECS = {"ssda903": ssda903.TABLES, "cin": cin.TABLES}
_FORMATS = {"ssda903": ssda903.DATE_FORMAT, "cin": cin.DATE_FORMAT}


def file_name(table: str) -> str:
    return f"{table}.csv"


def load_rows(store: Store, return_name: str, year: int, rows: Rows, group: int = 1) -> None:
    """Stage `rows` (DfE table -> rows as written) as year `year`; line numbers start at 2."""
    by_name = {t.name: t for t in _SPECS[return_name]}
    files = []
    for table, items in rows.items():
        spec = by_name[table]
        if not items:
            continue
        n = len(items)
        chunk: dict[str, list] = {
            "source_line": list(range(2, n + 2)),
        }
        for k in spec.keys:
            chunk[k] = [int(str(r[k])) if r.get(k) not in (None, "") else None for r in items]
        for f in spec.field_names:
            chunk[f] = [r.get(f) for r in items]
        unknown = {k for r in items for k in r} - set(spec.field_names) - set(spec.keys)
        if unknown:
            raise KeyError(f"{table} has no field(s) {sorted(unknown)}")
        store.stage(spec, group, chunk, _FORMATS[return_name], file_name(table))
        files.append(file_name(table))
    store.replace_return(return_name, year, group, files, None)


def load_fixture(
    store: Store,
    return_name: str,
    year: int,
    fixture: Fixture,
    which: str,
    written_for: int | None = None,
) -> None:
    """Load the failing or passing data set of `fixture`, with last year's rows when it has some.

    `written_for`: the year the fixture's dates were written for (default `year`); its dates are
    moved by `year - written_for` years.
    """
    years = year - (written_for or year)
    rows = fixture.failing if which == "failing" else fixture.passing
    if fixture.last:
        load_rows(store, return_name, year - 1, shift_dates(fixture.last, years), group=2)
    load_rows(store, return_name, year, shift_dates(rows, years))


_DATES = {
    "%d/%m/%Y": re.compile(r"(?P<d>\d{2})/(?P<m>\d{2})/(?P<y>\d{4})"),
    "%Y-%m-%d": re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
}


def shift_dates(rows: Rows, years: int) -> Rows:
    """`rows` with every value that is a whole, real date moved by `years` (29 February -> 28).

    Values that only look like dates (31/02/2024) are left as written: they are the point of
    the fixtures that hold them.
    """
    if not years:
        return rows
    return {
        t: [{k: _shift(v, years) for k, v in r.items()} for r in items] for t, items in rows.items()
    }


def _shift(value: str | None, years: int) -> str | None:
    if not value:
        return value
    for fmt, pattern in _DATES.items():
        m = pattern.fullmatch(value.strip())
        if m is None:
            continue
        try:
            day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return value
        y = day.year + years
        moved = day.replace(year=y, day=28) if (day.month, day.day) == (2, 29) else day
        return moved.replace(year=y).strftime(fmt)
    return value
