"""Options shared by several commands, declared once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_DB = Path("datamonger.duckdb")

DbOption = Annotated[Path, typer.Option("--db", help="The DuckDB database file.", dir_okay=False)]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="Collection year as the DfE writes it: the year in which it ends (2025 = 2024/25).",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of the terminal.")
]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
