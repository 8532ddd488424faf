"""SSDA903 indicators on hand-worked returns (LA 873 Cambridgeshire = E10000003)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ind_builders import load_903
from ind_helpers import flagged, result, rows

from datamonger.indicators import Period, repairs
from datamonger.indicators import reference as ref
from datamonger.store import Store


def _d(s: str) -> dt.date:
    day, month, year = s.split("/")
    return dt.date(int(year), int(month), int(day))


def returns(store: Store, years: list[int], episodes: list[dict[str, Any]], **extra: Any) -> None:
    """Load each year's return holding the episodes open at some time in it, with DEC blanked
    when it falls after that year's 31 March (as the LA would have sent it)."""
    children = sorted({e["CHILD"] for e in episodes})
    dobs = extra.pop("dobs", {})
    for year in years:
        start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        eps = []
        for e in episodes:
            decom, dec = _d(e["DECOM"]), _d(e["DEC"]) if e.get("DEC") else None
            if decom <= end and (dec is None or dec >= start):
                row = {"LS": "C2", "PLACE": "U4", "RNE": "P", **e}
                if dec and dec > end:
                    row["DEC"], row["REC"] = None, None
                eps.append(row)
        header = [{"CHILD": c, "DOB": dobs.get(c, "01/01/2012"), "SEX": "M"} for c in children]
        tables = {k[: -len(f"_{year}")]: v for k, v in extra.items() if k.endswith(f"_{year}")}
        load_903(store, year, header=header, episodes=eps, **tables)


def test_at_end_started_ceased_short_breaks_and_legal_change(store: Store) -> None:
    returns(
        store,
        [2025],
        [
            {"CHILD": "A", "DECOM": "01/05/2022", "RNE": "S"},
            # Started and ceased in the year.
            {"CHILD": "B", "DECOM": "10/06/2024", "RNE": "S", "DEC": "20/12/2024", "REC": "E4A"},
            # Short breaks only: left out everywhere.
            {"CHILD": "V", "DECOM": "01/04/2024", "RNE": "S", "LS": "V3", "DEC": "03/04/2024",
             "REC": "E8"},
            {"CHILD": "V", "DECOM": "01/03/2025", "RNE": "S", "LS": "V4"},
            # A change of legal status only (RNE L) is not a new placement.
            {"CHILD": "L", "DECOM": "01/01/2023", "RNE": "S", "DEC": "01/07/2024", "REC": "X1"},
            {"CHILD": "L", "DECOM": "01/07/2024", "RNE": "L", "LS": "E1"},
        ],
    )  # fmt: skip
    assert flagged(store, "cla_at_end") == {"A", "L"}
    assert flagged(store, "cla_started") == {"B"}
    assert flagged(store, "cla_ceased") == {"B"}
    placements = {r["child_id"]: r["placements"] for r in rows(store, "placements_3plus")}
    assert placements == {"A": 1, "L": 1}
    # 2 children / 142,924 x 10,000 = 0.14
    assert result(store, "cla_rate").value == 0.1


def test_three_placements_counting_rules(store: Store) -> None:
    returns(
        store,
        [2025],
        [
            # P: open on 1 April (1) + P (2) + B (3); the T move keeps the same carer.
            {"CHILD": "P", "DECOM": "01/01/2024", "RNE": "S", "PLACE": "U6", "DEC": "01/06/2024",
             "REC": "X1"},
            {"CHILD": "P", "DECOM": "01/06/2024", "RNE": "P", "DEC": "01/09/2024", "REC": "X1"},
            {"CHILD": "P", "DECOM": "01/09/2024", "RNE": "B", "LS": "C1", "PLACE": "K2",
             "DEC": "01/12/2024", "REC": "X1"},
            {"CHILD": "P", "DECOM": "01/12/2024", "RNE": "T", "LS": "C1", "PLACE": "K2"},
            # Q: a stay in hospital (T1) and back to the same carer: still 1 placement.
            {"CHILD": "Q", "DECOM": "01/01/2024", "RNE": "S", "PL_POST": "CB1 1AA",
             "DEC": "01/06/2024", "REC": "X1"},
            {"CHILD": "Q", "DECOM": "01/06/2024", "RNE": "P", "PLACE": "T1", "DEC": "10/06/2024",
             "REC": "X1"},
            {"CHILD": "Q", "DECOM": "10/06/2024", "RNE": "P", "PL_POST": "CB1 1AA"},
        ],
    )  # fmt: skip
    got = {r["child_id"]: r["placements"] for r in rows(store, "placements_3plus")}
    assert got == {"P": 3, "Q": 1}
    assert result(store, "placements_3plus").value == 50.0
    counted = rows(store, "placements_3plus", temporary_placements="count")
    assert {r["child_id"]: r["placements"] for r in counted} == {"P": 3, "Q": 3}
    moves = rows(store, "placements_3plus", placement_moves="placement")
    assert {r["child_id"]: r["placements"] for r in moves} == {"P": 4, "Q": 1}


