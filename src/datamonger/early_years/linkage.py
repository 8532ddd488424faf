"""Link early-years list rows to looked-after children.

Exact first: the LA's case id (`child_id`) or the UPN, where the list holds one. Then splink (the
Fellegi-Sunter model, on DuckDB) on names, date of birth and postcode for the rest. Each link
keeps its match weight and a reason in words. Links below the confident threshold, or with a
close second candidate, or whose forenames disagree (twins and siblings share everything else),
go to the review queue; the virtual school's accept and reject decisions
(kept in the LA's database, keyed by the row's content so they survive next week's list) are
applied before anything is decided.

The m probabilities (how often a true match agrees at each level) are set from what is known of
how nursery systems record children (nicknames, typos, swapped day and month); the u
probabilities (how often two different children agree by chance) are estimated from each run's
own data by random sampling, so they follow the LA's names and postcodes.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import duckdb
import pyarrow as pa

from datamonger.early_years.nicknames import nickname_rows

CONFIDENT = 0.95  # match probability at or above which a link is made without review
REVIEW_FLOOR = 0.5  # below this a candidate is not shown at all
AMBIGUOUS_GAP = 4.0  # match weight by which the best candidate must beat the next one
EXACT_WEIGHT = 99.0  # shown for links on child_id or UPN (no probability involved)

# Comparison levels: (gamma label, SQL, m probability); the null level first, the else level last.
_LEVELS: dict[str, list[tuple[str, str, float]]] = {
    "forename": [
        ("same forename", "fn_l = fn_r OR fn_l = fn_alt_r OR fn_alt_l = fn_r", 0.80),
        ("forename a short form of the other", "len(list_intersect(fn_groups_l, fn_groups_r)) > 0", 0.12),
        ("forename spelt slightly differently", "jaro_winkler_similarity(fn_l, fn_r) >= 0.88", 0.05),
    ],
    "surname": [
        ("same surname", "sn_l = sn_r OR len(list_intersect(sn_parts_l, sn_parts_r)) > 0", 0.88),
        ("surname spelt slightly differently", "jaro_winkler_similarity(sn_l, sn_r) >= 0.88", 0.07),
    ],
    "date_of_birth": [
        ("same date of birth", "dob_l = dob_r", 0.93),
        ("day and month swapped", "dob_l = dob_swapped_r", 0.03),
        ("date of birth one digit apart", "damerau_levenshtein(dob_s_l, dob_s_r) <= 1", 0.03),
    ],
    "postcode": [
        ("same postcode", "pc_l = pc_r", 0.80),
        ("same postcode sector", "pc_sector_l = pc_sector_r", 0.06),
        ("same postcode district", "pc_district_l = pc_district_r", 0.06),
    ],
    "upn": [
        ("same UPN", "upn_l = upn_r", 0.95),
    ],
}  # fmt: skip
_NULL = {
    "forename": "fn_l IS NULL OR fn_r IS NULL",
    "surname": "sn_l IS NULL OR sn_r IS NULL",
    "date_of_birth": "dob_l IS NULL OR dob_r IS NULL",
    "postcode": "pc_l IS NULL OR pc_r IS NULL",
    "upn": "upn_l IS NULL OR upn_r IS NULL",
}
_ELSE = {
    "forename": "different forename",
    "surname": "different surname",
    "date_of_birth": "different date of birth",
    "postcode": "different postcode",
    "upn": "different UPN",
}

BLOCKING = (
    "l.dob = r.dob",
    "l.dob = r.dob_swapped",
    "l.fn = r.fn AND l.sn = r.sn",
    "l.sn = r.sn AND year(l.dob) = year(r.dob)",
    "l.pc = r.pc AND year(l.dob) = year(r.dob)",
)


# A list row's identity across weeks (line numbers change; the child's details do not): what a
# review decision is remembered by. The setting is left out, so a decision covers both settings.
def fingerprint_sql(t: str = "") -> str:
    """The fingerprint of a list row; `t` qualifies the columns (`e.`)."""
    return (
        f"md5(concat_ws('|', lower(trim({t}forename)), lower(trim({t}surname)), {t}date_of_birth, "
        f"replace(coalesce({t}postcode, ''), ' ', ''), {t}la))"
    )


FINGERPRINT_SQL = fingerprint_sql()

LINK_COLUMNS = (
    "source_file", "source_line", "child_id", "method", "match_weight", "match_probability",
    "reason", "status",
)  # fmt: skip


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Both sides in the same shape: `ey` (list rows) and `cla` (identities) as `cmp_ey`,
    `cmp_cla`. Names lower case letters only; postcode without spaces, its sector and district."""
    con.execute("CREATE OR REPLACE TEMP TABLE nick AS SELECT * FROM nick_rows")
    letters = "regexp_replace(lower(coalesce({c}, '')), '[^a-z]', '', 'g')"

    def name(c: str) -> str:
        return f"nullif({letters.format(c=c)}, '')"

    def common(fn: str, alt: str, sn: str, former: str) -> str:
        return f"""
            {name(fn)} AS fn, {name(alt)} AS fn_alt,
            {name(sn)} AS sn,
            list_filter(list_transform(
                string_split_regex(lower(coalesce({sn}, '')) || ' ' || lower(coalesce({former}, '')), '[- ]+'),
                lambda x: regexp_replace(x, '[^a-z]', '', 'g')), lambda x: length(x) > 1) AS sn_parts,
            date_of_birth AS dob,
            CASE WHEN day(date_of_birth) <= 12 THEN
                try_cast(make_date(year(date_of_birth), day(date_of_birth), month(date_of_birth)) AS DATE) END
              AS dob_swapped,
            strftime(date_of_birth, '%Y%m%d') AS dob_s,
            nullif(replace(coalesce(postcode, ''), ' ', ''), '') AS pc,
            nullif(left(coalesce(postcode, ''), length(coalesce(postcode, '')) - 2), '') AS pc_sector,
            nullif(split_part(coalesce(postcode, ''), ' ', 1), '') AS pc_district,
            nullif(upn, '') AS upn"""

    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cmp_ey AS
            SELECT 'e' || row_id AS unique_id, {common("forename", "NULL", "surname", "NULL")}
            FROM ey_todo"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cmp_cla AS
            SELECT child_id AS unique_id,
                   {common("forename", "preferred_name", "surname", "former_surname")}
            FROM cla"""
    )
    # The legal names each written forename may stand for (itself when not in the table).
    for side in ("cmp_ey", "cmp_cla"):
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {side} AS
                SELECT s.*, coalesce((SELECT list(DISTINCT n.legal) FROM nick n
                                       WHERE n.name IN (s.fn, s.fn_alt)), [s.fn]) AS fn_groups
                FROM {side} s"""
        )


