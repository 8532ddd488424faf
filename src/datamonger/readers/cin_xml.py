"""CIN census XML (`<Message>`) -> the cin_* tables, one row per element, streamed.

The element tree below is the return as `/work/shared/spec/cin_format.md` describes it. Every
repeated element is kept: each Disability, each AssessmentFactors and each CPPreviewDate in every
Reviews block (the public validator keeps only the first review date per block). Generated keys
(CINdetailsID, AssessmentID, CINPlanID, Section47ID, CPPID, PreProceedingsID) are positions among
same-named siblings, from 1.

Each row's `source_line` is the line of the element the row is: the Child element for the child's
row, CINdetails for an episode, each CPPreviewDate for its review. `LAchildID` is copied to every
row of a child, wherever ChildIdentifiers sits inside the Child element.

Wrappers that only group repeated elements (Children, Disabilities, FactorsIdentifiedAtAssessment,
Reviews) may appear more than once and everything inside each is loaded: the XSD allows one, but
dropping the second block would lose data for no reason. Every other element the XSD allows once
is loaded once; a repeat is reported (`xml_repeated_element`) with both lines. The header keeps the
first Source, as the validator does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamonger.problems import Problem, Severity
from datamonger.readers.base import Chunker, FileResult, Limits, Stage
from datamonger.readers.xml_common import (
    Node,
    ProblemLog,
    Row,
    Walker,
    check_size,
    line_of,
    refused,
    require_root,
    stream_records,
)
from datamonger.returns import TableSpec, cin, plausible_year, year_range


def _own(spec: TableSpec) -> list[str]:
    """The table's fields that live on its own element (LAchildID comes from the child)."""
    return [f for f in spec.field_names if f != "LAchildID"]


CHILD = Node(
    "Child",
    cin.CHILDREN,
    children=(
        Node(
            "ChildIdentifiers",
            fields=[f for f in cin.CHILDREN.field_names if f != "Ethnicity"],
        ),
        Node(
            "ChildCharacteristics",
            fields=["Ethnicity"],
            children=(
                Node(
                    "Disabilities",
                    repeat=True,
                    children=(
                        Node("Disability", cin.DISABILITIES, value="Disability", repeat=True),
                    ),
                ),
            ),
        ),
        Node(
            "CINdetails",
            cin.EPISODES,
            key="CINdetailsID",
            repeat=True,
            fields=_own(cin.EPISODES),
            children=(
                Node(
                    "Assessments",
                    cin.ASSESSMENTS,
                    key="AssessmentID",
                    repeat=True,
                    fields=_own(cin.ASSESSMENTS),
                    children=(
                        Node(
                            "FactorsIdentifiedAtAssessment",
                            repeat=True,
                            children=(
                                Node(
                                    "AssessmentFactors",
                                    cin.FACTORS,
                                    value="AssessmentFactors",
                                    repeat=True,
                                ),
                            ),
                        ),
                    ),
                ),
                Node(
                    "CINPlanDates",
                    cin.CIN_PLANS,
                    key="CINPlanID",
                    repeat=True,
                    fields=_own(cin.CIN_PLANS),
                ),
                Node(
                    "Section47",
                    cin.SECTION47,
                    key="Section47ID",
                    repeat=True,
                    fields=_own(cin.SECTION47),
                ),
                Node(
                    "ChildProtectionPlans",
                    cin.CPP,
                    key="CPPID",
                    repeat=True,
                    fields=_own(cin.CPP),
                    children=(
                        Node(
                            "Reviews",
                            repeat=True,
                            children=(
                                Node(
                                    "CPPreviewDate",
                                    cin.CPP_REVIEWS,
                                    value="CPPreviewDate",
                                    repeat=True,
                                ),
                            ),
                        ),
                    ),
                ),
                Node(
                    "PreProceedingsandFGDM",
                    cin.PRE_PROCEEDINGS,
                    key="PreProceedingsID",
                    repeat=True,
                    fields=_own(cin.PRE_PROCEEDINGS),
                ),
            ),
        ),
    ),
)

