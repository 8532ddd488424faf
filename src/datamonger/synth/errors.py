"""Recording errors injected on purpose, each chosen to trip one DfE rule, with its ground truth.

About `rate` of the records get one error: each SSDA903 row, and each child of the CIN census, is
picked with probability `rate`; then one error that applies to it is drawn from the catalogue of its
table. An error is listed only where the rule named is sure to fire on it (other rules may fire too).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from datamonger.synth.cin import LEAF, Node
from datamonger.synth.dates import is_weekend, year_end
from datamonger.synth.upn import wrong_check_letter

BAD_POSTCODES = ("QQ1 1QQ", "QQ9 9QQ", "QQ4 2QQ")  # postcode area QQ does not exist (ONSPD checked)


@dataclass(frozen=True, slots=True)
class Truth:
    return_: str  # "cin" or "ssda903"
    year: int
    rule: str
    table: str
    file: str  # relative to the output directory
    line: int  # CSV: the row's line (header = 1); XML: the line of the element forming the row
    child: str
    field: str
    value: str


def impossible_date(valid: str, sep: str = "/") -> str:
    """A date that does not exist (30 February, 31 April...) in the year of a valid one."""
    if sep == "/":
        year = valid[-4:] if len(valid) == 10 else "2024"
        return f"30/02/{year}"
    year = valid[:4] if len(valid) == 10 else "2024"
    return f"{year}-02-30"


def _shift_ddmmyyyy(value: str, days: int) -> str | None:
    try:
        d = dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None
    return (d + dt.timedelta(days=days)).strftime("%d/%m/%Y")


# --- SSDA903 ---------------------------------------------------------------------------------------

Make = Callable[[list[str], random.Random], str | None]  # (row, rng) -> new value or not applicable


@dataclass(frozen=True, slots=True)
class RowError:
    rule: str
    table: str
    field: str
    make: Make | None  # None: duplicate the row (field is then CHILD)
    first_year: int = 2023


def _set(value: str) -> Make:
    return lambda row, rng: value


def _if_present(col: int, value: str) -> Make:
    return lambda row, rng: value if row[col] else None


def _bad_date(col: int) -> Make:
    return lambda row, rng: impossible_date(row[col])


def _bad_date_if_present(col: int) -> Make:
    return lambda row, rng: impossible_date(row[col]) if row[col] else None


def _before(col: int, other: int, days: int) -> Make:
    """`col` moved to `days` before `other` (only where `col` is present)."""
    return lambda row, rng: _shift_ddmmyyyy(row[other], -days) if row[col] else None


def _bad_upn(row: list[str], rng: random.Random) -> str:
    upn = row[4]
    return "I" + upn[1:] if len(upn) == 13 else "UN9"


def _bad_sw_id(row: list[str], rng: random.Random) -> str:
    return "AB" + row[2][2:]


# Column positions follow returns/ssda903.py.
ROW_ERRORS: tuple[RowError, ...] = (
    RowError("101", "Header", "SEX", _set("X")),
    RowError("102", "Header", "DOB", _bad_date(2)),
    RowError("103", "Header", "ETHNIC", _set("WXYZ")),
    RowError("168", "Header", "UPN", _bad_upn),
    RowError("INT32", "Header", "CHILD", None),
    RowError("141", "Episodes", "DECOM", _bad_date(1)),
    RowError("143", "Episodes", "RNE", _set("Z")),
    RowError("144", "Episodes", "LS", _set("X9")),
    RowError("145", "Episodes", "CIN", _set("N9")),
    RowError("146", "Episodes", "PLACE", _set("Q1")),
    RowError("147", "Episodes", "DEC", _bad_date_if_present(7)),
    RowError("149", "Episodes", "REC", _if_present(8, "E99")),
    RowError("178", "Episodes", "PLACE_PROVIDER", _if_present(6, "PR9")),
    RowError("356", "Episodes", "DEC", _before(7, 1, 3)),
    RowError("1009", "Episodes", "REASON_PLACE_CHANGE", _if_present(9, "MOVED")),
    RowError("392c", "Episodes", "HOME_POST", lambda row, rng: rng.choice(BAD_POSTCODES) if row[10] else None),
    RowError("166", "Reviews", "REVIEW", _set("")),
    RowError("167", "Reviews", "REVIEW_CODE", _set("PN9")),
    RowError("104", "UASC", "DUC", _bad_date(3)),
    RowError("INT36", "UASC", "CHILD", None),
    RowError("180", "OC2", "SDQ_SCORE", _if_present(2, "41")),
    RowError("196", "OC2", "SDQ_REASON", _if_present(3, "SDQ9")),
    RowError("INT33", "OC2", "CHILD", None),
    RowError("131", "OC3", "IN_TOUCH", _set("MAYBE")),
    RowError("132", "OC3", "ACTIV", _set("Q9")),
    RowError("133", "OC3", "ACCOM", _set("Q9")),
    RowError("INT34", "OC3", "CHILD", None),
    RowError("114", "AD1", "FOSTER_CARE", _set("2")),
    RowError("175", "AD1", "NB_ADOPTR", _set("3")),
    RowError("176", "AD1", "SEX_ADOPTR", _set("XY")),
    RowError("177", "AD1", "LS_ADOPTR", _set("L9")),
    RowError("INT31", "AD1", "CHILD", None),
    RowError("115", "PlacedAdoption", "DATE_PLACED", _bad_date(2)),
    RowError("631", "PrevPerm", "PREV_PERM", _set("P9")),
    RowError("INT35", "PrevPerm", "CHILD", None),
    RowError("1006", "Missing", "MISSING", _set("X")),
    RowError("567", "Missing", "MIS_END", _before(4, 3, 1)),
    RowError("SW02STG1", "SWEpisodes", "SW_ID", _bad_sw_id, 2024),
    RowError("SW13STG1", "SWEpisodes", "SW_REASON", _if_present(5, "BORED"), 2024),
    RowError("700", "DoLo", "DOLO_START", _bad_date(2), 2027),
)  # fmt: skip


def inject_rows(
    table: str,
    header: tuple[str, ...],
    rows: list[list[str]],
    year: int,
    rate: float,
    rng: random.Random,
) -> list[tuple[list[str], RowError, str]]:
    """Mutate about `rate` of `rows` in place (duplicates are inserted after their original).

    Returns (row object, error, value) for each error; the caller turns row objects into lines.
    """
    catalogue = [e for e in ROW_ERRORS if e.table == table and year >= e.first_year]
    if not catalogue or rate <= 0:
        return []
    made: list[tuple[list[str], RowError, str]] = []
    out: list[list[str]] = []
    for row in rows:
        out.append(row)
        if rng.random() >= rate:
            continue
        for error in rng.sample(catalogue, len(catalogue)):
            if error.make is None:
                copy = list(row)
                out.append(copy)
                made.append((copy, error, copy[0]))
                break
            value = error.make(row, rng)
            if value is None:
                continue
            row[header.index(error.field)] = value
            made.append((row, error, value))
            break
    rows[:] = out
    return made


# --- CIN census ----------------------------------------------------------------------------------

NodeMake = Callable[[list[Node], int, int, random.Random], str | None]  # (nodes, i, year, rng)


@dataclass(frozen=True, slots=True)
class NodeError:
    rule: str
    tag: str
    make: NodeMake | None  # None: duplicate the node
    years: tuple[int, int] = (2023, 2030)


def _n_set(value: str) -> NodeMake:
    return lambda nodes, i, year, rng: value


def _n_before(sibling: str, days: int) -> NodeMake:
    """The date `days` before the nearest earlier node `sibling` of the same element."""

    def make(nodes: list[Node], i: int, year: int, rng: random.Random) -> str | None:
        for j in range(i - 1, max(i - 12, -1), -1):
            if nodes[j].tag == sibling:
                d = dt.date.fromisoformat(nodes[j].value) - dt.timedelta(days=days)
                return d.isoformat()
        return None

    return make


def _weekend(nodes: list[Node], i: int, year: int, rng: random.Random) -> str | None:
    d = dt.date.fromisoformat(nodes[i].value).toordinal()
    while not is_weekend(d):
        d += 1
    return dt.date.fromordinal(d).isoformat() if d <= year_end(year) else None


def _n_upn(nodes: list[Node], i: int, year: int, rng: random.Random) -> str:
    return wrong_check_letter(nodes[i].value)


NODE_ERRORS: tuple[NodeError, ...] = (
    NodeError("4220", "Ethnicity", lambda nodes, i, year, rng: nodes[i].value[:3] + "X"),
    NodeError("4180", "Sex", _n_set("X"), (2025, 2030)),
    NodeError("4180", "GenderCurrent", _n_set("3"), (2023, 2024)),
    NodeError("1510", "UPN", _n_upn),
    NodeError("8794", "Disability", None),
    NodeError("8600", "CINreferralDate", lambda nodes, i, year, rng: impossible_date(nodes[i].value, "-")),
    NodeError("8866", "ReferralSource", _n_set("11")),
    NodeError("8650", "PrimaryNeedCode", _n_set("N10")),
    NodeError("8640", "ReasonForClosure", _n_set("RC0")),
    NodeError("8630", "CINclosureDate", _n_before("CINreferralDate", 5)),
    NodeError("8608", "AssessmentAuthorisationDate", _n_before("AssessmentActualStartDate", 3)),
    NodeError("4011", "CINPlanEndDate", _n_before("CINPlanStartDate", 5)),
    NodeError("8875", "DateOfInitialCPC", _weekend),
    NodeError("8568", "ReferralNFA", _n_set("maybe")),
    NodeError("8925", "CPPendDate", _n_before("CPPstartDate", 5)),
    NodeError("8905", "InitialCategoryOfAbuse", _n_set("ABC")),
    NodeError("8910", "LatestCategoryOfAbuse", _n_set("XYZ")),
    NodeError("8730", "NumberOfPreviousCPP", _n_set("")),
)  # fmt: skip
_BY_TAG: dict[str, list[NodeError]] = {}
for _e in NODE_ERRORS:
    _BY_TAG.setdefault(_e.tag, []).append(_e)


def inject_child(nodes: list[Node], year: int, rng: random.Random) -> list[tuple[Node, NodeError]]:
    """Give one child's nodes one error (the caller draws whether the child gets one)."""
    candidates = [
        (i, e)
        for i, node in enumerate(nodes)
        if node.kind == LEAF
        for e in _BY_TAG.get(node.tag, ())
        if e.years[0] <= year <= e.years[1]
    ]
    rng.shuffle(candidates)
    for i, error in candidates:
        node = nodes[i]
        if error.make is None:
            copy = Node(node.kind, node.depth, node.tag, node.value, node.table, True)
            nodes.insert(i + 1, copy)
            return [(copy, error)]
        value = error.make(nodes, i, year, rng)
        if value is None or value == node.value:
            continue
        node.value, node.marked = value, True
        return [(node, error)]
    return []
