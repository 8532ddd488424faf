"""Every injected error is where ground_truth.csv says, with the value it says."""

from __future__ import annotations

import collections
import re

from datamonger.returns.ssda903 import BY_NAME
from datamonger.synth import SynthSummary

from .conftest import read_csv_rows

COLUMNS = ["return", "year", "rule", "table", "file", "line", "child", "field", "value"]


def test_ground_truth_points_at_the_value(with_errors: SynthSummary) -> None:
    assert with_errors.ground_truth is not None
    truth = read_csv_rows(with_errors.ground_truth)
    assert list(truth[0]) == COLUMNS
    assert len(truth) == with_errors.errors > 50
    lines_of: dict[str, list[str]] = {}
    for t in truth:
        path = with_errors.out_dir / t["file"]
        assert path.is_file()
        lines = lines_of.setdefault(t["file"], path.read_text(encoding="utf-8").split("\n"))
        line = lines[int(t["line"]) - 1]
        if t["return"] == "ssda903":
            cells = line.split(",")
            assert cells[BY_NAME[t["table"]].csv_names.index(t["field"])] == t["value"], t
            assert cells[0] == t["child"]
        else:
            # The line of the element that forms the row; the value is that element or a leaf of it.
            assert (
                _element_lines(lines, int(t["line"])).count(
                    f"<{t['field']}>{t['value']}</{t['field']}>"
                )
                >= 1
            ), t


def _element_lines(lines: list[str], line: int) -> list[str]:
    """The stripped lines of the element opening at `line` (1-based), down to its closing tag."""
    first = lines[line - 1].strip()
    tag = first[1:].split(">", 1)[0]
    if first.endswith(f"</{tag}>"):
        return [first]
    out = []
    for text in lines[line - 1 :]:
        out.append(text.strip())
        if text.strip() == f"</{tag}>":
            return out
    raise AssertionError(f"element at line {line} is not closed")


def test_duplicates_repeat_the_row_above(with_errors: SynthSummary) -> None:
    truth = [
        t
        for t in read_csv_rows(with_errors.ground_truth)
        if t["rule"].startswith("INT3") or t["rule"] == "8794"
    ]
    assert truth
    for t in truth:
        lines = (with_errors.out_dir / t["file"]).read_text(encoding="utf-8").split("\n")
        assert lines[int(t["line"]) - 1] == lines[int(t["line"]) - 2]


def test_error_rate_and_rules(with_errors: SynthSummary) -> None:
    truth = read_csv_rows(with_errors.ground_truth)
    rows = sum(sum(y.ssda903_rows.values()) for y in with_errors.years.values())
    ssda903 = sum(t["return"] == "ssda903" for t in truth)
    assert 0.03 < ssda903 / rows < 0.07  # asked for 5% of the rows
    rules = collections.Counter(t["rule"] for t in truth)
    assert len(rules) > 25
    assert all(re.fullmatch(r"[0-9A-Za-z]+", r) for r in rules)
