"""The age rules, by hand-made children, and the Python and SQL forms of them held equal."""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from datamonger.early_years.monitor import run
from datamonger.early_years.readers import read_inputs
from datamonger.early_years.terms import offer_on, offer_sql, reception_start, term_after
from datamonger.store import Store

AS_OF = dt.date(2024, 9, 2)  # the Tuesday after the autumn term started


def test_turning_two_on_31_august_and_on_1_september():
    assert term_after(dt.date(2024, 8, 31)) == dt.date(2024, 9, 1)
    assert term_after(dt.date(2024, 9, 1)) == dt.date(2025, 1, 1)
    assert offer_on(dt.date(2022, 8, 31), AS_OF) == "two"
    assert offer_on(dt.date(2022, 9, 1), AS_OF) is None
    assert offer_on(dt.date(2022, 9, 1), dt.date(2025, 1, 1)) == "two"


def test_universal_offer_and_reception():
    assert offer_on(dt.date(2021, 3, 31), AS_OF) == "three_four"  # 3 on 31/3/2024: from 1 April
    # 3 on 1 April 2024: the universal offer from 1 September, the 2-year-old one until then.
    assert offer_on(dt.date(2021, 4, 1), dt.date(2024, 8, 31)) == "two"
    assert offer_on(dt.date(2021, 4, 1), dt.date(2024, 9, 1)) == "three_four"
    assert reception_start(dt.date(2020, 8, 31)) == dt.date(2024, 9, 1)
    assert reception_start(dt.date(2020, 9, 1)) == dt.date(2025, 9, 1)
    assert offer_on(dt.date(2020, 8, 31), AS_OF) is None  # started reception yesterday
    assert offer_on(dt.date(2020, 9, 1), AS_OF) == "three_four"


def test_sql_and_python_rules_agree_over_every_day():
    con = duckdb.connect()
    dobs = [dt.date(2019, 1, 1) + dt.timedelta(days=k) for k in range(0, 6 * 366, 3)]
    days = [dt.date(2023, 8, 30), dt.date(2023, 9, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 29),
            dt.date(2024, 3, 31), dt.date(2024, 4, 1), dt.date(2024, 8, 31), AS_OF]  # fmt: skip
    dobs.append(dt.date(2020, 2, 29))
    for on in days:
        got = con.sql(
            f"SELECT d, {offer_sql('d', f'DATE {chr(39)}{on}{chr(39)}')} FROM "
            "(SELECT unnest(?::DATE[]) AS d)",
            params=[dobs],
        ).fetchall()
        assert {d: o for d, o in got} == {d: offer_on(d, on) for d in dobs}, on


def _postcode(la: str, k: int = 0) -> str:
    text = resources.files("datamonger.synth").joinpath("data/postcodes.csv").read_text("utf-8")
    return [r["postcode"] for r in csv.DictReader(io.StringIO(text)) if r["dfe_la"] == la][k]


CHILDREN = {
    # child: (date of birth, placement postcode LA, episode start, episode end)
    "AUG31": (dt.date(2022, 8, 31), "330", dt.date(2024, 1, 10), None),
    "SEP01": (dt.date(2022, 9, 1), "330", dt.date(2024, 1, 10), None),
    "LEFT": (dt.date(2021, 5, 5), "330", dt.date(2023, 6, 1), AS_OF - dt.timedelta(days=7)),
    "AWAY": (dt.date(2021, 6, 6), "333", dt.date(2023, 6, 1), None),
    "NEAR": (dt.date(2021, 7, 7), "334", dt.date(2023, 6, 1), None),
    "NURSERY": (dt.date(2021, 2, 2), "330", dt.date(2023, 2, 1), None),
}


