"""SSDA903: internal checks (INT..) and duplicates: tables agree with the Header about each child."""

from __future__ import annotations

from datamonger.validation.rule import fx, rule
from datamonger.validation.templates import child_in, same_as, unique_per_child, where

_IN_HEADER = {
    "INT01": "AD1",
    "INT02": "PlacedAdoption",
    "INT03": "Episodes",
    "INT04": "Missing",
    "INT05": "OC2",
    "INT06": "OC3",
    "INT07": "PrevPerm",
    "INT08": "Reviews",
    "INT09": "UASC",
}
_DOB_AS_HEADER = {
    "INT11": "AD1",
    "INT12": "PlacedAdoption",
    "INT13": "Missing",
    "INT14": "OC2",
    "INT15": "OC3",
    "INT16": "PrevPerm",
    "INT17": "Reviews",
    "INT18": "UASC",
}
_ONCE = {
    "INT31": "AD1",
    "INT32": "Header",
    "INT33": "OC2",
    "INT34": "OC3",
    "INT35": "PrevPerm",
    "INT36": "UASC",
}

RULES = [
    *(rule(code, child_in(table, "Header")) for code, table in _IN_HEADER.items()),
    *(rule(code, same_as(table, "DOB", "Header")) for code, table in _DOB_AS_HEADER.items()),
    rule("INT21", same_as("UASC", "SEX", "Header", ("M", "F"))),
    *(rule(code, unique_per_child(table)) for code, table in _ONCE.items()),
    rule(
        "444",
        where(
            "Header",
            "t.UPN IS NOT NULL AND t.UPN NOT IN ('UN1', 'UN2', 'UN3', 'UN4', 'UN5') AND t.UPN IN "
            '(SELECT UPN FROM "Header" GROUP BY UPN HAVING count(DISTINCT CHILD) > 1)',
        ),
        fixture=fx(
            "Header",
            ["CHILD=1 UPN=A123456789012", "CHILD=2 UPN=a123456789012"],
            [
                "CHILD=1 UPN=A123456789012",
                "CHILD=2 UPN=A123456789013",
                "CHILD=3 UPN=UN1",
                "CHILD=4 UPN=UN1",
            ],
        ),
        note="The UN1-UN5 'unknown' codes are shared by design and never duplicates.",
    ),
    rule(
        "EPI",
        where(
            "Header",
            'NOT EXISTS (SELECT 1 FROM "Episodes" e WHERE e.CHILD = t.CHILD) '
            'AND NOT EXISTS (SELECT 1 FROM "OC3" o WHERE o.CHILD = t.CHILD)',
        ),
        severity="query",
        fixture=fx(
            "Header",
            ["CHILD=3"],
            ["CHILD=1", "CHILD=2"],
            both={"Episodes": ["CHILD=1 DECOM=01/05/2026"], "OC3": ["CHILD=2"]},
        ),
        note="The DfE portal's warning: every Header child needs episodes or, for a care "
        "leaver, an OC3 row. Shown as a query, it does not stop the return.",
    ),
]
