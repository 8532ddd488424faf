"""Read the DfE's published files into one long shape: (measure, year, area) -> value or code.

The same functions build the shipped cache and import newer files the analyst downloads, so a newer
file in the same format goes through exactly the code the shipped one did.

Areas are keyed by the DfE 3-digit LA number for LAs and by the ONS code for England and the regions
(Inner and Outer London included), whatever the file calls them.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from datamonger.benchmarks import years
from datamonger.benchmarks.paths import published_dir
from datamonger.store import lit, q

# EES suppression and special codes; a value column holds numbers or these, never anything else.
SUPPRESSION_CODES = ("c", "x", "z", "k", "u", "low")

EES_GEOGRAPHY = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)

SCHEMA = """
create table if not exists obs (
    measure varchar, year integer, period varchar, preference integer,
    area varchar, value double, code varchar, source varchar);
create table if not exists measures (
    key varchar, title varchar, source varchar, topic varchar, polarity varchar,
    quartiles boolean, unit varchar, dps integer, year_type varchar,
    description varchar, methodology varchar, file varchar);
create table if not exists areas (
    code varchar, name varchar, level varchar, region_code varchar, ons_code varchar,
    source varchar);
create table if not exists neighbours (
    model varchar, la varchar, rank integer, neighbour varchar, closeness varchar,
    source varchar);
