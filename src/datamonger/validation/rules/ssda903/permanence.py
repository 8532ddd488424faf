"""SSDA903 PrevPerm: the permanence option (adoption, special guardianship, child arrangements)
a child had before starting to be looked after, with its date and the LA that arranged it.

DATE_PERM may have unknown parts written as ZZ (day, month) or ZZZZ (year): `ZZ/05/2019`.
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, rule
from datamonger.validation.rules.ssda903.b_common import (
    PERIOD_START,
    V34,
    at,
    each_year,
    fxm,
    union,
)
from datamonger.validation.templates import code_set, query, select, where

# DfE LA numbers where a previous permanence option may have been arranged: the 153 of the
# public validator (which keeps the pre-2019 Dorset, Poole and Bournemouth, 835-837, and 999),
# the LAs created since (838-839, 940-943), and WAL, SCO, NUK, NIR outside England.
LA_PERM = (
    "201 202 203 204 205 206 207 208 209 210 211 212 213 301 302 303 304 305 306 307 308 309 310 "
    "311 312 313 314 315 316 317 318 319 320 330 331 332 333 334 335 336 340 341 342 343 344 350 "
    "351 352 353 354 355 356 357 358 359 370 371 372 373 380 381 382 383 384 390 391 392 393 394 "
    "420 800 801 802 803 805 806 807 808 810 811 812 813 815 816 821 822 823 825 826 830 831 835 "
    "836 837 838 839 840 841 845 846 850 851 852 855 856 857 860 861 865 866 867 868 869 870 871 "
    "872 873 874 876 877 878 879 880 881 882 883 884 885 886 887 888 889 890 891 892 893 894 895 "
    "896 908 909 916 919 921 925 926 928 929 931 933 935 936 937 938 940 941 942 943 999 "
    "WAL SCO NUK NIR"
)

_RAW = "upper(trim(t.DATE_PERM_raw))"
_D, _M, _Y = (f"split_part({_RAW}, '/', {i})" for i in (1, 2, 3))
# The earliest day DATE_PERM can stand for (unknown day or month: the 1st, January; unknown year:
# 2000, a leap year, only to check the day and month); NULL when it is no date at all.
_EARLIEST = (
    f"try_strptime(CASE WHEN {_D} = 'ZZ' THEN '01' ELSE {_D} END || '/' || "
    f"CASE WHEN {_M} = 'ZZ' THEN '01' ELSE {_M} END || '/' || "
    f"CASE WHEN {_Y} = 'ZZZZ' THEN '2000' ELSE {_Y} END, '%d/%m/%Y')::DATE"
)
PERM_DATE_INVALID = (
    f"NOT blank(t.DATE_PERM_raw) AND (NOT regexp_full_match({_RAW}, "
    f"'(\\d\\d|ZZ)/(\\d\\d|ZZ)/(\\d{{4}}|ZZZZ)') OR {_EARLIEST} IS NULL)"
)
# DATE_PERM on or after the start of the child's latest period of care (`ps`), even at its earliest.
PERM_DATE_LATE = f"{_Y} <> 'ZZZZ' AND {_EARLIEST} >= ps.DECOM"
PS = f"JOIN {PERIOD_START} ps ON ps.CHILD = t.CHILD"

# Periods of care begun in the year, other than short breaks (V3/V4).
STARTED = f"t.RNE = 'S' AND t.DECOM >= {{start}} AND (t.LS IS NULL OR t.LS NOT IN {V34})"
# A PrevPerm row that says what it must: a code, and for a permanence option (not Z1) its LA and
# date.
PERM_COMPLETE = (
    "p.PREV_PERM IS NOT NULL AND (p.PREV_PERM = 'Z1' OR "
    "(NOT blank(p.LA_PERM_raw) AND NOT blank(p.DATE_PERM_raw)))"
)
ANY_PERM = "(NOT blank(t.PREV_PERM_raw) OR NOT blank(t.LA_PERM_raw) OR NOT blank(t.DATE_PERM_raw))"


def _fx_632(year: int) -> Fixture:
    """Rule 632's fixture written for `year` (`s`: its first calendar year)."""
    s = year - 1
    return fxm(
        {
            "PrevPerm": [
                f"DATE_PERM=01/05/{s}",
                "CHILD=2 DATE_PERM=ZZ/ZZ/ZZ",
                "CHILD=3 DATE_PERM=31/02/2019",
                f"CHILD=4 DATE_PERM=ZZ/ZZ/{year}",
                "CHILD=5 DATE_PERM=2019-05-01",
            ]
        },
        {
            "PrevPerm": [
                f"DATE_PERM=30/04/{s}",
                "CHILD=2 DATE_PERM=ZZ/ZZ/ZZZZ",
                f"CHILD=3 DATE_PERM=ZZ/05/{s}",
                "CHILD=4 DATE_PERM=29/02/ZZZZ",
                "CHILD=5",
            ]
        },
        both={
            "Episodes": [
                f"DECOM=01/05/{s - 1} DEC=01/06/{s - 1} RNE=S REC=E13",
                f"DECOM=01/05/{s} RNE=S",
                f"CHILD=3 DECOM=10/05/{s} RNE=S",
                f"CHILD=4 DECOM=10/05/{s} RNE=S",
            ]
        },
        flagged=[
            ("PrevPerm", 2),
            ("PrevPerm", 3),
            ("PrevPerm", 4),
            ("PrevPerm", 5),
            ("PrevPerm", 6),
            ("Episodes", 3),
            ("Episodes", 5),
        ],
    )


