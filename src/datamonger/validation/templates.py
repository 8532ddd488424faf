"""The recurring shapes of the DfE's rules, each compiled to one DuckDB SELECT.

Every check reads the tables the engine prepares for one return and year, named as the DfE names
them (`Header`, `Episodes`, ... and `Header_last`, `Episodes_last` for last year's return). In them:

- `F` is the field normalised as the DfE's validator sees it: text upper-cased, trimmed, NULL when
  blank; dates, numbers typed (NULL when blank or unreadable);
- `F_raw` is the value exactly as written; `blank(F_raw)` is true when nothing was written;
- `source_file`, `source_line` locate the row; `CHILD` (normalised) joins tables;
- Episodes also has `seq` (1.. per child in DECOM order) and the derived PL_LA, PL_LOCATION and
  PL_DISTANCE; Header has the derived UASC ('1' when the child is in the UASC table, else '0').

Macros: `blank(x)`, `age(dob, day)` (completed years). Placeholders: {start} {end} {year} {la}.

A check returns the failing rows as ("table", source_file, source_line, child). Each template also
builds a default passing/failing fixture from its own parameters where it can.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from datamonger.store import lit
from datamonger.validation.rule import Context, Fixture, Rows

CodeSets = str | Mapping[int, str]  # "A B C" or {first year: "A B C", later year: "A D"}


def codes_for(codes: CodeSets, year: int) -> list[str]:
    """The code set in force in `year`: a year's set is the one declared for it or the last before."""
    if isinstance(codes, str):
        return codes.split()
    eligible = [y for y in codes if y <= year]
    return codes[max(eligible) if eligible else min(codes)].split()


def sql_list(values: Sequence[str]) -> str:
    return ", ".join(lit(v) for v in values)


class Select(str):
    """The SQL of `select`, remembering its parts: a `query` of it alone is a row test the
    engine can run in one scan with the other rules of its table and joins."""

    table: str
    where: str
    joins: str


def select(table: str, where: str, joins: str = "") -> Select:
    """The standard shape: failing rows of `table` (alias t). A row met twice (through a join)
    is one issue: the engine keeps one per rule and row (`issues.from_found`)."""
    out = Select(
        f"SELECT '{table}' AS \"table\", t.source_file, t.source_line, "
        f't.CHILD_raw AS child FROM "{table}" t {joins} WHERE {where}'
    )
    out.table, out.where, out.joins = table, where, joins
    return out


def d(day: dt.date) -> str:
    """A date as written in an SSDA903 file."""
    return day.strftime("%d/%m/%Y")


def _rows(table: str, *rows: Mapping[str, str | None]) -> Rows:
    return {table: [{"CHILD": "1", **r} for r in rows]}


@dataclass(frozen=True, slots=True)
class Template:
    table: str

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table,)

    def sql(self, ctx: Context) -> str:
        return ctx.fill(self.query(ctx))

    def query(self, ctx: Context) -> str:
        test = self.row_test(ctx)
        if test is None:
            raise NotImplementedError
        return select(self.table, test)

    def row_test(self, ctx: Context) -> str | None:
        """The test a failing row of `table` (alias t, joined as `joins` says when the template
        has them) meets, when the rule is only that; None otherwise. The engine runs all the
        rules of one table and joins in one scan, so planning is per scan, not per rule."""
        return None

    def default_fixture(self, year: int) -> Fixture | None:
        return None


# --- a value in a code set ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CodeSet(Template):
    field: str
    codes: CodeSets
    blank_ok: bool = True

    def row_test(self, ctx: Context) -> str:
        f = self.field
        bad = f"t.{f} NOT IN ({sql_list(codes_for(self.codes, ctx.year))})"
        return bad if self.blank_ok else f"(t.{f} IS NULL OR {bad})"

    def default_fixture(self, year: int) -> Fixture:
        good = codes_for(self.codes, year)
        passing = [{self.field: good[0]}, {self.field: good[-1].lower()}]
        if self.blank_ok:
            passing.append({self.field: ""})
        failing = [{self.field: "ZZ9"}] + ([] if self.blank_ok else [{self.field: ""}])
        return Fixture(_rows(self.table, *failing), _rows(self.table, *passing))


