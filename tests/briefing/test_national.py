"""The national edition against figures computed straight from the shipped EES files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from published_files import figures, la_names

from datamonger.briefing import render
from datamonger.briefing.national import NoFigures, national

AS_OF = dt.date(2025, 12, 1)
Fig = dict[str, float | None]


def _div(a: Fig, b: Fig, scale: float) -> Fig:
    return {k: a[k] / b[k] * scale if a.get(k) is not None and b.get(k) else None for k in a}  # type: ignore[operator]


# headline id -> (year -> (value, numerator, base) by area, for LAs and England)
def rereferrals(year: int, level: str) -> tuple[Fig, Fig, Fig]:
    f = "c1_children_in_need_referrals_and_rereferrals"
    return (
        figures(f, "rereferral_percent", year, level),
        figures(f, "rereferral_count", year, level),
        figures(f, "referral_count", year, level),
    )


def placements3(year: int, level: str) -> tuple[Fig, Fig, Fig]:
    f = "la_cla_placement_stability"
    three = {
        "cla_group": "CLA on 31 March",
        "placement_stability": "With 3 or more placements during the year",
    }
    total = {"cla_group": "CLA on 31 March", "placement_stability": "Total children"}
    return (
        figures(f, "children_percent", year, level, **three),
        figures(f, "children_count", year, level, **three),
        figures(f, "children_count", year, level, **total),
    )


def s47_to_cpp(year: int, level: str) -> tuple[Fig, Fig, Fig]:
    plans = figures("d3_cpps_subsequent_plan", "CPP_start", year, level)
    s47 = figures("c4_children_in_need_section_47s_and_icpcs", "Section47", year, level)
    return _div(plans, s47, 100), plans, s47


MEASURES: dict[str, Callable[[int, str], tuple[Fig, Fig, Fig]]] = {
    "rereferrals": rereferrals,
    "placements3": placements3,
    "s47_to_cpp": s47_to_cpp,
}
CASES = [
    ("rereferrals", 2016),
    ("rereferrals", 2020),
    ("rereferrals", 2025),
    ("placements3", 2022),
    ("placements3", 2025),
    ("s47_to_cpp", 2019),
    ("s47_to_cpp", 2024),
]


def _withheld(num: float | None, base: float | None) -> bool:
    return base is None or base < 10 or (num is not None and 0 < num <= 5)


def _facts(year: int) -> dict[str, object]:
    b = national(year, AS_OF, charts="none")
    return {f.id: f for f in b.facts()}


@pytest.fixture(scope="module")
def editions() -> dict[int, dict[str, object]]:
    return {y: _facts(y) for y in sorted({y for _, y in CASES})}


@pytest.mark.parametrize(("hid", "year"), CASES)
def test_england_figure_and_change(hid: str, year: int, editions: dict) -> None:
    value, num, base = MEASURES[hid](year, "National")
    before, _, _ = MEASURES[hid](year - 1, "National")
    fact = editions[year][f"national.{hid}.england"]
    assert fact.data["value"] == pytest.approx(value["England"])
    assert fact.data["numerator"] == pytest.approx(num["England"])
    assert fact.data["base"] == pytest.approx(base["England"])
    if before.get("England") is not None:
        assert fact.data["previous"] == pytest.approx(before["England"])
        assert fact.data["change"] == pytest.approx(value["England"] - before["England"])
    # the sentence gives the numerator and the base, as counts
    assert f"{num['England']:,.0f}" in fact.text
    assert f"{base['England']:,.0f}" in fact.text


@pytest.mark.parametrize(("hid", "year"), CASES)
def test_las_rising_and_falling(hid: str, year: int, editions: dict) -> None:
    now, _, _ = MEASURES[hid](year, "Local authority")
    before, _, _ = MEASURES[hid](year - 1, "Local authority")
    both = [
        a for a in set(now) | set(before) if now.get(a) is not None and before.get(a) is not None
    ]
    up = sum(1 for a in both if now[a] - before[a] > 1e-9)  # type: ignore[operator]
    down = sum(1 for a in both if now[a] - before[a] < -1e-9)  # type: ignore[operator]
    fact = editions[year][f"national.{hid}.moved"]
    assert (fact.data["up"], fact.data["down"]) == (up, down)
    assert fact.data["unchanged"] == len(both) - up - down
    assert f"{up} rose, {down} fell" in fact.text


@pytest.mark.parametrize(("hid", "year"), CASES)
def test_range_names_the_las_at_each_end(hid: str, year: int, editions: dict) -> None:
    value, num, base = MEASURES[hid](year, "Local authority")
    shown = {
        a: v for a, v in value.items() if v is not None and not _withheld(num.get(a), base.get(a))
    }
    top, bottom = max(shown.values()), min(shown.values())
    names = la_names("c1_children_in_need_referrals_and_rereferrals") | la_names(
        "la_cla_placement_stability"
    )
    fact = editions[year][f"national.{hid}.range"]
    assert fact.data["count"] == len(shown)
    assert fact.data["max"] == pytest.approx(top)
    assert fact.data["min"] == pytest.approx(bottom)
    assert sorted(fact.data["max_las"]) == sorted(a for a, v in shown.items() if v == top)
    assert sorted(fact.data["min_las"]) == sorted(a for a, v in shown.items() if v == bottom)
    first_top = sorted(names[a] for a in fact.data["max_las"])[0]
    assert first_top.split(",")[0] in fact.text
    # each end gets a note: standing out (with the practice/recording note) or within the spread
    for end in ("highest", "lowest"):
        notes = [k for k in editions[year] if k.startswith(f"national.{hid}.{end}.")]
        assert len(notes) == 1
        if notes[0].endswith(".flag"):
            assert "may" in editions[year][notes[0]].text


def test_withheld_la_figures_never_appear() -> None:
    """An LA percentage on a base under 10 (or on 1-5 children) is left out of the range."""
    b = national(2025, AS_OF, charts="all")
    value, num, base = placements3(2025, "Local authority")
    withheld = [a for a, v in value.items() if v is not None and _withheld(num.get(a), base.get(a))]
    fact = next(f for f in b.facts() if f.id == "national.placements3.range")
    for a in withheld:
        assert a not in fact.data["max_las"] + fact.data["min_las"]
    for f in b.facts():
        # no count of 1 to 5 children is written as a number beside a count word
        assert not re.search(r"\(\s*[1-5] (re-referrals|with 3|plans started|children)", f.text), (
            f.text
        )


def test_every_sentence_is_a_fact_and_every_fact_is_on_the_page() -> None:
    b = national(2023, AS_OF)
    page = render.html(b)
    for f in b.facts():
        assert f'data-fact="{f.id}"' in page
    ids = re.findall(r'data-fact="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == len(b.facts())
    md = render.markdown(b)
    for f in b.facts():
        assert f.text in md


def test_unknown_year_is_refused() -> None:
    with pytest.raises(NoFigures):
        national(1999, AS_OF)
