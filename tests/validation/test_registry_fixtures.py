"""Walk the registry: every rule's failing fixture raises exactly that rule on the expected lines,
and its passing fixture raises nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from datamonger.store import Store
from datamonger.validation import catalogue, provider_list, registry
from datamonger.validation.engine import validate
from datamonger.validation.fixtures import file_name, load_fixture
from datamonger.validation.rule import NEVER_AVAILABLE, Rule

DECLARED = [r for name in catalogue.RETURNS for r in registry.all_rules(name).values()]
# Rules whose input no return carries are always reported as skipped (tested below), not run.
NOT_CHECKABLE = [r for r in DECLARED if NEVER_AVAILABLE & set(r.needs)]
ALL = [r for r in DECLARED if r not in NOT_CHECKABLE]


# Every rule's fixtures run in every year the rule is in force, their dates moved to that year.
CASES = [(r, y) for r in ALL for y in sorted(r.years)]


def _case_id(case: tuple[Rule, int]) -> str:
    rule, year = case
    return f"{rule.return_}-{rule.code}-{year}"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    """One in-memory store for the thousands of runs, emptied before each (a new one costs
    ten times as much as emptying it)."""
    with Store(":memory:") as s:
        yield s


def _empty(store: Store) -> None:
    tables = store.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND NOT temporary"
    ).fetchall()
    store.con.execute("BEGIN")
    for (name,) in tables:
        store.con.execute(f'DELETE FROM "{name}"')
    store.con.execute("COMMIT")


def _run(store: Store, rule: Rule, year: int, which: str) -> list[tuple[str, str, int]]:
    found = rule.fixture_for(year)
    assert found is not None, f"rule {rule.code} has no fixture"
    fixture, written_for = found
    _empty(store)
    with tempfile.TemporaryDirectory() as tmp:
        load_fixture(store, rule.return_, year, fixture, which, written_for)
        providers = None
        if "providers" in rule.needs:
            providers = provider_list.write_csv(fixture.providers, Path(tmp) / "providers.csv")
        report = validate(
            store, rule.return_, year, rules=[rule.code], providers=providers, la=fixture.la
        )
        assert not report.failed, report.failed
        assert not report.skipped, report.skipped
        return sorted((i.table, i.file, i.line) for i in report.issues if i.rule == rule.code)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_failing_fixture_raises_the_rule(store: Store, case: tuple[Rule, int]) -> None:
    rule, year = case
    found = rule.fixture_for(year)
    assert found is not None
    fixture = found[0]
    if fixture.flagged is not None:
        expected = sorted((t, file_name(t), line) for t, line in fixture.flagged)
    else:
        table = rule.check.tables[0]
        n = len(fixture.failing.get(table, []))
        expected = [(table, file_name(table), line) for line in range(2, n + 2)]
    assert expected, f"rule {rule.code}: the failing fixture flags nothing"
    assert _run(store, rule, year, "failing") == expected


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_passing_fixture_raises_nothing(store: Store, case: tuple[Rule, int]) -> None:
    rule, year = case
    assert _run(store, rule, year, "passing") == []


@pytest.mark.parametrize("rule", NOT_CHECKABLE, ids=lambda r: f"{r.return_}-{r.code}")
def test_rules_nothing_can_check_are_reported_skipped_with_why(rule: Rule) -> None:
    with Store(":memory:") as store:
        report = validate(store, rule.return_, max(rule.years), rules=[rule.code])
    (skipped,) = report.skipped
    assert skipped.rule == rule.code and "does not carry" in skipped.reason
    assert report.issues == [] and not report.failed
