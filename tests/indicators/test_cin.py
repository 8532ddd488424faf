"""CIN census indicators on hand-worked returns (2024/25 = 1 Apr 2024 to 31 Mar 2025)."""

from __future__ import annotations

import pytest
from ind_builders import load_cin
from ind_helpers import flagged, result, rows

from datamonger.store import Store


def ep(child: str, n: int, referral: str, **kw: object) -> dict[str, object]:
    return {"LAchildID": child, "CINdetailsID": n, "CINreferralDate": referral, **kw}


def test_rereferrals_364_365_366_days_and_same_day(store: Store) -> None:
    # Previous referrals sit in the 2023/24 return; this year's in 2024/25.
    load_cin(
        store,
        2024,
        episodes=[
            ep("A", 1, "2023-06-01", CINclosureDate="2023-06-10"),
            ep("B", 1, "2023-06-01", CINclosureDate="2023-06-10"),
            ep("C", 1, "2023-06-01", CINclosureDate="2023-06-10"),
        ],
    )
    load_cin(
        store,
        2025,
        episodes=[
            ep("A", 1, "2024-05-30"),  # 364 days after 1 Jun 2023 -> re-referral
            ep("B", 1, "2024-06-01"),  # 12 months to the day (366 days, leap year) -> yes
            ep("C", 1, "2024-06-02"),  # 367 days -> no
            ep("D", 1, "2024-07-01", CINclosureDate="2024-07-01"),
            ep("D", 2, "2024-07-01"),  # same day as D's other referral -> not a re-referral
        ],
    )
    assert flagged(store, "rereferrals_12m") == {"A", "B"}
    r = result(store, "rereferrals_12m")
    # 2 of the 5 referrals in 2024/25 -> 40.0%
    assert (r.numerator, r.denominator, r.value) == (2, 5, 40.0)
    # 365-day reading: B's earlier referral is 366 days back, so only A.
    assert flagged(store, "rereferrals_12m", rereferral_window="365") == {"A"}


def test_rereferral_364_vs_366_days_in_a_non_leap_span(store: Store) -> None:
    load_cin(
        store,
        2025,
        episodes=[
            ep("E", 1, "2024-04-02", CINclosureDate="2024-04-03"),
            ep("E", 2, "2025-04-01"),  # next year, outside the period
            ep("F", 1, "2024-04-05", CINclosureDate="2024-04-06"),
        ],
    )
    load_cin(
        store,
        2026,
        episodes=[
            ep("E", 1, "2025-04-01"),  # 364 days after 2 Apr 2024 -> re-referral
            ep("F", 1, "2025-04-06"),  # 366 days after 5 Apr 2024 -> not
        ],
    )
    assert flagged(store, "rereferrals_12m", year=2026) == {"E"}


def test_referral_counts_nfa_not_in_need_and_sources(store: Store) -> None:
    load_cin(
        store,
        2025,
        children=[{"LAchildID": "U", "ExpectedPersonBirthDate": "2025-06-01"}],
        episodes=[
            ep("U", 1, "2025-01-10", ReferralSource="3B", ReferralNFA="true"),  # unborn child
            ep("P", 1, "2024-04-01", ReferralSource="6", CINclosureDate="2024-05-01",
               ReasonForClosure="RC8"),
            ep("Q", 1, "2025-03-31", ReferralSource="2A", ReferralNFA="false",
               CINclosureDate="2025-03-31", ReasonForClosure="RC9"),
            ep("R", 1, "2024-03-31", ReferralSource="6"),  # before the period
        ],
    )  # fmt: skip
    assert result(store, "referrals").value == 3  # U, P, Q (R referred in 2023/24)
    assert result(store, "referrals_nfa").value == pytest.approx(33.3)  # 1 of 3
    assert flagged(store, "assessed_not_in_need") == {"P", "Q"}
    assert flagged(store, "referral_source_police") == {"P"}
    assert flagged(store, "referral_source_health") == {"U"}
    # Rate: 3 referrals / 142,924 children aged 0-17 in LA 873 (ONS mid-2024) x 10,000 = 0.21
    rate = result(store, "referrals_rate")
    assert rate.value == 0.2 and rate.denominator == pytest.approx(14.2924)


