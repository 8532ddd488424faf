"""Same seed, same bytes; another seed, other data."""

from __future__ import annotations

from pathlib import Path

from datamonger.synth import generate


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 800, 2025, years=2, seed=5, error_rate=0.03)
    generate(tmp_path / "b", 800, 2025, years=2, seed=5, error_rate=0.03)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert "ground_truth.csv" in a
    assert all(a[k] == b[k] for k in a)


def test_other_seed_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", 800, 2025, seed=5)
    generate(tmp_path / "b", 800, 2025, seed=6)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["2024-25/cin_census.xml"] != b["2024-25/cin_census.xml"]
    assert a["2024-25/ssda903/Episodes.csv"] != b["2024-25/ssda903/Episodes.csv"]
