"""Linkage measured against `early_years_truth.csv` (written by `synth --early-years`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa


@dataclass(frozen=True, slots=True)
class Score:
    true_rows: int  # list rows that are a looked-after child
    linked: int  # rows linked without review
    correct: int  # of those, linked to the right child
    review: int  # rows sent to review
    review_correct: int  # of those, whose proposed child is the right one

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_rows if self.true_rows else 1.0


def score(links: pa.Table, truth_csv: Path) -> Score:
    """Precision and recall of the confident links; truth `file` names are relative to the
    truth file's folder, list rows are matched by file name and line."""
    con = duckdb.connect()
    try:
        con.register("links", links)
        path = str(truth_csv).replace("'", "''")
        con.execute(
            f"""CREATE TEMP TABLE truth AS SELECT file, CAST(line AS INTEGER) AS line, child_id
                FROM read_csv('{path}', all_varchar = true)"""
        )
        con.execute(
            """CREATE TEMP TABLE l AS SELECT regexp_extract(source_file, '[^/\\\\]+$') AS file,
                      source_line AS line, child_id, status FROM links"""
        )
        row = con.sql(
            """SELECT (SELECT count(*) FROM truth),
                      count(*) FILTER (WHERE l.status = 'linked'),
                      count(*) FILTER (WHERE l.status = 'linked' AND t.child_id = l.child_id),
                      count(*) FILTER (WHERE l.status = 'review'),
                      count(*) FILTER (WHERE l.status = 'review' AND t.child_id = l.child_id)
               FROM l LEFT JOIN truth t USING (file, line)"""
        ).fetchall()[0]
    finally:
        con.close()
    return Score(*(int(v) for v in row))
