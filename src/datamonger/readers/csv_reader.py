"""SSDA903 tables saved as CSV: UTF-8, UTF-8 with a byte-order mark, or Windows-1252 as Excel saves.

The encoding is settled by reading the whole file once in binary chunks before any row is staged,
so a stray Windows-1252 byte on the last line never leaves half a file staged.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import FileResult, Limits, Stage
from datamonger.readers.tabular import match_table, stage_rows

_CHUNK = 1 << 20


def detect_encoding(path: Path) -> str:
    """utf-8-sig when every byte decodes as UTF-8 (a BOM is dropped), otherwise cp1252."""
    decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while block := fh.read(_CHUNK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    decoder = codecs.getincrementaldecoder("cp1252")()
    with path.open("rb") as fh:
        try:
            while block := fh.read(_CHUNK):
                decoder.decode(block)
        except UnicodeDecodeError as exc:
            raise Refused(
                Problem(
                    Severity.ERROR,
                    "not_text",
                    f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{exc.object[exc.start]:02x}).",
                    file=str(path),
                    hint="Open it in Excel and save it as 'CSV UTF-8', then load it again.",
                )
            ) from None
    return "cp1252"


def read(path: Path, stage: Stage, limits: Limits) -> FileResult:
    encoding = detect_encoding(path)
    file = str(path)
    result = FileResult("ssda903")
    csv.field_size_limit(max(limits.max_field_chars + 1, 1024))
    with path.open("r", encoding=encoding, newline="") as fh:
        rows = _numbered_rows(csv.reader(fh), file)
        header_line, header = _first_nonblank(rows, file)
        spec = match_table(header, file, header_line)
        result.tables = {spec.name: stage_rows(spec, header, rows, stage, result, limits, file)}
    if encoding == "cp1252":
        result.problems.append(
            Problem(
                Severity.INFO,
                "not_text",
                "Read as Windows-1252 (the encoding Excel uses for plain CSV).",
                file=file,
            )
        )
    return result


def _numbered_rows(reader: Iterator[list[str]], file: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the physical line it starts on (a quoted value may span lines)."""
    end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = end + 1
            too_long = "field larger than field limit" in str(exc)
            raise Refused(
                Problem(
                    Severity.ERROR,
                    "field_too_long" if too_long else "ragged_row",
                    f"Line {line} cannot be read as CSV: {exc}.",
                    file=file,
                    line=line,
                    hint="Check for an unclosed quote or an over-long value, then export again.",
                )
            ) from None
        start = end + 1
        end = reader.line_num  # type: ignore[attr-defined]
        yield start, cells


def _first_nonblank(rows: Iterator[tuple[int, list[str]]], file: str) -> tuple[int, list[str]]:
    for line, cells in rows:
        if any(c.strip() for c in cells):
            return line, cells
    raise Refused(  # only blank lines: the same as an empty file
        Problem(Severity.WARNING, "file_empty", "The file has no header and no rows.", file=file)
    )
