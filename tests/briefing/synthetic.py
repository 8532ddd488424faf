"""A small synthetic LA (Cambridgeshire, 873) loaded through the real store API: children with
identifiers that cannot be mistaken for anything else in a briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamonger.store import Store
from tests.indicators.ind_builders import load_903, load_cin

PREFIX = "QZXCHILD"
Row = dict[str, Any]


def child_id(i: int) -> str:
    return f"{PREFIX}{i:05d}"


def build(path: Path, children: int = 40, year: int = 2025) -> list[str]:
    """CIN census and SSDA903 returns for `year`; returns the child ids used."""
    ids = [child_id(i) for i in range(children)]
    with Store(path) as store:
        cin_rows = {
            "children": [
                {"LAchildID": c, "PersonBirthDate": "2015-06-01", "Sex": "1", "Ethnicity": "WBRI"}
                for c in ids
            ],
            "episodes": [
                {
                    "CINdetailsID": i + 1,
                    "LAchildID": c,
                    "CINreferralDate": f"2024-{(i % 9) + 4:02d}-10",
                    "ReferralSource": "1A",
                    "PrimaryNeedCode": "N1",
                    "ReferralNFA": "false" if i % 3 else "true",
                }
                for i, c in enumerate(ids)
            ],
            "section47": [
                {
                    "CINdetailsID": i + 1,
                    "Section47ID": 1,
                    "LAchildID": c,
                    "S47ActualStartDate": "2024-11-04",
                    "ICPCnotRequired": "false",
                }
                for i, c in enumerate(ids[:15])
            ],
        }
        load_cin(store, year, **cin_rows)
        looked_after = ids[:12]
        rows903 = {
            "header": [
                {"CHILD": c, "SEX": "1", "DOB": "01/06/2015", "ETHNIC": "WBRI"}
                for c in looked_after
            ],
            "episodes": [
                {
                    "CHILD": c,
                    "DECOM": "15/05/2024",
                    "RNE": "S",
                    "LS": "C2",
                    "CIN": "N1",
                    "PLACE": "U1",
                    "PLACE_PROVIDER": "PR1",
                    "HOME_POST": "CB1 1AA",
                    "PL_POST": "CB2 2BB",
                }
                for c in looked_after
            ],
        }
        load_903(store, year, **rows903)
    return ids
