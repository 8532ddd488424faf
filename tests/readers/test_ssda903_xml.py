"""The SSDA903 XML variant (<EXPSSDA903>) lands in the same tables as the CSV files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from datamonger.readers import ssda903_xml
from datamonger.readers.base import Limits
from datamonger.readers.xml import read_xml
from datamonger.readers.xml_common import Node
from datamonger.returns import TableSpec, ssda903
from datamonger.store import Store
from tests.readers.recorder import lines_of, read

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "xml" / "ssda903_small.xml"


def test_each_part_of_a_child_lands_in_its_table() -> None:
    result, rec = read(SMALL)
    expected = {
        "Header": 2,
        "Episodes": 3,
        "Reviews": 3,
        "Missing": 2,
        "PrevPerm": 1,
        "OC2": 1,
        "PlacedAdoption": 1,
        "UASC": 1,  # the second child's flag is 0 and it has no DUC
        "AD1": 1,
        "OC3": 1,
    }
    assert result.tables == expected
    assert {t: len(r) for t, r in rec.rows.items()} == expected
    assert (result.return_name, result.year, result.la, result.problems) == (
        "ssda903",
        None,
        None,
        [],
    )
    assert rec.formats == {ssda903.DATE_FORMAT}  # dd/mm/yyyy, as in the CSV files


def test_rows_carry_the_line_of_their_element() -> None:
    _, rec = read(SMALL)
    for table, element in [
        ("Header", "<HEADER>"),
        ("Episodes", "<EPISODE>"),
        ("Reviews", "<AREVIEW>"),
        ("Missing", "<AMISSING>"),
        ("PrevPerm", "<PERMANENCE>"),
        ("OC2", "<OC2>"),
        ("PlacedAdoption", "<AD_PLACED>"),
        ("UASC", "<UASC>1"),
        ("AD1", "<DATE_INT>"),
        ("OC3", "<IN_TOUCH>"),
    ]:
        assert [r["source_line"] for r in rec.rows[table]] == lines_of(SMALL, element), table


def test_xml_names_map_to_the_csv_columns_and_header_fields_are_repeated() -> None:
    _, rec = read(SMALL)
    rows = rec.rows
    assert [(r["CHILD"], r["SEX"], r["DOB"], r["UPN"], r["MOTHER"]) for r in rows["Header"]] == [
        ("SYN9001", "F", "14/06/2008", "A201000000099", "1"),
        ("SYN9002", "M", "30/02/2015", "", None),
    ]
    assert [(r["CHILD"], r["DECOM"], r["PLACE"], r["DEC"]) for r in rows["Episodes"]] == [
        ("SYN9001", "01/04/2024", "U1", "15/08/2024"),
        ("SYN9001", "15/08/2024", "A3", ""),
        ("SYN9002", "03/03/2025", "T0", "04/03/2025"),  # EPISODE came before HEADER
    ]
    for table in ("Reviews", "Missing", "PrevPerm", "OC2", "PlacedAdoption", "AD1", "OC3"):
        assert {(r["CHILD"], r["DOB"]) for r in rows[table]} == {("SYN9001", "14/06/2008")}
    assert [(r["REVIEW"], r["REVIEW_CODE"]) for r in rows["Reviews"]] == [
        ("20/05/2024", "PN1"),
        ("20/11/2024", "PN2"),
        ("20/02/2025", "PN0"),
    ]
    assert [(r["MISSING"], r["MIS_END"]) for r in rows["Missing"]] == [
        ("M", "03/07/2024"),
        ("A", None),
    ]
    assert rows["UASC"] == [
        {
            "source_line": lines_of(SMALL, "<UASC>1")[0],
            "CHILD": "SYN9001",
            "SEX": "F",
            "DOB": "14/06/2008",
            "DUC": "14/06/2026",
        }
    ]
    (ad1,) = rows["AD1"]
    assert (ad1["DATE_INT"], ad1["NB_ADOPTR"], ad1["SEX_ADOPTR"], ad1["LS_ADOPTR"]) == (
        "01/05/2024",
        "2",
        "MF",
        "L0",
    )
    (oc3,) = rows["OC3"]
    assert (oc3["IN_TOUCH"], oc3["ACTIV"], oc3["ACCOM"]) == ("YES", "F2", "B1")
    (perm,) = rows["PrevPerm"]
    assert (perm["PREV_PERM"], perm["LA_PERM"], perm["DATE_PERM"]) == ("Z1", "", "31/12/2020")
    (oc2,) = rows["OC2"]
    assert (oc2["SDQ_SCORE"], oc2["SDQ_REASON"], oc2["INTERVENTION_OFFERED"]) == ("17", "SDQ1", "0")


def test_through_the_store_dates_are_read_as_dd_mm_yyyy(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.duckdb")

    def stage(spec: TableSpec, chunk: dict[str, list[Any]], fmt: str) -> None:
        store.stage(spec, 1, chunk, fmt, str(SMALL))

    read_xml(SMALL, stage, Limits())
    counts, _ = store.replace_return("ssda903", 2025, 1, [str(SMALL)], None)
    assert counts["ssda903_episodes"] == 3 and counts["ssda903_uasc"] == 1
    con = store.con
    episodes = con.execute(
        "SELECT CHILD, DECOM, DEC, DEC_raw, PLACE FROM ssda903_episodes ORDER BY source_line"
    ).fetchall()
    assert episodes == [
        ("SYN9001", dt.date(2024, 4, 1), dt.date(2024, 8, 15), "15/08/2024", "U1"),
        ("SYN9001", dt.date(2024, 8, 15), None, "", "A3"),
        ("SYN9002", dt.date(2025, 3, 3), dt.date(2025, 3, 4), "04/03/2025", "T0"),
    ]
    header = con.execute(
        "SELECT CHILD, DOB, DOB_raw, MC_DOB FROM ssda903_header ORDER BY CHILD"
    ).fetchall()
    assert header == [
        ("SYN9001", dt.date(2008, 6, 14), "14/06/2008", dt.date(2025, 1, 1)),
        ("SYN9002", None, "30/02/2015", None),
    ]
    sdq = con.execute("SELECT SDQ_SCORE, SDQ_SCORE_raw FROM ssda903_oc2").fetchall()
    assert sdq == [(17, "17")]
    store.close()


def test_what_the_return_does_not_define_is_warned_and_not_loaded(tmp_path: Path) -> None:
    text = """<EXPSSDA903 xmlns="urn:synthetic">
  <CHILD>
    <HEADER>
      <CHILDID>A1</CHILDID>
      <DOB>01/01/2010</DOB>
      <OC2><SDQ_SCORE>10</SDQ_SCORE></OC2>
      <OC2><SDQ_SCORE>30</SDQ_SCORE></OC2>
    </HEADER>
    <SWEPISODE><SW_ID>SW1</SW_ID></SWEPISODE>
    <ETHNIC>WBRI</ETHNIC>
  </CHILD>
  <LOOSE/>
