"""Load files and folders into the store: recognise, read, stage, settle the year, replace.

How files become returns:
- a CIN census XML file is one return; its collection year and LA come from its header;
- SSDA903 tables (CSV, XLSX sheets, or the SSDA903 XML) in the same folder form one return; its
  collection year is read from the dates of its episodes (the latest collection year that holds
  more than 1% of the episode start dates), unless `--year` is given;
- loading a return for a year replaces everything held for that return and year.
A file is loaded completely or not at all; a refused file does not stop the others.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers import csv_reader, detect, xlsx_reader
from datamonger.readers import xml as xml_reader
from datamonger.readers.base import Limits, Stage
from datamonger.returns import TableSpec, collection_year_of, label, ssda903
from datamonger.store import BY_STORE_NAME, BadValue, Store

SUFFIXES = {
    ".csv",
    ".xlsx",
    ".xml",
}  # which files a folder search picks up; content decides the rest
MAX_BAD_VALUES_LISTED = 200  # per file, in the report; every one is kept in the load_problems table


@dataclass
class LoadReport:
    problems: list[Problem] = field(default_factory=list)
    loaded: list[tuple[str, int, str, int]] = field(
        default_factory=list
    )  # return, year, table, rows
    files_loaded: list[str] = field(default_factory=list)
    files_refused: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 everything loaded, 1 something refused (the rest loaded), 2 nothing could be loaded."""
        if self.files_refused:
            return 1 if self.files_loaded else 2
        return 0 if self.files_loaded or self.files_skipped else 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded": [
                {"return": r, "year": y, "table": t, "rows": n} for r, y, t, n in self.loaded
            ],
            "files_loaded": self.files_loaded,
            "files_refused": self.files_refused,
            "files_skipped": self.files_skipped,
            "problems": [p.to_dict() for p in self.problems],
            "exit_code": self.exit_code,
        }


def expand(paths: Sequence[Path], report: LoadReport) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                report.problems.append(
                    Problem(
                        Severity.ERROR,
                        "file_missing",
                        "The folder holds no .csv, .xlsx or .xml file.",
                        file=str(p),
                    )
                )
            out += found
        else:
            out.append(p)
    return out


@dataclass
class _Group:
    """Files that together form one return (a CIN file; or the SSDA903 tables of one folder)."""

    id: int
    return_name: str
    files: list[str] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # DfE table -> file that gave it
    year: int | None = None
    la: str | None = None


def load_paths(
    paths: Sequence[Path],
    store: Store,
    *,
    year: int | None = None,
    la: str | None = None,
    limits: Limits | None = None,
) -> LoadReport:
    limits = limits or Limits()
    report = LoadReport()
    groups: list[_Group] = []
    by_folder: dict[Path, _Group] = {}
    next_id = iter(range(1, 1_000_000))

    for path in expand(paths, report):
        file = str(path)
        try:
            kind = detect.sniff(path, limits.max_file_bytes)
        except Refused as exc:
            _refuse(report, file, exc.problem)
            continue
        if kind == "empty":
            report.files_skipped.append(file)
            report.problems.append(
                Problem(
                    Severity.WARNING,
                    "file_empty",
                    "The file is empty (no header, no rows): skipped.",
                    file=file,
                    hint="Some systems export a table with nothing in it this way; "
                    "if the table should have rows, export it again.",
                )
            )
            continue
        if kind == "ground_truth":
            report.files_skipped.append(file)
            report.problems.append(
                Problem(
                    Severity.INFO,
                    "not_a_return",
                    "This is the list of errors `datamonger synth --error-rate` injected (its "
                    "header says so), not a return: skipped.",
                    file=file,
                    hint="Compare it with the validation report to see what was caught.",
                )
            )
            continue
        staging = next(next_id)
        try:
            result = _reader(kind)(path, _stager(store, staging, file), limits)
        except Refused as exc:
            store.drop_staged(staging)
            _refuse(report, file, exc.problem)
            continue
        if result.return_name == "ssda903" and result.year is None:
            # the SSDA903 tables of one folder form one return
            group = by_folder.get(path.parent)
            if group is None:
                group = by_folder[path.parent] = _Group(next(next_id), "ssda903")
                groups.append(group)
            dup = [t for t in result.tables if t in group.tables]
            if dup:
                store.drop_staged(staging)
                _refuse(
                    report,
                    file,
                    Problem(
                        Severity.ERROR,
                        "duplicate_table",
                        f"The folder already gave a {dup[0]} table ({group.tables[dup[0]]}).",
                        file=file,
                        hint="Keep one file per table in a folder.",
                    ),
                )
                continue
            store.move_staged(staging, group.id)
        else:
            group = _Group(staging, result.return_name, year=result.year, la=result.la)
            groups.append(group)
        group.files.append(file)
        group.tables.update(dict.fromkeys(result.tables, file))
        report.problems += result.problems
        report.files_loaded.append(file)

    for group in groups:
        _flag_bad_values(store, group.id, report)
    _commit(groups, store, report, year, la)
    store.log_problems(report.problems)
    return report


def _reader(kind: str) -> Any:
    return {"xml": xml_reader.read_xml, "csv": csv_reader.read, "xlsx": xlsx_reader.read}[kind]


def _stager(store: Store, staging: int, file: str) -> Stage:
    def stage(spec: TableSpec, chunk: dict[str, list[Any]], date_format: str) -> None:
        n = len(chunk["source_line"])
        store.stage(spec, staging, {**chunk, "source_file": [file] * n}, date_format)

    return stage


