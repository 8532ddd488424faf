"""SSDA903: the UASC status flag that the XML return states for each child (Header.UASC).

A CSV return has no such column: there a child is UASC when listed in the UASC table, so these
rules can only fail on an XML return (the flag as written is in `UASC_raw`; blank for CSV).
"""

from __future__ import annotations

from datamonger.validation.rule import Fixture, parse_rows, rule
from datamonger.validation.templates import query, select, where

RULES = [
    rule(
        "105",
        where(
            "Header",
            "(NOT blank(t.UASC_raw) AND t.UASC NOT IN ('0', '1')) "
            "OR (blank(t.UASC_raw) AND lower(t.source_file) LIKE '%.xml')",
        ),
        fixture=Fixture(
            failing={"Header": parse_rows("UASC=2", "CHILD=2 UASC=Y")},
            passing={"Header": parse_rows("UASC=1", "CHILD=2 UASC=0", "CHILD=3")},
        ),
        note="Only an XML return states the flag; in a CSV return (no column) it is never "
        "missing. A flag missing from an XML return is reported too.",
    ),
    rule(
        "303",
        query(
            select("UASC", "t.DUC IS NOT NULL AND h.UASC <> '1'", 'JOIN "Header" h USING (CHILD)'),
            "UASC",
            "Header",
        ),
        fixture=Fixture(
            failing={
                "Header": parse_rows("UASC=0"),
                "UASC": parse_rows("DUC=01/06/2027"),
            },
            passing={
                "Header": parse_rows("UASC=1", "CHILD=2"),
                "UASC": parse_rows("DUC=01/06/2027", "CHILD=2 DUC=01/06/2028"),
            },
        ),
        note="A child listed in the UASC table of a CSV return is UASC by definition, so this "
        "can only fail where an XML return's flag says 0.",
    ),
    rule(
        "205C",
        query(
            select(
                "UASC",
                "t.DUC IS NOT NULL AND h.UASC = '0' AND hl.UASC = '0'",
                'JOIN "Header" h USING (CHILD) JOIN "Header_last" hl USING (CHILD)',
            ),
            "UASC",
            "Header",
            "Header_last",
        ),
        needs=("previous",),
        fixture=Fixture(
            failing={"Header": parse_rows("UASC=0"), "UASC": parse_rows("DUC=01/06/2027")},
            passing={
                "Header": parse_rows("UASC=0", "CHILD=2 UASC=1"),
                "UASC": parse_rows("CHILD=2 DUC=01/06/2027"),
            },
            last={"Header": parse_rows("UASC=0", "CHILD=2 UASC=0")},
        ),
        note="Not UASC in either year (as the XML flags say) yet a date UASC ceased is given.",
    ),
]
