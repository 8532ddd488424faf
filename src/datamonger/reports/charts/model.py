"""What a chart is once built: its Vega-Lite spec, its words and its figures."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Series:
    """One line of a trend chart: a label, its figures by year, and how it is drawn."""

    label: str
    points: dict[int, float]
    role: str = "other"  # la, own, england, region, neighbours: picks colour and dash


@dataclass
class Chart:
    kind: str  # trend, strip, ranked, funnel
    title: str
    spec: dict[str, Any]
    alt: str  # the text alternative: what the chart shows, in words
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    highlight: str | None = None  # the row label to mark in the table (the LA)

    @property
    def spec_json(self) -> str:
        return json.dumps(self.spec, separators=(",", ":"), sort_keys=True, default=str)

    @property
    def spec_hash(self) -> str:
        return hashlib.sha256(self.spec_json.encode()).hexdigest()[:16]
