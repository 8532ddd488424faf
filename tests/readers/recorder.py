"""What the XML reader tests share: a stage that keeps every row, and lines found in the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamonger.readers.base import FileResult, Limits
from datamonger.readers.xml import read_xml
from datamonger.returns import TableSpec


class Recorder:
    """A stage that keeps every staged row as a dict, per DfE table name."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.formats: set[str] = set()

    def __call__(self, spec: TableSpec, chunk: dict[str, list[Any]], fmt: str) -> None:
        self.formats.add(fmt)
        cols = list(chunk)
        for values in zip(*(chunk[c] for c in cols), strict=True):
            self.rows.setdefault(spec.name, []).append(dict(zip(cols, values, strict=True)))


def read(path: Path) -> tuple[FileResult, Recorder]:
    rec = Recorder()
    return read_xml(path, rec, Limits()), rec


def lines_of(path: Path, needle: str) -> list[int]:
    """Numbers of the lines holding `needle`, found in the text itself."""
    text = path.read_text(encoding="utf-8")
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
