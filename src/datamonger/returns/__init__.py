"""What each DfE return is: its tables, their fields and the collection years they exist in.

Collection years are written as the DfE writes them: the year in which the collection year ends
(2025 = 1 April 2024 to 31 March 2025).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "date", "int", "bool", "datetime"]
ReturnName = Literal["ssda903", "cin"]

# Not a return: the header of the list of errors `synth --error-rate` writes beside the returns.
# The loader recognises it by this header and skips it with a note.
GROUND_TRUTH_COLUMNS = (
    "return",
    "year",
    "rule",
    "table",
    "file",
    "line",
    "child",
    "field",
    "value",
)


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the DfE's spelling, used as the column name in the store
    type: FieldType = "text"
    in_csv: bool = True  # False: carried by another format only (the SSDA903 XML's UASC flag)


@dataclass(frozen=True, slots=True)
class TableSpec:
    return_: ReturnName
    name: str  # the DfE's name for the table, e.g. "Episodes"
    store_name: str  # the table in the store, e.g. "ssda903_episodes"
    fields: tuple[Field, ...]
    keys: tuple[str, ...] = ()  # generated integer keys (positions within the parent element)
    first_year: int | None = None  # first collection year in which the table exists
    description: str = ""

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def csv_names(self) -> tuple[str, ...]:
        """The exact header of the table as a CSV file (or XLSX sheet)."""
        return tuple(f.name for f in self.fields if f.in_csv)

    def in_year(self, year: int) -> bool:
        return self.first_year is None or year >= self.first_year

    def typed(self) -> tuple[Field, ...]:
        """Fields stored twice: typed under the DfE name and as written under `<name>_raw`."""
        return tuple(f for f in self.fields if f.type != "text")


def raw_column(spec: TableSpec, field: str) -> str:
    """The store column holding `field` exactly as it was written in the file."""
    for f in spec.fields:
        if f.name == field:
            return field if f.type == "text" else f"{field}_raw"
    raise KeyError(f"{spec.name} has no field {field}")


def collection_period(year: int) -> tuple[dt.date, dt.date]:
    """1 April of the previous year to 31 March of `year`, both included."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def collection_year_of(day: dt.date) -> int:
    """The collection year (ending) that contains `day`."""
    return day.year + 1 if day.month >= 4 else day.year


def label(year: int) -> str:
    """2025 -> '2024/25'."""
    return f"{year - 1}/{str(year)[-2:]}"


FIRST_YEAR = 2000  # no DfE collection of either return is read from before 2000


def last_year(today: dt.date | None = None) -> int:
    """The latest collection year a return can be for: two years past the current one."""
    return collection_year_of(today or dt.date.today()) + 2


def plausible_year(year: int) -> bool:
    """Whether `year` lies in the range the DfE collections exist in (2000 to two years ahead)."""
    return FIRST_YEAR <= year <= last_year()


def year_range() -> str:
    return f"{FIRST_YEAR} to {last_year()}"
