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

Most exports are plain: clean UTF-8, no quotes, no blank or ragged lines, every line one row.
Those are split by Arrow's CSV parser straight into columns (`_plain`), a line's number being its
position; anything else (or anything Arrow refuses) goes through the row-by-row reader, which
says what is wrong and where. Both stage the same values.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import CHUNK_ROWS, FileResult, Limits, Stage
from datamonger.readers.tabular import match_table, stage_rows
from datamonger.returns import ssda903

_CHUNK = 1 << 20
_PLAIN_MAX_BYTES = 256 * 1024**2  # read whole into memory only up to this size


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
    if enc.name == "utf-8-sig" and not enc.bad and path.stat().st_size <= _PLAIN_MAX_BYTES:
        plain = _plain(path, stage, limits, file)
        if plain is not None:
            return plain
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


def _plain(path: Path, stage: Stage, limits: Limits, file: str) -> FileResult | None:
    """Stage a plain file column-wise; None when it is not plain, before anything is staged.

    Plain: no quote and no lone carriage return (so a record is a line), no blank line and no
    empty trailing header cell (so a row's line is its position), each row exactly as wide as
    the header (else Arrow refuses it), no row of empty cells, no value over the length limit.
    """
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b'"' in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    data = data.replace(b"\r\n", b"\n")
    if not data.strip() or data.startswith(b"\n") or b"\n\n" in data:
        return None
    first = data.split(b"\n", 1)[0].decode("utf-8")
    header = first.split(",")
    if header[-1].strip() == "":
        return None
    spec = match_table(header, file, 1)
    names = [n.strip().lstrip("\ufeff").strip() for n in header]
    keys = [f"c{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            # one thread: a return's files are small and its years are read in threads of their
            # own; Arrow's pool only adds its start-up
            read_options=pacsv.ReadOptions(column_names=keys, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(quote_char=False, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={k: pa.string() for k in keys},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid:  # a ragged row: the row-by-row reader says which
        return None
    n = table.num_rows
    if n:
        written = [
            pc.not_equal(pc.fill_null(pc.utf8_trim_whitespace(c), ""), "") for c in table.columns
        ]
        if not pc.all(functools.reduce(pc.or_, written)).as_py():
            return None
        longest = max(pc.max(pc.utf8_length(c)).as_py() or 0 for c in table.columns)
        if longest > limits.max_field_chars:
            return None
    lines = pa.array(range(2, n + 2), pa.int32())
    for start in range(0, n, CHUNK_ROWS):
        part = table.slice(start, CHUNK_ROWS)
        chunk = {"source_line": lines.slice(start, CHUNK_ROWS)}
        chunk.update(zip(names, (c.combine_chunks() for c in part.columns), strict=True))
        stage(spec, chunk, ssda903.DATE_FORMAT)
    return FileResult("ssda903", tables={spec.name: n})


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
