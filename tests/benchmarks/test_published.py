"""Benchmark and explorer figures checked against the shipped DfE files, read independently."""

from __future__ import annotations

import contextlib
import statistics

import pytest

from datamonger.benchmarks.areas import UnknownArea
from datamonger.benchmarks.benchmark import benchmark
from datamonger.benchmarks.explore import explore
from datamonger.benchmarks.stats import distribution

from .conftest import REGION_NUMBERS, ees_rows, lait_la_values, lait_value, sn_2025

C1 = "c1_children_in_need_referrals_and_rereferrals"
C4 = "c4_children_in_need_section_47s_and_icpcs"
D3 = "d3_cpps_subsequent_plan"


def one(published, la, key, year=None):  # type: ignore[no-untyped-def]
    (m,) = benchmark(la, year, [key], published=published).measures
    return m


@pytest.mark.parametrize(
    ("la", "number", "years"),
    [("Bristol, City of", 801, "2025"), ("Camden", 202, "2021"), ("Leeds", 383, "2019")],
)
def test_lait_value_england_and_region(published, lait_rows, la, number, years) -> None:  # type: ignore[no-untyped-def]
    m = one(published, la, "ReReferral", int(years))
    assert m.value == float(lait_value(lait_rows, "ReReferral", years, number))
    assert m.england == float(lait_value(lait_rows, "ReReferral", years, 970))
    assert m.polarity == "Low"


def test_inner_london_is_the_region_of_an_inner_london_borough(published) -> None:  # type: ignore[no-untyped-def]
    rows = [r for r in ees_rows(C1) if r["time_period"] == "2025"]
    inner = next(
        r
        for r in rows
        if r["geographic_level"] == "Regional" and r["region_name"] == "Inner London"
    )
    camden = next(r for r in rows if r["old_la_code"] == "202")
    m = one(published, "camden", f"{C1}:rereferral_percent", 2025)
    assert m.region_name == "Inner London"
    assert m.region == float(inner["rereferral_percent"])
    assert m.value == float(camden["rereferral_percent"])
    outer = one(published, "Barnet", f"{C1}:rereferral_percent", 2025)
    assert outer.region_name == "Outer London"


def test_neighbour_mean_and_median_by_hand(published, lait_rows) -> None:  # type: ignore[no-untyped-def]
    values = lait_la_values(lait_rows, "CP_conf_15days", "2025")
    neighbours = [values[int(n)] for n in sn_2025("801") if int(n) in values]
    m = one(published, "801", "CP_conf_15days", 2025)
    assert m.sn_count == len(neighbours)
    assert m.sn_mean == pytest.approx(statistics.mean(neighbours))
    assert m.sn_median == pytest.approx(statistics.median(neighbours))


def test_rank_and_quartile_by_polarity_on_real_figures(published, lait_rows) -> None:  # type: ignore[no-untyped-def]
    values = lait_la_values(lait_rows, "ReReferral", "2025")  # Low is good
    mine = values[801]
    m = one(published, "Bristol", "ReReferral", 2025)
    assert m.of == len(values)
    assert m.rank == 1 + sum(1 for la, v in values.items() if la != 801 and v < mine)
    q1, q2, q3 = statistics.quantiles(values.values(), n=4, method="inclusive")
    expected = "A" if mine <= q1 else "B" if mine <= q2 else "C" if mine <= q3 else "D"
    assert m.quartile == expected


def test_suppressed_value_is_shown_as_code_and_left_out(published) -> None:  # type: ignore[no-untyped-def]
    rows = list(ees_rows(C4))
    hit = next(
        r for r in rows if r["geographic_level"] == "Local authority" and r["Section47"] == "c"
    )
    year = int(hit["time_period"])
    m = one(published, hit["old_la_code"], f"{C4}:Section47", year)
    assert m.value is None and m.suppressed == "c" and m.rank is None
    numeric = [
        r
        for r in rows
        if r["time_period"] == hit["time_period"]
        and r["geographic_level"] == "Local authority"
        and r["Section47"].replace(".", "", 1).isdigit()
    ]
    assert m.of == len(numeric)


def test_new_unitary_has_no_earlier_years_shown_as_missing(published, lait_rows) -> None:  # type: ignore[no-untyped-def]
    assert lait_value(lait_rows, "ReReferral", "2023", 942) == "-"
    m = one(published, "Cumberland", "ReReferral", 2024)
    assert m.value == float(lait_value(lait_rows, "ReReferral", "2024", 942))
    assert m.previous is None and m.change is None
    early = one(published, "Cumberland", "ReReferral", 2023)
    assert early.value is None and early.suppressed is None
    assert "did not exist" in (early.missing or "")
    assert all(p.value is None for p in early.trend if p.year < 2024)


def test_change_from_previous_year(published, lait_rows) -> None:  # type: ignore[no-untyped-def]
    m = one(published, "Leeds", "CPP_rate", 2025)
    now = float(lait_value(lait_rows, "CPP_rate", "2025", 383))
    before = float(lait_value(lait_rows, "CPP_rate", "2024", 383))
    assert m.previous == before and m.change == pytest.approx(now - before)