def test_cin_at_end_includes_unborn_and_not_closed_on_31_march(store: Store) -> None:
    load_cin(
        store,
        2025,
        children=[
            {"LAchildID": "U", "ExpectedPersonBirthDate": "2025-06-01"},
            {"LAchildID": "K", "PersonBirthDate": "2015-01-01"},
            {"LAchildID": "Z", "PersonBirthDate": "2012-01-01"},
        ],
        disabilities=[
            {"LAchildID": "K", "Disability": "AUT"},
            {"LAchildID": "Z", "Disability": "NONE"},
        ],
        episodes=[
            ep("U", 1, "2025-01-10", PrimaryNeedCode="N1"),
            ep("K", 1, "2023-01-10", PrimaryNeedCode="N2"),
            ep("Z", 1, "2024-05-01", CINclosureDate="2025-03-31", PrimaryNeedCode="N1"),
        ],
    )
    assert flagged(store, "cin_at_end") == {"U", "K"}
    assert flagged(store, "primary_need_n1") == {"U"}
    assert result(store, "primary_need_n2").value == 50.0
    assert flagged(store, "cin_disability") == {"K"}  # 1 of 2 at the end
    # During the year Z is in the population too, with NONE: 1 of 3.
    assert result(store, "cin_disability", disability_population="during").value == 33.3
    assert result(store, "cin_episodes_ended").value == 1
    assert result(store, "cin_episodes_anypoint").value == 3


def test_assessments_45_working_days_across_christmas(store: Store) -> None:
    # From Mon 2 Dec 2024, the 45th working day is Thu 6 Feb 2025 (Christmas Day, Boxing Day and
    # New Year's Day skipped): 6 Feb is within, Fri 7 Feb (46) is not.
    load_cin(
        store,
        2025,
        episodes=[ep("A", 1, "2024-12-01"), ep("B", 1, "2024-12-01"), ep("C", 1, "2024-12-01")],
        assessments=[
            {"LAchildID": "A", "CINdetailsID": 1, "AssessmentID": 1,
             "AssessmentActualStartDate": "2024-12-02", "AssessmentAuthorisationDate": "2025-02-06"},
            {"LAchildID": "B", "CINdetailsID": 1, "AssessmentID": 1,
             "AssessmentActualStartDate": "2024-12-02", "AssessmentAuthorisationDate": "2025-02-07"},
            {"LAchildID": "C", "CINdetailsID": 1, "AssessmentID": 1,
             "AssessmentAuthorisationDate": "2025-01-07"},  # no start date: left out, noted
        ],
    )  # fmt: skip
    assert flagged(store, "assessments_45wd") == {"A"}
    r = result(store, "assessments_45wd")
    assert (r.numerator, r.denominator) == (1, 2)
    assert any("1 assessments authorised in the period have no start date" in n for n in r.notes)
    assert {x["child_id"]: x["working_days"] for x in rows(store, "assessments_45wd")} == {
        "A": 45,
        "B": 46,
    }
    # Counting the start day too (day1), A takes 46 days and is late.
    assert flagged(store, "assessments_45wd", working_days="day1") == set()


def test_factors_share_of_episodes_with_factors(store: Store) -> None:
    load_cin(
        store,
        2025,
        episodes=[ep("A", 1, "2024-05-01"), ep("B", 1, "2024-05-01"), ep("C", 1, "2024-05-01")],
        assessments=[
            {"LAchildID": c, "CINdetailsID": 1, "AssessmentID": 1,
             "AssessmentActualStartDate": "2024-05-02", "AssessmentAuthorisationDate": "2024-06-01"}
            for c in "ABC"
        ],
        assessment_factors=[
            {"LAchildID": "A", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "3B"},
            {"LAchildID": "A", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "4B"},
            {"LAchildID": "B", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "3A"},
            {"LAchildID": "C", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "21"},
        ],
    )  # fmt: skip
    # Episodes with a factor (21 = no factors does not count): A, B. Domestic abuse in both.
    assert result(store, "factor_domestic_abuse").value == 100.0
    assert result(store, "factor_mental_health").value == 50.0


def test_s47_icpc_15_working_days_and_conversions(store: Store) -> None:
    # From Thu 25 Apr 2024, skipping May Day (Mon 6 May), the 15th working day is Fri 17 May.
    load_cin(
        store,
        2025,
        episodes=[ep(c, 1, "2024-04-20") for c in "ABCD"],
        section47=[
            {"LAchildID": "A", "CINdetailsID": 1, "S47ActualStartDate": "2024-04-25",
             "DateOfInitialCPC": "2024-05-17"},
            {"LAchildID": "B", "CINdetailsID": 1, "S47ActualStartDate": "2024-04-25",
             "DateOfInitialCPC": "2024-05-20"},
            {"LAchildID": "C", "CINdetailsID": 1, "S47ActualStartDate": "2024-04-25"},
            {"LAchildID": "D", "CINdetailsID": 1, "S47ActualStartDate": "2024-05-10",
             "DateOfInitialCPC": "2024-05-09"},  # conference before the S47 start
        ],
        cpp=[{"LAchildID": "A", "CINdetailsID": 1, "CPPstartDate": "2024-05-17"}],
    )  # fmt: skip
    assert result(store, "s47").value == 4
    assert result(store, "icpc").value == 3
    assert flagged(store, "icpc_15wd") == {"A"}
    assert result(store, "icpc_15wd").denominator == 2  # D left out of the bands
    assert result(store, "s47_to_icpc").value == 75.0
    assert flagged(store, "s47_to_cpp") == {"A"}


