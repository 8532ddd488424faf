"""The DfE's rule lists, shipped with the package (data/*.tsv, see data/PROVENANCE.md).

Messages, fields, tables and the collection years each rule is in force are read from here, so no
DfE wording is ever retyped in the code.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

RETURNS = ("ssda903", "cin")


@dataclass(frozen=True, slots=True)
class Entry:
    return_: str
    code: str
    message: str
    fields: tuple[str, ...]
    tables: tuple[str, ...]
    years: tuple[int, ...]  # collection years (ending) in which the rule is in force
    severity: str | None  # "error" / "query" when the list says; None otherwise
    status: str


def _years(text: str) -> tuple[int, ...]:
    # "2022_23,2023_24" or "cin2022_23;cin2023_24" -> (2023, 2024)
    return tuple(sorted({int(a) + 1 for a in re.findall(r"(\d{4})_\d{2}", text)}))


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in re.split(r"[,;]", text or "") if x.strip())


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("datamonger.validation").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def entries(return_name: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    if return_name == "ssda903":
        for r in _read("ssda903_rules.tsv"):
            out[r["rule_code"]] = Entry(
                "ssda903",
                r["rule_code"],
                r["message"],
                _split(r["fields_affected"]),
                _split(r["tables"]),
                _years(r["in_rulesets"]),
                None,
                r["status"],
            )
    elif return_name == "cin":
        for r in _read("cin_rules.tsv"):
            out[r["rule_code"]] = Entry(
                "cin",
                r["rule_code"],
                r["message"],
                _split(r["affected_fields"]),
                _split(r["tables_referenced"]),
                _years(r["in_rulesets"]),
                r["rule_type"].strip().lower() or None,
                "active" if _years(r["in_rulesets"]) else "never_active",
            )
    else:
        raise KeyError(return_name)
    return out


@cache
def known_years(return_name: str) -> tuple[int, ...]:
    return tuple(sorted({y for e in entries(return_name).values() for y in e.years}))


def ruleset_year(return_name: str, year: int) -> int:
    """The rule set that applies to `year`: years after the last published set use the last one."""
    years = known_years(return_name)
    return min(year, years[-1]) if years else year


def in_force(return_name: str, year: int) -> list[Entry]:
    y = ruleset_year(return_name, year)
    return [e for e in entries(return_name).values() if y in e.years]
