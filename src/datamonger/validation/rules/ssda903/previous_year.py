"""SSDA903: checks against last year's return (`<Table>_last`; every rule here needs it).

A child's record carries over from one year to the next: the Header facts (sex, date of birth,
ethnicity, UPN, motherhood), UASC status, the episode open at 31 March (it must reappear as this
year's first episode, unchanged), an open missing period, and the decision to place for adoption.
Every row flagged is in this year's return: that is the one the LA can still correct.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from datamonger.validation.rule import Fixture, RuleDecl, fx, parse_rows, rule
from datamonger.validation.templates import query, same_as_last, select, where

PREV = ("previous",)


def fxt(
    failing: Mapping[str, Sequence[str]],
    passing: Mapping[str, Sequence[str]],
    *,
    last: Mapping[str, Sequence[str]] | None = None,
    flagged: Sequence[tuple[str, int]] | None = None,
    la: str | None = None,
) -> Fixture:
    """A fixture whose failing and passing sets differ in several tables (compact rows)."""
    return Fixture(
        failing={t: parse_rows(*rows) for t, rows in failing.items()},
        passing={t: parse_rows(*rows) for t, rows in passing.items()},
        flagged=tuple(flagged) if flagged is not None else None,
        last={t: parse_rows(*rows) for t, rows in (last or {}).items()},
        la=la,
    )


# --- the episode open at the end of last year and this year's first episode ----------------------
# `l` is last year's last episode (latest DECOM) when it was still open at 31 March.
LAST_OPEN = (
    'JOIN (SELECT CHILD, max(seq) AS s FROM "Episodes_last" WHERE DECOM IS NOT NULL '
    "GROUP BY CHILD) lm ON lm.CHILD = t.CHILD "
    'JOIN "Episodes_last" l ON l.CHILD = t.CHILD AND l.seq = lm.s AND blank(l.DEC_raw)'
)
FIRST = "t.seq = 1 AND t.DECOM IS NOT NULL"  # seq orders a child's episodes by DECOM
OPEN_LAST = "DECOM=01/02/2026 RNE=S LS=C2 CIN=N1 PLACE=U1 PLACE_PROVIDER=PR1 URN=SC1"
CLOSED_LAST = OPEN_LAST + " DEC=01/03/2026 REC=E13"
PL_LAST = "DECOM=01/02/2026 RNE=S LS=C2 HOME_POST=M1_1AE"


def _first_episode(code: str, field: str, good: str, bad: str, note: str = "") -> RuleDecl:
    """This year's first episode repeats `field` of last year's open last episode."""
    return rule(
        code,
        query(select("Episodes", f"{FIRST} AND t.{field} IS DISTINCT FROM l.{field}", LAST_OPEN)),
        needs=PREV,
        fixture=fx(
            "Episodes",
            [f"DECOM=01/02/2026 {bad}", f"CHILD=2 DECOM=01/02/2026 {good}"],
            [
                f"DECOM=01/02/2026 {good}",
                "DECOM=01/05/2026",  # a later episode may change
                f"CHILD=2 DECOM=01/02/2026 {good}",  # last year's episode had ended
                f"CHILD=3 DECOM=01/02/2026 {bad}",  # not in last year's return
            ],
            last={
                "Episodes": [
                    "DECOM=01/01/2025 DEC=01/02/2026 REC=X1",
                    OPEN_LAST,
                    "CHILD=2 " + CLOSED_LAST.replace(good, bad),
                ]
            },
            flagged=[("Episodes", 2)],
        ),
        note=note,
    )


# The placement's LA, distance and location are derived from the postcodes (ONS directory).
# M1 1AE and M1 1AG are in Manchester (the LA making the fixture's return), B1 1AA in Birmingham.
DERIVED = fxt(
    {"Episodes": [PL_LAST + " PL_POST=B1_1AA", "CHILD=2 " + PL_LAST + " PL_POST=B1_1AA"]},
    {"Episodes": [PL_LAST + " PL_POST=M1_1AG", "CHILD=2 " + PL_LAST + " PL_POST=B1_1AA"]},
    last={
        "Episodes": [
            PL_LAST + " PL_POST=M1_1AG",
            "CHILD=2 " + PL_LAST + " PL_POST=M1_1AG DEC=01/03/2026 REC=E13",
        ]
    },
    flagged=[("Episodes", 2)],
    la="E08000003",
)


def _derived(code: str, field: str, note: str) -> RuleDecl:
    return rule(
        code,
        query(select("Episodes", f"{FIRST} AND t.{field} IS DISTINCT FROM l.{field}", LAST_OPEN)),
        needs=PREV,
        fixture=DERIVED,
        note=note,
    )


# --- the Header -------------------------------------------------------------------------------
HEADER_LAST = 'JOIN "Header_last" l ON l.CHILD = t.CHILD'
# SEX was written 1/2 until 2023/24 and M/F/U from 2024/25: compare as M/F.
SEX = "CASE {0} WHEN '1' THEN 'M' WHEN '2' THEN 'F' ELSE {0} END"
UN = "('UN1', 'UN2', 'UN3', 'UN4', 'UN5')"
HAS_EPISODES = 't.CHILD IN (SELECT CHILD FROM "Episodes")'

# --- UASC: Header.UASC is '1' when the child has a UASC row (the derived flag) --------------------
UASC_BOTH = (
    'JOIN "UASC_last" ul ON ul.CHILD = t.CHILD '
    'LEFT JOIN "Header" h ON h.CHILD = t.CHILD '
    'LEFT JOIN "Header_last" hl ON hl.CHILD = t.CHILD'
)
DOB18 = "(coalesce(ul.DOB, t.DOB, h.DOB, hl.DOB) + INTERVAL 18 YEAR)::DATE"
LAST_START, LAST_END = "({start} - INTERVAL 1 YEAR)::DATE", "({end} - INTERVAL 1 YEAR)::DATE"

# --- missing periods ----------------------------------------------------------------------------
OPEN_MISSING = (
    'SELECT CHILD, MIS_START FROM "Missing_last" WHERE MIS_START IS NOT NULL AND blank(MIS_END_raw)'
)
MISSING_576 = f"""
SELECT 'Missing' AS "table", t.source_file, t.source_line, t.CHILD_raw AS child
FROM "Missing" t JOIN ({OPEN_MISSING}) o ON o.CHILD = t.CHILD
WHERE (t.source_file, t.source_line) = (
        SELECT (f.source_file, f.source_line) FROM "Missing" f WHERE f.CHILD = t.CHILD
        ORDER BY f.MIS_START NULLS LAST, f.source_file, f.source_line LIMIT 1)
  AND o.MIS_START NOT IN (SELECT MIS_START FROM "Missing" m
                          WHERE m.CHILD = t.CHILD AND m.MIS_START IS NOT NULL)
