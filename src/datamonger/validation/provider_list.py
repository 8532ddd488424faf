"""Ofsted's lists of children's homes and social care providers, read for the URN rules.

`datamonger validate --providers FILE` takes the lists the DfE and Ofsted give LAs for the
SSDA903 return, as xlsx (or xls) workbooks or CSV files, in any of their published shapes:

- the Children's homes list: a sheet "Provider information" (or "Settings and Inspection Info"
  with the postcode on "Address Details") with URN, Local Authority, Provider Code, Provider
  Placement Code, Closed Date, Setting Postcode (or Setting Address Postcode);
- the Social care providers list: "Current providers" and "Providers closed" sheets with URN,
  Local authority, Placement code, Placement provider code, Deregistration date (closed sheet
  only), Setting postcode;
- the combined list: one sheet with those columns (any case), optionally a second sheet of
  supported accommodation (URN, Provider local authority, Closed date, Setting address
  postcode; its placement code is K3).

Every sheet (or CSV) with a URN column is read; its header row may sit below title rows.
Columns are found by name, ignoring case and punctuation:

| column     | header names accepted                                                     |
| ---------- | ------------------------------------------------------------------------- |
| URN        | URN (required)                                                            |
| LA_NAME    | Local authority, Provider local authority                                 |
| PLACE      | Placement code, Provider code (codes separated by `,` `/` `;` or spaces)  |
| PROVIDER   | Placement provider code, Provider placement code (PR0-PR5)                |
| REG_END    | Deregistration date, Closed date, Closure date (dd/mm/yyyy, ISO or Excel)  |
| POSTCODE   | Setting postcode, Setting address postcode, Postcode                      |

When the two code columns are swapped (PR codes under the placement code), they are read the
right way round. A provider listed on several sheets becomes one row: its codes are pooled, its
postcode is the first given, and it is closed (REG_END) only when no sheet lists it as open.
Supported accommodation sheets without a placement code column give K3.

The rules read the table `providers` (in the run's `prepare.Workspace`): URN_key (upper case,
trimmed; the join key for Episodes.URN), URN, LA_NAME, PLACE_CODES and PROVIDER_CODES (VARCHAR[]),
REG_END (DATE), POSTCODE (upper case, no spaces) and LA_CODE: the upper-tier LA of the postcode from
the ONS directory (SCO, WAL, NIR outside England; NULL when unknown), which may differ from the LA
named in the list.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

ALIASES: dict[str, tuple[str, ...]] = {
    "URN": ("urn", "ofsted urn", "setting urn"),
    "LA_NAME": (
        "local authority",
        "provider local authority",
        "local authority name",
        "la name",
        "la",
    ),
    "PLACE": ("placement code", "placement codes", "provider code", "place code", "place codes"),
    "PROVIDER": (
        "placement provider code",
        "placement provider codes",
        "provider placement code",
        "provider placement codes",
        "provider codes",
    ),
    "REG_END": (
        "deregistration date",
        "closed date",
        "closure date",
        "date closed",
        "reg end",
        "registration end date",
        "date deregistered",
    ),
    "POSTCODE": (
        "setting postcode",
        "setting address postcode",
        "setting post code",
        "setting address post code",
        "postcode",
        "provider postcode",
    ),
}
_BY_ALIAS = {alias: col for col, aliases in ALIASES.items() for alias in aliases}
HEADER_SEARCH = 30  # rows scanned for the header row under any title rows
_PR = re.compile(r"^PR\d$")


class ProviderListError(ValueError):
    """The file is not a provider list the rules can use."""


@dataclass
class Provider:
    urn: str
    la_name: str | None = None
    place: set[str] = field(default_factory=set)
    provider: set[str] = field(default_factory=set)
    open: bool = False  # listed as open on some sheet
    reg_end: dt.date | None = None
    postcode: str | None = None


def _norm(header: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    if re.fullmatch(r"\d+\.0+", s):  # a numeric URN read as a float
        s = s.split(".")[0]
    return s or None


def _codes(value: object) -> set[str]:
    s = _text(value)
    return {c for c in re.split(r"[\s,/;]+", s.upper()) if c} if s else set()


def parse_date(value: object) -> dt.date | None:
    """dd/mm/yyyy, yyyy-mm-dd (with a time or not), or an Excel serial day number."""
    s = _text(value)
    if not s:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(s.split(" ")[0].split("T")[0], fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(s)))
    return None


def _sheets(path: Path) -> Iterable[tuple[str, list[list[str | None]]]]:
    """(sheet name, rows of cells as text) for every sheet of a workbook, or the CSV."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        import fastexcel

        reader = fastexcel.read_excel(str(path))
        for i, name in enumerate(reader.sheet_names):
            table = reader.load_sheet(i, header_row=None, dtypes="string").to_arrow()
            cols = [table.column(c).to_pylist() for c in range(table.num_columns)]
            yield name, [list(r) for r in zip(*cols, strict=True)] if cols else []
    else:
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        rows = [[c if c != "" else None for c in r] for r in csv.reader(io.StringIO(text))]
        yield path.stem, rows


def _columns(rows: list[list[str | None]]) -> tuple[int, dict[str, int]] | None:
    """The header row's index and our column -> cell index, or None if the sheet has no URN."""
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        names = [_norm(c) for c in row]
        if "urn" in names:
            found: dict[str, int] = {}
            for j, n in enumerate(names):
                col = _BY_ALIAS.get(n)
                if col and col not in found:
                    found[col] = j
            return i, found
    return None


