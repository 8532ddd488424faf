"""Preparing runs its steps on several workspace cursors at once, each when what it reads is made."""

from __future__ import annotations

import duckdb
import pytest

from datamonger.validation.prepare import Step, Workspace, _run_steps, _statement


def _step(name: str, sql: str, *needs: str) -> Step:
    return (name, frozenset(needs), _statement(sql))


@pytest.fixture
def cursors() -> list[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    ws = Workspace(con)
    yield [ws.cursor() for _ in range(3)]
    ws.close()
    con.close()


def test_a_step_runs_after_the_tables_it_reads(cursors: list[duckdb.DuckDBPyConnection]) -> None:
    steps = [
        _step("c", "CREATE TABLE c AS SELECT (SELECT sum(x) FROM a) + (SELECT sum(x) FROM b) AS x", "a", "b"),
        _step("a", "CREATE TABLE a AS SELECT range AS x FROM range(200000)"),
        _step("d", "CREATE TABLE d AS SELECT x * 2 AS x FROM c", "c"),
        _step("b", "CREATE TABLE b AS SELECT 1 AS x"),
    ]  # fmt: skip
    _run_steps(cursors, steps)
    assert cursors[0].execute("SELECT x FROM d").fetchall() == [(2 * (199999 * 200000 // 2 + 1),)]


def test_a_failing_step_is_raised_and_stops_the_rest(
    cursors: list[duckdb.DuckDBPyConnection],
) -> None:
    steps = [
        _step("a", "CREATE TABLE a AS SELECT nonsense FROM nowhere"),
        _step("b", "CREATE TABLE b AS SELECT * FROM a", "a"),
    ]
    with pytest.raises(duckdb.CatalogException, match="nowhere"):
        _run_steps(cursors, steps)
    assert cursors[0].execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'b'"
    ).fetchall() == [(0,)]


def test_a_step_needing_what_nothing_makes_is_an_error(
    cursors: list[duckdb.DuckDBPyConnection],
) -> None:
    with pytest.raises(RuntimeError, match="no step makes what b needs"):
        _run_steps(cursors, [_step("b", "CREATE TABLE b AS SELECT 1", "missing")])
