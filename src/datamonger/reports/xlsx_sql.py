"""An XLSX workbook whose sheets are rendered by DuckDB: constant memory, no Python per cell.

A workbook is a zip of XML parts. Each worksheet's rows are built as XML text by one SQL query
(`Sheet.rows`) and COPY'd to a temporary file, which is then deflated into the zip in chunks, so
a sheet of a million issues costs what DuckDB takes to write it. Every text is an inline string
(`t="inlineStr"`): a value as written in a return never becomes a formula or a link, and
characters XML cannot hold are dropped. Three cell styles: plain, bold (headers), and the red
and amber highlights of validation errors and queries.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

import duckdb

MAX_ROWS = 1_048_576  # Excel's rows per sheet
STYLE = {"plain": 0, "bold": 1, "error": 2, "query": 3}
_CHUNK = 1 << 20
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def column_letter(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def xml_text_sql(x: str) -> str:
    """SQL: text `x` escaped for XML, characters XML 1.0 cannot hold removed, newlines kept."""
    cleaned = f"regexp_replace(CAST({x} AS VARCHAR), '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]', '', 'g')"
    out = cleaned
    for raw, ent in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("\n", "&#10;"),
        ("\r", "&#13;"),
    ):
        out = f"replace({out}, {_lit(raw)}, '{ent}')"
    return out


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the SQL giving its value, and how to write it."""

    header: str
    sql: str
    number: bool = False  # a number cell; else text
    style: str | None = None  # SQL giving a style name ('error', 'query') or NULL
    width: float | None = None


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    source: str  # a query the columns' SQL reads as `s`
    order: str  # its rows' order, SQL over its columns
    title: str | None = None  # a bold first line above the header
    freeze: tuple[int, int] | None = None  # rows, columns
    rows: int | None = None  # how many rows `source` gives, when known (saves counting them)
    truncated: int = 0  # rows left out over Excel's limit (set when written)


@dataclass
class Workbook:
    path: Path
    sheets: list[tuple[str, Path, Sheet | None]] = field(default_factory=list)
    _tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dm-xlsx-")))

    def add_rows(
        self,
        name: str,
        rows: Sequence[Sequence[object]],
        bold: frozenset[int] = frozenset({1}),
        at: int | None = None,
    ) -> None:
        """A small sheet from Python values (a summary), rows numbered from 1 in `bold` bold;
        `at` replaces the sheet at that position (a placeholder) instead of adding one."""
        body = []
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                ref = f"{column_letter(c)}{r}"
                style = ' s="1"' if r in bold else ""
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cells.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
                else:
                    text = "".join(ch for ch in str(value) if ch >= " " or ch in "\t\n\r")
                    cells.append(
                        f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
                        f"{escape(text)}</t></is></c>"
                    )
            body.append(f'<row r="{r}">{"".join(cells)}</row>')
        part = Path(tempfile.mkstemp(suffix=".rows", dir=self._tmp)[1])
        part.write_text("\n".join(body), encoding="utf-8")
        if at is None:
            self.sheets.append((name, part, None))
        else:
            self.sheets[at] = (name, part, None)

    def add_sql(self, con: duckdb.DuckDBPyConnection, sheet: Sheet) -> None:
        """A sheet of any size: its rows rendered and written by DuckDB on `con`."""
        self.add_split(con, [sheet], "0", ["0"])

    def add_split(
        self, con: duckdb.DuckDBPyConnection, sheets: Sequence[Sheet], key: str, keys: list[str]
    ) -> None:
        """Sheets of one layout cut from one source by `key` (SQL), sheet i holding the rows
        whose key is `keys[i]`: one query renders them all into one file, in sheet order, and
        each sheet takes its lines from it in turn (a query per sheet costs more than the rows
        of a small one). Every sheet must know its `rows`, or there must be only one."""
        layout = sheets[0]
        first = 3 if layout.title else 2  # the first data row, below the header
        limit = MAX_ROWS - first + 1
        for sheet in sheets:
            if sheet.rows is None:
                ((total,),) = con.execute(f"SELECT count(*) FROM ({sheet.source})").fetchall()
                sheet.rows = int(total)
            sheet.truncated = max(0, sheet.rows - limit)
        row = f"'<row r=\"' || (_rn + {first}) || '\">' || {_cells(layout, first)} || '</row>'"
        position = f"list_position([{', '.join(_lit(k) for k in keys)}], CAST({key} AS VARCHAR))"
        numbered = (
            f"SELECT *, {position} AS _sheet, row_number() OVER (PARTITION BY {key} "
            f"ORDER BY {layout.order}) - 1 AS _rn FROM ({layout.source}) s"
        )
        part = Path(tempfile.mkstemp(suffix=".rows", dir=self._tmp)[1])
        con.execute(
            f"COPY (SELECT {row} FROM ({numbered}) s WHERE _rn < {limit} AND _sheet IS NOT NULL "
            f"ORDER BY _sheet, _rn) "
            f"TO '{part}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')"
        )
        for sheet in sheets:
            self.sheets.append((sheet.name, part, sheet))

    def close(self) -> None:
        try:
            with zipfile.ZipFile(
                self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
            ) as zf:
                self._write_parts(zf)
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    # --- the parts -----------------------------------------------------------------------------
    def _write_parts(self, zf: zipfile.ZipFile) -> None:
        n = len(self.sheets)
        zf.writestr("[Content_Types].xml", _content_types(n))
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _, _) in enumerate(self.sheets, start=1)
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_RNS}>'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += (
            f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        zf.writestr("xl/styles.xml", _STYLES)
        readers: dict[Path, IO[bytes]] = {}
        try:
            for i, (_, part, sheet) in enumerate(self.sheets, start=1):
                with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                    out.write(_sheet_head(sheet).encode("utf-8"))
                    if part not in readers:
                        readers[part] = part.open("rb")
                    fh = readers[part]
                    if sheet is None or len([p for _, p, _ in self.sheets if p == part]) == 1:
                        shutil.copyfileobj(fh, out, _CHUNK)
                    else:  # a shared part: this sheet's lines, then the next sheet's
                        out.writelines(itertools.islice(fh, (sheet.rows or 0) - sheet.truncated))
                    out.write(b"</sheetData></worksheet>")
        finally:
            for fh in readers.values():
                fh.close()


