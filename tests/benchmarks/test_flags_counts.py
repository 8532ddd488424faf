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
