"""SSDA903 tables saved as an Excel workbook: one table per sheet, recognised by its header row.

The workbook is read as what it is, a zip of XML parts, with lxml's streaming parser (entities,
DTDs and the network off; a part declaring a DOCTYPE is refused), one row at a time, so memory
stays flat whatever the number of rows. Caps are checked before and while reading: the total
unpacked size from the zip's own directory before anything is unpacked (a small zip can unpack
to gigabytes), then rows, columns and each cell's length as they come.

Values are kept as written. Row numbers are the sheet's own (row 1 is the first row in Excel).
A number Excel shows as a date (a date number format) in a date column is written dd/mm/yyyy,
the way the analyst sees it and the way the CSV return writes it; text stays text, so the text
"2024-03-31" in a date column is flagged exactly as it would be in a CSV file.

Reported, never silent: hidden sheets (read all the same), formula cells with no saved result
(loaded as empty; their row is kept), merged cells (only the first holds the value). A damaged
workbook (a missing part, broken XML, a shared string that does not exist) is refused with its
name and the reason.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers.base import FileResult, Limits, Stage
from datamonger.readers.tabular import match_table, stage_rows
from datamonger.readers.xml_common import SAFE_PARSE, local_name

MAX_UNPACKED = 2 * 1024**3  # the workbook's parts together, unpacked
MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 16_384
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")
# Built-in number formats that show a date (ECMA-376 18.8.30, with the East Asian ones).
_DATE_IDS = frozenset(
    {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
)
_STRIP = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DAY0 = dt.date(1899, 12, 30)
_DAY0_1904 = dt.date(1904, 1, 1)


class _Damaged(Exception):
    """The workbook is not what an .xlsx file must be; the message says what."""


def _refuse(file: str, code: str, message: str, hint: str, line: int | None = None) -> Refused:
    return Refused(Problem(Severity.ERROR, code, message, file=file, line=line, hint=hint))


def read(path: Path, stage: Stage, limits: Limits) -> FileResult:
    file = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            return _Workbook(zf, file, stage, limits).read()
    except Refused:
        raise
    except (_Damaged, zipfile.BadZipFile, etree.LxmlError, KeyError, ValueError, EOFError) as exc:
        reason = str(exc).strip() or type(exc).__name__
        if isinstance(exc, KeyError):
            reason = f"a part is missing ({reason})"
        raise _refuse(
            file,
            "xlsx_damaged",
            f"The workbook is damaged and cannot be read: {reason}.",
            "Open it in Excel, save it again as .xlsx, and load it again.",
        ) from None


class _Workbook:
    def __init__(self, zf: zipfile.ZipFile, file: str, stage: Stage, limits: Limits) -> None:
        self.zf, self.file, self.stage, self.limits = zf, file, stage, limits
        self.result = FileResult("ssda903")
        self.max_chars = limits.max_field_chars

    # --- the parts ---------------------------------------------------------------------------
    def read(self) -> FileResult:
        unpacked = sum(i.file_size for i in self.zf.infolist())
        if unpacked > MAX_UNPACKED:
            raise _refuse(
                self.file,
                "xlsx_too_large",
                f"The workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED:,}.",
                "Check this is the right file; save each table as CSV if it really is this big.",
            )
        sheets, date1904 = self._sheets()
        self.day0 = _DAY0_1904 if date1904 else _DAY0
        self.date_styles = self._date_styles()
        self.strings = _SharedStrings(self._strings_part())
        if self.strings.source is not None:
            self.strings.load(self._parse(self.strings.source, "{*}si"), self.max_chars)
        for name, target, state in sheets:
            self._sheet(name, target, state)
        return self.result

    def _open(self, part: str) -> IO[bytes]:
        fh = self.zf.open(part)
        head = fh.read(65536)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise _Damaged(f"{part} declares a DOCTYPE or entities, which are never processed")
        fh.close()
        return self.zf.open(part)

    def _parse(self, part: str, tag: str | tuple[str, ...]) -> Iterator[Any]:
        with self._open(part) as fh:
            for _, el in etree.iterparse(fh, events=("end",), tag=tag, **SAFE_PARSE):
                info = el.getroottree().docinfo
                if info.doctype or info.internalDTD is not None:
                    raise _Damaged(f"{part} declares a DOCTYPE")
                yield el

    def _tree(self, part: str) -> Any:
        with self._open(part) as fh:
            parser = etree.XMLParser(**SAFE_PARSE)
            return etree.parse(fh, parser).getroot()

    def _rels(self, part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels not in self.zf.NameToInfo:
            return {}
        out = {}
        for rel in self._tree(rels):
            target = rel.get("Target") or ""
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id") or ""] = target
        return out

    def _sheets(self) -> tuple[list[tuple[str, str, str]], bool]:
        book = "xl/workbook.xml"
        root = self._tree(book)
        rels = self._rels(book)
        sheets = []
        date1904 = False
        for el in root.iter():
            name = local_name(el.tag)
            if name == "workbookPr":
                date1904 = (el.get("date1904") or "").lower() in ("1", "true")
            elif name == "sheet":
                rid = el.get(f"{{{_REL}}}id") or ""
                if rid not in rels:
                    raise _Damaged(f"sheet '{el.get('name')}' points to no part")
                sheets.append((el.get("name") or "?", rels[rid], el.get("state") or "visible"))
        return sheets, date1904

    def _strings_part(self) -> str | None:
        part = "xl/sharedStrings.xml"
        for target in self._rels("xl/workbook.xml").values():
            if target.endswith("sharedStrings.xml"):
                part = target
        return part if part in self.zf.NameToInfo else None

    def _date_styles(self) -> frozenset[int]:
        """Positions in cellXfs of the styles that show a number as a date."""
        part = "xl/styles.xml"
        if part not in self.zf.NameToInfo:
            return frozenset()
        root = self._tree(part)
        custom: dict[int, str] = {}
        styles: list[int] = []
        for el in root.iter():
            name = local_name(el.tag)
            if name == "numFmt":
                custom[int(el.get("numFmtId") or -1)] = el.get("formatCode") or ""
            elif name == "cellXfs":
                styles = [int(x.get("numFmtId") or 0) for x in el if local_name(x.tag) == "xf"]
        out = set()
        for i, fmt in enumerate(styles):
            code = custom.get(fmt)
            if code is None:
                if fmt in _DATE_IDS:
                    out.add(i)
            elif re.search(r"[dmy]", _STRIP.sub("", code).lower()):
                out.add(i)
        return frozenset(out)

    # --- one sheet ---------------------------------------------------------------------------
    def _sheet(self, sheet: str, part: str, state: str) -> None:
        where = f"Sheet '{sheet}': "
        if "worksheets/" not in part:
            self.result.problems.append(
                Problem(
                    Severity.INFO,
                    "file_empty",
                    f"{where}a chart or dialog sheet, not a table: skipped.",
                    file=self.file,
                )
            )
            return
        if state != "visible":
            self.result.problems.append(
                Problem(
                    Severity.WARNING,
                    "xlsx_hidden_sheet",
                    f"Sheet '{sheet}' is hidden in Excel ({state}); it was read all the same.",
                    file=self.file,
                    hint="Check the hidden sheet is meant to be part of the return.",
                )
            )
        if part not in self.zf.NameToInfo:
            raise _Damaged(f"the part {part} of sheet '{sheet}' is missing")
        rows = self._rows(part, where)
        header_line, header = -1, [""]
        for line, cells in rows:
            if any(c.strip() for c in cells):
                header_line, header = line, cells
                break
        if header_line < 0:
            self.result.problems.append(
                Problem(Severity.INFO, "file_empty", f"{where}empty, skipped.", file=self.file)
            )
            self._report_merges(where, [])
            return
        spec = match_table(header, self.file, header_line, where)
        if spec.name in self.result.tables:
            raise Refused(
                Problem(
                    Severity.ERROR,
                    "duplicate_table",
                    f"{where}a second {spec.name} table in the same workbook.",
                    file=self.file,
                    line=header_line,
                    hint="Keep one sheet per table.",
                ),
                spec.name,
            )
        self.names = [c.strip() for c in header]
        self.dates = {i for i, n in enumerate(self.names) if n in _date_fields(spec)}
        width = len(header)
        # Excel does not write trailing empty cells: a short row is not a ragged one
        body = ((n, c + [""] * (width - len(c)) if len(c) < width else c) for n, c in rows)
        self.result.tables[spec.name] = stage_rows(
            spec,
            header,
            body,
            self.stage,
            self.result,
            self.limits,
            self.file,
            where,
            self.formula_rows,
        )
        self._report_merges(where, self.names)

    def _rows(self, part: str, where: str) -> Iterator[tuple[int, list[str]]]:
        """(Excel row, cells as text) for every row of the sheet, streamed; merges are noted."""
        self.names, self.dates = [], set()
        self.formula_rows: set[int] = set()
        self.merges: list[str] = []
        previous = 0
        for el in self._parse(part, ("{*}row", "{*}mergeCell", "{*}dimension")):
            if local_name(el.tag) == "dimension":
                # a sheet that says up front it is beyond Excel is refused before any row is read
                last = _REF.match((el.get("ref") or "").rpartition(":")[2])
                if last and last[2].isdigit() and int(last[2]) > MAX_ROWS:
                    raise _Damaged(f"{where}it has more rows than Excel allows ({MAX_ROWS:,})")
                continue
            if local_name(el.tag) == "mergeCell":
                self.merges.append(el.get("ref") or "")
                el.clear()
                continue
            r = el.get("r")
            line = int(r) if r and r.isdigit() else previous + 1
            if line > MAX_ROWS:
                raise _Damaged(f"{where}it has more rows than Excel allows ({MAX_ROWS:,})")
            if line <= previous:
                raise _Damaged(f"{where}row number {line} comes after row {previous}")
            previous = line
            cells = self._cells(el, line, where)
            el.clear()
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
            yield line, cells

    def _cells(self, row: Any, line: int, where: str) -> list[str]:
        values: list[str] = []
        col = 0
        for c in row:
            if local_name(c.tag) != "c":
                continue
            ref = c.get("r")
            if ref:
                m = _REF.match(ref)
                if m is None:
                    raise _Damaged(f"{where}a cell reference '{ref[:20]}' on row {line}")
                col = _column(m[1])
            else:
                col += 1
            if col > MAX_COLUMNS:
                raise _Damaged(f"{where}a cell beyond Excel's last column on row {line}")
            value, formula = self._value(c, col - 1)
            if formula and value == "":
                self._no_value(line, col, where)
            if value == "":
                continue
            if len(value) > self.max_chars:
                name = self.names[col - 1] if col - 1 < len(self.names) else _letters(col)
                raise Refused(
                    Problem(
                        Severity.ERROR,
                        "field_too_long",
                        f"{where}The value in column {name} on line {line} is {len(value):,} "
                        f"characters long; the limit is {self.max_chars:,}.",
                        file=self.file,
                        line=line,
                        column=name,
                        hint="Check the export: no field of a return is that long.",
                    )
                )
            if len(values) < col - 1:
                values.extend([""] * (col - 1 - len(values)))
            if len(values) == col - 1:
                values.append(value)
            else:
                values[col - 1] = value
        return values

    def _value(self, c: Any, index: int) -> tuple[str, bool]:
        """A cell's text as written, and whether it holds a formula."""
        kind = c.get("t") or "n"
        v: str | None = None
        formula = False
        inline: list[str] = []
        for x in c:
            name = local_name(x.tag)
            if name == "v":
                v = x.text
            elif name == "f":
                formula = True
            elif name == "is":
                inline += [t.text or "" for t in x.iter() if local_name(t.tag) == "t"]
        if kind == "inlineStr":
            return "".join(inline), formula
        if v is None:
            return "", formula
        if kind == "s":
            try:
                return self.strings[int(v)], formula
            except (ValueError, IndexError):
                raise _Damaged(
                    f"a cell points to shared string {v[:20]}, which does not exist"
                ) from None
        if kind == "d":
            return (self._iso_date(v) if index in self.dates else v), formula
        if kind == "n" and index in self.dates and int(c.get("s") or 0) in self.date_styles:
            return self._serial_date(v), formula
        return v, formula

    def _serial_date(self, v: str) -> str:
        try:
            days = float(v)
        except ValueError:
            return v
        if not 1 <= days < 2_958_466 or (int(days) == 60 and self.day0 == _DAY0):
            return v  # not a day Excel can show (60 is 29/02/1900, which never was)
        whole = int(days)
        day0 = self.day0 + dt.timedelta(days=1) if self.day0 == _DAY0 and whole < 60 else self.day0
        d = day0 + dt.timedelta(days=whole)
        return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"

    @staticmethod
    def _iso_date(v: str) -> str:
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", v)
        return f"{m[3]}/{m[2]}/{m[1]}" if m else v

    def _no_value(self, line: int, col: int, where: str) -> None:
        name = self.names[col - 1] if col - 1 < len(self.names) else None
        self.formula_rows.add(line)
        self.result.problems.append(
            Problem(
                Severity.WARNING,
                "xlsx_formula_no_value",
                f"{where}cell {_letters(col)}{line} holds a formula whose result was never "
                "saved; it is loaded as empty.",
                file=self.file,
                line=line,
                column=name,
                hint="Open the workbook in Excel, let it calculate, save it, and load it again "
                "(or paste the values instead of the formulas).",
            )
        )

    def _report_merges(self, where: str, names: list[str]) -> None:
        for ref in self.merges:
            first = ref.partition(":")[0]
            m = _REF.match(first)
            line = int(m[2]) if m else None
            col = _column(m[1]) if m else 0
            name = names[col - 1] if m and col - 1 < len(names) else None
            self.result.problems.append(
                Problem(
                    Severity.WARNING,
                    "xlsx_merged_cells",
                    f"{where}cells {ref} are merged: Excel shows the value of {first} across "
                    f"them, but the file holds the others empty, and they load as empty.",
                    file=self.file,
                    line=line,
                    column=name,
                    hint="Unmerge the cells and fill in each one, then load the workbook again.",
                )
            )
        self.merges = []


