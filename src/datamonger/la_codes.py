"""English LAs' codes, read once for validation and the indicators (`data/postcodes/la_ons_to_dfe.csv`).

An LA has a DfE number (370) and an ONS code, but two ONS codes can be current at once: the DfE's
statistics still name Barnsley and Sheffield E08000016 and E08000019, while the ONS postcode
directory (ONSPD 2025) writes E08000038 and E08000039 for their postcodes. The file gives the
statistics' code first and the directory's in an alias row. `lookup` accepts any of the three and
gives both ONS codes: `ons` to match published figures, `directory` to compare placements' LAs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True, slots=True)
class LACodes:
    dfe: str  # DfE number, e.g. "370"
    ons: str  # as the DfE's statistics name the LA (E08000016)
    directory: str  # as the ONS postcode directory writes its postcodes' LA (E08000038)
    name: str


def path() -> Path:
    return Path(str(resources.files("datamonger"))) / "data" / "postcodes" / "la_ons_to_dfe.csv"


@cache
def _table() -> dict[str, LACodes]:
    with path().open(encoding="utf-8", newline="") as fh:
        rows = [
            (r["dfe_la_number"].strip(), r["ons_la_code"].strip().upper(), r["la_name"].strip(), r)
            for r in csv.DictReader(fh)
        ]
    ons: dict[str, str] = {}
    directory: dict[str, str] = {}
    for dfe, code, _, row in rows:
        if (row.get("note") or "").startswith("alias: ONSPD"):
            directory[dfe] = code
        else:
            ons.setdefault(dfe, code)
    out: dict[str, LACodes] = {}
    for dfe, code, name, _ in rows:
        la = LACodes(dfe, ons.get(dfe, code), directory.get(dfe, ons.get(dfe, code)), name)
        out[code] = out[dfe] = la
    return out


def lookup(code: str | None) -> LACodes | None:
    """The LA named by a DfE number or either of its ONS codes; None when the file has none."""
    return _table().get(code.strip().upper()) if code else None


def directory(code: str | None) -> str | None:
    """The LA as the postcode directory writes it, from any of its codes; a code the file does
    not have, as given (upper case)."""
    if not code:
        return None
    found = lookup(code)
    return found.directory if found else code.strip().upper()


def all_codes() -> dict[str, LACodes]:
    """Every code an LA may be named by -> its codes."""
    return dict(_table())
