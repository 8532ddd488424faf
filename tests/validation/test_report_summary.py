"""The summary's counts, from SQL, agree with counting the issues one by one in Python."""

from __future__ import annotations

import random

from datamonger.validation.report import Issue, Report, issues_table


def _issues(n: int, seed: int) -> list[Issue]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        rule = rnd.choice(["101", "102", "8520", "X1"])
        child = rnd.choice([None, None, "A", "B", "C", " a", str(rnd.randint(1, 40))])
        return_ = "cin" if rule == "8520" else "ssda903"
        severity = "query" if rule == "X1" else "error"
        out.append(
            Issue(rule, severity, return_, 2025, "Header", "f.csv", i + 2, child, (), {}, "m")
        )
    return out


def test_children_per_rule_and_in_all_count_a_missing_child_once() -> None:
    for seed in range(5):
        issues = _issues(300, seed)
        report = Report(table=issues_table(issues), returns=[("ssda903", 2025)])
        summary = report.summary()
        want_by_rule = {}
        for i in issues:
            key = (i.return_, i.rule, i.severity)
            n, children = want_by_rule.get(key, (0, set()))
            want_by_rule[key] = (n + 1, children | {i.child})
        got = {(r["return"], r["rule"], r["severity"]): r for r in summary["by_rule"]}
        assert set(got) == set(want_by_rule)
        for key, (n, children) in want_by_rule.items():
            assert (got[key]["issues"], got[key]["children"]) == (n, len(children))
        assert [r["issues"] for r in summary["by_rule"]] == sorted(
            (r["issues"] for r in summary["by_rule"]), reverse=True
        )
        assert summary["children_affected"] == len({(i.return_, i.child) for i in issues})
        assert summary["by_severity"] == {
            "error": sum(i.severity == "error" for i in issues),
            "query": sum(i.severity == "query" for i in issues),
        }
