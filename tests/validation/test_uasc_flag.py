"""Rule 105 on real files: an XML return must state a valid UASC flag; a CSV return has none."""

from __future__ import annotations

from pathlib import Path

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.validation.engine import validate

CHILD = """  <CHILD>
    <HEADER><CHILDID>{id}</CHILDID><SEX>M</SEX><DOB>01/01/2010</DOB><ETHNIC>WBRI</ETHNIC>{flag}
    </HEADER>
    <EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>
  </CHILD>
"""


def test_rule_105_on_xml_and_csv(tmp_path: Path) -> None:
    children = [("A", "<UASC>0</UASC>"), ("B", "<UASC>7</UASC>"), ("C", "")]
    body = "".join(CHILD.format(id=i, flag=f) for i, f in children)
    xml = tmp_path / "x" / "return.xml"
    xml.parent.mkdir()
    xml.write_text(f'<?xml version="1.0"?>\n<EXPSSDA903>\n{body}</EXPSSDA903>\n', "utf-8")
    csv_dir = tmp_path / "c"
    csv_dir.mkdir()
    (csv_dir / "h.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nD,M,01/01/2010,WBRI,,,\n", "utf-8"
    )
    lines = xml.read_text("utf-8").split("\n")
    header_line = {c: next(i + 1 for i, t in enumerate(lines) if f">{c}<" in t) for c in "ABC"}
    with Store(tmp_path / "db.duckdb") as store:
        assert load_paths([xml], store, year=2025).exit_code == 0
        assert load_paths([csv_dir], store, year=2024).exit_code == 0
        xml_issues = validate(store, "ssda903", 2025, rules=["105"]).issues
        csv_issues = validate(store, "ssda903", 2024, rules=["105"]).issues
    flagged = {(i.child, i.line) for i in xml_issues}
    # B's flag is invalid and C's is missing; the HEADER element's line is where the row is
    assert {c for c, _ in flagged} == {"B", "C"}
    assert all(line <= header_line[c] for c, line in flagged)
    assert csv_issues == []
