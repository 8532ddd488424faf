"""SSDA903 XML (`<EXPSSDA903><CHILD>...`) -> the same ssda903_* tables as the CSV files.

Structure, as established from two public sources (read, not copied):
- the XSD "Expanded SSDA903 Return 2021" (version 3.3.0), kept as `tests/data/CLA.xsd` in
  SocialFinanceDigitalLabs/csc-data-synthesizer;
- what the public validator reads (data-to-insight/csc-validator-be-903, `lac_validator/ingress.py`,
  function `read_xml_from_text`).

    EXPSSDA903
    └─ CHILD                      1..n, one per child
       ├─ HEADER                  1
       │  ├─ CHILDID (-> CHILD), UPN, SEX, DOB, ETHNIC, UASC (0/1 flag), DUC
       │  ├─ DATE_INT, DATE_MATCH, FOSTER_CARE, NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR   (AD1)
       │  ├─ IN_TOUCH, ACTIV, ACCOM                                                (OC3)
       │  ├─ AMISSING   0..n  MISSING, MIS_START, MIS_END                          (Missing)
       │  ├─ AREVIEW    0..n  REVIEW, REVIEW_CODE                                  (Reviews)
       │  ├─ MOTHER, MC_DOB
       │  ├─ PERMANENCE 0..1  PREV_PERM, LA_PERM, DATE_PERM                        (PrevPerm)
       │  ├─ OC2        0..1  SDQ_SCORE ... INTERVENTION_OFFERED                   (OC2)
       │  └─ AD_PLACED  0..n  DATE_PLACED, DATE_PLACED_CEASED, REASON_PLACED_CEASED (PlacedAdoption)
       └─ EPISODE      0..n  DECOM, RNE, LS, CIN, PL (-> PLACE), PL_POST, HOME_POST, URN,
                             PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE         (Episodes)

Dates are written dd/mm/yyyy, as in the CSV files: the XSD's patterns for DOB, REVIEW, DECOM and
DEC are `[0-3][0-9]/[0-1][0-9]/yyyy`, and the validator parses them with the same `%d/%m/%Y` as
CSV dates. So the store reads them with `ssda903.DATE_FORMAT`.

Rows: Header is the HEADER element; Episodes each EPISODE; Reviews each AREVIEW; Missing each
AMISSING; PlacedAdoption each AD_PLACED; OC2 and PrevPerm their element. UASC, OC3 and AD1 have
no element of their own: their fields sit in HEADER, and a row is made when the child has any of
them (its line is the first such field's). CHILD, DOB and (for UASC) SEX are copied from HEADER
into every table that carries them in the CSV files.

Doubts, and what was decided:
- The validator makes a UASC row whenever the `UASC` flag has a value, even `0`. A UASC row
  stands for a child who was unaccompanied (the CSV table lists only those), so here a row is
  made when DUC has a value or the flag is neither empty nor `0`.
- The flag itself is kept in Header.UASC as written (a column the CSV Header does not have), so
  rules 105 and 205C can check it on XML returns.
- The XSD and the validator know nothing of SWEpisodes (2023/24 on) or DoLo (2026/27 on) in XML.
  Any element found for them is reported as unexpected and not loaded; load those tables as CSV.
- The validator takes every leaf anywhere in a CHILD for the header (the last one wins). Here
  header fields are read from HEADER only; a leaf elsewhere is reported as unexpected.
- The validator upper-cases values; here they are kept exactly as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamonger.readers.base import Chunker, FileResult, Limits, Stage
from datamonger.readers.xml_common import (
    Node,
    ProblemLog,
    Row,
    Walker,
    check_size,
    line_of,
    local_name,
    refused,
    require_root,
    stream_records,
)
from datamonger.returns import TableSpec, ssda903

ROOT = "EXPSSDA903"
LABEL = "SSDA903"
T = ssda903.BY_NAME
_FROM_HEADER = ("CHILD", "DOB", "SEX")  # copied into every table that has them


def _own(spec: TableSpec) -> list[str]:
    return [f for f in spec.field_names if f not in _FROM_HEADER]


# Tables whose fields sit loose in HEADER; a row exists when any of them has a value.
_LOOSE: dict[str, tuple[str, ...]] = {
    "UASC": ("DUC",),
    "AD1": tuple(_own(T["AD1"])),
    "OC3": tuple(_own(T["OC3"])),
}

HEADER = Node(
    "HEADER",
    T["Header"],
    fields={
        "CHILDID": "CHILD",
        **{f: f for f in T["Header"].field_names if f != "CHILD"},
        **{f: f for fields in _LOOSE.values() for f in fields},
    },
    children=(
        Node("AMISSING", T["Missing"], repeat=True, fields=_own(T["Missing"])),
        Node("AREVIEW", T["Reviews"], repeat=True, fields=_own(T["Reviews"])),
        Node("PERMANENCE", T["PrevPerm"], fields=_own(T["PrevPerm"])),
        Node("OC2", T["OC2"], fields=_own(T["OC2"])),
        Node("AD_PLACED", T["PlacedAdoption"], repeat=True, fields=_own(T["PlacedAdoption"])),
    ),
)
CHILD = Node(
    "CHILD",
    children=(
        HEADER,
        Node(
            "EPISODE",
            T["Episodes"],
            repeat=True,
            fields={"PL": "PLACE", **{f: f for f in _own(T["Episodes"]) if f != "PLACE"}},
        ),
    ),
)
ALLOWED = {ROOT: frozenset({"CHILD"})}
_XML_NAME = {v: k for k, v in HEADER.fields.items()}  # field -> element, for lines


class _Ssda903Reader:
    def __init__(self, path: Path, stage: Stage, limits: Limits) -> None:
        self.path = path
        self.log = ProblemLog(path, LABEL)
        self.walker = Walker(path, limits, self.log)
        self.chunker = Chunker(stage, ssda903.DATE_FORMAT)

    def on_child(self, el: Any) -> None:
        rows: list[tuple[TableSpec, Row]] = []
        self.walker.walk(el, CHILD, {}, {}, rows)
        header = next((row for spec, row in rows if spec is T["Header"]), None)
        if header is None:  # no HEADER: keep the child visible, with nothing known about it
            header = {"source_line": line_of(el)}
            rows.insert(0, (T["Header"], header))
            self.log.add(
                "xml_missing_element",
                f"<CHILD> on line {header['source_line']} has no <HEADER>, so the child has no "
                f"id: its {len(rows)} row(s) are loaded with an empty CHILD.",
                header["source_line"],
                "HEADER",
                "Check the child in the case management system and re-export the file.",
            )
        for name, fields in _LOOSE.items():
            if _has_loose(name, fields, header):
                line = _line_of(el, name, fields, header)
                rows.append((T[name], {"source_line": line}))
        add = self.chunker.add
        for spec, row in rows:
            for f in _FROM_HEADER:
                if f not in row and f in spec.field_names:
                    row[f] = header.get(f)
            if spec.name in _LOOSE:
                for f in _LOOSE[spec.name]:
                    row[f] = header.get(f)
            add(spec, row)

    def run(self) -> FileResult:
        stream_records(self.path, {"CHILD": self.on_child}, ALLOWED, self.log)
        self.chunker.flush()
        if not self.chunker.counts:
            raise refused(
                self.path,
                "xml_no_records",
                f"The file has no <CHILD> inside <{ROOT}>, so no child could be read; it is "
                "refused, and what the database holds is kept.",
                "Check the export: element names are case-sensitive (<CHILD>).",
                1,
            )
        return FileResult(
            "ssda903",
            dict(self.chunker.counts),
            problems=self.log.finish(),
            more_problems=self.log.extra,
        )


def _has_loose(name: str, fields: tuple[str, ...], header: Row) -> bool:
    if name == "UASC" and header.get("UASC") not in (None, "", "0"):
        return True
    return any(header.get(f) for f in fields)


def _line_of(child: Any, name: str, fields: tuple[str, ...], header: Row) -> int:
    """The line of the first of the table's `fields` (and, for UASC, the flag) inside HEADER."""
    wanted = {_XML_NAME[f] for f in fields} | ({"UASC"} if name == "UASC" else set())
    for h in child:
        if local_name(h.tag) == "HEADER":
            for c in h:
                if local_name(c.tag) in wanted:
                    return int(line_of(c))
    return int(header["source_line"])


def read(path: Path, stage: Stage, limits: Limits) -> FileResult:
    """Stream an SSDA903 XML file into `stage`; the file carries no collection year or LA."""
    check_size(path, limits)
    require_root(path, ROOT, LABEL)
    return _Ssda903Reader(path, stage, limits).run()
