"""What CSV files and XLSX sheets share: recognising the SSDA903 table from its header, and
turning numbered rows into staged rows without losing any.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import CHUNK_ROWS, FileResult, Limits, Stage
from datamonger.returns import TableSpec, ssda903

MAX_LISTED = 20  # problems of one kind listed one by one before they are summed up


def match_table(names: Sequence[str], file: str, line: int, where: str = "") -> TableSpec:
    """The SSDA903 table whose header is exactly this set of column names (order ignored)."""
    clean = [n.strip().lstrip("\ufeff").strip() for n in names]
    while clean and clean[-1] == "":  # Excel writes empty trailing header cells
        clean.pop()
    seen: set[str] = set()
    dupes = sorted({n for n in clean if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dupes:
        raise Refused(
            Problem(
                Severity.ERROR,
                "duplicate_columns",
                f"{where}The header names {', '.join(dupes)} more than once.",
                file=file,
                line=line,
                hint="Remove the repeated column and load the file again.",
            )
        )
    spec = ssda903.BY_HEADER.get(frozenset(clean))
    if spec is not None:
        return spec
    # Tell the analyst which table it most looks like and exactly what differs.
    given = {n.upper() for n in clean}
    best = max(
        ssda903.TABLES,
        key=lambda t: len(given & set(t.csv_names)) / len(given | set(t.csv_names)),
    )
    overlap = given & set(best.csv_names)
    missing = [c for c in best.csv_names if c not in given]
    extra = [c for c in clean if c.upper() not in best.csv_names]
    case_only = not missing and not extra
    if case_only:
        msg = f"{where}The header matches the {best.name} table except for the case of some names."
        code = "unknown_table"
        _raise(msg, code, file, line, best, best.name)
    elif len(overlap) * 2 >= len(best.csv_names):
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected {', '.join(extra)}")
        msg = f"{where}The header looks like the {best.name} table but has {'; '.join(parts)}."
        code = "missing_columns" if missing else "unexpected_columns"
        _raise(msg, code, file, line, best, best.name)
    else:
        msg = (
            f"{where}The header ({', '.join(clean[:8])}{', ...' if len(clean) > 8 else ''}) "
            f"matches no SSDA903 table; the closest is {best.name}."
        )
        code = "unknown_table"
    _raise(msg, code, file, line, best)


def _raise(
    msg: str, code: str, file: str, line: int, best: TableSpec, table: str | None = None
) -> NoReturn:
    raise Refused(
        Problem(
            Severity.ERROR,
            code,
            msg,
            file=file,
            line=line,
            hint=f"The {best.name} header is: {','.join(best.csv_names)}. "
            "Column names must match exactly (order does not matter).",
        ),
        table,
    )


def stage_rows(
    spec: TableSpec,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    stage: Stage,
    result: FileResult,
    limits: Limits,
    file: str,
    where: str = "",
    kept: set[int] | None = None,
) -> int:
    """Stage numbered rows under the header, column-wise in chunks; return how many were staged.

    The file is refused on a row that cannot be read whole. Lines in `kept` are staged even when
    empty (a workbook row of formulas with no saved result: reported, and not lost). This loop runs once per row of every
    table, so it does as little per row as it can and builds columns only when a chunk is full.
    """
    names = [n.strip().lstrip("\ufeff").strip() for n in header]
    width = len(names)
    while width and names[width - 1] == "":
        width -= 1
    names = names[:width]
    blank: list[int] = []
    short: list[int] = []
    lines: list[int] = []
    body: list[Sequence[str]] = []
    staged = 0
    limit = limits.max_field_chars
    pad: tuple[str, ...] = ("",) * width

    def flush() -> None:
        nonlocal staged
        if not lines:
            return
        columns = list(zip(*body, strict=True))
        chunk: dict[str, list[Any]] = {"source_line": list(lines)}
        for name, col in zip(names, columns, strict=True):
            chunk[name] = [v or None for v in col]  # an empty cell is nothing written
        stage(spec, chunk, ssda903.DATE_FORMAT)
        staged += len(lines)
        lines.clear()
        body.clear()

    for line, cells in rows:
        joined = "".join(cells)  # cells are text ("" when empty): the readers see to that
        if not joined.strip() and not (kept and line in kept):
            blank.append(line)
            continue
        n = len(cells)
        if n != width:
            if n > width and any(cells[width:]):
                raise Refused(
                    Problem(
                        Severity.ERROR,
                        "ragged_row",
                        f"{where}Line {line} has {n} cells but the header has {width} columns.",
                        file=file,
                        line=line,
                        hint="A value probably contains an unquoted comma; quote it or remove it.",
                    ),
                    spec.name,
                )
            if n < width:
                short.append(line)
            cells = (tuple(cells) + pad)[:width]
        if len(joined) > limit:
            _check_lengths(names, cells, limit, file, line, where, spec.name)
        lines.append(line)
        body.append(cells)
        if len(lines) >= CHUNK_ROWS:
            flush()
    flush()
    if blank:
        result.problems.append(
            Problem(
                Severity.INFO,
                "blank_rows",
                f"{where}{len(blank)} blank row(s) skipped (line(s) {_lines(blank)}).",
                file=file,
                line=blank[0],
            )
        )
    if short:
        result.problems.append(
            Problem(
                Severity.WARNING,
                "ragged_row",
                f"{where}{len(short)} row(s) have fewer cells than the header; the missing cells "
                f"are read as empty (line(s) {_lines(short)}).",
                file=file,
                line=short[0],
            )
        )
    return staged


def _check_lengths(
    names: Sequence[str],
    cells: Sequence[str | None],
    limit: int,
    file: str,
    line: int,
    where: str,
    table: str,
) -> None:
    for name, value in zip(names, cells, strict=False):
        if value is not None and len(value) > limit:
            raise Refused(
                Problem(
                    Severity.ERROR,
                    "field_too_long",
                    f"{where}The value in column {name} on line {line} is {len(value):,} "
                    f"characters long; the limit is {limit:,}.",
                    file=file,
                    line=line,
                    column=name,
                    hint="Check the export: no field of a return is that long.",
                ),
                table,
            )


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:MAX_LISTED])
    return shown + (f" and {len(lines) - MAX_LISTED} more" if len(lines) > MAX_LISTED else "")