</EXPSSDA903>
"""
    path = tmp_path / "903.xml"
    path.write_text(text, encoding="utf-8")
    result, rec = read(path)
    found = {(p.code, p.column, p.line) for p in result.problems}
    assert found == {
        ("xml_repeated_element", "OC2", 7),
        ("xml_unexpected_element", "SWEPISODE", 9),
        ("xml_unexpected_element", "ETHNIC", 10),
        ("xml_unexpected_element", "LOOSE", 12),
    }
    assert [r["SDQ_SCORE"] for r in rec.rows["OC2"]] == ["10"]
    assert rec.rows["Header"][0]["ETHNIC"] is None
    assert set(rec.rows) == {"Header", "OC2"}


def test_the_declared_tree_reads_every_field_of_the_ten_xml_tables() -> None:
    filled: dict[str, set[str]] = {}

    def visit(node: Node) -> None:
        if node.table is not None:
            filled.setdefault(node.table.name, set()).update(node.fields.values())
        for sub in node.by_name.values():
            visit(sub)

    visit(ssda903_xml.CHILD)
    header_fields = filled.pop("Header")
    assert set(ssda903.BY_NAME["Header"].field_names) <= header_fields
    copied = {"CHILD", "DOB", "SEX"}
    for name, spec in ssda903.BY_NAME.items():
        if name in ("Header", "SWEpisodes", "DoLo"):
            continue
        own = filled.get(name, header_fields)  # UASC, AD1, OC3 sit loose in HEADER
        assert set(spec.field_names) <= own | copied, name
