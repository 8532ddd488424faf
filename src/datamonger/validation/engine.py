"""Runs the rules of one return and year against the store and gathers the issues.

The tables the rules read are prepared in a private in-memory catalog (`prepare.Workspace`). The
rules that only test rows of one table run together, one scan per table (`_units`); the rest run
one subquery each. The work is split into a few parts, one per DuckDB thread (at most one per
`MIN_PART` rules), each run as a UNION ALL statement on its own cursor in its own Python thread:
DuckDB releases the GIL while it plans and runs. When a statement raises, its units and then its
rules are run one by one, so only the faulty rule is reported as `rule_failed` and every other
rule still counts. What the rules find stays Arrow (`issues`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa

from datamonger.store import Store, arrow_of
from datamonger.validation import catalogue, issues, prepare, provider_list, registry, structure
from datamonger.validation.report import Report, Skipped, issues_table
from datamonger.validation.rule import NEEDS, Context, Rule

BATCH = 400  # rules per statement within a part; measured: one statement per part is fastest
MIN_PART = 50  # fewer rules than this per part: not worth another thread
USE_DEFAULT = Path("<packaged>")


class UnknownRules(ValueError):
    """--rules named codes that are not implemented for the return."""


def _wrap(rule: Rule, ctx: Context) -> str:
    code = rule.code.replace("'", "''")
    return (
        f"SELECT '{code}' AS rule, \"table\", source_file, source_line::INTEGER AS source_line, "
        f"child::VARCHAR AS child FROM ({rule.check.sql(ctx)})"
    )


# A unit of work: one statement and the rules it runs (one rule, or a table's row tests).
Unit = tuple[str, list[Rule]]


def _units(rules: Sequence[Rule], ctx: Context) -> list[Unit]:
    """Rules as statements: every rule that only tests rows of one table (`row_test`), joined
    the same way (`joins`), joins the others of its table and joins in one scan, each row
    tagged with the rules it fails; the rest run alone. Planning one scan per table instead of
    a subquery per rule is most of what a clean return costs."""
    by_scan: dict[tuple[str, str], list[tuple[Rule, str]]] = {}
    units: list[Unit] = []
    for r in rules:
        row_test = getattr(r.check, "row_test", None)
        test = row_test(ctx) if row_test is not None else None
        if test:
            scan = (r.check.tables[0], ctx.fill(getattr(r.check, "joins", "")))
            by_scan.setdefault(scan, []).append((r, ctx.fill(test)))
        else:
            units.append((_wrap(r, ctx), [r]))
    for (table, joins), items in by_scan.items():
        if len(items) == 1:
            units.append((_wrap(items[0][0], ctx), [items[0][0]]))
            continue
        tags = ", ".join(
            f"CASE WHEN ({test}) THEN '{r.code.replace(chr(39), chr(39) * 2)}' END"
            for r, test in items
        )
        units.append(
            (
                f"SELECT rule, '{table}' AS \"table\", source_file, source_line, child FROM ("
                f"SELECT unnest(list_filter([{tags}], lambda x: x IS NOT NULL)) AS rule, "
                "t.source_file, t.source_line::INTEGER AS source_line, "
                f't.CHILD_raw::VARCHAR AS child FROM "{table}" t {joins})',
                [r for r, _ in items],
            )
        )
    return units


def _run(con: duckdb.DuckDBPyConnection, units: Sequence[Unit]) -> pa.Table:
    sql = " UNION ALL ".join(f"({text})" for text, _ in units)
    return arrow_of(con, sql)


def _run_part(
    con: duckdb.DuckDBPyConnection, units: Sequence[Unit], ctx: Context
) -> tuple[list[pa.Table], list[tuple[str, str]]]:
    """(rows found, [(code, error)] of the rules that raised) for `units`, batch by batch.

    A batch that raises is run unit by unit, and a unit that raises rule by rule, so only the
    faulty rule is reported and every other one still counts."""
    found: list[pa.Table] = []
    failed: list[tuple[str, str]] = []
    for i in range(0, len(units), BATCH):
        batch = units[i : i + BATCH]
        try:
            found.append(_run(con, batch))
            continue
        except duckdb.Error:
            pass
        for unit in batch:
            try:
                found.append(_run(con, [unit]))
                continue
            except duckdb.Error:
                pass
            for r in unit[1]:
                try:
                    found.append(_run(con, [(_wrap(r, ctx), [r])]))
                except duckdb.Error as exc:
                    failed.append((r.code, _first_line(exc)))
    return found, failed


def _parts(units: list[Unit], threads: int) -> list[list[Unit]]:
    """`units` in parts of about as many rules each, one per DuckDB thread, each >= MIN_PART
    rules."""
    total = sum(len(rules) for _, rules in units)
    n = max(1, min(threads, total // MIN_PART))
    parts: list[list[Unit]] = [[] for _ in range(n)]
    sizes = [0] * n
    for unit in sorted(units, key=lambda u: -len(u[1])):  # biggest first, to the lightest part
        k = sizes.index(min(sizes))
        parts[k].append(unit)
        sizes[k] += len(unit[1])
    return [p for p in parts if p] or [[]]


def validate(
    store: Store,
    return_name: str,
    year: int,
    *,
    rules: Iterable[str] | None = None,
    previous_year_available: bool | None = None,
    postcodes: Path | None = USE_DEFAULT,
    providers: Path | Sequence[Path] | None = None,
    la: str | None = None,
) -> Report:
    """Validate one collection year of one return already in `store`.

    previous_year_available: None looks for last year's rows in the store; False ignores them.
    postcodes: the ONS postcode parquet (default: the packaged copy; None: postcode rules skipped).
    providers: Ofsted's provider list(s), xlsx or CSV (`provider_list`); without it URN rules skip.
    la: the LA making the return (DfE number or ONS code); default: as recorded at load time.
    """
    started = time.perf_counter()
    with prepare.Workspace(store.con) as ws:
        report = _validate(
            store, ws, return_name, year, rules, previous_year_available, postcodes, providers, la
        )
    report.seconds = time.perf_counter() - started
    return report


def _validate(
    store: Store,
    ws: prepare.Workspace,
    return_name: str,
    year: int,
    rules: Iterable[str] | None,
    previous_year_available: bool | None,
    postcodes: Path | None,
    providers: Path | Sequence[Path] | None,
    la: str | None,
) -> Report:
    """`validate` in the run's workspace; `ws.base` reads the store, workspace cursors the rest."""
    store_con = ws.base  # the store's connection is left alone: parallel runs share it
    if postcodes == USE_DEFAULT:
        postcodes = prepare.POSTCODES
    if la is None:
        la = next(
            (
                la_
                for r, y, la_ in store_con.execute(
                    "SELECT return_name, collection_year, la FROM returns_loaded ORDER BY 1, 2"
                ).fetchall()
                if r == return_name and y == year
            ),
            None,
        )
    ctx = Context(year=year, la=prepare.ons_la(la))

    chosen = registry.rules_for(return_name, year)
    if rules is not None:
        wanted = {c.strip().upper() for c in rules if c.strip()}
        known = {r.code.upper() for r in registry.all_rules(return_name).values()}
        unknown = sorted(wanted - known)
        if unknown:
            raise UnknownRules(f"not implemented for {return_name}: {', '.join(unknown)}")
        chosen = [r for r in chosen if r.code.upper() in wanted]

    if previous_year_available is None:
        previous_year_available = prepare.year_present(store_con, return_name, year - 1)
    available = {
        "previous": previous_year_available,
        "postcodes": postcodes is not None,
        "providers": providers is not None,
        "location_code": False,
    }
    report = Report(returns=[(return_name, year)])
    report.messages = {(return_name, r.code): r.message for r in chosen}
    runnable: list[Rule] = []
    for r in chosen:
        missing = [n for n in r.needs if not available[n]]
        if missing:
            reason = "; ".join(NEEDS[n] for n in missing)
            report.skipped.append(Skipped(r.code, return_name, year, reason))
        else:
            runnable.append(r)

    con = ws.cursor()
    ((setting,),) = con.execute("SELECT current_setting('threads')").fetchall()
    threads = int(setting)
    # a chosen few rules (`--rules`, a rule's fixture) get only the tables they name prepared
    only = None
    more: list[duckdb.DuckDBPyConnection] = []
    if rules is not None:
        only = set().union(*(prepare.needed(return_name, r.check.sql(ctx)) for r in runnable))
    else:  # cursors made here: the workspace is not shared with the threads
        more = [ws.cursor() for _ in range(min(threads, 4) - 1)]
    prepare.prepare(
        con, return_name, year, postcodes=postcodes, la=ctx.la, store=ws.store, only=only, more=more
    )
    if providers is not None:
        provider_list.load(con, providers, postcodes)

    parts = _parts(_units(runnable, ctx), threads)
    if len(parts) == 1:
        results = [_run_part(con, parts[0], ctx)]
    else:
        cursors = [con, *more, *(ws.cursor() for _ in parts[1 + len(more) :])][: len(parts)]
        with ThreadPoolExecutor(len(parts), thread_name_prefix="validate") as pool:
            results = list(pool.map(lambda c, p: _run_part(c, p, ctx), cursors, parts))
    found: list[pa.Table] = []
    for part_found, part_failed in results:
        found += part_found
        for code, error in part_failed:
            report.skipped.append(Skipped(code, return_name, year, error, "rule_failed"))
    failed = {s.rule for s in report.failed}
    report.rules_run = [(return_name, year, r.code) for r in runnable if r.code not in failed]
    report.table = issues.from_found(con, found, {r.code: r for r in runnable}, return_name, year)
    if return_name == "cin" and rules is None:  # the XML's structure, before the rules
        shape = issues_table(structure.cin_structure(store, year, con=store_con))
        report.table = pa.concat_tables([shape, report.table]).combine_chunks()
        report.messages[(return_name, structure.CODE)] = structure.MESSAGE
    return report


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or ["error"])[0][:500]


def returns_in_store(store: Store) -> list[tuple[str, int]]:
    """(return, year) for every return with rows, newest year first within a return."""
    out = set()
    for return_name in catalogue.RETURNS:
        for spec in prepare.specs(return_name):
            for (y,) in store.con.execute(
                f"SELECT DISTINCT collection_year FROM {spec.store_name}"
            ).fetchall():
                out.add((return_name, int(y)))
    return sorted(out)