def _swapped(rows: list[list[str | None]], cols: Mapping[str, int]) -> bool:
    """PR codes sit under the placement code column and the other column holds none."""
    if "PLACE" not in cols or "PROVIDER" not in cols:
        return False

    def share(col: str) -> float:
        codes = [c for r in rows for c in _codes(r[cols[col]])]
        return sum(bool(_PR.match(c)) for c in codes) / len(codes) if codes else 0.0

    return share("PLACE") > 0.5 and share("PROVIDER") < 0.5


def read(paths: Path | Sequence[Path]) -> dict[str, Provider]:
    """URN_key -> the provider, pooled over every sheet of every file."""
    found: dict[str, Provider] = {}
    used = 0
    for path in [paths] if isinstance(paths, Path) else list(paths):
        for name, rows in _sheets(path):
            located = _columns(rows)
            if located is None:
                continue
            used += 1
            start, cols = located
            data = rows[start + 1 :]
            if _swapped(data, cols):
                cols = {**cols, "PLACE": cols["PROVIDER"], "PROVIDER": cols["PLACE"]}
            supported = "supported" in name.lower() and "PLACE" not in cols
            registration = bool({"PLACE", "PROVIDER", "REG_END"} & cols.keys()) or supported

            def cell(row: list[str | None], col: str, cols: dict[str, int] = cols) -> str | None:
                j = cols.get(col)
                return row[j] if j is not None and j < len(row) else None

            for row in data:
                urn = _text(cell(row, "URN"))
                if not urn:
                    continue
                key = urn.upper()
                p = found.setdefault(key, Provider(urn))
                p.la_name = p.la_name or _text(cell(row, "LA_NAME"))
                p.place |= {"K3"} if supported else _codes(cell(row, "PLACE"))
                p.provider |= _codes(cell(row, "PROVIDER"))
                postcode = _text(cell(row, "POSTCODE"))
                if postcode and not p.postcode:
                    p.postcode = postcode.upper().replace(" ", "")
                if registration:
                    end = parse_date(cell(row, "REG_END"))
                    if end is None:
                        p.open = True
                    elif p.reg_end is None or end > p.reg_end:
                        p.reg_end = end
    if not used:
        names = ", ".join(p.name for p in ([paths] if isinstance(paths, Path) else paths))
        raise ProviderListError(f"{names}: no sheet of the provider list has a URN column")
    return found


def load(
    con: duckdb.DuckDBPyConnection,
    paths: Path | Sequence[Path],
    postcodes: Path | None = None,
) -> int:
    """Create the table `providers` (see the module doc) in the default catalog of `con`, a
    `prepare.Workspace` cursor; returns the number of URNs."""
    found = read(paths)
    items = list(found.items())
    table = pa.table(
        {
            "URN_key": pa.array([k for k, _ in items], pa.string()),
            "URN": pa.array([p.urn for _, p in items], pa.string()),
            "LA_NAME": pa.array([p.la_name for _, p in items], pa.string()),
            "PLACE_CODES": pa.array(
                [sorted(p.place) or None for _, p in items], pa.list_(pa.string())
            ),
            "PROVIDER_CODES": pa.array(
                [sorted(p.provider) or None for _, p in items], pa.list_(pa.string())
            ),
            "REG_END": pa.array([None if p.open else p.reg_end for _, p in items], pa.date32()),
            "POSTCODE": pa.array([p.postcode for _, p in items], pa.string()),
        }
    )
    con.register("_providers_in", table)
    try:
        pc = (
            "CASE WHEN length(POSTCODE) BETWEEN 5 AND 7 THEN left(POSTCODE, length(POSTCODE) - 3) "
            "|| ' ' || right(POSTCODE, 3) END"
        )
        if postcodes is not None:
            src = "read_parquet('" + str(postcodes).replace("'", "''") + "')"
            onspd = (
                f"SELECT postcode, any_value(utla_code) AS utla_code, any_value(country) AS "
                f"country FROM {src} WHERE postcode IN (SELECT {pc} FROM _providers_in) "
                "GROUP BY postcode"
            )
        else:
            onspd = "SELECT NULL::VARCHAR AS postcode, NULL AS utla_code, NULL AS country"
        con.execute(
            "CREATE OR REPLACE TABLE providers AS "
            "SELECT p.URN_key, p.URN, p.LA_NAME, p.PLACE_CODES, p.PROVIDER_CODES, p.REG_END, "
            "p.POSTCODE, CASE o.country WHEN 'England' THEN o.utla_code WHEN 'Scotland' THEN "
            "'SCO' WHEN 'Wales' THEN 'WAL' WHEN 'Northern Ireland' THEN 'NIR' END AS LA_CODE "
            f"FROM _providers_in p LEFT JOIN ({onspd}) o ON o.postcode = {pc.replace('POSTCODE', 'p.POSTCODE')}"
        )
    finally:
        con.unregister("_providers_in")
    return len(items)


def write_csv(rows: Sequence[Mapping[str, str | None]], path: Path) -> Path:
    """Write provider rows (Ofsted column names) as a CSV list, e.g. for a rule's fixture."""
    names = list(dict.fromkeys(k for r in rows for k in r)) or ["URN"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, names)
        w.writeheader()
        w.writerows(rows)
    return path
