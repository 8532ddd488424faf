"""`datamonger load` as a user runs it: a real process, exit codes and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "datamonger", *args], cwd=cwd, capture_output=True, text=True
    )


def test_load_json_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "e.csv").write_text(f"{EPISODES}\nC1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n")
    (tmp_path / "r" / "junk.csv").write_bytes(b"\x00\x01junk")
    done = run("load", "r", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    out = json.loads(done.stdout)
    assert out["loaded"] == [{"return": "ssda903", "year": 2025, "table": "Episodes", "rows": 1}]
    assert out["files_refused"] == ["r/junk.csv"]
    assert (tmp_path / "datamonger.duckdb").exists()  # the default database
    nothing = run("load", "r/junk.csv", "--db", "x.duckdb", cwd=tmp_path)
    assert nothing.returncode == 2
    assert "Traceback" not in nothing.stdout + nothing.stderr
    assert "binary data" in nothing.stdout


def test_a_database_held_by_another_program_is_explained(tmp_path: Path) -> None:
    import duckdb

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "e.csv").write_text(f"{EPISODES}\nC1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n")
    held = duckdb.connect(str(tmp_path / "busy.duckdb"))  # as `datamonger serve` holds it
    try:
        done = run("load", "r", "--db", "busy.duckdb", cwd=tmp_path)
    finally:
        held.close()
    assert done.returncode == 2
    assert "open in another program" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
