"""The pool policy: the data-sharing agreement as data (which field is kept, cut or dropped).

A policy is a TOML file (the default ships as `data/pool/default_policy.toml`). Its SHA-256 goes
into every extract's manifest; a pool accepts extracts made under one policy only.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from datamonger.pool.errors import PoolError
from datamonger.returns import TableSpec

ACTIONS = ("keep", "pseudonym", "month", "sector", "drop")
# Provenance and generated keys every row carries: kept (source_file cut to the file's name).
ALWAYS_KEPT = ("collection_year", "source_file", "source_line")


def default_policy_path() -> Path:
    return Path(str(resources.files("datamonger"))) / "data" / "pool" / "default_policy.toml"


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    sha256: str  # of the file's bytes: what two LAs must agree on
    default: str
    k: int
    coarsen: bool
    actions: dict[str, str] = field(default_factory=dict)

    def action(self, table: str, name: str) -> str:
        for rule in (f"{table}.{name}", f"*.{name}", f"{table}.*"):
            if rule in self.actions:
                return self.actions[rule]
        return self.default

    def plan(self, spec: TableSpec) -> list[tuple[str, str]]:
        """(field, action) for every field of a table, in the store's order."""
        return [(f.name, self.action(spec.store_name, f.name)) for f in spec.fields]


def load_policy(path: Path | None = None) -> Policy:
    path = path or default_policy_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PoolError(f"cannot read the policy file {path}: {exc.strerror}") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PoolError(f"the policy file {path} is not valid TOML: {exc}") from None
    actions = doc.get("actions", {})
    if not isinstance(actions, dict):
        raise PoolError(f'{path}: [actions] must be a table of "table.field" = "action"')
    default = doc.get("default", "drop")
    for rule, act in [*actions.items(), ("default", default)]:
        if act not in ACTIONS:
            raise PoolError(
                f"{path}: '{rule}' has the action '{act}'; use one of {', '.join(ACTIONS)}"
            )
    k = doc.get("k", 5)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise PoolError(f"{path}: k must be a whole number of at least 1, not {k!r}")
    coarsen = doc.get("coarsen", False)
    if not isinstance(coarsen, bool):
        raise PoolError(f"{path}: coarsen must be true or false, not {coarsen!r}")
    return Policy(
        name=str(doc.get("name", path.stem)),
        sha256=hashlib.sha256(data).hexdigest(),
        default=default,
        k=k,
        coarsen=coarsen,
        actions=dict(actions),
    )
