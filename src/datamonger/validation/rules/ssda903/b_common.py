"""SSDA903: SQL snippets and fixture helpers shared by the adoption, mother, permanence and header
packs (`adoption.py`, `mother.py`, `permanence.py`, `header_checks.py`); the per-year fixture
helpers (`each_year`, `sex_codes`) by any pack.

No rules here (the registry skips a module without RULES). Snippets read the prepared tables
(`Episodes` has `seq`, 1.. per child by DECOM); a condition reads the checked row as `t`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from datamonger.validation import catalogue
from datamonger.validation.rule import Fixture, Rows, parse_rows
from datamonger.validation.templates import select

V34 = "('V3', 'V4')"  # legal statuses of an agreed series of short-term breaks
ADOPTED = "('E11', 'E12')"  # REC: adopted
PLACED_FOR_ADOPTION = "('A3', 'A4', 'A5', 'A6')"  # PLACE: placed for adoption
NOT_V34 = "(LS IS NULL OR LS NOT IN ('V3', 'V4'))"

# SEX was written 1 (male) / 2 (female) until 2023/24 and M / F / U from 2024/25 (rule 101).
MALE = "(CASE WHEN {year} >= 2025 THEN 'M' ELSE '1' END)"
FEMALE = "(CASE WHEN {year} >= 2025 THEN 'F' ELSE '2' END)"


# Where rules read DEC after the public validator's rule 365 has run there.
PV_365_NOTE = (
    "A blank DEC is read as written (the episode has not ended): the public validator's rule 365 "
    "writes 31 March into every blank DEC of the episodes table the rules after it share, so "
    "there this rule sees open episodes as ended on 31 March; we keep the DfE's reading."
)

# Children looked after at some time in the collection year other than on short breaks (V3/V4):
# an episode with another (or no) legal status that overlaps the year.
LOOKED_AFTER = (
    '(SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL AND (LS IS NULL OR LS NOT IN '
    "('V3', 'V4')) AND (DECOM IS NULL OR DECOM <= {end}) AND (DEC IS NULL OR DEC >= {start}))"
)

# The episode that began the child's latest period of care: the latest with RNE S, or, when the
# return has none (the period began before the year), the child's first episode. One per child.
PERIOD_START = (
    "(SELECT * EXCLUDE (_r) FROM (SELECT e.*, row_number() OVER (PARTITION BY e.CHILD "
    "ORDER BY coalesce(e.RNE = 'S', false) DESC, CASE WHEN e.RNE = 'S' THEN e.DECOM END DESC "
    'NULLS LAST, e.seq) AS _r FROM "Episodes" e WHERE e.CHILD IS NOT NULL AND e.DECOM IS NOT NULL) '
    "WHERE _r = 1)"
)

# For each adoption episode (REC E11/E12), the first episode of the unbroken run of placements for
# adoption (A3-A6) that ended in it: the day the child was placed with the adopters. Columns: CHILD,
# adopted (the adoption episode's DEC), a_file/a_line (the adoption episode), placed (DECOM of the
# run's first episode), source_file/source_line (that episode), place (the adoption's PLACE).
ADOPTION_PLACEMENT = (
    "(SELECT a.CHILD, a.DEC AS adopted, a.PLACE AS place, a.source_file AS a_file, "
    "a.source_line AS a_line, s.DECOM AS placed, s.source_file, s.source_line FROM ("
    f"SELECT e.*, max(CASE WHEN e.PLACE IS NULL OR e.PLACE NOT IN {PLACED_FOR_ADOPTION} "
    "THEN e.seq END) OVER (PARTITION BY e.CHILD ORDER BY e.seq ROWS BETWEEN UNBOUNDED PRECEDING "
    'AND 1 PRECEDING) AS brk FROM "Episodes" e WHERE e.CHILD IS NOT NULL) a '
    'JOIN "Episodes" s ON s.CHILD = a.CHILD AND s.seq = coalesce(a.brk, 0) + 1 '
    f"WHERE a.REC IN {ADOPTED})"
)


def order_runs(ls: str, days: int) -> str:
    """Episodes under legal status `ls` longer than `days` days in all: consecutive episodes under
    it (each starting on or before the previous one's end) are one order, added up; an episode
    still open counts to 31 March. Every episode of a run over the limit is returned."""
    return f"""
WITH j AS (
  SELECT CHILD, source_file, source_line, DECOM, coalesce(DEC, {{end}}) AS until,
         lag(coalesce(DEC, {{end}})) OVER w AS prev_until
  FROM "Episodes" WHERE LS = '{ls}' AND DECOM IS NOT NULL AND CHILD IS NOT NULL
  WINDOW w AS (PARTITION BY CHILD ORDER BY DECOM, source_file, source_line)),
r AS (
  SELECT *, sum(CASE WHEN prev_until IS NULL OR DECOM > prev_until THEN 1 ELSE 0 END)
            OVER (PARTITION BY CHILD ORDER BY DECOM, source_file, source_line) AS run
  FROM j),
long AS (
  SELECT CHILD, run FROM r GROUP BY CHILD, run
  HAVING sum(date_diff('day', DECOM, until)) > {days})
SELECT 'Episodes' AS "table", e.source_file, e.source_line, e.CHILD_raw AS child
FROM r JOIN long USING (CHILD, run)
JOIN "Episodes" e ON e.source_file = r.source_file AND e.source_line = r.source_line
"""


def at(table: str, pairs: str) -> str:
    """The rows of `table` located by `pairs`, a SELECT of (source_file, source_line)."""
    return select(
        table,
        "true",
        f"JOIN ({pairs}) AS _p(f, l) ON _p.f = t.source_file AND _p.l = t.source_line",
    )


def union(*selects: str) -> str:
    return " UNION ".join(f"({s})" for s in selects)


def fxm(
    failing: Mapping[str, Sequence[str]],
    passing: Mapping[str, Sequence[str]],
    *,
    both: Mapping[str, Sequence[str]] | None = None,
    last: Mapping[str, Sequence[str]] | None = None,
    flagged: Sequence[tuple[str, int]] | None = None,
    year: int | None = None,
) -> Fixture:
    """A fixture whose failing and passing sets differ in several tables (compact rows, see
    `parse_rows`); `both` rows are added to both sets (a table given in a set replaces them)."""
    common = {t: parse_rows(*rows) for t, rows in (both or {}).items()}
    return Fixture(
        failing={**common, **{t: parse_rows(*rows) for t, rows in failing.items()}},
        passing={**common, **{t: parse_rows(*rows) for t, rows in passing.items()}},
        flagged=tuple(flagged) if flagged is not None else None,
        last={t: parse_rows(*rows) for t, rows in (last or {}).items()},
        year=year,
    )


def each_year(build: Callable[[int], Fixture]) -> dict[int, Fixture]:
    """`{year: build(year)}` for every collection year of the DfE's SSDA903 list, each fixture
    written for its own year (no date is moved): for data whose meaning a move by whole years would
    not keep, e.g. a date compared with a fixed date in the rule (14 October 1991, 1 April 2023),
    a partial date (ZZ/05/2026) or a span across February."""
    return {year: replace(build(year), year=year) for year in catalogue.known_years("ssda903")}


# SEX codes of 2022/23-2023/24 for those of 2024/25 on (U, unknown, has none).
_OLD_SEX = {"M": "1", "F": "2"}


def sex_codes(fixture: Fixture) -> dict[int, Fixture]:
    """`fixture`, written with SEX M/F (2024/25 on), for every year: from 2025 as written, until
    2024 with SEX 1/2. Its `year` (the year its dates are written for) must be given."""
    if fixture.year is None:
        raise ValueError("sex_codes: give the fixture's year")

    def old(rows: Rows) -> dict[str, list[dict[str, str | None]]]:
        out: dict[str, list[dict[str, str | None]]] = {}
        for table, items in rows.items():
            out[table] = []
            for row in items:
                sex = row.get("SEX")
                if sex and sex.strip().upper() not in _OLD_SEX:
                    raise ValueError(f"sex_codes: SEX {sex!r} has no code before 2024/25")
                out[table].append(
                    {**row, "SEX": _OLD_SEX[sex.strip().upper()]} if sex else dict(row)
                )
        return out

    before = replace(
        fixture, failing=old(fixture.failing), passing=old(fixture.passing), last=old(fixture.last)
    )
    return {2023: before, 2025: fixture}
