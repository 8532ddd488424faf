"""Recording-quality checks on hand-worked returns (2024/25), and beside the real published
spread between LAs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ind_builders import load_903, load_cin

from datamonger.indicators.model import Period
from datamonger.indicators.recording import CHECKS, RecordingError, children, run
from datamonger.store import Store

Y = Period.census_year(2025)


def ep(child: str, n: int, referral: str, **kw: object) -> dict[str, object]:
    return {"LAchildID": child, "CINdetailsID": n, "CINreferralDate": referral, **kw}


def flagged(store: Store, check: str) -> set[str]:
    return set(children(store.con, Y, check).column("child_id").to_pylist())


def finding(store: Store, check: str):  # type: ignore[no-untyped-def]
    (f,) = run(store.con, Y, ids=[check])
    return f


def _assessment(child: str, start: str, auth: str) -> dict[str, object]:
    return {"LAchildID": child, "CINdetailsID": 1, "AssessmentID": 1,
            "AssessmentActualStartDate": start, "AssessmentAuthorisationDate": auth}  # fmt: skip


def test_only_other_factor_leaves_out_21_and_is_set_beside_the_published_spread(
    store: Store,
) -> None:
    load_cin(
        store,
        2025,
        episodes=[ep(c, 1, "2024-05-01") for c in "ABC"],
        assessments=[_assessment(c, "2024-05-02", "2024-06-01") for c in "ABC"],
        assessment_factors=[
            {"LAchildID": "A", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "20"},
            {"LAchildID": "B", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "20"},
            {"LAchildID": "B", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "3A"},
            {"LAchildID": "C", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": "21"},
        ],
    )  # fmt: skip
    assert flagged(store, "only_other_factor") == {"A"}
    f = finding(store, "only_other_factor")
    assert (f.flagged, f.rows, f.value) == (1, 2, 50.0)  # C (no factors) left out
    pub = f.published
    assert pub is not None and pub["key"] == "other_factor_share"
    assert pub["min"] <= pub["q1"] <= pub["median"] <= pub["q3"] <= pub["max"]
    assert pub["min"] <= pub["england"] <= pub["max"] and pub["las"] > 100
    # raised only when outside what any LA publishes
    assert f.raised == (f.value > pub["max"] or f.value < pub["min"])


def test_s47_followed_by_a_plan_and_disability(store: Store) -> None:
    load_cin(
        store,
        2025,
        children=[{"LAchildID": c} for c in "ABCD"],
        disabilities=[{"LAchildID": "A", "Disability": "HAND"},
                      {"LAchildID": "B", "Disability": "NONE"}],
        episodes=[ep(c, 1, "2024-04-20") for c in "ABCD"],
        section47=[
            {"LAchildID": c, "CINdetailsID": 1, "S47ActualStartDate": "2024-05-01"} for c in "ABC"
        ],
        cpp=[{"LAchildID": "A", "CINdetailsID": 1, "CPPstartDate": "2024-06-01"},
             {"LAchildID": "B", "CINdetailsID": 1, "CPPstartDate": "2024-08-01"}],  # 92 days
    )  # fmt: skip
    assert flagged(store, "s47_to_plan") == {"A"}
    assert finding(store, "s47_to_plan").value == pytest.approx(33.3)
    assert flagged(store, "disability_share") == {"A"}
    f = finding(store, "disability_share")
    assert (f.flagged, f.rows) == (1, 4)
    assert f.published is None  # no LA-level figure shipped: judged against the catalogue's band
    assert f.value == 25.0 and not f.raised  # the band's edge is inside it


def test_assessments_bunched_on_day_45(store: Store) -> None:
    # From Mon 1 Jul 2024 (no bank holidays until 26 Aug), working day 45 is Fri 30 Aug
    # counting the start as day 0: 1 Jul + 45 working days over the 26 Aug holiday.
    starts = [f"C{i}" for i in range(12)]
    load_cin(
        store,
        2025,
        episodes=[ep(c, 1, "2024-06-30") for c in starts],
        assessments=(
            [_assessment(c, "2024-07-01", "2024-09-03") for c in starts[:6]]  # day 45
            + [_assessment(c, "2024-07-01", d) for c, d in zip(
                starts[6:11], ["2024-08-27", "2024-08-28", "2024-08-29", "2024-08-30",
                               "2024-09-02"], strict=True)]  # days 40 to 44
            + [_assessment(starts[11], "2024-07-01", "2024-07-10")]
        ),
    )  # fmt: skip
    rows = children(store.con, Y, "assessment_day_45", only_flagged=False).to_pylist()
    days = sorted(int(r["detail"].split(";")[0].removeprefix("day ")) for r in rows)
    assert days == [7, 40, 41, 42, 43, 44, 45, 45, 45, 45, 45, 45]
    f = finding(store, "assessment_day_45")
    assert f.value == 6.0 and f.flagged == 6  # six on day 45 against one a day before it
    assert f.raised


def test_cpp_reviews_on_exactly_the_deadline(store: Store) -> None:
    load_cin(
        store,
        2025,
        episodes=[ep(c, 1, "2024-01-01") for c in "AB"],
        cpp=[{"LAchildID": c, "CINdetailsID": 1, "CPPstartDate": "2024-06-10"} for c in "AB"],
        cpp_reviews=[
            # A: 10 Sep = plan start + 3 months, then 10 Mar = + 6 months: both on the deadline
            {"LAchildID": "A", "CINdetailsID": 1, "CPPreviewDate": "2024-09-10"},
            {"LAchildID": "A", "CINdetailsID": 1, "CPPreviewDate": "2025-03-10"},
            # B: a day early each time
            {"LAchildID": "B", "CINdetailsID": 1, "CPPreviewDate": "2024-09-09"},
            {"LAchildID": "B", "CINdetailsID": 1, "CPPreviewDate": "2025-03-08"},
        ],
    )  # fmt: skip
    assert flagged(store, "cpp_review_on_deadline") == {"A"}
    f = finding(store, "cpp_review_on_deadline")
    assert (f.flagged, f.rows, f.value) == (2, 4, 50.0)


def test_referrals_nfa_same_day_and_twice_in_a_week(store: Store) -> None:
    load_cin(
        store,
        2024,
        episodes=[ep("E", 1, "2024-03-28", CINclosureDate="2024-03-29")],
    )
    load_cin(
        store,
        2025,
        episodes=[
            ep("A", 1, "2024-05-01", CINclosureDate="2024-05-01", ReferralNFA="true"),
            ep("B", 1, "2024-05-01", CINclosureDate="2024-05-02", ReferralNFA="true"),
            ep("C", 1, "2024-05-01", CINclosureDate="2024-05-01", ReferralNFA="false"),
            # D: again 7 days later (flagged), then 8 days after that (not)
            ep("D", 1, "2024-06-01", CINclosureDate="2024-06-02"),
            ep("D", 2, "2024-06-08", CINclosureDate="2024-06-08"),
            ep("D", 3, "2024-06-16"),
            # E: 4 days after a referral in the previous year's return
            ep("E", 1, "2024-04-02"),
        ],
    )
    assert flagged(store, "nfa_same_day") == {"A"}
    assert finding(store, "nfa_same_day").value == 50.0
    assert flagged(store, "referred_twice_in_a_week") == {"D", "E"}
    assert finding(store, "referred_twice_in_a_week").flagged == 2


def test_same_day_episodes_leave_short_breaks_out(store: Store) -> None:
    load_903(
        store,
        2025,
        header=[{"CHILD": c, "DOB": "01/01/2012"} for c in "ABCV"],
        episodes=[
            {"CHILD": "A", "DECOM": "01/05/2024", "DEC": "01/05/2024", "RNE": "S", "LS": "C2",
             "PLACE": "U4", "REC": "E11"},
            {"CHILD": "B", "DECOM": "01/05/2024", "DEC": "02/05/2024", "RNE": "S", "LS": "C2",
             "PLACE": "U4", "REC": "E11"},
            {"CHILD": "C", "DECOM": "01/05/2024", "RNE": "S", "LS": "C2", "PLACE": "U4"},
            {"CHILD": "V", "DECOM": "01/05/2024", "DEC": "01/05/2024", "RNE": "S", "LS": "V3",
             "PLACE": "U4", "REC": "E11"},
        ],
    )  # fmt: skip
    assert flagged(store, "same_day_episodes") == {"A"}
    f = finding(store, "same_day_episodes")
    assert (f.flagged, f.rows) == (1, 3)
    # CIN checks cannot run without the CIN census, and say so
    cin_check = finding(store, "only_other_factor")
    assert not cin_check.computable and "CIN census" in cin_check.reason


def test_every_check_declared_and_unknown_check_is_a_clear_error(store: Store) -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS) >= 8
    assert all(c.note and c.question and c.population and c.flagged for c in CHECKS)
    load_cin(store, 2025, episodes=[ep("A", 1, "2024-05-01")])
    with pytest.raises(RecordingError, match="Unknown recording check 'nope'"):
        children(store.con, Y, "nope")


def test_cli_recording_json_csv_and_children(store: Store, tmp_path: Path) -> None:
    load_cin(
        store,
        2025,
        episodes=[ep("A", 1, "2024-05-01", CINclosureDate="2024-05-01", ReferralNFA="1")],
    )
    store.close()
    cmd = [sys.executable, "-m", "datamonger", "recording", "--db", store.path, "--year", "2025"]
    out = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, check=True)
    found = {f["id"]: f for f in json.loads(out.stdout)}
    assert found["nfa_same_day"]["value"] == 100.0 and found["nfa_same_day"]["raised"]
    assert not found["same_day_episodes"]["computable"]  # no SSDA903 loaded
    csv = subprocess.run([*cmd, "--format", "csv"], capture_output=True, text=True, check=True)
    assert csv.stdout.splitlines()[0].startswith("id,title,year,value")
    kids = subprocess.run(
        [*cmd, "--children", "nfa_same_day", "--format", "csv"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert kids.stdout.splitlines()[1].startswith("A,True,2024-05-01")
    bad = subprocess.run([*cmd, "--children", "nope"], capture_output=True, text=True)
    assert bad.returncode != 0 and "Unknown recording check" in bad.stderr
    assert "Traceback" not in bad.stderr
