"""`pool import`: verified extracts into the pooled store, all or nothing.

The pool is a folder laid out as the extracts are (`return=/year=/la=/<table>.parquet`) with
`pool.json` saying which policy and key it holds and where each partition came from. An import
first checks every extract (manifest, version, policy, key, every file's SHA-256, no partition
missing), then copies the partitions into a hidden staging folder, checks the copies, and only
then swaps each `return/year/la` partition in by renames: re-importing an LA's year replaces that
partition, and each partition holds one LA only. A refusal leaves the pool as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamonger import __version__
from datamonger.pool import keys, manifest
from datamonger.pool.errors import PoolError

POOL_FILE = "pool.json"


@dataclass(slots=True)
class ImportSummary:
    pool: Path
    imported: list[tuple[str, str, int, bool]] = field(
        default_factory=list
    )  # la, return, year, replaced


def read_pool(pool: Path) -> dict[str, Any]:
    path = pool / POOL_FILE
    if not path.is_file():
        return {"format": "datamonger-pool", "policy": None, "key_fingerprint": None, "las": {}}
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PoolError(f"{path} cannot be read ({exc}): is {pool} a Datamonger pool?") from None
    return doc


def _check_agree(docs: list[tuple[Path, dict[str, Any]]], pool_doc: dict[str, Any]) -> None:
    policy = pool_doc.get("policy")
    fp = pool_doc.get("key_fingerprint")
    seen: dict[str, Path] = {}
    for folder, doc in docs:
        sha = doc["policy"]["sha256"]
        if policy is None:
            policy = doc["policy"]
        elif sha != policy["sha256"]:
            raise PoolError(
                f"{folder} was exported under another policy ('{doc['policy']['name']}', "
                f"{sha[:12]}) than the pool's ('{policy['name']}', {policy['sha256'][:12]}): "
                "the LA must export again with the partnership's policy file"
            )
        if fp is None:
            fp = doc["key_fingerprint"]
        elif doc["key_fingerprint"] != fp:
            raise PoolError(
                f"{folder} was exported with another key (fingerprint {doc['key_fingerprint']}) "
                f"than the pool's ({fp}): its pseudonyms would not match; the LA must export "
                "again with the partnership's key"
            )
        la = str(doc["la"])
        if la in seen:
            raise PoolError(f"{seen[la]} and {folder} are both extracts of LA {la}: give one")
        seen[la] = folder


def import_extracts(folders: list[Path], pool: Path, key_file: Path | None = None) -> ImportSummary:
    if not folders:
        raise PoolError("give at least one extract folder")
    pool_doc = read_pool(pool)
    if key_file is not None:
        fp = keys.fingerprint(keys.read_key(key_file))
        if pool_doc.get("key_fingerprint") not in (None, fp):
            raise PoolError(f"the key in {key_file} is not the key of the pool {pool}")
        pool_doc["key_fingerprint"] = fp
    docs = []
    for folder in folders:
        if not folder.is_dir():
            raise PoolError(f"{folder} is not a folder: give the extract's folder")
        doc = manifest.read(folder)
        manifest.verify_files(folder, doc)
        docs.append((folder, doc))
    _check_agree(docs, pool_doc)
    pool.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{dt.datetime.now().strftime('%H%M%S%f')}"
    staging, trash = pool / f".staging-{stamp}", pool / f".replaced-{stamp}"
    try:
        parts = _stage(docs, staging)
        return _swap(pool, pool_doc, docs, parts, staging, trash)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(trash, ignore_errors=True)


def _stage(docs: list[tuple[Path, dict[str, Any]]], staging: Path) -> list[str]:
    """Copy every partition into staging and check the copies; gives the partitions."""
    parts: list[str] = []
    for folder, doc in docs:
        for entry in doc["files"]:
            src = folder / entry["path"]
            dst = staging / entry["path"]
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            if manifest.sha256_file(dst) != entry["sha256"]:
                raise PoolError(f"{src} changed while it was being imported: import it again")
            part = manifest.partition(entry["return"], int(entry["year"]), str(doc["la"]))
            if part not in parts:
                parts.append(part)
    return parts


def _swap(
    pool: Path,
    pool_doc: dict[str, Any],
    docs: list[tuple[Path, dict[str, Any]]],
    parts: list[str],
    staging: Path,
    trash: Path,
) -> ImportSummary:
    summary = ImportSummary(pool)
    moved: list[tuple[Path, Path | None]] = []  # (partition, where the old one went)
    try:
        for part in parts:
            target = pool / part
            old = None
            if target.exists():
                old = trash / part
                old.parent.mkdir(parents=True, exist_ok=True)
                target.rename(old)
            target.parent.mkdir(parents=True, exist_ok=True)
            (staging / part).rename(target)
            moved.append((target, old))
        _record(pool, pool_doc, docs, summary)
    except BaseException:
        for target, old in reversed(moved):  # put the pool back as it was
            shutil.rmtree(target, ignore_errors=True)
            if old is not None:
                old.rename(target)
        raise
    return summary


def _record(
    pool: Path, pool_doc: dict[str, Any], docs: list[tuple[Path, dict[str, Any]]], s: ImportSummary
) -> None:
    for _, doc in docs:
        pool_doc["policy"] = pool_doc.get("policy") or doc["policy"]
        pool_doc["key_fingerprint"] = pool_doc.get("key_fingerprint") or doc["key_fingerprint"]
        la = str(doc["la"])
        entry = pool_doc["las"].setdefault(la, {"partitions": {}})
        for return_name, years in doc["years"].items():
            for year in years:
                part = manifest.partition(return_name, int(year), la)
                s.imported.append((la, return_name, int(year), part in entry["partitions"]))
                entry["partitions"][part] = {
                    "files": [f for f in doc["files"] if f["path"].startswith(part + "/")],
                    "exported_at": doc.get("created_at"),
                    "exported_by": doc.get("datamonger_version"),
                    "k_anonymity": doc.get("k_anonymity"),
                }
    pool_doc["datamonger_version"] = __version__
    tmp = pool / (POOL_FILE + ".new")
    tmp.write_text(json.dumps(pool_doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, pool / POOL_FILE)
