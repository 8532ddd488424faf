"""Load files and folders into the store: recognise, read, stage, settle the year, replace.

How files become returns:
- a CIN census XML file is one return; its collection year and LA come from its header;
- SSDA903 tables (CSV, XLSX sheets, or the SSDA903 XML) in the same folder form one return; its
  collection year is read from the dates of its episodes (the latest collection year that holds
  at least 10% of the episodes' start and end dates), unless `--year` is given; the report says
  which year was chosen and why, and warns when the evidence is not overwhelming;
- loading a return for a year replaces everything held for that return and year.
A file is loaded completely or not at all; a refused file does not stop the others. But when a
file recognised as one of a folder's SSDA903 tables is refused (or two files give one table), the
folder's whole SSDA903 return is refused: loading the rest would replace the stored return with
one missing that table. What the database held for it is kept unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamonger.problems import Problem, Refused, Severity
from datamonger.readers import csv_reader, detect, xlsx_reader
from datamonger.readers import xml as xml_reader
from datamonger.readers.base import Limits, Stage
from datamonger.returns import TableSpec, label, plausible_year, ssda903, year_range
from datamonger.store import BY_STORE_NAME, Store

# which files a folder search picks up; content decides the rest (.xls and .zip are picked up to
# be refused with a reason, never skipped in silence)
SUFFIXES = {".csv", ".xlsx", ".xml", ".xls", ".zip"}
MAX_BAD_VALUES_LISTED = 200  # per file, in the report; every one is kept in the load_problems table
YEAR_SHARE = 0.10  # an SSDA903 year needs at least this share of the episodes' dates
CLEAR_SHARE = 0.25  # below this share (or with later dates set aside) the choice is a warning


@dataclass
class LoadReport:
    problems: list[Problem] = field(default_factory=list)
    loaded: list[tuple[str, int, str, int]] = field(
        default_factory=list
    )  # return, year, table, rows
    files_loaded: list[str] = field(default_factory=list)
    files_refused: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    staged_problems: set[int] = field(default_factory=set)  # id() of problems the store holds

    @property
    def exit_code(self) -> int:
        """0 everything loaded, 1 something refused (the rest loaded), 2 nothing could be loaded."""
        if not self.files_loaded:
            return 2
        return 1 if self.files_refused else 0

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
    folder: str = ""
    blocked: list[str] = field(default_factory=list)  # why the whole return is refused
    refused_files: list[str] = field(default_factory=list)  # its files refused on their own


def bad_year(year: int) -> Problem:
    return Problem(
        Severity.ERROR,
        "bad_year",
        f"--year {year} is not a collection year: the DfE collections run from {year_range()}. "
        "Nothing was loaded.",
        value=str(year),
        hint="Give the year in which the collection year ends, e.g. --year 2025 for 2024/25.",
    )


def load_paths(
    paths: Sequence[Path],
    store: Store,
    *,
    year: int | None = None,
    la: str | None = None,
    limits: Limits | None = None,
) -> LoadReport:
    if year is not None and not plausible_year(year):
        return LoadReport(problems=[bad_year(year)])
    with store.bounded_memory():
        return finish(stage_paths(paths, store, la=la, limits=limits), year=year)


def load_with_previous(
    paths: Sequence[Path],
    previous: Sequence[Path],
    store: Store,
    *,
    year: int | None = None,
    la: str | None = None,
) -> tuple[LoadReport, LoadReport | None]:
    """Load `paths`, and `previous` (when given) as last year's return: as the year before the
    one `paths` gave (or `year`), whatever its own dates say. `previous` is read and staged in
    a thread of its own, on a view of the store, while `paths` load; its year is settled once
    theirs is known. Gives both load reports."""
    if not previous:
        return load_paths(paths, store, year=year, la=la), None
    view = store.view()
    try:
        with store.bounded_memory(), ThreadPoolExecutor(1, thread_name_prefix="previous") as pool:
            staged = pool.submit(stage_paths, previous, view, la=la)
            loaded = load_paths(paths, store, year=year, la=la)
            years = {y - 1 for _, y, _, _ in loaded.loaded if year is None or y == year}
            before = finish(staged.result(), year=min(years) if len(years) == 1 else None)
    finally:
        view.close()
    return loaded, before


@dataclass
class Staged:
    """Files read and staged on `store`, their year not yet settled nor anything committed.

    `load_paths` is `stage_paths` then `finish`. Apart, another thread can read and stage one
    set of files on a `Store.view` while this one loads another (`load_with_previous`), and
    the year given to `finish` can depend on what the first load found. Staged rows live on
    the store's connection until `finish` commits or drops them.
    """

    store: Store
    report: LoadReport
    groups: list[_Group]
    la: str | None


def stage_paths(
    paths: Sequence[Path], store: Store, *, la: str | None = None, limits: Limits | None = None
) -> Staged:
    """Read and stage every file (the caller bounds memory: `Store.bounded_memory`)."""
    report = LoadReport()
    groups = _stage_files(paths, store, report, limits or Limits())
    return Staged(store, report, groups, la)


def finish(staged: Staged, *, year: int | None = None) -> LoadReport:
    """Settle each staged return's year (`year`, a plausible one, for all when given), then
    commit them."""
    store, report = staged.store, staged.report
    _commit(staged.groups, store, report, year, staged.la)
    store.log_problems(report.problems, skip=report.staged_problems)
    return report


def _stage_files(
    paths: Sequence[Path], store: Store, report: LoadReport, limits: Limits
) -> list[_Group]:
    groups: list[_Group] = []
    by_folder: dict[Path, _Group] = {}
    next_id = iter(range(1, 1_000_000))

    def folder_group(path: Path) -> _Group:
        group = by_folder.get(path.parent)
        if group is None:
            group = by_folder[path.parent] = _Group(
                next(next_id), "ssda903", folder=str(path.parent)
            )
            groups.append(group)
        return group

    for path in expand(paths, report):
        file = str(path)
        try:
            kind = detect.sniff(path, limits.max_file_bytes)
        except Refused as exc:
            _refuse(report, file, exc.problem)
            continue
        if kind in _SKIPPED:  # recognised, and not a return: skipped with a note
            severity, code, message, hint = _SKIPPED[kind]
            _refuse(report, file, Problem(severity, code, message, file=file, hint=hint))
            continue
        staging = next(next_id)
        try:
            result = _reader(kind)(path, _stager(store, staging, file), limits)
        except Refused as exc:
            store.drop_staged(staging)
            _refuse(report, file, exc.problem)
            if exc.table is not None and exc.problem.severity is Severity.ERROR:
                group = folder_group(path)
                group.refused_files.append(file)
                what = f"the file {file}" if exc.table == "*" else f"its {exc.table} table ({file})"
                group.blocked.append(f"{what} was refused")
            continue
        except Exception as exc:  # a reader must never take the other files down with it
            store.drop_staged(staging)
            _refuse(report, file, _unforeseen(file, exc))
            continue
        if result.return_name == "ssda903" and result.year is None:
            # the SSDA903 tables of one folder form one return
            group = folder_group(path)
            dup = [t for t in result.tables if t in group.tables]
            if dup:
                first = group.tables[dup[0]]
                store.drop_staged(staging)
                store.drop_staged(group.id, first)
                report.problems.append(
                    Problem(
                        Severity.ERROR,
                        "duplicate_table",
                        f"Two files in the folder give the {dup[0]} table: {first} and {file}. "
                        "Neither is loaded, since which one is right cannot be told.",
                        file=file,
                        hint="Keep one file per table in a folder, then load it again.",
                    )
                )
                for f in (first, file):
                    if f not in report.files_refused:
                        report.files_refused.append(f)
                    if f not in group.refused_files:
                        group.refused_files.append(f)
                if first in report.files_loaded:
                    report.files_loaded.remove(first)
                if first in group.files:
                    group.files.remove(first)
                group.blocked.append(f"two files give its {dup[0]} table")
                continue
            store.move_staged(staging, group.id)
        else:
            group = _Group(staging, result.return_name, year=result.year, la=result.la)
            groups.append(group)
        group.files.append(file)
        group.tables.update(dict.fromkeys(result.tables, file))
        report.problems += result.problems
        if result.more_problems:
            store.stage_problems(group.id, result.more_problems)
            _summarise(report, file, result.more_problems)
        report.files_loaded.append(file)

    for group in groups:
        if not group.blocked:
            _flag_bad_values(store, group.id, report)
    return groups


def _summarise(report: LoadReport, file: str, tables: list[Any]) -> None:
    """One line per code for the problems past those listed (each is in load_problems)."""
    import pyarrow as pa

    codes = pa.concat_tables(
        [
            pa.table({"code": t.column("code").cast(pa.string()), "line": t.column("line")})
            for t in tables
        ]
    )
    grouped = codes.group_by("code").aggregate([([], "count_all"), ("line", "min")])
    for code, n, line in zip(
        grouped.column("code").to_pylist(),
        grouped.column("count_all").to_pylist(),
        grouped.column("line_min").to_pylist(),
        strict=True,
    ):
        p = Problem(
            Severity.WARNING,
            code,
            f"{n:,} more problems of this kind, the first on line {line}: each is listed, with "
            "its line, in the database table load_problems.",
            file=file,
            line=line,
        )
        report.problems.append(p)
        report.staged_problems.add(id(p))


def _reader(kind: str) -> Any:
    return {"xml": xml_reader.read_xml, "csv": csv_reader.read, "xlsx": xlsx_reader.read}[kind]


def _stager(store: Store, staging: int, file: str) -> Stage:
    def stage(spec: TableSpec, chunk: dict[str, list[Any]], date_format: str) -> None:
        store.stage(spec, staging, chunk, date_format, file)

    return stage


def _unforeseen(file: str, exc: Exception) -> Problem:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Problem(
        Severity.ERROR,
        "unreadable",
        f"The file could not be read: {text[:300]}.",
        file=file,
        hint="Export the file again; if it still fails, please report it (no child data needed).",
    )


_SKIPPED: dict[str, tuple[Severity, str, str, str]] = {
    "empty": (
        Severity.WARNING,
        "file_empty",
        "The file is empty (no header, no rows): skipped.",
        "Some systems export a table with nothing in it this way; "
        "if the table should have rows, export it again.",
    ),
    "ground_truth": (
        Severity.INFO,
        "not_a_return",
        "This is the list of errors `datamonger synth --error-rate` injected (its header says "
        "so), not a return: skipped.",
        "Compare it with the validation report to see what was caught.",
    ),
    "early_years": (
        Severity.INFO,
        "not_a_return",
        "This is an input of the early-education monitor (its header says so: an early-years "
        "list, identities or settings register), not a return: skipped.",
        "Give it to `datamonger early-years` instead.",
    ),
}


def _refuse(report: LoadReport, file: str, problem: Problem) -> None:
    """Record a file not loaded: refused when the problem is an error, else skipped."""
    if problem.severity is Severity.ERROR:
        report.files_refused.append(file)
    else:
        report.files_skipped.append(file)
    report.problems.append(problem)


# field type -> problem code, what the value should be, what to do
_UNREADABLE: dict[str, tuple[str, str, str]] = {
    "date": (
        "bad_date",
        "a date",
        "Dates in CSV tables are dd/mm/yyyy; in XML yyyy-mm-dd; the year always has four digits.",
    ),
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


def _flag_bad_values(store: Store, group_id: int, report: LoadReport) -> None:
    """Every unreadable value goes to load_problems (in SQL); the first ones per file are listed."""
    store.stage_bad_values(group_id, _UNREADABLE)
    first, rest = store.first_bad_values(group_id, MAX_BAD_VALUES_LISTED)
    for severity, code, message, file, line, column, value, hint in first:
        p = Problem(Severity(severity), code, message, file, line, column, value, hint)
        report.problems.append(p)
        report.staged_problems.add(id(p))
    for file, code, n, line in rest:
        what = {"bad_date": "dates", "bad_number": "numbers", "bad_boolean": "true/false values"}
        summary = Problem(
            Severity.WARNING,
            code,
            f"{n:,} more unreadable {what.get(code, 'values')} in this file, the first on line "
            f"{line}: each is kept as written and listed, with its line, in the database "
            "table load_problems.",
            file=file,
            line=line,
        )
        report.problems.append(summary)
        report.staged_problems.add(id(summary))  # load_problems holds each one of them instead


def infer_ssda903_year(store: Store, group_id: int) -> tuple[int | None, Problem | None]:
    """The collection year of an SSDA903 return read from its dates, and a note saying why.

    The evidence is the episodes' start and end dates (DECOM, DEC) up to today; without episodes,
    the review and missing dates. The year is the latest collection year holding at least 10% of
    them, so a few mistyped future dates cannot move a return. The note is a warning when the
    evidence is not overwhelming: dates set aside as later than the year chosen, or the year
    chosen holding under a quarter of them.
    """
    today = dt.date.today()
    sources: list[tuple[str, list[str]]] = [
        ("Episodes", ["DECOM", "DEC"]),
        ("Reviews", ["REVIEW"]),
        ("Missing", ["MIS_START"]),
    ]
    counts: dict[int, int] = {}
    future: dict[int, int] = {}
    used = ""
    for name, fields in sources:
        spec = ssda903.BY_NAME[name]
        counts = store.staged_year_counts(group_id, spec, fields, today)
        every = store.staged_year_counts(group_id, spec, fields, dt.date.max)
        future = {y: n - counts.get(y, 0) for y, n in every.items() if n > counts.get(y, 0)}
        if counts:
            used = f"{name} {' and '.join(fields)}"
            break
    if not counts:
        return None, None
    total = sum(counts.values())
    chosen = max(y for y, n in counts.items() if n >= YEAR_SHARE * total)
    share = counts[chosen] / total
    later = {y: n for y, n in counts.items() if y > chosen}
    message = (
        f"Collection year {label(chosen)} read from the dates ({used}): the latest collection "
        f"year holding at least {YEAR_SHARE:.0%} of them ({counts[chosen]:,} of {total:,})."
    )
    doubts = []
    if later:
        doubts.append(
            f"{sum(later.values()):,} date(s) fall later, in "
            + ", ".join(f"{label(y)} ({n:,})" for y, n in sorted(later.items()))
            + ", and were taken as mistakes"
        )
    if future:
        doubts.append(
            f"{sum(future.values()):,} date(s) after today (in "
            + ", ".join(label(y) for y in sorted(future))
            + ") were set aside"
        )
    if share < CLEAR_SHARE:
        doubts.append(f"only {share:.0%} of the dates fall in {label(chosen)}")
    if not plausible_year(chosen):
        return None, None
    if not doubts:
        return chosen, Problem(Severity.INFO, "year_inferred", message)
    return chosen, Problem(
        Severity.WARNING,
        "year_inferred",
        message + " But " + "; ".join(doubts) + ".",
        hint=f"If the return is for another year, load it again with --year (e.g. --year "
        f"{chosen + 1} for {label(chosen + 1)}).",
    )


def _no_year(report: LoadReport, g: _Group, why: str = "") -> None:
    report.problems.append(
        Problem(
            Severity.ERROR,
            "no_year",
            "The collection year cannot be read from "
            + ("these files" if len(g.files) > 1 else "this file")
            + f" ({', '.join(g.files)}){why}.",
            file=g.files[0],
            hint="Give it with --year (the year in which the collection year ends, "
            "e.g. --year 2025 for 2024/25).",
        )
    )


def _commit(
    groups: list[_Group], store: Store, report: LoadReport, year: int | None, la: str | None
) -> None:
    """Settle every group's year first, then replace all the returns in one transaction."""
    claimed: dict[tuple[str, int], _Group] = {}
    refused: set[str] = set()
    for g in groups:
        if g.blocked:
            if g.files:  # else the refused file's own message says it all
                _block(g, store, report, refused)
            store.drop_staged(g.id)
            continue
        if not g.files:
            store.drop_staged(g.id)
            continue
        y = year or g.year
        if y is not None and not plausible_year(y):
            for f in g.files:
                _unload(report, f, refused)
            _no_year(report, g, f": it says {y}, outside {year_range()}")
            store.drop_staged(g.id)
            continue
        if y is None and g.return_name == "ssda903":
            y, note = infer_ssda903_year(store, g.id)
            if note is not None:
                report.problems.append(
                    Problem(
                        note.severity,
                        note.code,
                        note.message,
                        file=g.folder or g.files[0],
                        hint=note.hint,
                    )
                )
        if y is None:
            for f in g.files:
                _unload(report, f, refused)
            _no_year(report, g)
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
    try:
        done = store.replace_returns(
            [(g.return_name, y, g.id, g.files, g.la or la) for (_, y), g in claimed.items()]
        )
    except Exception as exc:  # nothing was committed: say so for every file
        for g in claimed.values():
            store.drop_staged(g.id)
            for f in g.files:
                _unload(report, f, refused)
            report.problems.append(_unforeseen(g.files[0], exc))
        done = []
    for ((return_name, y), g), (counts, replaced) in zip(claimed.items(), done, strict=True):
        if replaced:
            report.problems.append(
                Problem(
                    Severity.INFO,
                    "replaced",
                    f"The {return_name} return for {label(y)} already in the database was "
                    "replaced.",
                    file=g.files[0],
                )
            )
        by_table = {BY_STORE_NAME[k].name: v for k, v in counts.items()}
        for t in sorted(set(g.tables) | set(by_table)):
            report.loaded.append((return_name, y, t, by_table.get(t, 0)))
    report.loaded.sort()
    report.files_loaded = [f for f in report.files_loaded if f not in refused]


def _block(g: _Group, store: Store, report: LoadReport, refused: set[str]) -> None:
    """Refuse a folder's whole SSDA903 return because one of its tables was refused."""
    for f in g.files:
        _unload(report, f, refused)
    held = ""
    if g.files:
        y, _ = infer_ssda903_year(store, g.id)
        if y is not None and ("ssda903", y) in {(r, yy) for r, yy, _ in store.returns()}:
            held = f" The SSDA903 return for {label(y)} already in the database is kept unchanged."
    store.drop_staged(g.id)
    others = f" Its other files ({', '.join(g.files)}) were not loaded either." if g.files else ""
    report.problems.append(
        Problem(
            Severity.ERROR,
            "return_refused",
            f"The SSDA903 return in {g.folder} was not loaded: {'; '.join(g.blocked)}, and "
            "loading the rest would replace the stored return with one missing that table."
            + others
            + (held or " Whatever the database held for this return is kept unchanged."),
            file=(g.refused_files or g.files or [g.folder])[0],
            hint="Correct the refused file (see its own message) and load the folder again.",
        )
    )


def _unload(report: LoadReport, file: str, refused: set[str]) -> None:
    refused.add(file)
    if file not in report.files_refused:
        report.files_refused.append(file)
