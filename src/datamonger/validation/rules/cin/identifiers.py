"""CIN census: the header, the child (ChildIdentifiers, Ethnicity) and its disabilities.

Presence is "written": an element left out or left empty is missing (`blank(F_raw)`); a date that
is written but cannot be read is missing for the date comparisons (NULL), as the DfE validator
treats it. Checks that involve two tables report every row taking part (the child's row, the
episode, the plan...). The DfE's whole-return ("LA level") queries are reported on the Header row.

Code sets that changed: GenderCurrent (1 2 0 9) until 2023-24, Sex (M F U) from 2024-25 (4180,
8750, 2886Q); LAchildID at most 20 characters, letters and digits only, from 2024-25 (1570, 1580,
years from the DfE list); LA codes 942 and 943 recognised in UPNs from 2023-24 (1530).
"""

from __future__ import annotations

from datamonger.validation.rule import rule
from datamonger.validation.rules.cin.common import CHILD, DIS, EP, HEADER, PLAN, fx, involving
from datamonger.validation.templates import (
    code_set,
    query,
    select,
    sql_list,
    unique_per_child,
    where,
)

# --- UPN ------------------------------------------------------------------------------------------
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # remainder 0..22 -> letter (no I, O, S)
LAST_CHAR = "[0-9A-HJ-NP-RT-Z]"  # character 13: a digit, or a letter of the same list


def _ranges(*items: int | tuple[int, int]) -> list[str]:
    out: list[str] = []
    for it in items:
        lo, hi = it if isinstance(it, tuple) else (it, it)
        out += [f"{n:03d}" for n in range(lo, hi + 1)]
    return out


# Post-April-1998 LA codes and the DfE's pseudo-LA codes (rule 1530); 942/943 from 2023-24.
LA_CODES = _ranges(
    (1, 5), (201, 213), (301, 320), (330, 336), (340, 344), (350, 359), (370, 373),
    (380, 384), (390, 394), 420, (660, 681), (701, 708), (800, 803), (805, 808), (810, 813),
    815, 816, (820, 823), 825, 826, 830, 831, (835, 839), 840, 841, 845, 846, (850, 852),
    (855, 857), 860, 861, (865, 896), 908, 909, 916, 919, 921, 925, 926, 928, 929, 931, 933,
    (935, 938), 940, 941,
)  # fmt: skip
LA_CODES_2024 = [*LA_CODES, "942", "943"]


def check_letter(rest: str) -> str:
    """The DfE check letter of a UPN whose characters 2-13 are `rest` (used by the fixtures; the
    rule computes the same in SQL)."""
    values = [int(c) if c.isdigit() else CHECK_LETTERS.index(c) for c in rest]
    return CHECK_LETTERS[sum(v * w for w, v in enumerate(values, start=2)) % 23]


def upn(rest: str) -> str:
    return check_letter(rest) + rest


def wrong_letter(upn: str) -> str:
    return CHECK_LETTERS[(CHECK_LETTERS.index(upn[0]) + 1) % 23] + upn[1:]


# The UPN as written, without the spaces around it: its letters are A-Z, upper case, as the DfE
# writes them (t.UPN is upper-cased, so it cannot tell a lower-case letter).
_UPN = "trim(t.UPN_raw)"
_C13 = f"substr({_UPN}, 13, 1)"
_SUM = " + ".join(f"TRY_CAST(substr(t.UPN, {i}, 1) AS INTEGER) * {i}" for i in range(2, 13))
_V13 = (
    f"(CASE WHEN {_C13} BETWEEN '0' AND '9' THEN TRY_CAST({_C13} AS INTEGER) "
    f"ELSE strpos('{CHECK_LETTERS}', {_C13}) - 1 END)"
)
UPN_1510 = (
    f"length(t.UPN) = 13 AND regexp_full_match(substr(t.UPN, 2, 11), '[0-9]{{11}}') "
    f"AND regexp_full_match({_C13}, '{LAST_CHAR}') "
    f"AND substr({_UPN}, 1, 1) <> substr('{CHECK_LETTERS}', (({_SUM}) + {_V13} * 13) % 23 + 1, 1)"
)
GOOD_UPN = upn("201234567890")  # LA 201
TEMP_UPN = upn("20123456789A")  # a temporary UPN: the last character is a letter

