"""The extract: de-identified (privacy scan of every column of every file), pseudonyms keyed and
shared across LAs, manifest complete, k-anonymity reported and coarsened on request."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from datamonger.pool.errors import PoolError
from datamonger.pool.export import export
from datamonger.pool.keys import PSEUDONYM_HEX, pseudonym, read_key
from datamonger.pool.manifest import sha256_file
from datamonger.pool.policy import default_policy_path, load_policy
from tests.pool.conftest import LAS, Partnership

FULL_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}")


def _raw(db: Path, sql: str) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {str(r[0]) for r in con.execute(sql).fetchall() if r[0] not in (None, "")}
    finally:
        con.close()


def _all_values(extract: Path) -> set[str]:
    """Every value of every column of every Parquet file of the extract, as text."""
    con = duckdb.connect()
    out: set[str] = set()
    for path in extract.rglob("*.parquet"):
        rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
        for col in rel.columns:
            got = con.sql(f'SELECT DISTINCT CAST("{col}" AS VARCHAR) FROM rel').fetchall()
            out |= {r[0] for r in got if r[0] is not None}
    return out


@pytest.mark.parametrize("la", LAS)
def test_no_identifier_in_any_column_of_any_file(partnership: Partnership, la: str) -> None:
    db = partnership.dbs[la]
    ids = _raw(db, "SELECT LAchildID FROM cin_children UNION SELECT CHILD FROM ssda903_header")
    upns = _raw(db, "SELECT UPN FROM cin_children UNION SELECT UPN FROM ssda903_header")
    upns = {u for u in upns if len(u) == 13}  # UN1-UN10 say why there is none: not identifiers
    # As written in the 903 (dd/mm/yyyy); dates as dates are checked child by child below, since
    # one child's date of birth may well be the day another child was referred.
    dobs = _raw(db, "SELECT DOB_raw FROM ssda903_header WHERE NOT starts_with(DOB_raw, '01/')")
    posts = _raw(
        db, "SELECT HOME_POST FROM ssda903_episodes UNION SELECT PL_POST FROM ssda903_episodes"
    )
    assert ids and upns and dobs and posts  # the synthetic LA has all of them to leak
    values = _all_values(partnership.extracts[la])
    assert not sorted(values & ids)[:3]
    assert not sorted(values & upns)[:3]
    assert not sorted(values & dobs)[:3]
    # A child's full date of birth in no column but events that can happen on the day of birth
    # (a referral before birth dated at it, care from birth): a residual risk docs/pool.md names.
    events = {"CINreferralDate", "AssessmentActualStartDate", "S47ActualStartDate", "DECOM"}
    events |= {"SW_DECOM", "REVIEW", "CPPstartDate", "CINPlanStartDate", "MIS_START"}
    found = _child_dates_equal_to_dob(partnership, la)
    assert {col for _, col in found} <= events, found
    assert not sorted(values & posts)[:3]
    assert not any(FULL_POSTCODE.fullmatch(v) for v in values)
    # Substrings too: an identifier inside a longer value (a file name, a joined field).
    assert not [v for v in values for i in ids if i in v][:1]


def _child_dates_equal_to_dob(partnership: Partnership, la: str) -> list[tuple[str, str]]:
    """(file, column) where a date of a child's row is that child's full date of birth."""
    key = read_key(partnership.key)
    con = duckdb.connect()
    con.execute(f"ATTACH '{partnership.dbs[la]}' AS src (READ_ONLY)")
    births = con.sql(
        "SELECT LAchildID AS id, PersonBirthDate AS dob FROM src.cin_children "
        "UNION SELECT CHILD, DOB FROM src.ssda903_header"
    ).fetchall()
    known = pa.table(
        {
            "child": [pseudonym(key, "child", i) for i, _ in births],
            "dob": pa.array([d for _, d in births], pa.date32()),
        }
    )
    con.register("births", known)
    found = []
    for path in partnership.extracts[la].rglob("*.parquet"):
        rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
        child = next((c for c in rel.columns if c in ("CHILD", "LAchildID")), None)
        if child is None:
            continue
        for col, kind in zip(rel.columns, rel.types, strict=True):
            if str(kind) != "DATE":
                continue
            n = con.sql(
                f'SELECT count(*) FROM rel JOIN births b ON b.child = rel."{child}" '
                f'AND b.dob = rel."{col}" WHERE day(b.dob) <> 1'
            ).fetchall()[0][0]
            if n:
                found.append((path.name, col))
    return found


def test_dates_of_birth_are_first_of_month_and_postcodes_sectors(partnership: Partnership) -> None:
    files = str(partnership.extracts["330"] / "return=ssda903" / "*" / "*" / "*.parquet")
    con = duckdb.connect()
    header = files.replace("*.parquet", "ssda903_header.parquet")
    assert con.sql(f"SELECT count(*) FROM '{header}' WHERE day(DOB) <> 1").fetchall() == [(0,)]
    assert con.sql(f"SELECT count(*) FROM '{header}' WHERE DOB IS NOT NULL").fetchall()[0][0] > 0
    episodes = files.replace("*.parquet", "ssda903_episodes.parquet")
    posts = con.sql(f"SELECT DISTINCT HOME_POST FROM '{episodes}' WHERE HOME_POST IS NOT NULL")
    got = [r[0] for r in posts.fetchall()]
    assert got and all(re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]", p) for p in got)
    assert "UPN" not in con.sql(f"SELECT * FROM '{header}'").columns


def test_same_child_in_two_las_gets_one_keyed_pseudonym(partnership: Partnership) -> None:
    a = _raw(partnership.dbs["330"], "SELECT LAchildID FROM cin_children")
    b = _raw(partnership.dbs["331"], "SELECT LAchildID FROM cin_children")
    movers = a & b
    assert movers, "the synthetic partnership has children who moved"
    child = sorted(movers)[0]
    key = read_key(partnership.key)
    expected = pseudonym(key, "child", child)
    con = duckdb.connect()
    seen = {}
    for la in ("330", "331"):
        path = partnership.extracts[la] / "return=cin" / "*" / "*" / "cin_children.parquet"
        seen[la] = {r[0] for r in con.sql(f"SELECT LAchildID FROM '{path}'").fetchall()}
    assert expected in seen["330"] and expected in seen["331"]
    # Keyed: neither a plain SHA-256 of the identifier nor the same as under another key.
    plain = hashlib.sha256(child.encode()).hexdigest()
    assert not any(p in plain or plain.startswith(p) for p in seen["330"])
    assert expected != pseudonym(bytes(32), "child", child)
    assert len(expected) == PSEUDONYM_HEX


def test_manifest_lists_every_file_with_hash_rows_policy_and_key(partnership: Partnership) -> None:
    extract = partnership.extracts["331"]
    doc = json.loads((extract / "manifest.json").read_text())
    assert doc["la"] == "331"
    assert doc["years"] == {"cin": [2023, 2024, 2025], "ssda903": [2023, 2024, 2025]}
    assert doc["policy"]["sha256"] == load_policy().sha256
    key_text = partnership.key.read_text().strip()
    assert doc["key_fingerprint"] and doc["key_fingerprint"] not in key_text
    on_disk = {p.relative_to(extract).as_posix() for p in extract.rglob("*.parquet")}
    assert {f["path"] for f in doc["files"]} == on_disk
    con = duckdb.connect(str(partnership.dbs["331"]), read_only=True)
    for f in doc["files"]:
        assert f["sha256"] == sha256_file(extract / f["path"])
        held = con.execute(
            f"SELECT count(*) FROM {f['table']} WHERE collection_year = ?", [f["year"]]
        ).fetchone()
        assert held == (f["rows"],)  # not a row lost on the way out
        assert f["path"].startswith(f"return={f['return']}/year={f['year']}/la=331/")


def test_k_anonymity_reported_and_coarsened_when_policy_asks(
    partnership: Partnership, tmp_path: Path
) -> None:
    doc = json.loads((partnership.extracts["330"] / "manifest.json").read_text())
    k = doc["k_anonymity"]
    assert k["k"] == 5 and k["coarsening_level"] == 0
    assert 0 < k["children_below_k"] <= k["children"]
    text = default_policy_path().read_text().replace("coarsen = false", "coarsen = true")
    policy_file = tmp_path / "coarse.toml"
    policy_file.write_text(text)
    summary = export(
        partnership.dbs["330"], partnership.key, tmp_path / "x", load_policy(policy_file)
    )
    assert summary.k.level > 0
    assert summary.k.at_risk < k["children_below_k"]


def test_wrong_key_length_is_one_clear_message(partnership: Partnership, tmp_path: Path) -> None:
    short = tmp_path / "short.key"
    short.write_text("ab" * 16)
    with pytest.raises(PoolError, match="16 bytes long; a partnership key is 32 bytes"):
        export(partnership.dbs["330"], short, tmp_path / "out", load_policy())
    assert not (tmp_path / "out").exists()
