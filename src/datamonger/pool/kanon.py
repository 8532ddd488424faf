"""k-anonymity of an extract on its quasi-identifiers: month of birth, sex, ethnicity, postcode
sector and LA, computed on the values as they will be written (after the policy and coarsening).

For each return and year, the children whose combination is shared by fewer than k children.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from datamonger.pool.deidentify import MAX_LEVEL, month_sql, sector_sql
from datamonger.pool.policy import Policy
from datamonger.store import lit, q


@dataclass(frozen=True, slots=True)
class KReport:
    level: int  # coarsening level the extract is written at
    k: int
    children: int  # child-years looked at
    at_risk: int  # child-years in a combination shared by fewer than k
    by_year: dict[str, int]  # "cin 2025" -> children at risk

    def as_dict(self) -> dict[str, object]:
        return {
            "k": self.k,
            "coarsening_level": self.level,
            "children": self.children,
            "children_below_k": self.at_risk,
            "below_k_by_return_year": self.by_year,
        }


def _qi(policy: Policy, table: str, name: str, level: int, alias: str = "t") -> str:
    action = policy.action(table, name)
    col = f"{alias}.{q(name)}"
    if action == "drop" or action == "pseudonym":
        return "NULL"
    if action == "month":
        return month_sql(col, level)
    if action == "sector":
        return sector_sql(col, level)
    if name in ("Ethnicity", "ETHNIC") and level >= 2:
        return f"left(trim({col}), 1)"
    return f"trim({col})"


def _children_sql(policy: Policy, level: int, la: str) -> str:
    la_sql = lit(la)
    cin_birth = (
        f"coalesce({_qi(policy, 'cin_children', 'PersonBirthDate', level)}, "
        f"{_qi(policy, 'cin_children', 'ExpectedPersonBirthDate', level)})"
    )
    cin_sex = (
        f"coalesce({_qi(policy, 'cin_children', 'Sex', level)}, "
        f"{_qi(policy, 'cin_children', 'GenderCurrent', level)})"
    )
    home = _qi(policy, "ssda903_episodes", "HOME_POST", level, "e")
    return f"""
        SELECT 'cin' AS return_name, t.collection_year, t.LAchildID AS child,
               {cin_birth}::VARCHAR AS birth, {cin_sex}::VARCHAR AS sex,
               {_qi(policy, "cin_children", "Ethnicity", level)}::VARCHAR AS ethnicity,
               NULL::VARCHAR AS postcode, {la_sql} AS la
        FROM cin_children t
        UNION ALL
        SELECT 'ssda903', t.collection_year, t.CHILD,
               {_qi(policy, "ssda903_header", "DOB", level)}::VARCHAR,
               {_qi(policy, "ssda903_header", "SEX", level)}::VARCHAR,
               {_qi(policy, "ssda903_header", "ETHNIC", level)}::VARCHAR,
               (SELECT arg_max({home}, e.DECOM) FROM ssda903_episodes e
                WHERE e.CHILD = t.CHILD AND e.collection_year = t.collection_year)::VARCHAR,
               {la_sql}
        FROM ssda903_header t"""


def report(con: duckdb.DuckDBPyConnection, policy: Policy, level: int, la: str) -> KReport:
    rows = con.execute(f"""
        WITH c AS (SELECT DISTINCT * FROM ({_children_sql(policy, level, la)})),
        g AS (SELECT *, count(*) OVER (PARTITION BY return_name, collection_year, birth, sex,
                                                    ethnicity, postcode, la) AS shared
              FROM c)
        SELECT return_name, collection_year, count(*), count(*) FILTER (WHERE shared < {policy.k})
        FROM g GROUP BY ALL ORDER BY ALL""").fetchall()
    by_year = {f"{r} {y}": int(below) for r, y, _, below in rows}
    return KReport(
        level, policy.k, sum(int(n) for *_, n, _ in rows), sum(by_year.values()), by_year
    )


def choose_level(con: duckdb.DuckDBPyConnection, policy: Policy, la: str) -> KReport:
    """The report at level 0, or (when the policy coarsens) at the first level with none below k."""
    rep = report(con, policy, 0, la)
    level = 0
    while policy.coarsen and rep.at_risk and level < MAX_LEVEL:
        level += 1
        rep = report(con, policy, level, la)
    return rep
