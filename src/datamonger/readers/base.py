"""What every reader takes and gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from datamonger.problems import Problem
from datamonger.returns import TableSpec

# stage(spec, chunk, date_format): chunk maps field names (values as written, None for absent),
# generated keys and "source_line" to equal-length lists or Arrow arrays. The loader adds the file.
Stage = Callable[[TableSpec, dict[str, Any], str], None]

CHUNK_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps for hostile input; each breach is refused with a clear message."""

    max_file_bytes: int = 2 * 1024**3
    max_field_chars: int = 10_000


@dataclass(slots=True)
class FileResult:
    return_name: str  # "ssda903" or "cin"
    tables: dict[str, int] = field(default_factory=dict)  # DfE table name -> rows staged
    year: int | None = None  # collection year read from the file itself, when it says
    la: str | None = None  # LA code read from the file itself, when it says
    problems: list[Problem] = field(default_factory=list)
    # problems past the listed ones, columnar (pyarrow tables of the load_problems columns but
    # loaded_at): stored in bulk with the others, summarised in the report
    more_problems: list[Any] = field(default_factory=list)


class Chunker:
    """Collects rows per table and stages them CHUNK_ROWS at a time, so memory stays flat."""

    def __init__(self, stage: Stage, date_format: str, size: int = CHUNK_ROWS) -> None:
        self.stage, self.date_format, self.size = stage, date_format, size
        self.buffers: dict[str, tuple[TableSpec, dict[str, list[Any]]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, spec: TableSpec, row: dict[str, Any]) -> None:
        """`row` holds source_line, the generated keys and any fields present."""
        entry = self.buffers.get(spec.name)
        if entry is None:
            cols: dict[str, list[Any]] = {
                c: [] for c in ("source_line", *spec.keys, *spec.field_names)
            }
            entry = self.buffers[spec.name] = (spec, cols)
        cols = entry[1]
        for c, values in cols.items():
            values.append(row.get(c))
        self.counts[spec.name] = self.counts.get(spec.name, 0) + 1
        if len(cols["source_line"]) >= self.size:
            self.flush(spec.name)

    def flush(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.buffers):
            spec, cols = self.buffers[key]
            if cols["source_line"]:
                self.stage(spec, cols, self.date_format)
                for values in cols.values():
                    values.clear()