def _date_fields(spec: Any) -> set[str]:
    return {f.name for f in spec.fields if f.type == "date"}


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


class _SharedStrings:
    """The workbook's shared strings, kept compact: joined text in blocks plus offsets, so a
    few million strings cost their characters and 8 bytes each, not a Python object each."""

    BLOCK = 65_536

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.blocks: list[str] = []
        self.offsets: list[array[int]] = []
        self.count = 0

    def load(self, items: Iterator[Any], max_chars: int) -> None:
        pending: list[str] = []
        offs = array("q", [0])
        for si in items:
            text = "".join(
                t.text or ""
                for t in si.iter()
                if local_name(t.tag) == "t" and local_name(t.getparent().tag) != "rPh"
            )
            si.clear()
            parent = si.getparent()
            if parent is not None:
                while si.getprevious() is not None:
                    del parent[0]
            if len(text) > max_chars:
                text = text[: max_chars + 1]  # long enough to be refused where it is used
            pending.append(text)
            offs.append(offs[-1] + len(text))
            self.count += 1
            if len(pending) == self.BLOCK:
                self.blocks.append("".join(pending))
                self.offsets.append(offs)
                pending, offs = [], array("q", [0])
        if pending:
            self.blocks.append("".join(pending))
            self.offsets.append(offs)

    def __getitem__(self, i: int) -> str:
        if not 0 <= i < self.count:
            raise IndexError(i)
        k, j = divmod(i, self.BLOCK)
        offs = self.offsets[k]
        return self.blocks[k][offs[j] : offs[j + 1]]
