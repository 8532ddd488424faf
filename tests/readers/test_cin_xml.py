"""The CIN census XML reader: every table, key and line, as written in hand-made fixtures."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from datamonger.problems import Severity
from datamonger.readers import cin_xml
from datamonger.readers.base import Limits
from datamonger.readers.xml import read_xml
from datamonger.readers.xml_common import Node
from datamonger.returns import TableSpec, cin
from datamonger.store import Store
from tests.readers.recorder import Recorder, lines_of, read

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "xml" / "cin_small.xml"


def write(tmp_path: Path, text: str, name: str = "cin.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2025</Year></CollectionDetails>
    <Source><LEA>201</LEA></Source>
  </Header>
"""


# --- every table ----------------------------------------------------------------------------
def test_every_table_gets_one_row_per_element() -> None:
    result, rec = read(SMALL)
    expected = {
        "Header": 1,
        "ChildIdentifiers": 3,
        "Disabilities": 4,  # 3 + 1
        "CINdetails": 4,  # 2 + 1 + 1
        "Assessments": 3,
        "AssessmentFactorsList": 4,  # 3 + 1; the empty factors block gives none
        "CINplanDates": 1,
        "Section47": 3,
        "ChildProtectionPlans": 1,
        "Reviews": 4,  # 3 in the first Reviews block + 1 in the second
        "PreProceedingsandFGDM": 1,
    }
    assert result.tables == expected
    assert {name: len(rows) for name, rows in rec.rows.items()} == expected
    assert rec.formats == {cin.DATE_FORMAT}
    assert result.return_name == "cin"
    assert result.problems == []


@pytest.mark.parametrize(
    ("table", "element"),
    [
        ("Header", "<Header>"),
        ("ChildIdentifiers", "<Child>"),
        ("Disabilities", "<Disability>"),
        ("CINdetails", "<CINdetails>"),
        ("Assessments", "<Assessments>"),
        ("AssessmentFactorsList", "<AssessmentFactors>"),
        ("CINplanDates", "<CINPlanDates>"),
        ("Section47", "<Section47>"),
        ("ChildProtectionPlans", "<ChildProtectionPlans>"),
        ("Reviews", "<CPPreviewDate>"),
        ("PreProceedingsandFGDM", "<PreProceedingsandFGDM>"),
    ],
)
def test_each_row_carries_the_line_of_its_own_element(table: str, element: str) -> None:
    _, rec = read(SMALL)
    assert [r["source_line"] for r in rec.rows[table]] == lines_of(SMALL, element)


def test_keys_are_positions_within_the_parent_and_the_child_id_is_on_every_row() -> None:
    _, rec = read(SMALL)
    rows = rec.rows

    def keyed(table: str, *cols: str) -> list[tuple[Any, ...]]:
        return [tuple(r[c] for c in ("LAchildID", *cols)) for r in rows[table]]

    assert keyed("CINdetails", "CINdetailsID", "CINreferralDate") == [
        ("SYN0001", 1, "2024-04-10"),
        ("SYN0001", 2, "2025-01-15"),
        ("SYN0002", 1, "2024-11-03"),
        ("SYN0003", 1, "2025-03-01"),
    ]
    assert keyed("Assessments", "CINdetailsID", "AssessmentID", "AssessmentActualStartDate") == [
        ("SYN0001", 1, 1, "2024-04-11"),
        ("SYN0001", 1, 2, "2024-09-01"),
        ("SYN0002", 1, 1, "2024-11-04"),
    ]
    assert keyed("AssessmentFactorsList", "CINdetailsID", "AssessmentID", "AssessmentFactors") == [
        ("SYN0001", 1, 1, "3B"),
        ("SYN0001", 1, 1, "4B"),
        ("SYN0001", 1, 1, "16A"),
        ("SYN0001", 1, 2, "21"),
    ]
    assert keyed("CINplanDates", "CINdetailsID", "CINPlanID") == [("SYN0001", 1, 1)]
    assert keyed("Section47", "CINdetailsID", "Section47ID", "S47ActualStartDate") == [
        ("SYN0001", 1, 1, "2024-04-15"),
        ("SYN0001", 2, 1, "2025-01-16"),
        ("SYN0001", 2, 2, "2025-02-20"),
    ]
    assert keyed("ChildProtectionPlans", "CINdetailsID", "CPPID", "LatestCategoryOfAbuse") == [
        ("SYN0001", 1, 1, "EMO")
    ]
    # every review date of both Reviews blocks, not just the first of each
    assert keyed("Reviews", "CINdetailsID", "CPPID", "CPPreviewDate") == [
        ("SYN0001", 1, 1, "2024-07-25"),
        ("SYN0001", 1, 1, "2024-10-24"),
        ("SYN0001", 1, 1, "2024-12-19"),
        ("SYN0001", 1, 1, "2024-12-20"),
    ]
    assert keyed("PreProceedingsandFGDM", "CINdetailsID", "PreProceedingsID", "PPStartDate") == [
        ("SYN0001", 2, 1, "2025-02-01")
    ]
    assert keyed("Disabilities", "Disability") == [
        ("SYN0001", "MOB"),
        ("SYN0001", "HEAR"),
        ("SYN0001", "VIS"),
        ("SYN0002", "NONE"),
    ]


