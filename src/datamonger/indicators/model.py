"""What an indicator is (a declaration, as data), what computing one gives back, and the settings.

An indicator is declared once: its words (title, meaning, numerator, denominator, exclusions, the
choice made where the DfE's definition is ambiguous), its OBA category, polarity, template, the
published measure that benchmarks it, and ONE SQL query over the prepared tables that returns the
child-level rows behind the figure. The template turns those rows into the figure; `--explain`
shows the same rows. There is no second implementation.

Row contract of an indicator query (columns, in this order first):
    child_id     the LA's child identifier (LAchildID / CHILD)
    numerator    BOOLEAN: the row counts in the numerator
    denominator  BOOLEAN: the row counts in the denominator (share and mean templates)
    value        DOUBLE: the measured quantity (mean template only; NULL otherwise)
followed by whatever dates and codes put the row there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal


class Category(StrEnum):
    """Outcomes-based accountability: the three questions."""

    how_much = "How much did we do?"
    how_well = "How well did we do it?"
    better_off = "Is anyone better off?"


class Polarity(StrEnum):
    high = "higher is better"
    low = "lower is better"
    neither = "neither"


class Template(StrEnum):
    count = "count"  # type: ignore[assignment]  # value = rows in the numerator
    rate = "rate per 10,000"  # value = numerator rows / ONS 0-17 population x 10,000
    share = "share"  # value = numerator rows / denominator rows x 100
    mean = "mean"  # value = mean of `value` over the numerator rows


UNITS: dict[Template, str] = {
    Template.count: "count",
    Template.rate: "per 10,000 children aged 0-17",
    Template.share: "%",
    Template.mean: "days",
}

Return = Literal["cin", "ssda903"]


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    title: str
    description: str  # what it means, in one sentence
    category: Category
    polarity: Polarity
    template: Template
    numerator: str
    denominator: str
    sql: str  # the child-level population query (see the row contract above)
    return_: Return
    exclusions: str = ""
    choice: str = ""  # where the public definition is ambiguous: the reading chosen and why
    lait: str | None = None  # LAIT `Short Desc` (= Measure_short in the data dictionary)
    ees: str | None = None  # "<EES file>: <column or filter>", as a reader would look it up
    # The key of the published measure in the benchmarks catalogue (`datamonger measures`), when
    # it is not the LAIT key: an EES `file:column[filter=value]` or a derived ratio. It must
    # measure the same thing in the same unit (a test holds every key to that).
    benchmark: str | None = None
    unit: str | None = None  # overrides the template's unit (e.g. "score")
    years: int = 1  # consecutive collection years of the return the measure needs
    lookback_years: int = 0  # earlier years it reads if loaded (figures may be low without them)
    needs: tuple[str, ...] = ()  # other inputs: "postcodes", "oc2", "oc3", "ad1", "sw"...
    settings: tuple[str, ...] = ()  # names of `Settings` fields that change the figure
    group: str = ""  # family on the catalogue page, e.g. "Referrals"
    # Checks run beside the figure: (SQL returning one count, note shown when it is not 0,
    # with {n} for the count), e.g. rows left out for a missing date.
    checks: tuple[tuple[str, str], ...] = ()

    @property
    def unit_label(self) -> str:
        return self.unit or UNITS[self.template]

    @property
    def benchmark_key(self) -> str | None:
        return self.benchmark or self.lait


@dataclass(frozen=True, slots=True)
class Period:
    """A 12-month period (or any period) ending on `end`, both days included."""

    start: dt.date
    end: dt.date

    @classmethod
    def census_year(cls, year: int) -> Period:
        """The collection year as the DfE writes it: 2025 = 1 April 2024 to 31 March 2025."""
        return cls(dt.date(year - 1, 4, 1), dt.date(year, 3, 31))

    @classmethod
    def twelve_months_to(cls, end: dt.date) -> Period:
        """The 12 months ending on `end` (30 Sep 2024 -> 1 Oct 2023 to 30 Sep 2024)."""
        try:
            start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
        except ValueError:  # 29 February
            start = dt.date(end.year - 1, 3, 1)
        return cls(start, end)

    @property
    def is_census_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (4, 1, 3, 31)

    @property
    def collection_year(self) -> int:
        """The collection year that holds the period end."""
        return self.end.year + 1 if self.end.month >= 4 else self.end.year

    @property
    def collection_years(self) -> list[int]:
        first = self.start.year + 1 if self.start.month >= 4 else self.start.year
        return list(range(first, self.collection_year + 1))

    @property
    def population_year(self) -> int:
        """ONS mid-year estimate to use: the calendar year of the period's middle (for 2024/25
        that is mid-2024, as the DfE's dashboard does)."""
        return (self.start + (self.end - self.start) / 2).year

    def label(self) -> str:
        if self.is_census_year:
            return f"{self.end.year - 1}/{str(self.end.year)[-2:]}"
        return f"12 months to {self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Readings of the definitions where two are common. Defaults follow `indicators.md`."""

    # Re-referral look-back: "months" = earlier referral on or after this date minus 12 calendar
    # months (the literal reading); "365" = within 365 days.
    rereferral_window: Literal["months", "365"] = "months"
    # Working days: "day0" = days after the start up to the end (the DfE's bands start at 0);
    # "day1" = the start day counts too (the public CIN validator's reading).
    working_days: Literal["day0", "day1"] = "day0"
    # Placement moves: "carer" = only S, P, B start a new placement; "placement" = T and U too.
    placement_moves: Literal["carer", "placement"] = "carer"
    # Temporary placements T0-T4 (and a return to the same carer after one): "ignore" or "count".
    temporary_placements: Literal["ignore", "count"] = "ignore"
    # Which version of an episode loaded in several years' returns to use: "period" = the return
    # of the period's own collection year (the DfE's published figures come from it), else the
    # nearest later, else the latest earlier; "latest" = always the latest return.
    episode_version: Literal["period", "latest"] = "period"
    # Disability share over children in need at the period end, or at any point in the period.
    disability_population: Literal["at_end", "during"] = "at_end"

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class Result:
    """One computed indicator, as plain data (the CLI, the web and the briefing all use this)."""

    id: str
    title: str
    category: str
    polarity: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    period_start: str
    period_end: str
    benchmark_key: str | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class Explanation:
    """The rows behind one indicator: the same query that computed it."""

    result: Result
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]
