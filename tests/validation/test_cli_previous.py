"""`datamonger validate THIS --previous LAST`: last year's files are read in a thread of their own
while this year's load, then committed as the year before this one, as a separate load would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datamonger.cli import load as _load_registers  # noqa: F401
from datamonger.cli import synth as _synth_registers  # noqa: F401
from datamonger.cli import validate as _registers  # noqa: F401
from datamonger.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two messy years of a small LA: random dates and codes in a fifth of the values."""
    out = tmp_path_factory.mktemp("la")
    args = ["synth", str(out), "--children", "400", "--year", "2025", "--years", "2"]
    args += ["--seed", "11", "--messy", "0.2", "--looked-after-share", "1.0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def _document(result) -> dict:  # type: ignore[no-untyped-def]
    data = json.loads(result.stdout)
    data["summary"].pop("seconds")
    return data


def test_same_report_as_loading_last_year_on_its_own(la: Path, tmp_path: Path) -> None:
    this, last = la / "2024-25" / "ssda903", la / "2023-24" / "ssda903"
    together = runner.invoke(
        app, ["validate", str(this), "--previous", str(last), "--format", "json"]
    )
    db = tmp_path / "la.duckdb"
    for folder, year in ((this, []), (last, ["--year", "2024"])):
        loaded = runner.invoke(app, ["load", str(folder), "--db", str(db), *year])
        assert loaded.exit_code in (0, 1), loaded.output
    apart = runner.invoke(app, ["validate", str(db), "--year", "2025", "--format", "json"])
    assert together.exit_code == apart.exit_code == 1
    got, want = _document(together), _document(apart)
    assert got == want
    assert got["summary"]["issues"] > 1000
    needs_last = [s for s in got["skipped"] if "last year" in s["reason"]]
    assert needs_last == []  # the rules reading last year's return ran


def test_last_year_takes_the_year_before_whatever_its_dates_say(la: Path, tmp_path: Path) -> None:
    """A copy of this year's folder given as last year's is committed as 2023/24, not refused
    as a second 2024/25."""
    this = la / "2024-25" / "ssda903"
    copy = tmp_path / "copy"
    shutil.copytree(this, copy)
    result = runner.invoke(
        app, ["validate", str(this), "--previous", str(copy), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    assert "year_conflict" not in result.output and "claim" not in result.stderr
    assert [s for s in _document(result)["skipped"] if "last year" in s["reason"]] == []


def test_a_refused_file_of_last_year_is_reported_and_exits_2(la: Path, tmp_path: Path) -> None:
    last = tmp_path / "last"
    shutil.copytree(la / "2023-24" / "ssda903", last)
    (last / "Header.csv").write_bytes(b"\x00\x01\x02 not a table \xff\xfe")
    result = runner.invoke(
        app,
        ["validate", str(la / "2024-25" / "ssda903"), "--previous", str(last), "--format", "json"],
    )
    assert result.exit_code == 2
    assert f"error {last / 'Header.csv'}: The file contains binary data" in result.stderr
    assert _document(result)["summary"]["issues"] > 1000  # this year was validated all the same
