"""The LA's own data in its briefing: indicators computed from its loaded returns beside its last
published figures, and the validation status of the latest returns ahead of the DfE deadline.

Only aggregates leave this module: counts (suppressed when small), rule codes and the DfE's rule
messages. Child identifiers, dates and field values of the validation issues are never read into a
fact. When `datamonger.indicators` is not installed (or cannot run) the section says so.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import duckdb

from datamonger.benchmarks.areas import LA
from datamonger.benchmarks.published import Published
from datamonger.briefing import calendar, numbers
from datamonger.briefing.facts import Fact, Paragraph, Section

TOP_RULES = 5
# Differences from the last published figure worth a look, in the figure's own unit.
LOOK_AT = {"%": 5.0, "days": 10.0}


def _label(year: int) -> str:
    return f"{year - 1}-{str(year)[-2:]}"


def _connect(db: Path) -> duckdb.DuckDBPyConnection:
    """The returns database, read-only. When this process already has it open for writing (the
    web workbench showing its own LA's briefing), DuckDB refuses a second, read-only configuration
    of the same file: then share the open one (nothing here writes)."""
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.ConnectionException:
        return duckdb.connect(str(db))


def _store(db: Path) -> Any:
    """A `Store` over the returns database, read-only unless shared as in `_connect`."""
    from datamonger.store import Store

    try:
        return Store(db, read_only=True)
    except duckdb.ConnectionException:
        # shared with the workbench, which opens it the same way for its own validation runs
        # (the schema statements a writable Store runs first are idempotent)
        return Store(db)


def _loaded(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    try:
        rows = con.execute(
            "select distinct return_name, collection_year from returns_loaded order by 2"
        ).fetchall()
    except duckdb.Error:
        return []
    return [(str(r), int(y)) for r, y in rows]


def _figure(unit: str, value: float, num: float | None, den: float | None) -> str | None:
    """The computed figure as written, or None when the small-numbers rule withholds it."""
    if unit == "count":
        return numbers.count(value)
    if unit == "%":
        if numbers.withhold(num, den):
            return None
        return f"{numbers.percent(value)} ({numbers.count(num)} of {numbers.count(den)})"
    if unit == "days":
        if den is not None and den < numbers.MIN_BASE:
            return None
        return f"{numbers.plain(value)} days (over {numbers.count(den)} children)"
    if unit.startswith("per 10,000"):
        if numbers.is_small(num):
            return None
        return f"{numbers.plain(value)} per 10,000 ({numbers.count(num)} children)"
    if numbers.withhold(num, den):
        return None
    return f"{numbers.plain(value)} {unit}"


def indicator_section(
    con: duckdb.DuckDBPyConnection,
    la: LA,
    to: dt.date | None,
    years: list[int],
    pub: Published,
) -> tuple[Section, list[Fact]]:
    from datamonger.indicators import IndicatorError, Period, compute

    period = Period.twelve_months_to(to) if to else Period.census_year(max(years))
    facts: list[Fact] = []
    nexts: list[Fact] = []
    try:
        results = compute(con, period, la=la.number)
    except (IndicatorError, duckdb.Error) as exc:
        fact = Fact(
            id="own.failed",
            template="own_failed",
            data={"error": type(exc).__name__},
            shown={"reason": str(exc).splitlines()[0][:200]},
        )
        return Section("own", "Our own figures", [Paragraph([fact])]), []
    not_computable = 0
    keys = [r.benchmark_key for r in results if r.benchmark_key]
    series = pub.series([la.number], keys) if keys else {}
    for r in results:
        if r.value is None:
            not_computable += 1
            continue
        shown_value = _figure(r.unit, r.value, r.numerator, r.denominator)
        published = series.get(r.benchmark_key or "", {}).get(la.number, {})
        last = max((y for y, c in published.items() if c.value is not None), default=None)
        data: dict[str, Any] = {
            "indicator": r.id,
            "period": period.label(),
            "value": r.value,
            "numerator": r.numerator,
            "denominator": r.denominator,
            "withheld": shown_value is None,
            "benchmark_key": r.benchmark_key,
            "published_year": last,
            "published": published[last].value if last else None,
        }
        shown = {
            "title": r.title,
            "period": period.label(),
            "value": shown_value or numbers.WITHHELD,
        }
        if last is not None and shown_value is not None:
            pv = published[last].value
            assert pv is not None
            facts.append(
                Fact(
                    id=f"own.{r.id}",
                    template="own_vs_published",
                    data=data,
                    shown={
                        **shown,
                        "published": numbers.plain(pv),
                        "unit": "" if r.unit == "count" else f" {r.unit}".replace(" %", "%"),
                        "year": _label(last),
                    },
                    sources=[f"indicator {r.id} ({period.label()})", f"{r.benchmark_key} {last}"],
                )
            )
            gap = abs(r.value - pv)
            if gap >= LOOK_AT.get(r.unit, float("inf")):
                nexts.append(
                    Fact(
                        id=f"next.own.{r.id}",
                        template="next_own_gap",
                        data={"indicator": r.id, "value": r.value, "published": pv, "gap": gap},
                        shown={
                            "title": r.title,
                            "gap": numbers.plain(gap),
                            "unit": "percentage points" if r.unit == "%" else r.unit,
                        },
                        tone="next",
                    )
                )
        else:
            facts.append(
                Fact(
                    id=f"own.{r.id}",
                    template="own_value",
                    data=data,
                    shown=shown,
                    sources=[f"indicator {r.id} ({period.label()})"],
                )
            )
    if not_computable:
        facts.append(
            Fact(
                id="own.not_computable",
                template="own_not_computable",
                data={"not_computable": not_computable},
                shown={"n": f"{not_computable}"},
            )
        )
    section = Section(
        "own",
        "Our own figures",
        [Paragraph(facts, bullets=True)],
        intro=f"Computed by Datamonger from the returns loaded, for {period.label()}, beside the "
        "last figure the DfE published for us. Definitions follow the DfE's; "
        "`datamonger indicators --explain ID` lists the records behind any figure.",
    )
    return section, nexts


def validation_section(
    db: Path,
    la: LA,
    loaded: list[tuple[str, int]],
    releases: list[calendar.Release],
    as_of: dt.date,
) -> tuple[Section, list[Fact]]:
    from datamonger.validation.engine import validate

    latest: dict[str, int] = {}
    for r, y in loaded:
        latest[r] = max(latest.get(r, y), y)
    facts: list[Fact] = []
    nexts: list[Fact] = []
    with _store(db) as store:
        for return_name, year in sorted(latest.items()):
            report = validate(store, return_name, year, la=la.number)
            s = report.summary()
            due = calendar.deadline(releases, return_name, year)
            name = "CIN census" if return_name == "cin" else "SSDA903"
            errors, queries = s["by_severity"]["error"], s["by_severity"]["query"]
            due_text = due.when if due else "no deadline in the calendar"
            days = (due.last_day - as_of).days if due else None
            facts.append(
                Fact(
                    id=f"validation.{return_name}",
                    template="validation_status",
                    data={
                        "return": return_name,
                        "year": year,
                        "errors": errors,
                        "queries": queries,
                        "children": s["children_affected"],
                        "rules_run": s["rules_run"],
                        "rules_skipped": s["rules_skipped"],
                        "deadline": due.last_day.isoformat() if due else None,
                        "days_left": days,
                    },
                    shown={
                        "name": name,
                        "year": _label(year),
                        "errors": f"{errors:,}",
                        "queries": f"{queries:,}",
                        "children": numbers.count(s["children_affected"]),
                        "rules": f"{s['rules_run']:,}",
                        "due": due_text,
                        "days": (
                            f"{days} days after this briefing"
                            if days is not None and days >= 0
                            else "already passed"
                            if days is not None
                            else "not known"
                        ),
                    },
                    sources=[f"validation of the {name} {_label(year)} in {db.name}"],
                )
            )
            for item in s["by_rule"][:TOP_RULES]:
                facts.append(
                    Fact(
                        id=f"validation.{return_name}.{item['rule']}",
                        template="validation_rule",
                        data={
                            "return": return_name,
                            "rule": item["rule"],
                            "severity": item["severity"],
                            "issues": item["issues"],
                            "children": item["children"],
                        },
                        shown={
                            "rule": item["rule"],
                            "severity": item["severity"],
                            "issues": f"{item['issues']:,}",
                            "children": numbers.count(item["children"]),
                            "message": item["message"] or "no message",
                        },
                    )
                )
            if errors:
                top = s["by_rule"][0]
                nexts.append(
                    Fact(
                        id=f"next.validation.{return_name}",
                        template="next_validation",
                        data={"return": return_name, "errors": errors, "rule": top["rule"]},
                        shown={
                            "errors": f"{errors:,}",
                            "name": name,
                            "due": due_text,
                            "rule": top["rule"],
                            "message": top["message"] or "",
                        },
                        tone="next",
                    )
                )
    return Section(
        "validation",
        "Validation status",
        [Paragraph(facts, bullets=True)],
        intro="The latest returns loaded, checked against the DfE's validation rules that "
        "Datamonger implements. `datamonger validate` lists every issue.",
    ), nexts


def sections(
    db: Path,
    la: LA,
    to: dt.date | None,
    releases: list[calendar.Release],
    as_of: dt.date,
    pub: Published,
) -> tuple[list[Section], list[Fact]]:
    """The own-data sections, or one short section saying why there are none."""

    def note(template: str, **shown: str) -> tuple[list[Section], list[Fact]]:
        fact = Fact(id=f"own.{template}", template=template, data={"db": db.name}, shown=shown)
        return [Section("own", "Our own figures", [Paragraph([fact])])], []

    if not db.exists():
        return note("own_no_db", db=db.name)
    con = _connect(db)
    try:
        loaded = _loaded(con)
        if not loaded:
            return note("own_nothing_loaded", db=db.name)
        out: list[Section] = []
        nexts: list[Fact] = []
        if importlib.util.find_spec("datamonger.indicators") is not None:
            section, more = indicator_section(con, la, to, [y for _, y in loaded], pub)
            out.append(section)
            nexts += more
    finally:
        con.close()
    section, more = validation_section(db, la, loaded, releases, as_of)
    return [*out, section], nexts + more