UNION
SELECT 'Header', t.source_file, t.source_line, t.CHILD_raw
FROM "Header" t JOIN ({OPEN_MISSING}) o ON o.CHILD = t.CHILD
WHERE t.CHILD NOT IN (SELECT CHILD FROM "Missing" WHERE CHILD IS NOT NULL)
"""

# --- placed for adoption ------------------------------------------------------------------------
PA_CEASED = "(NOT blank(l.DATE_PLACED_CEASED_raw) OR NOT blank(l.REASON_PLACED_CEASED_raw))"

# --- care leavers (OC3) ---------------------------------------------------------------------------
# Relevant / former relevant child: looked after 13 weeks in all since the 14th birthday, some of
# it after the 16th, and not adopted. With two years loaded only part of that can be proven: the
# young person was adopted (latest episode E11/E12), or was not looked after after the 16th
# birthday although that birthday falls inside the loaded years (short breaks V3/V4 do not count;
# an open last episode runs to 31 March). Episodes of both years are pooled, one per (child,
# DECOM), preferring the one that gives an end date.
DOB_OC3 = (
    'LEFT JOIN (SELECT CHILD, min(DOB) AS dob FROM "Header" WHERE DOB IS NOT NULL GROUP BY CHILD) '
    "hd ON hd.CHILD = t.CHILD"
)
SIXTEEN_SEEN = f"(coalesce(hd.dob, t.DOB) + INTERVAL 16 YEAR)::DATE >= {LAST_START}"
CARE_1001 = f"""
WITH eps AS (
  SELECT CHILD, DECOM, DEC, LS, REC FROM (
    SELECT CHILD, DECOM, DEC, LS, REC, row_number() OVER (
      PARTITION BY CHILD, DECOM ORDER BY DEC NULLS LAST, yr DESC) AS k
    FROM (SELECT CHILD, DECOM, DEC, LS, REC, 1 AS yr FROM "Episodes"
          UNION ALL SELECT CHILD, DECOM, DEC, LS, REC, 0 FROM "Episodes_last")
    WHERE CHILD IS NOT NULL AND DECOM IS NOT NULL)
  WHERE k = 1),
