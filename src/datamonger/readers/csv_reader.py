"""SSDA903 tables saved as CSV: UTF-8, UTF-8 with a byte-order mark, or Windows-1252 as Excel saves.

The encoding is settled from the whole file, read once in binary blocks, before any row is staged
(so a stray byte on the last line never leaves half a file staged), and with evidence:
- every byte valid UTF-8: UTF-8;
- valid UTF-8 but for a few bytes (no more bad bytes than good non-ASCII characters): UTF-8, and
  each bad byte is shown as U+FFFD and reported with its line and column;
- otherwise Windows-1252, with a note (a warning when some of the text looked like UTF-8).
A NUL byte anywhere refuses the file (binary data), and so does a quoted value that runs over
lines: no field of the return holds a line break, so it is a quote never closed, which would
swallow the rows after it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import FileResult, Limits, Stage
from datamonger.readers.tabular import match_table, stage_rows

_CHUNK = 1 << 20


@dataclass
class Encoding:
    name: str  # "utf-8-sig" or "cp1252"
    bad: list[tuple[int, bytes, bytes]] = field(default_factory=list)  # line, text before, bytes
    utf8_chars: int = 0  # valid non-ASCII UTF-8 characters seen (the evidence for UTF-8)
    first_utf8_line: int | None = None


def _lines_in(block: bytes) -> int:
    """Line breaks in `block`, as the csv module counts them (\\r\\n, \\r or \\n)."""
    return block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")


def detect_encoding(path: Path) -> Encoding:
    """Read the file once (twice when it is not clean UTF-8) and settle its encoding."""
    decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder("utf-8")()
    clean = True
    lines = 0
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            nul = block.find(b"\x00")
            if nul >= 0:
                line = lines + _lines_in(block[:nul]) + 1
                raise Refused(
                    Problem(
                        Severity.ERROR,
                        "not_text",
                        f"The file contains binary data (a NUL byte) on line {line}: it is not a "
                        "CSV table.",
                        file=str(path),
                        line=line,
                        hint="Check that this is the exported return, then export it again.",
                    )
                )
            lines += _lines_in(block)
            if clean:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    clean = False
        if clean:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                clean = False
    if clean:
        return Encoding("utf-8-sig")
    enc = _evidence(path)
    if enc.utf8_chars and len(enc.bad) <= enc.utf8_chars:
        return enc
    _check_cp1252(path)
    enc.name = "cp1252"
    return enc


def _evidence(path: Path) -> Encoding:
    """Count valid non-ASCII UTF-8 characters and find every byte that is not UTF-8, by line."""
    enc = Encoding("utf-8-sig")
    line = 0
    with path.open("rb") as fh:
        for raw in fh:  # split on \n; \r-only line ends are split below
            body = raw[:-1] if raw.endswith(b"\n") else raw
            body = body[:-1] if body.endswith(b"\r") else body
            for part in body.split(b"\r"):
                line += 1
                if part.isascii():
                    continue
                pos = 0
                while True:
                    try:
                        text = part[pos:].decode("utf-8")
                        done = True
                    except UnicodeDecodeError as exc:
                        start, stop = pos + exc.start, pos + exc.end
                        text = part[pos:start].decode("utf-8")
                        enc.bad.append((line, part[:start], part[start:stop]))
                        pos, done = stop, False
                    good = len(text) - len(text.encode("ascii", "ignore"))
                    if good:
                        enc.utf8_chars += good
                        enc.first_utf8_line = enc.first_utf8_line or line
                    if done:
                        break
    return enc


def _check_cp1252(path: Path) -> None:
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
                    "The file is neither UTF-8 nor Windows-1252 text "
                    f"(byte 0x{exc.object[exc.start]:02x}).",
                    file=str(path),
                    hint="Open it in Excel and save it as 'CSV UTF-8', then load it again.",
                )
            ) from None


def read(path: Path, stage: Stage, limits: Limits) -> FileResult:
    enc = detect_encoding(path)
    file = str(path)
    result = FileResult("ssda903")
    csv.field_size_limit(max(limits.max_field_chars + 1, 1024))
    errors = "replace" if enc.bad and enc.name != "cp1252" else "strict"
    with path.open("r", encoding=enc.name, errors=errors, newline="") as fh:
        table: list[str] = []
        rows = _numbered_rows(csv.reader(fh), file, table)
        header_line, header = _first_nonblank(rows, file)
        spec = match_table(header, file, header_line)
        table.append(spec.name)
        result.tables = {spec.name: stage_rows(spec, header, rows, stage, result, limits, file)}
        names = [n.strip().lstrip("\ufeff").strip() for n in header]
    result.problems += _encoding_problems(enc, file, names)
    return result


def _encoding_problems(enc: Encoding, file: str, names: list[str]) -> list[Problem]:
    if enc.name == "cp1252":
        if not enc.utf8_chars:
            return [
                Problem(
                    Severity.INFO,
                    "encoding",
                    "Read as Windows-1252 (the encoding Excel uses for plain CSV): none of its "
                    "text is UTF-8.",
                    file=file,
                )
            ]
        return [
            Problem(
                Severity.WARNING,
                "encoding",
                f"Read as Windows-1252: {len(enc.bad):,} byte(s) are not UTF-8 (first on line "
                f"{enc.bad[0][0]}), but {enc.utf8_chars:,} character(s) are (first on line "
                f"{enc.first_utf8_line}), and those now read wrongly (é as Ã©).",
                file=file,
                line=enc.first_utf8_line,
                hint="The file mixes two encodings: save it again as 'CSV UTF-8' and reload.",
            )
        ]
    out = []
    for line, before, bad in enc.bad:
        prefix = before.decode("utf-8", "replace")
        cells = next(csv.reader(io.StringIO(prefix + "\ufffd")), [""])
        idx = len(cells) - 1
        column = names[idx] if 0 <= idx < len(names) else None
        as_1252 = bad.decode("cp1252", "replace")
        out.append(
            Problem(
                Severity.WARNING,
                "bad_encoding",
                "Byte(s) "
                + " ".join(f"0x{b:02x}" for b in bad)
                + f" on line {line}"
                + (f" (column {column})" if column else "")
                + " are not UTF-8, while the rest of the file is; shown as \ufffd. In "
                f"Windows-1252 they would read '{as_1252}'.",
                file=file,
                line=line,
                column=column,
                value=None,
                hint="Correct the value in the case management system, or save the file again "
                "as 'CSV UTF-8', then load it again.",
            )
        )
    return out


def _numbered_rows(
    reader: Iterator[list[str]], file: str, table: list[str]
) -> Iterator[tuple[int, list[str]]]:
    """Each record with the physical line it starts on.

    A record that runs over lines is a quote never closed: it is refused, naming the line.
    """
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
                ),
                table[0] if table else None,
            ) from None
        start = end + 1
        end = reader.line_num  # type: ignore[attr-defined]
        if end > start and any("\n" in c or "\r" in c for c in cells):
            raise Refused(
                Problem(
                    Severity.ERROR,
                    "unclosed_quote",
                    f"A quoted value on line {start} runs over {end - start + 1:,} lines (to line "
                    f"{end}): a quote that is never closed, which would swallow the rows after "
                    "it. No field of the return holds a line break.",
                    file=file,
                    line=start,
                    hint='Find the stray quote (") on that line, remove it or close it, then '
                    "load the file again.",
                ),
                table[0] if table else None,
            )
        yield start, cells


def _first_nonblank(rows: Iterator[tuple[int, list[str]]], file: str) -> tuple[int, list[str]]:
    for line, cells in rows:
        if any(c.strip() for c in cells):
            return line, cells
    raise Refused(  # only blank lines: the same as an empty file
        Problem(Severity.WARNING, "file_empty", "The file has no header and no rows.", file=file)
    )
