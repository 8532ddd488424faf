"""Small worked cases for the arithmetic: quartiles, rank and band by polarity, year labels."""

from __future__ import annotations

import pytest

from datamonger.benchmarks import years
from datamonger.benchmarks.stats import distribution, quartile_band, rank


def test_quartiles_type7_on_a_worked_case() -> None:
    # values 1..9: R's quantile(1:9) gives 3, 5, 7
    d = distribution([9, 1, 8, 2, 7, 3, 6, 4, 5])
    assert (d.q1, d.median, d.q3) == (3, 5, 7)
    assert d.fences() == (-3.0, 13.0)  # IQR 4: 3 - 6 and 7 + 6


def test_rank_and_band_follow_polarity() -> None:
    values = [10.0, 20.0, 20.0, 30.0, 40.0]
    d = distribution(values)
    assert d is not None
    # High is good: 40 is best; the two 20s share rank 3
    assert rank(40.0, [10, 20, 20, 30], "High") == 1
    assert rank(20.0, [10, 20, 30, 40], "High") == 3
    assert quartile_band(40.0, d, "High") == "A"
    assert quartile_band(10.0, d, "High") == "D"
    # Low is good: 10 is best and in band A
    assert rank(10.0, [20, 20, 30, 40], "Low") == 1
    assert quartile_band(10.0, d, "Low") == "A"
    assert quartile_band(40.0, d, "Low") == "D"
    # No polarity: ranked highest first, no band
    assert rank(40.0, [10, 20, 20, 30], "-") == 1
    assert quartile_band(40.0, d, "-") is None


@pytest.mark.parametrize(
    ("label", "year", "preference"),
    [
        ("2025", 2025, 2),
        ("2024-25", 2025, 2),
        ("2015/16", 2016, 2),
        ("2024-25 (OT)", 2025, 2),
        ("2025 (Rev)", 2025, 3),
        ("2020 (Final)", 2020, 3),
        ("2025 (prov)", 2025, 1),
        ("2014-16", 2016, 2),
        ("2013/14-15/16", 2016, 2),
        ("1999-00", 2000, 2),
    ],
)
def test_lait_year_labels_normalise_to_year_ending(label: str, year: int, preference: int) -> None:
    y = years.normalise(label)
    assert y is not None
    assert (y.year, y.preference) == (year, preference)


def test_a_label_without_a_year_is_refused() -> None:
    assert years.normalise("0") is None
