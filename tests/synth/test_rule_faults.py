"""Faults the rule authors found in clean synthetic data, each checked on five years (2022/23 to
2026/27), where the code sets change: H5 and P2 withdrawn, K3 and Z11-Z14 introduced."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

import pytest

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import SynthSummary, codes, generate, write_provider_list
from datamonger.synth.dates import add_years, day, year_end, year_start
from datamonger.synth.model import CareEpisode, Child
from datamonger.synth.providers import AGENCIES, FAMILY_PLACES, family_of
from datamonger.synth.ssda903 import _oc2
from datamonger.validation.engine import validate

from .conftest import read_csv_rows

YEARS = range(2023, 2028)


@pytest.fixture(scope="module")
def five_years(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return generate(tmp_path_factory.mktemp("five"), 6000, 2027, years=5, seed=11)


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _rows(s: SynthSummary, year: int, table: str) -> list[dict[str, str]]:
    return read_csv_rows(s.years[year].ssda903_paths[table])


def _episodes(s: SynthSummary, year: int) -> dict[str, list[dict[str, str]]]:
    by_child: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows(s, year, "Episodes"):
        by_child[r["CHILD"]].append(r)
    return by_child


def _dob(s: SynthSummary, year: int) -> dict[str, dt.date]:
    return {r["CHILD"]: _date(r["DOB"]) for r in _rows(s, year, "Header")}


def test_placement_codes_valid_in_every_year_they_appear(five_years: SynthSummary) -> None:
    # Rule 146: H5 is gone from 2025/26, K3 arrives in 2024/25. Rules 222/218/230: H5 takes no
    # URN up to 2022/23 and needs one in 2023/24 and 2024/25, so an H5 placement stays inside one
    # of those spans (503F); P2 is not in use from 28 October 2023 (rule 217t).
    seen: set[str] = set()
    for year in YEARS:
        for r in _rows(five_years, year, "Episodes"):
            assert codes.place_valid(r["PLACE"], year), (year, r)
            seen.add(r["PLACE"])
            end = _date(r["DEC"]) if r["DEC"] else None
            if r["PLACE"] == "H5" and year <= 2023:
                assert r["URN"] == "" and end is not None and end < dt.date(2023, 4, 1), r
            elif r["PLACE"] == "H5":
                assert r["URN"] != "" and _date(r["DECOM"]) >= dt.date(2023, 4, 1), r
                assert end is None or end <= dt.date(2025, 3, 31), r
            if r["PLACE"] == "P2":
                assert (end is not None and end < dt.date(2023, 10, 28)) or year == 2023, r
    assert {"H5", "K3", "K2", "U6"} <= seen


def test_a_urn_is_one_provider(five_years: SynthSummary) -> None:
    """Rules 219, 221, 224: one placement type family, provider code and (for a setting at one
    address) postcode per URN, over all years."""
    family: dict[str, set[str]] = defaultdict(set)
    provider: dict[str, set[str]] = defaultdict(set)
    postcode: dict[str, set[str]] = defaultdict(set)
    for year in YEARS:
        for r in _rows(five_years, year, "Episodes"):
            if not r["URN"]:
                continue
            f = family_of(r["PLACE"])
            assert f is not None, r
            family[r["URN"]].add(f)
            provider[r["URN"]].add(r["PLACE_PROVIDER"])
            if f not in AGENCIES:
                postcode[r["URN"]].add(r["PL_POST"])
    assert len(family) > 50
    assert all(len(v) == 1 for v in family.values())
    assert all(len(v) == 1 for v in provider.values())
    assert all(len(v) == 1 for v in postcode.values())
    listed = {p["URN"]: p for p in five_years.providers}
    for urn, (f,) in family.items():
        assert listed[urn]["Placement code"] == ",".join(FAMILY_PLACES[f])
        assert {listed[urn]["Placement provider code"]} == provider[urn]
        if urn in postcode:
            assert {listed[urn]["Setting postcode"]} == postcode[urn]


def test_no_episode_starts_at_18_and_none_open_after_18_but_v2_k2(
    five_years: SynthSummary,
) -> None:
    for year in YEARS:
        dob = _dob(five_years, year)
        end = dt.date(year, 3, 31)
        for child, eps in _episodes(five_years, year).items():
            eighteen = dob[child].replace(year=dob[child].year + 18)
            for r in eps:
                assert _date(r["DECOM"]) < eighteen, r  # 352 (and for every episode)
                if not r["DEC"] and eighteen < end:  # 359
                    assert (r["LS"], r["PLACE"]) == ("V2", "K2"), r


def test_previous_permanence_before_care_and_not_for_babies(five_years: SynthSummary) -> None:
    n = 0
    for year in YEARS:
        dob = _dob(five_years, year)
        starts = {
            r["CHILD"]: _date(r["DECOM"])
            for r in _rows(five_years, year, "Episodes")
            if r["RNE"] == "S"
        }
        for r in _rows(five_years, year, "PrevPerm"):
            if r["PREV_PERM"] == "Z1":
                continue
            n += 1
            perm, child = _date(r["DATE_PERM"]), r["CHILD"]
            assert perm < starts[child]  # 632
            assert (perm - dob[child]).days >= 180
    assert n > 5


def test_pace_detention_is_short_and_u_b_change_both(five_years: SynthSummary) -> None:
    j2 = 0
    for year in YEARS:
        for eps in _episodes(five_years, year).values():
            run = 0
            for prev, r in zip([None, *eps], eps, strict=False):
                if r["LS"] == "J2":  # 364: consecutive J2 episodes at most 21 days
                    j2 += 1
                    until = _date(r["DEC"]) if r["DEC"] else dt.date(year, 3, 31)
                    run += (until - _date(r["DECOM"])).days
                    assert run <= 21
                else:
                    run = 0
                if r["RNE"] in ("U", "B") and prev is not None:  # 436
                    assert prev["LS"] != r["LS"]
                    assert any(
                        prev[f] != r[f] for f in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")
                    )
                if r["PLACE"] in ("A3", "A5"):  # 217
                    assert r["RNE"] in ("S", "T", "U")
    assert j2 > 0


def test_oc2_for_a_period_of_care_begun_on_1_april() -> None:
    """Rule 191: in care from 1 April to 31 March is 12 months."""
    year = 2026
    start, end = year_start(year), year_end(year)
    birth = day(2015, 6, 1)
    child = Child(1, "C1", birth, "F", "WBRI", "", "", ("NONE",))
    ep = CareEpisode(start, "S", "C2", "N1", "U4", "PR1", "B1 1AA", "B2 2BB", "SC1")
    child.care = [ep]
    assert _oc2(child, [ep], start, end, random.Random(1)) is not None
    ep.decom = start + 1
    assert _oc2(child, [ep], start, end, random.Random(1)) is None
    assert add_years(birth, 18) > end


def test_urn_rules_pass_with_the_generated_provider_list(
    five_years: SynthSummary, tmp_path: Path
) -> None:
    providers = write_provider_list(five_years, tmp_path / "providers.csv")
    urn_rules = ["1008", "219", "221", "224", "227", "228", "229"]
    with Store(tmp_path / "la.duckdb") as store:
        folders = sorted(d for d in five_years.out_dir.iterdir() if d.is_dir())
        assert load_paths(folders, store).exit_code == 0
        for year in YEARS:
            result = validate(
                store, "ssda903", year, rules=urn_rules, providers=providers, la=five_years.la
            )
            assert not result.failed
            assert [i for i in result.issues if i.severity == "error"] == [], year
