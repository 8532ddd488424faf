from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from datamonger.benchmarks.published import Published

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own config folder: secret file, user calendar and headlines."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in ("DATAMONGER_CALENDAR", "DATAMONGER_HEADLINES", "DATAMONGER_SECRET_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def pub() -> Iterator[Published]:
    p = Published.open()
    yield p
    p.con.close()
