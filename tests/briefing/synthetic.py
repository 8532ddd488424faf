"""A small synthetic LA (Cambridgeshire, 873) loaded through the real store API: children with
identifiers that cannot be mistaken for anything else in a briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamonger.returns import cin, ssda903
from datamonger.store import Store

PREFIX = "QZXCHILD"
Row = dict[str, Any]


def child_id(i: int) -> str:
    return f"{PREFIX}{i:05d}"


def _stage(store: Store, spec: Any, rows: list[Row], date_format: str, file: str) -> None:
    chunk: dict[str, list[Any]] = {
        "source_file": [file] * len(rows),
        "source_line": list(range(2, len(rows) + 2)),
    }
    for k in spec.keys:
        chunk[k] = [int(r.get(k, 1)) for r in rows]
    for f in spec.fields:
        vals = [r.get(f.name) for r in rows]
        if any(v is not None for v in vals):
            chunk[f.name] = [None if v is None else str(v) for v in vals]
    store.stage(spec, 1, chunk, date_format)


def build(path: Path, children: int = 40, year: int = 2025) -> list[str]:
    """CIN census and SSDA903 returns for `year`; returns the child ids used."""
    ids = [child_id(i) for i in range(children)]
    by_cin = {t.store_name.removeprefix("cin_"): t for t in cin.TABLES}
    by_903 = {t.store_name.removeprefix("ssda903_"): t for t in ssda903.TABLES}
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
        for name, rows in cin_rows.items():
            _stage(store, by_cin[name], rows, cin.DATE_FORMAT, f"cin_{year}.xml")
        store.replace_return("cin", year, 1, [f"cin_{year}.xml"], "873")
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
        for name, rows in rows903.items():
            _stage(store, by_903[name], rows, ssda903.DATE_FORMAT, f"{name}_{year}.csv")
        store.replace_return("ssda903", year, 1, [f"903_{year}"], "873")
    return ids