EPISODES_3Y = [
    # R: looked after from 1 Jun 2021; open in the 2022/23 and 2023/24 returns; the 2024/25
    # return closes it on 15 May 2024 and places R for adoption with the same carers (U).
    {"CHILD": "R", "DECOM": "01/06/2021", "RNE": "S", "DEC": "15/05/2024", "REC": "X1"},
    {"CHILD": "R", "DECOM": "15/05/2024", "RNE": "U", "LS": "E1", "PLACE": "A5",
     "DEC": "20/03/2025", "REC": "E11"},
    # S2: in care from 1 Jan 2023, placed for adoption with new carers 1 Mar 2024, adopted.
    {"CHILD": "S2", "DECOM": "01/01/2023", "RNE": "S", "PLACE": "U6", "DEC": "01/03/2024",
     "REC": "X1"},
    {"CHILD": "S2", "DECOM": "01/03/2024", "RNE": "B", "LS": "E1", "PLACE": "A6",
     "DEC": "01/10/2024", "REC": "E12"},
    # T: same carer since 1 Jun 2022 (a later legal change only): stable.
    {"CHILD": "T", "DECOM": "01/06/2022", "RNE": "S", "DEC": "01/09/2022", "REC": "X1"},
    {"CHILD": "T", "DECOM": "01/09/2022", "RNE": "L", "LS": "C1"},
    # W: in care 2.5+ years but a new carer on 1 Jun 2023: not stable.
    {"CHILD": "W", "DECOM": "01/06/2022", "RNE": "S", "DEC": "01/06/2023", "REC": "X1"},
    {"CHILD": "W", "DECOM": "01/06/2023", "RNE": "P", "PLACE": "U6"},
    # Y: aged 17 on 31 Mar 2025: outside the long-term measure.
    {"CHILD": "Y", "DECOM": "01/06/2020", "RNE": "S"},
    # E: started late 2022/23, ceased with an SGO; G ceased on a CAO.
    {"CHILD": "E", "DECOM": "01/02/2023", "RNE": "S", "DEC": "01/08/2024", "REC": "E45"},
    {"CHILD": "G", "DECOM": "01/02/2023", "RNE": "S", "DEC": "01/09/2024", "REC": "E41"},
]  # fmt: skip
DOBS = {"T": "01/01/2015", "W": "01/01/2014", "Y": "01/01/2008", "R": "01/01/2020"}


@pytest.fixture
def three_years(store: Store) -> Store:
    ad1 = [
        {"CHILD": "R", "DOB": "01/01/2020", "DATE_MATCH": "01/04/2024", "FOSTER_CARE": "1"},
        {"CHILD": "S2", "DOB": "01/01/2020", "DATE_MATCH": "11/03/2024", "FOSTER_CARE": "0"},
    ]
    returns(store, [2023, 2024, 2025], EPISODES_3Y, dobs=DOBS, ad1_2025=ad1)
    return store


