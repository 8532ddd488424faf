"""The commands end to end, importing newer files, and the charts."""

from __future__ import annotations

import csv
import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from datamonger.benchmarks.paths import published_dir
from datamonger.benchmarks.published import Published
from datamonger.benchmarks.reference import import_files
from datamonger.cli import app
from datamonger.cli import benchmarks as _register  # noqa: F401  (registers the commands)

from .conftest import lait_value

runner = CliRunner()
C1 = "c1_children_in_need_referrals_and_rereferrals"


def test_benchmark_json_has_the_documented_fields(lait_rows) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app, ["benchmark", "--la", "Bristol", "--measures", "ReReferral", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (m,) = json.loads(result.stdout)
    for field in (
        "key",
        "title",
        "polarity",
        "year",
        "value",
        "england",
        "region",
        "sn_mean",
        "sn_median",
        "rank",
        "of",
        "quartile",
        "previous",
        "change",
        "flags",
        "suppressed",
    ):
        assert field in m
    assert m["value"] == float(lait_value(lait_rows, "ReReferral", "2025", 801))


def test_unknown_la_exits_2_with_suggestions() -> None:
    result = runner.invoke(app, ["benchmark", "--la", "Bristl"])
    assert result.exit_code == 2
    assert "Bristol, City of (801)" in result.output
    assert "Traceback" not in result.output


def test_unknown_measure_exits_2() -> None:
    result = runner.invoke(app, ["explore", "ReReferal"])
    assert result.exit_code == 2 and "ReReferral" in result.output


def test_charts_are_svg_with_title_and_desc(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "benchmark",
            "--la",
            "801",
            "--measures",
            "ReReferral",
            "--chart",
            "ReReferral",
            "--chart-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.svg"))
    assert len(files) == 2
    ns = {"s": "http://www.w3.org/2000/svg"}
    for f in files:
        root = ET.parse(f).getroot()
        assert root.find("s:title", ns) is not None
        desc = root.find("s:desc", ns)
        assert desc is not None and "Bristol" in (desc.text or "")


def test_import_replaces_the_same_measure_and_year_only(tmp_path: Path) -> None:
    (src,) = (published_dir() / "ees").glob(f"{C1}*.csv.gz")
    with gzip.open(src, "rt", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = [r for r in reader if r["time_period"] == "2025"]
    for r in rows:
        if r["old_la_code"] == "801":
            r["rereferral_percent"] = "99.9"
    newer = tmp_path / f"{C1}_2013_to_2026.csv"
    with newer.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header)  # type: ignore[arg-type]
        w.writeheader()
        w.writerows(rows)
    db = tmp_path / "reference.duckdb"
    (report,) = import_files([newer], db)
    assert report.years == [2025]
    pub = Published.open(db)
    cells = pub.cells([(f"{C1}:rereferral_percent", 2025), (f"{C1}:rereferral_percent", 2024)])
    assert cells[(f"{C1}:rereferral_percent", 2025)]["801"].value == 99.9
    with gzip.open(src, "rt", encoding="utf-8-sig") as f:
        shipped_2024 = next(
            r for r in csv.DictReader(f) if r["time_period"] == "2024" and r["old_la_code"] == "801"
        )
    assert cells[(f"{C1}:rereferral_percent", 2024)]["801"].value == float(
        shipped_2024["rereferral_percent"]
    )
    # the shipped cache and the package are untouched
    assert (
        Published.open()
        .cells([(f"{C1}:rereferral_percent", 2025)])[(f"{C1}:rereferral_percent", 2025)]["801"]
        .value
        != 99.9
    )


def test_import_prefers_revised_lait_figures(tmp_path: Path) -> None:
    table = pa.table(
        {
            "Short Desc": ["ReReferral", "ReReferral"],
            "Data item": ["Re-referrals", None],
            "Years": ["2026", "2026 (Rev)"],
            "LA and Regions": ["Bristol, City of", "Bristol, City of"],
            "Values": ["30.0", "31.5"],
            "LA Number": [801.0, 801.0],
            "Region": ["South West", "South West"],
        }
    )
    path = tmp_path / "bds_long_0.parquet"
    pq.write_table(table, path)
    db = tmp_path / "reference.duckdb"
    result = runner.invoke(app, ["reference", "import", str(path), "--reference-db", str(db)])
    assert result.exit_code == 0, result.output
    pub = Published.open(db)
    cell = pub.cells([("ReReferral", 2026)])[("ReReferral", 2026)]["801"]
    assert (cell.value, cell.period) == (31.5, "2026 (Rev)")


def test_import_refuses_an_unknown_file(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    result = runner.invoke(
        app, ["reference", "import", str(odd), "--reference-db", str(tmp_path / "r.duckdb")]
    )
    assert result.exit_code == 2 and "not a published file" in result.output


def test_user_notes_override_shipped_notes(tmp_path: Path) -> None:
    from datamonger.benchmarks.flags import Notes

    notes_file = tmp_path / "notes.csv"
    notes_file.write_text("measure,polarity,direction,note\ns47_to_cpp,,high,Our own note\n")
    pub = Published.open()
    m = pub.catalogue.get("s47_to_cpp")
    assert Notes.load(notes_file).note(m, "high") == "Our own note"
    assert "not recorded" in Notes.load().note(m, "high")
    assert "practice" in Notes.load().note(pub.catalogue.get("CPP_rate"), "rise")
