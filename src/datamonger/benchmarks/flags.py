"""Flags: "is this practice or recording?" raised where a figure stands out, with a note naming both.

Two rules, both on the same year's figures of every LA:
- extreme: the value lies beyond 1.5 interquartile ranges below the lower quartile or above the upper
  quartile of all LAs' values (Tukey's fences). Not applied to counts (a large LA always has more
  referrals) nor where fewer than 20 LAs have a figure or the quartiles coincide.
- sudden change: the change from the previous published year lies beyond the same fences of all LAs'
  changes between those two years. Changes are in the measure's own unit (percentage points, rate,
  days) and, for counts, as a percentage of the previous year's count.

Notes are data: `curated/flag_notes.csv` (measure, polarity, direction, note). `measure` is a key
(the most specific), a key prefix ending in `*` (a family, e.g. every column of one EES file), or
`topic=NAME` (every measure of a LAIT or EES topic); `*` rows are the generic notes by polarity,
the last resort. An analyst's own file with the same columns is merged over it: a row for
the same measure and direction replaces the shipped note.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datamonger.benchmarks.measures import Measure
from datamonger.benchmarks.paths import default_notes_file, published_dir
from datamonger.benchmarks.stats import Distribution, distribution

MIN_LAS = 20
FENCE = 1.5
EXTREME_RULE = (
    "beyond 1.5 interquartile ranges outside the quartiles of all LAs' values for the year"
)
CHANGE_RULE = (
    "change from the previous year beyond 1.5 interquartile ranges outside the quartiles of all "
    "LAs' changes between the same two years"
)
_RATE_WORDS = re.compile(
    r"%|percent|rate|per |per_|score|average|median|days|duration|percentile|caseload|cost", re.I
)


# An explore-education-statistics column (`file:column[filters]`) is a rate when its own name
# says so; its file's name ("cla_number_and_rate_per_10k_children") and its filters ("SDQ score
# is borderline", "Duration 0-10 days") describe what is counted, not how.
_EES_RATE_WORDS = re.compile(
    r"(?<![a-z])(percent|percentage|rate|per|average|median|percentile|caseload|ratio|mean)"
    r"(?![a-z])",
    re.I,
)


@functools.cache
def is_count(measure: Measure) -> bool:
    """Whether a measure is a plain count, whose size follows the LA's size."""
    # LAIT says so in its unit ("Number", "Number of children") or title ("... (Num)"), even
    # when the title speaks of days ("11-15 working days ... (Num)" counts conferences)
    if re.match(r"number\b", measure.unit or "", re.I) or "(num)" in measure.title.lower():
        return True
    if ":" in measure.key:
        column = measure.key.split(":", 1)[1].split("[", 1)[0]
        unit = measure.unit or ""
        return "%" not in unit and not _EES_RATE_WORDS.search(f"{column} {unit}")
    text = f"{measure.key} {measure.unit or ''} {measure.title}"
    return not _RATE_WORDS.search(text)


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str  # "extreme" or "change"
    direction: str  # high, low, rise, fall
    detail: str  # the rule and the figures that fired it
    note: str  # practice or recording, in plain words

    def to_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "direction": self.direction,
            "detail": self.detail,
            "note": self.note,
        }


class Notes:
    def __init__(self, rows: list[dict[str, str]]) -> None:
        self._specific: dict[tuple[str, str], str] = {}
        self._prefix: dict[tuple[str, str], str] = {}
        self._topic: dict[tuple[str, str], str] = {}
        self._generic: dict[tuple[str, str], str] = {}
        for row in rows:
            measure, direction, note = (
                row.get("measure", ""),
                row.get("direction", ""),
                row.get("note", ""),
            )
            if not (measure and direction and note):
                continue
            if measure == "*":
                self._generic[(row.get("polarity") or "*", direction)] = note
            elif measure.startswith("topic="):
                self._topic[(measure[6:].lower(), direction)] = note
            elif measure.endswith("*"):
                self._prefix[(measure[:-1], direction)] = note
            else:
                self._specific[(measure, direction)] = note

    @classmethod
    def load(cls, user_file: Path | None = None) -> Notes:
        rows = _read(published_dir() / "curated" / "flag_notes.csv")
        path = user_file or default_notes_file()
        if path.exists():
            rows += _read(path)  # later rows win: the analyst's notes over the shipped ones
        return cls(rows)

    def _by_prefix(self, key: str, direction: str) -> str | None:
        found = [
            (len(p), n)
            for (p, d), n in self._prefix.items()
            if d == direction and key.startswith(p)
        ]
        return max(found)[1] if found else None

    def note(self, measure: Measure, direction: str) -> str:
        return (
            self._specific.get((measure.key, direction))
            or self._by_prefix(measure.key, direction)
            or self._topic.get(((measure.topic or "").lower(), direction))
            or self._generic.get((measure.polarity, direction))
            or self._generic.get(("*", direction))
            or "Stands out from other LAs: may be practice or recording; check the underlying records."
        )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e5 else f"{x:,.0f}"


def change_of(measure: Measure, value: float, previous: float) -> float | None:
    if is_count(measure):
        return (value - previous) / previous * 100 if previous else None
    return value - previous


def extreme(measure: Measure, value: float, dist: Distribution | None, notes: Notes) -> Flag | None:
    if dist is None or dist.count < MIN_LAS or dist.iqr <= 0 or is_count(measure):
        return None
    low, high = dist.fences(FENCE)
    if low <= value <= high:
        return None
    direction = "high" if value > high else "low"
    detail = (
        f"{_fmt(value)} is {'above' if direction == 'high' else 'below'} "
        f"{_fmt(high if direction == 'high' else low)} ({EXTREME_RULE}: quartiles {_fmt(dist.q1)} "
        f"and {_fmt(dist.q3)}, {dist.count} LAs)"
    )
    return Flag("extreme", direction, detail, notes.note(measure, direction))


def sudden_change(
    measure: Measure, change: float | None, changes: Sequence[float], notes: Notes
) -> Flag | None:
    if change is None:
        return None
    dist = distribution(changes)
    if dist is None or dist.count < MIN_LAS or dist.iqr <= 0:
        return None
    low, high = dist.fences(FENCE)
    if low <= change <= high:
        return None
    direction = "rise" if change > high else "fall"
    unit = "% " if is_count(measure) else ""
    detail = (
        f"change of {_fmt(change)}{unit} is {'above' if direction == 'rise' else 'below'} "
        f"{_fmt(high if direction == 'rise' else low)}{unit} ({CHANGE_RULE}: {dist.count} LAs)"
    )
    return Flag("change", direction, detail, notes.note(measure, direction))