def test_open_episode_repaired_from_next_return(three_years: Store) -> None:
    _, found = repairs(three_years.con, Period.census_year(2025))
    got = {(r[0], str(r[1]), r[2], r[3], str(r[4])) for r in found}
    # R's first episode was open in the 2022/23 and 2023/24 returns, closed by 2024/25.
    assert ("R", "2021-06-01", 2023, 2025, "2024-05-15") in got
    assert ("R", "2021-06-01", 2024, 2025, "2024-05-15") in got
    # In 2023/24 R was looked after at the end; by 2024/25 adopted.
    assert "R" in flagged(three_years, "cla_at_end", year=2024)
    assert "R" not in flagged(three_years, "cla_at_end")


def test_long_term_stability(three_years: Store) -> None:
    # Denominator: under 16 and in care since 30 Sep 2022 or earlier: T, W (R and S2 left care,
    # Y is 17). Numerator: T (same carer since 1 Jun 2022 <= 31 Mar 2023).
    r = result(three_years, "placement_long_term")
    assert flagged(three_years, "placement_long_term") == {"T"}
    assert (r.numerator, r.denominator, r.value) == (1, 2, 50.0)


def test_adoption_scorecard_and_leaver_shares(three_years: Store) -> None:
    # A1: R 1 Jun 2021 -> 15 May 2024 = 1,079 days; S2 1 Jan 2023 -> 1 Mar 2024 = 425 days.
    # Mean (1079 + 425) / 2 = 752.
    a1 = result(three_years, "adoption_a1")
    assert (a1.numerator, a1.denominator, a1.value) == (1504, 2, 752.0)
    # A10: R moved in with the adopters (its foster carers) on 1 Jun 2021 -> 0 days; S2 425.
    assert result(three_years, "adoption_a10").value == 212.5
    # A2: R matched before the order (1 Apr < 15 May 2024) -> 0; S2 1 -> 11 Mar 2024 = 10.
    assert result(three_years, "adoption_a2").value == 5.0
    # A3: S2 waited exactly 14 months (1 Jan 2023 + 14 months = 1 Mar 2024): not less.
    assert result(three_years, "adoption_a3").value == 0.0
    # Leavers in 2024/25: R (E11), S2 (E12), E (E45), G (E41).
    assert result(three_years, "adopted_share").value == 50.0
    assert flagged(three_years, "sgo_share") == {"E"}
    assert flagged(three_years, "cao_share") == {"G"}


def test_adoption_needs_three_years(store: Store) -> None:
    returns(store, [2025], EPISODES_3Y, dobs=DOBS)
    r = result(store, "adoption_a1")
    assert r.value is None
    assert "not computable: the SSDA903 return for 2022/23, 2023/24 is not loaded" in r.notes


def test_open_episode_missing_from_next_return_is_not_taken_as_open(store: Store) -> None:
    load_903(
        store,
        2024,
        header=[{"CHILD": "M", "DOB": "01/01/2012"}],
        episodes=[{"CHILD": "M", "DECOM": "01/05/2023", "RNE": "S", "LS": "C2", "PLACE": "U4"}],
    )
    load_903(
        store,
        2025,
        header=[{"CHILD": "N", "DOB": "01/01/2012"}],
        episodes=[{"CHILD": "N", "DECOM": "01/05/2024", "RNE": "S", "LS": "C2", "PLACE": "U4"}],
    )
    assert flagged(store, "cla_at_end") == {"N"}
    assert flagged(store, "cla_at_end", year=2024) == {"M"}
    _, found = repairs(store.con, Period.census_year(2025))
    assert [(r[0], r[2], r[-1][:28]) for r in found] == [
        ("M", 2024, "open at 31 March but missing")
    ]


def test_missing_and_away(store: Store) -> None:
    missing_2025 = [
        {"CHILD": "A", "MISSING": "M", "MIS_START": "10/10/2024", "MIS_END": "11/10/2024"},
        {"CHILD": "B", "MISSING": "A", "MIS_START": "10/10/2024", "MIS_END": "11/10/2024"},
        # C went missing before 1 April and came back on 5 April: counted.
        {"CHILD": "C", "MISSING": "M", "MIS_START": "20/03/2024", "MIS_END": "05/04/2024"},
    ]
    eps = [{"CHILD": c, "DECOM": "01/01/2024", "RNE": "S"} for c in "ABCD"]
    returns(store, [2025], eps, missing_2025=missing_2025)
    assert flagged(store, "missing_children") == {"A", "C"}
    assert result(store, "missing_children").value == 50.0
    assert flagged(store, "away_children") == {"B"}
    assert result(store, "missing_incidents").value == 1


