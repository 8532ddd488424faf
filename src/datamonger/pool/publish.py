"""Safe publication: the DfE's small-number convention with secondary suppression.

Primary: a count from 1 to 5 is shown as `c`, and so is any rate, percentage or mean worked out
from such a count. Secondary: a table's totals (a row's, a column's, the pool's or England's)
would give a single hidden cell back by subtraction, so in every group of cells tied by a total
(the parts and the total) either none or at least two are hidden: while a group hides exactly
one, the smallest visible part of it is hidden too (the total only when no part is left), and the
groups are checked again until none hides exactly one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SMALL = (1, 5)  # counts from 1 to 5 are suppressed (the DfE's convention)
MARK = "c"

Cell = tuple[int, int]


@dataclass(slots=True)
class Suppression:
    primary: set[Cell] = field(default_factory=set)
    secondary: set[Cell] = field(default_factory=set)

    @property
    def hidden(self) -> set[Cell]:
        return self.primary | self.secondary


def is_small(v: float | None) -> bool:
    return v is not None and SMALL[0] <= v <= SMALL[1]


def table_groups(rows: int, cols: int, row_total: bool, col_total: bool) -> list[list[Cell]]:
    """The groups of a table whose last column holds each row's total (`row_total`) and/or whose
    last row holds each column's total (`col_total`); each group lists the total last."""
    groups = []
    if row_total:
        groups += [[(r, c) for c in range(cols)] for r in range(rows)]
    if col_total:
        groups += [[(r, c) for r in range(rows)] for c in range(cols)]
    return groups


def suppress(grid: Sequence[Sequence[float | None]], groups: list[list[Cell]]) -> Suppression:
    """Which cells of `grid` to hide. A None cell is unknown already: it hides like a `c`."""
    out = Suppression()
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if is_small(v):
                out.primary.add((r, c))

    def unknown(cell: Cell) -> bool:
        return cell in out.primary or cell in out.secondary or grid[cell[0]][cell[1]] is None

    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(1 for cell in group if unknown(cell)) != 1:
                continue
            parts = [cell for cell in group[:-1] if not unknown(cell)]
            pick = parts or [group[-1]]
            # The smallest non-zero part first (hiding a known zero protects little), then zeros.
            best = min(pick, key=lambda x: (grid[x[0]][x[1]] == 0, grid[x[0]][x[1]] or 0))
            out.secondary.add(best)
            changed = True
    return out


def footnote(s: Suppression, what: str = "cells") -> str:
    return (
        f"c = suppressed. {len(s.primary)} {what} counted 1 to 5 children and are shown as c, "
        "with the rates, percentages and means worked out from them (the DfE's small-number "
        f"convention); {len(s.secondary)} more are shown as c so that none of those can be "
        "worked out by subtracting the other figures from a total (secondary suppression)."
    )