# --- code sets ------------------------------------------------------------------------------------
ETHNICITY = (
    "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH "
    "REFU NOBT"
)
DISABILITY = "NONE MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA"
DISABILITIES = sql_list(DISABILITY.split())
NO_SEX = {  # "no sex recorded" for 2886Q: missing or not known
    2023: "(blank(c.GenderCurrent_raw) OR c.GenderCurrent = '0')",
    2025: "(blank(c.Sex_raw) OR c.Sex = 'U')",
}
UNBORN = "blank(t.PersonBirthDate_raw) AND NOT blank(t.ExpectedPersonBirthDate_raw)"


def further_action(alias: str) -> str:
    """The child under `alias` has a referral going on to further action (ReferralNFA false)."""
    return f'EXISTS (SELECT 1 FROM "{EP}" e WHERE e.CHILD = {alias}.CHILD AND NOT e.ReferralNFA)'


UPN_REASONS = sql_list(["UN2", "UN3", "UN4", "UN5", "UN6", "UN7"])  # UN1 = not of school age
NO_UPN = (
    f"blank(t.UPN_raw) AND (t.UPNunknown IS NULL OR t.UPNunknown NOT IN ({UPN_REASONS})) "
    f"AND {further_action('t')}"
)
OVER_25 = "t.PersonBirthDate < CAST({end} - INTERVAL 25 YEAR AS DATE)"
DEATH_PLANS = f'"{CHILD}" t JOIN "{PLAN}" p ON p.CHILD = t.CHILD'
DISABILITY_NEEDED = f"NOT blank(c.PersonBirthDate_raw) AND {further_action('c')}"
SOME_DISABILITY = (
    f"SELECT 1 FROM \"{DIS}\" d WHERE d.Disability IS NOT NULL AND d.Disability <> 'NONE'"
)

H = {HEADER: ["ReferenceDate=2026-03-31"]}
H_2023 = {HEADER: ["ReferenceDate=2023-03-31"]}
H_2025 = {HEADER: ["ReferenceDate=2025-03-31"]}


def _cid(*rows: str) -> dict[str, list[str]]:
    return {CHILD: list(rows)}


