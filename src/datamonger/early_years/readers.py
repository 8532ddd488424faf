"""Read the monitor's three inputs (early-years lists, identities, the settings register) from CSV
or XLSX, recognised by their header, all or nothing per file.

Every check runs in DuckDB over the whole file at once (no Python object per row). A file with
any error is refused whole, with each problem's file, line and field; a problem never quotes a
name, date of birth, postcode or UPN, only where it is.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from datamonger.early_years import columns as C
from datamonger.indicators.reference import la_numbers
from datamonger.store import lit, q

MAX_LISTED = 20  # problems listed one by one before they are counted


@dataclass(frozen=True, slots=True)
class InputProblem:
    file: str
    line: int | None
    field: str | None
    code: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        where += f", {self.field}" if self.field else ""
        return f"{where}: {self.message}" + (f" {self.hint}" if self.hint else "")


class InputRefused(Exception):
    """A file (or the set of files) that cannot be used: nothing from it is used."""

    def __init__(self, problems: list[InputProblem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(str(problems[0]) if problems else "refused")

    def describe(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"... and {self.total - len(self.problems)} more problems like these.")
        return "\n".join(lines)


@dataclass(slots=True)
class Inputs:
    """What was read, as Arrow tables (values typed; personal fields as written, trimmed)."""

    ey_rows: pa.Table
    identities: pa.Table
    settings: pa.Table
    files: list[str] = field(default_factory=list)


def read_raw(path: Path) -> tuple[list[str], pa.Table]:
    """The header and the rows of a CSV or of an XLSX workbook's first sheet, as text, with
    `source_line` (the line or spreadsheet row each came from)."""
    file = str(path)
    if not path.is_file():
        raise InputRefused(
            [
                InputProblem(
                    file, None, None, "not_found", "There is no such file.", "Check the path."
                )
            ]
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix not in (".csv", ".txt"):
        raise InputRefused(
            [
                InputProblem(
                    file, None, None, "not_csv_or_xlsx",
                    f"A {suffix or 'nameless'} file cannot be read.",
                    "Save the list as CSV or XLSX and give that file.",
                )
            ]
        )  # fmt: skip
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise InputRefused(
            [InputProblem(file, None, None, "not_text", "The file holds binary data, not a CSV.")]
        )
    encoding = "utf-8"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "cp1252"  # how Excel saves plain CSV
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(encoding=encoding, autogenerate_column_names=True),
            convert_options=pacsv.ConvertOptions(
                column_types={}, strings_can_be_null=False, auto_dict_encode=False
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        line, reason = _first_bad_row(raw, encoding, str(exc))
        raise InputRefused(
            [
                InputProblem(
                    file, line, None, "unreadable_csv",
                    f"The CSV cannot be read: {reason}.",
                    "Check the row's commas and quotes (a value with a comma needs quotes), "
                    "or open the file in Excel, save it as CSV UTF-8, and give it again.",
                )
            ]
        ) from None  # fmt: skip
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    if table.num_rows == 0:
        raise InputRefused([InputProblem(file, None, None, "empty", "The file is empty.")])
    header = [v or "" for v in table.slice(0, 1).to_pylist()[0].values()]
    body = table.slice(1)
    # Line numbers count the line breaks inside quoted cells of the rows before.
    con = duckdb.connect()
    con.register("body", body)
    cols = ", ".join(f'"{c}"' for c in body.column_names)
    breaks = " + ".join(
        f'length("{c}") - length(replace("{c}", chr(10), \'\'))' for c in body.column_names
    )
    numbered = con.sql(
        f"""SELECT {cols}, (2 + (row_number() OVER () - 1)
                 + coalesce(sum({breaks}) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
               )::INTEGER AS source_line FROM body"""
    ).to_arrow_table()
    con.close()
    return header, numbered


def _read_xlsx(path: Path) -> tuple[list[str], pa.Table]:
    import fastexcel

    file = str(path)
    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
        batch = sheet.to_arrow()
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        raise InputRefused(
            [
                InputProblem(
                    file, None, None, "xlsx_damaged",
                    f"The workbook cannot be read ({type(exc).__name__}).",
                    "Open it in Excel, save it again as .xlsx, and give it again.",
                )
            ]
        ) from None  # fmt: skip
    table = pa.Table.from_batches([batch])
    if table.num_rows == 0:
        raise InputRefused([InputProblem(file, None, None, "empty", "The first sheet is empty.")])
    names = [f"column{k}" for k in range(table.num_columns)]
    table = table.rename_columns(names)
    header = [v or "" for v in table.slice(0, 1).to_pylist()[0].values()]
    body = table.slice(1)
    lines = pa.array(range(2, body.num_rows + 2), pa.int32())
    return header, body.append_column("source_line", lines)


def _first_bad_row(raw: bytes, encoding: str, arrow_message: str) -> tuple[int | None, str]:
    """Where and why a CSV does not parse, without quoting the row (Arrow's message ends with the
    row's text, names and all). Only on the error path: the file is walked once more, row by row."""
    try:
        rows = csv.reader(io.StringIO(raw.decode(encoding, errors="replace"), newline=""))
        header = next(rows, [])
        for row in rows:
            if len(row) != len(header) and any(c.strip() for c in row):
                return rows.line_num, f"it has {len(row)} values where the header has {len(header)}"
    except csv.Error as exc:
        return None, f"a quote is not closed ({type(exc).__name__})"
    kind = arrow_message.split(":")[0] if ":" in arrow_message else "unreadable"
    return None, kind.strip() or "unreadable"


def date_sql(v: str) -> str:
    """dd/mm/yyyy as the lists write it, or yyyy-mm-dd as a workbook's date cells read."""
    t = f"trim({v})"
    return (
        f"CASE WHEN regexp_full_match({t}, '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}') "
        f"THEN try_strptime({t}, '%d/%m/%Y')::DATE "
        f"WHEN regexp_full_match({t}, '\\d{{4}}-\\d{{2}}-\\d{{2}}( 00:00:00)?') "
        f"THEN try_strptime(left({t}, 10), '%Y-%m-%d')::DATE END"
    )


def postcode_sql(v: str) -> str:
    """Upper case, one space before the inward code (`b152tt` -> `B15 2TT`)."""
    s = f"upper(replace(trim(coalesce({v}, '')), ' ', ''))"
    return f"CASE WHEN length({s}) > 3 THEN left({s}, length({s}) - 3) || ' ' || right({s}, 3) ELSE nullif({s}, '') END"


def _header(file: str, header: list[str], kind: str) -> dict[str, str]:
    """Canonical field -> the raw column holding it; refuses duplicates and missing columns."""
    names = C.clean(header)
    seen: set[str] = set()
    dupes = sorted({n for n in names if n and (n in seen or seen.add(n))})  # type: ignore[func-returns-value]
    if dupes:
        raise InputRefused(
            [InputProblem(file, 1, None, "duplicate_columns",
                          f"The header names {', '.join(dupes)} more than once.",
                          "Remove the repeated column and give the file again.")]
        )  # fmt: skip
    required: tuple[str, ...]
    if kind == C.SETTINGS:
        found: dict[str, int] = {}
        for canon, aliases in C.SETTINGS_ALIASES.items():
            for k, n in enumerate(names):
                if n in aliases:
                    found[canon] = k
                    break
        required = C.SETTINGS_REQUIRED
    else:
        found = {n: k for k, n in enumerate(names) if n}
        required = C.EY_REQUIRED if kind == C.EY_LIST else C.IDENTITY_REQUIRED
    missing = [c for c in required if c not in found]
    if missing:
        what = {C.EY_LIST: "an early-years list", C.IDENTITIES: "the identities of looked-after "
                "children", C.SETTINGS: "a register of early years settings"}[kind]  # fmt: skip
        raise InputRefused(
            [InputProblem(file, 1, ", ".join(missing), "missing_columns",
                          f"The header looks like {what} but has no {', '.join(missing)} column.",
                          f"The columns needed are {', '.join(required)}; add the missing ones "
                          "and give the file again.")]
        )  # fmt: skip
    return {canon: str(k) for canon, k in found.items()}


def read_input(path: Path, expect: str | None = None) -> tuple[str, pa.Table]:
    """Read one file: its kind (`ey_list`, `identities`, `settings`) and its typed rows.
    Refuses the whole file on any error."""
    file = str(path)
    header, body = read_raw(Path(path))
    kind = C.kind_of(header)
    if kind is None or kind == C.TRUTH or (expect is not None and kind != expect):
        wanted = {C.EY_LIST: "an early-years list", C.IDENTITIES: "identities", C.SETTINGS:
                  "a settings register", None: "an early-years input"}[expect]  # fmt: skip
        raise InputRefused(
            [InputProblem(file, 1, None, "unknown_header",
                          f"The header is not that of {wanted}.",
                          "An early-years list has forename, surname, date_of_birth, postcode, "
                          "setting_urn, setting_name, funded_hours, term, la; identities have "
                          "child_id, forename, surname, date_of_birth, postcode.")]
        )  # fmt: skip
    where = _header(file, header, kind)
    raw_cols = body.column_names[: len(header)]
    col = {canon: raw_cols[int(k)] for canon, k in where.items()}
    con = duckdb.connect()
    try:
        con.register("raw", body)
        if kind == C.EY_LIST:
            table = _ey_list(con, file, col)
        elif kind == C.IDENTITIES:
            table = _identities(con, file, col)
        else:
            table = _settings(con, file, col)
    finally:
        con.close()
    return kind, table


def _v(col: dict[str, str], name: str) -> str:
    """The trimmed text of a field, NULL when blank or absent."""
    return f"nullif(trim({q(col[name])}), '')" if name in col else "NULL::VARCHAR"


def _problems(
    con: duckdb.DuckDBPyConnection, file: str, checks: list[tuple[str, str, str, str, str]]
) -> None:
    """checks: (code, field, SQL true on a bad row, message, hint). Refuses when any row is bad."""
    if not checks:
        return
    union = " UNION ALL ".join(
        f"SELECT source_line, {lit(code)} AS code, {lit(fld)} AS field, {lit(msg)} AS message, "
        f"{lit(hint)} AS hint FROM typed WHERE {cond}"
        for code, fld, cond, msg, hint in checks
    )
    n = int(con.sql(f"SELECT count(*) FROM ({union})").fetchall()[0][0])
    if n == 0:
        return
    rows = con.sql(
        f"SELECT * FROM ({union}) ORDER BY source_line, code LIMIT {MAX_LISTED}"
    ).fetchall()
    raise InputRefused([InputProblem(file, int(r[0]), r[2], r[1], r[3], r[4]) for r in rows], n)


def _duplicates(
    con: duckdb.DuckDBPyConnection, file: str, key: list[str], what: str, hint: str
) -> None:
    cols = ", ".join(key)
    rows = con.sql(
        f"""SELECT source_line, first_line FROM (
              SELECT source_line, min(source_line) OVER (PARTITION BY {cols}) AS first_line
              FROM typed) WHERE source_line <> first_line ORDER BY source_line"""
    ).fetchall()
    if rows:
        raise InputRefused(
            [InputProblem(file, int(r[0]), None, "duplicate_row", f"This row repeats {what} of line {r[1]}.", hint)
             for r in rows[:MAX_LISTED]],
            len(rows),
        )  # fmt: skip


def _ey_list(con: duckdb.DuckDBPyConnection, file: str, col: dict[str, str]) -> pa.Table:
    numbers = la_numbers()
    las = pa.table({"code": list(numbers), "dfe": list(numbers.values())})
    con.register("las", las)
    hours = _v(col, "funded_hours")
    con.execute(
        f"""CREATE TEMP TABLE typed AS SELECT
              source_line, {lit(file)} AS source_file,
              {_v(col, 'forename')} AS forename, {_v(col, 'surname')} AS surname,
              {_v(col, 'date_of_birth')} AS date_of_birth_raw, {date_sql(_v(col, 'date_of_birth'))} AS date_of_birth,
              {postcode_sql(_v(col, 'postcode'))} AS postcode,
              upper({_v(col, 'setting_urn')}) AS setting_urn, {_v(col, 'setting_name')} AS setting_name,
              {hours} AS funded_hours_raw,
              CASE WHEN regexp_full_match({hours}, '\\d{{1,2}}(\\.\\d+)?') THEN TRY_CAST({hours} AS DOUBLE) END AS funded_hours,
              {_v(col, 'term')} AS term, {_v(col, 'la')} AS la_raw, las.dfe AS la,
              upper({_v(col, 'upn')}) AS upn, {_v(col, 'child_id')} AS child_id,
              upper({_v(col, 'sex')}) AS sex, upper({_v(col, 'ethnicity')}) AS ethnicity
            FROM raw LEFT JOIN las ON las.code = upper({_v(col, 'la')})"""
    )  # fmt: skip
    blank = "Every row needs it."
    checks = [
        ("missing_value", f, f"{f} IS NULL", f"The {f} is blank.", blank)
        for f in ("forename", "surname", "setting_urn", "term")
    ]
    checks += [
        ("missing_value", "date_of_birth", "date_of_birth_raw IS NULL", "The date_of_birth is blank.", blank),
        ("bad_date", "date_of_birth", "date_of_birth_raw IS NOT NULL AND date_of_birth IS NULL",
         "The date_of_birth is not a date written dd/mm/yyyy.", "Write it as 25/12/2021."),
        ("bad_hours", "funded_hours", "funded_hours_raw IS NULL OR funded_hours IS NULL OR funded_hours > 60",
         "The funded_hours is not a number of weekly hours (0 to 60).", "Write the weekly funded hours, e.g. 15 or 30."),
        ("bad_term", "term", "term IS NOT NULL AND NOT regexp_full_match(term, '(?i)(autumn|spring|summer) \\d{4}')",
         "The term is not written like Autumn 2024, Spring 2025 or Summer 2025.", ""),
        ("unknown_la", "la", "la IS NULL",
         "The la is not the DfE number or ONS code of an English LA.",
         "Write the sending LA's DfE number (e.g. 330) or ONS code (e.g. E08000025)."),
    ]  # fmt: skip
    _problems(con, file, checks)
    _duplicates(
        con, file,
        ["forename", "surname", "date_of_birth", "postcode", "setting_urn", "funded_hours", "term",
         "upn", "child_id"],
        "the child, setting, hours and term",
        "Remove the repeated row (a child in two settings has one row per setting) and give the file again.",
    )  # fmt: skip
    return con.sql(
        """SELECT source_file, source_line, forename, surname, date_of_birth, postcode, setting_urn,
                  setting_name, funded_hours, upper(left(term, 1)) || lower(substr(term, 2)) AS term, la, upn, child_id,
                  sex, ethnicity FROM typed ORDER BY source_line"""
    ).to_arrow_table()


def _identities(con: duckdb.DuckDBPyConnection, file: str, col: dict[str, str]) -> pa.Table:
    con.execute(
        f"""CREATE TEMP TABLE typed AS SELECT
              source_line, {lit(file)} AS source_file, {_v(col, 'child_id')} AS child_id,
              {_v(col, 'forename')} AS forename, {_v(col, 'surname')} AS surname,
              {_v(col, 'date_of_birth')} AS date_of_birth_raw, {date_sql(_v(col, 'date_of_birth'))} AS date_of_birth,
              {postcode_sql(_v(col, 'postcode'))} AS postcode, upper({_v(col, 'upn')}) AS upn,
              {_v(col, 'preferred_name')} AS preferred_name, {_v(col, 'former_surname')} AS former_surname
            FROM raw"""
    )  # fmt: skip
    blank = "Every row needs it."
    checks = [
        ("missing_value", f, f"{f} IS NULL", f"The {f} is blank.", blank)
        for f in ("child_id", "forename", "surname")
    ]
    checks += [
        ("missing_value", "date_of_birth", "date_of_birth_raw IS NULL", "The date_of_birth is blank.", blank),
        ("bad_date", "date_of_birth", "date_of_birth_raw IS NOT NULL AND date_of_birth IS NULL",
         "The date_of_birth is not a date written dd/mm/yyyy.", "Write it as 25/12/2021."),
    ]  # fmt: skip
    _problems(con, file, checks)
    _duplicates(
        con, file, ["child_id"], "the child_id",
        "Each looked-after child appears once; keep one row per child_id.",
    )  # fmt: skip
    return con.sql(
        """SELECT source_file, source_line, child_id, forename, surname, date_of_birth, postcode,
                  upn, preferred_name, former_surname FROM typed ORDER BY source_line"""
    ).to_arrow_table()


SECTOR_SQL = """CASE
    WHEN {t} ILIKE '%childminder%' THEN 'Childminder'
    WHEN {t} ILIKE '%nursery school%' THEN 'Nursery school'
    WHEN {t} ILIKE '%maintained%' OR {t} ILIKE '%school%' THEN 'Maintained nursery class'
    WHEN {t} ILIKE '%voluntary%' THEN 'Voluntary'
    WHEN {t} ILIKE '%independent%' THEN 'Independent'
    WHEN {t} ILIKE '%private%' OR {t} ILIKE '%non-domestic%' OR {t} ILIKE '%domestic%' THEN 'Private'
    ELSE 'Other' END"""


def _settings(con: duckdb.DuckDBPyConnection, file: str, col: dict[str, str]) -> pa.Table:
    con.execute(
        f"""CREATE TEMP TABLE typed AS SELECT
              source_line, upper({_v(col, 'urn')}) AS urn, {_v(col, 'setting_name')} AS setting_name,
              {_v(col, 'setting_type')} AS setting_type, {_v(col, 'local_authority')} AS local_authority,
              coalesce({_v(col, 'overall_effectiveness')}, 'Not yet inspected') AS overall_effectiveness
            FROM raw"""
    )  # fmt: skip
    _problems(con, file, [("missing_value", "urn", "urn IS NULL", "The URN is blank.", "")])
    _duplicates(con, file, ["urn"], "the URN", "Each setting appears once.")
    return con.sql(
        f"""SELECT urn, setting_name, setting_type,
                  {SECTOR_SQL.format(t="coalesce(setting_type, '')")} AS sector,
                  local_authority, overall_effectiveness FROM typed"""
    ).to_arrow_table()


def default_settings() -> Path:
    """The synthetic register shipped for the demo and the tests (see its README)."""
    return Path(
        str(resources.files("datamonger").joinpath("data/early_years/synthetic_ey_settings.csv"))
    )


def read_inputs(ey_lists: list[Path], identities: Path, settings: Path | None = None) -> Inputs:
    """Every file, all or nothing each; the first refused file stops the run (nothing stored)."""
    ey_tables = []
    for p in ey_lists:
        _, t = read_input(p, C.EY_LIST)
        ey_tables.append(t)
    _, ids = read_input(identities, C.IDENTITIES)
    _, reg = read_input(settings or default_settings(), C.SETTINGS)
    rows = pa.concat_tables(ey_tables) if ey_tables else None
    if rows is None:
        raise InputRefused(
            [InputProblem("--ey-list", None, None, "no_list", "No early-years list was given.")]
        )
    return Inputs(rows, ids, reg, [str(p) for p in ey_lists] + [str(identities)])