latest AS (SELECT CHILD, arg_max(REC, DECOM) AS rec, max(DECOM) AS decom FROM eps GROUP BY CHILD),
after16 AS (
  SELECT e.CHILD, bool_or(coalesce(e.DEC, CASE WHEN e.DECOM = x.decom THEN {{end}} END)
                          > (coalesce(hd.dob, o.DOB) + INTERVAL 16 YEAR)::DATE) AS yes
  FROM eps e JOIN latest x USING (CHILD) JOIN "OC3" o ON o.CHILD = e.CHILD
  LEFT JOIN (SELECT CHILD, min(DOB) AS dob FROM "Header" WHERE DOB IS NOT NULL GROUP BY CHILD) hd
    ON hd.CHILD = e.CHILD
  WHERE e.LS IS NULL OR e.LS NOT IN ('V3', 'V4')
  GROUP BY e.CHILD)
SELECT 'OC3' AS "table", t.source_file, t.source_line, t.CHILD_raw AS child
FROM "OC3" t JOIN latest x ON x.CHILD = t.CHILD LEFT JOIN after16 a ON a.CHILD = t.CHILD {DOB_OC3}
WHERE x.rec IN ('E11', 'E12') OR (coalesce(a.yes, false) = false AND {SIXTEEN_SEEN})
"""


RULES = [
    # --- Header: what was recorded last year stays -----------------------------------------------
    rule(
        "202",
        where(
            "Header",
            f"{SEX.format('t.SEX')} IN ('M', 'F') AND {SEX.format('l.SEX')} IN ('M', 'F') "
            f"AND {SEX.format('t.SEX')} <> {SEX.format('l.SEX')}",
            joins=HEADER_LAST,
        ),
        needs=PREV,
        fixture=fx(
            "Header",
            ["SEX=F", "CHILD=2 SEX=M"],
            ["SEX=m", "CHILD=2 SEX=F", "CHILD=3 SEX=U", "CHILD=4 SEX=F"],
            last={"Header": ["SEX=M", "CHILD=2 SEX=2", "CHILD=3 SEX=1"]},
            year=2025,
        ),
        note="Codes 1/2 (until 2023/24) are read as M/F. U (not known) conflicts with nothing.",
    ),
    rule(
        "203",
        same_as_last("Header", "DOB"),
        needs=PREV,
        fixture=fx(
            "Header",
            ["DOB=02/01/2015"],
            ["DOB=01/01/2015", "CHILD=2 DOB=02/01/2015", "CHILD=3 DOB="],
            last={"Header": ["DOB=01/01/2015", "CHILD=3 DOB=01/01/2015"]},
        ),
        note="Compared when both years give a valid date (a missing one is rule 102's).",
    ),
    rule(
        "204",
        where(
            "Header",
            "t.ETHNIC IS NOT NULL AND l.ETHNIC IS NOT NULL AND t.ETHNIC <> l.ETHNIC "
            "AND l.ETHNIC NOT IN ('NOBT', 'REFU')",
            joins=HEADER_LAST,
        ),
        needs=PREV,
        fixture=fx(
            "Header",
            ["ETHNIC=WBRI", "CHILD=2 ETHNIC=NOBT"],
            ["ETHNIC=wiri", "CHILD=2 ETHNIC=BAFR", "CHILD=3 ETHNIC=AIND", "CHILD=4 ETHNIC="],
            last={
                "Header": ["ETHNIC=WIRI", "CHILD=2 ETHNIC=BAFR", "CHILD=3 ETHNIC=NOBT", "CHILD=4"]
            },
        ),
        note="A code replacing last year's NOBT (not yet obtained) or REFU (refused) is new "
        "information, not a disagreement; a blank in either year is left to the other rules.",
    ),
    rule(
        "207",
        where(
            "Header",
            f"l.MOTHER = '1' AND t.MOTHER IS DISTINCT FROM '1' AND {HAS_EPISODES}",
            joins=HEADER_LAST,
        ),
        needs=PREV,
        fixture=fx(
            "Header",
            ["MOTHER=0", "CHILD=2"],
            ["MOTHER=1", "CHILD=2 MOTHER=1", "CHILD=3 MOTHER=0", "CHILD=4"],
            both={"Episodes": ["DECOM=01/05/2026", "CHILD=2 DECOM=01/05/2026"]},
            last={"Header": ["MOTHER=1", "CHILD=2 MOTHER=1", "CHILD=3 MOTHER=1", "CHILD=4"]},
        ),
        note="A child recorded as a mother last year must still be one (a blank disagrees too); "
        "asked only of children looked after this year (with episodes), as MOTHER is not "
        "collected for care leavers alone. Becoming a mother (0 then 1) is no disagreement.",
    ),
    rule(
        "208",
        where(
            "Header",
            f"l.UPN IS NOT NULL AND l.UPN NOT IN {UN} AND t.UPN IS NOT NULL AND t.UPN <> l.UPN",
            joins=HEADER_LAST,
        ),
        needs=PREV,
        fixture=fx(
            "Header",
            ["UPN=A123456789013", "CHILD=2 UPN=UN4"],
            [
                "UPN=a123456789012",
                "CHILD=2 UPN=A123456789012",
                "CHILD=3 UPN=UN3",
                "CHILD=4 UPN=A123456789012",
            ],
            last={
                "Header": [
                    "UPN=A123456789012",
                    "CHILD=2 UPN=A123456789012",
                    "CHILD=3 UPN=UN1",
                    "CHILD=4 UPN=UN2",
                ]
            },
        ),
        note="A UPN recorded last year must be kept (replacing it with another UPN or an "
        "'unknown' code UN1-UN5 disagrees); a change from an unknown code to a UPN, or between "
        "unknown codes, is new information. A blank this year is left to the required-UPN rule.",
    ),
    rule(
        "624",
        same_as_last("Header", "MC_DOB"),
        needs=PREV,
        fixture=fx(
            "Header",
            ["MOTHER=1 MC_DOB=02/01/2025"],
            ["MOTHER=1 MC_DOB=01/01/2025", "CHILD=2 MOTHER=1 MC_DOB=01/01/2026"],
            last={"Header": ["MOTHER=1 MC_DOB=01/01/2025", "CHILD=2 MOTHER=0"]},
        ),
        note="Compared when both years give the date.",
    ),
    rule(
        "626",
        where(
            "Header",
            "t.MOTHER = '1' AND l.MOTHER = '0' AND t.MC_DOB < {start}",
            joins=HEADER_LAST,
        ),
        needs=PREV,
        fixture=fx(
            "Header",
            ["MOTHER=1 MC_DOB=31/03/2026"],
            ["MOTHER=1 MC_DOB=01/04/2026", "CHILD=2 MOTHER=1 MC_DOB=01/01/2026"],
            last={"Header": ["MOTHER=0", "CHILD=2 MOTHER=1"]},
        ),
    ),
    # --- UASC ------------------------------------------------------------------------------------
    rule(
        "205A",
        where(
            "Header",
            f"t.UASC = '0' AND l.UASC = '1' AND coalesce(ul.DUC BETWEEN {LAST_START} AND "
            f"{LAST_END}, false) = false AND {HAS_EPISODES}",
            joins=HEADER_LAST + ' JOIN "UASC_last" ul ON ul.CHILD = t.CHILD',
        ),
        needs=PREV,
        fixture=fxt(
            {
                "Header": ["DOB=01/06/2009", "CHILD=2 DOB=01/06/2009", "CHILD=3 DOB=01/06/2008"],
                "Episodes": ["DECOM=01/02/2026", "CHILD=2 DECOM=01/02/2026"],
            },
            {
                "Header": ["DOB=01/06/2009", "CHILD=2 DOB=01/06/2009", "CHILD=3 DOB=01/06/2008"],
                "UASC": ["DOB=01/06/2009 DUC=01/06/2027"],
                "Episodes": ["DECOM=01/02/2026", "CHILD=3 DECOM=01/02/2026"],
            },
            last={
                "Header": ["DOB=01/06/2009", "CHILD=2 DOB=01/06/2009", "CHILD=3 DOB=01/06/2008"],
                "UASC": [
                    "DOB=01/06/2009 DUC=01/06/2027",
                    "CHILD=2 DOB=01/06/2009",
                    "CHILD=3 DOB=01/06/2008 DUC=05/02/2026",
                ],
            },
            flagged=[("Header", 2), ("Header", 3)],
        ),
        note="UASC this year or last means the child has a row in that year's UASC table. A "
        "child still looked after (with episodes this year) and no longer UASC must have had "
        "UASC status end (DUC) inside last year; a care leaver out of care this year is not "
        "asked (the UASC table is about children looked after).",
    ),
    rule(
        "205B",
        where(
            "UASC",
            f"coalesce(ul.DUC = {DOB18} AND (t.DUC BETWEEN {{start}} AND {{end}} "
            "OR t.DUC = ul.DUC), false) = false",
            joins=UASC_BOTH,
        ),
        needs=PREV,
        fixture=fx(
            "UASC",
            [
                "DOB=01/06/2009 DUC=01/06/2028",  # neither ceased this year nor as last year
                "CHILD=2 DOB=01/06/2009",  # blank this year
                "CHILD=3 DOB=01/06/2009 DUC=01/06/2027",  # last year's DUC not the 18th birthday
            ],
            [
                "DOB=01/06/2009 DUC=01/06/2027",  # still UASC: the 18th birthday again
                "CHILD=2 DOB=01/06/2009 DUC=05/05/2026",  # ceased during this year
                "CHILD=4 DOB=01/06/2009 DUC=01/06/2027",  # not UASC last year
            ],
            last={
                "UASC": [
                    "DOB=01/06/2009 DUC=01/06/2027",
                    "CHILD=2 DOB=01/06/2009 DUC=01/06/2027",
                    "CHILD=3 DOB=01/06/2009 DUC=01/01/2026",
                ]
            },
        ),
        note="For a child UASC in both years, last year's DUC must be the 18th birthday (still "
        "UASC at 31 March) and this year's either falls inside this year or repeats it. The "
        "birthday is the child's own (the public validator pairs DOBs by row position).",
    ),
    rule(
        "205D",
        where(
            "Header",
            "t.UASC = '1' AND l.UASC = '0' AND t.CHILD IN "
            '(SELECT CHILD FROM "Episodes_last" WHERE CHILD IS NOT NULL)',
            joins=HEADER_LAST,
        ),
        needs=PREV,
        fixture=fxt(
            {"Header": ["DOB=01/06/2010", "CHILD=2", "CHILD=3"], "UASC": ["DOB=01/06/2010"]},
            {"Header": ["DOB=01/06/2010", "CHILD=2", "CHILD=3"], "UASC": ["CHILD=2", "CHILD=3"]},
            last={
                "Header": ["DOB=01/06/2010", "CHILD=3"],
                "Episodes": ["DECOM=01/02/2026"],  # child 3 was a care leaver only
            },
            flagged=[("Header", 2)],
        ),
        note="Asked of children looked after last year (with episodes then): a child new this "
        "year, or last year a care leaver only, may well be UASC now.",
    ),
    # --- episodes: last year's open episode is this year's first ---------------------------------
    rule(
        "502",
        query(select("Episodes", f"{FIRST} AND t.DECOM <> l.DECOM", LAST_OPEN)),
        needs=PREV,
        fixture=fx(
            "Episodes",
            ["DECOM=02/02/2026", "CHILD=2 DECOM=02/02/2026"],
            ["DECOM=01/02/2026", "DECOM=01/05/2026", "CHILD=2 DECOM=01/05/2026"],
            last={
                "Episodes": ["DECOM=01/01/2025 DEC=01/02/2026", OPEN_LAST, "CHILD=2 " + CLOSED_LAST]
            },
            flagged=[("Episodes", 2)],
        ),
    ),
    _first_episode("503A", "RNE", "RNE=S", "RNE=P"),
    _first_episode("503B", "LS", "LS=C2", "LS=C1"),
    _first_episode("503C", "CIN", "CIN=N1", "CIN=N2"),
    _first_episode("503E", "PLACE_PROVIDER", "PLACE_PROVIDER=PR1", "PLACE_PROVIDER=PR2"),
    _first_episode("503F", "URN", "URN=SC1", "URN=SC2"),
    _derived("503H", "PL_LA", "Derived from PL_POST; a blank in one year only differs."),
    _derived("503J", "PL_LOCATION", "Derived from PL_POST and the LA making the return."),
    rule(
        "503G",
        query(
            select(
                "Episodes",
                f"{FIRST} AND (abs(t.PL_DISTANCE - l.PL_DISTANCE) >= 0.2 "
                "OR (t.PL_DISTANCE IS NULL) <> (l.PL_DISTANCE IS NULL))",
                LAST_OPEN,
            )
        ),
        needs=PREV,
        fixture=DERIVED,
        note="Distances (miles, 1 dp) differing by less than 0.2 agree, as in the public "
        "validator; a distance in one year only differs.",
    ),
    rule(
        "452",
        query(
            select(
                "Episodes",
                f"{FIRST} AND t.RNE = l.RNE AND t.PL_LA IS DISTINCT FROM l.PL_LA",
                LAST_OPEN,
            )
        ),
        needs=PREV,
        fixture=DERIVED,
        note="Asked when last year's last episode was still open and this year's first episode "
        "continues it (same RNE, as the public validator reads it); 503A reports a new reason.",
    ),
    rule(
        "453",
        query(
            select(
                "Episodes",
                f"{FIRST} AND t.RNE = l.RNE AND abs(t.PL_DISTANCE - l.PL_DISTANCE) >= 0.2",
                LAST_OPEN,
            )
        ),
        needs=PREV,
        fixture=DERIVED,
        note="As 452; distances closer than 0.2 miles agree (public validator).",
    ),
    rule(
        "NoE",
        where(
            "Episodes",
            "t.DECOM < {start} AND t.CHILD NOT IN "
            '(SELECT CHILD FROM "Episodes_last" WHERE CHILD IS NOT NULL)',
        ),
        needs=PREV,
        fixture=fx(
            "Episodes",
            ["DECOM=01/03/2026", "DECOM=01/05/2026", "CHILD=2 DECOM=01/02/2026"],
            ["CHILD=2 DECOM=01/02/2026", "CHILD=3 DECOM=01/04/2026"],
            last={"Episodes": ["CHILD=2 DECOM=01/02/2026"]},
            flagged=[("Episodes", 2)],
        ),
        note="Every episode begun before the year is reported.",
    ),
    rule(
        "562",
        where(
            "Episodes",
            "t.seq = 1 AND t.DECOM < {start} AND t.DECOM IS DISTINCT FROM "
            '(SELECT max(DECOM) FROM "Episodes_last" l WHERE l.CHILD = t.CHILD) '
            'AND t.CHILD IN (SELECT CHILD FROM "Episodes_last" WHERE CHILD IS NOT NULL)',
        ),
        needs=PREV,
        fixture=fx(
            "Episodes",
            ["DECOM=01/03/2026", "DECOM=01/05/2026"],
            ["DECOM=01/02/2026", "DECOM=01/05/2026", "CHILD=3 DECOM=01/03/2026"],
            last={"Episodes": ["DECOM=01/01/2026 DEC=01/02/2026", "DECOM=01/02/2026"]},
            flagged=[("Episodes", 2)],
        ),
        note="The first episode begun before this year must be last year's last episode (same "
        "DECOM). A child with no episodes last year is left to NoE.",
    ),
    # --- missing periods ---------------------------------------------------------------------
    rule(
        "576",
        query(MISSING_576, "Missing"),
        needs=PREV,
        fixture=fxt(
            {
                "Missing": ["MIS_START=05/03/2026", "MIS_START=01/06/2026"],
                "Header": ["CHILD=1", "CHILD=2"],
            },
            {
                "Missing": [
                    "MIS_START=01/03/2026 MIS_END=02/04/2026",
                    "CHILD=2 MIS_START=01/03/2026",
                ],
                "Header": ["CHILD=1", "CHILD=2", "CHILD=3"],
            },
            last={
                "Missing": [
                    "MIS_START=01/03/2026",
                    "CHILD=2 MIS_START=01/03/2026",
                    "CHILD=3 MIS_START=01/02/2026 MIS_END=02/02/2026",
                ]
            },
            flagged=[("Missing", 2), ("Header", 3)],
        ),
        note="The period open at 31 March must appear this year with the same start. The child's "
        "first missing row is reported, or the Header row when the child has none this year.",
    ),
    # --- placed for adoption -------------------------------------------------------------------
    rule(
        "559",
        where(
            "PlacedAdoption",
            "t.DATE_PLACED < {start} AND t.CHILD NOT IN (SELECT CHILD FROM "
            '"PlacedAdoption_last" WHERE CHILD IS NOT NULL AND DATE_PLACED IS NOT NULL)',
        ),
        needs=PREV,
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=01/01/2026", "CHILD=3 DATE_PLACED=01/01/2026"],
            ["CHILD=2 DATE_PLACED=01/01/2026", "CHILD=3 DATE_PLACED=01/04/2026"],
            last={"PlacedAdoption": ["CHILD=2 DATE_PLACED=01/01/2026", "CHILD=3"]},
        ),
    ),
    rule(
        "560",
        where(
            "PlacedAdoption",
            "t.DATE_PLACED IS DISTINCT FROM l.DATE_PLACED AND NOT EXISTS (SELECT 1 FROM "
            '"PlacedAdoption" s WHERE s.CHILD = t.CHILD AND s.DATE_PLACED = l.DATE_PLACED)',
            joins='JOIN "PlacedAdoption_last" l ON l.CHILD = t.CHILD '
            "AND l.DATE_PLACED IS NOT NULL AND blank(l.DATE_PLACED_CEASED_raw) "
            "AND blank(l.REASON_PLACED_CEASED_raw)",
        ),
        needs=PREV,
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=02/01/2026", "CHILD=3"],
            [
                "DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/06/2026 REASON_PLACED_CEASED=RD1",
                "DATE_PLACED=01/09/2026",  # a new decision after the old one ceased
                "CHILD=2 DATE_PLACED=01/06/2026",
                "CHILD=3 DATE_PLACED=01/01/2026",
            ],
            last={
                "PlacedAdoption": [
                    "DATE_PLACED=01/01/2026",
                    "CHILD=2 DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/03/2026",
                    "CHILD=3 DATE_PLACED=01/01/2026",
                ]
            },
        ),
        note="A decision still in force at 31 March (no date or reason it ceased) keeps its "
        "date; a later, new decision may sit beside it once the child's rows repeat the old one.",
    ),
    rule(
        "561",
        where(
            "PlacedAdoption",
            't.DATE_PLACED IN (SELECT l.DATE_PLACED FROM "PlacedAdoption_last" l '
            f"WHERE l.CHILD = t.CHILD AND {PA_CEASED})",
        ),
        needs=PREV,
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=01/01/2026"],
            ["DATE_PLACED=01/06/2026", "CHILD=2 DATE_PLACED=01/01/2026"],
            last={
                "PlacedAdoption": [
                    "DATE_PLACED=01/01/2026 REASON_PLACED_CEASED=RD1",
                    "CHILD=2 DATE_PLACED=01/01/2026",
                ]
            },
        ),
        note="Last year's decision ceased when either its date or its reason of ceasing is given.",
    ),
    rule(
        "584",
        where(
            "PlacedAdoption",
            't.DATE_PLACED < (SELECT max(l.DATE_PLACED) FROM "PlacedAdoption_last" l '
            f"WHERE l.CHILD = t.CHILD AND {PA_CEASED})",
        ),
        needs=PREV,
        fixture=fx(
            "PlacedAdoption",
            ["DATE_PLACED=01/12/2025"],
            ["DATE_PLACED=01/06/2026", "DATE_PLACED=", "CHILD=2 DATE_PLACED=01/12/2025"],
            last={
                "PlacedAdoption": [
                    "DATE_PLACED=01/01/2026 DATE_PLACED_CEASED=01/03/2026",
                    "CHILD=2 DATE_PLACED=01/01/2026",
                ]
            },
        ),
        note="Once last year's decision ceased, a decision reported this year is a new one and "
        "cannot predate it. The same date is rule 561's; a blank date is left to the other rules.",
    ),
    # --- care leavers ------------------------------------------------------------------------
    rule(
        "1001",
        query(CARE_1001, "OC3"),
        needs=PREV,
        fixture=fx(
            "OC3",
            ["CHILD=1", "CHILD=2", "CHILD=3"],
            ["CHILD=4", "CHILD=5", "CHILD=6", "CHILD=7"],
            both={
                "Header": [
                    "CHILD=1 DOB=01/06/2009",
                    "CHILD=2 DOB=01/06/2009",
                    "CHILD=3 DOB=01/06/2009",
                    "CHILD=4 DOB=01/06/2009",
                    "CHILD=5 DOB=01/06/2009",
                    "CHILD=6 DOB=01/06/2007",
                    "CHILD=7 DOB=01/06/2009",
                ],
                "Episodes": ["CHILD=5 DECOM=01/03/2026 LS=C2"],
            },
            last={
                "Episodes": [
                    # the 16th birthday, 01/06/2025, falls in last year
                    "CHILD=1 DECOM=01/01/2025 DEC=01/06/2025 LS=C2 REC=E13",  # left care at 16
                    "CHILD=2 DECOM=01/01/2025 DEC=01/07/2025 LS=C2 REC=E11",  # adopted
                    "CHILD=3 DECOM=01/01/2025 DEC=01/03/2025 LS=C2 REC=E13",
                    "CHILD=3 DECOM=01/07/2025 DEC=01/09/2025 LS=V3 REC=E13",  # short breaks
                    "CHILD=4 DECOM=01/01/2025 DEC=02/06/2025 LS=C2 REC=E13",  # a day after 16
                    "CHILD=5 DECOM=01/03/2026 LS=C2",  # open into this year
                    # 16 in 2023: care after it may predate last year's return
                    "CHILD=6 DECOM=01/01/2023 DEC=01/02/2023 LS=C2 REC=E13",
                ]
            },
        ),
        note="With two years loaded, a young person is reported only when provably not relevant "
        "or former relevant: adopted (latest episode E11/E12), or not looked after after the 16th "
        "birthday although it falls inside the two years (V3/V4 short breaks aside). The 13 weeks "
        "since the 14th birthday cannot be checked (for anyone old enough for OC3 they began "
        "before last year's return); young people without any episode are rule 1002's.",
    ),
    rule(
        "1002",
        where(
            "OC3",
            f"{SIXTEEN_SEEN} AND "
            't.CHILD NOT IN (SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL '
            'UNION SELECT CHILD FROM "Episodes_last" WHERE CHILD IS NOT NULL)',
            joins=DOB_OC3,
        ),
        needs=PREV,
        fixture=fx(
            "OC3",
            ["CHILD=1", "CHILD=4 DOB=01/06/2009"],
            ["CHILD=2", "CHILD=3", "CHILD=5"],
            both={
                "Header": [
                    "CHILD=1 DOB=01/06/2009",
                    "CHILD=2 DOB=01/06/2009",
                    "CHILD=3 DOB=01/06/2009",
                    "CHILD=5 DOB=01/06/2007",
                ],
                "Episodes": ["CHILD=3 DECOM=01/05/2026"],
            },
            last={"Episodes": ["CHILD=2 DECOM=01/05/2025 DEC=01/06/2025"]},
        ),
        note="Reported only when the 16th birthday falls inside the two years loaded, so that a "
        "care leaver's care after 16 would show; older care leavers may have left care before "
        "last year's return (the DfE's own note warns of these false positives).",
    ),
    rule(
        "1010",
        where(
            "OC3",
            't.CHILD NOT IN (SELECT CHILD FROM "Episodes" WHERE CHILD IS NOT NULL) '
            'AND t.CHILD IN (SELECT l.CHILD FROM "Episodes_last" l JOIN (SELECT CHILD, '
            'max(seq) AS s FROM "Episodes_last" WHERE DECOM IS NOT NULL GROUP BY CHILD) m '
            "ON m.CHILD = l.CHILD AND m.s = l.seq WHERE blank(l.DEC_raw))",
        ),
        needs=PREV,
        fixture=fxt(
            {"OC3": ["CHILD=1", "CHILD=2"]},
            {"OC3": ["CHILD=1", "CHILD=2"], "Episodes": ["CHILD=1 DECOM=01/02/2026"]},
            last={
                "Episodes": [
                    "CHILD=1 DECOM=01/02/2026",
                    "CHILD=2 DECOM=01/01/2026",
                    "CHILD=2 DECOM=01/02/2026 DEC=01/03/2026",
                ]
            },
            flagged=[("OC3", 2)],
        ),
    ),
]
