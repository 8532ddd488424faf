"""Numbers as a manager reads them, with small numbers suppressed in one place.

The rule (stated in every briefing, see `RULE`):
- a count of children or events from 1 to 5 is shown as "fewer than 6";
- a percentage, rate or ratio is withheld when its base is under 10 or its numerator is from 1 to 5
  (otherwise the small count could be worked back from it).
Counts of FTE staff and of LAs are not counts of children and are shown as they are.
"""

from __future__ import annotations

import math

RULE = (
    "Small numbers are suppressed: counts of children or events from 1 to 5 are shown as "
    '"fewer than 6", and a percentage, rate or ratio is withheld when its base is under 10 or '
    "its numerator is from 1 to 5."
)
SMALL_MAX = 5
MIN_BASE = 10
FEWER = "fewer than 6"
WITHHELD = "withheld (small numbers)"

# DfE's codes in published files, in words.
CODES = {
    "c": "not published (suppressed by the DfE to protect confidentiality)",
    "x": "not available",
    "z": "not applicable",
    "k": "fewer than 0.5 (rounds to 0)",
    "u": "published with a low-reliability warning",
    "low": "a very low figure (below the DfE's reporting threshold)",
}


def is_small(count: float | None) -> bool:
    return count is not None and 0 < count <= SMALL_MAX


def withhold(numerator: float | None, base: float | None) -> bool:
    """Whether a figure built from this numerator and base must be withheld."""
    return (base is not None and base < MIN_BASE) or is_small(numerator)


def count(x: float | None, children: bool = True) -> str:
    if x is None:
        return "not published"
    if children and is_small(x):
        return FEWER
    return f"{round(x):,}"


def plain(x: float, dps: int = 1) -> str:
    """A figure with at most `dps` decimals, without trailing zeros (10, 21.5, 1,234)."""
    if not math.isfinite(x):
        return "-"
    text = f"{x:,.{dps}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(x: float) -> str:
    return f"{plain(x)}%"


def points(change: float) -> str:
    n = plain(abs(change))
    return f"{n} percentage point{'' if n == '1' else 's'}"


def fte(x: float) -> str:
    return f"{round(x):,} FTE"


def big(x: float) -> str:
    """Populations and other large bases: 12,345,678 -> 12.3 million."""
    if abs(x) >= 1_000_000:
        return f"{plain(x / 1_000_000)} million"
    return f"{round(x):,}"
