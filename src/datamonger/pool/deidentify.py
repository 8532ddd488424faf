"""The SQL that de-identifies one table of the store under a policy, at a coarsening level.

Levels (0 = the policy as written; each adds to the one before, used only when the policy says
`coarsen = true` and some children are shared by fewer than k others):
    1  postcodes to the district ("B12 9" -> "B12")
    2  ethnicity to the major group (first letter of the code: WBRI -> W)
    3  dates cut to the month are cut to the quarter instead
    4  no postcode at all
"""

from __future__ import annotations

from datamonger.pool.policy import Policy
from datamonger.returns import TableSpec
from datamonger.store import q

MAX_LEVEL = 4
LEVELS = {
    0: "as the policy says",
    1: "postcodes to district",
    2: "ethnicity to major group",
    3: "dates of birth to quarter",
    4: "postcodes dropped",
}
ETHNICITY_FIELDS = ("Ethnicity", "ETHNIC")


def _norm(col: str) -> str:
    return f"replace(upper(trim({col})), ' ', '')"


def sector_sql(col: str, level: int = 0) -> str:
    """A UK postcode cut to its sector (outward code + first digit of the inward code)."""
    n = _norm(col)
    if level >= 4:
        return "NULL::VARCHAR"
    outward = f"left({n}, length({n}) - 3)"
    inward = f"substr({n}, length({n}) - 2, 1)"
    cut = outward if level >= 1 else f"{outward} || ' ' || {inward}"
    shape = "[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}"
    return f"CASE WHEN regexp_full_match({n}, '{shape}') THEN {cut} END"


def month_sql(col: str, level: int = 0) -> str:
    unit = "quarter" if level >= 3 else "month"
    return f"date_trunc('{unit}', {col})::DATE"


def field_sql(spec: TableSpec, name: str, action: str, level: int, alias: str = "t") -> str | None:
    """The expression for one field (None: dropped). Pseudonyms are joined by `select_sql`."""
    col = f"{alias}.{q(name)}"
    if action == "drop":
        return None
    if action == "month":
        return f"{month_sql(col, level)} AS {q(name)}"
    if action == "sector":
        return f"{sector_sql(col, level)} AS {q(name)}"
    if action == "keep" and name in ETHNICITY_FIELDS and level >= 2:
        return f"left(trim({col}), 1) AS {q(name)}"
    return f"{col} AS {q(name)}"


def select_sql(spec: TableSpec, policy: Policy, level: int, maps: dict[str, str]) -> str:
    """SELECT giving the table de-identified; `maps[kind]` names the registered pseudonym maps.

    The pseudonym joins are LEFT JOINs on a map with one row per identifier, so every row of the
    table comes out once: none dropped, none doubled."""
    cols = ["t.collection_year", "regexp_replace(t.source_file, '^.*[/\\\\]', '') AS source_file"]
    cols += ["t.source_line", *(f"t.{q(k)}" for k in spec.keys)]
    joins = []
    for n, (name, action) in enumerate(policy.plan(spec)):
        if action == "pseudonym":
            kind = "child" if name in ("CHILD", "LAchildID") else name.lower()
            alias = f"p{n}"
            joins.append(f"LEFT JOIN {maps[kind]} {alias} ON {alias}.id = t.{q(name)}")
            cols.append(f"{alias}.pseudonym AS {q(name)}")
            continue
        expr = field_sql(spec, name, action, level)
        if expr is not None:
            cols.append(expr)
    return f"SELECT {', '.join(cols)} FROM {spec.store_name} t {' '.join(joins)}"


def pseudonym_kinds(spec: TableSpec, policy: Policy) -> dict[str, str]:
    """kind -> field, for the fields of this table that become pseudonyms."""
    out = {}
    for name, action in policy.plan(spec):
        if action == "pseudonym":
            out["child" if name in ("CHILD", "LAchildID") else name.lower()] = name
    return out
