"""The CIN census of one collection year: children's histories sliced to the year, as XML nodes.

A child becomes a flat list of nodes, one per XML line, so that errors can be injected into a node
and each node's line number is known when it is written. Elements follow the XSD order
(`spec/cin_format.md` §1). Everything after the reference date is not yet known: a plan ending later
is written open, an enquiry whose conference is later has no conference date.
"""

from __future__ import annotations

from dataclasses import dataclass

from datamonger.synth.dates import Day, iso, year_end, year_start
from datamonger.synth.model import Child, CinEpisode

OPEN, CLOSE, LEAF = 0, 1, 2


@dataclass(slots=True)
class Node:
    kind: int  # OPEN, CLOSE or LEAF
    depth: int
    tag: str
    value: str = ""
    table: str = ""  # the flat table the value belongs to (spec §2), for ground truth
    marked: bool = False  # an injected error points at this node


def header_nodes(year: int, la: str) -> list[Node]:
    leaves = [
        (3, "Collection", "CIN"),
        (3, "Year", str(year)),
        (3, "ReferenceDate", iso(year_end(year))),
    ]
    source = [
        (3, "SourceLevel", "L"),
        (3, "LEA", la),
        (3, "SoftwareCode", "Datamonger synthetic"),
        (3, "Release", "1"),
        (3, "SerialNo", "001"),
        (3, "DateTime", f"{year}-05-01T09:00:00"),
    ]
    nodes = [Node(OPEN, 1, "Header"), Node(OPEN, 2, "CollectionDetails")]
    nodes += [Node(LEAF, d, t, v, "Header") for d, t, v in leaves]
    nodes += [Node(CLOSE, 2, "CollectionDetails"), Node(OPEN, 2, "Source")]
    nodes += [Node(LEAF, d, t, v, "Header") for d, t, v in source]
    nodes += [Node(CLOSE, 2, "Source"), Node(CLOSE, 1, "Header")]
    return nodes


def in_census(child: Child, year: int) -> bool:
    start, end = year_start(year), year_end(year)
    return child.in_cin_census and any(_open_in(ep, start, end) for ep in child.cin)


def _open_in(ep: CinEpisode, start: Day, end: Day) -> bool:
    return ep.referral <= end and (ep.closure is None or ep.closure >= start)


def child_nodes(child: Child, year: int) -> list[Node]:
    """The <Child> element of `child` in the census of `year` (the child must be in it)."""
    start, end = year_start(year), year_end(year)
    born = child.birth <= end
    n: list[Node] = [Node(OPEN, 2, "Child"), Node(OPEN, 3, "ChildIdentifiers")]
    ids = "ChildIdentifiers"
    n.append(Node(LEAF, 4, "LAchildID", child.child_id, ids))
    if child.upn:
        n.append(Node(LEAF, 4, "UPN", child.upn, ids))
    else:
        n.append(Node(LEAF, 4, "UPNunknown", child.upn_unknown or "UN1", ids))
    if born:
        n.append(Node(LEAF, 4, "PersonBirthDate", iso(child.birth), ids))
    else:
        n.append(Node(LEAF, 4, "ExpectedPersonBirthDate", iso(child.birth), ids))
    if year >= 2025:
        n.append(Node(LEAF, 4, "Sex", child.sex if born else "U", ids))
    else:
        n.append(
            Node(LEAF, 4, "GenderCurrent", ("1" if child.sex == "M" else "2") if born else "0", ids)
        )
    n.append(Node(CLOSE, 3, ids))
    n.append(Node(OPEN, 3, "ChildCharacteristics"))
    n.append(Node(LEAF, 4, "Ethnicity", child.ethnicity, "ChildCharacteristics"))
    if born:
        n.append(Node(OPEN, 4, "Disabilities"))
        n.extend(Node(LEAF, 5, "Disability", d, "Disabilities") for d in child.disabilities)
        n.append(Node(CLOSE, 4, "Disabilities"))
    n.append(Node(CLOSE, 3, "ChildCharacteristics"))
    for ep in child.cin:
        if _open_in(ep, start, end):
            _episode(n, ep, start, end, year)
    n.append(Node(CLOSE, 2, "Child"))
    return n


# Before 2024/25 physical and sexual abuse were 18A/19A and 24A did not exist (8945Q, 8950Q).
_BEFORE_2025 = {"18B": "18A", "18C": "18A", "19B": "19A", "19C": "19A", "24A": "20"}


def factors_in_year(factors: tuple[str, ...], year: int) -> list[str]:
    if year >= 2025:
        return list(factors)
    return list(dict.fromkeys(_BEFORE_2025.get(f, f) for f in factors))


