"""SSDA903 outcomes (OC2, OC3, AD1): the populations and SQL snippets the outcome rules share.

No rules here (the registry skips a module without RULES); `outcomes.py` (OC2, AD1) and
`care_leavers.py` (OC3) build their conditions from these pieces. Every snippet reads the row being
checked as `t`, with the child's Header row joined as `h` (`where(..., header=True)`).
"""

from __future__ import annotations

from collections.abc import Sequence

# The child's date of birth: the Header's, or the table's own when the child has no Header row.
DOB = "coalesce(h.DOB, t.DOB)"
AGE_START = f"age({DOB}, {{start}})"  # completed years on 1 April (the first day of the year)
AGE_END = f"age({DOB}, {{end}})"  # completed years on 31 March (the last day of the year)

# Looked after continuously for at least 12 months at 31 March (the OC2 cohort), from this year's
# episodes: the child's episodes begin on or before 1 April, one is still open at 31 March, no
# period of care starts after 1 April (RNE S), none ends in the year (a REC other than X1 with a
# DEC from 1 April on), and no episode in the year is an agreed series of short breaks (V3/V4).
CLA12 = (
    '(SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL GROUP BY CHILD '
    "HAVING min(DECOM) <= {start} "
    "AND bool_or(DEC IS NULL) "
    "AND NOT bool_or(coalesce(RNE = 'S' AND DECOM > {start}, false)) "
    "AND NOT bool_or(coalesce(REC <> 'X1' AND DEC >= {start}, false)) "
    "AND NOT bool_or(coalesce(LS IN ('V3', 'V4') AND (DEC IS NULL OR DEC >= {start}), false)))"
)
CLA12_NOTE = (
    "Looked after continuously for 12 months at 31 March: from this year's episodes, the first "
    "began on or before 1 April, one is open at 31 March, no period of care (RNE S) starts after "
    "1 April, no episode ends care in the year (REC other than X1, 31 March included), and no "
    "episode in the year is V3/V4 (short breaks)."
)

# Children with an episode open at some time during the collection year (this year's return).
IN_CARE_IN_YEAR = (
    '(SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL AND DECOM <= {end} '
    "AND (DEC IS NULL OR DEC >= {start}))"
)

OC2_CORE = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
OC2_ITEMS = (
    "CONVICTED",
    "HEALTH_CHECK",
    *OC2_CORE,
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")
AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


def written(fields: Sequence[str], alias: str = "t") -> str:
    """Any of `fields` is written (blank means nothing but spaces)."""
    return "(" + " OR ".join(f"NOT blank({alias}.{f}_raw)" for f in fields) + ")"


def any_blank(fields: Sequence[str], alias: str = "t") -> str:
    """At least one of `fields` is left blank."""
    return "(" + " OR ".join(f"blank({alias}.{f}_raw)" for f in fields) + ")"


def cla12_episodes(*children: str) -> list[str]:
    """Fixture rows: one open episode begun in January 2025 per child (looked after 12 months at
    31 March 2027, the default fixture year)."""
    return [f"CHILD={c} DECOM=01/01/2025 RNE=S LS=C2 PLACE=U1" for c in children]
