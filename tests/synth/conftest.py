"""One small synthetic LA per test session: generation takes well under a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from datamonger.synth import SynthSummary, generate


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    """Two clean years (2023-24 and 2024-25) of 3,000 children."""
    return generate(tmp_path_factory.mktemp("clean"), 3000, 2025, years=2, seed=7)


@pytest.fixture(scope="session")
def with_errors(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return generate(
        tmp_path_factory.mktemp("errors"), 2000, 2025, years=2, seed=11, error_rate=0.05
    )


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