def test_care_leavers(store: Store) -> None:
    oc3 = [
        {"CHILD": "a", "DOB": "01/06/2005", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "U1"},
        {"CHILD": "b", "DOB": "01/01/2005", "IN_TOUCH": "YES", "ACTIV": "G5", "ACCOM": "S2"},
        {"CHILD": "c", "DOB": "01/02/2004", "IN_TOUCH": "DIED", "ACTIV": "0", "ACCOM": "0"},
        {"CHILD": "d", "DOB": "15/03/2004", "IN_TOUCH": "NO", "ACTIV": "0", "ACCOM": "0"},
        {"CHILD": "e", "DOB": "01/09/2005", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "G1"},
        {"CHILD": "f", "DOB": "01/05/2006", "IN_TOUCH": "YES", "ACTIV": "F4", "ACCOM": "D1"},
    ]
    returns(store, [2025], [{"CHILD": "A", "DECOM": "01/01/2024", "RNE": "S"}], oc3_2025=oc3)
    # 19-21 on 31 Mar 2025: a (19), b (20), d (21), e (19); c died (out). f is 18.
    assert flagged(store, "care_leavers_eet_19_21") == {"a", "e"}
    assert result(store, "care_leavers_eet_19_21").value == 50.0
    # Accommodation: e has gone abroad (G1), out of the denominator: a of a, b, d.
    assert result(store, "care_leavers_accommodation_19_21").value == 33.3
    assert flagged(store, "care_leavers_neet_19_21") == {"b"}
    assert flagged(store, "care_leavers_not_in_touch_19_21") == {"d"}
    assert flagged(store, "care_leavers_he_19_21") == {"e"}
    assert flagged(store, "care_leavers_eet_17_18") == {"f"}
    assert result(store, "care_leavers_accommodation_17_18").value == 100.0


def test_oc2_outcomes_and_social_workers(store: Store) -> None:
    oc2 = [
        {"CHILD": "A", "DOB": "01/01/2012", "HEALTH_ASSESSMENT": "1", "IMMUNISATIONS": "0",
         "TEETH_CHECK": "1", "SDQ_SCORE": "20", "CONVICTED": "1"},
        {"CHILD": "K", "DOB": "01/01/2012", "HEALTH_ASSESSMENT": "1", "IMMUNISATIONS": "1",
         "TEETH_CHECK": "0", "SDQ_SCORE": "10", "CONVICTED": "0"},
    ]  # fmt: skip
    sw = [
        {"CHILD": "A", "SW_ID": "SW1", "SW_DECOM": "01/04/2024", "SW_DEC": "01/06/2024"},
        {"CHILD": "A", "SW_ID": "SW2", "SW_DECOM": "01/06/2024", "SW_DEC": "01/08/2024"},
        {"CHILD": "A", "SW_ID": "SW1", "SW_DECOM": "01/08/2024", "SW_DEC": "01/10/2024"},
        {"CHILD": "A", "SW_ID": "SW3", "SW_DECOM": "01/10/2024"},
        {"CHILD": "K", "SW_ID": "SW1", "SW_DECOM": "01/04/2024", "SW_DEC": "01/06/2024"},
        {"CHILD": "K", "SW_ID": "XX1", "SW_DECOM": "01/06/2024", "SW_DEC": "01/08/2024"},
        {"CHILD": "K", "SW_ID": "SW2", "SW_DECOM": "01/08/2024"},
    ]
    eps = [
        {"CHILD": "A", "DECOM": "01/05/2022", "RNE": "S"},
        {"CHILD": "K", "DECOM": "01/04/2024", "RNE": "S"},  # every day of the year: in cohort
        {"CHILD": "L", "DECOM": "01/01/2023", "RNE": "S"},  # in the cohort, no OC2 row
        {"CHILD": "N", "DECOM": "02/04/2024", "RNE": "S"},  # not there on 1 April: out
    ]
    returns(store, [2025], eps, oc2_2025=oc2, sw_episodes_2025=sw)
    r = result(store, "oc2_health_assessment")
    assert (r.numerator, r.denominator) == (2, 3)
    assert any("1 children looked after for the 12 months have no OC2 row" in n for n in r.notes)
    assert flagged(store, "oc2_immunisations") == {"K"}
    assert flagged(store, "oc2_teeth") == {"A"}
    assert result(store, "sdq_mean").value == 15.0  # (20 + 10) / 2
    assert flagged(store, "sdq_concern") == {"A"}
    assert flagged(store, "offending") == {"A"}  # aged 13 on 31 Mar 2025
    # A: SW1, SW2, SW3 (SW1 twice counts once) = 3. K: SW1, SW2 (XX1 is not a worker).
    assert flagged(store, "social_workers_3plus") == {"A"}


