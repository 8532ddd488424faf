"""One synthetic LA with its early-years side per session (about 3 s)."""

from __future__ import annotations

import pytest

from datamonger.synth import SynthSummary, generate
from datamonger.synth.early_years import EarlyYearsSummary, write_for


@pytest.fixture(scope="session")
def ey_la(tmp_path_factory: pytest.TempPathFactory) -> tuple[SynthSummary, EarlyYearsSummary]:
    out = tmp_path_factory.mktemp("ey")
    summary = generate(out, 12000, 2025, years=1, seed=5)
    return summary, write_for(summary, 2025, 1, None)
