"""The manifest of an extract (and of the pool): what it holds and how to check it.

{"format": "datamonger-pool-extract", "format_version": 1, "datamonger_version": "0.1.0",
 "la": "330", "years": {"cin": [2024, 2025], ...}, "policy": {"name", "sha256"},
 "key_fingerprint": "...", "k_anonymity": {...}, "created_at": "...",
 "files": [{"path", "return", "year", "table", "rows", "sha256"}, ...]}
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from datamonger import __version__
from datamonger.pool.errors import PoolError

MANIFEST = "manifest.json"
FORMAT = "datamonger-pool-extract"
FORMAT_VERSION = 1


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def partition(return_name: str, year: int, la: str) -> str:
    return f"return={return_name}/year={year}/la={la}"


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def write(folder: Path, manifest: dict[str, Any]) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read(folder: Path) -> dict[str, Any]:
    """The manifest of an extract folder, checked for shape and version (not yet the files)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise PoolError(
            f"{folder} has no {MANIFEST}: it is not a pool extract (make one with "
            "`datamonger pool export`)"
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PoolError(f"{path} cannot be read as a manifest ({exc}): export it again") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PoolError(f"{path} is not a Datamonger pool extract manifest")
    made_by = str(doc.get("datamonger_version", ""))
    if doc.get("format_version") != FORMAT_VERSION or version_tuple(made_by) > version_tuple(
        __version__
    ):
        raise PoolError(
            f"{folder} was exported by Datamonger {made_by}, newer than this one ({__version__}): "
            "upgrade Datamonger where the pool is kept, then import again"
        )
    for key in ("la", "years", "policy", "key_fingerprint", "files"):
        if key not in doc:
            raise PoolError(f"{path} has no '{key}': the manifest is incomplete; export it again")
    return doc


def verify_files(folder: Path, doc: dict[str, Any]) -> None:
    """Every file listed is there with its hash, every partition of every year is there, and
    nothing else is: a tampered, missing or extra file refuses the whole extract."""
    la = str(doc["la"])
    listed = set()
    for entry in doc["files"]:
        rel = str(entry["path"])
        listed.add(rel)
        expect = partition(entry["return"], int(entry["year"]), la)
        if not rel.startswith(expect + "/") or ".." in rel:
            raise PoolError(f"{folder}: {rel} is not in the partition of LA {la}: refused")
        path = folder / rel
        if not path.is_file():
            raise PoolError(
                f"{folder}: the partition file {rel} is missing; copy the whole extract folder "
                "again (or export it again)"
            )
        if sha256_file(path) != entry["sha256"]:
            raise PoolError(
                f"{folder}: {rel} does not match its SHA-256 in the manifest: the file was "
                "changed or damaged after export; export it again"
            )
    for return_name, years in doc["years"].items():
        for year in years:
            prefix = partition(return_name, int(year), la) + "/"
            if not any(p.startswith(prefix) for p in listed):
                raise PoolError(
                    f"{folder}: the manifest lists {return_name} {year} but no file of its "
                    "partition: export it again"
                )
    found = {p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet")}
    extra = sorted(found - listed)
    if extra:
        raise PoolError(
            f"{folder}: {extra[0]} is not listed in the manifest: an extract holds only what "
            "it lists; export it again"
        )