def test_placed_over_20_miles_outside_the_la(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pc = tmp_path / "pc.parquet"
    duckdb.execute(
        f"""COPY (SELECT * FROM (VALUES
            ('CB1 1AA', 545000, 258000, 'E10000003', 'England'),
            ('N1 1AA', 530000, 183000, 'E09000019', 'England'),
            ('PE1 1AA', 519000, 299000, 'E10000003', 'England'),
            ('SG1 1AA', 524000, 245000, 'E10000015', 'England'))
            t(postcode, easting, northing, utla_code, country)) TO '{pc}' (FORMAT parquet)"""
    )
    monkeypatch.setattr(ref, "postcodes_path", lambda: pc)
    home = {"HOME_POST": "cb11aa", "RNE": "S", "DECOM": "01/01/2024"}  # normalised to CB1 1AA
    eps = [
        # 15 km east-west and 75 km north-south: 76,485 m / 1,609.3 = 47.5 miles, in London.
        {"CHILD": "A", "PL_POST": "N1 1AA", **home},
        # Peterborough: 26 km and 41 km: 48,549 m = 30.2 miles, but inside Cambridgeshire.
        {"CHILD": "B", "PL_POST": "PE1 1AA", **home},
        # Stevenage: 21 km and 13 km: 24,698 m = 15.3 miles, outside but near.
        {"CHILD": "C", "PL_POST": "SG1 1AA", **home},
        {"CHILD": "D", "PL_POST": "ZZ9 9ZZ", **home},  # unknown postcode
    ]
    returns(store, [2025], eps)
    got = {r["child_id"]: r["miles"] for r in rows(store, "placed_20_miles_out")}
    assert got == {"A": 47.5, "B": 30.2, "C": 15.3, "D": None}
    r = result(store, "placed_20_miles_out")
    assert flagged(store, "placed_20_miles_out") == {"A"}
    assert (r.numerator, r.denominator) == (1, 4)
    assert any(n.startswith("1 children have a home or placement postcode") for n in r.notes)
    monkeypatch.setattr(ref, "postcodes_path", lambda: None)
    gone = result(store, "placed_20_miles_out")
    assert gone.value is None and "postcode directory is not installed" in gone.notes[0]


def test_placement_types(store: Store) -> None:
    eps = [
        {"CHILD": "A", "DECOM": "01/01/2024", "RNE": "S", "PLACE": "U1"},
        {"CHILD": "B", "DECOM": "01/01/2024", "RNE": "S", "PLACE": "K2"},
        {"CHILD": "C", "DECOM": "01/01/2024", "RNE": "S", "PLACE": "K3"},
        {"CHILD": "D", "DECOM": "01/01/2024", "RNE": "S", "PLACE": "P1"},
    ]
    returns(store, [2025], eps)
    assert flagged(store, "placement_type_foster") == {"A"}
    assert flagged(store, "placement_type_homes") == {"B"}
    assert flagged(store, "placement_type_independent") == {"C"}
    assert result(store, "placement_type_parents").value == 25.0
