"""Folders, file names and exact CSV headers, by collection year."""

from __future__ import annotations

from pathlib import Path

from datamonger.returns.ssda903 import BY_NAME, tables_in_year
from datamonger.synth import SynthSummary, generate


def test_layout_two_years(clean: SynthSummary) -> None:
    out = clean.out_dir
    assert sorted(p.name for p in out.iterdir()) == ["2023-24", "2024-25"]
    for folder in ("2023-24", "2024-25"):
        assert (out / folder / "cin_census.xml").is_file()
        names = {p.stem for p in (out / folder / "ssda903").iterdir()}
        assert names == {t.name for t in tables_in_year(int(folder[:4]) + 1)}
    assert not (out / "ground_truth.csv").exists()


def test_headers_are_the_dfe_headers(clean: SynthSummary) -> None:
    for ys in clean.years.values():
        for name, path in ys.ssda903_paths.items():
            first = path.read_text(encoding="utf-8").split("\n", 1)[0]
            assert first == ",".join(BY_NAME[name].csv_names)


def test_social_worker_and_dolo_tables_only_in_their_years(tmp_path: Path) -> None:
    early = generate(tmp_path / "early", 300, 2024, years=2, seed=1)
    assert "SWEpisodes" not in early.years[2023].ssda903_paths  # 2022-23
    assert "SWEpisodes" in early.years[2024].ssda903_paths  # from 2023-24
    late = generate(tmp_path / "late", 300, 2027, years=2, seed=1)
    assert "DoLo" not in late.years[2026].ssda903_paths
    assert "DoLo" in late.years[2027].ssda903_paths  # from 2026-27
    assert (tmp_path / "late" / "2026-27" / "ssda903" / "DoLo.csv").is_file()


def test_a_table_with_no_rows_still_has_its_header(tmp_path: Path) -> None:
    # Ten children, none looked after: every SSDA903 table is empty but for care leavers.
    s = generate(tmp_path, 10, 2025, seed=3, looked_after_share=0.0)
    ys = s.years[2025]
    assert ys.ssda903_rows["Episodes"] == 0
    text = ys.ssda903_paths["Episodes"].read_text(encoding="utf-8")
    assert text == ",".join(BY_NAME["Episodes"].csv_names) + "\n"


def test_csv_is_utf8_and_dates_are_dd_mm_yyyy(clean: SynthSummary) -> None:
    import re

    path = clean.years[2025].ssda903_paths["Episodes"]
    lines = path.read_bytes().decode("utf-8").splitlines()
    decom = lines[0].split(",").index("DECOM")
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", line.split(",")[decom]) for line in lines[1:])


def test_rejects_impossible_arguments(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError):
        generate(tmp_path, 0, 2025)
    with pytest.raises(ValueError):
        generate(tmp_path, 10, 2025, error_rate=1.5)
    with pytest.raises(ValueError):
        generate(tmp_path, 10, 2025, la="999")