HEADER = Node(
    "Header",
    cin.HEADER,
    children=(
        Node("CollectionDetails", fields=["Collection", "Year", "ReferenceDate"]),
        Node(
            "Source",
            fields=["SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"],
        ),
    ),
)

# Containers around the records, and what each may hold.
ALLOWED = {
    cin.ROOT: frozenset({"Header", "Children"}),
    "Children": frozenset({"Child"}),
}
LABEL = "CIN census"


class _CinReader:
    def __init__(self, path: Path, stage: Stage, limits: Limits) -> None:
        self.path = path
        self.log = ProblemLog(path, LABEL)
        self.walker = Walker(path, limits, self.log)
        self.chunker = Chunker(stage, cin.DATE_FORMAT)
        self.header: Row | None = None

    def on_header(self, el: Any) -> None:
        if self.header is not None:
            self.log.repeated("Header", cin.ROOT, self.header["source_line"], line_of(el))
            return
        row: Row = {"source_line": line_of(el)}
        self.walker.walk(el, HEADER, row, {}, [])
        self.header = row
        self.chunker.add(cin.HEADER, row)

    def on_child(self, el: Any) -> None:
        row: Row = {"source_line": line_of(el)}
        rows: list[tuple[TableSpec, Row]] = [(cin.CHILDREN, row)]
        self.walker.walk(el, CHILD, row, {}, rows)
        child_id = row.get("LAchildID")
        add = self.chunker.add
        for spec, r in rows:
            r["LAchildID"] = child_id
            add(spec, r)

    def run(self) -> FileResult:
        stream_records(
            self.path, {"Header": self.on_header, "Child": self.on_child}, ALLOWED, self.log
        )
        self.chunker.flush()
        if not self.chunker.counts.get(cin.CHILDREN.name):
            # a census with no child is never real: loading it (its year from the header or
            # --year) would replace the stored return with an empty one
            found = sorted({p.column or "" for p in self.log.problems if p.column})
            raise refused(
                self.path,
                "xml_no_records",
                "The file has no <Child> inside <Message>/<Children>, so no child could be read"
                + (f" (found instead: {', '.join(f'<{n}>' for n in found[:8])})" if found else "")
                + ". A census is never empty: the file is refused, and what the database holds "
                "is kept.",
                "Check the export: element names are case-sensitive (<Children>, <Child>).",
                1,
            )
        result = FileResult("cin", dict(self.chunker.counts), problems=self.log.finish())
        result.more_problems = self.log.extra
        result.year = self._year(result.problems)
        if self.header is not None and self.header.get("LEA"):
            result.la = self.header["LEA"]
        return result

    def _year(self, problems: list[Problem]) -> int | None:
        header = self.header or {}
        written = header.get("Year")
        text = str(written).strip()
        if text.isascii() and text.isdigit() and len(text) <= 6 and plausible_year(int(text)):
            return int(text)
        where = (
            "The file has no <Header>"
            if self.header is None
            else "<Header>/<CollectionDetails> has no <Year>"
            if written is None
            else f"<Year> is {written!r}, not a collection year (the DfE collections run from "
            f"{year_range()})"
        )
        problems.append(
            Problem(
                Severity.WARNING,
                "no_year",
                f"{where}, so the collection year is not known from the file.",
                str(self.path),
                header.get("source_line"),
                "Year",
                written,
                "Give the collection year when loading (--year, e.g. --year 2025 for 2024/25).",
            )
        )
        return None


def read(path: Path, stage: Stage, limits: Limits) -> FileResult:
    """Stream a CIN census XML file into `stage`; refuses hostile or unreadable files."""
    check_size(path, limits)
    require_root(path, cin.ROOT, LABEL)
    return _CinReader(path, stage, limits).run()
