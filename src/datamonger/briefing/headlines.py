"""The measures a briefing talks about, as data (`data/headlines.csv`), with what each is a share of.

Every percentage, rate and ratio names its numerator and its base (one published measure, or a sum
written `a+b`), so a sentence can give the counts behind it and small numbers can be suppressed.
An analyst's own `headlines.csv` (see `paths`) is merged over the shipped one by `id`; a row with
`key` left empty removes a shipped headline.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datamonger.benchmarks.published import Cell, Published
from datamonger.briefing import numbers
from datamonger.briefing.paths import shipped, user_headlines

KINDS = ("count", "percent", "rate", "ratio", "days", "caseload")


@dataclass(frozen=True, slots=True)
class Headline:
    id: str
    topic: str
    key: str  # the published measure (benchmarks catalogue key)
    short: str
    kind: str
    numerator: str | None
    numerator_words: str
    base: tuple[str, ...]  # measures summed to make the base
    base_words: str
    child_counts: bool  # numerator and base count children or events (so small ones are hidden)

    def part_keys(self) -> list[str]:
        return [k for k in (self.numerator, *self.base) if k]


@dataclass(frozen=True, slots=True)
class Parts:
    """The counts behind one area's figure in one year."""

    numerator: float | None
    base: float | None

    def withheld(self, children: bool = True, based: bool = False) -> bool:
        """Whether a figure built on these counts must be withheld. `based`: the figure has a base
        measure, so an unpublished base (suppressed by the DfE, so small) withholds it too."""
        if not children:
            return False
        if based and self.base is None:
            return True
        return numbers.withhold(self.numerator, self.base)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def load(user_file: Path | None = None) -> list[Headline]:
    rows = {r["id"]: r for r in _read(shipped("headlines.csv"))}
    path = user_file or user_headlines()
    if path.exists():
        for r in _read(path):
            if not r.get("id"):
                continue
            if "key" in r and not (r["key"] or "").strip():
                rows.pop(r["id"], None)  # an empty key removes a shipped headline
                continue
            rows[r["id"]] = {**rows.get(r["id"], {}), **{k: v for k, v in r.items() if v}}
    out = []
    for r in rows.values():
        kind = r.get("kind", "")
        if kind not in KINDS:
            continue
        out.append(
            Headline(
                id=r["id"],
                topic=r.get("topic") or "Other",
                key=r["key"],
                short=r.get("short") or r["key"],
                kind=kind,
                numerator=r.get("numerator") or None,
                numerator_words=r.get("numerator_words") or "",
                base=tuple(k for k in (r.get("base") or "").split("+") if k),
                base_words=r.get("base_words") or "",
                child_counts=(r.get("child_counts") or "yes").lower() in ("yes", "y", "true", "1"),
            )
        )
    return out


def parts(
    pub: Published, headlines: Iterable[Headline], years: Iterable[int]
) -> dict[tuple[str, int], dict[str, Parts]]:
    """(headline id, year) -> area -> the numerator and base published for it."""
    hs = list(headlines)
    ys = sorted(set(years))
    pairs = sorted({(k, y) for h in hs for k in h.part_keys() for y in ys})
    cells = pub.cells(pairs)
    out: dict[tuple[str, int], dict[str, Parts]] = {}
    for h in hs:
        for y in ys:
            num = cells.get((h.numerator, y), {}) if h.numerator else {}
            bases = [cells.get((k, y), {}) for k in h.base]
            areas = set(num).union(*[set(b) for b in bases]) if (num or bases) else set()
            by_area: dict[str, Parts] = {}
            for a in areas:
                n = num.get(a, Cell(None, None, None)).value if h.numerator else None
                base_values = [b.get(a, Cell(None, None, None)).value for b in bases]
                base = (
                    sum(v for v in base_values if v is not None)
                    if base_values and all(v is not None for v in base_values)
                    else None
                )
                by_area[a] = Parts(n, base)
            out[(h.id, y)] = by_area
    return out
