"""The report writers pinned to what the object-per-issue path wrote before issues became a table.

`tests/fixtures/validation_golden/returns` is a small synthetic LA (both returns, two years,
injected errors and random values); `expected.csv` and `expected.json` were written by the
earlier path. CSV must match byte for byte; JSON must hold the same document (each issue is now
one line, so only the whitespace differs) apart from the run time. After a deliberate change to
a rule, regenerate both with `datamonger validate returns --format csv|json --output ...` run in
that folder, and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datamonger.cli import validate as _registers  # noqa: F401
from datamonger.cli.app import app

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "validation_golden"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("golden")
    mp = pytest.MonkeyPatch()
    mp.chdir(GOLDEN)  # file names in the report are relative, as in the expected files
    try:
        for fmt in ("csv", "json", "parquet"):
            result = CliRunner().invoke(
                app, ["validate", "returns", "--format", fmt, "--output", str(out / f"r.{fmt}")]
            )
            assert result.exit_code == 1, result.output  # errors found
    finally:
        mp.undo()
    return {fmt: out / f"r.{fmt}" for fmt in ("csv", "json", "parquet")}


def test_csv_is_byte_identical(written: dict[str, Path]) -> None:
    assert written["csv"].read_bytes() == (GOLDEN / "expected.csv").read_bytes()


def test_json_holds_the_same_document(written: dict[str, Path]) -> None:
    got, want = (
        json.loads(p.read_text("utf-8")) for p in (written["json"], GOLDEN / "expected.json")
    )
    assert got["summary"].pop("seconds") >= 0
    want["summary"].pop("seconds")
    assert got == want
    assert len(got["issues"]) > 400  # the fixture carries hundreds of issues of many rules
    assert len({i["rule"] for i in got["issues"]}) > 40


def test_parquet_holds_the_issues(written: dict[str, Path]) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(written["parquet"])
    want = json.loads((GOLDEN / "expected.json").read_text("utf-8"))["issues"]
    assert table.num_rows == len(want)
    first = table.slice(0, 1).to_pylist()[0]
    assert {**first, "values": dict(first["values"])} == want[0]


def test_json_in_many_batches_is_the_same_text(
    written: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Issues are written batch by batch from Arrow buffers; batch edges leave no trace."""
    from datamonger.reports import validation as writers

    monkeypatch.setattr(writers, "_BATCH", 7)
    monkeypatch.chdir(GOLDEN)
    result = CliRunner().invoke(
        app, ["validate", "returns", "--format", "json", "--output", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 1, result.output
    lines = [
        (tmp_path / "r.json").read_text("utf-8").splitlines(),
        written["json"].read_text("utf-8").splitlines(),
    ]
    assert [ln for ln in lines[0] if '"seconds"' not in ln] == [
        ln for ln in lines[1] if '"seconds"' not in ln
    ]
    issue_lines = [ln for ln in lines[0] if ln.startswith('    {"rule":')]
    assert len(issue_lines) > 400 and all(ln.endswith("},") for ln in issue_lines[:-1])


def test_csv_on_standard_output_is_the_file(written: dict[str, Path]) -> None:
    mp = pytest.MonkeyPatch()
    mp.chdir(GOLDEN)
    try:
        result = CliRunner().invoke(app, ["validate", "returns", "--format", "csv"])
    finally:
        mp.undo()
    assert result.stdout_bytes == written["csv"].read_bytes()


def test_a_validate_process_writes_every_issue_to_a_pipe_and_keeps_its_exit_code() -> None:
    """`validate` leaves its process at once (`cli.LEAVE_AT_ONCE`): what it wrote to standard
    output is all there, and its exit code is the report's."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "datamonger", "validate", "returns", "--format", "csv"],
        cwd=GOLDEN,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr  # errors found
    assert done.stdout == (GOLDEN / "expected.csv").read_bytes()


def test_a_reader_that_stops_early_ends_validate_quietly() -> None:
    """`validate ... | head`: the closed pipe is the reader's choice, not an error to report."""
    import subprocess
    import sys

    with subprocess.Popen(  # JSON: 200 KB, written in several pieces, past a 64 KB pipe
        [sys.executable, "-m", "datamonger", "validate", "returns", "--format", "json"],
        cwd=GOLDEN,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read(100).startswith(b'{\n  "summary"')
        proc.stdout.close()
        err = proc.stderr.read().decode()
    assert proc.returncode == 141, err
    assert "error" not in err and "Traceback" not in err
