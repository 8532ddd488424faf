"""How fast the CIN census XML reader streams a large file into a real store.

Builds synthetic CIN census files of 10,000 and 50,000 children (in a temporary folder, never
committed), each child varied the way real returns vary (episodes, assessments with their
factors, plans, section 47 enquiries, protection plans with reviews, disabilities), then times
`read_xml` staging into a DuckDB store and the commit of the return. Each size runs in a fresh
process so that its peak memory is its own.

    .venv/bin/python benchmarks/bench_xml_parse.py [N ...]

Targets on 2 cores: 10,000 children under 3 s, 50,000 under 15 s, peak memory under 1 GB.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FACTORS = (
    "1A 1B 2B 3A 3B 3C 4A 4B 5B 6B 7A 8B 9A 10A 11A 12A 13A 14A 15A 16A 17A 18B 19B 20 22A 23A 24A"
)
DISABILITIES = "MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA"
ETHNIC = "WBRI WIRI WOTH MWBC MWBA MWAS AIND APKN ABAN BCRB BAFR CHNE OOTH REFU NOBT"
SOURCES = "1A 1B 1C 2A 2B 3A 3B 3E 4 5A 5C 6 7 8 9 10"


def _day(rng: random.Random, start: dt.date, span: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(span, 1)))


def _child(rng: random.Random, i: int, out: list[str]) -> int:
    """Append one child's XML lines; returns how many elements were written."""
    n = 0

    def leaf(indent: int, name: str, value: object) -> None:
        nonlocal n
        out.append(f"{' ' * indent}<{name}>{value}</{name}>")
        n += 1

    def open_(indent: int, name: str) -> None:
        nonlocal n
        out.append(f"{' ' * indent}<{name}>")
        n += 1

    def close(indent: int, name: str) -> None:
        out.append(f"{' ' * indent}</{name}>")

    start = dt.date(2024, 4, 1)
    open_(4, "Child")
    open_(6, "ChildIdentifiers")
    leaf(8, "LAchildID", f"SYN{i:07d}")
    if rng.random() < 0.8:
        leaf(8, "UPN", f"A201{rng.randrange(10**8):08d}{rng.choice('ABCDEFGH')}")
    else:
        leaf(8, "UPNunknown", rng.choice(["UN1", "UN2", "UN3", "UN5"]))
    leaf(8, "PersonBirthDate", dt.date(2007, 1, 1) + dt.timedelta(days=rng.randrange(6500)))
    leaf(8, "Sex", rng.choice("MFU"))
    close(6, "ChildIdentifiers")
    open_(6, "ChildCharacteristics")
    leaf(8, "Ethnicity", rng.choice(ETHNIC.split()))
    if rng.random() < 0.3:
        open_(8, "Disabilities")
        for code in rng.sample(DISABILITIES.split(), rng.randint(1, 3)):
            leaf(10, "Disability", code)
        close(8, "Disabilities")
    close(6, "ChildCharacteristics")
    for _ in range(rng.choices([1, 2, 3], [70, 22, 8])[0]):
        ref = _day(rng, start, 330)
        open_(6, "CINdetails")
        leaf(8, "CINreferralDate", ref)
        leaf(8, "ReferralSource", rng.choice(SOURCES.split()))
        leaf(8, "PrimaryNeedCode", f"N{rng.randint(1, 9)}")
        if rng.random() < 0.6:
            leaf(8, "CINclosureDate", ref + dt.timedelta(days=rng.randint(5, 200)))
            leaf(8, "ReasonForClosure", f"RC{rng.randint(1, 8)}")
        leaf(8, "ReferralNFA", rng.choice(["false", "false", "true", "0"]))
        for _ in range(rng.choices([0, 1, 2], [20, 70, 10])[0]):
            a = ref + dt.timedelta(days=rng.randint(0, 10))
            open_(8, "Assessments")
            leaf(10, "AssessmentActualStartDate", a)
            if rng.random() < 0.85:
                leaf(10, "AssessmentAuthorisationDate", a + dt.timedelta(days=rng.randint(5, 60)))
                open_(10, "FactorsIdentifiedAtAssessment")
                for code in rng.sample(FACTORS.split(), rng.randint(1, 5)):
                    leaf(12, "AssessmentFactors", code)
                close(10, "FactorsIdentifiedAtAssessment")
            close(8, "Assessments")
        if rng.random() < 0.35:
            p = ref + dt.timedelta(days=rng.randint(20, 60))
            open_(8, "CINPlanDates")
            leaf(10, "CINPlanStartDate", p)
            if rng.random() < 0.5:
                leaf(10, "CINPlanEndDate", p + dt.timedelta(days=rng.randint(30, 200)))
            close(8, "CINPlanDates")
        for _ in range(rng.choices([0, 1, 2], [70, 25, 5])[0]):
            s = ref + dt.timedelta(days=rng.randint(0, 20))
            open_(8, "Section47")
            leaf(10, "S47ActualStartDate", s)
            leaf(10, "InitialCPCtarget", s + dt.timedelta(days=15))
            if rng.random() < 0.5:
                leaf(10, "DateOfInitialCPC", s + dt.timedelta(days=rng.randint(5, 20)))
            leaf(10, "ICPCnotRequired", rng.choice(["false", "true"]))
            close(8, "Section47")
        if rng.random() < 0.15:
            c = ref + dt.timedelta(days=rng.randint(10, 40))
            open_(8, "ChildProtectionPlans")
            leaf(10, "CPPstartDate", c)
            leaf(10, "InitialCategoryOfAbuse", rng.choice(["NEG", "PHY", "SAB", "EMO", "MUL"]))
            leaf(10, "LatestCategoryOfAbuse", rng.choice(["NEG", "PHY", "SAB", "EMO", "MUL"]))
            leaf(10, "NumberOfPreviousCPP", rng.randint(0, 3))
            reviews = rng.randint(0, 6)
            if reviews:
                open_(10, "Reviews")
                for k in range(reviews):
                    leaf(12, "CPPreviewDate", c + dt.timedelta(days=90 * (k + 1)))
                close(10, "Reviews")
            close(8, "ChildProtectionPlans")
        if rng.random() < 0.03:
            open_(8, "PreProceedingsandFGDM")
            leaf(10, "PPStartDate", ref + dt.timedelta(days=30))
            leaf(10, "FGDMMeetingOffer", "Y")
            leaf(10, "ReviewMeetingsCount", rng.randint(0, 4))
            close(8, "PreProceedingsandFGDM")
        close(6, "CINdetails")
    close(4, "Child")
    return n


