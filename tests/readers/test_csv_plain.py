"""The column-wise reader of plain CSV files stages exactly what the row-by-row reader stages.

Every case is loaded twice, once as it comes (plain files go column-wise through Arrow) and once
with the column-wise reader switched off; the stored tables and the load problems must be equal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from datamonger.loading import load_paths
from datamonger.readers import csv_reader
from datamonger.returns.ssda903 import TABLES
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.synth.messy import messify

HEADER = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
ROW = "C1,01/05/2024,S,C2,N1,U1,PR1,,,,B1 1AA,B2 2BB,SC123456"


def _stored(folder: Path, plain: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list, int]:
    """(every SSDA903 row stored, every load problem, files read column-wise)."""
    used = 0
    real = csv_reader._plain

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal used
        out = real(*args, **kwargs)
        used += out is not None
        return out

    with monkeypatch.context() as m:
        m.setattr(csv_reader, "_PLAIN_MAX_BYTES", csv_reader._PLAIN_MAX_BYTES if plain else -1)
        m.setattr(csv_reader, "_plain", counting)
        with Store(":memory:") as store:
            load_paths([folder], store)
            rows = [
                sorted(store.con.execute(f"SELECT * FROM {t.store_name}").fetchall(), key=repr)
                for t in TABLES
            ]
            problems = store.con.execute(
                'SELECT severity, code, message, file, line, "column", value, hint '
                "FROM load_problems ORDER BY ALL"
            ).fetchall()
    return rows, problems, used


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    generate(out, children=400, year=2025, years=2, seed=5, looked_after_share=0.8)
    for xml in out.rglob("cin_census.xml"):
        xml.unlink()
    messify(out, 0.4, seed=5)
    return out


def test_messy_return_same_either_way(messy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows_plain, problems_plain, used = _stored(messy, True, monkeypatch)
    rows_slow, problems_slow, unused = _stored(messy, False, monkeypatch)
    assert used >= 10 and unused == 0  # the messy tables are plain: read column-wise
    assert sum(len(r) for r in rows_plain) > 2000
    assert problems_plain  # the year read from the dates comes with a note
    assert rows_plain == rows_slow
    assert problems_plain == problems_slow


@pytest.mark.parametrize(
    ("name", "body", "plain"),
    [
        ("crlf and bom", "\ufeff" + HEADER + "\r\n" + ROW + "\r\n", True),
        ("no final newline", HEADER + "\n" + ROW, True),
        ("spaces kept as written", HEADER + "\n" + ROW.replace("N1", " n1 ") + "\n", True),
        ("empty cells", HEADER + "\n" + "C2" + "," * 12 + "\n" + ROW + "\n", True),
        ("quoted value", HEADER + "\n" + ROW.replace("S,", '"S",') + "\n", False),
        ("blank line", HEADER + "\n\n" + ROW + "\n", False),
        ("trailing blank lines", HEADER + "\n" + ROW + "\n\n\n", False),
        ("row of commas", HEADER + "\n" + "," * 12 + "\n" + ROW + "\n", False),
        ("short row", HEADER + "\n" + "C3,01/05/2024\n" + ROW + "\n", False),
        ("lone carriage return", HEADER + "\r" + ROW + "\r", False),
        ("header trailing comma", HEADER + ",\n" + ROW + ",\n", False),
    ],
)
def test_edge_files_same_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str, plain: bool
) -> None:
    (tmp_path / "Episodes.csv").write_bytes(body.encode("utf-8"))
    rows_plain, problems_plain, used = _stored(tmp_path, True, monkeypatch)
    rows_slow, problems_slow, _ = _stored(tmp_path, False, monkeypatch)
    assert used == int(plain), name
    assert rows_plain == rows_slow
    assert problems_plain == problems_slow
    assert sum(len(r) for r in rows_plain) >= 1
