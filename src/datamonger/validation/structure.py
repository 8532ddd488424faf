"""The structural check of a CIN census XML return, reported before the DfE's rules.

Three kinds of fault, each an error under the code STRUCTURE (not a DfE code), with the file, the
XML line and, inside a Child, the child's LAchildID:

- misplaced elements: an element the census does not define where it stands (the reader's
  `xml_unexpected_element` warnings, kept in `load_problems`; its content was not loaded);
- repeated elements: an element the census allows once, written again (`xml_repeated_element`;
  only the first was loaded);
- missing elements the census requires, read from the loaded tables. An element that is absent
  is structural; an element present but empty is left to the DfE rules that ask for a value.

What "required" means here. The schema marks nearly every element minOccurs=1, but real returns
leave most of them out and the census accepts that: the DfE's rules, not the schema, say when a
value is needed (Sex 4180, Ethnicity 4220, ReferralNFA 8568, ReferralSource 8866...). So only the
elements without which a record cannot be read at all are checked:

- the file has a Header, with CollectionDetails/Collection, Year and ReferenceDate and
  Source/SourceLevel and LEA (they say which return, year and LA the file is; SoftwareCode,
  Release, SerialNo and DateTime describe the export and are not checked);
- the file holds at least one Child;
- each Child has ChildIdentifiers/LAchildID (the id every other row is joined by);
- each CINdetails has CINreferralDate, and each module its start date: Assessments
  AssessmentActualStartDate, CINPlanDates CINPlanStartDate, Section47 S47ActualStartDate,
  ChildProtectionPlans CPPstartDate (a module is dated by its start; without it, it is not a
  module the census can count). PreProceedingsandFGDM (2026 sample) is not checked.

A missing element is reported on the line of the element that should hold it (the Header, the
Child, the CINdetails...). Only XML files are checked (a CIN return is always XML).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

import duckdb

from datamonger.returns import cin
from datamonger.store import Store, q
from datamonger.validation.report import Issue

CODE = "STRUCTURE"
MESSAGE = (
    "Structural check of the XML against the census structure: an element is missing, "
    "repeated or misplaced"
)
XML_TABLE = "XML"  # the `table` of reader problems: they are about elements, not a table's rows

# Containers outside any Child: a problem inside them belongs to no child.
OUTSIDE_CHILD = frozenset({cin.ROOT, "Header", "CollectionDetails", "Source", "Children"})
_PARENT = re.compile(r"inside <([^>]+)>")


@dataclass(frozen=True, slots=True)
class Required:
    table: str  # DfE table whose row stands for the element that must hold `field`
    field: str
    element: str  # the element the row is
    path: str  # where the missing element goes, for the message


REQUIRED: tuple[Required, ...] = (
    Required("Header", "Collection", "Header", "CollectionDetails/Collection"),
    Required("Header", "Year", "Header", "CollectionDetails/Year"),
    Required("Header", "ReferenceDate", "Header", "CollectionDetails/ReferenceDate"),
    Required("Header", "SourceLevel", "Header", "Source/SourceLevel"),
    Required("Header", "LEA", "Header", "Source/LEA"),
    Required("ChildIdentifiers", "LAchildID", "Child", "ChildIdentifiers/LAchildID"),
    Required("CINdetails", "CINreferralDate", "CINdetails", "CINreferralDate"),
    Required(
        "Assessments", "AssessmentActualStartDate", "Assessments", "AssessmentActualStartDate"
    ),
    Required("CINplanDates", "CINPlanStartDate", "CINPlanDates", "CINPlanStartDate"),
    Required("Section47", "S47ActualStartDate", "Section47", "S47ActualStartDate"),
    Required("ChildProtectionPlans", "CPPstartDate", "ChildProtectionPlans", "CPPstartDate"),
)


def _raw(table: str, field: str) -> str:
    spec = cin.BY_NAME[table]
    typed = next(f for f in spec.fields if f.name == field).type != "text"
    return f"{field}_raw" if typed else field


def cin_structure(
    store: Store, year: int, con: duckdb.DuckDBPyConnection | None = None
) -> list[Issue]:
    """Structure issues of the CIN return loaded for `year`, in file and line order; read on
    `con` (a cursor of the store's connection) when given, else on the store's connection."""
    con = store.con if con is None else con
    loaded = con.execute(
        "SELECT files, loaded_at FROM returns_loaded WHERE return_name = 'cin' "
        "AND collection_year = ? ORDER BY loaded_at DESC LIMIT 1",
        [year],
    ).fetchone()
    if loaded is None:
        return []
    files = [f for f in loaded[0] or [] if f.lower().endswith(".xml")]
    if not files:
        return []
    out: list[Issue] = []
    children = _children(con, year, files)

    def issue(
        table: str, file: str, line: int, child: str | None, field: str | None, message: str
    ) -> Issue:
        return Issue(
            rule=CODE,
            severity="error",
            return_="cin",
            year=year,
            table=table,
            file=file,
            line=line,
            child=child,
            fields=(field,) if field else (),
            values={},
            message=message,
        )

    # misplaced and repeated elements, as the reader met them
    seen: set[tuple[Any, ...]] = set()
    for code, message, file, line, column in con.execute(
        'SELECT code, message, file, line, "column" FROM load_problems WHERE code IN '
        "('xml_unexpected_element', 'xml_repeated_element') AND file IN (SELECT unnest(?::VARCHAR[])) AND loaded_at >= ? "
        "ORDER BY file, line NULLS LAST",
        [files, loaded[1]],
    ).fetchall():
        key = (code, file, line, column, message)
        if key in seen:
            continue
        seen.add(key)
        parent = _PARENT.search(message or "")
        child = None
        if line is not None and parent and parent.group(1) not in OUTSIDE_CHILD:
            child = _child_at(children.get(file), int(line))
        out.append(issue(XML_TABLE, file, int(line or 0), child, column, message))

    # the file as a whole
    headers = dict(
        con.execute(
            "SELECT source_file, min(source_line) FROM cin_header WHERE collection_year = ? "
            "GROUP BY 1",
            [year],
        ).fetchall()
    )
    for file in files:
        if file not in headers:
            message = (
                "<Message> has no <Header>: the file does not say its collection, year and LA."
            )
            out.append(issue("Header", file, 1, None, "Header", message))
        if not children.get(file):
            out.append(
                issue(
                    "Header",
                    file,
                    headers.get(file, 1),
                    None,
                    "Child",
                    "<Children> holds no <Child>: a CIN census return has at least one child.",
                )
            )

    # required elements of each record
    for req in REQUIRED:
        spec = cin.BY_NAME[req.table]
        child_col = "NULL" if "LAchildID" not in spec.field_names else "LAchildID"
        for file, line, child in con.execute(
            f"SELECT source_file, source_line, {child_col} FROM {spec.store_name} "
            f"WHERE collection_year = ? AND {q(_raw(req.table, req.field))} IS NULL "
            "AND source_file IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1, 2",
            [year, files],
        ).fetchall():
            out.append(
                issue(
                    req.table,
                    file,
                    int(line),
                    child,
                    req.field,
                    f"<{req.element}> has no <{req.path}>, which the census requires.",
                )
            )
    out.sort(key=lambda i: (i.file, i.line))
    return out


def _children(
    con: duckdb.DuckDBPyConnection, year: int, files: list[str]
) -> dict[str, tuple[list[int], list[Any]]]:
    """Per file, the Child elements' lines (sorted) and their LAchildIDs."""
    out: dict[str, tuple[list[int], list[Any]]] = {}
    for file, line, child in con.execute(
        "SELECT source_file, source_line, LAchildID FROM cin_children WHERE collection_year = ? "
        "AND source_file IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1, 2",
        [year, files],
    ).fetchall():
        lines, ids = out.setdefault(file, ([], []))
        lines.append(int(line))
        ids.append(child)
    return out


def _child_at(children: tuple[list[int], list[Any]] | None, line: int) -> str | None:
    """The LAchildID of the Child element that holds `line` (the last Child starting before it)."""
    if not children:
        return None
    lines, ids = children
    i = bisect_right(lines, line) - 1
    return ids[i] if i >= 0 else None
