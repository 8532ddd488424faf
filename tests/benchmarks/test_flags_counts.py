"""Counts follow an LA's size: they are never flagged as extreme, whatever their titles say."""

from __future__ import annotations

from datamonger.benchmarks.benchmark import benchmark
from datamonger.benchmarks.flags import is_count
from datamonger.benchmarks.published import Published


def test_lait_counts_are_counts_even_when_their_titles_speak_of_days() -> None:
    pub = Published.open()
    assert is_count(pub.catalogue.get("15_ICPC"))  # unit "Number": conferences held in 11-15 days
    assert is_count(pub.catalogue.get("LACnum"))
    assert not is_count(pub.catalogue.get("CP_conf_15days"))  # a percentage
    assert not is_count(pub.catalogue.get("SecPermEx"))  # "Number of ... (%)", unit %
    # Birmingham, the largest LA, is far above other LAs in counts: no extreme flag for them
    result = benchmark("Birmingham", 2025, ["15_ICPC", "LACnum"], published=pub)
    assert all(not [f for f in m.flags if f.rule == "extreme"] for m in result.measures)


def test_ees_columns_are_read_by_their_own_names_not_their_files_or_filters() -> None:
    """`cla_number_and_rate_per_10k_children:children_count[...]` counts children although its
    file speaks of a rate; `Duration_0-10_days` counts enquiries although it speaks of days."""
    pub = Published.open()
    counts = [
        k
        for k in pub.catalogue.measures
        if ":" in k
        and k.split(":", 1)[1].split("[", 1)[0]
        in ("children_count", "population_estimate", "Duration_0-10_days", "3_months_or_less")
    ]
    rates = [
        k
        for k in pub.catalogue.measures
        if ":" in k
        and k.split(":", 1)[1].split("[", 1)[0]
        in ("children_percent", "rate_per_10000", "Duration_median", "caseload_fte")
    ]
    assert len(counts) >= 4 and len(rates) >= 4
    assert all(is_count(pub.catalogue.get(k)) for k in counts)
    assert not any(is_count(pub.catalogue.get(k)) for k in rates)
    # Birmingham, the largest LA, is far above other LAs in counts: no extreme flag for them
    result = benchmark("Birmingham", 2025, counts, published=pub)
    assert result.measures and all(
        not [f for f in m.flags if f.rule == "extreme"] for m in result.measures
    )
