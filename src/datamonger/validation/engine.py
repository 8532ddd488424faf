"""Runs the rules of one return and year against the store and gathers the issues.

Rules run as a few UNION ALL statements (one per batch), which DuckDB plans and runs in parallel;
when a batch raises, its rules are run one by one so that only the faulty rule is reported as
`rule_failed` and every other rule still counts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from datamonger.store import Store
from datamonger.validation import catalogue, prepare, provider_list, registry, structure
from datamonger.validation.report import Issue, Report, Skipped
from datamonger.validation.rule import NEEDS, Context, Rule

BATCH = 400  # rules per statement; measured: one statement for the whole set is fastest
USE_DEFAULT = Path("<packaged>")


class UnknownRules(ValueError):
    """--rules named codes that are not implemented for the return."""


def _wrap(rule: Rule, ctx: Context) -> str:
    code = rule.code.replace("'", "''")
    return (
        f"SELECT '{code}' AS rule, \"table\", source_file, source_line::INTEGER AS source_line, "
        f"child::VARCHAR AS child FROM ({rule.check.sql(ctx)})"
    )


def _run(con: duckdb.DuckDBPyConnection, rules: Sequence[Rule], ctx: Context) -> list[tuple]:
    sql = " UNION ALL ".join(f"({_wrap(r, ctx)})" for r in rules)
    return con.execute(sql).fetchall()


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
    con = store.con
    if postcodes == USE_DEFAULT:
        postcodes = prepare.POSTCODES
    if la is None:
        la = next((la_ for r, y, la_ in store.returns() if r == return_name and y == year), None)
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
        previous_year_available = prepare.year_present(con, return_name, year - 1)
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

    prepare.prepare(con, return_name, year, postcodes=postcodes, la=ctx.la)
    if providers is not None:
        provider_list.load(con, providers, postcodes)

    found: list[tuple] = []
    for i in range(0, len(runnable), BATCH):
        batch = runnable[i : i + BATCH]
        try:
            found += _run(con, batch, ctx)
        except duckdb.Error:
            for r in batch:
                try:
                    found += _run(con, [r], ctx)
                except duckdb.Error as exc:
                    report.skipped.append(
                        Skipped(r.code, return_name, year, _first_line(exc), "rule_failed")
                    )
    failed = {s.rule for s in report.failed}
    report.rules_run = [(return_name, year, r.code) for r in runnable if r.code not in failed]
    report.issues = _issues(con, found, {r.code: r for r in runnable}, return_name, year)
    if return_name == "cin" and rules is None:  # the XML's structure, before the rules
        report.issues[:0] = structure.cin_structure(store, year)
        report.messages[(return_name, structure.CODE)] = structure.MESSAGE
    report.seconds = time.perf_counter() - started
    return report


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or ["error"])[0][:500]


def _issues(
    con: duckdb.DuckDBPyConnection,
    found: list[tuple],
    by_code: dict[str, Rule],
    return_name: str,
    year: int,
) -> list[Issue]:
    """Attach to each failing row the rule's fields of that table, as written."""
    if not found:
        return []
    rows: dict[tuple[str, str, int], dict[str, str | None]] = {}
    tables = sorted({t for _, t, _, _, _ in found})
    for table in tables:
        wanted = {f for r in by_code.values() for f in r.fields}
        cols = {
            r[0]: r[0]
            for r in con.execute(f'DESCRIBE "{table}"').fetchall()
            if r[0].endswith("_raw")
        }
        fields = sorted(f for f in wanted if f + "_raw" in cols)
        keys = pa.table(
            {
                "f": pa.array([f for _, t, f, _, _ in found if t == table], pa.string()),
                "l": pa.array([ln for _, t, _, ln, _ in found if t == table], pa.int32()),
            }
        )
        con.register("_issue_keys", keys)
        try:
            sel = ", ".join(f'CAST(t."{f}_raw" AS VARCHAR)' for f in fields) or "NULL"
            for rec in con.execute(
                f'SELECT DISTINCT t.source_file, t.source_line, {sel} FROM "{table}" t '
                f"JOIN _issue_keys k ON k.f = t.source_file AND k.l = t.source_line"
            ).fetchall():
                rows[(table, rec[0], rec[1])] = dict(zip(fields, rec[2:], strict=False))
        finally:
            con.unregister("_issue_keys")

    seen: set[tuple[str, str, str, int]] = set()
    out: list[Issue] = []
    for code, table, file, line, child in sorted(
        found, key=lambda x: (registry.sort_key(x[0]), x[1], x[2], x[3])
    ):
        if (code, table, file, line) in seen:
            continue
        seen.add((code, table, file, line))
        r = by_code[code]
        values = rows.get((table, file, line), {})
        present = tuple(f for f in dict.fromkeys(r.fields) if f in values)
        out.append(
            Issue(
                rule=code,
                severity=r.severity,
                return_=return_name,
                year=year,
                table=table,
                file=file,
                line=line,
                child=child,
                fields=present,
                values={f: values[f] for f in present},
                message=r.message,
            )
        )
    return out


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
