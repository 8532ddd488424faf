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


@pytest.fixture(scope="session")
def ey_links(ey_la):  # type: ignore[no-untyped-def]
    from datamonger.early_years.linkage import link
    from datamonger.early_years.readers import read_inputs

    summary, ey = ey_la
    d = ey.folder
    inputs = read_inputs(sorted(d.glob("ey_list_*.csv")), d / "identities.csv", d / "settings.csv")
    return summary, ey, inputs, link(inputs.ey_rows, inputs.identities)


@pytest.fixture(scope="session")
def ey_db(ey_la, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The synthetic LA's returns loaded into a database file (copy it before writing to it)."""
    from datamonger.loading import load_paths
    from datamonger.store import Store

    summary, _ = ey_la
    db = tmp_path_factory.mktemp("eydb") / "la.duckdb"
    with Store(db) as store:
        report = load_paths([summary.out_dir], store)
    assert report.exit_code == 0
    return db
