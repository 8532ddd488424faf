"""The rules against a whole synthetic LA: clean data raises no error, and every recording error the
generator injected is found on its file and line (recall), reported with the precision."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from datamonger.loading import load_paths
from datamonger.store import Store
from datamonger.synth import generate
from datamonger.validation.engine import validate
from datamonger.validation.registry import rules_for

YEARS = (2026, 2027)  # the later one is validated with the earlier as last year's return


def _validate_all(root: Path, tmp: Path) -> list:
    with Store(tmp / "la.duckdb") as store:
        # the year folders: ground_truth.csv beside them is not a return
        report = load_paths(sorted(d for d in root.iterdir() if d.is_dir()), store)
        assert report.exit_code == 0, [p.to_dict() for p in report.problems][:5]
        issues = []
        for return_name in ("cin", "ssda903"):
            for year in YEARS:
                result = validate(store, return_name, year)
                assert not result.failed, result.failed
                issues += result.issues
        return issues


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> list:
    tmp = tmp_path_factory.mktemp("clean")
    generate(tmp / "r", children=4000, year=YEARS[-1], years=len(YEARS), seed=21)
    return _validate_all(tmp / "r", tmp)


def test_clean_synthetic_data_raises_no_error(clean: list) -> None:
    errors = Counter(i.rule for i in clean if i.severity == "error")
    queries = Counter(i.rule for i in clean if i.severity == "query")
    print(f"\nclean LA: {sum(errors.values())} errors, queries by rule: {dict(queries)}")
    assert errors == Counter()


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, str]], list]:
    tmp = tmp_path_factory.mktemp("errors")
    generate(tmp / "r", children=4000, year=YEARS[-1], years=len(YEARS), seed=22, error_rate=0.02)
    with (tmp / "r" / "ground_truth.csv").open(newline="", encoding="utf-8") as fh:
        truth = [row | {"file": str(tmp / "r" / row["file"])} for row in csv.DictReader(fh)]
    return truth, _validate_all(tmp / "r", tmp)


def test_every_injected_error_is_found_on_its_line(
    injected: tuple[list[dict[str, str]], list],
) -> None:
    truth, issues = injected
    implemented = {
        (r, y): {rule.code for rule in rules_for(r, y)} for r in ("cin", "ssda903") for y in YEARS
    }
    expected = [
        t for t in truth if t["rule"] in implemented.get((t["return"], int(t["year"])), set())
    ]
    found = {(i.rule, i.file, i.line) for i in issues}
    missed = [t for t in expected if (t["rule"], t["file"], int(t["line"])) not in found]
    injected_at = {(t["file"], int(t["line"])) for t in truth}
    on_injected = sum(1 for i in issues if (i.file, i.line) in injected_at)
    recall = 1 - len(missed) / len(expected)
    precision = on_injected / len(issues) if issues else 1.0
    print(
        f"\ninjected {len(truth)} errors ({len(expected)} for implemented rules): "
        f"recall {recall:.1%}, precision {precision:.1%} "
        f"({on_injected} of {len(issues)} issues are on an injected line; the rest are "
        "knock-on effects of the injected errors on other rules)"
    )
    assert len(expected) >= 100
    assert missed == []
