"""Lines past 65,535: libxml2 keeps element lines in 16 bits, the reader must not drift."""

from __future__ import annotations

from pathlib import Path

from datamonger.loading import load_paths
from datamonger.returns import cin
from datamonger.store import Store
from datamonger.synth import generate
from tests.test_roundtrip import CIN_ELEMENTS


def test_every_row_points_at_its_element_beyond_line_65535(tmp_path: Path) -> None:
    generate(tmp_path / "r", children=3000, year=2025, seed=4)
    (xml,) = sorted((tmp_path / "r").rglob("cin_census.xml"))
    lines = xml.read_text("utf-8").split("\n")
    assert len(lines) > 70_000, "the file must cross line 65,535 for this test to mean anything"
    with Store(tmp_path / "db.duckdb") as store:
        assert load_paths([xml], store).exit_code == 0
        checked = 0
        for table, element in CIN_ELEMENTS.items():
            spec = cin.BY_NAME[table]
            for (line,) in store.con.execute(
                f"SELECT source_line FROM {spec.store_name} WHERE source_line > 65000"
            ).fetchall():
                assert lines[line - 1].lstrip().startswith(f"<{element}"), (table, line)
                checked += 1
    assert checked > 1000