def _cells(sheet: Sheet, first: int) -> str:
    """SQL: one row's cells as XML (`_rn` numbers the rows from 0; `first` is the first's row)."""
    cells = []
    for c, col in enumerate(sheet.columns):
        ref = f"'<c r=\"{column_letter(c)}' || (_rn + {first}) || '\"'"
        style = (
            f"coalesce(CASE {col.style} WHEN 'error' THEN ' s=\"2\"' "
            "WHEN 'query' THEN ' s=\"3\"' END, '')"
            if col.style
            else "''"
        )
        if col.number:
            cell = f"{ref} || {style} || '><v>' || CAST({col.sql} AS VARCHAR) || '</v></c>'"
            cells.append(f"CASE WHEN {col.sql} IS NULL THEN '' ELSE {cell} END")
            continue
        cell = (
            f'{ref} || {style} || \' t="inlineStr"><is><t xml:space="preserve">\' || '
            f"{xml_text_sql(col.sql)} || '</t></is></c>'"
        )
        empty = f"{ref} || {style} || '/>'" if col.style else "''"
        cells.append(
            f"CASE WHEN {col.sql} IS NULL OR CAST({col.sql} AS VARCHAR) = '' "
            f"THEN (CASE WHEN {style} = '' THEN '' ELSE {empty} END) ELSE {cell} END"
        )
    return " || ".join(cells)


def _sheet_head(sheet: Sheet | None) -> str:
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_RNS}>'
    if sheet is None:
        return head + "<sheetData>"
    first = 2 if sheet.title else 1
    if sheet.freeze:
        rows, cols = sheet.freeze
        top = f"{column_letter(cols)}{rows + 1}"
        head += (
            '<sheetViews><sheetView workbookViewId="0"><pane '
            + (f'xSplit="{cols}" ' if cols else "")
            + (f'ySplit="{rows}" ' if rows else "")
            + f'topLeftCell="{top}" activePane="bottomRight" state="frozen"/></sheetView>'
            "</sheetViews>"
        )
    widths = [
        f'<col min="{c + 1}" max="{c + 1}" width="{col.width}" customWidth="1"/>'
        for c, col in enumerate(sheet.columns)
        if col.width
    ]
    if widths:
        head += f"<cols>{''.join(widths)}</cols>"
    head += "<sheetData>"
    if sheet.title:
        head += (
            '<row r="1"><c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">'
            f"{escape(sheet.title)}</t></is></c></row>"
        )
    header = "".join(
        f'<c r="{column_letter(c)}{first}" s="1" t="inlineStr"><is><t>{escape(col.header)}'
        "</t></is></c>"
        for c, col in enumerate(sheet.columns)
    )
    return head + f'<row r="{first}">{header}</row>\n'


def _content_types(n: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="'
        'application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>'
    )


# plain, bold, error (red fill, bold), query (amber fill)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f"<styleSheet {_NS}>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF8B4B4"/><bgColor indexed="64"/>'
    "</patternFill></fill>"
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFCE3A6"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
