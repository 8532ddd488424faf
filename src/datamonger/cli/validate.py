"""`datamonger validate` and `datamonger rules`.

validate loads the files into a database (by default an in-memory one, so a plain run leaves
nothing behind; `--db FILE` keeps it) or opens an already loaded `.duckdb` file, then validates
every return present. Exit code: 0 no errors, 1 errors found, 2 the input could not be read or a
rule failed to run.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from datamonger.cli.app import app
from datamonger.cli.errors import fail
from datamonger.cli.options import OutputOption, YearOption
from datamonger.returns import label
from datamonger.store import Store
from datamonger.validation import catalogue, registry
from datamonger.validation.engine import UnknownRules, returns_in_store
from datamonger.validation.engine import validate as run
from datamonger.validation.report import Report, issues_sql
from datamonger.validation.structure import CODE as STRUCTURE


class ReturnChoice(StrEnum):
    ssda903 = "ssda903"
    cin = "cin"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("validate")
def validate_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Return files or folders, or one loaded .duckdb file.")
    ],
    previous: Annotated[
        list[Path] | None,
        typer.Option("--previous", help="Last year's return (files or folders), for _last rules."),
    ] = None,
    year: YearOption = None,
    la: Annotated[
        str | None, typer.Option("--la", help="The LA's 3-digit DfE number (or ONS code).")
    ] = None,
    providers: Annotated[
        list[Path] | None,
        typer.Option(
            "--providers",
            help="Ofsted's provider list (the children's homes and the social care providers "
            "workbooks, xlsx or csv); repeat for each file. Without it the URN rules are skipped.",
        ),
    ] = None,
    rules: Annotated[
        str | None, typer.Option("--rules", help="Only these rule codes, comma separated.")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
    output: OutputOption = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", dir_okay=False, help="Keep the loaded data in this database (default: memory)."
        ),
    ] = None,
    all_years: Annotated[
        bool,
        typer.Option(
            "--all-years",
            help="For a .duckdb file: validate every year of each return, not only the latest.",
        ),
    ] = False,
) -> None:
    """Validate SSDA903 and CIN returns against the DfE's rules.

    Without --year, validates the year(s) found in the files given (for a .duckdb file: the
    latest year of each return, or every year with --all-years). Exit code: 0 no errors (queries allowed), 1 errors found,
    2 the input could not be read or a rule failed to run.
    """
    try:
        code = _validate(
            paths, previous or [], year, la, providers, rules, format, output, db, all_years
        )
    except typer.Exit:
        raise
    except BrokenPipeError:  # the reader stopped early (`| head`): nothing went wrong here
        raise typer.Exit(141) from None  # 128 + SIGPIPE, as shell tools end
    except UnknownRules as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # users never see a traceback
        raise fail(f"{type(exc).__name__}: {exc}") from None
    raise typer.Exit(code)


def _validate(
    paths: list[Path],
    previous: list[Path],
    year: int | None,
    la: str | None,
    providers: list[Path] | None,
    rules: str | None,
    format: ReportFormat,
    output: Path | None,
    db: Path | None,
    all_years: bool = False,
) -> int:
    if format in (ReportFormat.xlsx, ReportFormat.parquet) and output is None:
        raise fail(f"--format {format.value} needs --output FILE.{format.value}")
    for path in providers or []:
        if not path.is_file():
            raise fail(f"{path}: no such provider list")
    input_failed = False
    is_db = len(paths) == 1 and paths[0].suffix.lower() == ".duckdb" and paths[0].is_file()
    if is_db:
        if previous:
            raise fail("--previous is for files; a database already holds every year loaded")
        store = Store(paths[0])
    else:
        from datamonger.loading import load_with_previous

        store = Store(db if db is not None else ":memory:")
    with store:
        targets: list[tuple[str, int]]
        if is_db:
            present = returns_in_store(store)
            if year is not None:
                targets = [(r, y) for r, y in present if y == year]
            elif all_years:
                targets = sorted(present)
            else:
                latest: dict[str, int] = {}
                for r, y in present:
                    latest[r] = max(latest.get(r, y), y)
                targets = sorted(latest.items())
        else:
            loaded, before = load_with_previous(paths, previous, store, year=year, la=la)
            _print_problems(loaded.problems)
            input_failed = loaded.exit_code != 0
            targets = sorted({(r, y) for r, y, _, _ in loaded.loaded})
            if year is not None:
                targets = [(r, y) for r, y in targets if y == year]
            if before is not None:
                _print_problems(before.problems)
                input_failed = input_failed or before.exit_code != 0
        if not targets:
            raise fail("no return to validate was found in the input")
        report = Report()
        codes = [c for c in rules.split(",") if c.strip()] if rules else None
        for return_name, y in targets:
            wanted = codes
            if codes is not None:
                known = {r.upper() for r in registry.all_rules(return_name)}
                wanted = [c for c in codes if c.strip().upper() in known]
                if not wanted:
                    continue
            report.extend(
                run(store, return_name, y, rules=wanted, providers=providers or None, la=la)
            )
        if codes is not None:
            known_any = {c.upper() for name in catalogue.RETURNS for c in registry.all_rules(name)}
            unknown = [c for c in codes if c.strip().upper() not in known_any]
            if unknown:
                raise UnknownRules(f"rules not implemented: {', '.join(unknown)}")
        _write(report, store, format, output)
    code = report.exit_code
    return 2 if input_failed else code


def _print_problems(problems: list[Any]) -> None:
    err = Console(stderr=True)
    for p in problems:
        if p.severity.value == "info":
            continue
        style = "bold red" if p.severity.value == "error" else "yellow"
        err.print(
            f"[{style}]{p.severity.value}[/] {p.where()}: {p.message}",
            highlight=False,
            soft_wrap=True,
        )


def _write(report: Report, store: Store, format: ReportFormat, output: Path | None) -> None:
    from datamonger.reports import validation as write

    if format is ReportFormat.xlsx:
        from datamonger.validation.xlsx import write_xlsx

        assert output is not None
        write_xlsx(report, store, output, audit=False)
    elif format is ReportFormat.json:
        write.write_json(report, output)
    elif format is ReportFormat.csv:
        write.write_csv(report, output)
    elif format is ReportFormat.parquet:
        assert output is not None
        write.write_parquet(report, output)
    elif output is None:
        print_report(report, Console())
    else:
        with output.open("w", encoding="utf-8") as fh:
            print_report(report, Console(file=fh, width=140, no_color=True))


def print_report(report: Report, console: Console) -> None:
    """Grouped by rule, the most frequent first, then what did not run and a one-line total."""
    s = report.summary()
    s["by_rule"].sort(key=lambda item: item["rule"] != STRUCTURE)  # the XML's structure first
    if s["by_rule"]:
        t = Table(title="Validation issues", title_justify="left")
        for col in ("Return", "Rule", "Severity", "Issues", "Children", "Message"):
            t.add_column(
                col, justify="right" if col in ("Issues", "Children") else "left", overflow="fold"
            )
        for item in s["by_rule"]:
            style = "red" if item["severity"] == "error" else "yellow"
            t.add_row(
                item["return"],
                item["rule"],
                f"[{style}]{item['severity']}[/]",
                f"{item['issues']:,}",
                f"{item['children']:,}",
                item["message"],
            )
        console.print(t)
        top = [(item["return"], item["rule"]) for item in s["by_rule"][:20]]
        examples = _examples(report, top, 5)
        for item in s["by_rule"][:20]:
            console.print(f"[bold]{item['rule']}[/] {item['message']}", highlight=False)
            for file, line, child, values in examples.get((item["return"], item["rule"]), []):
                vals = ", ".join(f"{k}={v!r}" for k, v in values)
                console.print(
                    f"  {file} line {line} child {child}: {vals}", highlight=False, soft_wrap=True
                )
            if item["issues"] > 5:
                console.print(f"  ... and {item['issues'] - 5:,} more", highlight=False)
    for sk in report.skipped:
        style = "bold red" if sk.category == "rule_failed" else "dim"
        console.print(
            f"[{style}]{sk.category}[/] {sk.return_} {label(sk.year)} rule {sk.rule}: {sk.reason}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"{s['by_severity']['error']:,} error(s), {s['by_severity']['query']:,} query(ies) "
        f"for {s['children_affected']:,} child(ren); {s['rules_run']} rules run, "
        f"{s['rules_skipped']} skipped, {s['rules_failed']} failed, in {s['seconds']:.2f}s.",
        highlight=False,
    )


def _examples(
    report: Report, rules: list[tuple[str, str]], n: int
) -> dict[tuple[str, str], list[tuple[Any, ...]]]:
    """The first `n` issues of each (return, rule), in report order, by one query."""
    if not rules:
        return {}
    with issues_sql(report.table) as con:
        found = con.execute(
            'SELECT "return", rule, file, line, child, fields, "values" FROM ('
            'SELECT *, row_number() OVER (PARTITION BY "return", rule ORDER BY rn) AS k FROM '
            "(SELECT *, row_number() OVER () AS rn FROM issues) "
            "WHERE list_contains(?::VARCHAR[], \"return\" || ' ' || rule))"
            " WHERE k <= ? ORDER BY rn",
            [[f"{r} {c}" for r, c in rules], n],
        ).fetchall()
    out: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for ret, rule, file, line, child, fields, values in found:
        out.setdefault((ret, rule), []).append(
            (file, line, child, list(zip(fields, values, strict=True)))
        )
    return out


@app.command("rules")
def rules_command(
    year: YearOption = None,
    return_: Annotated[ReturnChoice | None, typer.Option("--return")] = None,
    format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """List the DfE's validation rules, and which Datamonger implements."""
    items = rule_list(year, return_.value if return_ else None)
    if format is ListFormat.json:
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return
    t = Table(title_justify="left")
    for col in ("Return", "Code", "Severity", "Years", "Implemented", "Module", "Message"):
        t.add_column(col, overflow="fold")
    for it in items:
        years = f"{label(min(it['years']))}-{label(max(it['years']))}" if it["years"] else ""
        t.add_row(
            it["return"],
            it["code"],
            it["severity"],
            years,
            "yes" if it["implemented"] else "no",
            (it["module"] or "").rpartition(".")[2],
            it["message"],
        )
    Console().print(t)


def rule_list(year: int | None, return_name: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in catalogue.RETURNS:
        if return_name and name != return_name:
            continue
        implemented = registry.all_rules(name)
        entries = (
            catalogue.in_force(name, year)
            if year is not None
            else [e for e in catalogue.entries(name).values() if e.years]
        )
        for e in sorted(entries, key=lambda e: registry.sort_key(e.code)):
            r = implemented.get(e.code)
            out.append(
                {
                    "return": name,
                    "code": e.code,
                    "severity": r.severity if r else (e.severity or "error"),
                    "message": e.message,
                    "fields": list(e.fields),
                    "tables": list(e.tables),
                    "years": list(r.years if r else e.years),
                    "implemented": r is not None,
                    "module": r.module if r else None,
                }
            )
    return out
