"""Issue 13: the loader keeps every promise of "Loading returns" under broken and hostile input.

One test (or a few) per numbered case of the issue; each failed on the code before the fix.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from datamonger.loading import load_paths
from datamonger.problems import CODES, Severity
from datamonger.store import Store

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
OC2 = (
    "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
    "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED"
)
EP1 = "C1,01/05/2024,S,C2,N1,U1,PR1,,,,M1 1AE,M1 1AE,SC000001"
EP2 = "C2,15/06/2024,S,C2,N2,K2,PR2,20/01/2025,E13,,M1 1AE,LS1 1AA,SC000002"


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def episodes(rows: list[str]) -> str:
    return "\r\n".join([EPISODES, *rows]) + "\r\n"


def many_episodes(n: int, start: int = 0) -> list[str]:
    return [EP1.replace("C1,", f"C{i},", 1) for i in range(start, start + n)]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


def rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return store.con.execute(sql).fetchall()


def codes(report: Any, severity: str | None = None) -> list[str]:
    return [p.code for p in report.problems if severity is None or p.severity == severity]


CIN_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>
      <ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>
    <Source><LEA>201</LEA><DateTime>{stamp}</DateTime></Source>
  </Header>
"""


def cin(
    children: int = 2,
    *,
    year: str = "2025",
    wrapper: str = "Children",
    child: str = "Child",
    birth: str = "2012-06-14",
    stamp: str = "2025-05-07T14:30:00",
) -> str:
    kids = "".join(
        f"    <{child}><ChildIdentifiers><LAchildID>K{i}</LAchildID>"
        f"<PersonBirthDate>{birth}</PersonBirthDate></ChildIdentifiers></{child}>\n"
        for i in range(children)
    )
    return (
        CIN_HEAD.format(year=year, stamp=stamp)
        + f"  <{wrapper}>\n{kids}  </{wrapper}>\n</Message>\n"
    )


# --- 1. two-digit years ---------------------------------------------------------------------
def test_1_two_digit_years_are_kept_raw_untyped_and_reported_with_a_suggestion(
    tmp_path: Path, store: Store
) -> None:
    ep = EP2.replace("20/01/2025", "31/3/25")
    write(tmp_path / "e.csv", episodes([EP1, ep, EP1.replace("01/05/2024", "04/08/23")]))
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    assert rows(store, "SELECT DEC, DEC_raw FROM ssda903_episodes WHERE CHILD = 'C2'") == [
        (None, "31/3/25")
    ]
    got = [
        (p.code, p.line, p.column, p.value, p.hint) for p in report.problems if p.code == "bad_date"
    ]
    assert [g[:4] for g in got] == [
        ("bad_date", 3, "DEC", "31/3/25"),
        ("bad_date", 4, "DECOM", "04/08/23"),
    ]
    assert "did you mean 31/03/2025?" in (got[0][4] or "")
    assert "did you mean 04/08/2023?" in (got[1][4] or "")
    # the database keeps the same problems, with their lines
    assert rows(
        store, "SELECT line, \"column\" FROM load_problems WHERE code = 'bad_date' ORDER BY line"
    ) == [(3, "DEC"), (4, "DECOM")]


def test_1_two_digit_years_make_rule_147_report_the_end_date(tmp_path: Path, store: Store) -> None:
    from datamonger.validation.engine import validate

    ep = EP2.replace("20/01/2025", "20/1/25")
    write(tmp_path / "e.csv", episodes([EP1, ep]))
    load_paths([tmp_path / "e.csv"], store, year=2025)
    report = validate(store, "ssda903", 2025, rules=["147"])
    assert [(i.rule, i.line) for i in report.issues] == [("147", 3)]


def test_1_dates_and_timestamps_of_the_cin_census_need_four_digit_years(
    tmp_path: Path, store: Store
) -> None:
    write(tmp_path / "c.xml", cin(birth="12-06-14", stamp="25-05-07T14:30:00"))
    report = load_paths([tmp_path / "c.xml"], store)
    assert report.exit_code == 0, report.problems
    assert rows(
        store, "SELECT DISTINCT PersonBirthDate, PersonBirthDate_raw FROM cin_children"
    ) == [(None, "12-06-14")]
    assert rows(store, "SELECT DateTime, DateTime_raw FROM cin_header") == [
        (None, "25-05-07T14:30:00")
    ]
    bad = {(p.column, p.hint and "did you mean 2012-06-14?" in p.hint) for p in report.problems}
    assert ("PersonBirthDate", True) in bad
    assert any(p.column == "DateTime" and p.code == "bad_date" for p in report.problems)