@pytest.mark.parametrize(
    ("asked", "number"),
    [
        ("Bristol, City of", "801"),
        ("city of bristol", "801"),
        ("BRISTOL", "801"),
        ("E06000023", "801"),
        ("801", "801"),
        ("Telford & Wrekin", "894"),
        ("E10000023", "815"),  # North Yorkshire's old county code
        ("E06000065", "815"),  # and its unitary code
        ("Dorset", "838"),  # today's Dorset, not the former county
        ("Kingston upon Hull", "810"),
    ],
)
def test_la_found_by_name_ons_code_or_number(published, asked, number) -> None:  # type: ignore[no-untyped-def]
    assert published.areas.find(asked).number == number


def test_unknown_la_suggests_close_names(published) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownArea) as exc:
        published.areas.find("Bristl")
    assert "Bristol, City of (801)" in str(exc.value)


def _ratio_by_la(year: str) -> dict[str, float]:
    starts = {
        r["old_la_code"]: r["CPP_start"]
        for r in ees_rows(D3)
        if r["time_period"] == year and r["geographic_level"] == "Local authority"
    }
    s47 = {
        r["old_la_code"]: r["Section47"]
        for r in ees_rows(C4)
        if r["time_period"] == year and r["geographic_level"] == "Local authority"
    }
    out = {}
    for la, n in starts.items():
        d = s47.get(la)
        try:
            if d is not None and float(d):
                out[la] = float(n) / float(d)
        except ValueError:
            pass
    return out


def test_ratio_of_two_measures(published) -> None:  # type: ignore[no-untyped-def]
    expected = _ratio_by_la("2025")
    result = explore(f"{D3}:CPP_start", per=f"{C4}:Section47", year=2025, published=published)
    got = {r["la_number"]: r["value"] for r in result["las"] if r["value"] is not None}
    assert got.keys() == expected.keys()
    for la, v in expected.items():
        assert got[la] == pytest.approx(v * 100)  # per 100 S47 enquiries, as the briefing
    top = max(expected, key=lambda la: expected[la])
    assert result["las"][0]["la_number"] == top and result["las"][0]["rank"] == 1


def test_year_comparison_counts(published) -> None:  # type: ignore[no-untyped-def]
    def by_la(year: str) -> dict[str, float]:
        out = {}
        for r in ees_rows(C1):
            if r["time_period"] == year and r["geographic_level"] == "Local authority":
                with contextlib.suppress(ValueError):
                    out[r["old_la_code"]] = float(r["rereferral_percent"])
        return out

    now, before = by_la("2025"), by_la("2024")
    both = now.keys() & before.keys()
    up = sum(1 for la in both if now[la] > before[la])
    down = sum(1 for la in both if now[la] < before[la])
    same = sum(1 for la in both if now[la] == before[la])
    result = explore(f"{C1}:rereferral_percent", year=2025, compare_year=2024, published=published)
    s = result["summary"]
    assert (s["up"], s["down"], s["unchanged"]) == (up, down, same)
    eng = {
        r["time_period"]: float(r["rereferral_percent"])
        for r in ees_rows(C1)
        if r["geographic_level"] == "National"
    }
    assert result["england"]["change"] == pytest.approx(eng["2025"] - eng["2024"])
    assert s["median"] == pytest.approx(statistics.median(now.values()))


def test_region_filter_keeps_only_that_region(published) -> None:  # type: ignore[no-untyped-def]
    result = explore(f"{C1}:rereferral_percent", year=2025, region="London", published=published)
    regions = {r["region"] for r in result["las"]}
    assert regions == {"Inner London", "Outer London"}
    assert result["summary"]["count"] == 33  # 32 boroughs and the City of London


def test_extreme_flag_fires_with_its_note(published) -> None:  # type: ignore[no-untyped-def]
    ratios = {la: v * 100 for la, v in _ratio_by_la("2025").items()}
    d = distribution(list(ratios.values()))
    assert d is not None
    _, high = d.fences()
    outliers = [la for la, v in ratios.items() if v > high]
    assert outliers, "the 2025 file has LAs far above the others on plans per S47"
    m = one(published, outliers[0], "s47_to_cpp", 2025)
    (flag,) = [f for f in m.flags if f.rule == "extreme"]
    assert flag.direction == "high"
    assert "not recorded" in flag.note and "policy" in flag.note
    inside = next(la for la, v in ratios.items() if d.q1 <= v <= d.q3)
    assert not [f for f in one(published, inside, "s47_to_cpp", 2025).flags if f.rule == "extreme"]


def test_own_values_stand_beside_the_published_ones(published, lait_rows) -> None:  # type: ignore[no-untyped-def]
    values = lait_la_values(lait_rows, "ReReferral", "2025")
    others = [v for la, v in values.items() if la != 801]
    (m,) = benchmark(
        "801", 2025, ["ReReferral"], own={"ReReferral": 1.0}, published=published
    ).measures
    assert m.own == 1.0
    assert m.own_rank == 1 + sum(1 for v in others if v < 1.0)


def test_region_numbers_are_not_las(published) -> None:  # type: ignore[no-untyped-def]
    assert not {str(n) for n in REGION_NUMBERS} & set(published.areas.las)
