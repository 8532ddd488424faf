"""What validation found, as data: issues, rules skipped and rules that failed to run.

Categories form a closed list (CATEGORIES) shared by the CLI exit code, JSON, CSV and Excel.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

CATEGORIES: dict[str, str] = {
    "error": "a DfE validation error: the return will be rejected until it is fixed or bypassed",
    "query": "a DfE query: check the data, and explain it to the DfE if it is right",
    "skipped": "a rule that could not run without outside data (the reason says which)",
    "rule_failed": "a rule that raised while running: the run is incomplete (exit code 2)",
}

ISSUE_KEYS = (
    "rule",
    "severity",
    "return",
    "year",
    "table",
    "file",
    "line",
    "child",
    "fields",
    "values",
    "message",
)


@dataclass(frozen=True, slots=True)
class Issue:
    rule: str
    severity: str  # "error" | "query"
    return_: str
    year: int
    table: str
    file: str
    line: int
    child: str | None
    fields: tuple[str, ...]
    values: dict[str, str | None]  # field -> value as written
    message: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["return"] = d.pop("return_")
        d["fields"] = list(self.fields)
        return {k: d[k] for k in ISSUE_KEYS}


@dataclass(frozen=True, slots=True)
class Skipped:
    rule: str
    return_: str
    year: int
    reason: str
    category: str = "skipped"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "return": self.return_,
            "year": self.year,
            "category": self.category,
            "reason": self.reason,
        }


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # includes rule_failed entries
    rules_run: list[tuple[str, int, str]] = field(default_factory=list)  # (return, year, code)
    messages: dict[tuple[str, str], str] = field(default_factory=dict)  # (return, code) -> msg
    seconds: float = 0.0
    returns: list[tuple[str, int]] = field(default_factory=list)

    # --- combining and counting ---------------------------------------------------------------
    def extend(self, other: Report) -> None:
        self.issues += other.issues
        self.skipped += other.skipped
        self.rules_run += other.rules_run
        self.messages.update(other.messages)
        self.seconds += other.seconds
        self.returns += other.returns

    @property
    def failed(self) -> list[Skipped]:
        return [s for s in self.skipped if s.category == "rule_failed"]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    @property
    def exit_code(self) -> int:
        """2 when a rule failed (the run is incomplete), 1 when an error was found, else 0."""
        if self.failed:
            return 2
        return 1 if self.errors else 0

    def by_rule(self) -> list[tuple[str, str, str, int, int]]:
        """(return, rule, severity, issues, children) with the most frequent rules first."""
        counts: Counter[tuple[str, str, str]] = Counter()
        children: dict[tuple[str, str, str], set[str | None]] = {}
        for i in self.issues:
            key = (i.return_, i.rule, i.severity)
            counts[key] += 1
            children.setdefault(key, set()).add(i.child)
        return [
            (r, c, s, n, len(children[(r, c, s)]))
            for (r, c, s), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def summary(self) -> dict[str, Any]:
        sev = Counter(i.severity for i in self.issues)
        return {
            "returns": [{"return": r, "year": y} for r, y in self.returns],
            "issues": len(self.issues),
            "by_severity": {"error": sev.get("error", 0), "query": sev.get("query", 0)},
            "by_rule": [
                {
                    "return": r,
                    "rule": c,
                    "severity": s,
                    "issues": n,
                    "children": k,
                    "message": self.messages.get((r, c), ""),
                }
                for r, c, s, n, k in self.by_rule()
            ],
            "rules_run": len(self.rules_run),
            "rules_skipped": sum(1 for s in self.skipped if s.category == "skipped"),
            "rules_failed": len(self.failed),
            "children_affected": len({(i.return_, i.child) for i in self.issues}),
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
        }

    # --- writers ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "issues": [i.to_dict() for i in self.issues],
            "skipped": [s.to_dict() for s in self.skipped],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(ISSUE_KEYS)
        for i in self.issues:
            d = i.to_dict()
            d["fields"] = ";".join(i.fields)
            d["values"] = ";".join(f"{k}={'' if v is None else v}" for k, v in i.values.items())
            w.writerow([d[k] for k in ISSUE_KEYS])
        return buf.getvalue()