# --- 2. unclosed quote ----------------------------------------------------------------------
def test_2_an_unclosed_quote_refuses_the_file_instead_of_swallowing_rows(
    tmp_path: Path, store: Store
) -> None:
    bad = EP2.replace("E13,", 'E13,"', 1)
    write(tmp_path / "e.csv", episodes([EP1, bad, *many_episodes(5, 10)]))
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    assert report.exit_code == 2
    (p,) = [p for p in report.problems if p.severity == "error"]
    assert (p.code, p.line) == ("unclosed_quote", 3)
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(0,)]


def test_2_a_quoted_value_with_a_comma_still_loads(tmp_path: Path, store: Store) -> None:
    ok = EP2.replace("LS1 1AA", '"LS1, 1AA"')
    write(tmp_path / "e.csv", episodes([EP1, ok]))
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    assert report.exit_code == 0, report.problems
    assert rows(store, "SELECT PL_POST FROM ssda903_episodes WHERE CHILD='C2'") == [("LS1, 1AA",)]


# --- 3. misnamed CIN container --------------------------------------------------------------
@pytest.mark.parametrize(
    ("wrapper", "child"),
    [("children", "Child"), ("Children", "child"), ("Kids", "Child")],
)
def test_3_a_cin_file_without_recognisable_children_is_refused(
    tmp_path: Path, store: Store, wrapper: str, child: str
) -> None:
    write(tmp_path / "good.xml", cin(3))
    load_paths([tmp_path / "good.xml"], store)
    write(tmp_path / "bad.xml", cin(3, wrapper=wrapper, child=child))
    report = load_paths([tmp_path / "bad.xml"], store)
    assert report.exit_code == 2
    assert "xml_no_records" in codes(report, "error")
    assert rows(store, "SELECT count(*) FROM cin_children") == [(3,)]  # the stored one stays


