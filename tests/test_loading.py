"""The loader on small synthetic SSDA903 files, including the nasty ones real systems produce."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from datamonger.loading import load_paths
from datamonger.store import Store

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def episodes(rows: list[str]) -> str:
    return "\r\n".join([EPISODES, *rows]) + "\r\n"


EP1 = "C1,01/05/2024,S,C2,N1,U1,PR1,,,,M1 1AE,M1 1AE,SC000001"
EP2 = "C2,15/06/2024,S,C2,N2,K2,PR2,20/01/2025,E13,,M1 1AE,LS1 1AA,SC000002"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def rows(store: Store, sql: str) -> list[tuple]:
    return store.con.execute(sql).fetchall()


def test_folder_of_tables_loads_as_one_return_with_lines_and_typed_values(
    tmp_path: Path, store: Store
) -> None:
    write(tmp_path / "r" / "whatever_name.csv", episodes([EP1, "", EP2]))
    write(tmp_path / "r" / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\nC2,F,02/02/2012,BAFR,,,\n")
    report = load_paths([tmp_path / "r"], store)
    assert report.exit_code == 0
    assert ("ssda903", 2025, "Episodes", 2) in report.loaded
    assert ("ssda903", 2025, "Header", 2) in report.loaded
    got = rows(
        store,
        "SELECT CHILD, source_line, DECOM, DECOM_raw, DEC FROM ssda903_episodes ORDER BY CHILD",
    )
    # the blank line 3 is skipped but the physical numbering is kept
    assert got == [
        ("C1", 2, dt.date(2024, 5, 1), "01/05/2024", None),
        ("C2", 4, dt.date(2024, 6, 15), "15/06/2024", dt.date(2025, 1, 20)),
    ]
    assert any(p.code == "blank_rows" and p.line == 3 for p in report.problems)


def test_encodings_bom_and_windows_1252(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "a" / "h.csv", "\ufeff" + HEADER + "\nC1,M,01/01/2010,WBRI,,,\n")
    write(tmp_path / "a" / "e.csv", episodes([EP1.replace("SC000001", "Café")]), "cp1252")
    report = load_paths([tmp_path / "a"], store)
    assert report.exit_code == 0, report.problems
    assert rows(store, "SELECT URN FROM ssda903_episodes") == [("Café",)]
    assert rows(store, "SELECT CHILD FROM ssda903_header") == [("C1",)]


def test_unreadable_date_is_kept_raw_and_flagged(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "e.csv", episodes([EP1, EP1.replace("C1,01/05/2024", "C3,31/02/2024")]))
    report = load_paths([tmp_path / "e.csv"], store)
    assert report.exit_code == 0
    bad = [p for p in report.problems if p.code == "bad_date"]
    assert [(b.line, b.column, b.value) for b in bad] == [(3, "DECOM", "31/02/2024")]
    assert rows(store, "SELECT DECOM, DECOM_raw FROM ssda903_episodes WHERE CHILD='C3'") == [
        (None, "31/02/2024")
    ]
    logged = rows(store, "SELECT code, line FROM load_problems WHERE code = 'bad_date'")
    assert logged == [("bad_date", 3)]


def test_an_unreadable_number_has_a_hint_about_numbers_not_dates(
    tmp_path: Path, store: Store
) -> None:
    cols = "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
    cols += "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED"
    write(tmp_path / "oc2.csv", f"{cols}\nC1,01/05/2014,1x2,SDQ1,0,1,1,1,1,0,,\n")
    report = load_paths([tmp_path / "oc2.csv"], store)
    (bad,) = [p for p in report.problems if p.column == "SDQ_SCORE"]
    assert (bad.code, bad.line, bad.value) == ("bad_number", 2, "1x2")
    assert "whole number" in bad.message
    assert bad.hint and "digits" in bad.hint and "dd/mm/yyyy" not in bad.hint


def test_unknown_table_names_the_closest_and_the_differences(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "e.csv", episodes([EP1]).replace("REASON_PLACE_CHANGE", "REASON"))
    write(tmp_path / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\n")
    report = load_paths([tmp_path / "e.csv", tmp_path / "h.csv"], store, year=2025)
    # the Episodes table is refused, so the return it belongs to is refused whole (issue 13)
    assert report.exit_code == 2
    (p, whole) = [p for p in report.problems if p.severity == "error"]
    assert p.file == str(tmp_path / "e.csv") and p.line == 1
    assert "Episodes" in p.message and "REASON_PLACE_CHANGE" in p.message and "REASON" in p.message
    assert whole.code == "return_refused" and "h.csv" in whole.message
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(0,)]
    assert rows(store, "SELECT count(*) FROM ssda903_header") == [(0,)]


def test_empty_file_is_skipped_with_a_warning_and_does_not_stop_others(
    tmp_path: Path, store: Store
) -> None:
    write(tmp_path / "r" / "missing.csv", "")
    write(tmp_path / "r" / "e.csv", episodes([EP1]))
    report = load_paths([tmp_path / "r"], store)
    assert report.exit_code == 0
    assert report.files_skipped == [str(tmp_path / "r" / "missing.csv")]
    assert [p.severity for p in report.problems if p.code == "file_empty"] == ["warning"]


def test_header_only_table_loads_as_zero_rows(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "r" / "e.csv", episodes([EP1]))
    write(tmp_path / "r" / "m.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\n")
    report = load_paths([tmp_path / "r"], store)
    assert ("ssda903", 2025, "Missing", 0) in report.loaded


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x00\x01\x02binary\xff\xfe junk" * 10, "not_text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unknown_format"),
        (b"\xff\xfeC\x00H\x00", "not_text"),
    ],
)
def test_binary_input_is_refused_clearly(
    tmp_path: Path, store: Store, content: bytes, code: str
) -> None:
    f = tmp_path / "data.csv"
    f.write_bytes(content)
    report = load_paths([f], store)
    assert report.exit_code == 2
    assert [p.code for p in report.problems] == [code]


def test_zip_archive_is_refused(tmp_path: Path, store: Store) -> None:
    z = tmp_path / "returns.csv"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("e.csv", episodes([EP1]))
    report = load_paths([z], store)
    assert [p.code for p in report.problems] == ["zip_archive"]
    assert report.exit_code == 2


def test_ragged_row_refuses_the_whole_file(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "e.csv", episodes([EP1, EP2 + ",extra,cells"]))
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    (p,) = report.problems
    assert (p.code, p.line) == ("ragged_row", 3)
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(0,)]


def test_field_too_long_is_refused(tmp_path: Path, store: Store) -> None:
    from datamonger.readers.base import Limits

    write(tmp_path / "e.csv", episodes([EP1.replace("SC000001", "X" * 500)]))
    report = load_paths([tmp_path / "e.csv"], store, limits=Limits(max_field_chars=100))
    assert [(p.code, p.line, p.column) for p in report.problems] == [("field_too_long", 2, "URN")]
    assert report.exit_code == 2


def test_reloading_a_year_replaces_the_whole_return(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "v1" / "e.csv", episodes([EP1, EP2]))
    write(tmp_path / "v1" / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\n")
    write(tmp_path / "v2" / "e.csv", episodes([EP2]))
    load_paths([tmp_path / "v1"], store)
    report = load_paths([tmp_path / "v2"], store)
    assert any(p.code == "replaced" for p in report.problems)
    assert rows(store, "SELECT CHILD FROM ssda903_episodes") == [("C2",)]
    # the header of the replaced return is gone too: a return is replaced whole
    assert rows(store, "SELECT count(*) FROM ssda903_header") == [(0,)]


def test_two_years_side_by_side_and_year_override(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "y1" / "e.csv", episodes([EP1.replace("2024", "2023")]))
    write(tmp_path / "y2" / "e.csv", episodes([EP1, EP2]))
    report = load_paths([tmp_path / "y1", tmp_path / "y2"], store)
    assert report.exit_code == 0
    assert rows(
        store, "SELECT collection_year, count(*) FROM ssda903_episodes GROUP BY 1 ORDER BY 1"
    ) == [(2024, 1), (2025, 2)]
    load_paths([tmp_path / "y1"], store, year=2022)
    assert (2022,) in rows(store, "SELECT DISTINCT collection_year FROM ssda903_episodes")


def test_year_inference_ignores_a_stray_future_date(tmp_path: Path, store: Store) -> None:
    good = [EP1.replace("C1", f"C{i}") for i in range(150)]
    write(tmp_path / "e.csv", episodes([*good, EP1.replace("01/05/2024", "01/05/2026")]))
    load_paths([tmp_path / "e.csv"], store)
    assert rows(store, "SELECT DISTINCT collection_year FROM ssda903_episodes") == [(2025,)]


def test_no_year_without_dates_asks_for_year(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\n")
    report = load_paths([tmp_path / "h.csv"], store)
    assert report.exit_code == 2
    (p,) = [p for p in report.problems if p.code == "no_year"]
    assert "--year" in (p.hint or "")


def test_two_tables_of_the_same_kind_in_one_folder(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "r" / "a.csv", episodes([EP1]))
    write(tmp_path / "r" / "b.csv", episodes([EP2]))
    report = load_paths([tmp_path / "r"], store)
    assert report.exit_code == 2  # neither is loaded: which one is right cannot be told
    errors = [p.code for p in report.problems if p.severity == "error"]
    assert errors == ["duplicate_table"]
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(0,)]


def test_xlsx_one_table_per_sheet_with_excel_dates_and_row_numbers(
    tmp_path: Path, store: Store
) -> None:
    path = tmp_path / "return.xlsx"
    wb = xlsxwriter.Workbook(path)
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Episodes")
    ws.write_row(0, 0, EPISODES.split(","))
    ws.write_row(1, 0, EP1.split(","))
    ws.write_datetime(1, 1, dt.datetime(2024, 5, 1), date)  # a real Excel date cell
    ws.write_row(3, 0, EP2.split(","))  # row 3 left blank
    hs = wb.add_worksheet("Header")
    hs.write_row(0, 0, HEADER.split(","))
    hs.write_row(1, 0, ["C1", "M", "01/01/2010", "WBRI"])
    wb.add_worksheet("Notes")  # empty sheet: skipped
    wb.close()
    report = load_paths([path], store)
    assert report.exit_code == 0, report.problems
    assert rows(
        store, "SELECT CHILD, source_line, DECOM_raw, DECOM FROM ssda903_episodes ORDER BY 2"
    ) == [
        ("C1", 2, "01/05/2024", dt.date(2024, 5, 1)),
        ("C2", 4, "15/06/2024", dt.date(2024, 6, 15)),
    ]
    assert ("ssda903", 2025, "Header", 1) in report.loaded


def test_xlsx_with_an_unknown_sheet_is_refused_whole(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "return.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Episodes")
    ws.write_row(0, 0, EPISODES.split(","))
    ws.write_row(1, 0, EP1.split(","))
    wb.add_worksheet("Pivot").write_row(0, 0, ["Team", "Count"])
    wb.close()
    report = load_paths([path], store, year=2025)
    (p,) = report.problems
    assert "Sheet 'Pivot'" in p.message and p.code == "unknown_table"
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(0,)]
