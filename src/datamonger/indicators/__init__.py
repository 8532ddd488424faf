"""The DfE's published children's social care indicators, computed from child-level returns.

Plain-data functions for the CLI, the web dashboard and the briefing:

    compute(con, Period.census_year(2025))            -> list[Result]
    explain(con, Period.twelve_months_to(d), "rereferrals_12m") -> Explanation (the rows)
    repairs(con, period)                               -> open episodes mended across returns
    all_indicators()                                   -> the declarations (catalogue)
"""

from datamonger.indicators.catalogue import all_indicators, get
from datamonger.indicators.engine import IndicatorError, compute, explain, repairs
from datamonger.indicators.model import (
    Category,
    Explanation,
    Indicator,
    Period,
    Polarity,
    Result,
    Settings,
    Template,
)

__all__ = [
    "Category",
    "Explanation",
    "Indicator",
    "IndicatorError",
    "Period",
    "Polarity",
    "Result",
    "Settings",
    "Template",
    "all_indicators",
    "compute",
    "explain",
    "get",
    "repairs",
]
