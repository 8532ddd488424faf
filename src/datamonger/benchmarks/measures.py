"""The catalogue of measures: LAIT keys (`Short Desc`), EES columns and the derived ratios.

An EES measure is written `file:column[filter=value;filter=value]`: `file` is the EES file's name
without `.csv` and without a `_2013_to_2025` year span, `column` a value column, and the brackets name a
value for each filter column that has more than one value in the file, e.g.
`cla_number_and_rate_per_10k_children:rate_per_10000[population_type=Children looked after on 31 March each year]`.
Filters may be given in any order and case; a filter value may be shortened to a unique part of it
(`[population_type=on 31 March]`). `datamonger measures --search TEXT` lists the exact keys.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

_EES_KEY = re.compile(r"^(?P<stem>[^:\[\]]+):(?P<column>[^\[\]]+)(?:\[(?P<filters>.*)\])?$")


class UnknownMeasure(LookupError):
    def __init__(self, asked: str, suggestions: list[str]) -> None:
        self.asked = asked
        self.suggestions = suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(
            f"No published measure matches {asked!r}.{hint} `datamonger measures --search TEXT` "
            "lists the keys."
        )


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    title: str
    source: str  # LAIT, EES or derived
    topic: str | None
    polarity: str  # High, Low or - (no better direction)
    quartiles: bool  # False for LAIT's No_Quartile measures
    unit: str | None
    dps: int | None
    description: str | None
    methodology: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "source": self.source,
            "topic": self.topic,
            "polarity": self.polarity,
            "quartiles": self.quartiles,
            "unit": self.unit,
        }


def _title(key: str, title: str | None) -> str:
    if title:
        return title
    m = _EES_KEY.match(key)
    if not m:
        return key
    filters = m.group("filters")
    values = [part.split("=", 1)[-1] for part in filters.split(";")] if filters else []
    return m.group("column").replace("_", " ") + (f" ({'; '.join(values)})" if values else "")


class Catalogue:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute(
            """select key, title, source, topic, polarity, quartiles, unit, dps, description,
                      methodology from measures"""
        ).fetchall()
        self.measures: dict[str, Measure] = {}
        for key, title, source, topic, polarity, quartiles, unit, dps, desc, meth in rows:
            self.measures[key] = Measure(
                key,
                _title(key, title),
                source,
                topic,
                polarity if polarity in ("High", "Low") else "-",
                bool(quartiles) if quartiles is not None else True,
                unit,
                dps,
                desc,
                meth,
            )
        self._lower = {k.lower(): k for k in self.measures}
        titles: dict[str, list[str]] = {}
        for k, m in self.measures.items():
            titles.setdefault(m.title.lower(), []).append(k)
        # a title picked from the explorer's list names its measure, where no other has it
        self._titles = {t: ks[0] for t, ks in titles.items() if len(ks) == 1}

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.measures.values())

    def get(self, asked: str) -> Measure:
        text = asked.strip()
        if text in self.measures:
            return self.measures[text]
        if text.lower() in self._lower:
            return self.measures[self._lower[text.lower()]]
        key = self._match_ees(text) or self._titles.get(text.lower())
        if key:
            return self.measures[key]
        raise UnknownMeasure(asked, self.suggest(text))

    def _match_ees(self, text: str) -> str | None:
        m = _EES_KEY.match(text)
        if not m:
            return None
        stem = re.sub(r"_\d{4}_to_\d{4}$", "", m.group("stem").strip().removesuffix(".csv")).lower()
        column = m.group("column").strip().lower()
        wanted = {}
        for part in (m.group("filters") or "").split(";"):
            if "=" in part:
                name, value = part.split("=", 1)
                wanted[name.strip().lower()] = value.strip().lower()
        candidates = []
        for key in self.measures:
            km = _EES_KEY.match(key)
            if not km or km.group("stem").lower() != stem or km.group("column").lower() != column:
                continue
            have = {}
            for part in (km.group("filters") or "").split(";"):
                if "=" in part:
                    name, value = part.split("=", 1)
                    have[name.lower()] = value.lower()
            if set(wanted) != set(have):
                continue
            if all(have[n] == v for n, v in wanted.items()):
                return key
            if all(v in have[n] for n, v in wanted.items()):
                candidates.append(key)
        return candidates[0] if len(candidates) == 1 else None

    def suggest(self, text: str, n: int = 5) -> list[str]:
        lowered = text.lower()
        close = difflib.get_close_matches(text, list(self.measures), n=n, cutoff=0.6)
        words = [w for w in re.split(r"[^a-z0-9]+", lowered) if len(w) > 2]
        for m in self.measures.values():
            hay = f"{m.key} {m.title}".lower()
            if words and all(w in hay for w in words):
                close.append(m.key)
        return list(dict.fromkeys(close))[:n]

    def search(self, text: str | None) -> list[Measure]:
        if not text:
            return sorted(self.measures.values(), key=lambda m: (m.source, m.key))
        words = text.lower().split()
        found = [
            m
            for m in self.measures.values()
            if all(
                w in f"{m.key} {m.title} {m.topic or ''} {m.description or ''}".lower()
                for w in words
            )
        ]
        return sorted(found, key=lambda m: (m.source, m.key))