def code_set(table: str, field: str, codes: CodeSets, *, blank_ok: bool = True) -> CodeSet:
    """`field` must be one of `codes` (per year when a mapping); blank passes unless blank_ok=False."""
    return CodeSet(table, field, codes, blank_ok)


# --- required, valid dates ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Required(Template):
    field: str
    sample: str = "1"

    def row_test(self, ctx: Context) -> str:
        return f"blank(t.{self.field}_raw)"

    def default_fixture(self, year: int) -> Fixture:
        return Fixture(
            _rows(self.table, {self.field: " "}), _rows(self.table, {self.field: self.sample})
        )


def required(table: str, field: str, sample: str = "1") -> Required:
    """`field` must be written (`sample` is a good value, used by the fixture)."""
    return Required(table, field, sample)


@dataclass(frozen=True, slots=True)
class ValidDate(Template):
    field: str
    required: bool = False

    def row_test(self, ctx: Context) -> str:
        f = self.field
        bad = f"(t.{f} IS NULL AND NOT blank(t.{f}_raw))"
        return f"(t.{f} IS NULL)" if self.required else bad

    def default_fixture(self, year: int) -> Fixture:
        good = d(dt.date(year - 1, 6, 1))
        failing = [{self.field: "31/02/2026"}, {self.field: "2026-06-01"}]
        if self.required:
            failing.append({self.field: ""})
        passing = [{self.field: good}] + ([] if self.required else [{self.field: ""}])
        return Fixture(_rows(self.table, *failing), _rows(self.table, *passing))


def valid_date(table: str, field: str, *, required: bool = False) -> ValidDate:
    """`field`, when written (or always, if required), must be a dd/mm/yyyy date."""
    return ValidDate(table, field, required)


# --- a condition on a row -----------------------------------------------------------------------
PerYear = str | Mapping[int, str]  # a condition, or {first year: condition, later year: ...}


def for_year(value: PerYear, year: int) -> str:
    """The variant in force in `year`: the one declared for it or the last declared before."""
    if isinstance(value, str):
        return value
    eligible = [y for y in value if y <= year]
    return value[max(eligible) if eligible else min(value)]


@dataclass(frozen=True, slots=True)
class Where(Template):
    condition: PerYear
    joins: str = ""

    def query(self, ctx: Context) -> str:
        return select(self.table, f"({for_year(self.condition, ctx.year)})", self.joins)

    def row_test(self, ctx: Context) -> str | None:
        return f"({for_year(self.condition, ctx.year)})"


HEADER = 'LEFT JOIN "Header" h ON h.CHILD = t.CHILD'


def where(table: str, condition: PerYear, *, header: bool = False, joins: str = "") -> Where:
    """Rows of `table` (alias t) for which `condition` holds fail. header=True joins Header as h.

    `condition` may be a mapping {first year in force: condition} when the DfE changed it."""
    return Where(table, condition, (HEADER + " " + joins) if header else joins)


def _each(condition: PerYear, make: Callable[[str], str]) -> PerYear:
    if isinstance(condition, str):
        return make(condition)
    return {y: make(c) for y, c in condition.items()}


def required_if(
    table: str, field: str, condition: PerYear, *, header: bool = False, joins: str = ""
) -> Where:
    """`field` must be written when `condition` holds."""
    cond = _each(condition, lambda c: f"({c}) AND blank(t.{field}_raw)")
    return where(table, cond, header=header, joins=joins)


def blank_if(
    table: str, fields: str, condition: PerYear, *, header: bool = False, joins: str = ""
) -> Where:
    """Every one of `fields` (space separated) must be blank when `condition` holds."""
    written = " OR ".join(f"NOT blank(t.{f}_raw)" for f in fields.split())
    cond = _each(condition, lambda c: f"({c}) AND ({written})")
    return where(table, cond, header=header, joins=joins)


def all_or_none(table: str, fields: str) -> Where:
    """The `fields` must all be written, or all be blank."""
    fs = fields.split()
    some = " OR ".join(f"NOT blank(t.{f}_raw)" for f in fs)
    missing = " OR ".join(f"blank(t.{f}_raw)" for f in fs)
    return where(table, f"({some}) AND ({missing})")


