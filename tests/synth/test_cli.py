from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

import datamonger.cli.synth  # noqa: F401  (registers the command)
from datamonger.cli.app import app
from datamonger.loading import load_paths
from datamonger.store import Store


def test_synth_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["synth", str(tmp_path), "--children", "300", "--year", "2025", "--years", "2",
         "--seed", "4", "--error-rate", "0.02", "--looked-after-share", "0.5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2024-25: CIN census" in result.output
    assert (tmp_path / "2023-24" / "ssda903" / "Episodes.csv").is_file()
    assert (tmp_path / "ground_truth.csv").is_file()
    # the folder as written loads whole: the ground truth is recognised by its header and skipped
    with Store(":memory:") as store:
        report = load_paths([tmp_path], store)
    assert report.exit_code == 0, [p.message for p in report.problems]
    assert report.files_skipped == [str(tmp_path / "ground_truth.csv")]
    (note,) = [p for p in report.problems if p.code == "not_a_return"]
    assert note.severity == "info" and "synth" in note.message


def test_synth_command_refuses_unknown_la(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", str(tmp_path), "--la", "999"])
    assert result.exit_code != 0
