"""synth -> load: every row and element the generator wrote is in the store, nothing more."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from datamonger.loading import load_paths
from datamonger.returns import cin, ssda903
from datamonger.store import Store
from datamonger.synth import generate

# CIN table -> the element whose every occurrence is one row
CIN_ELEMENTS = {
    "Header": "Header",
    "ChildIdentifiers": "Child",
    "Disabilities": "Disability",
    "CINdetails": "CINdetails",
    "Assessments": "Assessments",
    "AssessmentFactorsList": "AssessmentFactors",
    "CINplanDates": "CINPlanDates",
    "Section47": "Section47",
    "ChildProtectionPlans": "ChildProtectionPlans",
    "Reviews": "CPPreviewDate",
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store]:
    out = tmp_path_factory.mktemp("la")
    generate(out / "returns", children=800, year=2025, years=2, seed=3)
    store = Store(out / "db.duckdb")
    report = load_paths([out / "returns"], store)
    assert report.exit_code == 0
    # clean synthetic data loads without a single warning
    assert [p for p in report.problems if p.severity != "info"] == []
    return out / "returns", store


def test_every_csv_row_is_loaded_with_its_line(loaded: tuple[Path, Store]) -> None:
    root, store = loaded
    files = sorted(root.rglob("*.csv"))
    assert {p.parent.parent.name for p in files} == {"2023-24", "2024-25"}
    for path in files:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        spec = ssda903.BY_HEADER[frozenset(rows[0])]
        got = store.con.execute(
            f"SELECT source_line, CHILD FROM {spec.store_name} WHERE source_file = ? ORDER BY 1",
            [str(path)],
        ).fetchall()
        want = [(i + 1, r[rows[0].index("CHILD")]) for i, r in enumerate(rows) if i > 0]
        assert got == want, path


def test_every_cin_element_is_a_row(loaded: tuple[Path, Store]) -> None:
    root, store = loaded
    paths = sorted(root.rglob("cin_census.xml"))
    assert len(paths) == 2  # one census per year written; none would check nothing
    for path in paths:
        counts = Counter(etree.QName(e).localname for e in etree.parse(str(path)).iter())
        for table, element in CIN_ELEMENTS.items():
            spec = cin.BY_NAME[table]
            (n,) = store.con.execute(
                f"SELECT count(*) FROM {spec.store_name} WHERE source_file = ?", [str(path)]
            ).fetchone() or (0,)
            assert n == counts[element], (path, table)


def test_one_identity_across_returns_and_years(loaded: tuple[Path, Store]) -> None:
    _, store = loaded
    both = store.con.execute(
        "SELECT count(*) FROM children WHERE len(returns) = 2 AND len(years) = 2"
    ).fetchone()
    assert both and both[0] > 0
    # every looked-after child in the CIN census is the same id in the SSDA903 Header
    orphans = store.con.execute(
        """SELECT count(*) FROM ssda903_episodes e
           WHERE NOT EXISTS (SELECT 1 FROM ssda903_header h
                             WHERE h.CHILD = e.CHILD AND h.collection_year = e.collection_year)"""
    ).fetchone()
    assert orphans == (0,)
    returns = store.returns()
    assert [(r, y) for r, y, _ in returns] == [
        ("cin", 2024),
        ("cin", 2025),
        ("ssda903", 2024),
        ("ssda903", 2025),
    ]
    # the CIN header names the LA; the SSDA903 tables do not (it comes from --la)
    assert returns[0][2] and returns[0][2].isdigit() and returns[2][2] is None