def build(path: Path, children: int, seed: int = 903) -> int:
    """Write a CIN census file of `children` children; returns the number of elements."""
    rng = random.Random(seed)
    elements = 12
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n'
            "    <CollectionDetails>\n      <Collection>CIN</Collection>\n"
            "      <Year>2025</Year>\n      <ReferenceDate>2025-03-31</ReferenceDate>\n"
            "    </CollectionDetails>\n    <Source>\n      <SourceLevel>L</SourceLevel>\n"
            "      <LEA>201</LEA>\n      <SoftwareCode>Synthetic</SoftwareCode>\n"
            "    </Source>\n  </Header>\n  <Children>\n"
        )
        for start in range(0, children, 1000):
            lines: list[str] = []
            for i in range(start, min(start + 1000, children)):
                elements += _child(rng, i, lines)
            fh.write("\n".join(lines))
            fh.write("\n")
        fh.write("  </Children>\n</Message>\n")
    return elements


def run_one(children: int) -> dict[str, Any]:
    from datamonger.readers.base import Limits
    from datamonger.readers.xml import read_xml
    from datamonger.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"cin_{children}.xml"
        elements = build(path, children)
        size = path.stat().st_size
        store = Store(Path(tmp) / "bench.duckdb")
        src = str(path)

        def stage(spec: Any, chunk: dict[str, list[Any]], fmt: str) -> None:
            store.stage(spec, 1, {**chunk, "source_file": [src] * len(chunk["source_line"])}, fmt)

        t0 = time.perf_counter()
        result = read_xml(path, stage, Limits())
        t1 = time.perf_counter()
        store.replace_return("cin", result.year or 2025, 1, [src], result.la)
        t2 = time.perf_counter()
        store.close()
    rows = sum(result.tables.values())
    return {
        "children": children,
        "mb": size / 1e6,
        "elements": elements,
        "rows": rows,
        "read_s": t1 - t0,
        "commit_s": t2 - t1,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(sizes: list[int]) -> None:
    print(
        f"{'children':>9} {'file MB':>8} {'elements':>10} {'rows':>9} {'read s':>7} "
        f"{'commit s':>8} {'total s':>7} {'elem/s':>10} {'peak MB':>8}"
    )
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True
        )
        if out.returncode != 0:
            print(out.stderr)
            raise SystemExit(out.returncode)
        r = json.loads(out.stdout)
        total = r["read_s"] + r["commit_s"]
        print(
            f"{r['children']:>9,} {r['mb']:>8.1f} {r['elements']:>10,} {r['rows']:>9,} "
            f"{r['read_s']:>7.2f} {r['commit_s']:>8.2f} {total:>7.2f} "
            f"{r['elements'] / total:>10,.0f} {r['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(run_one(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [10_000, 50_000])
