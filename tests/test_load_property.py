"""Property: whatever bytes a return holds, `load` keeps the promises of "Loading returns".

For any byte string, or any mutation of a valid return (bytes, lines, cells, quotes, elements
deleted, duplicated or swapped), loading it:
- never raises (users never see a traceback) and exits 0, 1 or 2 as documented;
- loads every row of a CSV table or reports every row it did not load (blank rows are counted);
- leaves the database as it was, or holds the whole new return: the rows of each return and
  year loaded are exactly the rows the report says, and every other return and year is untouched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datamonger.loading import load_paths
from datamonger.store import ALL_TABLES, Store

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
EPISODE_ROWS = [
    f"C{i},0{i}/05/2024,S,C2,N1,U1,PR1,{'20/01/2025' if i % 2 else ''},{'E13' if i % 2 else ''},,"
    f'M1 1AE,"LS1 1AA",SC00000{i}'
    for i in range(1, 7)
]
VALID: dict[str, bytes] = {
    "episodes.csv": ("\r\n".join([EPISODES, *EPISODE_ROWS]) + "\r\n").encode(),
    "header.csv": (
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        + "".join(f"C{i},M,01/01/201{i},WBRI,,,\n" for i in range(1, 7))
    ).encode(),
    "cin.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<Header>\n<CollectionDetails>\n'
        "<Collection>CIN</Collection>\n<Year>2025</Year>\n<ReferenceDate>2025-03-31"
        "</ReferenceDate>\n</CollectionDetails>\n<Source>\n<LEA>201</LEA>\n</Source>\n"
        "</Header>\n<Children>\n"
        + "".join(
            f"<Child>\n<ChildIdentifiers>\n<LAchildID>K{i}</LAchildID>\n<PersonBirthDate>"
            f"2012-06-1{i}</PersonBirthDate>\n</ChildIdentifiers>\n<CINdetails>\n"
            f"<CINreferralDate>2024-05-0{i}</CINreferralDate>\n</CINdetails>\n</Child>\n"
            for i in range(1, 4)
        )
        + "</Children>\n</Message>\n"
    ).encode(),
}
_TEMPLATE: dict[str, Path] = {}


def _template(root: Path) -> Path:
    """A database already holding a 2023/24 SSDA903 return and a 2024/25 CIN census."""
    if "db" not in _TEMPLATE:
        src = root / "template"
        (src / "r").mkdir(parents=True)
        for name, data in VALID.items():
            (src / "r" / name).write_bytes(data)
        with Store(src / "db.duckdb") as store:
            report = load_paths([src / "r"], store, year=None)
            assert report.exit_code == 0, report.problems
            store.con.execute(
                "UPDATE returns_loaded SET collection_year = 2024 WHERE return_name = 'ssda903'"
            )
            for spec in ALL_TABLES:
                if spec.return_ == "ssda903":
                    store.con.execute(f"UPDATE {spec.store_name} SET collection_year = 2024")
            store.con.execute("CHECKPOINT")
        _TEMPLATE["db"] = src / "db.duckdb"
    return _TEMPLATE["db"]


def _counts(store: Store) -> dict[tuple[str, int], int]:
    out: dict[tuple[str, int], int] = {}
    for spec in ALL_TABLES:
        for year, n in store.con.execute(
            f"SELECT collection_year, count(*) FROM {spec.store_name} GROUP BY 1"
        ).fetchall():
            out[(spec.name if spec.return_ == "ssda903" else "cin." + spec.name, int(year))] = n
    return out


# --- mutations --------------------------------------------------------------------------------
def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@st.composite
def mutated(draw: Any) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(VALID)))
    data = VALID[name]
    kind = draw(
        st.sampled_from(
            ["bytes", "random", "byte", "line", "cell", "quote", "element", "rename", "twice"]
        )
    )
    for _ in range(2 if kind == "twice" else 1):
        op = kind if kind != "twice" else draw(st.sampled_from(["byte", "line", "cell", "quote"]))
        data = _mutate(draw, op, name, data)
    return name, data


def _mutate(draw: Any, kind: str, name: str, data: bytes) -> bytes:
    if kind == "bytes":
        return bytes(draw(st.binary(max_size=300)))
    if kind == "random":  # a valid start, then junk
        cut = draw(st.integers(0, len(data)))
        return data[:cut] + draw(st.binary(max_size=40))
    if kind == "byte":
        i = draw(st.integers(0, max(0, len(data) - 1)))
        j = draw(st.integers(0, max(0, len(data) - 1)))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        b = bytearray(data)
        if op == "delete":
            del b[i]
        elif op == "duplicate":
            b.insert(i, b[i])
        elif op == "swap":
            b[i], b[j] = b[j], b[i]
        else:
            b[i] = draw(st.integers(0, 255))
        return bytes(b)
    if kind in ("line", "element"):  # the XML fixture has one element per line
        lines = _lines(data)
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return b"".join(lines)
    if kind == "cell":
        lines = _lines(data)
        i = draw(st.integers(0, len(lines) - 1))
        end = len(lines[i]) - len(lines[i].rstrip(b"\r\n"))
        cells = lines[i][: len(lines[i]) - end].split(b",")
        k = draw(st.integers(0, len(cells) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "empty"]))
        if op == "delete":
            del cells[k]
        elif op == "duplicate":
            cells.insert(k, cells[k])
        elif op == "swap":
            m = draw(st.integers(0, len(cells) - 1))
            cells[k], cells[m] = cells[m], cells[k]
        else:
            cells[k] = b""
        lines[i] = b",".join(cells) + lines[i][len(lines[i]) - end :]
        return b"".join(lines)
    if kind == "quote":
        i = draw(st.integers(0, len(data)))
        return data[:i] + b'"' + data[i:]
    # rename: an element or column name changes case or loses a letter
    names = re.findall(rb"<([A-Za-z]+)>", data) or re.findall(rb"[A-Z_]{3,}", data)
    old = draw(st.sampled_from(sorted(set(names))))
    new = draw(st.sampled_from([old.lower(), old[:-1], old + b"X"]))
    return data.replace(old, new)


# --- the property -----------------------------------------------------------------------------
_BLANK = re.compile(r"(\d+) blank row")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated())
def test_any_input_loads_whole_or_is_reported_and_the_database_stays_consistent(
    tmp_path_factory: Any, case: tuple[str, bytes]
) -> None:
    name, data = case
    root = tmp_path_factory.mktemp("p")
    template = _template(tmp_path_factory.getbasetemp())
    folder = root / "r"
    folder.mkdir()
    for other, valid in VALID.items():
        (folder / other).write_bytes(data if other == name else valid)
    db = root / "db.duckdb"
    shutil.copy(template, db)
    with Store(db) as store:
        before = _counts(store)
        report = load_paths([folder], store)  # must not raise
        after = _counts(store)
        assert report.exit_code in (0, 1, 2)
        assert report.exit_code == (
            2 if not report.files_loaded else 1 if report.files_refused else 0
        )
        every = {str(folder / n) for n in VALID}
        assert (
            set(report.files_loaded) | set(report.files_refused) | set(report.files_skipped)
            == every
        )
        loaded = {(r, y) for r, y, _, _ in report.loaded}
        # untouched: every return and year not loaded now
        for (table, year), n in before.items():
            ret = "cin" if table.startswith("cin.") else "ssda903"
            if (ret, year) not in loaded:
                assert after.get((table, year)) == n, (table, year)
        # whole: what was loaded is exactly what the report says
        for ret, year, table, rows in report.loaded:
            key = ("cin." + table if ret == "cin" else table, year)
            assert after.get(key, 0) == rows, (key, rows)
        # every CSV row loaded or reported
        target = folder / name
        if name.endswith(".csv") and str(target) in report.files_loaded:
            text = data.decode("utf-8", "replace")
            # lines as CSV counts them: str.splitlines also breaks on \v, \f, \x1c...
            physical = re.split(r"\r\n|\r|\n", text)
            if physical[-1] == "":
                physical.pop()
            first = next(i for i, line in enumerate(physical) if line.strip(" ,\t\ufeff"))
            union = " UNION ALL ".join(
                f"SELECT source_file FROM {spec.store_name}"
                for spec in ALL_TABLES
                if spec.return_ == "ssda903"
            )
            staged = store.con.execute(
                f"SELECT count(*) FROM ({union}) WHERE source_file = ?", [str(target)]
            ).fetchone()
            blank = sum(
                int(m[1])
                for p in report.problems
                if p.file == str(target) and p.code == "blank_rows"
                for m in [_BLANK.search(p.message)]
                if m
            )
            assert staged is not None
            assert staged[0] + blank == len(physical) - first - 1, (staged[0], blank)