def _settings(prior: float) -> Any:
    from splink import SettingsCreator
    from splink.internals.comparison_level_library import CustomLevel, ElseLevel
    from splink.internals.comparison_library import CustomComparison

    comparisons: list[Any] = []
    for field, levels in _LEVELS.items():
        m_else = max(1e-4, 1.0 - sum(m for _, _, m in levels))
        cl: list[Any] = [CustomLevel(_NULL[field], "null").configure(is_null_level=True)]
        cl += [CustomLevel(sql, label).configure(m_probability=m) for label, sql, m in levels]
        cl.append(ElseLevel().configure(m_probability=m_else, label_for_charts=_ELSE[field]))
        if field == "upn":  # two children never share a UPN: nothing for sampling to find
            cl[1].configure(u_probability=1e-6, fix_u_probability=True)
            cl[2].configure(u_probability=1.0 - 1e-6, fix_u_probability=True)
        comparisons.append(CustomComparison(cl, output_column_name=field))
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=list[Any](BLOCKING),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
    )


def _reason_sql(linker: Any) -> str:
    """Each comparison's level in words with its weight (`same surname +7.2`). Splink's output
    holds each comparison's partial match weight; the trained levels say which level has it."""
    parts = []
    for cc in linker._settings_obj.comparisons:
        col = cc._mw_column_name
        cases = []
        for cl in cc.comparison_levels:
            if cl.is_null_level:
                continue
            w = math.log2(cl._bayes_factor)
            cases.append(f"WHEN abs({col} - ({w!r})) < 1e-6 THEN '{cl.label_for_charts}'")
        label = f"CASE {' '.join(cases)} END"
        parts.append(
            f"CASE WHEN {col} <> 0 THEN {label} || ' ' || "
            f"CASE WHEN {col} > 0 THEN '+' ELSE '' END || round({col}, 1) END"
        )
    return "concat_ws('; ', " + ", ".join(parts) + ")"


def link(
    ey_rows: pa.Table,
    identities: pa.Table,
    decisions: pa.Table | None = None,
    threads: int | None = None,
) -> pa.Table:
    """One row per list row with a link or a candidate for review (LINK_COLUMNS).

    `ey_rows` are the list rows as read (source_file, source_line and the list's fields); `decisions`
    (fingerprint, child_id, decision 'accept' | 'reject') are the virtual school's earlier calls.
    """
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    try:
        return _link(con, ey_rows, identities, decisions)
    finally:
        con.close()


