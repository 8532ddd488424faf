"""The partnership's secret key, and the pseudonyms made with it.

A pseudonym is HMAC-SHA256(key, kind + ":" + identifier): the same child gets the same pseudonym
in every LA holding the same key, and nobody without the key can make one to test a guess (a plain
SHA-256 of an identifier could be reversed by hashing every possible identifier, a small space).

HMAC is computed in Python over the *distinct* identifiers only (a few thousand per LA) and joined
back to the tables in DuckDB through Arrow: never once per row of the big tables.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import duckdb
import pyarrow as pa

from datamonger.pool.errors import PoolError

KEY_BYTES = 32  # 256 bits, the block-size-independent strength HMAC-SHA256 gives
PSEUDONYM_HEX = 24  # 96 bits of the MAC: no collision among millions of children


def new_key() -> str:
    """A new partnership key, as the hex text `pool keygen` writes."""
    return secrets.token_hex(KEY_BYTES)


def read_key(path: Path) -> bytes:
    """The key in a key file: 64 hexadecimal characters (32 bytes), nothing else."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not plain text"
        raise PoolError(f"cannot read the key file {path}: {why}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise PoolError(
            f"the key file {path} does not hold hexadecimal text; make a key with "
            "`datamonger pool keygen` and share it with the partnership's LAs only"
        ) from None
    if len(key) != KEY_BYTES:
        raise PoolError(
            f"the key in {path} is {len(key)} bytes long; a partnership key is {KEY_BYTES} bytes "
            f"({2 * KEY_BYTES} hexadecimal characters): use the file `datamonger pool keygen` made"
        )
    return key


def fingerprint(key: bytes) -> str:
    """What the manifest says about the key: enough to tell two keys apart, nothing to rebuild it."""
    return hmac.new(key, b"datamonger-pool-key-fingerprint", hashlib.sha256).hexdigest()[:16]


def pseudonym(key: bytes, kind: str, identifier: str) -> str:
    mac = hmac.new(key, f"{kind}:{identifier}".encode(), hashlib.sha256)
    return mac.hexdigest()[:PSEUDONYM_HEX]


def register_map(
    con: duckdb.DuckDBPyConnection, name: str, key: bytes, kind: str, ids_sql: str
) -> int:
    """Register `name(id, pseudonym)` for the distinct identifiers `ids_sql` selects."""
    ids = con.sql(f"SELECT DISTINCT id FROM ({ids_sql}) WHERE id IS NOT NULL").to_arrow_table()
    values = ids.column("id").to_pylist()
    table = pa.table(
        {
            "id": pa.array(values, pa.string()),
            "pseudonym": pa.array([pseudonym(key, kind, v) for v in values], pa.string()),
        }
    )
    con.register(name, table)
    return table.num_rows
