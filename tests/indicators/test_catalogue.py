"""The declarations themselves: complete, documented, and every query keeps the row contract."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ind_builders import load_903, load_cin

from datamonger.indicators import Period, all_indicators, compute, explain
from datamonger.indicators.docs import catalogue_markdown
from datamonger.indicators.model import Category, Polarity
from datamonger.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "indicator_catalogue.md"


def test_every_indicator_is_described() -> None:
    inds = all_indicators()
    assert len({i.id for i in inds}) == len(inds)
    for i in inds:
        assert i.title and i.description.endswith("."), i.id
        assert i.numerator and i.denominator, i.id
        assert isinstance(i.category, Category) and isinstance(i.polarity, Polarity)
        assert i.benchmark_key or i.group in {
            "Referral sources", "Primary need", "Placement types", "Children in need",
            "Section 47 and conferences", "Missing and away", "Adoption timeliness",
        "Factors identified at assessment",  # groups published per subject only (child/parent/other)
        "Early education",  # the DfE publishes take-up for all children, not for CLA
        }, i.id  # fmt: skip


def test_catalogue_page_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == catalogue_markdown(), (
        "regenerate: python -m datamonger.indicators.docs > docs/indicator_catalogue.md"
    )


def test_every_query_runs_and_keeps_the_row_contract(store: Store) -> None:
    load_cin(store, 2025, episodes=[{"LAchildID": "A", "CINreferralDate": "2024-05-01"}])
    load_903(
        store,
        2025,
        header=[{"CHILD": "A", "DOB": "01/01/2015"}],
        episodes=[{"CHILD": "A", "DECOM": "01/05/2024", "RNE": "S", "LS": "C2", "PLACE": "U4"}],
    )
    period = Period.census_year(2025)
    results = {r.id: r for r in compute(store.con, period)}
    for ind in all_indicators():
        r = results[ind.id]
        if any(n.startswith("not computable") for n in r.notes):
            assert r.value is None, ind.id  # never 0 for what cannot be computed
            continue
        ex = explain(store.con, period, ind.id)
        assert ex.columns[:4] == ["child_id", "numerator", "denominator", "value"], ind.id


def test_twelve_months_to_a_date_uses_both_returns(store: Store) -> None:
    # 12 months to 30 Sep 2024 = 1 Oct 2023 to 30 Sep 2024: two collection years.
    p = Period.twelve_months_to(dt.date(2024, 9, 30))
    assert (p.start, p.collection_years, p.population_year) == (
        dt.date(2023, 10, 1),
        [2024, 2025],
        2024,
    )
    load_cin(
        store,
        2024,
        episodes=[
            {"LAchildID": "A", "CINreferralDate": "2023-09-30"},
            {"LAchildID": "B", "CINreferralDate": "2023-10-01"},
        ],
    )
    (missing,) = compute(store.con, p, ["referrals"])
    assert missing.value is None and "2024/25 is not loaded" in missing.notes[0]
    load_cin(
        store,
        2025,
        episodes=[
            {"LAchildID": "C", "CINreferralDate": "2024-09-30"},
            {"LAchildID": "D", "CINreferralDate": "2024-10-01"},
        ],
    )
    (r,) = compute(store.con, p, ["referrals"])
    assert r.value == 2  # B and C
    assert Period.twelve_months_to(dt.date(2024, 2, 29)).start == dt.date(2023, 3, 1)
