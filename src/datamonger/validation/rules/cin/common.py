"""Shared pieces of the CIN rule packs (no rules here).

- `involving(from_, where, *pairs)`: a hand-written query reporting every row an issue involves:
  the FROM clause joins tables under short aliases, and each (alias, table) pair named is reported.
- `same_episode(a, b)`: the rows under two aliases belong to the same child's same CINdetails.
- Working days (England-and-Wales bank holidays and weekends excluded, `datamonger.workdays`'
  day-0 convention): `BeforeStart` counts back from 1 April (`{start_wd}`); `WorkingDaysQuery`'s
  `{wd_cutoff_N}` is the last day more than N working days before the end of the year.
- `year_query(build, ...)`: a hand-written query built for the collection year (`build(year)`).
- `fx(...)`: compact CIN fixtures: LAchildID and the generated keys default to 1, dates as in XML.
- `each_year(build)`: one fixture per collection year, each written for its year, for data that
  moving by whole years does not keep (weekdays, a fixed date in the rule).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from datamonger import workdays
from datamonger.returns import cin
from datamonger.validation import catalogue
from datamonger.validation.rule import Context, Fixture
from datamonger.validation.templates import Query, Template

CHILD = "ChildIdentifiers"
EP = "CINdetails"
DIS = "Disabilities"
HEADER = "Header"
PLAN = "CINplanDates"
S47 = "Section47"
ASSESS = "Assessments"
CPP = "ChildProtectionPlans"


# --- SQL ----------------------------------------------------------------------------------------
def same_episode(a: str, b: str = "e") -> str:
    """Join condition: the rows under aliases `a` and `b` belong to the same child and CINdetails
    element (b may be the CINdetails row itself)."""
    return f"{b}.CHILD = {a}.CHILD AND {b}.CINdetailsID = {a}.CINdetailsID"


def same_row(a: str, b: str) -> str:
    return f"({a}.source_file = {b}.source_file AND {a}.source_line = {b}.source_line)"


def involving(from_: str, where: str, *report: tuple[str, str]) -> str:
    """Every row of the (alias, table) pairs in `report` taking part in a match of
    `SELECT ... FROM from_ WHERE where`, as the engine wants them."""
    parts = [
        f"SELECT DISTINCT '{table}' AS \"table\", {alias}.source_file, {alias}.source_line, "
        f"{alias}.CHILD_raw AS child FROM {from_} WHERE ({where})"
        for alias, table in report
    ]
    return " UNION ".join(parts)


def rows_where(table: str, where: str, alias: str = "t") -> str:
    """Rows of one table (alias `alias`) for which `where` holds."""
    return involving(f'"{table}" {alias}', where, (alias, table))


def union(*parts: str) -> str:
    return " UNION ".join(f"({p})" for p in parts)


# --- working days -------------------------------------------------------------------------------
def working_days_back(day: dt.date, n: int) -> dt.date:
    """The working day `n` working days before `day`, `day` itself not counted: for n = 1 and
    1 April, the last working day of March (Friday 31 March when 1 April is a Saturday).

    In the day-0 convention of `datamonger.workdays`, the result D is the latest working day with
    working_days_between(D, F) = n, F being the first working day on or after `day`."""
    d = day
    for _ in range(n):
        d -= dt.timedelta(days=1)
        while not workdays.is_working_day(d):
            d -= dt.timedelta(days=1)
    return d


@dataclass(frozen=True, slots=True)
class BeforeStart(Template):
    """A hand-written query (rows of `table`, see `templates.query`) in which `{start_wd}` is the
    collection year's start (1 April) moved back `n` working days (`working_days_back`)."""

    text: str = ""
    n: int = 1
    reads: tuple[str, ...] = field(default_factory=tuple)

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, *self.reads)

    def query(self, ctx: Context) -> str:
        day = working_days_back(ctx.start, self.n)
        return self.text.replace("{start_wd}", f"DATE '{day.isoformat()}'")


_CUTOFF = re.compile(r"\{wd_cutoff_(\d+)\}")


def cutoff(end: dt.date, n: int) -> dt.date:
    """The last day D with more than `n` working days after D up to and including `end`
    (`workdays.working_days_between(D, end) > n`): a start on or before D is "more than n working
    days before the end"."""
    day = end
    while workdays.working_days_between(day, end) <= n:
        day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True, slots=True)
class WorkingDaysQuery(Query):
    """A hand-written SELECT (see `templates.query`) that may use `{wd_cutoff_N}`."""

    def sql(self, ctx: Context) -> str:
        text = _CUTOFF.sub(
            lambda m: f"DATE '{cutoff(ctx.end, int(m.group(1))).isoformat()}'", self.text
        )
        return ctx.fill(text)


def wd_query(text: str, *tables: str) -> WorkingDaysQuery:
    return WorkingDaysQuery(text, tuple(tables))


@dataclass(frozen=True, slots=True)
class PerYearQuery:
    """A hand-written SELECT built for the collection year (e.g. from a per-year code set)."""

    build: Callable[[int], str]
    reads: tuple[str, ...] = field(default_factory=tuple)

    @property
    def tables(self) -> tuple[str, ...]:
        return self.reads

    def sql(self, ctx: Context) -> str:
        return ctx.fill(self.build(ctx.year))

    def default_fixture(self, year: int) -> Fixture | None:
        return None


def year_query(build: Callable[[int], str], *tables: str) -> PerYearQuery:
    return PerYearQuery(build, tuple(tables))


# --- fixtures -----------------------------------------------------------------------------------
def parse(table: str, spec: str) -> dict[str, str | None]:
    """'C=2 CINdetailsID=3 CPPstartDate=2025-06-01' -> a row of `table` as written.

    C is short for LAchildID; LAchildID and the table's generated keys default to 1 ('_' stands
    for a space; a field left out is blank; `F=` writes an empty value)."""
    t = cin.BY_NAME[table]
    row: dict[str, str | None] = {}
    if "LAchildID" in t.field_names:
        row["LAchildID"] = "1"
    for k in t.keys:
        row[k] = "1"
    for token in spec.split():
        key, _, value = token.partition("=")
        row["LAchildID" if key == "C" else key] = value.replace("_", " ")
    return row


Tables = Mapping[str, Sequence[str]]


def fx(
    fail: Tables,
    ok: Tables,
    *,
    both: Tables | None = None,
    flagged: Sequence[tuple[str, int]] | None = None,
    year: int | None = None,
) -> Fixture:
    """A CIN fixture: failing and passing rows per table (compact form, see `parse`), rows common
    to `both`, and the (table, line) pairs the failing set must raise (first row = line 2)."""

    def build(sets: Tables) -> dict[str, list[dict[str, str | None]]]:
        out = {t: [parse(t, s) for s in rows] for t, rows in (both or {}).items()}
        for t, rows in sets.items():
            out[t] = out.get(t, []) + [parse(t, s) for s in rows]
        return out

    return Fixture(
        failing=build(fail),
        passing=build(ok),
        flagged=tuple(flagged) if flagged is not None else None,
        year=year,
    )


def each_year(build: Callable[[int], Fixture]) -> dict[int, Fixture]:
    """`{year: build(year)}` for every collection year of the DfE's CIN list, each fixture written
    for its own year (no date is moved): for data whose meaning a move by whole years would not
    keep, e.g. a day of the week, or a date compared with a fixed date in the rule."""
    return {year: build(year) for year in catalogue.known_years("cin")}


def year_end(year: int) -> str:
    return f"{year}-03-31"
