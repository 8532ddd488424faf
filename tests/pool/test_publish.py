"""Publication: small counts hidden, and no hidden cell recoverable from the totals."""

from __future__ import annotations

import itertools

from datamonger.pool.publish import MARK, is_small, suppress, table_groups


def _feasible(
    grid: list[list[int]], hidden: set[tuple[int, int]], groups: list[list[tuple[int, int]]]
) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden cell can take, given what is shown (brute force: a reader who
    knows every total and that a primary `c` is 1 to 5 but nothing else)."""
    cells = sorted(hidden)
    top = max(max(row) for row in grid)
    out: dict[tuple[int, int], set[int]] = {c: set() for c in cells}
    for values in itertools.product(range(top + 1), repeat=len(cells)):
        trial = [row[:] for row in grid]
        for (r, c), v in zip(cells, values, strict=True):
            trial[r][c] = v
        if all(sum(trial[r][c] for r, c in g[:-1]) == trial[g[-1][0]][g[-1][1]] for g in groups):
            for cell, v in zip(cells, values, strict=True):
                out[cell].add(v)
    return out


# Counts of children by LA (columns; last = partnership total) and category (rows; last = total).
TABLE = [
    [3, 9, 12, 24],
    [7, 8, 0, 15],
    [10, 17, 12, 39],
]
GROUPS = table_groups(3, 4, row_total=True, col_total=True)


def test_naive_suppression_leaks_through_a_total() -> None:
    naive = {(r, c) for r, row in enumerate(TABLE) for c, v in enumerate(row) if is_small(v)}
    assert naive == {(0, 0)}
    assert _feasible(TABLE, naive, GROUPS)[(0, 0)] == {3}  # 24 - 9 - 12: recovered


def test_published_table_hides_small_counts_and_leaks_none() -> None:
    s = suppress(TABLE, GROUPS)
    assert (0, 0) in s.primary and s.secondary
    for cell, values in _feasible(TABLE, s.hidden, GROUPS).items():
        assert len(values) > 1, f"{cell} recoverable as {values}"
    for group in GROUPS:  # none or at least two hidden in every group tied by a total
        assert sum(1 for cell in group if cell in s.hidden) != 1


def test_pool_publication_shows_no_small_count(partnership: object) -> None:
    from datamonger.indicators import Period
    from datamonger.pool.indicators import published_rows
    from datamonger.pool.views import PoolDB

    db = PoolDB(partnership.pool)  # type: ignore[attr-defined]
    try:
        from datamonger.pool.indicators import compute_pool

        results = compute_pool(db, Period.census_year(2025))
    finally:
        db.close()
    rows, note = published_rows(results)
    assert "secondary suppression" in note
    hidden_by_indicator: dict[str, int] = {}
    for scope, ind_id, _, unit, value, numerator, denominator, _ in rows:
        if unit in ("count", "%") or unit.startswith("per 10,000"):
            assert not is_small(numerator if numerator != MARK else None), (scope, ind_id)
        if unit == "%":
            assert not is_small(denominator if denominator != MARK else None), (scope, ind_id)
        if numerator == MARK:  # no rate or percentage from a hidden count
            assert value == MARK, (scope, ind_id)
        hidden_by_indicator.setdefault(ind_id, 0)
        hidden_by_indicator[ind_id] += numerator == MARK
    assert any(hidden_by_indicator.values())
    assert all(n != 1 for n in hidden_by_indicator.values())
