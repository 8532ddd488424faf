"""The SSDA903 XML states each child's UASC status; the flag is kept as written in Header.UASC."""

from __future__ import annotations

from pathlib import Path

from datamonger.loading import load_paths
from datamonger.returns import ssda903
from datamonger.store import Store

XML = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>X1</CHILDID><SEX>M</SEX><DOB>01/01/2008</DOB><ETHNIC>WBRI</ETHNIC>
      <UASC>1</UASC><DUC>01/01/2026</DUC>
    </HEADER>
    <EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>X2</CHILDID><SEX>F</SEX><DOB>01/01/2010</DOB><ETHNIC>WBRI</ETHNIC><UASC>2</UASC>
    </HEADER>
    <EPISODE><DECOM>01/06/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>
  </CHILD>
</EXPSSDA903>
"""


def test_uasc_flag_is_kept_as_written_and_csv_headers_do_not_need_it(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text(XML, encoding="utf-8")
    with Store(tmp_path / "db.duckdb") as store:
        assert load_paths([tmp_path / "r.xml"], store, year=2025).exit_code == 0
        rows = store.con.execute("SELECT CHILD, UASC FROM ssda903_header ORDER BY 1").fetchall()
    assert rows == [("X1", "1"), ("X2", "2")]  # '2' is kept for rule 105 to report
    assert "UASC" not in ssda903.HEADER.csv_names
    assert ssda903.BY_HEADER[frozenset(ssda903.HEADER.csv_names)] is ssda903.HEADER
