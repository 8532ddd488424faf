"""docs/numbers.md, the counts the documentation quotes, matches the code and shipped data."""

from __future__ import annotations

from pathlib import Path

from datamonger.benchmarks.published import Published
from datamonger.numbers_doc import render

ROOT = Path(__file__).resolve().parents[2]


def test_numbers_md_is_up_to_date(published: Published) -> None:
    committed = (ROOT / "docs" / "numbers.md").read_text(encoding="utf-8")
    assert committed == render(published), "run: python -m datamonger.numbers_doc"


def test_the_readme_quotes_no_count_that_numbers_md_owns() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for stale in ("109 CIN", "110 of them", "726", "430 LA measures"):
        assert stale not in readme
    assert "docs/numbers.md" in readme
