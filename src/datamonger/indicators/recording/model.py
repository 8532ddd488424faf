"""What a recording check is: a declaration (words, a population query, a template, a threshold)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Template = Literal["share", "spike"]

# Row contract of a check's population query (over the prepared `dm_*` tables, `:start`/`:end`
# placeholders as in the indicator catalogue):
#   share: child_id, flagged BOOLEAN, date DATE, detail VARCHAR
#   spike: child_id, day INTEGER,     date DATE, detail VARCHAR
# The templates turn those rows into the check's value and its flagged rows, in SQL.
TEMPLATES: dict[str, dict[str, str]] = {
    "share": {
        # value: flagged rows as a % of all rows
        "value": """SELECT count(*) FILTER (WHERE flagged) AS flagged, count(*) AS rows,
                           100.0 * count(*) FILTER (WHERE flagged) / nullif(count(*), 0) AS value
                    FROM ({population}) p""",
        "rows": "SELECT child_id, flagged, date, detail FROM ({population}) p",
    },
    "spike": {
        # value: rows on the target day over the mean of the `window` days before it
        "value": """SELECT count(*) FILTER (WHERE day = {target}) AS flagged, count(*) AS rows,
                           count(*) FILTER (WHERE day = {target})
                             / nullif(count(*) FILTER (WHERE day BETWEEN {target} - {window}
                                                           AND {target} - 1) / {window}, 0)
                             AS value
                    FROM ({population}) p""",
        "rows": """SELECT child_id, day = {target} AS flagged, date,
                          concat_ws('; ', 'day ' || day, detail) AS detail
                   FROM ({population}) p""",
    },
}


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    return_: Literal["cin", "ssda903"]
    question: str  # what the check asks, in one sentence
    population: str  # the rows looked at, in plain words
    flagged: str  # which of them count, in plain words
    note: str  # what a high figure usually means, and what to ask
    sql: str  # the population query (see the row contract above)
    template: Template = "share"
    unit: str = "%"
    # raised when the value is above this (or outside the published min-max, when there is one)
    threshold: float | None = None
    low: float | None = None  # also raised when below this (no published spread to use)
    target: int = 0  # spike: the day looked at
    window: int = 5  # spike: days before it to compare with
    published: str | None = None  # a benchmarks measure key with a published spread
    published_note: str = ""  # how the published measure differs from this check
