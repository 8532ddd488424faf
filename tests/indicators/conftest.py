from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from datamonger.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "dm.duckdb")
    yield s
    s.close()


# The hand-written returns and result helpers live beside the tests (ind_builders, ind_helpers).
sys.path.insert(0, str(Path(__file__).parent))