RULES = [
    # --- Header ------------------------------------------------------------------------------
    rule(
        "100",
        where(HEADER, "t.ReferenceDate IS DISTINCT FROM make_date({year}, 3, 31)"),
        fixture=fx(
            {HEADER: ["ReferenceDate=2025-03-31"]},
            {HEADER: ["ReferenceDate=2026-03-31"]},
        ),
        note="The reference date must be 31 March of the collection year; missing or unreadable "
        "is incorrect too.",
    ),
    # --- UPN ---------------------------------------------------------------------------------
    rule(
        "1510",
        where(CHILD, UPN_1510),
        fixture=fx(
            _cid(
                f"UPN={wrong_letter(GOOD_UPN)}",
                f"C=2 UPN={wrong_letter(TEMP_UPN)}",
                f"C=3 UPN={GOOD_UPN[0].lower()}{GOOD_UPN[1:]}",  # a lower-case check letter
            ),
            _cid(
                f"UPN={GOOD_UPN}",
                f"C=2 UPN={TEMP_UPN}",
                "C=3 UPN=A12",
                "C=4",
                f"C=5 UPN={TEMP_UPN[:12]}{TEMP_UPN[12].lower()}",  # character 13 is 1550's
            ),
        ),
        note="The check letter is computed as the DfE's UPN guide says, remainders 0-22 giving "
        "A-Z without I, O and S (Y and Z included, as the public validator now has them too). "
        "Letters are upper case, as the DfE writes them: a lower-case check letter is wrong "
        "(the public validator compares case-sensitively too). A letter in position 13 (a "
        "temporary UPN) counts as its place in that same list; the public validator checks "
        "only UPNs whose characters 2-13 are all digits, so it never checks a temporary UPN. "
        "A UPN whose shape is wrong (including a lower-case character 13) is left to "
        "1540/1550.",
    ),
    rule(
        "1520",
        where(
            CHILD,
            f't.UPN IS NOT NULL AND t.UPN IN (SELECT UPN FROM "{CHILD}" '
            "WHERE UPN IS NOT NULL GROUP BY UPN HAVING count(*) > 1)",
        ),
        fixture=fx(
            _cid(f"UPN={GOOD_UPN}", f"C=2 UPN={GOOD_UPN.lower()}"),
            _cid(f"UPN={GOOD_UPN}", f"C=2 UPN={TEMP_UPN}", "C=3", "C=4"),
        ),
        note="Every record sharing the UPN is reported (compared as written, ignoring case and "
        "surrounding spaces).",
    ),
    rule(
        "1530",
        where(
            CHILD,
            {
                2023: f"t.UPN IS NOT NULL AND substr(t.UPN, 2, 3) NOT IN ({sql_list(LA_CODES)})",
                2024: f"t.UPN IS NOT NULL AND substr(t.UPN, 2, 3) NOT IN ("
                f"{sql_list(LA_CODES_2024)})",
            },
        ),
        fixture={
            # Until 2022-23, 942 and 943 are not LA codes yet.
            2023: fx(
                _cid(
                    f"UPN={upn('999234567890')}",
                    "C=2 UPN=A4",
                    f"C=3 UPN={upn('942234567890')}",
                    f"C=4 UPN={upn('943234567890')}",
                ),
                _cid(f"UPN={GOOD_UPN}", f"C=2 UPN={upn('941234567890')}", "C=3"),
            ),
            2024: fx(
                _cid(f"UPN={upn('999234567890')}", "C=2 UPN=A4"),
                _cid(
                    f"UPN={GOOD_UPN}",
                    f"C=2 UPN={upn('942234567890')}",
                    "C=3",
                    f"C=4 UPN={upn('943234567890')}",
                ),
            ),
        },
        note="Every UPN written is checked, whatever its length (a UPN too short to hold an LA "
        "code fails). 942 and 943 (Cumberland, Westmorland and Furness) count from 2023-24.",
    ),
    rule(
        "1540",
        where(
            CHILD, "t.UPN IS NOT NULL AND NOT regexp_full_match(substr(t.UPN, 5, 8), '[0-9]{8}')"
        ),
        fixture=fx(
            _cid("UPN=A2011234567X8", "C=2 UPN=A201123"),
            _cid(f"UPN={GOOD_UPN}", f"C=2 UPN={TEMP_UPN}", "C=3"),
        ),
        note="A UPN too short to have characters 5-12 fails.",
    ),
    rule(
        "1550",
        where(
            CHILD,
            f"t.UPN IS NOT NULL AND (length(t.UPN) <> 13 "
            f"OR NOT regexp_full_match({_C13}, '{LAST_CHAR}'))",
        ),
        fixture=fx(
            _cid(
                "UPN=A20112345678I",
                "C=2 UPN=A20112345678",
                "C=3 UPN=A20112345678901",
                f"C=4 UPN={TEMP_UPN[:12]}{TEMP_UPN[12].lower()}",  # a lower-case letter
            ),
            _cid(f"UPN={GOOD_UPN}", f"C=2 UPN={TEMP_UPN}", "C=3"),
        ),
        note="Character 13 is a digit or a letter A-Z other than I, O and S, upper case as the "
        "DfE writes it (a lower-case letter is not a recognised value; the public validator "
        "rejects it too). A UPN that is not 13 characters long is reported here, so a wrong "
        "length never passes unnoticed (the public validator checks only 13-character UPNs).",
    ),
    rule(
        "1560Q",
        where(
            CHILD,
            f"t.FormerUPN IS NOT NULL AND NOT regexp_full_match(t.FormerUPN, "
            f"'[A-Z][0-9]{{11}}{LAST_CHAR}')",
        ),
        fixture=fx(
            _cid(
                "FormerUPN=A20112345", "C=2 FormerUPN=1201123456789", "C=3 FormerUPN=A2011234X6789"
            ),
            _cid(f"FormerUPN={GOOD_UPN}", f"C=2 FormerUPN={TEMP_UPN}", "C=3"),
        ),
        note="The UPN format: a letter, eleven digits, then a digit or a letter other than I, O "
        "and S (a former UPN is often a temporary one, ending in a letter; the public validator "
        "rejects those). The check letter itself is not checked.",
    ),
    # --- LAchildID ---------------------------------------------------------------------------
    rule(
        "1570",
        where(CHILD, "length(trim(t.LAchildID_raw)) > 20"),
        fixture=fx(_cid("C=ABCDEFGHIJ0123456789X"), _cid("C=ABCDEFGHIJ0123456789", "C=")),
        note="Counted without the spaces around the value (layout, not part of the id).",
    ),
    rule(
        "1580",
        where(
            CHILD,
            "NOT blank(t.LAchildID_raw) AND NOT regexp_full_match(trim(t.LAchildID_raw), "
            "'[A-Za-z0-9]+')",
        ),
        fixture=fx(_cid("C=AB-12", "C=AB_12", "C=É1"), _cid("C=Ab12", "C=_12_", "C=")),
        note="Letters A-Z (either case) and digits only; spaces around the value are layout.",
    ),
    rule("8500", where(CHILD, "blank(t.LAchildID_raw)"), fixture=fx(_cid("C=_"), _cid("C=1"))),
    rule(
        "8510",
        unique_per_child(CHILD),
        fixture=fx(_cid("C=A1", "C=a1", "C=_A1_"), _cid("C=A1", "C=A2", "C=", "C=")),
        note="Ids are compared ignoring case and surrounding spaces; every record of the "
        "repeated id is reported.",
    ),
    # --- sex ---------------------------------------------------------------------------------
    rule(
        "2886Q",
        where(
            HEADER,
            {
                y: f'(SELECT count(*) FROM "{CHILD}" c WHERE {cond} '
                "AND blank(c.ExpectedPersonBirthDate_raw)) "
                f'> 0.02 * (SELECT count(*) FROM "{CHILD}")'
                for y, cond in NO_SEX.items()
            },
        ),
        fixture={
            # Until 2023-24, GenderCurrent (0 = not recorded); a Sex written then is no gender.
            2023: fx(
                {
                    **H_2023,
                    CHILD: [
                        *(f"C={n} GenderCurrent=1" for n in range(1, 49)),
                        "C=49 GenderCurrent=0",
                        "C=50 Sex=M",
                    ],
                },
                {
                    **H_2023,
                    CHILD: [
                        *(f"C={n} GenderCurrent=2" for n in range(1, 50)),
                        "C=50 GenderCurrent=0 ExpectedPersonBirthDate=2023-06-01",
                        "C=51",
                    ],
                },
                flagged=[(HEADER, 2)],
            ),
            2025: fx(
                {**H_2025, CHILD: [*(f"C={n} Sex=M" for n in range(1, 49)), "C=49 Sex=U", "C=50"]},
                {
                    **H_2025,
                    CHILD: [
                        *(f"C={n} Sex=F" for n in range(1, 50)),
                        "C=50 Sex=U ExpectedPersonBirthDate=2025-06-01",
                        "C=51",
                    ],
                },
                flagged=[(HEADER, 2)],
            ),
        },
        note="A whole-return query, reported on the Header. No sex recorded: Sex missing or U "
        "(GenderCurrent missing or 0 until 2023-24), counting children without an expected "
        "date of birth, over all the return's children (as the DfE's rule divides).",
    ),
    rule(
        "4180",
        where(
            CHILD,
            {
                2023: "t.GenderCurrent IS NULL OR t.GenderCurrent NOT IN ('1', '2', '0', '9')",
                2025: "t.Sex IS NULL OR t.Sex NOT IN ('M', 'F', 'U')",
            },
        ),
        fixture={
            2023: fx(
                _cid("GenderCurrent=M", "C=2 GenderCurrent=", "C=3", "C=4 Sex=M"),
                _cid(
                    "GenderCurrent=1",
                    "C=2 GenderCurrent=2",
                    "C=3 GenderCurrent=0",
                    "C=4 GenderCurrent=_9_",
                ),
            ),
            2025: fx(
                _cid("Sex=1", "C=2 Sex=", "C=3", "C=4 GenderCurrent=1"),
                _cid("Sex=M", "C=2 Sex=f", "C=3 Sex=U"),
            ),
        },
        note="Sex (M, F, U) from 2024-25; before, GenderCurrent (1 male, 2 female, 0 not known, "
        "9 not specified) under the older wording of the same rule.",
    ),
    rule(
        "8750",
        where(
            CHILD,
            {
                2023: f"{UNBORN} AND t.GenderCurrent IS DISTINCT FROM '0'",
                2025: f"{UNBORN} AND t.Sex IS DISTINCT FROM 'U'",
            },
        ),
        fixture={
            2023: fx(
                _cid(
                    "ExpectedPersonBirthDate=2023-05-01 GenderCurrent=2",
                    "C=2 ExpectedPersonBirthDate=2023-05-01",
                    "C=3 ExpectedPersonBirthDate=2023-05-01 Sex=U",
                ),
                _cid(
                    "ExpectedPersonBirthDate=2023-05-01 GenderCurrent=0",
                    "C=2 PersonBirthDate=2023-01-01 ExpectedPersonBirthDate=2023-01-03 "
                    "GenderCurrent=2",
                    "C=3 GenderCurrent=1",
                ),
            ),
            2025: fx(
                _cid(
                    "ExpectedPersonBirthDate=2025-05-01 Sex=F",
                    "C=2 ExpectedPersonBirthDate=2025-05-01",
                    "C=3 ExpectedPersonBirthDate=2025-05-01 GenderCurrent=0",
                ),
                _cid(
                    "ExpectedPersonBirthDate=2025-05-01 Sex=U",
                    "C=2 PersonBirthDate=2025-01-01 ExpectedPersonBirthDate=2025-01-03 Sex=F",
                    "C=3 Sex=M",
                ),
            ),
        },
        note="Unborn: an expected date of birth and no date of birth. Until 2023-24 the rule "
        "asks GenderCurrent = 0.",
    ),
    # --- dates of birth and death ------------------------------------------------------------
    rule(
        "8520",
        where(CHILD, "t.PersonBirthDate > {end}"),
        fixture=fx(_cid("PersonBirthDate=2026-04-01"), _cid("PersonBirthDate=2026-03-31", "C=2")),
    ),
    rule(
        "8525Q",
        where(
            CHILD,
            "blank(t.PersonBirthDate_raw) = blank(t.ExpectedPersonBirthDate_raw)",
        ),
        fixture=fx(
            _cid("PersonBirthDate=2020-01-01 ExpectedPersonBirthDate=2020-01-02", "C=2"),
            _cid("PersonBirthDate=2020-01-01", "C=2 ExpectedPersonBirthDate=2026-05-01"),
        ),
        note="Provided means written (an unreadable date is reported by the loader).",
    ),
    rule(
        "8530Q",
        where(
            CHILD,
            "t.ExpectedPersonBirthDate < make_date({year}, 3, 1) "
            "OR t.ExpectedPersonBirthDate > make_date({year}, 12, 31)",
        ),
        fixture=fx(
            _cid("ExpectedPersonBirthDate=2026-02-28", "C=2 ExpectedPersonBirthDate=2027-01-01"),
            _cid(
                "ExpectedPersonBirthDate=2026-03-01",
                "C=2 ExpectedPersonBirthDate=2026-12-31",
                "C=3",
            ),
        ),
        note="The DfE's range is the reference date minus 30 days to the reference date plus 9 "
        "months, that is 1 March to 31 December of the year the census ends, both included (the "
        "public validator excludes both ends).",
    ),
    rule(
        "8535Q",
        where(CHILD, "t.PersonDeathDate < t.PersonBirthDate"),
        fixture=fx(
            _cid("PersonBirthDate=2020-01-02 PersonDeathDate=2020-01-01"),
            _cid(
                "PersonBirthDate=2020-01-02 PersonDeathDate=2020-01-02",
                "C=2 PersonBirthDate=2020-01-02",
            ),
        ),
    ),
    rule(
        "8545Q",
        where(CHILD, "t.PersonDeathDate < {start} OR t.PersonDeathDate > {end}"),
        fixture=fx(
            _cid("PersonDeathDate=2025-03-31", "C=2 PersonDeathDate=2026-04-01"),
            _cid("PersonDeathDate=2025-04-01", "C=2 PersonDeathDate=2026-03-31", "C=3"),
        ),
    ),
    rule(
        "8775Q",
        query(
            involving(
                f'"{CHILD}" t JOIN "{EP}" e ON e.CHILD = t.CHILD',
                f"{OVER_25} AND (e.CINclosureDate IS NULL "
                "OR e.CINclosureDate > CAST(t.PersonBirthDate + INTERVAL 25 YEAR AS DATE))",
                ("t", CHILD),
                ("e", EP),
            )
            + " UNION "
            + select(
                CHILD, f'{OVER_25} AND NOT EXISTS (SELECT 1 FROM "{EP}" e WHERE e.CHILD = t.CHILD)'
            ),
            CHILD,
            EP,
        ),
        fixture=fx(
            {
                CHILD: ["PersonBirthDate=2001-03-30", "C=2 PersonBirthDate=1990-01-01"],
                EP: [
                    "CINclosureDate=2026-03-31",
                    "CINdetailsID=2",
                    "CINdetailsID=3 CINclosureDate=2026-03-30",
                ],
            },
            {
                CHILD: ["PersonBirthDate=2001-03-31", "C=2 PersonBirthDate=1990-01-01"],
                EP: ["C=1", "C=2 CINclosureDate=2015-01-01", "C=3"],
            },
            flagged=[(CHILD, 2), (CHILD, 3), (EP, 2), (EP, 3)],
        ),
        note="Over 25 at the reference date (born more than 25 years before it), with an "
        "episode still open or closed after the 25th birthday, or with no episode at all; the "
        "child's row and those episodes are reported.",
    ),
    rule(
        "4008",
        query(
            involving(
                DEATH_PLANS, "p.CINPlanStartDate > t.PersonDeathDate", ("t", CHILD), ("p", PLAN)
            ),
            CHILD,
            PLAN,
        ),
        fixture=fx(
            {CHILD: ["PersonDeathDate=2025-06-01"], PLAN: ["CINPlanStartDate=2025-06-02"]},
            {
                CHILD: ["PersonDeathDate=2025-06-01", "C=2"],
                PLAN: ["CINPlanStartDate=2025-06-01", "C=2 CINPlanStartDate=2025-06-02"],
            },
            flagged=[(CHILD, 2), (PLAN, 2)],
        ),
        note="The child's row and the plan are both reported.",
    ),
    rule(
        "4009Q",
        query(
            involving(
                DEATH_PLANS, "p.CINPlanEndDate > t.PersonDeathDate", ("t", CHILD), ("p", PLAN)
            ),
            CHILD,
            PLAN,
        ),
        fixture=fx(
            {
                CHILD: ["PersonDeathDate=2025-06-01"],
                PLAN: ["CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-06-02"],
            },
            {
                CHILD: ["PersonDeathDate=2025-06-01", "C=2"],
                PLAN: [
                    "CINPlanStartDate=2025-05-01 CINPlanEndDate=2025-06-01",
                    "CINPlanID=2 CINPlanStartDate=2025-05-01",
                    "C=2 CINPlanEndDate=2025-06-02",
                ],
            },
            flagged=[(CHILD, 2), (PLAN, 2)],
        ),
        note="A plan with no end date is not reported (it ends with the child's death by "
        "construction). The child's row and the plan are both reported.",
    ),
    # --- the child's episodes ----------------------------------------------------------------
    rule(
        "8590",
        where(
            CHILD,
            f't.CHILD IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "{EP}" e WHERE e.CHILD = t.CHILD)',
        ),
        fixture=fx(
            {CHILD: ["C=1", "C=2"], EP: ["C=3"]},
            {CHILD: ["C=1", "C=2", "C="], EP: ["C=1", "C=2", "C=2 CINdetailsID=2"]},
        ),
        note="A child without an id is reported by 8500 (its episodes cannot be told apart).",
    ),
    rule(
        "8770Q",
        where(
            CHILD,
            {
                2023: f"t.PersonBirthDate < CAST({{end}} - INTERVAL 6 YEAR AS DATE) AND {NO_UPN}",
                2025: f"t.PersonBirthDate <= make_date({{year}} - 6, 8, 31) AND {NO_UPN}",
            },
        ),
        fixture={
            # Until 2023-24: born more than 6 years before 31 March (a child born 31 August six
            # years before the census year ends, of school age from 2024-25, is not yet).
            2023: fx(
                {
                    CHILD: [
                        "PersonBirthDate=2017-03-30",
                        "C=2 PersonBirthDate=2012-01-01 UPNunknown=UN1",
                        "C=3 PersonBirthDate=2012-01-01 UPNunknown=UN9",
                    ],
                    EP: [
                        "ReferralNFA=false",
                        "C=2 ReferralNFA=0",
                        "C=2 CINdetailsID=2 ReferralNFA=1",
                        "C=3 ReferralNFA=false",
                    ],
                },
                {
                    CHILD: [
                        "PersonBirthDate=2017-03-31",
                        f"C=2 PersonBirthDate=2012-01-01 UPN={GOOD_UPN}",
                        "C=3 PersonBirthDate=2012-01-01 UPNunknown=un2",
                        "C=4 PersonBirthDate=2012-01-01",
                        "C=5 PersonBirthDate=2019-08-31",
                    ],
                    EP: [
                        "ReferralNFA=false",
                        "C=2 ReferralNFA=0",
                        "C=3 ReferralNFA=false",
                        "C=4 ReferralNFA=true",
                        "C=5 ReferralNFA=false",
                    ],
                },
                flagged=[(CHILD, 2), (CHILD, 3), (CHILD, 4)],
            ),
            2025: fx(
                {
                    CHILD: [
                        "PersonBirthDate=2019-08-31",
                        "C=2 PersonBirthDate=2014-01-01 UPNunknown=UN1",
                        "C=3 PersonBirthDate=2014-01-01 UPNunknown=UN9",
                    ],
                    EP: [
                        "ReferralNFA=false",
                        "C=2 ReferralNFA=0",
                        "C=2 CINdetailsID=2 ReferralNFA=1",
                        "C=3 ReferralNFA=false",
                    ],
                },
                {
                    CHILD: [
                        "PersonBirthDate=2019-09-01",
                        f"C=2 PersonBirthDate=2014-01-01 UPN={GOOD_UPN}",
                        "C=3 PersonBirthDate=2014-01-01 UPNunknown=un2",
                        "C=4 PersonBirthDate=2014-01-01",
                        # three or four years old: in nursery or reception, not of school age
                        "C=5 PersonBirthDate=2021-03-01 UPNunknown=UN1",
                    ],
                    EP: [
                        "ReferralNFA=false",
                        "C=2 ReferralNFA=0",
                        "C=3 ReferralNFA=false",
                        "C=4 ReferralNFA=true",
                        "C=5 ReferralNFA=false",
                    ],
                },
                flagged=[(CHILD, 2), (CHILD, 3), (CHILD, 4)],
            ),
        },
        note="For a child with a referral going on to further action (ReferralNFA false), as the "
        "DfE's rule says. School age from 2024-25, when the DfE amended the rule to 'a child "
        "who is of school age': born on or before 31 August six years before the census year "
        "ends (31 August 2019 for 2024-25), i.e. in Year 1 or above from the September the "
        "census year starts, of compulsory school age all year; three- and four-year-olds in "
        "nursery or reception are not (the public validator now uses the same date, after a "
        "first version that took 31 August four years before). Until 2023-24 the rule's "
        "earlier test, born more than 6 years before the reference date (the public "
        "validator also counts a child born on that day). UN1 (not of school age) is no "
        "reason for such a child.",
    ),
    rule(
        "8772",
        query(
            involving(
                f'"{CHILD}" t JOIN "{EP}" e ON e.CHILD = t.CHILD',
                "t.UPNunknown = 'UN7' AND NOT e.ReferralNFA",
                ("t", CHILD),
                ("e", EP),
            ),
            CHILD,
            EP,
        ),
        fixture=fx(
            {
                CHILD: ["UPNunknown=UN7"],
                EP: ["ReferralNFA=true", "CINdetailsID=2 ReferralNFA=false"],
            },
            {
                CHILD: ["UPNunknown=un7", "C=2 UPNunknown=UN2"],
                EP: ["ReferralNFA=true", "CINdetailsID=2 ReferralNFA=1", "C=2 ReferralNFA=false"],
            },
            flagged=[(CHILD, 2), (EP, 3)],
        ),
        note="The child's row and each episode going on to further action are reported.",
    ),
    # --- ethnicity and disabilities ----------------------------------------------------------
    rule(
        "4220",
        code_set(CHILD, "Ethnicity", ETHNICITY, blank_ok=False),
        fixture=fx(
            _cid("Ethnicity=WBR", "C=2", "C=3 Ethnicity="),
            _cid("Ethnicity=WBRI", "C=2 Ethnicity=nobt", "C=3 Ethnicity=_REFU_"),
        ),
    ),
    rule(
        "8540",
        query(
            involving(
                f'"{CHILD}" c JOIN "{DIS}" t ON t.CHILD = c.CHILD',
                f"{DISABILITY_NEEDED} AND (t.Disability IS NULL OR t.Disability NOT IN ({DISABILITIES}))",
                ("t", DIS),
            )
            + " UNION "
            + involving(
                f'"{CHILD}" c',
                f'{DISABILITY_NEEDED} AND NOT EXISTS (SELECT 1 FROM "{DIS}" d WHERE d.CHILD = c.CHILD)',
                ("c", CHILD),
            ),
            DIS,
            CHILD,
            EP,
        ),
        fixture=fx(
            {
                CHILD: ["PersonBirthDate=2020-01-01", "C=2 PersonBirthDate=2020-01-01"],
                EP: ["ReferralNFA=false", "C=2 ReferralNFA=0"],
                DIS: ["Disability=MOB", "Disability=XYZ", "Disability="],
            },
            {
                CHILD: [
                    "PersonBirthDate=2020-01-01",
                    "C=2 PersonBirthDate=2020-01-01",
                    "C=3 ExpectedPersonBirthDate=2026-05-01",
                ],
                EP: ["ReferralNFA=false", "C=2 ReferralNFA=true", "C=3 ReferralNFA=false"],
                DIS: ["Disability=mob", "Disability=NONE", "C=2 Disability=XYZ"],
            },
            flagged=[(DIS, 3), (DIS, 4), (CHILD, 3)],
        ),
        note="As the DfE's rule says, for a born child with a referral going on to further "
        "action: at least one Disability, each a valid code. Each invalid Disability is "
        "reported, or the child's row when there is none.",
    ),
    rule(
        "8790",
        where(
            DIS,
            f"t.Disability IS NOT NULL AND EXISTS (SELECT 1 FROM \"{DIS}\" n WHERE n.CHILD = t.CHILD AND n.Disability = 'NONE') "
            f"AND EXISTS (SELECT 1 FROM \"{DIS}\" o WHERE o.CHILD = t.CHILD AND o.Disability <> 'NONE')",
        ),
        fixture=fx(
            {DIS: ["Disability=NONE", "Disability=MOB"]},
            {DIS: ["Disability=NONE", "Disability=", "C=2 Disability=MOB", "C=2 Disability=AUT"]},
        ),
        note="Every written Disability of that child is reported.",
    ),
    rule(
        "8794",
        where(
            DIS,
            f't.Disability IS NOT NULL AND (SELECT count(*) FROM "{DIS}" o '
            "WHERE o.CHILD = t.CHILD AND o.Disability = t.Disability) > 1",
        ),
        fixture=fx(
            {DIS: ["Disability=MOB", "Disability=_mob", "Disability=AUT"]},
            {
                DIS: [
                    "Disability=MOB",
                    "Disability=AUT",
                    "C=2 Disability=MOB",
                    "Disability=",
                    "Disability=",
                ]
            },
            flagged=[(DIS, 2), (DIS, 3)],
        ),
        note="Codes compared ignoring case and spaces; every repeat is reported.",
    ),
    rule(
        "2887Q",
        where(
            HEADER,
            f'(SELECT count(DISTINCT d.Disability) FROM "{DIS}" d '
            f"WHERE d.Disability IN ({DISABILITIES}) AND d.Disability <> 'NONE') < 8",
        ),
        fixture=fx(
            {
                **H,
                DIS: [
                    f"C={n} Disability={c}"
                    for n, c in enumerate(
                        ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "XYZ", "NONE"]
                    )
                ],
            },
            {
                **H,
                DIS: [
                    f"C={n} Disability={c}"
                    for n, c in enumerate(["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS"])
                ],
            },
            flagged=[(HEADER, 2)],
        ),
        note="A whole-return query, reported on the Header: valid codes other than NONE.",
    ),
    rule(
        "2888Q",
        where(
            HEADER,
            f"EXISTS ({SOME_DISABILITY}) AND NOT EXISTS ({SOME_DISABILITY} "
            "GROUP BY d.CHILD HAVING count(DISTINCT d.Disability) > 1)",
        ),
        fixture=fx(
            {
                **H,
                DIS: [
                    "Disability=MOB",
                    "Disability=MOB",
                    "C=2 Disability=AUT",
                    "C=3 Disability=NONE",
                    "C=3 Disability=AUT",
                ],
            },
            {**H, DIS: ["Disability=MOB", "C=2 Disability=AUT", "C=2 Disability=LD"]},
            flagged=[(HEADER, 2)],
        ),
        note="A whole-return query, reported on the Header: no child has two different codes "
        "other than NONE, and at least one child has one.",
    ),
]