# --- dates --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DateOrder(Template):
    earlier: str
    later: str
    strict: bool = False

    def row_test(self, ctx: Context) -> str:
        op = "<=" if self.strict else "<"
        return f"t.{self.later} {op} t.{self.earlier}"

    def default_fixture(self, year: int) -> Fixture:
        a, b = d(dt.date(year - 1, 6, 2)), d(dt.date(year - 1, 6, 1))
        ok = d(dt.date(year - 1, 6, 3))
        return Fixture(
            _rows(self.table, {self.earlier: a, self.later: b}),
            _rows(self.table, {self.earlier: a, self.later: ok}, {self.earlier: a, self.later: ""}),
        )


def date_order(table: str, earlier: str, later: str, *, strict: bool = False) -> DateOrder:
    """`later` must be on or after `earlier` (strictly after if strict) when both are valid dates."""
    return DateOrder(table, earlier, later, strict)


@dataclass(frozen=True, slots=True)
class InYear(Template):
    field: str
    not_before_start: bool = False
    not_after_end: bool = True

    def row_test(self, ctx: Context) -> str:
        cond = []
        if self.not_before_start:
            cond.append(f"t.{self.field} < {{start}}")
        if self.not_after_end:
            cond.append(f"t.{self.field} > {{end}}")
        return " OR ".join(cond)

    def default_fixture(self, year: int) -> Fixture:
        fail = [{self.field: d(dt.date(year, 4, 1))}] if self.not_after_end else []
        if self.not_before_start:
            fail.append({self.field: d(dt.date(year - 1, 3, 31))})
        ok = [{self.field: d(dt.date(year - 1, 4, 1))}, {self.field: d(dt.date(year, 3, 31))}]
        return Fixture(_rows(self.table, *fail), _rows(self.table, *ok, {self.field: ""}))


def in_year(
    table: str, field: str, *, not_before_start: bool = False, not_after_end: bool = True
) -> InYear:
    """A date, when valid, must not fall after the collection year's end (nor before its start)."""
    return InYear(table, field, not_before_start, not_after_end)


# --- per child ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UniquePerChild(Template):
    def query(self, ctx: Context) -> str:
        return select(
            self.table,
            f'(SELECT count(*) FROM "{self.table}" o WHERE o.CHILD = t.CHILD) > 1',
        )

    def default_fixture(self, year: int) -> Fixture:
        t = self.table
        return Fixture(
            {t: [{"CHILD": "1"}, {"CHILD": " 1"}]}, {t: [{"CHILD": "1"}, {"CHILD": "2"}]}
        )


def unique_per_child(table: str) -> UniquePerChild:
    """A child appears at most once in `table`; every row of a repeated child is reported."""
    return UniquePerChild(table)


@dataclass(frozen=True, slots=True)
class Unique(Template):
    field: str

    def query(self, ctx: Context) -> str:
        f = self.field
        return select(
            self.table,
            f't.{f} IS NOT NULL AND t.{f} IN (SELECT {f} FROM "{self.table}" '
            f"WHERE {f} IS NOT NULL GROUP BY {f} HAVING count(DISTINCT CHILD) > 1)",
        )


def unique(table: str, field: str) -> Unique:
    """A written value of `field` belongs to one child only."""
    return Unique(table, field)


@dataclass(frozen=True, slots=True)
class NoOverlap(Template):
    start: str
    end: str
    when: str = "both"  # "open": previous still open; "overlap": starts before previous end

    def query(self, ctx: Context) -> str:
        # Each period is compared with the one before it (by start, then line); both are reported.
        s, e, t = self.start, self.end, self.table
        pairs = (
            f"SELECT source_file, source_line, prev_file, prev_line FROM ("
            f"SELECT source_file, source_line, {s}, "
            f"lag({e}) OVER w AS prev_end, lag({s}) OVER w AS prev_start, "
            f"lag(source_file) OVER w AS prev_file, lag(source_line) OVER w AS prev_line "
            f'FROM "{t}" WHERE {s} IS NOT NULL '
            f"WINDOW w AS (PARTITION BY CHILD ORDER BY {s}, source_file, source_line)) "
            f"WHERE prev_start IS NOT NULL AND ({self._test(s)})"
        )
        both = (
            f"JOIN (SELECT source_file AS f, source_line AS l FROM ({pairs}) "
            f"UNION SELECT prev_file, prev_line FROM ({pairs})) p "
            f"ON p.f = t.source_file AND p.l = t.source_line"
        )
        return select(t, "true", both)

    def _test(self, s: str) -> str:
        if self.when == "open":
            return "prev_end IS NULL"
        if self.when == "overlap":
            return f"{s} < prev_end"
        return f"prev_end IS NULL OR {s} < prev_end"

    def default_fixture(self, year: int) -> Fixture:
        s, e = self.start, self.end
        a, b, c = (d(dt.date(year - 1, m, 1)) for m in (5, 6, 7))
        first = {"CHILD": "1", s: a, e: "" if self.when == "open" else c}
        return Fixture(
            {self.table: [first, {"CHILD": "1", s: b, e: ""}]},
            {
                self.table: [
                    {"CHILD": "1", s: a, e: b},
                    {"CHILD": "1", s: b, e: ""},
                    {"CHILD": "2", s: a, e: ""},
                ]
            },
        )


