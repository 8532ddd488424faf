"""Walk the registry: every rule's failing fixture raises exactly that rule on the expected lines,
and its passing fixture raises nothing."""

from __future__ import annotations

import tempfile
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


def _year(rule: Rule) -> int:
    f = rule.fixture
    return f.year if f and f.year else max(rule.years)


def _run(rule: Rule, which: str) -> list[tuple[str, str, int]]:
    year = _year(rule)
    fixture = rule.the_fixture(year)
    assert fixture is not None, f"rule {rule.code} has no fixture"
    with Store(":memory:") as store, tempfile.TemporaryDirectory() as tmp:
        load_fixture(store, rule.return_, year, fixture, which)
        providers = None
        if "providers" in rule.needs:
            providers = provider_list.write_csv(fixture.providers, Path(tmp) / "providers.csv")
        report = validate(
            store, rule.return_, year, rules=[rule.code], providers=providers, la=fixture.la
        )
        assert not report.failed, report.failed
        assert not report.skipped, report.skipped
        return sorted((i.table, i.file, i.line) for i in report.issues if i.rule == rule.code)


@pytest.mark.parametrize("rule", ALL, ids=lambda r: f"{r.return_}-{r.code}")
def test_failing_fixture_raises_the_rule(rule: Rule) -> None:
    year = _year(rule)
    fixture = rule.the_fixture(year)
    assert fixture is not None
    if fixture.flagged is not None:
        expected = sorted((t, file_name(t), line) for t, line in fixture.flagged)
    else:
        table = rule.check.tables[0]
        n = len(fixture.failing.get(table, []))
        expected = [(table, file_name(table), line) for line in range(2, n + 2)]
    assert expected, f"rule {rule.code}: the failing fixture flags nothing"
    assert _run(rule, "failing") == expected


@pytest.mark.parametrize("rule", ALL, ids=lambda r: f"{r.return_}-{r.code}")
def test_passing_fixture_raises_nothing(rule: Rule) -> None:
    assert _run(rule, "passing") == []


@pytest.mark.parametrize("rule", NOT_CHECKABLE, ids=lambda r: f"{r.return_}-{r.code}")
def test_rules_nothing_can_check_are_reported_skipped_with_why(rule: Rule) -> None:
    with Store(":memory:") as store:
        report = validate(store, rule.return_, max(rule.years), rules=[rule.code])
    (skipped,) = report.skipped
    assert skipped.rule == rule.code and "does not carry" in skipped.reason
    assert report.issues == [] and not report.failed
