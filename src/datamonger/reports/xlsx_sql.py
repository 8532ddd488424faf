"""An XLSX workbook whose sheets are rendered by DuckDB: constant memory, no Python per row.

A workbook is a zip of XML parts. Each worksheet's rows are built as XML text by one SQL query
and fetched as Arrow record batches; the bytes of a batch's rows are taken straight from its
string buffer and deflated into the zip while DuckDB renders the next batch (a thread: both
release the GIL), so a sheet of a million issues costs what DuckDB takes to render it and zlib
to pack it, and memory holds a few batches. Sheets are written as they are rendered.

Every text is an inline string (`t="inlineStr"`): a value as written in a return never becomes
a formula or a link, and characters XML cannot hold are dropped. Cells and rows carry no `r`
reference (ECMA-376 makes it optional: each cell follows the one before, each row the row
before), so an empty cell is written as `<c/>` and no row needs numbering. Only a text holding
`&`, `<`, `>`, a control character or an edge space goes through the escaping; most cells are
copied as they are. Three cell styles: plain, bold (headers), and the red and amber highlights
of validation errors and queries.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from datamonger.reports.arrow import text_bytes
from datamonger.store import lit

MAX_ROWS = 1_048_576  # Excel's rows per sheet
STYLE = {"plain": 0, "bold": 1, "error": 2, "query": 3}
COMPRESSLEVEL = 3  # measured: as fast as 1 on sheet XML, 10% smaller (level 6 takes twice as long)
_BATCH = 32_768  # rows per Arrow batch: a few MB of XML, two in flight
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
# a text that needs more than copying: XML's specials, control characters (dropped, or kept
# as character references for tab, newline and carriage return), or an edge space (kept by
# xml:space="preserve")
_SPECIAL = "'[&<>\\x00-\\x1F]|^ | $'"
_SPECIAL_RE = re.compile("[&<>\x00-\x1f]|^ | $")


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
    out = f"regexp_replace({x}, '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]', '', 'g')"
    for raw, ent in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("\n", "&#10;"),
        ("\r", "&#13;"),
    ):
        out = f"replace({out}, {lit(raw)}, '{ent}')"
    return out


def text_cell_sql(x: str, style: str = "''", special: Sequence[str] | None = None) -> str:
    """SQL: one inline-string cell holding text `x` (a VARCHAR), `style` SQL giving its ` s=".."`
    attribute or ''. Plain text is copied; only a text `_SPECIAL` matches is escaped, or, when
    `special` lists every such value the column holds (a code column's few), a text in it."""
    if special is None:
        test = f"regexp_matches({x}, {_SPECIAL})"
    else:
        test = f"{x} IN ({', '.join(lit(v) for v in special)})" if special else "false"
    head = "'<c'" if style == "''" else f"concat('<c', {style})"  # a plain cell: one concat
    return (
        f"CASE WHEN {x} IS NULL OR {x} = '' THEN concat({head}, '/>') "
        f"WHEN {test} THEN concat({head}, "
        f"' t=\"inlineStr\"><is><t xml:space=\"preserve\">', {xml_text_sql(x)}, '</t></is></c>') "
        f"ELSE concat({head}, ' t=\"inlineStr\"><is><t>', {x}, '</t></is></c>') END"
    )


def number_cell_sql(x: str, style: str = "''") -> str:
    """SQL: one number cell holding `x` (a VARCHAR of a number), or an empty cell."""
    head = "'<c'" if style == "''" else f"concat('<c', {style})"
    return (
        f"CASE WHEN {x} IS NULL THEN concat({head}, '/>') "
        f"ELSE concat({head}, '><v>', {x}, '</v></c>') END"
    )


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the SQL giving its value, and how to write it."""

    header: str
    sql: str
    number: bool = False  # a number cell; else text
    style: str | None = None  # SQL giving a style name ('error', 'query') or NULL
    width: float | None = None
    code: bool = False  # few distinct values (rule codes, messages): escaped by value


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    source: str  # a query the columns' SQL reads as `s`
    order: str  # its rows' order, SQL over `source`'s columns
    title: str | None = None  # a bold first line above the header
    freeze: tuple[int, int] | None = None  # rows, columns
    rows: int = 0  # rows `source` gave (set when written)
    truncated: int = 0  # rows left out over Excel's limit (set when written)


@dataclass
class Workbook:
    """Sheets are written into the zip as they are added; `reserve` keeps a place (a summary
    written last, once it knows which sheets were cut) and `close` writes the workbook's index."""

    path: Path
    names: list[str] = field(default_factory=list)
    _zip: zipfile.ZipFile = field(init=False)

    def __post_init__(self) -> None:
        self._zip = zipfile.ZipFile(
            self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL
        )

    def reserve(self, name: str) -> int:
        """A place for a sheet written later with `add_rows(..., at=)`."""
        self.names.append(name)
        return len(self.names) - 1

    def add_rows(
        self,
        name: str,
        rows: Sequence[Sequence[object]],
        bold: frozenset[int] = frozenset({1}),
        at: int | None = None,
    ) -> None:
        """A small sheet from Python values (a summary), rows numbered from 1 in `bold` bold;
        `at` fills a place kept by `reserve`."""
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
        if at is None:
            at = self.reserve(name)
        with self._part(at) as out:
            out.write(_sheet_head(None).encode())
            out.write("".join(body).encode("utf-8"))
            out.write(b"</sheetData></worksheet>")

    def add_sql(self, con: duckdb.DuckDBPyConnection, sheet: Sheet) -> None:
        """A sheet of any size: its rows rendered by DuckDB on `con`."""
        self.add_split(con, [sheet], "0", ["0"])

    def add_split(
        self, con: duckdb.DuckDBPyConnection, sheets: Sequence[Sheet], key: str, keys: list[str]
    ) -> None:
        """Sheets of one layout cut from one source by `key` (SQL), sheet i holding the rows
        whose key is `keys[i]`: one query renders them all, in sheet order, and each sheet takes
        its rows from the stream in turn (a query per sheet costs more than a small sheet's
        rows). A sheet over Excel's row limit keeps its first rows and counts the rest."""
        layout = sheets[0]
        first = 3 if layout.title else 2  # the first data row, below the header
        limit = MAX_ROWS - first + 1
        values = [f"{c.sql} AS _v{i}" for i, c in enumerate(layout.columns)]
        values += [f"{c.style} AS _st{i}" for i, c in enumerate(layout.columns) if c.style]
        special = _special_values(con, layout)
        cells = []
        for i, col in enumerate(layout.columns):
            style = (
                f"CASE _st{i} WHEN 'error' THEN ' s=\"2\"' WHEN 'query' THEN ' s=\"3\"' ELSE '' END"
                if col.style
                else "''"
            )
            v = f"CAST(_v{i} AS VARCHAR)"
            cells.append(
                number_cell_sql(v, style) if col.number else text_cell_sql(v, style, special.get(i))
            )
        positions = ", ".join(f"({lit(k)}, {n})" for n, k in enumerate(keys))
        sql = (
            f"SELECT concat('<row>', {', '.join(cells)}, '</row>') AS x, _sheet FROM ("
            f"SELECT {', '.join(values)}, k._sheet FROM ({layout.source}) s "
            f"JOIN (VALUES {positions}) k(_key, _sheet) ON k._key = CAST({key} AS VARCHAR) "
            f"ORDER BY k._sheet, {layout.order})"
        )
        places = [self.reserve(sheet.name) for sheet in sheets]
        out: Any = None  # the part of sheet `current`, being written
        current = -1

        def move_to(n: int) -> None:
            """End the sheets before sheet `n` (empty ones written too) and open sheet `n`."""
            nonlocal out, current
            while current < n:
                if out is not None:
                    out.write(b"</sheetData></worksheet>")
                    out.close()
                    out = None
                current += 1
                if current < len(sheets):
                    out = self._part(places[current])
                    out.write(_sheet_head(sheets[current]).encode("utf-8"))

        try:
            for sheet_no, rows in _runs(con, sql):
                move_to(sheet_no)
                sheet = sheets[sheet_no]
                keep = max(0, min(len(rows), limit - sheet.rows))
                sheet.rows += len(rows)
                sheet.truncated = max(0, sheet.rows - limit)
                if keep:
                    out.write(text_bytes(rows.slice(0, keep)))
            move_to(len(sheets))
        finally:
            if out is not None:
                out.close()

    def close(self) -> None:
        """The workbook's index, styles and content types, after every sheet."""
        try:
            self._write_index()
        finally:
            self._zip.close()

    def discard(self) -> None:
        """After a failure: no half-written workbook is left at `path`."""
        try:
            self._zip.close()
        finally:
            self.path.unlink(missing_ok=True)

    def _part(self, place: int) -> Any:
        return self._zip.open(f"xl/worksheets/sheet{place + 1}.xml", "w", force_zip64=True)

    def _write_index(self) -> None:
        zf, n = self._zip, len(self.names)
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
            for i, name in enumerate(self.names, start=1)
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


def _special_values(con: duckdb.DuckDBPyConnection, sheet: Sheet) -> dict[int, list[str]]:
    """For each code column, its values that need escaping, found among its distinct values
    (one small aggregate) instead of testing every row with a regexp; a column with more than a
    few such values is tested row by row."""
    codes = [i for i, c in enumerate(sheet.columns) if c.code and not c.number]
    if not codes:
        return {}
    lists = ", ".join(f"list(DISTINCT CAST({sheet.columns[i].sql} AS VARCHAR))" for i in codes)
    ((*row,),) = con.execute(f"SELECT {lists} FROM ({sheet.source}) s").fetchall()
    out = {}
    for i, values in zip(codes, row, strict=True):
        special = [v for v in values or () if v and _SPECIAL_RE.search(v)]
        if len(special) <= 100:
            out[i] = special
    return out


def _runs(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[tuple[int, pa.Array]]:
    """(sheet, its rows' XML) for each run of one sheet's rows in each batch, in order. DuckDB
    renders the next batch in a thread while the caller packs this one."""
    for batch in _ahead(lambda: con.sql(sql).to_arrow_reader(_BATCH)):
        xml, sheet = batch.column(0), batch.column(1)
        start = 0
        counts = pc.value_counts(sheet)  # runs in the order met: the rows are sorted by sheet
        for no, n in zip(
            counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
        ):
            yield int(no), xml.slice(start, n)
            start += n


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _ahead(make: Any, depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Iterate `make()` in a thread, `depth` items ahead of the caller."""
    q: queue.Queue[Any] = queue.Queue(depth)
    stop = threading.Event()
    end = object()

    def put(item: Any) -> bool:
        """Hand over `item` unless the caller has stopped (never block on a queue it left)."""
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in make():
                if not put(item):
                    return
            put(end)
        except BaseException as exc:  # handed to the caller, raised there
            put(_Failed(exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not end:
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


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
    return head + f'<row r="{first}">{header}</row>'


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