def _refuse(report: LoadReport, file: str, problem: Problem) -> None:
    if problem.severity is Severity.ERROR:
        report.files_refused.append(file)
    else:
        report.files_skipped.append(file)
    report.problems.append(problem)


def _flag_bad_values(store: Store, group_id: int, report: LoadReport) -> None:
    by_file: dict[str, list[BadValue]] = {}
    for b in store.bad_values(group_id):
        by_file.setdefault(b.file, []).append(b)
    for file, bad in by_file.items():
        _report_bad_values(file, bad, report)


# field type -> problem code, what the value should be, what to do
_UNREADABLE: dict[str, tuple[str, str, str]] = {
    "date": ("bad_date", "a date", "Dates in CSV tables are dd/mm/yyyy; in XML yyyy-mm-dd."),
    "datetime": (
        "bad_date",
        "a date and time",
        "Dates and times are written yyyy-mm-ddThh:mm:ss, as in the CIN census header.",
    ),
    "int": (
        "bad_number",
        "a whole number",
        "Write whole numbers in digits only (for example 3), with no decimal point or spaces.",
    ),
    "bool": (
        "bad_boolean",
        "true or false",
        "Write 1 or 0 (or true or false), as the DfE specification gives for this field.",
    ),
}


def _report_bad_values(file: str, bad: list[BadValue], report: LoadReport) -> None:
    for b in bad[:MAX_BAD_VALUES_LISTED]:
        code, what, hint = _UNREADABLE[b.ftype]
        report.problems.append(
            Problem(
                Severity.WARNING,
                code,
                f"{b.table}.{b.field} on line {b.line} is '{b.value}', which cannot be read as "
                f"{what}; kept as written and flagged.",
                file=b.file,
                line=b.line,
                column=b.field,
                value=b.value,
                hint=hint,
            )
        )
    if len(bad) > MAX_BAD_VALUES_LISTED:
        report.problems.append(
            Problem(
                Severity.WARNING,
                "bad_date",
                f"{len(bad) - MAX_BAD_VALUES_LISTED} more unreadable values in this file "
                "(all are kept as written).",
                file=file,
            )
        )


def infer_ssda903_year(store: Store, group_id: int) -> int | None:
    """The latest collection year holding more than 1% of the episode start dates.

    The 1% guard keeps one mistyped future date from moving a whole return into the wrong year.
    """
    today = dt.date.today()
    spec = ssda903.BY_NAME["Episodes"]
    dates = [d for d in store.staged_dates(group_id, spec, ["DECOM"]) if d <= today]
    if not dates:
        for name, fields in (("Reviews", ["REVIEW"]), ("Missing", ["MIS_START"])):
            dates = [
                d for d in store.staged_dates(group_id, ssda903.BY_NAME[name], fields) if d <= today
            ]
            if dates:
                break
    if not dates:
        return None
    years = Counter(collection_year_of(d) for d in dates)
    return max(y for y, n in years.items() if n * 100 > len(dates))


def _commit(
    groups: list[_Group], store: Store, report: LoadReport, year: int | None, la: str | None
) -> None:
    claimed: dict[tuple[str, int], _Group] = {}
    refused: set[str] = set()
    for g in groups:
        y = year or g.year
        if y is None and g.return_name == "ssda903":
            y = infer_ssda903_year(store, g.id)
        if y is None:
            for f in g.files:
                _unload(report, f, refused)
            report.problems.append(
                Problem(
                    Severity.ERROR,
                    "no_year",
                    "The collection year cannot be read from "
                    + ("these files" if len(g.files) > 1 else "this file")
                    + f" ({', '.join(g.files)}).",
                    file=g.files[0],
                    hint="Give it with --year (the year in which the collection year ends, "
                    "e.g. --year 2025 for 2024/25).",
                )
            )
            store.drop_staged(g.id)
            continue
        key = (g.return_name, y)
        if key in claimed:
            for f in g.files:
                _unload(report, f, refused)
            report.problems.append(
                Problem(
                    Severity.ERROR,
                    "year_conflict",
                    f"Two sets of {g.return_name} files claim {label(y)}: "
                    f"{', '.join(claimed[key].files)} and {', '.join(g.files)}. "
                    "Only the first was loaded.",
                    file=g.files[0],
                    hint="Load one return per collection year, or give each folder's year with "
                    "separate load commands and --year.",
                )
            )
            store.drop_staged(g.id)
            continue
        claimed[key] = g
        if g.return_name == "ssda903":
            for t in g.tables:
                if not ssda903.BY_NAME[t].in_year(y):
                    report.problems.append(
                        Problem(
                            Severity.WARNING,
                            "table_not_in_year",
                            f"{t} is not part of the SSDA903 return in {label(y)}; "
                            "loaded all the same.",
                            file=g.tables[t],
                        )
                    )
        counts, replaced = store.replace_return(g.return_name, y, g.id, g.files, g.la or la)
        if replaced:
            report.problems.append(
                Problem(
                    Severity.INFO,
                    "replaced",
                    f"The {g.return_name} return for {label(y)} already in the database was "
                    "replaced.",
                    file=g.files[0],
                )
            )
        by_table = {BY_STORE_NAME[k].name: v for k, v in counts.items()}
        for t in sorted(set(g.tables) | set(by_table)):
            report.loaded.append((g.return_name, y, t, by_table.get(t, 0)))
    report.loaded.sort()
    report.files_loaded = [f for f in report.files_loaded if f not in refused]


def _unload(report: LoadReport, file: str, refused: set[str]) -> None:
    refused.add(file)
    report.files_refused.append(file)