def test_values_are_kept_exactly_as_written() -> None:
    result, rec = read(SMALL)
    by_id = {r["LAchildID"]: r for r in rec.rows["ChildIdentifiers"]}
    first, second, unborn = by_id["SYN0001"], by_id["SYN0002"], by_id["SYN0003"]
    assert first["UPN"] == "A201000000011" and first["FormerUPN"] == "A201000000022"
    assert first["Ethnicity"] == "WBRI" and first["Sex"] == "F"
    assert second["UPN"] == ""  # <UPN></UPN>: written, empty
    assert second["FormerUPN"] is None  # not written at all
    assert second["PersonBirthDate"] == "2019-02-30"  # not a date, but kept as written
    assert second["UPNunknown"] == "UN3" and second["Ethnicity"] == "NOBT"
    assert unborn["ExpectedPersonBirthDate"] == "2025-06-01" and unborn["PersonBirthDate"] is None
    assert [r["ReferralNFA"] for r in rec.rows["CINdetails"]] == ["false", "0", "true", None]
    (header,) = rec.rows["Header"]
    assert header["Collection"] == "CIN" and header["ReferenceDate"] == "2025-03-31"
    assert header["SoftwareCode"] == "Synthetic CMS" and header["SerialNo"] == "001"
    assert header["DateTime"] == "2025-05-07T14:30:00"
    assert (result.year, result.la) == (2025, "201")


