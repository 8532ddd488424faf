"""Ofsted's provider lists as LAs receive them (xlsx workbooks, CSV), read for the URN rules, and
the rules that need last year's return or the lists reported as skipped without them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from datamonger.store import Store
from datamonger.validation import engine, prepare, provider_list
from datamonger.validation.fixtures import load_rows
from datamonger.validation.rule import parse_rows

Cell = str | int | dt.date | None


def _workbook(path: Path, sheets: dict[str, list[list[Cell]]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return path


CH_HEADER = [
    "URN",
    "Setting name",
    "Local Authority",
    "Provider Code",
    "Provider Placement Code",
    "Closed Date",
    "Setting Postcode",
]
SCP_HEADER = [
    "URN",
    "Provider type",
    "Local authority",
    "Placement code",
    "Placement provider code",
    "Setting postcode",
]


@pytest.fixture
def separate_lists(tmp_path: Path) -> list[Path]:
    """The Children's homes list (title rows above the header) and the Social care providers list
    (current and closed sheets), as two workbooks."""
    ch = _workbook(
        tmp_path / "childrens_homes.xlsx",
        {
            "Notes": [["Children's homes list for the SSDA903 return"], ["Published monthly"]],
            "Provider information": [
                ["Ofsted: children's homes"],
                [],
                CH_HEADER,
                ["SC100001", "Oak House", "Manchester", "K2", "PR4/PR5", None, "m1 1ae"],
                ["SC100002", "Elm House", "Birmingham", "K2", "PR1", dt.date(2026, 7, 1), "B1 1AA"],
            ],
        },
    )
    scp = _workbook(
        tmp_path / "social_care_providers.xlsx",
        {
            "Current providers": [
                SCP_HEADER,
                [1234567, "Independent fostering agency", "Leeds", "U4, U5, U6", "PR4", "LS1 1UR"],
                ["SC100003", "Secure children's home", "Manchester", "K1", "PR1", "M1 1AG"],
            ],
            "Providers closed": [
                [*SCP_HEADER, "Deregistration date"],
                [
                    "SC100003",
                    "Secure children's home",
                    "Manchester",
                    "K1",
                    "PR1",
                    "M1 1AG",
                    "01/01/2020",
                ],
                [
                    "SC100009",
                    "Residential family centre",
                    "Leeds",
                    "R3",
                    "PR5",
                    "LS1 1UR",
                    "15/03/2026",
                ],
            ],
        },
    )
    return [ch, scp]


def test_the_childrens_homes_and_social_care_providers_lists_are_pooled(separate_lists) -> None:
    found = provider_list.read(separate_lists)
    assert sorted(found) == ["1234567", "SC100001", "SC100002", "SC100003", "SC100009"]
    oak, elm = found["SC100001"], found["SC100002"]
    assert (oak.place, oak.provider, oak.postcode, oak.open) == (
        {"K2"},
        {"PR4", "PR5"},
        "M11AE",
        True,
    )
    assert (elm.open, elm.reg_end, elm.la_name) == (False, dt.date(2026, 7, 1), "Birmingham")
    assert found["1234567"].place == {"U4", "U5", "U6"}  # a numeric cell, codes split on ", "
    # listed as current on one sheet and closed on the other: open
    assert found["SC100003"].open
    assert found["SC100009"].reg_end == dt.date(2026, 3, 15)


def test_combined_list_with_a_supported_accommodation_sheet(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "scpch.xlsx",
        {
            "Providers": [
                [
                    "urn",
                    "local authority",
                    "placement code",
                    "placement provider code",
                    "deregistration date",
                    "setting address postcode",
                ],
                ["SC1", "Manchester", "K2", "PR1", None, "M1 1AE"],
            ],
            "Supported accommodation": [
                ["URN", "Provider local authority", "Closed date", "Setting address postcode"],
                ["2000001", "Leeds", "2026-09-30", "LS1 1UR"],
            ],
        },
    )
    found = provider_list.read(path)
    assert found["SC1"].place == {"K2"} and found["SC1"].open
    sa = found["2000001"]
    assert (sa.place, sa.provider, sa.reg_end) == ({"K3"}, set(), dt.date(2026, 9, 30))


def test_code_columns_the_wrong_way_round_are_read_by_their_content(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "swapped.xlsx",
        {
            "Provider information": [
                ["URN", "Provider Placement Code", "Provider Code", "Setting Postcode"],
                ["SC1", "K2", "PR4/PR5", "M1 1AE"],
                ["SC2", "K2", "PR1", "M1 1AE"],
            ]
        },
    )
    found = provider_list.read(path)
    assert (found["SC1"].place, found["SC1"].provider) == ({"K2"}, {"PR4", "PR5"})


def test_csv_list_and_a_file_without_urns(tmp_path: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_text(
        "\ufeffURN,Placement code,Placement provider code,Deregistration date,Setting postcode\n"
        "sc7 ,K2,PR4,31/12/2026,M1 1AE\n",
        encoding="utf-8",
    )
    p = provider_list.read(path)["SC7"]
    assert (p.urn, p.reg_end, p.postcode) == ("sc7", dt.date(2026, 12, 31), "M11AE")
    other = tmp_path / "other.csv"
    other.write_text("Name,Postcode\nOak House,M1 1AE\n", encoding="utf-8")
    with pytest.raises(provider_list.ProviderListError, match=r"no sheet .* has a URN column"):
        provider_list.read(other)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01/07/2026", dt.date(2026, 7, 1)),
        ("2026-07-01 00:00:00", dt.date(2026, 7, 1)),
        ("46204", dt.date(2026, 7, 1)),
        ("soon", None),
        (None, None),
    ],
)
def test_dates_in_the_lists(text: str | None, day: dt.date | None) -> None:
    assert provider_list.parse_date(text) == day


EPISODES = parse_rows(
    "CHILD=1 DECOM=01/05/2026 PLACE=K2 PLACE_PROVIDER=PR4 URN=SC100001 PL_POST=M1_1AE LS=C2",
    "CHILD=2 DECOM=01/08/2026 PLACE=K2 PLACE_PROVIDER=PR1 URN=SC100002 PL_POST=B1_1AA LS=C2",
    "CHILD=3 DECOM=01/05/2026 PLACE=U4 PLACE_PROVIDER=PR4 URN=1234567 LS=C2",
    "CHILD=4 DECOM=01/05/2026 PLACE=U1 PLACE_PROVIDER=PR4 URN=SC999999 LS=C2",
    "CHILD=5 DECOM=01/05/2026 PLACE=U1 PLACE_PROVIDER=PR4 URN=XXXXXXX LS=C2",
)


def test_the_urn_rules_run_on_a_workbook_through_the_engine(separate_lists) -> None:
    with Store(":memory:") as store:
        load_rows(store, "ssda903", 2027, {"Episodes": EPISODES})
        report = engine.validate(
            store,
            "ssda903",
            2027,
            rules=["1008", "219", "221", "224", "227", "228", "229"],
            providers=separate_lists,
            la="E08000003",  # Manchester
        )
        with prepare.Workspace(store.con) as ws:  # the table the URN rules read
            con = ws.cursor()
            provider_list.load(con, separate_lists, prepare.POSTCODES)
            la = con.execute("SELECT LA_CODE FROM providers WHERE URN_key = 'SC100002'")
            assert la.fetchone() == ("E08000025",)  # Birmingham, from B1 1AA
    assert not report.skipped
    got = sorted((i.rule, i.line) for i in report.issues)
    # child 2: Elm House closed on 1 July, before the episode began (227) and ended (228), and
    # is in Birmingham though recorded as the LA's own provision PR1 (229); child 4: unknown URN
    assert got == [("1008", 5), ("227", 3), ("228", 3), ("229", 3)]


def test_rules_needing_what_is_not_given_are_skipped_with_the_reason() -> None:
    with Store(":memory:") as store:
        load_rows(store, "ssda903", 2027, {"Episodes": EPISODES, "Header": parse_rows("SEX=M")})
        report = engine.validate(store, "ssda903", 2027, rules=["202", "1008"])
        skipped = {s.rule: (s.category, s.reason) for s in report.skipped}
        assert skipped["202"] == ("skipped", "needs last year's return (load it with --previous)")
        assert skipped["1008"][0] == "skipped" and skipped["1008"][1].startswith("needs Ofsted")
        assert not report.issues
        # last year's return loaded: 202 runs (and finds the child's sex changed)
        load_rows(store, "ssda903", 2026, {"Header": parse_rows("SEX=F")}, group=2)
        report = engine.validate(store, "ssda903", 2027, rules=["202"])
    assert not report.skipped
    assert [(i.rule, i.table, i.line) for i in report.issues] == [("202", "Header", 2)]