"""


@dataclass
class Loaded:
    """What one file brought in, for the import report."""

    file: str
    kind: str
    rows: int = 0
    measures: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # plain-language notes of what was left out


class UnknownFile(ValueError):
    """The file is none of the published formats this module reads."""


def ees_stem(path: Path) -> str:
    """The publication's stable name: file name without extension(s) or a `_2013_to_2025` span,
    so that next year's `..._2013_to_2026.csv` replaces this year's file rather than sitting beside it.
    """
    name = path.name
    for suffix in (".gz", ".csv"):
        name = name.removesuffix(suffix)
    return re.sub(r"_\d{4}_to_\d{4}$", "", name)


def _regions_csv() -> Path:
    return published_dir() / "curated" / "regions.csv"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    con.execute(
        f"create or replace temp table regions as select * from read_csv('{_regions_csv()}', all_varchar=true)"
    )


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f), [])


def detect(path: Path) -> str:
    """Which published format a file is: lait, lait_dictionary, ees, sn2025 or sn2021."""
    if path.suffix == ".parquet":
        target = str(path).replace("'", "''")
        with duckdb.connect() as con:  # its own: the default connection is shared by threads
            cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{target}')").fetchall()
        names = {c[0] for c in cols}
        if {"Short Desc", "Years", "LA and Regions", "Values"} <= names:
            return "lait"
        raise UnknownFile(f"{path.name}: a parquet file, but not LAIT's bds_long store")
    header = _header(path)
    names = set(header)
    if "Measure_short" in names and "Polarity" in names:
        return "lait_dictionary"
    if "SN_1" in names and "old_la_code" in names:
        return "sn2025"
    if "SN1" in names and "LA num" in names:
        return "sn2021"
    if {"time_period", "geographic_level"} <= names:
        return "ees"
    raise UnknownFile(
        f"{path.name}: not a published file this tool reads (expected LAIT's bds_long parquet, "
        "its data dictionary, an EES CSV with time_period and geographic_level, or a statistical "
        "neighbours CSV)"
    )


def load(con: duckdb.DuckDBPyConnection, path: Path, kind: str | None = None) -> Loaded:
    kind = kind or detect(path)
    loader = {
        "lait": load_lait,
        "lait_dictionary": load_lait_dictionary,
        "ees": load_ees,
        "sn2025": load_sn2025,
        "sn2021": load_sn2021,
    }[kind]
    return loader(con, path)


def _replace_obs(con: duckdb.DuckDBPyConnection, staged: str) -> None:
    # A newer file replaces the same measure/year rows and leaves the other years alone.
    con.execute(
        f"delete from obs where (measure, year) in (select distinct measure, year from {staged})"
    )
    con.execute(f"insert into obs select * from {staged}")


def _summarise(con: duckdb.DuckDBPyConnection, staged: str, loaded: Loaded) -> None:
    loaded.rows = con.execute(f"select count(*) from {staged}").fetchall()[0][0]
    loaded.measures = {
        r[0] for r in con.execute(f"select distinct measure from {staged}").fetchall()
    }
    loaded.years = {r[0] for r in con.execute(f"select distinct year from {staged}").fetchall()}


def load_lait(con: duckdb.DuckDBPyConnection, path: Path) -> Loaded:
    loaded = Loaded(path.name, "lait")
    con.execute(
        f"""create or replace temp table lait_raw as
        select row_number() over () as rn, * from read_parquet('{path}')"""
    )
    labels = [r[0] for r in con.execute("select distinct Years from lait_raw").fetchall()]
    mapping = [(lab, y.year, y.preference) for lab in labels if (y := years.normalise(lab))]
    dropped = sorted(set(labels) - {m[0] for m in mapping})
    for label in dropped:
        measures = [
            r[0]
            for r in con.execute(
                'select distinct "Short Desc" from lait_raw where Years = ?', [label]
            ).fetchall()
        ]
        loaded.skipped.append(
            f"Years value {label!r} names no year; left out for {', '.join(measures)}"
        )
    con.execute(
        "create or replace temp table lait_years (label varchar, year integer, pref integer)"
    )
    if mapping:
        con.executemany("insert into lait_years values (?, ?, ?)", mapping)
    # LAIT writes '-' where it has no figure (not published, or the LA did not exist): no value and
    # no suppression code. Anything else that is not a number is kept as its code.
    con.execute(
        """create or replace temp table lait_staged as
        with typed as (
            select r."Short Desc" as measure, y.year, r.Years as period, y.pref as preference,
                coalesce(g.code, lpad(cast(cast(r."LA Number" as integer) as varchar), 3, '0')) as area,
                try_cast(trim(r."Values") as double) as value,
                case when try_cast(trim(r."Values") as double) is null
                          and trim(coalesce(r."Values", '')) not in ('', '-')
                     then lower(trim(r."Values")) end as code,
                r.rn
            from lait_raw r join lait_years y on r.Years = y.label
            left join regions g on try_cast(g.lait_number as integer) = r."LA Number"
        )
        select measure, year, period, preference, area, value, code, ? as source
        from typed where area is not null
        qualify row_number() over (
            partition by measure, year, area order by preference desc, value is null, rn) = 1""",
        [f"LAIT {path.name}"],
    )
    _summarise(con, "lait_staged", loaded)
    _replace_obs(con, "lait_staged")
    # Measures not (yet) in the dictionary get their name from the forward-filled `Data item`.
    con.execute(
        """insert into measures
        select "Short Desc", first("Data item" order by rn), 'LAIT', null, '-', true, null, null,
               null, null, null, ?
        from lait_raw where "Data item" is not null
          and "Short Desc" not in (select key from measures)
        group by "Short Desc" """,
        [path.name],
    )
    con.execute("delete from areas where source = 'LAIT'")
    con.execute(
        """insert into areas
        select distinct cast(cast(r."LA Number" as integer) as varchar), r."LA and Regions",
               'la', g.code, null, 'LAIT'
        from lait_raw r left join regions g on lower(g.name) = lower(r.Region)
        where r."LA Number" not in (select cast(lait_number as double) from regions)"""
    )
    return loaded


def load_lait_dictionary(con: duckdb.DuckDBPyConnection, path: Path) -> Loaded:
    loaded = Loaded(path.name, "lait_dictionary")
    con.execute(
        f"""create or replace temp table dict_raw as
        select row_number() over () as rn, * from read_csv('{path}', all_varchar=true)"""
    )

    def na(col: str) -> str:
        return f"nullif(nullif(first({col} order by rn), 'NA'), '')"

    # A few measures appear twice (listed under two topics); the first row speaks for both, except
    # that a "no quartile" mark on either row is kept.
    con.execute(
        f"""create or replace temp table dict_staged as
        select Measure_short as key,
            coalesce({na("Chart_title")}, {na("Measure")}) as title,
            'LAIT' as source, {na("Topic")} as topic,
            case when first(Polarity order by rn) in ('High', 'Low') then first(Polarity order by rn)
                 else '-' end as polarity,
            not bool_or(coalesce(No_Quartile, '') = 'N') as quartiles,
            {na("y_axis_name")} as unit, try_cast({na("dps")} as integer) as dps,
            {na("Year_Type")} as year_type, {na("Description")} as description,
            {na("Methodology")} as methodology, ? as file
        from dict_raw where Measure_short is not null group by Measure_short""",
        [path.name],
    )
    con.execute("delete from measures where key in (select key from dict_staged)")
    con.execute("insert into measures select * from dict_staged")
    loaded.rows = con.execute("select count(*) from dict_staged").fetchall()[0][0]
    loaded.measures = {r[0] for r in con.execute("select key from dict_staged").fetchall()}
    return loaded


def load_ees(con: duckdb.DuckDBPyConnection, path: Path) -> Loaded:
    stem = ees_stem(path)
    loaded = Loaded(path.name, "ees")
    con.execute(
        f"create or replace temp table ees_raw as select * from read_csv('{path}', all_varchar=true)"
    )
    columns = [r[0] for r in con.execute("describe ees_raw").fetchall()]
    others = [c for c in columns if c not in EES_GEOGRAPHY]
    codes = ", ".join(lit(c) for c in SUPPRESSION_CODES)
    values: list[str] = []
    filters: list[str] = []
    for col in others:
        qc = q(col)
        (not_numeric,) = con.execute(
            f"""select count(*) from ees_raw where nullif(trim({qc}), '') is not null
                and try_cast(trim({qc}) as double) is null and lower(trim({qc})) not in ({codes})"""
        ).fetchall()[0]
        if not_numeric == 0:
            values.append(col)
        else:
            (distinct,) = con.execute(f"select count(distinct {qc}) from ees_raw").fetchall()[0]
            if distinct > 1:
                filters.append(col)
            # a text column with one value (e.g. `category`) says nothing a key needs
    if not values:
        raise UnknownFile(f"{path.name}: an EES file, but no column holds numbers")
    key_sql = " || ".join(
        [lit(f"{stem}:"), "column_name"]
        + (
            [
                "'[' || "
                + " || ';' || ".join(f"{lit(f + '=')} || coalesce({q(f)}, '')" for f in filters)
                + " || ']'"
            ]
            if filters
            else []
        )
    )
    unpivot_cols = ", ".join(q(v) for v in values)
    con.execute(
        f"""create or replace temp table ees_staged as
        with long as (
            unpivot (select * from ees_raw) on {unpivot_cols}
            into name column_name value raw_value
        )
        select {key_sql} as measure, try_cast(time_period as integer) as year,
            time_period as period, 2 as preference,
            case geographic_level when 'National' then 'E92000001'
                 when 'Regional' then region_code else old_la_code end as area,
            try_cast(trim(raw_value) as double) as value,
            case when try_cast(trim(raw_value) as double) is null
                 then nullif(lower(trim(raw_value)), '') end as code,
            {lit("EES " + path.name)} as source
        from long
        where geographic_level in ('National', 'Regional', 'Local authority')
          and try_cast(time_period as integer) is not null"""
    )
    # One row per measure/year/area: a duplicated row in a file keeps its first figure.
    con.execute(
        """create or replace temp table ees_staged as select * from ees_staged
        qualify row_number() over (partition by measure, year, area order by value is null) = 1"""
    )
    _summarise(con, "ees_staged", loaded)
    _replace_obs(con, "ees_staged")
    filter_note = "; ".join(filters)
    con.execute(
        """create or replace temp table ees_measures as
        select distinct measure as key from ees_staged"""
    )
    con.execute("delete from measures where key in (select key from ees_measures)")
    con.execute(
        """insert into measures
        select key, null, 'EES', ?, '-', true, null, null, 'Reporting year (ending 31 March)',
               null, ?, ?
        from ees_measures""",
        [stem, f"filters: {filter_note}" if filters else None, path.name],
    )
    con.execute(f"delete from areas where source = {lit('EES ' + stem)}")
    con.execute(
        f"""insert into areas
        select distinct old_la_code, la_name, 'la', region_code, new_la_code, {lit("EES " + stem)}
        from ees_raw where geographic_level = 'Local authority' and old_la_code is not null"""
    )
    return loaded


def _load_sn(con: duckdb.DuckDBPyConnection, path: Path, model: str, sql: str) -> Loaded:
    loaded = Loaded(path.name, f"sn{model}")
    con.execute(
        f"create or replace temp table sn_raw as select * from read_csv('{path}', all_varchar=true, header=false, skip=1)"
    )
    con.execute("delete from neighbours where model = ?", [model])
    con.execute(sql)
    loaded.rows = con.execute(
        "select count(*) from neighbours where model = ?", [model]
    ).fetchall()[0][0]
    return loaded


def load_sn2025(con: duckdb.DuckDBPyConnection, path: Path) -> Loaded:
    # old_la_code, la_name, region_ind, region_name, then SN_k, SN_kP pairs (columns 5.. of the file)
    pairs = " union all ".join(
        f"select column00, {k}, column{2 + 2 * k:02d}, trim(column{3 + 2 * k:02d}) from sn_raw"
        for k in range(1, 11)
    )
    return _load_sn(
        con,
        path,
        "2025",
        f"""insert into neighbours select '2025', * , '{path.name}' from ({pairs})
            where column00 is not null""",
    )


def load_sn2021(con: duckdb.DuckDBPyConnection, path: Path) -> Loaded:
    # LA num, LA Name, LA number, GOInd, GOReg, then SN1, SNP ... SN10, SNP
    pairs = " union all ".join(
        f"select column00, {k}, column{3 + 2 * k:02d}, trim(column{4 + 2 * k:02d}) from sn_raw"
        for k in range(1, 11)
    )
    return _load_sn(
        con,
        path,
        "2021",
        f"""insert into neighbours select '2021', *, '{path.name}' from ({pairs})
            where column00 is not null""",
    )