def _link(
    con: duckdb.DuckDBPyConnection,
    ey_rows: pa.Table,
    identities: pa.Table,
    decisions: pa.Table | None,
) -> pa.Table:
    con.register("ey_in", ey_rows)
    con.register("cla", identities)
    con.register(
        "nick_rows",
        pa.table(dict(zip(("name", "legal"), zip(*nickname_rows(), strict=True), strict=True))),
    )
    if decisions is None:
        decisions = pa.table({"fingerprint": pa.array([], pa.string()), "child_id": pa.array([], pa.string()),
                              "decision": pa.array([], pa.string())})  # fmt: skip
    con.register("decisions", decisions)
    con.execute(
        f"CREATE TEMP TABLE ey AS SELECT row_number() OVER () AS row_id, *, "
        f"{FINGERPRINT_SQL} AS fingerprint FROM ey_in"
    )
    # 1. Decisions already taken: accepted links stand; rejected pairs are never proposed again.
    con.execute(
        f"""CREATE TEMP TABLE links AS
            SELECT ey.row_id, d.child_id, 'accepted' AS method, {EXACT_WEIGHT} AS match_weight,
                   1.0 AS match_probability, 'accepted by the virtual school' AS reason,
                   'linked' AS status
            FROM ey JOIN decisions d ON d.fingerprint = ey.fingerprint AND d.decision = 'accept'
            JOIN cla ON cla.child_id = d.child_id
            QUALIFY row_number() OVER (PARTITION BY ey.row_id ORDER BY d.child_id) = 1"""
    )
    # 2. Exact identifiers.
    con.execute(
        f"""INSERT INTO links
            SELECT ey.row_id, cla.child_id, 'child_id', {EXACT_WEIGHT}, 1.0,
                   'the list gives the child''s case id', 'linked'
            FROM ey JOIN cla ON cla.child_id = ey.child_id
            WHERE ey.row_id NOT IN (SELECT row_id FROM links)"""
    )
    con.execute(
        f"""INSERT INTO links
            SELECT ey.row_id, any_value(cla.child_id), 'upn', {EXACT_WEIGHT}, 1.0,
                   'same UPN', 'linked'
            FROM ey JOIN cla ON cla.upn = ey.upn AND ey.upn IS NOT NULL
            WHERE ey.row_id NOT IN (SELECT row_id FROM links)
            GROUP BY ey.row_id HAVING count(DISTINCT cla.child_id) = 1"""
    )
    # 3. Probabilistic for the rest.
    con.execute(
        "CREATE TEMP TABLE ey_todo AS SELECT * FROM ey WHERE row_id NOT IN (SELECT row_id FROM links)"
    )
    n_todo = con.sql("SELECT count(*) FROM ey_todo").fetchall()[0][0]
    n_cla = con.sql("SELECT count(*) FROM cla").fetchall()[0][0]
    if n_todo and n_cla:
        _probabilistic(con, int(n_todo), int(n_cla))
    return con.sql(
        """SELECT ey.source_file, ey.source_line, links.child_id, links.method,
                  round(links.match_weight, 2) AS match_weight,
                  round(links.match_probability, 4) AS match_probability, links.reason, links.status
           FROM links JOIN ey USING (row_id) ORDER BY ey.source_file, ey.source_line"""
    ).to_arrow_table()


def _probabilistic(con: duckdb.DuckDBPyConnection, n_todo: int, n_cla: int) -> None:
    from splink import DuckDBAPI, Linker

    _prepare(con)
    # Prior: about as many true pairs as identities of children young enough to be on a list.
    young = con.sql(
        "SELECT count(*) FROM cmp_cla WHERE dob >= (SELECT min(dob) FROM cmp_ey) - INTERVAL 1 YEAR"
    ).fetchall()[0][0]
    prior = min(0.5, max(1.0, float(young)) / (n_todo * n_cla))
    db = DuckDBAPI(con)
    left = db.register("cmp_ey", dataset_display_name="ey")
    right = db.register("cmp_cla", dataset_display_name="cla")
    linker = Linker([left, right], _settings(prior), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=1)
    pred = linker.inference.predict(threshold_match_probability=REVIEW_FLOOR / 10)
    con.execute(
        f"""CREATE TEMP TABLE scored AS
            SELECT CASE WHEN source_dataset_l = 'ey' THEN unique_id_l ELSE unique_id_r END AS eid,
                   CASE WHEN source_dataset_l = 'ey' THEN unique_id_r ELSE unique_id_l END AS child_id,
                   match_weight, match_probability, {_reason_sql(linker)} AS reason,
                   mw_forename > 0 AS forename_agrees
            FROM {pred.physical_name}"""
    )
    # Rejected pairs drop out before the best candidate is chosen.
    con.execute(
        f"""INSERT INTO links
            SELECT row_id, child_id, 'probabilistic', match_weight, match_probability,
                   reason || CASE WHEN gap < {AMBIGUOUS_GAP} THEN '; another child scores nearly as high'
                                  ELSE '' END
                          || CASE WHEN NOT forename_agrees THEN '; forenames differ: a twin or sibling?'
                                  ELSE '' END,
                   CASE WHEN match_probability >= {CONFIDENT} AND gap >= {AMBIGUOUS_GAP}
                             AND forename_agrees THEN 'linked' ELSE 'review' END
            FROM (
              SELECT t.row_id, s.child_id, s.match_weight, s.match_probability, s.reason,
                     s.forename_agrees,
                     s.match_weight - coalesce(lead(s.match_weight) OVER w, -1e9) AS gap,
                     row_number() OVER w AS rank
              FROM scored s JOIN ey_todo t ON s.eid = 'e' || t.row_id
              WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.decision = 'reject'
                                AND d.fingerprint = t.fingerprint AND d.child_id = s.child_id)
              WINDOW w AS (PARTITION BY t.row_id ORDER BY s.match_weight DESC, s.child_id)
            ) WHERE rank = 1 AND match_probability >= {REVIEW_FLOOR}"""
    )


def weight_to_probability(w: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -w))
