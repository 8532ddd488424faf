"""One handle on the published figures: the merged store, its measure catalogue and its areas."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb

from datamonger.benchmarks import reference
from datamonger.benchmarks.areas import Areas
from datamonger.benchmarks.measures import Catalogue

NEIGHBOUR_MODELS = ("2025", "2021")


@dataclass(frozen=True, slots=True)
class Cell:
    """One published figure: a number, a suppression code, or neither (no figure)."""

    value: float | None
    code: str | None
    period: str | None


class Published:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    @classmethod
    def open(cls, reference_db: Path | None = None) -> Published:
        return cls(reference.connect(reference_db))

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.con)

    @cached_property
    def areas(self) -> Areas:
        return Areas.load(self.con)

    @cached_property
    def years(self) -> dict[str, list[int]]:
        """Years in which each measure has at least one LA figure (a number or a code)."""
        rows = self.con.execute(
            """select measure, list(distinct year order by year) from obs
            where length(area) = 3 and (value is not null or code is not null) group by measure"""
        ).fetchall()
        return {m: list(ys) for m, ys in rows}

    def neighbours(self, model: str) -> dict[str, list[str]]:
        rows = self.con.execute(
            "select la, list(neighbour order by rank) from neighbours where model = ? group by la",
            [model],
        ).fetchall()
        return {la: list(ns) for la, ns in rows}

    def cells(self, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Cell]]:
        """Every area's figure for each (measure, year) asked for."""
        out: dict[tuple[str, int], dict[str, Cell]] = defaultdict(dict)
        if not pairs:
            return out
        self.con.execute(
            "create or replace temp table wanted as select unnest(?::varchar[]) as measure, unnest(?::integer[]) as year",
            [[m for m, _ in pairs], [y for _, y in pairs]],
        )
        rows = self.con.execute(
            """select o.measure, o.year, o.area, o.value, o.code, o.period
            from obs o join wanted w using (measure, year)"""
        ).fetchall()
        for measure, year, area, value, code, period in rows:
            out[(measure, year)][area] = Cell(value, code, period)
        return out

    def series(
        self, areas: list[str], measures: list[str] | None = None
    ) -> dict[str, dict[str, dict[int, Cell]]]:
        """measure -> area -> year -> figure, for a few areas over all years."""
        out: dict[str, dict[str, dict[int, Cell]]] = defaultdict(lambda: defaultdict(dict))
        params: list[object] = list(areas)
        sql = f"select measure, area, year, value, code, period from obs where area in ({', '.join('?' * len(areas))})"
        if measures is not None:
            sql += f" and measure in ({', '.join('?' * len(measures))})"
            params += measures
        for measure, area, year, value, code, period in self.con.execute(sql, params).fetchall():
            out[measure][area][year] = Cell(value, code, period)
        return out
