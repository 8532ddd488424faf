"""`synth --messy`: random dates and codes in a share of values, identities and shape kept."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.synth.messy import messify
from datamonger.validation.engine import validate


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    clean = tmp_path_factory.mktemp("clean")
    generate(clean, children=300, year=2025, years=1, seed=8, looked_after_share=0.5)
    messy = tmp_path_factory.mktemp("messy") / "r"
    shutil.copytree(clean, messy)
    changed = messify(messy, 0.2, seed=8)
    return clean, messy, changed


def test_a_share_of_values_change_and_identities_stay(pair: tuple[Path, Path, int]) -> None:
    clean, messy, changed = pair
    before = _rows(clean / "2024-25" / "ssda903" / "Episodes.csv")
    after = _rows(messy / "2024-25" / "ssda903" / "Episodes.csv")
    assert before[0] == after[0] and len(before) == len(after)
    child = before[0].index("CHILD")
    assert [r[child] for r in before] == [r[child] for r in after]
    cells = sum(len(r) - 1 for r in before[1:])
    differ = sum(
        a != b
        for r, s in zip(before[1:], after[1:], strict=True)
        for a, b in zip(r, s, strict=True)
    )
    assert 0.1 * cells < differ <= 0.2 * cells  # some draws land on the value already there
    assert changed > differ


def test_the_same_seed_gives_the_same_mess(pair: tuple[Path, Path, int], tmp_path: Path) -> None:
    clean, messy, _ = pair
    again = tmp_path / "r"
    shutil.copytree(clean, again)
    messify(again, 0.2, seed=8)
    for path in sorted(messy.rglob("*.*")):
        assert path.read_bytes() == (again / path.relative_to(messy)).read_bytes(), path


def test_messy_returns_load_whole_and_carry_many_more_issues(pair: tuple[Path, Path, int]) -> None:
    clean, messy, _ = pair
    counts = []
    for root in (clean, messy):
        with Store(":memory:") as store:
            report = load_paths([root], store)
            assert report.files_refused == []
            counts.append(sum(validate(store, r, 2025).count for r in ("ssda903", "cin")))
    assert counts[1] > 10 * max(counts[0], 1)