RULES = [
    rule(
        "630",
        query(
            union(
                select(
                    "Episodes",
                    f'{STARTED} AND NOT EXISTS (SELECT 1 FROM "PrevPerm" p '
                    f"WHERE p.CHILD = t.CHILD AND {PERM_COMPLETE})",
                ),
                select(
                    "PrevPerm",
                    f"NOT ({PERM_COMPLETE.replace('p.', 't.')}) AND t.CHILD IN "
                    f'(SELECT t.CHILD FROM "Episodes" t WHERE {STARTED})',
                ),
            ),
            "Episodes",
            "PrevPerm",
        ),
        fixture=fxm(
            {"PrevPerm": ["CHILD=2 PREV_PERM=P1 LA_PERM=999", "CHILD=3 LA_PERM=999"]},
            {
                "PrevPerm": [
                    "PREV_PERM=Z1",
                    "CHILD=2 PREV_PERM=P1 LA_PERM=999 DATE_PERM=ZZ/05/2019",
                    "CHILD=3 PREV_PERM=P2 LA_PERM=999 DATE_PERM=01/05/2019",
                ]
            },
            both={
                "Episodes": [
                    "DECOM=01/05/2026 RNE=S LS=C2",
                    "CHILD=2 DECOM=01/05/2026 RNE=S LS=C2",
                    "CHILD=3 DECOM=01/05/2026 RNE=S LS=C2",
                    "CHILD=4 DECOM=01/05/2026 RNE=S LS=V3",
                    "CHILD=5 DECOM=01/03/2026 RNE=S LS=C2",
                ]
            },
            flagged=[
                ("Episodes", 2),
                ("Episodes", 3),
                ("Episodes", 4),
                ("PrevPerm", 2),
                ("PrevPerm", 3),
            ],
        ),
        note="Asked of every period of care begun in the year (RNE S on or after 1 April), not of "
        "V3/V4 short breaks. PREV_PERM must be given, and for an option other than Z1 also "
        "LA_PERM and DATE_PERM (999, ZZ for what is not known), as the public validator reads "
        "the DfE. The episode is reported, and the PrevPerm row when it is incomplete.",
    ),
    rule(
        "632",
        query(
            union(
                select("PrevPerm", f"{PERM_DATE_INVALID} OR ({PERM_DATE_LATE})", "LEFT " + PS),
                at(
                    "Episodes",
                    'SELECT ps.source_file, ps.source_line FROM "PrevPerm" t '
                    f"{PS} WHERE {PERM_DATE_LATE}",
                ),
            ),
            "PrevPerm",
            "Episodes",
        ),
        # partial dates (ZZ/05/2026) are not moved by whole years: written for each year
        fixture=each_year(_fx_632),
        note="Valid: dd/mm/yyyy with ZZ for an unknown day or month and ZZZZ for an unknown "
        "year, and a real date. It must also come before the latest period of care began (the "
        "last episode with RNE S, or the first episode when the period began before the year), "
        "even at the earliest day it can stand for (the public validator takes the latest, "
        "which flags orders that may well be earlier); that episode is reported too.",
    ),
    rule("633", code_set("PrevPerm", "LA_PERM", LA_PERM)),
    rule(
        "634",
        query(
            union(
                select("PrevPerm", f"{ANY_PERM} AND ps.DECOM < DATE '2016-04-01'", PS),
                at(
                    "Episodes",
                    f'SELECT ps.source_file, ps.source_line FROM "PrevPerm" t {PS} '
                    f"WHERE {ANY_PERM} AND ps.DECOM < DATE '2016-04-01'",
                ),
            ),
            "PrevPerm",
            "Episodes",
        ),
        # a fixed day, and an episode in each year
        fixture=each_year(
            lambda y: fxm(
                {"PrevPerm": ["PREV_PERM=Z1", "CHILD=2 LA_PERM=999"]},
                {"PrevPerm": ["", "CHILD=3 PREV_PERM=P1"]},
                both={
                    "Episodes": [
                        "DECOM=31/03/2016 RNE=S",
                        f"DECOM=01/05/{y - 1} RNE=P",
                        "CHILD=2 DECOM=01/02/2016 RNE=P",
                        "CHILD=3 DECOM=01/02/2016 RNE=S",
                        "CHILD=3 DECOM=01/04/2016 RNE=S",
                    ]
                },
                flagged=[("PrevPerm", 2), ("PrevPerm", 3), ("Episodes", 2), ("Episodes", 4)],
            )
        ),
        note="The latest period of care began on its last episode with RNE S (or, with none, the "
        "first episode of the return); before 1 April 2016 no previous permanence is reported. "
        "The public validator compares with the collection year's start instead.",
    ),
    rule(
        "635",
        where(
            "PrevPerm",
            "t.PREV_PERM = 'Z1' AND (NOT blank(t.LA_PERM_raw) OR NOT blank(t.DATE_PERM_raw))",
        ),
        fixture=fxm(
            {"PrevPerm": ["PREV_PERM=Z1 LA_PERM=999", "CHILD=2 PREV_PERM=z1 DATE_PERM=ZZ/ZZ/2019"]},
            {"PrevPerm": ["PREV_PERM=Z1", "CHILD=2 PREV_PERM=P1 LA_PERM=999 DATE_PERM=01/01/2019"]},
        ),
        note="The public validator checks a blank PREV_PERM instead of Z1.",
    ),
]