def test_through_the_store_dates_are_typed_and_raw_values_kept(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.duckdb")
    path = SMALL

    def stage(spec: TableSpec, chunk: dict[str, list[Any]], fmt: str) -> None:
        store.stage(spec, 1, chunk, fmt, str(path))

    result = read_xml(path, stage, Limits())
    assert result.year is not None
    counts, replaced = store.replace_return("cin", result.year, 1, [str(path)], result.la)
    assert not replaced and counts["cin_cpp_reviews"] == 4
    con = store.con
    children = con.execute(
        "SELECT LAchildID, PersonBirthDate, PersonBirthDate_raw, source_file, source_line, "
        "collection_year FROM cin_children ORDER BY LAchildID"
    ).fetchall()
    assert children == [
        ("SYN0001", dt.date(2012, 6, 14), "2012-06-14", str(path), 19, 2025),
        ("SYN0002", None, "2019-02-30", str(path), 106, 2025),
        ("SYN0003", None, None, str(path), 131, 2025),
    ]
    nfa = con.execute(
        "SELECT ReferralNFA, ReferralNFA_raw FROM cin_episodes ORDER BY source_line"
    ).fetchall()
    assert nfa == [(False, "false"), (False, "0"), (True, "true"), (None, None)]
    reviews = con.execute(
        "SELECT CPPreviewDate FROM cin_cpp_reviews ORDER BY CPPreviewDate"
    ).fetchall()
    assert [r[0] for r in reviews] == [
        dt.date(2024, 7, 25),
        dt.date(2024, 10, 24),
        dt.date(2024, 12, 19),
        dt.date(2024, 12, 20),
    ]
    cpp = con.execute("SELECT NumberOfPreviousCPP, NumberOfPreviousCPP_raw FROM cin_cpp").fetchall()
    assert cpp == [(1, "1")]
    header = con.execute("SELECT Year, ReferenceDate, DateTime FROM cin_header").fetchall()
    assert header == [(2025, dt.date(2025, 3, 31), dt.datetime(2025, 5, 7, 14, 30))]
    assert store.returns() == [("cin", 2025, "201")]
    store.close()


# --- namespaces and order -------------------------------------------------------------------
def _without_lines(rec: Recorder) -> dict[str, list[dict[str, Any]]]:
    return {
        t: [{k: v for k, v in r.items() if k != "source_line"} for r in rows]
        for t, rows in rec.rows.items()
    }


@pytest.mark.parametrize("prefixed", [False, True])
def test_a_namespace_still_reads(tmp_path: Path, prefixed: bool) -> None:
    text = SMALL.read_text(encoding="utf-8")
    if prefixed:  # every element carries the prefix
        text = re.sub(r"<(/?)([A-Za-z])", r"<\1cin:\2", text)
        text = text.replace("<cin:Message>", '<cin:Message xmlns:cin="http://www.dfe.gov.uk/CIN">')
    else:
        text = text.replace("<Message>", '<Message xmlns="http://www.dfe.gov.uk/CIN">')
    path = write(tmp_path, text)
    _, plain = read(SMALL)
    result, spaced = read(path)
    assert spaced.rows == plain.rows  # lines too: only tags changed
    assert result.problems == [] and result.year == 2025


def _reorder(el: Any) -> None:
    """Reverse the order of element names in every parent; same-named siblings keep theirs."""
    kids = list(el)
    for k in kids:
        _reorder(k)
    first_seen = list(dict.fromkeys(k.tag for k in kids))
    order = sorted(kids, key=lambda k: -first_seen.index(k.tag))
    for k in kids:
        el.remove(k)
    for k in order:
        el.append(k)


def test_element_order_inside_a_parent_does_not_matter(tmp_path: Path) -> None:
    tree = etree.parse(str(SMALL))
    _reorder(tree.getroot())
    path = tmp_path / "reordered.xml"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    text = path.read_text()
    assert text.index("<Children>") < text.index("<Header>")
    assert text.index("<CINdetails>") < text.index("<LAchildID>")
    _, plain = read(SMALL)
    result, reordered = read(path)
    assert _without_lines(reordered) == _without_lines(plain)
    assert result.problems == [] and (result.year, result.la) == (2025, "201")


# --- what is not part of the return ---------------------------------------------------------
UNEXPECTED = (
    HEAD.replace("</Header>", "  <Extra>x</Extra>\n  </Header>")
    + """  <Sidecar>
    <Child><ChildIdentifiers><LAchildID>HIDDEN</LAchildID></ChildIdentifiers></Child>
  </Sidecar>
  <Children>
    <Note>hello</Note>
    <Child>
      <ChildIdentifiers>
        <LAchildID>A1</LAchildID>
        <Nickname>Bob</Nickname>
      </ChildIdentifiers>
      <CINdetails>
        <CINreferralDate>2024-05-01<b>bold</b></CINreferralDate>
        <Secret><ReferralSource>9</ReferralSource></Secret>
      </CINdetails>
    </Child>
    <Trailer/>
  </Children>
</Message>
"""
)


def test_unexpected_elements_are_warned_with_their_lines_and_not_loaded(tmp_path: Path) -> None:
    path = write(tmp_path, UNEXPECTED)
    result, rec = read(path)
    found = {(p.column, p.line) for p in result.problems}
    names = ["Extra", "Sidecar", "Note", "Nickname", "b", "Secret", "Trailer"]
    assert found == {
        (n, lines_of(path, f"<{n}>" if n != "Trailer" else "<Trailer/>")[0]) for n in names
    }
    assert {p.code for p in result.problems} == {"xml_unexpected_element"}
    assert all(p.severity is Severity.WARNING and p.file == str(path) for p in result.problems)
    # the Child hidden inside <Sidecar> and the ReferralSource inside <Secret> are not loaded
    assert [r["LAchildID"] for r in rec.rows["ChildIdentifiers"]] == ["A1"]
    (episode,) = rec.rows["CINdetails"]
    assert episode["ReferralSource"] is None
    assert episode["CINreferralDate"] == "2024-05-01"


def test_unexpected_elements_are_found_when_the_header_comes_last(tmp_path: Path) -> None:
    text = """<Message>
  <Children>
    <Child><ChildIdentifiers><LAchildID>A1</LAchildID></ChildIdentifiers></Child>
    <Trailer/>
  </Children>
  <Header><CollectionDetails><Year>2025</Year></CollectionDetails></Header>
  <After/>
</Message>"""
    result, rec = read(write(tmp_path, text))
    assert {(p.column, p.line) for p in result.problems} == {("Trailer", 4), ("After", 7)}
    assert result.year == 2025 and len(rec.rows["ChildIdentifiers"]) == 1


def test_every_unexpected_element_is_kept_each_with_its_line(tmp_path: Path) -> None:
    junk = "\n".join(f"      <Junk{i}>x</Junk{i}>" for i in range(60))
    text = HEAD + (
        "  <Children>\n    <Child>\n      <ChildIdentifiers><LAchildID>A1</LAchildID>"
        f"</ChildIdentifiers>\n{junk}\n    </Child>\n  </Children>\n</Message>\n"
    )
    path = write(tmp_path, text)
    result, rec = read(path)
    assert all(p.code == "xml_unexpected_element" for p in result.problems)
    # the first 50 are listed; the other 10 are kept columnar, each with its own line
    (more,) = result.more_problems
    lines = [p.line for p in result.problems] + more.column("line").to_pylist()
    assert lines == [lines_of(path, f"<Junk{i}>")[0] for i in range(60)]
    assert set(more.column("code").to_pylist()) == {"xml_unexpected_element"}
    assert len(rec.rows["ChildIdentifiers"]) == 1


def test_an_element_allowed_once_that_repeats_is_warned_with_both_lines(tmp_path: Path) -> None:
    text = """<?xml version="1.0"?>
<Message>
  <Header>
    <CollectionDetails><Year>2025</Year></CollectionDetails>
    <Source><LEA>201</LEA></Source>
    <Source><LEA>999</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>A1</LAchildID>
        <UPN>FIRSTUPN</UPN>
        <UPN>SECONDUPN</UPN>
      </ChildIdentifiers>
      <ChildIdentifiers>
        <LAchildID>A2</LAchildID>
      </ChildIdentifiers>
      <CINdetails><CINreferralDate>2024-05-01</CINreferralDate></CINdetails>
    </Child>
  </Children>
  <Header>
    <CollectionDetails><Year>1999</Year></CollectionDetails>
  </Header>
</Message>
"""
    path = write(tmp_path, text)
    result, rec = read(path)
    repeats = {p.column: p for p in result.problems}
    assert {p.code for p in result.problems} == {"xml_repeated_element"}
    assert set(repeats) == {"Source", "UPN", "ChildIdentifiers", "Header"}
    for name, needle in [
        ("Source", "<Source>"),
        ("UPN", "<UPN>"),
        ("ChildIdentifiers", "<ChildIdentifiers>"),
        ("Header", "<Header>"),
    ]:
        first, second = lines_of(path, needle)[:2]
        assert repeats[name].line == second
        assert f"first on line {first}" in repeats[name].message
        assert f"again on line {second}" in repeats[name].message
    (child,) = rec.rows["ChildIdentifiers"]
    assert (child["LAchildID"], child["UPN"]) == ("A1", "FIRSTUPN")
    assert rec.rows["CINdetails"][0]["LAchildID"] == "A1"
    assert (result.year, result.la) == (2025, "201")
    assert len(rec.rows["Header"]) == 1


@pytest.mark.parametrize(
    ("header", "written"),
    [
        ("<Header><CollectionDetails><Year>twenty</Year></CollectionDetails></Header>", "twenty"),
        ("<Header><CollectionDetails><Year/></CollectionDetails></Header>", ""),
        ("<Header><Source><LEA>201</LEA></Source></Header>", None),
        ("", None),
    ],
)
def test_a_missing_or_unreadable_year_is_a_warning(
    tmp_path: Path, header: str, written: str | None
) -> None:
    text = f"<Message>{header}<Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID>"
    text += "</ChildIdentifiers></Child></Children></Message>"
    result, rec = read(write(tmp_path, text))
    (problem,) = result.problems
    assert problem.code == "no_year" and problem.severity is Severity.WARNING
    assert problem.value == written and "--year" in (problem.hint or "")
    assert result.year is None
    assert len(rec.rows["ChildIdentifiers"]) == 1


def test_the_declared_tree_reads_every_field_of_every_table() -> None:
    filled: dict[str, set[str]] = {}

    def visit(node: Node, owner: TableSpec | None) -> None:
        table = node.table or owner
        assert table is not None
        if node.value is not None:
            filled.setdefault(table.name, set()).add(node.value)
        filled.setdefault(table.name, set()).update(node.fields.values())
        for sub in node.by_name.values():
            visit(sub, table)

    visit(cin_xml.CHILD, None)
    visit(cin_xml.HEADER, None)
    for spec in cin.TABLES:
        from_child = {"LAchildID"} if spec is not cin.HEADER else set()
        assert filled[spec.name] | from_child == set(spec.field_names), spec.name
