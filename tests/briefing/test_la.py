"""The LA edition against the shipped files; suppression; no child identifier in any output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from published_files import figures

from datamonger.briefing import render
from datamonger.briefing.la import la_edition

AS_OF = dt.date(2025, 12, 1)
RE = "c1_children_in_need_referrals_and_rereferrals"
CP = "d3_cpps_subsequent_plan"


@pytest.mark.parametrize(
    ("la", "number", "region", "year"),
    [
        ("Leeds", "383", "E12000003", 2025),
        ("Cornwall", "908", "E12000009", 2023),
        ("Camden", "202", "E13000001", 2021),
    ],
)
def test_la_figures_match_the_files(la: str, number: str, region: str, year: int) -> None:
    b = la_edition(la, year, as_of=AS_OF, charts="none")
    facts = {f.id: f for f in b.facts()}
    value = figures(RE, "rereferral_percent", year, "Local authority")[number]
    num = figures(RE, "rereferral_count", year, "Local authority")[number]
    base = figures(RE, "referral_count", year, "Local authority")[number]
    before = figures(RE, "rereferral_percent", year - 1, "Local authority")[number]
    f = facts["la.rereferrals.value"]
    assert f.data["value"] == pytest.approx(value)
    assert (f.data["numerator"], f.data["base"]) == (pytest.approx(num), pytest.approx(base))
    assert f.data["previous"] == pytest.approx(before)
    assert f"{num:,.0f} re-referrals of {base:,.0f} referrals" in f.text
    c = facts["la.rereferrals.compare"]
    assert c.data["england"] == pytest.approx(
        figures(RE, "rereferral_percent", year, "National")["England"]
    )
    assert c.data["region"] == pytest.approx(
        figures(RE, "rereferral_percent", year, "Regional")[region]
    )
    # rank among LAs, lower is better, ties share the better rank
    all_las = [
        v
        for v in figures(RE, "rereferral_percent", year, "Local authority").values()
        if v is not None
    ]
    rank = 1 + sum(1 for v in all_las if v < value)
    r = facts["la.rereferrals.rank"]
    assert r.data["rank"] == rank and r.data["of"] == len(all_las)
    assert f"ranks {rank} of {len(all_las)}" in r.text


def test_small_numbers_are_withheld_isles_of_scilly() -> None:
    """Isles of Scilly (420): plans starting are suppressed by the DfE (so fewer than 10), so the
    published share of second plans (0%) is withheld rather than shown on an unknown small base."""
    starts = figures(CP, "CPP_start", 2025, "Local authority")["420"]
    share = figures(CP, "CPP_subsequent_percent", 2025, "Local authority")["420"]
    assert starts is None and share is not None  # the case this test is about
    b = la_edition("Isles of Scilly", 2025, as_of=AS_OF, charts="all")
    f = next(f for f in b.facts() if f.id == "la.cpp_subsequent.value")
    assert f.data["withheld"] and "withheld" in f.text
    page = render.html(b)
    assert f"{share:g}%" not in f.text
    assert "of 0 plans starting" not in page
    for fact in b.facts():
        if fact.data.get("withheld"):
            assert "withheld" in fact.text or "fewer than 6" in fact.text


def test_to_date_uses_only_figures_published_by_then() -> None:
    """At 30 September 2025 the 2025 CIN figures (October) are not out: the 2024 ones are shown."""
    b = la_edition("Leeds", to=dt.date(2025, 9, 30), charts="none")
    f = next(f for f in b.facts() if f.id == "la.rereferrals.value")
    assert f.data["year"] == 2024
    b = la_edition("Leeds", to=dt.date(2025, 12, 1), charts="none")
    f = next(f for f in b.facts() if f.id == "la.rereferrals.value")
    assert f.data["year"] == 2025


def test_own_data_and_validation_without_child_identifiers(tmp_path: Path) -> None:
    from synthetic import PREFIX, build

    db = tmp_path / "la.duckdb"
    ids = build(db)
    b = la_edition("Cambridgeshire", 2025, db=db, as_of=dt.date(2025, 5, 1), charts="all")
    sections = {s.id for s in b.sections}
    assert "validation" in sections
    assert "own" in sections  # the indicators module is present in this repository
    outputs = [render.html(b), render.markdown(b), render.as_json(b)]
    outputs.append(json.dumps([f.to_dict() for f in b.facts()], default=str))
    for text in outputs:
        assert PREFIX not in text
        for child in ids:
            assert child not in text
    v = next(f for f in b.facts() if f.id == "validation.cin")
    assert v.data["year"] == 2025 and v.data["deadline"] == "2025-07-31"


def test_own_section_says_when_nothing_is_loaded(tmp_path: Path) -> None:
    b = la_edition("Leeds", 2025, db=tmp_path / "missing.duckdb", as_of=AS_OF, charts="none")
    assert any(f.id == "own.own_no_db" for f in b.facts())
