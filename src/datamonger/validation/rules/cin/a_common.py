"""Shared pieces of the CIN child, disability and episode packs (no rules here).

- `report(from_, where, *pairs)`: a hand-written query returning every row an issue involves: the
  FROM clause joins tables under short aliases, and each (alias, table) pair named is reported.
- `fx(...)`: compact CIN fixtures: LAchildID and generated keys default to 1, dates as in the XML.
- `BeforeStart`: a query that counts working days back from 1 April (`{start_wd}`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from datamonger import workdays
from datamonger.returns import cin
from datamonger.validation.rule import Context, Fixture
from datamonger.validation.templates import Template

CHILD = "ChildIdentifiers"
EP = "CINdetails"
DIS = "Disabilities"
HEADER = "Header"
PLAN = "CINplanDates"
S47 = "Section47"
ASSESS = "Assessments"
CPP = "ChildProtectionPlans"


# --- SQL ----------------------------------------------------------------------------------------
def report(from_: str, where: str, *pairs: tuple[str, str]) -> str:
    """The rows under each (alias, table) of `pairs` that take part in a match of
    `SELECT ... FROM from_ WHERE where`."""
    return " UNION ".join(
        f"SELECT '{table}' AS \"table\", {alias}.source_file, {alias}.source_line, "
        f"{alias}.CHILD_raw AS child FROM {from_} WHERE {where}"
        for alias, table in pairs
    )


def episode(a: str, b: str) -> str:
    """Rows under aliases a and b belong to the same child's same CINdetails element."""
    return f"{a}.CHILD = {b}.CHILD AND {a}.CINdetailsID = {b}.CINdetailsID"


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


# --- fixtures -----------------------------------------------------------------------------------
Row = dict[str, str | None]
Tables = Mapping[str, Sequence[str]]


def parse(table: str, spec: str) -> Row:
    """'C=2 CINdetailsID=3 CINreferralDate=2025-06-01' -> a row of `table` as written.

    C is short for LAchildID; LAchildID and the table's generated keys default to 1; '_' stands
    for a space; a field left out is blank (absent); `F=` writes an empty element."""
    t = cin.BY_NAME[table]
    row: Row = {}
    if "LAchildID" in t.field_names:
        row["LAchildID"] = "1"
    for k in t.keys:
        row[k] = "1"
    for token in spec.split():
        key, _, value = token.partition("=")
        row["LAchildID" if key == "C" else key] = value.replace("_", " ")
    return row


def fx(
    fail: Tables,
    ok: Tables,
    *,
    both: Tables | None = None,
    flagged: Sequence[tuple[str, int]] | None = None,
    year: int | None = None,
) -> Fixture:
    """A CIN fixture: failing and passing rows per table (compact form, see `parse`); rows
    common to `both` come first in their table; `flagged` lists the (table, line) pairs the
    failing set must raise (first row of a table = line 2; default: every row of the check's
    first table)."""

    def build(sets: Tables) -> dict[str, list[Row]]:
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


def year_end(year: int) -> str:
    return f"{year}-03-31"