def no_overlap(table: str, start: str, end: str, *, when: str = "both") -> NoOverlap:
    """A child's periods must not overlap, and a period cannot start while the previous is open
    (when="open" checks only the latter, when="overlap" only the former)."""
    return NoOverlap(table, start, end, when)


@dataclass(frozen=True, slots=True)
class ChildIn(Template):
    other: str

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, self.other)

    def query(self, ctx: Context) -> str:
        return select(self.table, f't.CHILD NOT IN (SELECT CHILD FROM "{self.other}")')

    def default_fixture(self, year: int) -> Fixture:
        return Fixture(
            {self.table: [{"CHILD": "2"}], self.other: [{"CHILD": "1"}]},
            {self.table: [{"CHILD": "1"}], self.other: [{"CHILD": " 1"}]},
        )


def child_in(table: str, other: str) -> ChildIn:
    """Every child of `table` must have a row in `other`."""
    return ChildIn(table, other)


@dataclass(frozen=True, slots=True)
class SameAs(Template):
    field: str
    other: str
    sample: tuple[str, str] = ("01/01/2015", "02/01/2015")

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, self.other)

    @property
    def joins(self) -> str:
        return f'JOIN "{self.other}" o ON o.CHILD = t.CHILD'

    def row_test(self, ctx: Context) -> str:
        f = self.field
        return f"t.{f} IS NOT NULL AND o.{f} IS NOT NULL AND t.{f} <> o.{f}"

    def query(self, ctx: Context) -> str:
        return select(self.table, self.row_test(ctx), self.joins)

    def default_fixture(self, year: int) -> Fixture:
        a, b = self.sample
        other = {self.other: [{"CHILD": "1", self.field: a}]}
        return Fixture(
            {**_rows(self.table, {self.field: b}), **other},
            {**_rows(self.table, {self.field: a}), **other},
        )


def same_as(table: str, field: str, other: str, sample: tuple[str, str] | None = None) -> SameAs:
    """`field` must agree with the same child's `field` in `other` (when both are written)."""
    return SameAs(table, field, other, sample or ("01/01/2015", "02/01/2015"))


def same_as_last(table: str, field: str, sample: tuple[str, str] | None = None) -> SameAs:
    """`field` must agree with what last year's return recorded for the child (rule needs previous)."""
    return SameAs(table, field, table + "_last", sample or ("01/01/2015", "02/01/2015"))


# --- hand-written -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Query:
    """A hand-written SELECT returning ("table", source_file, source_line, child)."""

    text: str
    reads: tuple[str, ...] = field(default_factory=tuple)

    @property
    def tables(self) -> tuple[str, ...]:
        if isinstance(self.text, Select):  # the table it tests first
            return (self.text.table, *(t for t in self.reads if t != self.text.table))
        return self.reads

    @property
    def joins(self) -> str:
        return self.text.joins if isinstance(self.text, Select) else ""

    def row_test(self, ctx: Context) -> str | None:
        return f"({self.text.where})" if isinstance(self.text, Select) else None

    def sql(self, ctx: Context) -> str:
        return ctx.fill(self.text)

    def default_fixture(self, year: int) -> Fixture | None:
        return None


def query(text: str, *tables: str) -> Query:
    """An irregular rule: `text` is a SELECT over the prepared tables (see module doc)."""
    return Query(text, tuple(tables))
