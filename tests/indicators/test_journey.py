"""A child's journey: one child's records of both returns and all years as events, versions of a
record in later returns folded into one, each issue pinned on the record it was raised on."""

from __future__ import annotations

import pyarrow as pa
import pytest
from ind_builders import load_903, load_cin

from datamonger.indicators.journey import journey
from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.validation.engine import validate
from datamonger.validation.report import ISSUE_SCHEMA


def _issues(rows: list[dict[str, object]]) -> pa.Table:
    full = [{"fields": [], "values": [], "severity": "error", **r} for r in rows]
    return pa.Table.from_pylist(full, schema=ISSUE_SCHEMA)


def _two_years(store: Store) -> None:
    # A's referral is open at 31 March 2024 in the 2023/24 return, closed in the 2024/25 one.
    ref = {"LAchildID": "A", "CINdetailsID": 1, "CINreferralDate": "2023-05-01",
           "ReferralSource": "5A", "PrimaryNeedCode": "N1"}  # fmt: skip
    load_cin(
        store,
        2024,
        children=[{"LAchildID": "A", "PersonBirthDate": "2015-02-03"}],
        episodes=[ref],
    )
    load_cin(
        store,
        2025,
        children=[{"LAchildID": "A", "PersonBirthDate": "2015-02-03"}],
        episodes=[{**ref, "CINclosureDate": "2024-06-30", "ReasonForClosure": "RC1"}],
        assessments=[
            {"LAchildID": "A", "CINdetailsID": 1, "AssessmentID": 1,
             "AssessmentActualStartDate": "2024-04-02",
             "AssessmentAuthorisationDate": "2024-05-20"},
        ],
        assessment_factors=[
            {"LAchildID": "A", "CINdetailsID": 1, "AssessmentID": 1, "AssessmentFactors": f}
            for f in ("4B", "3A")
        ],
        section47=[{"LAchildID": "A", "CINdetailsID": 1, "S47ActualStartDate": "2024-04-10",
                    "DateOfInitialCPC": "2024-04-25"}],
    )  # fmt: skip
    load_903(
        store,
        2025,
        header=[{"CHILD": "A", "DOB": "03/02/2015", "SEX": "2"}],
        episodes=[{"CHILD": "A", "DECOM": "01/07/2024", "RNE": "S", "LS": "C2", "PLACE": "U4"}],
        missing=[{"CHILD": "A", "MISSING": "M", "MIS_START": "05/08/2024",
                  "MIS_END": "06/08/2024"}],
        # another child: never on A's journey
        sw_episodes=[{"CHILD": "B", "SW_ID": "SW1", "SW_DECOM": "01/01/2025"}],
    )  # fmt: skip


def test_both_returns_every_year_one_event_per_record(store: Store) -> None:
    _two_years(store)
    j = journey(store.con, "A")
    ev = j.events.to_pylist()
    kinds = [e["kind"] for e in ev]
    assert kinds.count("referral") == 1  # the two returns' versions folded
    ref = next(e for e in ev if e["kind"] == "referral")
    assert ref["years"] == [2024, 2025]
    assert str(ref["end_date"]) == "2024-06-30"  # as the latest return has it
    assert "closure reason RC1" in ref["detail"]
    assess = next(e for e in ev if e["kind"] == "assessment")
    assert "factors 3A, 4B" in assess["detail"]
    assert {"s47", "conference", "episode", "missing", "birth"} <= set(kinds)
    episode = next(e for e in ev if e["kind"] == "episode")
    assert episode["end_date"] is None and "legal status C2" in episode["detail"]
    assert "social_worker" not in kinds  # B's record
    dated = [e["start_date"] for e in ev if e["start_date"] is not None]
    assert dated == sorted(dated)
    assert not journey(store.con, "NOBODY").found


def test_issues_pinned_on_their_record_and_none_dropped(store: Store) -> None:
    _two_years(store)
    issues = _issues(
        [
            # on the 2023/24 version of the referral (line 2 of that year's CIN file)
            {"rule": "8500", "return": "cin", "year": 2024, "table": "CINdetails",
             "file": "cin_2024.xml", "line": 2, "child": "A", "message": "Referral problem"},
            # on the episode
            {"rule": "103", "return": "ssda903", "year": 2025, "table": "Episodes",
             "file": "episodes_2025.csv", "line": 2, "child": "A", "message": "Episode problem"},
            # on the header: no date of its own, pinned at the end of the return's year
            {"rule": "101", "return": "ssda903", "year": 2025, "table": "Header",
             "file": "header_2025.csv", "line": 2, "child": "A", "message": "Sex not valid"},
            # the same rule twice on one line (two fields): two issues, both kept
            {"rule": "8500", "return": "cin", "year": 2024, "table": "CINdetails",
             "file": "cin_2024.xml", "line": 2, "child": "A", "message": "Another field"},
            # another child's: not on A's journey
            {"rule": "101", "return": "ssda903", "year": 2025, "table": "Header",
             "file": "header_2025.csv", "line": 3, "child": "B", "message": "Sex not valid"},
        ]
    )  # fmt: skip
    j = journey(store.con, "A", issues)
    assert j.issues.num_rows == 4
    pinned = {r["rule"]: r for r in j.issues.to_pylist()}
    assert set(pinned) == {"8500", "103", "101"}
    assert str(pinned["8500"]["date"]) == "2023-05-01" and pinned["8500"]["kind"] == "referral"
    assert str(pinned["103"]["date"]) == "2024-07-01" and pinned["103"]["kind"] == "episode"
    assert str(pinned["101"]["date"]) == "2025-03-31" and pinned["101"]["at_return_end"]
    counts = {(e["kind"], e["identity"]): e["issues"] for e in j.events.to_pylist()}
    assert counts[("referral", "2023-05-01")] == 2
    assert counts[("episode", "2024-07-01")] == 1
    assert counts[("return_end", "ssda903 2025")] == 1
    assert sum(counts.values()) == 4


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, pa.Table]:
    folder = tmp_path_factory.mktemp("journey")
    generate(folder / "returns", children=200, year=2025, years=2, seed=5, error_rate=0.03)
    store = Store(folder / "dm.duckdb")
    load_paths([folder / "returns"], store)
    reports = [validate(store, r, y) for r in ("cin", "ssda903") for y in (2024, 2025)]
    return store, pa.concat_tables([r.table for r in reports])


def test_every_issue_of_a_synthetic_child_is_on_the_timeline(
    synthetic: tuple[Store, pa.Table],
) -> None:
    store, issues = synthetic
    per_child: dict[str, int] = {}
    for c in issues.column("child").to_pylist():
        if c:
            per_child[c] = per_child.get(c, 0) + 1
    busiest = sorted(per_child, key=lambda c: -per_child[c])[:15]
    assert busiest
    for child in busiest:
        j = journey(store.con, child, issues)
        assert j.found
        assert j.issues.num_rows == per_child[child], child
        assert sum(j.events.column("issues").to_pylist()) == per_child[child], child
        # pinned on a record of this child whenever the record has a date
        assert all(r["kind"] for r in j.issues.to_pylist())
