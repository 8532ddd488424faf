"""The SSDA903 return (children looked after): its 12 tables, as the DfE defines their CSV headers.

A table is recognised by the exact set of its header names (order and file name do not matter).
"""

from __future__ import annotations

from dataclasses import replace

from datamonger.returns import Field, TableSpec

DATE_FORMAT = "%d/%m/%Y"  # every date in the CSV tables is dd/mm/yyyy


def _table(
    name: str, store: str, cols: str, dates: str = "", ints: str = "", first: int | None = None
) -> TableSpec:
    date_set, int_set = set(dates.split()), set(ints.split())
    fields = tuple(
        Field(c, "date" if c in date_set else "int" if c in int_set else "text")
        for c in cols.split()
    )
    return TableSpec("ssda903", name, f"ssda903_{store}", fields, first_year=first)


_HEADER = _table("Header", "header", "CHILD SEX DOB ETHNIC UPN MOTHER MC_DOB", "DOB MC_DOB")
# The XML return states each child's UASC status as a flag; the CSV return has no such column
# (a child is UASC when listed in the UASC table), so the flag is kept only when a file gives it.
HEADER = replace(_HEADER, fields=(*_HEADER.fields, Field("UASC", in_csv=False)))

TABLES: tuple[TableSpec, ...] = (
    HEADER,
    _table(
        "Episodes",
        "episodes",
        "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE HOME_POST PL_POST URN",
        "DECOM DEC",
    ),
    _table("Reviews", "reviews", "CHILD DOB REVIEW REVIEW_CODE", "DOB REVIEW"),
    _table("UASC", "uasc", "CHILD SEX DOB DUC", "DOB DUC"),
    _table(
        "OC2",
        "oc2",
        "CHILD DOB SDQ_SCORE SDQ_REASON CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK "
        "HEALTH_ASSESSMENT SUBSTANCE_MISUSE INTERVENTION_RECEIVED INTERVENTION_OFFERED",
        "DOB",
        "SDQ_SCORE",
    ),
    _table("OC3", "oc3", "CHILD DOB IN_TOUCH ACTIV ACCOM", "DOB"),
    _table(
        "AD1",
        "ad1",
        "CHILD DOB DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR",
        "DOB DATE_INT DATE_MATCH",
    ),
    _table(
        "PlacedAdoption",
        "placed_adoption",
        "CHILD DOB DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED",
        "DOB DATE_PLACED DATE_PLACED_CEASED",
    ),
    _table("PrevPerm", "prev_perm", "CHILD DOB PREV_PERM LA_PERM DATE_PERM", "DOB DATE_PERM"),
    _table("Missing", "missing", "CHILD DOB MISSING MIS_START MIS_END", "DOB MIS_START MIS_END"),
    _table(
        "SWEpisodes",
        "sw_episodes",
        "CHILD DOB SW_ID SW_DECOM SW_DEC SW_REASON",
        "DOB SW_DECOM SW_DEC",
        first=2024,
    ),
    _table("DoLo", "dolo", "CHILD DOB DOLO_START DOLO_END", "DOB DOLO_START DOLO_END", first=2027),
)

BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}
BY_HEADER: dict[frozenset[str], TableSpec] = {frozenset(t.csv_names): t for t in TABLES}


def tables_in_year(year: int) -> tuple[TableSpec, ...]:
    return tuple(t for t in TABLES if t.in_year(year))
