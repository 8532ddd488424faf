"""Reading the monitor's inputs: recognised by header, all or nothing, problems by file and line
and never quoting a name or a date of birth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from datamonger.early_years.readers import InputRefused, read_input, read_inputs

HEADER = "forename,surname,date_of_birth,postcode,setting_urn,setting_name,funded_hours,term,la"
GOOD = [
    "Amelia,Okafor,14/02/2022,b152tt,EY430001,Acorn Day Nursery,15,Spring 2025,330",
    "Yusuf,Rahman,03/11/2021,B13 9UE,EY430002,Willow Pre-School,30,Spring 2025,E08000025",
]


def write(tmp_path: Path, lines: list[str], name: str = "list.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def refused(path: Path) -> InputRefused:
    with pytest.raises(InputRefused) as info:
        read_input(path)
    text = info.value.describe()
    for secret in ("Amelia", "Okafor", "Yusuf", "Rahman", "14/02/2022", "03/11/2021", "31/02"):
        assert secret not in text  # names and dates of birth never appear in a message
    return info.value


def test_reads_typed_rows_and_both_la_codes(tmp_path):
    kind, t = read_input(write(tmp_path, [HEADER, *GOOD]))
    assert kind == "ey_list"
    rows = t.to_pylist()
    assert [r["source_line"] for r in rows] == [2, 3]
    assert rows[0]["date_of_birth"] == dt.date(2022, 2, 14)
    assert rows[0]["postcode"] == "B15 2TT"
    assert [r["la"] for r in rows] == ["330", "330"]
    assert rows[1]["funded_hours"] == 30.0


def test_missing_required_column_is_refused_at_line_1(tmp_path):
    lines = [
        HEADER.replace(",funded_hours", ""),
        *(g.replace(",15,", ",").replace(",30,", ",") for g in GOOD),
    ]
    err = refused(write(tmp_path, lines))
    assert err.problems[0].code == "missing_columns"
    assert err.problems[0].line == 1
    assert err.problems[0].field == "funded_hours"


def test_unreadable_dates_are_reported_by_line_and_nothing_is_read(tmp_path):
    bad = GOOD[1].replace("03/11/2021", "31/02/2021")
    worse = GOOD[0].replace("14/02/2022", "2022.02.14").replace("Amelia", "Ava")
    err = refused(write(tmp_path, [HEADER, GOOD[0], bad, worse]))
    assert [(p.line, p.code, p.field) for p in err.problems] == [
        (3, "bad_date", "date_of_birth"),
        (4, "bad_date", "date_of_birth"),
    ]
    assert "list.csv, line 3, date_of_birth" in str(err.problems[0])


def test_duplicated_rows_are_refused_naming_both_lines(tmp_path):
    err = refused(write(tmp_path, [HEADER, *GOOD, GOOD[0]]))
    p = err.problems[0]
    assert (p.code, p.line) == ("duplicate_row", 4)
    assert "line 2" in p.message


def test_same_child_in_two_settings_is_not_a_duplicate(tmp_path):
    second = GOOD[0].replace("EY430001", "EY430009")
    _, t = read_input(write(tmp_path, [HEADER, *GOOD, second]))
    assert t.num_rows == 3


def test_unknown_la_is_refused(tmp_path):
    err = refused(write(tmp_path, [HEADER, GOOD[0], GOOD[1].replace("E08000025", "999")]))
    assert (err.problems[0].code, err.problems[0].line, err.problems[0].field) == (
        "unknown_la",
        3,
        "la",
    )


def test_line_numbers_count_line_breaks_inside_quoted_cells(tmp_path):
    quoted = GOOD[0].replace("Acorn Day Nursery", '"Acorn\nDay Nursery"')
    bad = GOOD[1].replace("30", "thirty")
    err = refused(write(tmp_path, [HEADER, quoted, bad]))
    assert (err.problems[0].line, err.problems[0].code) == (4, "bad_hours")


def test_xlsx_with_date_cells_reads_like_csv(tmp_path):
    path = tmp_path / "list.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, HEADER.split(","))
    ws.write_row(1, 0, GOOD[0].split(","))
    row = GOOD[1].split(",")
    ws.write_row(2, 0, row)
    ws.write_datetime(2, 2, dt.datetime(2021, 11, 3), date)
    ws.write_number(2, 6, 30)
    wb.close()
    kind, t = read_input(path)
    rows = t.to_pylist()
    assert kind == "ey_list"
    assert rows[1]["date_of_birth"] == dt.date(2021, 11, 3)
    assert rows[1]["funded_hours"] == 30.0 and rows[1]["source_line"] == 3


def test_identities_with_a_repeated_child_id_are_refused(tmp_path):
    ids = write(
        tmp_path,
        [
            "child_id,forename,surname,date_of_birth,postcode",
            "C1,Amelia,Okafor,14/02/2022,B15 2TT",
            "C1,Yusuf,Rahman,03/11/2021,B13 9UE",
        ],
        "ids.csv",
    )
    err = refused(ids)
    assert (err.problems[0].code, err.problems[0].line) == ("duplicate_row", 3)


def test_a_list_given_as_identities_is_refused(tmp_path):
    lst = write(tmp_path, [HEADER, *GOOD])
    with pytest.raises(InputRefused) as info:
        read_inputs([lst], lst)
    assert info.value.problems[0].code == "unknown_header"


def test_synthetic_lists_read_whole(ey_la):
    _, ey = ey_la
    d = ey.folder
    inputs = read_inputs(sorted(d.glob("ey_list_*.csv")), d / "identities.csv", d / "settings.csv")
    assert inputs.ey_rows.num_rows == sum(ey.lists.values())
    assert inputs.identities.num_rows == ey.identities
    assert set(inputs.ey_rows.column("la").to_pylist()) == {"330", *ey.neighbours}


def test_a_row_with_an_extra_value_is_refused_without_quoting_it(tmp_path):
    extra = GOOD[1] + ",Rahman again"
    err = refused(write(tmp_path, [HEADER, GOOD[0], extra]))
    p = err.problems[0]
    assert (p.code, p.line) == ("unreadable_csv", 3)
    assert "10 values where the header has 9" in p.message