@pytest.fixture
def fixture_db(tmp_path: Path) -> Path:
    db = tmp_path / "la.duckdb"
    with Store(db) as store:
        for k, (child, (dob, la, start, end)) in enumerate(CHILDREN.items()):
            store.con.execute(
                "INSERT INTO ssda903_header (collection_year, CHILD, SEX, DOB) VALUES (2025, ?, 'F', ?)",
                [child, dob],
            )
            store.con.execute(
                """INSERT INTO ssda903_episodes (collection_year, CHILD, DECOM, RNE, LS, PLACE,
                   DEC, PL_POST) VALUES (2025, ?, ?, 'S', 'C2', 'U4', ?, ?)""",
                [child, start, end, _postcode(la, k)],
            )
    return db


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    ids = tmp_path / "identities.csv"
    with ids.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_id", "forename", "surname", "date_of_birth", "postcode"])
        for k, (child, (dob, la, _, _)) in enumerate(CHILDREN.items()):
            w.writerow([child, f"Ava{k}", "Okafor", dob.strftime("%d/%m/%Y"), _postcode(la, k)])
    lst = tmp_path / "list_330.csv"
    nursery = CHILDREN["NURSERY"]
    with lst.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["forename", "surname", "date_of_birth", "postcode", "setting_urn",
                    "setting_name", "funded_hours", "term", "la", "child_id"])  # fmt: skip
        w.writerow(["Ava5", "Okafor", nursery[0].strftime("%d/%m/%Y"), _postcode("330", 5),
                    "EY430001", "A nursery", "30", "Autumn 2024", "330", "NURSERY"])  # fmt: skip
        w.writerow(["Noah", "Smith", "01/01/2022", _postcode("330", 9), "EY430002", "B nursery",
                    "15", "Autumn 2024", "330", ""])  # fmt: skip
    near = tmp_path / "list_334.csv"
    near.write_text(
        "forename,surname,date_of_birth,postcode,setting_urn,setting_name,funded_hours,term,la\n"
        f"Leo,Jones,02/02/2022,{_postcode('334', 1)},EY434001,C nursery,15,Autumn 2024,334\n"
    )
    return ids, lst, near  # type: ignore[return-value]


def test_status_of_each_hand_made_child(fixture_db, tmp_path):
    ids, lst, near = _inputs(tmp_path)
    inputs = read_inputs([lst, near], ids)
    con = duckdb.connect(str(fixture_db))
    first = run(con, inputs, AS_OF - dt.timedelta(days=14), la="330")
    assert "LEFT" in first.children.column("child_id").to_pylist()
    result = run(con, inputs, AS_OF, la="330")
    status = dict(zip(result.children.column("child_id").to_pylist(),
                      result.children.column("status").to_pylist(), strict=True))  # fmt: skip
    assert status == {
        "AUG31": "not attending",  # 2 on 31 August: eligible from 1 September
        "NURSERY": "attending",  # linked by its case id
        "AWAY": "unknown",  # placed in Sandwell, whose list is missing
        "NEAR": "not attending",  # placed in Solihull, whose list was given
    }  # SEP01 (eligible from January) and LEFT (left care last week) are not eligible CLA
    changes = {(r["child_id"], r["change"]) for r in result.changes.to_pylist()}
    assert ("LEFT", "no longer looked after") in changes
    assert ("AUG31", "now eligible for the 2-year-old offer") in changes
    s = result.summary
    assert (s["eligible"], s["attending"], s["not_attending"], s["unknown"]) == (4, 1, 2, 1)
    assert s["take_up_pct"] == pytest.approx(33.3)
    assert s["known_status_pct"] == 75.0
    assert [r["as_of"] for r in result.trend.to_pylist()] == [AS_OF - dt.timedelta(days=14), AS_OF]
    nursery = next(r for r in result.children.to_pylist() if r["child_id"] == "NURSERY")
    assert nursery["funded_hours"] == 30 and nursery["link_method"] == "child_id"
    assert nursery["days_in_care"] == (AS_OF - dt.date(2023, 2, 1)).days


def test_oba_indicators_read_the_latest_check(fixture_db, tmp_path):
    from datamonger.indicators import Period, compute

    ids, lst, near = _inputs(tmp_path)
    con = duckdb.connect(str(fixture_db))
    period = Period.census_year(2025)
    before = {r.id: r for r in compute(con, period, ["ey_take_up", "ey_known_status"])}
    assert before["ey_take_up"].value is None
    assert "no early-years check" in before["ey_take_up"].notes[0]
    run(con, read_inputs([lst, near], ids), AS_OF, la="330")
    got = {r.id: r for r in compute(con, period, ["ey_take_up", "ey_known_status"])}
    take_up, known = got["ey_take_up"], got["ey_known_status"]
    assert (take_up.numerator, take_up.denominator, take_up.value) == (1, 3, 33.3)
    assert (known.numerator, known.denominator, known.value) == (3, 4, 75.0)
    assert take_up.category == "How well did we do it?"
    assert known.category == "How much did we do?"
