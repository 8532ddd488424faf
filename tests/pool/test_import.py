"""Import: checks before it changes anything; a bad extract gives one message, pool unchanged."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from datamonger.pool.errors import PoolError
from datamonger.pool.export import export
from datamonger.pool.importer import import_extracts
from datamonger.pool.keys import new_key
from datamonger.pool.policy import default_policy_path, load_policy
from tests.pool.conftest import LAS, Partnership


def _snapshot(pool: Path) -> dict[str, str]:
    return {
        p.relative_to(pool).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(pool.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def pool(partnership: Partnership, tmp_path: Path) -> Path:
    """A copy of the partnership's pool holding LAs 330 and 331 only."""
    dst = tmp_path / "pool"
    import_extracts([partnership.extracts["330"], partnership.extracts["331"]], dst)
    return dst


def _copy(extract: Path, tmp_path: Path) -> Path:
    dst = tmp_path / ("bad-" + extract.name)
    shutil.copytree(extract, dst)
    return dst


def _refused(folder: Path, pool: Path, match: str, **kw: Path) -> None:
    before = _snapshot(pool)
    with pytest.raises(PoolError, match=match):
        import_extracts([folder], pool, **kw)
    assert _snapshot(pool) == before
    assert [p.name for p in pool.iterdir() if p.name.startswith(".")] == []


def test_tampered_file_refused(partnership: Partnership, pool: Path, tmp_path: Path) -> None:
    bad = _copy(partnership.extracts["332"], tmp_path)
    target = next(bad.rglob("cin_episodes.parquet"))
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * REPLACE ('x' AS PrimaryNeedCode) FROM '{target}') TO '{target}.new' "
        "(FORMAT parquet)"
    )
    Path(f"{target}.new").replace(target)
    _refused(bad, pool, "does not match its SHA-256 in the manifest")


def test_missing_partition_refused(partnership: Partnership, pool: Path, tmp_path: Path) -> None:
    bad = _copy(partnership.extracts["332"], tmp_path)
    shutil.rmtree(bad / "return=ssda903" / "year=2024")
    _refused(bad, pool, "partition file .* is missing")


def test_newer_version_refused(partnership: Partnership, pool: Path, tmp_path: Path) -> None:
    bad = _copy(partnership.extracts["332"], tmp_path)
    doc = json.loads((bad / "manifest.json").read_text())
    doc["datamonger_version"] = "99.0.0"
    (bad / "manifest.json").write_text(json.dumps(doc))
    _refused(bad, pool, "exported by Datamonger 99.0.0, newer than this one")


def test_other_policy_refused(partnership: Partnership, pool: Path, tmp_path: Path) -> None:
    policy = tmp_path / "other.toml"
    policy.write_text(default_policy_path().read_text().replace("k = 5", "k = 10"))
    other = tmp_path / "other-policy"
    export(partnership.dbs["332"], partnership.key, other, load_policy(policy))
    _refused(other, pool, "exported under another policy")


def test_other_key_refused(partnership: Partnership, pool: Path, tmp_path: Path) -> None:
    key = tmp_path / "other.key"
    key.write_text(new_key())
    other = tmp_path / "other-key"
    export(partnership.dbs["332"], key, other, load_policy())
    _refused(other, pool, "exported with another key")


def test_key_of_wrong_length_refused(partnership: Partnership, pool: Path, tmp_path: Path) -> None:
    key = tmp_path / "long.key"
    key.write_text("ab" * 40)
    _refused(partnership.extracts["332"], pool, "40 bytes long", key_file=key)


def test_reimport_replaces_an_las_years_and_never_mixes_las(
    partnership: Partnership, pool: Path
) -> None:
    summary = import_extracts([partnership.extracts["331"], partnership.extracts["332"]], pool)
    replaced = {(la, r, y) for la, r, y, again in summary.imported if again}
    added = {(la, r, y) for la, r, y, again in summary.imported if not again}
    assert replaced == {("331", r, y) for r in ("cin", "ssda903") for y in (2023, 2024, 2025)}
    assert {la for la, _, _ in added} == {"332"}
    con = duckdb.connect()
    for la in LAS:
        files = pool.glob(f"return=*/year=*/la={la}/cin_children.parquet")
        n = sum(con.sql(f"SELECT count(*) FROM '{p}'").fetchall()[0][0] for p in files)
        src = duckdb.connect(str(partnership.dbs[la]), read_only=True)
        assert n == src.execute("SELECT count(*) FROM cin_children").fetchall()[0][0]
    doc = json.loads((pool / "pool.json").read_text())
    assert sorted(doc["las"]) == list(LAS)
    assert not [p for p in pool.iterdir() if p.name.startswith(".")]