def test_3_b_a_cin_file_with_neither_header_nor_children_keeps_the_stored_return(
    tmp_path: Path, store: Store
) -> None:
    write(tmp_path / "good.xml", cin(3))
    load_paths([tmp_path / "good.xml"], store)
    write(tmp_path / "bare.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<Message></Message>\n')
    report = load_paths([tmp_path / "bare.xml"], store, year=2025)  # the year would be known
    assert report.exit_code == 2
    assert "xml_no_records" in codes(report, "error")
    assert rows(store, "SELECT count(*) FROM cin_children") == [(3,)]


# --- 4. a refused table refuses the return; the stored one stays ----------------------------
def test_4_a_refused_table_keeps_the_stored_return(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "v1" / "e.csv", episodes([EP1, EP2]))
    write(tmp_path / "v1" / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\n")
    load_paths([tmp_path / "v1"], store)
    write(tmp_path / "v2" / "e.csv", episodes([EP1, EP2 + ",x,y"]))  # ragged: refused
    write(tmp_path / "v2" / "h.csv", f"{HEADER}\nC9,M,01/01/2010,WBRI,,,\n")
    report = load_paths([tmp_path / "v2"], store)
    assert report.exit_code == 2
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(2,)]
    assert rows(store, "SELECT CHILD FROM ssda903_header") == [("C1",)]
    (p,) = [p for p in report.problems if p.code == "return_refused"]
    assert "Episodes" in p.message and "kept" in p.message
    assert sorted(report.files_refused) == [str(tmp_path / "v2" / n) for n in ("e.csv", "h.csv")]


def test_4_validate_says_the_return_was_refused(tmp_path: Path) -> None:
    write(tmp_path / "r" / "e.csv", episodes([EP1, EP2 + ",x,y"]))
    write(tmp_path / "r" / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\n")
    done = subprocess.run(
        [sys.executable, "-m", "datamonger", "validate", str(tmp_path / "r")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "was not loaded" in done.stderr and "Episodes" in done.stderr


# --- 5. numbers -----------------------------------------------------------------------------
def test_5_numbers_are_plain_digits_only(tmp_path: Path, store: Store) -> None:
    values = ["12.7", "1e3", "0x10", "1_000", "0b101", ".5", "3", "-2", " 7 "]
    body = "".join(f"C{i},01/05/2014,{v},SDQ1,0,1,1,1,1,0,,\n" for i, v in enumerate(values))
    write(tmp_path / "oc2.csv", f"{OC2}\n{body}")
    report = load_paths([tmp_path / "oc2.csv"], store, year=2025)
    got = rows(store, "SELECT SDQ_SCORE_raw, SDQ_SCORE FROM ssda903_oc2 ORDER BY source_line")
    assert got == [(v, None) for v in values[:6]] + [("3", 3), ("-2", -2), (" 7 ", 7)]
    bad = [(p.code, p.value) for p in report.problems if p.column == "SDQ_SCORE"]
    assert bad == [("bad_number", v) for v in values[:6]]


# --- 6. mixed encodings ---------------------------------------------------------------------
def test_6_a_utf8_file_with_a_stray_byte_stays_utf8_and_the_byte_is_reported(
    tmp_path: Path, store: Store
) -> None:
    text = episodes([EP1.replace("SC000001", "SCé"), EP2, EP2.replace("C2,", "C3,")]).encode()
    text = text.replace(b"LS1 1AA,SC000002\r\nC3", b"LS1 1AA,SC\xe9\r\nC3", 1)
    write(tmp_path / "e.csv", text)
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    assert report.exit_code == 0
    assert rows(store, "SELECT URN FROM ssda903_episodes ORDER BY source_line") == [
        ("SCé",),
        ("SC\ufffd",),
        ("SC000002",),
    ]
    (p,) = [p for p in report.problems if p.code == "bad_encoding"]
    assert (p.severity, p.line, p.column) == ("warning", 3, "URN")
    assert "0xe9" in p.message


def test_6_a_windows_1252_file_is_read_as_such_with_a_note(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "e.csv", episodes([EP1.replace("SC000001", "Café")]), "cp1252")
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    assert rows(store, "SELECT URN FROM ssda903_episodes") == [("Café",)]
    assert [(p.severity, p.code) for p in report.problems] == [("info", "encoding")]


# --- 7, 8, 12. workbooks --------------------------------------------------------------------
def workbook(path: Path, build: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    build(wb)
    wb.close()
    return path


def patch_zip(path: Path, part: str, change: Any) -> None:
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if info.filename == part:
                data = change(data)
                if data is None:
                    continue
            zf.writestr(info.filename, data)
    path.write_bytes(buf.getvalue())


def test_7_a_text_date_in_a_workbook_is_flagged_like_in_a_csv(tmp_path: Path, store: Store) -> None:
    def build(wb: Any) -> None:
        date = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws = wb.add_worksheet("Episodes")
        ws.write_row(0, 0, EPISODES.split(","))
        ws.write_row(1, 0, EP1.split(","))
        ws.write_datetime(1, 1, dt.datetime(2024, 5, 1), date)
        ws.write_row(2, 0, EP2.split(","))
        ws.write_string(2, 1, "2024-06-15")  # text, not a date cell

    report = load_paths([workbook(tmp_path / "w.xlsx", build)], store, year=2025)
    assert rows(store, "SELECT DECOM_raw, DECOM FROM ssda903_episodes ORDER BY source_line") == [
        ("01/05/2024", dt.date(2024, 5, 1)),
        ("2024-06-15", None),
    ]
    assert [(p.code, p.line, p.column) for p in report.problems if p.code == "bad_date"] == [
        ("bad_date", 3, "DECOM")
    ]


def test_8_formulas_without_values_hidden_sheets_and_merged_cells_are_reported(
    tmp_path: Path, store: Store
) -> None:
    def build(wb: Any) -> None:
        ws = wb.add_worksheet("Episodes")
        ws.write_row(0, 0, EPISODES.split(","))
        ws.write_row(1, 0, EP1.split(","))
        ws.write_row(2, 0, EP2.split(","))
        for col in range(13):
            ws.write_formula(3, col, "=A2", None, "XXCACHEDXX")
        ws.merge_range(4, 2, 4, 4, "C2")
        ws.write_row(4, 0, ["C4", "01/06/2024"])
        hs = wb.add_worksheet("Header")
        hs.write_row(0, 0, HEADER.split(","))
        hs.write_row(1, 0, ["C1", "M", "01/01/2010", "WBRI"])
        hs.hide()

    path = workbook(tmp_path / "w.xlsx", build)
    patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        lambda b: b.replace(b"<v>XXCACHEDXX</v>", b"").replace(b' t="str"', b""),
    )
    report = load_paths([path], store, year=2025)
    assert report.exit_code == 0, report.problems
    # the row of formulas is not lost: it is loaded (empty) and each cell is reported
    assert rows(store, "SELECT source_line FROM ssda903_episodes ORDER BY 1") == [
        (2,),
        (3,),
        (4,),
        (5,),
    ]
    formulas = [p for p in report.problems if p.code == "xlsx_formula_no_value"]
    assert len(formulas) == 13 and formulas[0].line == 4 and formulas[0].column == "CHILD"
    assert [p.code for p in report.problems if "Header" in p.message] == ["xlsx_hidden_sheet"]
    (merged,) = [p for p in report.problems if p.code == "xlsx_merged_cells"]
    assert merged.line == 5 and "C5:E5" in merged.message


def test_12_a_damaged_workbook_is_refused_by_name_and_the_rest_loads(
    tmp_path: Path, store: Store
) -> None:
    def build(wb: Any) -> None:
        ws = wb.add_worksheet("Reviews")
        ws.write_row(0, 0, ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"])
        ws.write_row(1, 0, ["C1", "01/01/2010", "01/06/2024", "PN1"])

    book = workbook(tmp_path / "r" / "book.xlsx", build)
    patch_zip(book, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2])
    write(tmp_path / "r" / "e.csv", episodes([EP1, EP2]))
    write(tmp_path / "r" / "h.csv", f"{HEADER}\nC1,M,01/01/2010,WBRI,,,\n")
    write(tmp_path / "cin" / "c.xml", cin(2))
    report = load_paths([tmp_path / "r", tmp_path / "cin"], store)
    assert report.exit_code == 1
    (p,) = [p for p in report.problems if p.severity == "error"]
    assert p.file == str(book) and p.code == "xlsx_damaged"
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(2,)]
    assert rows(store, "SELECT count(*) FROM cin_children") == [(2,)]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b.replace(b"<v>0</v>", b"<v>99</v>"),  # a shared string that does not exist
        lambda b: b.replace(b"<sheetData>", b"<sheetData>&bogus;"),
        None,  # the sheet part is missing
    ],
)
def test_12_damaged_workbooks_are_refused_not_crashed(
    tmp_path: Path, store: Store, damage: Any
) -> None:
    def build(wb: Any) -> None:
        ws = wb.add_worksheet("Reviews")
        ws.write_row(0, 0, ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"])
        ws.write_row(1, 0, ["C1", "01/01/2010", "01/06/2024", "PN1"])

    book = workbook(tmp_path / "book.xlsx", build)
    patch_zip(book, "xl/worksheets/sheet1.xml", damage or (lambda b: None))
    report = load_paths([book], store, year=2025)
    assert report.exit_code == 2
    assert [(p.code, p.file) for p in report.problems] == [("xlsx_damaged", str(book))]


# --- 9. .xls and .zip in a folder -----------------------------------------------------------
def test_9_xls_and_zip_files_in_a_folder_are_reported(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "r" / "e.csv", episodes([EP1]))
    write(tmp_path / "r" / "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with zipfile.ZipFile(tmp_path / "r" / "all.zip", "w") as zf:
        zf.writestr("e.csv", episodes([EP1]))
    report = load_paths([tmp_path / "r"], store)
    assert report.exit_code == 1
    assert sorted(
        (p.code, Path(p.file or "").name) for p in report.problems if p.severity == "error"
    ) == [
        ("unknown_format", "old.xls"),
        ("zip_archive", "all.zip"),
    ]


# --- 10. two files for one table ------------------------------------------------------------
def test_10_two_files_for_one_table_refuse_both_naming_both(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "r" / "a.csv", episodes([]))  # header only, sorts first
    write(tmp_path / "r" / "b.csv", episodes([EP1, EP2]))
    report = load_paths([tmp_path / "r"], store)
    assert report.exit_code == 2
    (dup,) = [p for p in report.problems if p.code == "duplicate_table"]
    assert "a.csv" in dup.message and "b.csv" in dup.message
    assert sorted(report.files_refused) == [str(tmp_path / "r" / n) for n in ("a.csv", "b.csv")]
    assert rows(store, "SELECT count(*) FROM ssda903_episodes") == [(0,)]


# --- 11. SSDA903 XML and CSV odds -----------------------------------------------------------
SSDA_XML = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER><CHILDID>X1</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB></HEADER>
    <EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE></EPISODE>
  </CHILD>
  <CHILD>
    <EPISODE><DECOM>02/05/2024</DECOM><RNE>S</RNE></EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def test_11_a_child_without_header_is_reported(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "s.xml", SSDA_XML)
    report = load_paths([tmp_path / "s.xml"], store, year=2025)
    (p,) = [p for p in report.problems if p.code == "xml_missing_element"]
    assert p.line == 7 and p.severity == "warning" and "HEADER" in p.message


def test_11_cr_only_line_endings_give_real_lines(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "s.xml", SSDA_XML.replace("\n", "\r"))
    load_paths([tmp_path / "s.xml"], store, year=2025)
    assert rows(store, "SELECT source_line FROM ssda903_episodes ORDER BY 1") == [(5,), (8,)]


def test_11_nul_bytes_past_the_first_64_kb_are_refused(tmp_path: Path, store: Store) -> None:
    body = many_episodes(2000)
    body[1500] = body[1500].replace("PR1", "P\x00R1")
    write(tmp_path / "e.csv", episodes(body))
    assert (tmp_path / "e.csv").stat().st_size > 70_000
    report = load_paths([tmp_path / "e.csv"], store, year=2025)
    assert report.exit_code == 2
    (p,) = report.problems
    assert (p.code, p.line) == ("not_text", 1502)


# --- 13. years out of range -----------------------------------------------------------------
@pytest.mark.parametrize("written", ["99999999999", "0", "-1", "9999"])
def test_13_an_implausible_cin_year_is_not_loaded(
    tmp_path: Path, store: Store, written: str
) -> None:
    write(tmp_path / "a" / "ok.xml", cin(2))
    write(tmp_path / "b" / "c.xml", cin(2, year=written))
    report = load_paths([tmp_path / "a", tmp_path / "b"], store)
    assert report.exit_code == 1
    assert "no_year" in codes(report, "error")
    assert rows(store, "SELECT collection_year, count(*) FROM cin_children GROUP BY 1") == [
        (2025, 2)
    ]


@pytest.mark.parametrize("year", [0, -1, 1, 9999, 2**40])
def test_13_an_implausible_year_option_is_refused_and_nothing_is_committed(
    tmp_path: Path, store: Store, year: int
) -> None:
    write(tmp_path / "c.xml", cin(2))
    write(tmp_path / "r" / "e.csv", episodes([EP1]))
    report = load_paths([tmp_path / "c.xml", tmp_path / "r"], store, year=year)
    assert report.exit_code == 2
    assert codes(report) == ["bad_year"]
    assert rows(store, "SELECT count(*) FROM returns_loaded") == [(0,)]


# --- 14. the inferred year says why ---------------------------------------------------------
def test_14_five_mistyped_start_dates_do_not_move_the_return(tmp_path: Path, store: Store) -> None:
    good = many_episodes(480)
    typo = [e.replace("01/05/2024", "01/05/2025") for e in many_episodes(5, 900)]
    write(tmp_path / "e.csv", episodes(good + typo))
    report = load_paths([tmp_path / "e.csv"], store)
    assert rows(store, "SELECT DISTINCT collection_year FROM ssda903_episodes") == [(2025,)]
    (p,) = [p for p in report.problems if p.code == "year_inferred"]
    assert p.severity == "warning" and "2024/25" in p.message and "2025/26" in p.message


def test_14_clear_evidence_gives_an_info_note(tmp_path: Path, store: Store) -> None:
    write(tmp_path / "e.csv", episodes(many_episodes(20)))
    report = load_paths([tmp_path / "e.csv"], store)
    (p,) = [p for p in report.problems if p.code == "year_inferred"]
    assert p.severity == "info" and "2024/25" in p.message and "20 of 20" in p.message


# --- 15. every problem kept; --db and empty files -------------------------------------------
def test_15_every_unreadable_value_is_kept_with_its_own_code_and_line(
    tmp_path: Path, store: Store
) -> None:
    body = "".join(f"C{i},31/02/2014,x{i},SDQ1,0,1,1,1,1,0,,\n" for i in range(300))
    write(tmp_path / "oc2.csv", f"{OC2}\n{body}")
    report = load_paths([tmp_path / "oc2.csv"], store, year=2025)
    logged = rows(
        store,
        "SELECT code, count(*), count(DISTINCT line), min(line), max(line) FROM load_problems "
        "WHERE code LIKE 'bad_%' AND line IS NOT NULL GROUP BY 1 ORDER BY 1",
    )
    assert logged == [("bad_date", 300, 300, 2, 301), ("bad_number", 300, 300, 2, 301)]
    summaries = [p for p in report.problems if p.code.startswith("bad_") and p.line is None]
    assert summaries == []  # a summary names where the first unlisted one is
    more = [p for p in report.problems if "more" in p.message and p.code.startswith("bad_")]
    assert {p.code for p in more} <= {"bad_date", "bad_number"} and more


def test_15_problems_are_logged_in_bulk(tmp_path: Path, store: Store) -> None:
    import time

    body = "".join(f"C{i},01/01/2014,x{i},SDQ1,0,1,1,1,1,0,,\n" for i in range(20_000))
    write(tmp_path / "oc2.csv", f"{OC2}\n{body}")
    start = time.perf_counter()
    load_paths([tmp_path / "oc2.csv"], store, year=2025)
    assert time.perf_counter() - start < 5
    assert rows(store, "SELECT count(*) FROM load_problems WHERE code = 'bad_number'") == [
        (20_000,)
    ]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "datamonger", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.parametrize("name", ["x.csv", "x.json", "x.parquet"])
def test_15_db_naming_a_file_that_is_not_a_database_is_refused(tmp_path: Path, name: str) -> None:
    write(tmp_path / "r" / "e.csv", episodes([EP1]))
    write(tmp_path / name, "a,b\n1,2\n")
    done = run_cli("load", "r", "--db", name, cwd=tmp_path)
    assert done.returncode == 2
    assert "not a Datamonger database" in done.stdout + done.stderr
    assert (tmp_path / name).read_text() == "a,b\n1,2\n"
    assert "Traceback" not in done.stdout + done.stderr


def test_15_db_in_a_missing_folder_and_only_an_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "r" / "e.csv", episodes([EP1]))
    done = run_cli("load", "r", "--db", "nowhere/x.duckdb", cwd=tmp_path)
    assert done.returncode == 2
    assert "unexpected" not in done.stderr and "folder" in done.stdout + done.stderr
    write(tmp_path / "empty.csv", "")
    done = run_cli("load", "empty.csv", "--db", "x.duckdb", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    bad_year = run_cli("load", "r", "--year", "0", "--db", "y.duckdb", cwd=tmp_path)
    assert bad_year.returncode == 2 and "Traceback" not in bad_year.stdout + bad_year.stderr


def test_every_code_used_is_in_the_closed_list() -> None:
    for code in (
        "unclosed_quote",
        "xml_no_records",
        "return_refused",
        "bad_encoding",
        "encoding",
        "xlsx_damaged",
        "xlsx_formula_no_value",
        "xlsx_hidden_sheet",
        "xlsx_merged_cells",
        "xml_missing_element",
        "bad_year",
        "year_inferred",
    ):
        assert code in CODES
    assert Severity.WARNING == "warning"


def test_15_problems_past_the_listed_ones_are_all_kept_and_summed_up(
    tmp_path: Path, store: Store
) -> None:
    junk = "".join(f"<Junk>{i}</Junk>\n" for i in range(80))
    text = cin(2).replace("  </Children>", junk + "  </Children>")
    write(tmp_path / "c.xml", text)
    report = load_paths([tmp_path / "c.xml"], store)
    assert report.exit_code == 0
    listed = [p for p in report.problems if p.code == "xml_unexpected_element"]
    assert len(listed) == 51 and "30 more" in listed[-1].message
    logged = rows(
        store,
        "SELECT count(*), count(DISTINCT line) FROM load_problems "
        "WHERE code = 'xml_unexpected_element'",
    )
    assert logged == [(80, 80)]
