"""Messy returns: a share of the values of written returns replaced by random dates and codes.

This is what a first extract from a case-management system looks like before cleaning, and what
the public generators of test returns produce: every file still has the DfE's shape (headers,
elements, date formats), but dates are random within a wide span and codes are drawn at random
from what the column holds anywhere in the file, or left blank. Such returns carry hundreds of
thousands of issues, which is what the validation benchmark needs. Child identifiers and the
CIN header are kept, so children still link across tables and years.

There is no ground truth: which rules a random value trips is for the validator to say.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from pathlib import Path

from lxml import etree

KEEP = frozenset({"CHILD", "LAchildID"})  # identities stay, so tables and years still link
_DAY0, _DAYS = dt.date(1995, 1, 1), (dt.date(2030, 12, 31) - dt.date(1995, 1, 1)).days
_CSV_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
_XML_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def messify(out_dir: Path, share: float, seed: int) -> int:
    """Replace about `share` of the values in every return under `out_dir`; values changed."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("the messy share must be between 0 and 1")
    changed = 0
    for path in sorted(out_dir.rglob("*.csv")):
        if path.parent.name == "ssda903":
            changed += _messify_csv(path, share, random.Random(f"messy:{seed}:{path.name}"))
    for path in sorted(out_dir.rglob("cin_census.xml")):
        changed += _messify_xml(path, share, random.Random(f"messy:{seed}:{path.parent.name}"))
    return changed


def _random_value(value: str, pool: list[str], rng: random.Random, date_fmt: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return ""
    if _CSV_DATE.fullmatch(value) or _XML_DATE.fullmatch(value):
        return (_DAY0 + dt.timedelta(days=rng.randrange(_DAYS))).strftime(date_fmt)
    return rng.choice(pool) if pool else value


def _messify_csv(path: Path, share: float, rng: random.Random) -> int:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:
        return 0
    header, body = rows[0], rows[1:]
    pools = [sorted({r[k] for r in body if r[k]}) for k in range(len(header))]
    changed = 0
    for row in body:
        for k, name in enumerate(header):
            if name in KEEP or rng.random() >= share:
                continue
            row[k] = _random_value(row[k], pools[k], rng, "%d/%m/%Y")
            changed += 1
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *body])
    return changed


def _messify_xml(path: Path, share: float, rng: random.Random) -> int:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    children = tree.getroot().find("{*}Children")
    if children is None:
        children = tree.getroot().find("Children")
    if children is None:
        return 0
    # the Header (census date, year, LA) is left alone: it says which return this is
    leaves = [
        el
        for el in children.iter()
        if isinstance(el.tag, str) and len(el) == 0 and etree.QName(el).localname not in KEEP
    ]
    pools: dict[str, set[str]] = {}
    for el in leaves:
        if el.text:
            pools.setdefault(etree.QName(el).localname, set()).add(el.text)
    sorted_pools = {k: sorted(v) for k, v in pools.items()}
    changed = 0
    for el in leaves:
        if rng.random() >= share:
            continue
        name = etree.QName(el).localname
        el.text = _random_value(el.text or "", sorted_pools.get(name, []), rng, "%Y-%m-%d")
        changed += 1
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    return changed
