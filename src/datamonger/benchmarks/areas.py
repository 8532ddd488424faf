"""Local authorities and regions: finding an LA however the analyst writes it.

An LA is identified by its DfE 3-digit number. It can be asked for by that number, by any ONS code it
has had (E06/E08/E09/E10; North Yorkshire answers to both E10000023 and E06000065), or by name,
case-insensitively and tolerant of "&"/"and", "City of", "Borough", "County", punctuation.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property

import duckdb

from datamonger.benchmarks.paths import published_dir

ENGLAND = "E92000001"
_DROP_WORDS = {"city", "of", "the", "council", "borough", "county", "royal", "metropolitan"}


class UnknownArea(LookupError):
    def __init__(self, asked: str, suggestions: list[str], what: str = "local authority") -> None:
        self.asked = asked
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"No {what} matches {asked!r}.{hint} Give the name, the ONS code (E06..., E08..., "
            "E09..., E10...) or the DfE 3-digit number; `datamonger las` lists them all."
        )


def normalise(name: str) -> str:
    text = name.lower().replace("&", " and ")
    text = re.sub(r"\(pre lg\)", " former ", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    words = [w for w in text.split() if w not in _DROP_WORDS]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class LA:
    number: str  # DfE 3-digit LA number
    name: str
    region_code: str | None
    region_name: str | None
    current: bool  # in the 2025 statistical neighbour model (the 153 LAs of today)
    ons_codes: tuple[str, ...] = ()
    change_note: str | None = None  # boundary change, from curated/la_changes.csv
    first_year: int | None = None
    last_year: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "la_number": self.number,
            "name": self.name,
            "ons_codes": list(self.ons_codes),
            "region": self.region_name,
            "current": self.current,
            "change_note": self.change_note,
        }


def _regions() -> dict[str, Region]:
    with (published_dir() / "curated" / "regions.csv").open(encoding="utf-8") as f:
        return {r["code"]: Region(r["code"], r["name"]) for r in csv.DictReader(f)}


def _changes() -> dict[str, dict[str, str]]:
    with (published_dir() / "curated" / "la_changes.csv").open(encoding="utf-8") as f:
        return {r["la_number"]: r for r in csv.DictReader(f)}


@dataclass
class Areas:
    las: dict[str, LA]
    regions: dict[str, Region]
    _aliases: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> Areas:
        regions = _regions()
        changes = _changes()
        current = {
            r[0]
            for r in con.execute(
                "select distinct la from neighbours where model = '2025'"
            ).fetchall()
        }
        rows = con.execute(
            """select code, list(distinct name), list(distinct region_code) filter (where region_code is not null),
                   list(distinct ons_code) filter (where ons_code is not null),
                   -- EES names are the plain ones; LAIT adds '(Pre LG)' to abolished LAs
                   first(name order by source like 'EES%' desc, source desc)
            from areas where level = 'la' group by code"""
        ).fetchall()
        las: dict[str, LA] = {}
        aliases: dict[str, set[str]] = {}
        for code, names, region_codes, ons, preferred in rows:
            change = changes.get(code, {})
            # An LA in both London halves over time does not happen; prefer Inner/Outer over London.
            region_code = next(
                iter(sorted(region_codes or [], key=lambda c: not c.startswith("E13"))), None
            )
            name = preferred
            if change.get("name") and code not in current:
                name = change["name"]
            la = LA(
                number=code,
                name=name,
                region_code=region_code,
                region_name=regions[region_code].name if region_code in regions else None,
                current=code in current,
                ons_codes=tuple(sorted(ons or [])),
                change_note=change.get("note") or None,
                first_year=int(change["first_year"]) if change.get("first_year") else None,
                last_year=int(change["last_year"]) if change.get("last_year") else None,
            )
            las[code] = la
            for alias in {*names, name, *la.ons_codes, code}:
                aliases.setdefault(alias.lower(), set()).add(code)
                aliases.setdefault(normalise(alias), set()).add(code)
        return cls(las, regions, aliases)

    @cached_property
    def _names(self) -> dict[str, str]:
        return {la.name: la.number for la in self.las.values()}

    def find(self, asked: str) -> LA:
        text = asked.strip()
        if text.isdigit() and text.zfill(3) in self.las:
            return self.las[text.zfill(3)]
        for key in (text.lower(), normalise(text)):
            codes = self._aliases.get(key)
            if codes:
                # "Dorset" is today's Dorset (838), not the former county (835).
                best = sorted(codes, key=lambda c: (not self.las[c].current, c))
                return self.las[best[0]]
        raise UnknownArea(asked, self.suggest(text))

    def suggest(self, text: str, n: int = 5) -> list[str]:
        names = list(self._names)
        by_norm = {normalise(nm): nm for nm in names}
        found = difflib.get_close_matches(normalise(text), list(by_norm), n=n, cutoff=0.5)
        result = [by_norm[f] for f in found]
        result += [nm for nm in names if normalise(text) and normalise(text) in normalise(nm)]
        unique = list(dict.fromkeys(result))[:n]
        return [f"{nm} ({self._names[nm]})" for nm in unique]

    def find_region(self, asked: str) -> list[str]:
        """Region codes for a region name; "London" means Inner and Outer London together."""
        wanted = normalise(asked) or asked.lower()
        for code, region in self.regions.items():
            if code == ENGLAND:
                continue
            if (
                asked.upper() == code
                or normalise(region.name) == wanted
                or region.name.lower() == asked.lower()
            ):
                if code == "E12000007":
                    return [code, "E13000001", "E13000002"]
                return [code]
        names = [r.name for c, r in self.regions.items() if c != ENGLAND]
        close = difflib.get_close_matches(asked, names, n=3, cutoff=0.4)
        raise UnknownArea(asked, close or names, what="region")

    def in_region(self, la: LA, region_codes: list[str]) -> bool:
        return la.region_code in region_codes

    def name(self, code: str) -> str:
        if code in self.las:
            return self.las[code].name
        if code in self.regions:
            return self.regions[code].name
        return code
