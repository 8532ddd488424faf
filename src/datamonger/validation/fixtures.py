"""Loading a rule's fixture (rows as written) into a real Store, as a file would be loaded."""

from __future__ import annotations

from datamonger.returns import cin, ssda903
from datamonger.store import Store
from datamonger.validation.rule import Fixture, Rows

_SPECS = {"ssda903": ssda903.TABLES, "cin": cin.TABLES}
_FORMATS = {"ssda903": ssda903.DATE_FORMAT, "cin": cin.DATE_FORMAT}


def file_name(table: str) -> str:
    return f"{table}.csv"


def load_rows(store: Store, return_name: str, year: int, rows: Rows, group: int = 1) -> None:
    """Stage `rows` (DfE table -> rows as written) as year `year`; line numbers start at 2."""
    by_name = {t.name: t for t in _SPECS[return_name]}
    files = []
    for table, items in rows.items():
        spec = by_name[table]
        if not items:
            continue
        n = len(items)
        chunk: dict[str, list] = {
            "source_file": [file_name(table)] * n,
            "source_line": list(range(2, n + 2)),
        }
        for k in spec.keys:
            chunk[k] = [int(str(r[k])) if r.get(k) not in (None, "") else None for r in items]
        for f in spec.field_names:
            chunk[f] = [r.get(f) for r in items]
        unknown = {k for r in items for k in r} - set(spec.field_names) - set(spec.keys)
        if unknown:
            raise KeyError(f"{table} has no field(s) {sorted(unknown)}")
        store.stage(spec, group, chunk, _FORMATS[return_name])
        files.append(file_name(table))
    store.replace_return(return_name, year, group, files, None)


def load_fixture(store: Store, return_name: str, year: int, fixture: Fixture, which: str) -> None:
    """Load the failing or passing data set of `fixture`, with last year's rows when it has some."""
    if fixture.last:
        load_rows(store, return_name, year - 1, fixture.last, group=2)
    load_rows(store, return_name, year, fixture.failing if which == "failing" else fixture.passing)
