"""What a rule is: one small declarative object, and the fixtures that prove it.

A rule pack declares `RULES = [rule("8520", <check>, fixture=...), ...]`. The code is all a rule
says about the DfE: the message, fields, tables and the collection years in force are read from the
shipped rule lists (`catalogue`). A check is a template from `templates` (or `templates.query` for a
hand-written SQL rule); it turns into one SQL SELECT returning the failing rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Severity = Literal["error", "query"]
Need = Literal["previous", "postcodes", "providers"]
NEEDS: dict[str, str] = {
    "previous": "needs last year's return (load it with --previous)",
    "postcodes": "needs the ONS postcode directory",
    "providers": "needs Ofsted's list of registered providers (--providers FILE)",
    # Never available: neither the CSV nor the XML return carries a placement location code; it
    # is derived from the placement postcode, so it cannot disagree with the LA of placement.
    "location_code": "needs the placement location code (IN/OUT) as the LA recorded it; the "
    "return does not carry one (it is derived from PL_POST, so it cannot disagree with PL_LA)",
}
NEVER_AVAILABLE = frozenset({"location_code"})

Rows = Mapping[str, Sequence[Mapping[str, str | None]]]  # DfE table -> rows as written


@dataclass(frozen=True, slots=True)
class Context:
    """What a check's SQL may depend on besides the tables."""

    year: int  # collection year, as the DfE writes it (the year it ends)
    la: str | None = None  # ONS code of the upper-tier LA making the return, when known

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    def fill(self, sql: str) -> str:
        """Replace the placeholders {start} {end} {year} {la} (only these: other braces stay)."""
        la = "NULL" if self.la is None else "'" + self.la.replace("'", "''") + "'"
        return (
            sql.replace("{start}", f"DATE '{self.start.isoformat()}'")
            .replace("{end}", f"DATE '{self.end.isoformat()}'")
            .replace("{year}", str(self.year))
            .replace("{la}", la)
        )


class Check(Protocol):
    """A compiled shape: SQL returning the failing rows with columns
    "table" (the DfE table name), source_file, source_line, child."""

    @property
    def tables(self) -> tuple[str, ...]: ...

    def sql(self, ctx: Context) -> str: ...

    def default_fixture(self, year: int) -> Fixture | None: ...


@dataclass(frozen=True, slots=True)
class Fixture:
    """Tiny data sets proving a rule: rows as written, line numbers counted like a CSV (row 1 = 2).

    `flagged` lists the (table, line) pairs the failing data must raise, and nothing else; by
    default every row of the check's first table in `failing`. `last` holds rows of last year's
    return, loaded with both data sets. `providers` holds rows of an Ofsted provider list (column
    names as in `provider_list`), given to both data sets as a --providers file.
    """

    failing: Rows
    passing: Rows
    flagged: tuple[tuple[str, int], ...] | None = None
    last: Rows = field(default_factory=dict)
    year: int | None = None  # the year its dates are written for (default: see Rule.fixture_for)
    la: str | None = None  # the LA making the return (ONS code), for {la} and PL_LOCATION
    providers: Sequence[Mapping[str, str | None]] = ()  # Ofsted list rows (needs=("providers",))


# One fixture for every year, or {first year it applies: fixture} where the data differ by year.
Fixtures = Fixture | Mapping[int, Fixture]


@dataclass(frozen=True, slots=True)
class RuleDecl:
    """A rule as a pack declares it; the registry completes it from the DfE's list."""

    code: str
    check: Check
    needs: tuple[str, ...] = ()
    severity: Severity | None = None
    fixture: Fixtures | None = None
    note: str = ""  # how we read the DfE's words where they can be read two ways
    years: tuple[int, ...] | None = None  # only to narrow the DfE's years; normally None


def rule(
    code: str,
    check: Check,
    *,
    needs: Sequence[str] = (),
    severity: Severity | None = None,
    fixture: Fixtures | None = None,
    note: str = "",
    years: Sequence[int] | None = None,
) -> RuleDecl:
    for n in needs:
        if n not in NEEDS:
            raise ValueError(f"rule {code}: unknown need {n!r}")
    return RuleDecl(
        code, check, tuple(needs), severity, fixture, note, tuple(years) if years else None
    )


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule ready to run: declaration + the DfE's message, fields, tables and years."""

    return_: str
    code: str
    message: str
    severity: Severity
    fields: tuple[str, ...]
    tables: tuple[str, ...]
    years: tuple[int, ...]
    needs: tuple[str, ...]
    check: Check
    fixture: Fixtures | None
    note: str = ""
    module: str = ""

    @property
    def name(self) -> str:
        return f"rule_{self.code}"

    def in_force(self, ruleset_year: int) -> bool:
        return ruleset_year in self.years

    def fixture_for(self, year: int) -> tuple[Fixture, int] | None:
        """The fixture proving the rule in `year`, and the year its dates are written for.

        A declared fixture runs in every year the rule is in force, its dates moved from the year
        they are written for (its `year`, else the latest year of the rule). Where the data must
        differ by year (codes that change), `fixture` maps the first year each one applies to
        to it; its dates are then written for that year unless it says otherwise. Without a
        declared fixture the check's template makes one for the year.
        """
        declared = self.fixture
        if isinstance(declared, Fixture):
            return declared, declared.year or max(self.years)
        if declared:
            start = max((y for y in declared if y <= year), default=min(declared))
            found = declared[start]
            return found, found.year or start
        default = self.check.default_fixture(year)
        return None if default is None else (default, year)


def parse_rows(*specs: str) -> list[dict[str, str | None]]:
    """Compact rows for fixtures: "CHILD=2 PLACE=T0 PL_POST=M1_1AE" ('_' stands for a space;
    CHILD defaults to 1; a field left out is blank)."""
    out: list[dict[str, str | None]] = []
    for spec in specs:
        row: dict[str, str | None] = {"CHILD": "1"}
        for token in spec.split():
            key, _, value = token.partition("=")
            row[key] = value.replace("_", " ")
        out.append(row)
    return out


def fx(
    table: str,
    fail: Sequence[str],
    ok: Sequence[str],
    *,
    both: Mapping[str, Sequence[str]] | None = None,
    last: Mapping[str, Sequence[str]] | None = None,
    flagged: Sequence[tuple[str, int]] | None = None,
    year: int | None = None,
) -> Fixture:
    """A fixture in one line or two: failing and passing rows of `table` (compact form, see
    `parse_rows`), with rows of other tables common to `both` data sets and `last` year's rows."""
    common = {t: parse_rows(*rows) for t, rows in (both or {}).items()}
    return Fixture(
        failing={**common, table: parse_rows(*fail)},
        passing={**common, table: parse_rows(*ok)},
        flagged=tuple(flagged) if flagged is not None else None,
        last={t: parse_rows(*rows) for t, rows in (last or {}).items()},
        year=year,
    )