def test_cpp_two_years_exactly_and_subsequent(store: Store) -> None:
    load_cin(
        store,
        2025,
        episodes=[ep(c, 1, "2022-01-01") for c in "ABCDEF"],
        cpp=[
            # On a plan at 31 Mar 2025: A from 1 Apr 2023 = 731 days inclusive (> 729): yes.
            {"LAchildID": "A", "CINdetailsID": 1, "CPPstartDate": "2023-04-01"},
            # B from 3 Apr 2023: 728 days + 1 = 729, not > 729: no.
            {"LAchildID": "B", "CINdetailsID": 1, "CPPstartDate": "2023-04-03"},
            # Ending in the year: C 1 Jun 2022 - 31 May 2024 = 730 days + 1 = 731: yes.
            {"LAchildID": "C", "CINdetailsID": 1, "CPPstartDate": "2022-06-01",
             "CPPendDate": "2024-05-31"},
            # D 3 Jun 2022 - 31 May 2024 = 728 + 1 = 729: no.
            {"LAchildID": "D", "CINdetailsID": 1, "CPPstartDate": "2022-06-03",
             "CPPendDate": "2024-05-31"},
            # Starting in the year: E had a plan before (field), F has an earlier plan loaded.
            {"LAchildID": "E", "CINdetailsID": 1, "CPPstartDate": "2024-09-01",
             "NumberOfPreviousCPP": "1"},
            {"LAchildID": "F", "CINdetailsID": 1, "CPPstartDate": "2022-02-01",
             "CPPendDate": "2022-08-01"},
            {"LAchildID": "F", "CINdetailsID": 1, "CPPID": 2, "CPPstartDate": "2024-10-01",
             "NumberOfPreviousCPP": "0"},
        ],
    )  # fmt: skip
    assert flagged(store, "cpp_at_end") == {"A", "B", "E", "F"}
    assert flagged(store, "cpp_2yrs_at_end") == {"A"}
    assert flagged(store, "cpp_2yrs_ended") == {"C"}
    assert flagged(store, "cpp_subsequent") == {"E", "F"}
    assert result(store, "cpp_started").value == 2


def test_cpp_reviews_on_time(store: Store) -> None:
    load_cin(
        store,
        2025,
        episodes=[ep(c, 1, "2024-01-01") for c in "ABCD"],
        cpp=[
            {"LAchildID": c, "CINdetailsID": 1, "CPPstartDate": "2024-06-10"} for c in "ABC"
        ] + [{"LAchildID": "D", "CINdetailsID": 1, "CPPstartDate": "2025-01-15"}],
        cpp_reviews=[
            # A: 10 Sep (3 months to the day) then 10 Mar (6 months): on time.
            {"LAchildID": "A", "CINdetailsID": 1, "CPPreviewDate": "2024-09-10"},
            {"LAchildID": "A", "CINdetailsID": 1, "CPPreviewDate": "2025-03-10"},
            # B: first review 11 Sep, one day late.
            {"LAchildID": "B", "CINdetailsID": 1, "CPPreviewDate": "2024-09-11"},
            {"LAchildID": "B", "CINdetailsID": 1, "CPPreviewDate": "2025-01-11"},
            # C: first review on time, but none since 1 Sep: overdue on 31 Mar (> 1 Mar).
            {"LAchildID": "C", "CINdetailsID": 1, "CPPreviewDate": "2024-09-01"},
        ],
    )  # fmt: skip
    # D has been on a plan under 3 months: not in the denominator.
    r = result(store, "cpp_reviews_on_time")
    assert flagged(store, "cpp_reviews_on_time") == {"A"}
    assert (r.numerator, r.denominator) == (1, 3)


def test_open_cin_episode_repaired_by_next_return(store: Store) -> None:
    # Open at 31 Mar 2024 in the 2023/24 return, closed in the 2024/25 return.
    load_cin(store, 2024, episodes=[ep("A", 1, "2023-05-01")])
    load_cin(store, 2025, episodes=[ep("A", 1, "2023-05-01", CINclosureDate="2024-06-30")])
    # Computed for 2023/24, the 2023/24 version is used: open at the end.
    assert result(store, "cin_at_end", year=2024).value == 1
    # For 2024/25 the 2024/25 version closes it, and the repair is listed.
    assert result(store, "cin_episodes_ended").value == 1
    assert result(store, "cin_at_end").value == 0
    repairs = store.con.execute(
        "SELECT child_id, open_in_return, used_return, closed_on FROM dm_cin_repairs"
    ).fetchall()
    assert [(c, o, u, str(d)) for c, o, u, d in repairs] == [("A", 2024, 2025, "2024-06-30")]
