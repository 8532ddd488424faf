"""A small synthetic partnership (3 LAs, 3 years: the adoption measures need them; movers), loaded, exported, pooled.

Built once per test session worker: every pool test reads it, none changes it (tests that
import or tamper work on copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from datamonger.loading import load_paths
from datamonger.pool.export import export
from datamonger.pool.importer import import_extracts
from datamonger.pool.keys import new_key
from datamonger.pool.policy import load_policy
from datamonger.store import Store
from datamonger.synth.partnership import PartnershipSummary, generate_partnership

LAS = ("330", "331", "332")
YEAR = 2025


@dataclass
class Partnership:
    root: Path
    synth: PartnershipSummary
    dbs: dict[str, Path]
    key: Path
    extracts: dict[str, Path]
    pool: Path


@pytest.fixture(scope="session")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Partnership:
    root = tmp_path_factory.mktemp("partnership")
    summary = generate_partnership(root / "returns", LAS, 360, YEAR, years=3, seed=7)
    key = root / "partnership.key"
    key.write_text(new_key() + "\n")
    dbs, extracts = {}, {}
    policy = load_policy()
    for la in LAS:
        dbs[la] = root / f"{la}.duckdb"
        with Store(dbs[la]) as store:
            report = load_paths([root / "returns" / la], store, la=la)
        assert report.exit_code == 0
        extracts[la] = root / f"extract-{la}"
        export(dbs[la], key, extracts[la], policy)
    pool = root / "pool"
    import_extracts([extracts[la] for la in LAS], pool)
    return Partnership(root, summary, dbs, key, extracts, pool)
