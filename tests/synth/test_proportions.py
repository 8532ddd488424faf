"""Published England figures come out of a few thousand synthetic children, within stated margins.

6,000 children give about 2,500 referrals in 2024-25: one standard error on a 22% share is under
1 point, so a margin of 5 points fails only when the generator is off, not by chance. Shares of
looked-after children (a few hundred) get wider margins.
"""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from datamonger.synth import SynthSummary, generate
from datamonger.synth import proportions as P
from datamonger.synth.dates import working_days

from .conftest import read_csv_rows

S, E = dt.date(2024, 4, 1), dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def six_thousand(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return generate(tmp_path_factory.mktemp("props"), 6000, 2025, years=2, seed=21)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def cin_measures(six_thousand: SynthSummary) -> dict[str, float]:
    wd = working_days()
    referrals_of: dict[str, set[dt.date]] = collections.defaultdict(set)
    roots = {y: etree.parse(str(ys.cin_path)).getroot() for y, ys in six_thousand.years.items()}
    for root in roots.values():
        for c in root.iter("Child"):
            for ep in c.iter("CINdetails"):
                referrals_of[c.findtext("ChildIdentifiers/LAchildID")].add(
                    _d(ep.findtext("CINreferralDate"))
                )
    n = collections.Counter()
    for c in roots[2025].iter("Child"):
        earlier = referrals_of[c.findtext("ChildIdentifiers/LAchildID")]
        for ep in c.iter("CINdetails"):
            r = _d(ep.findtext("CINreferralDate"))
            if S <= r <= E:
                n["referrals"] += 1
                n["rereferrals"] += any(r - dt.timedelta(days=365) <= p < r for p in earlier)
                n["nfa"] += ep.findtext("ReferralNFA") == "true"
            for s47 in ep.iter("Section47"):
                start = _d(s47.findtext("S47ActualStartDate"))
                n["s47"] += S <= start <= E
                icpc = s47.findtext("DateOfInitialCPC")
                if icpc and S <= _d(icpc) <= E:
                    n["icpc"] += 1
                    n["icpc15"] += wd.between(start.toordinal(), _d(icpc).toordinal()) <= 15
            for a in ep.iter("Assessments"):
                done = a.findtext("AssessmentAuthorisationDate")
                if done and S <= _d(done) <= E:
                    n["assessments"] += 1
                    start = _d(a.findtext("AssessmentActualStartDate")).toordinal()
                    n["within45"] += wd.between(start, _d(done).toordinal()) <= 45
            for cpp in ep.iter("ChildProtectionPlans"):
                if S <= _d(cpp.findtext("CPPstartDate")) <= E:
                    n["cpp"] += 1
                    n["subsequent"] += cpp.findtext("NumberOfPreviousCPP") != "0"
    return {
        "rereferral": n["rereferrals"] / n["referrals"],
        "nfa": n["nfa"] / n["referrals"],
        "s47": n["s47"] / n["referrals"],
        "icpc15": n["icpc15"] / n["icpc"],
        "within45": n["within45"] / n["assessments"],
        "subsequent": n["subsequent"] / n["cpp"],
    }


@pytest.mark.parametrize(
    ("measure", "published", "margin"),
    [
        ("rereferral", P.REREFERRAL_RATE, 0.05),
        ("nfa", P.NFA_RATE, 0.03),
        ("s47", P.S47_PER_REFERRAL, 0.05),
        ("icpc15", 0.814, 0.07),
        ("within45", P.ASSESSMENT_45WD, 0.04),
        ("subsequent", P.CPP_SUBSEQUENT, 0.08),
    ],
)
def test_cin_measures_near_england(
    cin_measures: dict[str, float], measure: str, published: float, margin: float
) -> None:
    assert abs(cin_measures[measure] - published) <= margin, cin_measures[measure]


def test_looked_after_measures_near_england(six_thousand: SynthSummary) -> None:
    episodes = read_csv_rows(six_thousand.years[2025].ssda903_paths["Episodes"])
    by_child: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for e in episodes:
        by_child[e["CHILD"]].append(e)
    looked_after = six_thousand.looked_after / six_thousand.children
    assert abs(looked_after - P.looked_after_share(2)) < 0.01
    at31 = [
        es for es in by_child.values() if not es[-1]["DEC"] and es[-1]["LS"] not in ("V3", "V4")
    ]
    foster = sum(es[-1]["PLACE"].startswith("U") for es in at31) / len(at31)
    assert 0.55 <= foster <= 0.75  # LAIT LAC_Foster_Placements 67%
    moves = ("S", "P", "T", "U", "B")
    three = sum(
        sum(e["RNE"] in moves for e in es) + (es[0]["RNE"] not in moves) >= 3 for es in at31
    )
    assert 0.04 <= three / len(at31) <= 0.16  # LAIT LACStable_2016on 10%
    ceased = [
        es[-1]["REC"]
        for es in by_child.values()
        if es[-1]["DEC"] and es[-1]["LS"] not in ("V3", "V4")
    ]
    adopted = sum(r in ("E11", "E12") for r in ceased) / len(ceased)
    sgo = sum(r in ("E45", "E46", "E47", "E48") for r in ceased) / len(ceased)
    assert 0.03 <= adopted <= 0.16  # LAIT %_of LAC Adopted 9%
    assert 0.05 <= sgo <= 0.19  # LAIT LAC_ceased_SGO% 12%


def test_looked_after_share_one_gives_that_many_looked_after(tmp_path: Path) -> None:
    s = generate(tmp_path, 500, 2025, seed=2, looked_after_share=1.0)
    assert s.looked_after == 500
    header = read_csv_rows(s.years[2025].ssda903_paths["Header"])
    with_episodes = {r["CHILD"] for r in read_csv_rows(s.years[2025].ssda903_paths["Episodes"])}
    assert len(with_episodes) == 500  # one year: every child is looked after in it
    assert len(header) >= 500
