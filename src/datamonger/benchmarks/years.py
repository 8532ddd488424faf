"""LAIT writes its years in many ways; everything downstream uses the year ending (2025 = 2024-25).

`2025`, `2024-25`, `2015/16`, `2024-25 (OT)`, `2025 (Rev)`, `2020 (Final)`, `2025 (prov)`, and multi-year
periods such as `2014-16` or `2013/14-15/16` (which end in 2016). When one year arrives under two labels
the revised or final figure wins over the plain one, and the plain one over the provisional one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Higher wins when two labels normalise to the same year.
PREFERENCE = {"rev": 3, "final": 3, "ot": 2, "": 2, "prov": 1}

_SINGLE = re.compile(r"^(\d{4})(?:\s*\((\w+)\))?$")
_SPAN = re.compile(r"^(\d{4})[-/](\d{2})(?:\s*\((\w+)\))?$")
_SPAN_OF_SPANS = re.compile(r"^(\d{4})/\d{2}-\d{2}/(\d{2})$")


@dataclass(frozen=True, slots=True)
class Year:
    year: int  # the year in which the (last) period ends
    label: str  # as published
    preference: int


def _end(start: int, two_digits: str) -> int:
    end = start // 100 * 100 + int(two_digits)
    return end + 100 if end < start else end


def normalise(label: str) -> Year | None:
    """The year ending for a LAIT `Years` label, or None when the label names no year (e.g. `0`)."""
    text = label.strip()
    if m := _SINGLE.match(text):
        status = (m.group(2) or "").lower()
        return Year(int(m.group(1)), text, PREFERENCE.get(status, 2))
    if m := _SPAN.match(text):
        status = (m.group(3) or "").lower()
        return Year(_end(int(m.group(1)), m.group(2)), text, PREFERENCE.get(status, 2))
    if m := _SPAN_OF_SPANS.match(text):
        return Year(_end(int(m.group(1)), m.group(2)), text, 2)
    return None


def status_note(label: str) -> str | None:
    """Plain words for a label's qualifier, shown beside the figure."""
    lowered = label.lower()
    if "(rev)" in lowered:
        return "revised figures"
    if "(final)" in lowered:
        return "final figures"
    if "(prov)" in lowered:
        return "provisional figures"
    if "(ot)" in lowered:
        return "outturn"
    return None