def _episode(n: list[Node], ep: CinEpisode, start: Day, end: Day, year: int) -> None:
    t = "CINdetails"
    n.append(Node(OPEN, 3, t))
    n.append(Node(LEAF, 4, "CINreferralDate", iso(ep.referral), t))
    n.append(Node(LEAF, 4, "ReferralSource", ep.source, t))
    if ep.need:
        n.append(Node(LEAF, 4, "PrimaryNeedCode", ep.need, t))
    if ep.closure is not None and ep.closure <= end:
        n.append(Node(LEAF, 4, "CINclosureDate", iso(ep.closure), t))
        n.append(Node(LEAF, 4, "ReasonForClosure", ep.closure_reason or "RC7", t))
    for a in ep.assessments:
        # Shown while open or completed in the year (8696: completion dates fall in the year).
        if a.start > end or a.authorised < start:
            continue
        n.append(Node(OPEN, 4, "Assessments"))
        n.append(Node(LEAF, 5, "AssessmentActualStartDate", iso(a.start), "Assessments"))
        if a.authorised <= end:
            n.append(Node(LEAF, 5, "AssessmentAuthorisationDate", iso(a.authorised), "Assessments"))
            n.append(Node(OPEN, 5, "FactorsIdentifiedAtAssessment"))
            n.extend(
                Node(LEAF, 6, "AssessmentFactors", f, "AssessmentFactorsList")
                for f in factors_in_year(a.factors, year)
            )
            n.append(Node(CLOSE, 5, "FactorsIdentifiedAtAssessment"))
        n.append(Node(CLOSE, 4, "Assessments"))
    for p in ep.plans:
        if p.start > end or (p.end is not None and p.end < start):
            continue
        n.append(Node(OPEN, 4, "CINPlanDates"))
        n.append(Node(LEAF, 5, "CINPlanStartDate", iso(p.start), "CINplanDates"))
        if p.end is not None and p.end <= end:
            n.append(Node(LEAF, 5, "CINPlanEndDate", iso(p.end), "CINplanDates"))
        n.append(Node(CLOSE, 4, "CINPlanDates"))
    for s in ep.section47s:
        if s.start > end:
            continue
        if s.icpc is None and s.start < start:
            continue  # completed without a conference in an earlier year
        if s.icpc is not None and s.icpc < start:
            continue  # conference held in an earlier year (8715)
        n.append(Node(OPEN, 4, "Section47"))
        n.append(Node(LEAF, 5, "S47ActualStartDate", iso(s.start), "Section47"))
        n.append(Node(LEAF, 5, "InitialCPCtarget", iso(s.target), "Section47"))
        if s.icpc is not None and s.icpc <= end:
            n.append(Node(LEAF, 5, "DateOfInitialCPC", iso(s.icpc), "Section47"))
        n.append(
            Node(LEAF, 5, "ICPCnotRequired", "true" if s.icpc is None else "false", "Section47")
        )
        n.append(Node(CLOSE, 4, "Section47"))
    n.append(Node(LEAF, 4, "ReferralNFA", "true" if ep.nfa else "false", t))
    for c in ep.cpps:
        if c.start > end or (c.end is not None and c.end < start):
            continue
        cp = "ChildProtectionPlans"
        n.append(Node(OPEN, 4, cp))
        n.append(Node(LEAF, 5, "CPPstartDate", iso(c.start), cp))
        if c.end is not None and c.end <= end:
            n.append(Node(LEAF, 5, "CPPendDate", iso(c.end), cp))
        n.append(Node(LEAF, 5, "InitialCategoryOfAbuse", c.initial_category, cp))
        n.append(Node(LEAF, 5, "LatestCategoryOfAbuse", c.latest_category, cp))
        n.append(Node(LEAF, 5, "NumberOfPreviousCPP", str(c.previous_plans), cp))
        reviews = [r for r in c.reviews if start <= r <= end]
        if reviews:
            n.append(Node(OPEN, 5, "Reviews"))
            n.extend(Node(LEAF, 6, "CPPreviewDate", iso(r), "Reviews") for r in reviews)
            n.append(Node(CLOSE, 5, "Reviews"))
        n.append(Node(CLOSE, 4, cp))
    n.append(Node(CLOSE, 3, t))


# Leaves that are table rows themselves (one row per element); other leaves belong to the row of
# their parent element, and ChildIdentifiers/ChildCharacteristics to the row of the Child.
ROW_LEAVES = frozenset({"Disability", "AssessmentFactors", "CPPreviewDate"})
CHILD_PARTS = frozenset({"ChildIdentifiers", "ChildCharacteristics"})


def row_anchor(nodes: list[Node], i: int) -> int:
    """Index of the node whose line is the line of the row that node `i` belongs to, as the
    readers and the validator report it."""
    if nodes[i].tag in ROW_LEAVES:
        return i
    depth = nodes[i].depth
    for j in range(i - 1, -1, -1):
        if nodes[j].kind == OPEN and nodes[j].depth == depth - 1:
            return 0 if nodes[j].tag in CHILD_PARTS else j
    return 0


INDENT = ["  " * d for d in range(8)]


def render(node: Node) -> str:
    if node.kind == LEAF:
        return f"{INDENT[node.depth]}<{node.tag}>{node.value}</{node.tag}>"
    if node.kind == OPEN:
        return f"{INDENT[node.depth]}<{node.tag}>"
    return f"{INDENT[node.depth]}</{node.tag}>"
