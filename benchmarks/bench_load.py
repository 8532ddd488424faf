"""Loading speed: wall time, peak memory and rows per second for synthetic and hostile inputs.

    .venv/bin/python benchmarks/bench_load.py [--sizes 10000,50000] [--ssda903 20000]
        [--csv-rows 1000000,3000000] [--xlsx-rows 3000000] [--junk-mb 75] [--only NAME,...]

Each case runs in a fresh process so peak memory (max RSS) is its own. The inputs are generated
first (not timed) under bench-data/, which is not committed.
Cases:
- cin N: a synthetic CIN census of N children (targets: 10,000 < 3 s, 50,000 < 15 s, < 1 GB);
- ssda903 N: a synthetic SSDA903 folder;
- cin-junk MB: a CIN census whose last child is followed by MB megabytes of unknown elements;
- csv N: one Episodes CSV of N rows;
- xlsx N: one Episodes workbook of N rows (a small zip: most cells repeat).
Target for all (issue 13): peak RSS under 600 MB, streaming in bounded chunks.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def _child(kind: str, path: str) -> None:
    from datamonger.loading import load_paths
    from datamonger.store import Store

    db = Path(path).parent / f"bench-{Path(path).name}.duckdb"
    db.unlink(missing_ok=True)
    if kind == "cin":
        files = sorted(Path(path).rglob("cin_census.xml"))[-1:]
    elif kind == "ssda903":
        files = sorted({p.parent for p in Path(path).rglob("*.csv")})[-1:]
    else:
        files = [Path(path)]
    start = time.perf_counter()
    with Store(db) as store:
        report = load_paths(files, store, year=None if kind in ("cin", "ssda903") else 2025)
        rows = sum(n for _, _, _, n in report.loaded)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.unlink(missing_ok=True)
    print(json.dumps({"wall": wall, "peak_mb": peak_mb, "rows": rows, "exit": report.exit_code}))


def _generate(out: Path, children: int, share: float | None) -> None:
    if (out / "done").exists():
        return
    from datamonger.synth import generate

    generate(out, children=children, year=2025, years=1, seed=7, looked_after_share=share)
    (out / "done").write_text("ok")


def _row(i: int) -> str:
    return f"C{i},01/05/2024,S,C2,N1,U1,PR1,,,,M1 1AE,M1 1AE,SC{i % 1000:06d}"


def _csv(out: Path, rows: int) -> Path:
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="") as fh:
            fh.write(EPISODES + "\r\n")
            for start in range(0, rows, 100_000):
                fh.write(
                    "".join(_row(i) + "\r\n" for i in range(start, min(rows, start + 100_000)))
                )
    return out


def _xlsx(out: Path, rows: int) -> Path:
    """A workbook written as raw sheet XML (inline strings), deflated: small on disk, big inside."""
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    cols = EPISODES.split(",")

    def cell(col: int, text: str) -> str:
        letter = chr(65 + col)
        return f'<c r="{letter}{{r}}" t="inlineStr"><is><t>{text}</t></is></c>'

    template = "".join(cell(c, v) for c, v in enumerate(_row(7).split(",")) if v)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Episodes" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            head = "".join(cell(c, v) for c, v in enumerate(cols)).replace("{r}", "1")
            fh.write(f'<row r="1">{head}</row>'.encode())
            for start in range(2, rows + 2, 50_000):
                chunk = "".join(
                    f'<row r="{r}">{template.replace("{r}", str(r))}</row>'
                    for r in range(start, min(rows + 2, start + 50_000))
                )
                fh.write(chunk.encode())
            fh.write(b"</sheetData></worksheet>")
    return out


def _cin_junk(out: Path, megabytes: int) -> Path:
    """A small census followed, after its last child, by megabytes of unknown elements."""
    if out.exists():
        return out
    src = DATA / "cin-1000"
    _generate(src, 1000, None)
    (xml,) = sorted(src.rglob("cin_census.xml"))[-1:]
    text = xml.read_bytes()
    cut = text.rindex(b"</Children>")
    junk = b"".join(b"<Extra><Note>x</Note><Note>y</Note></Extra>\n" for _ in range(20_000))
    with out.open("wb") as fh:
        fh.write(text[:cut])
        for _ in range(megabytes * 1024 * 1024 // len(junk) + 1):
            fh.write(junk)
        fh.write(text[cut:])
    return out


def _run(kind: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,50000", help="CIN census sizes (children)")
    ap.add_argument("--ssda903", type=int, default=20000, help="SSDA903 set size (children)")
    ap.add_argument("--csv-rows", default="1000000,3000000", help="rows of one Episodes CSV")
    ap.add_argument("--xlsx-rows", default="3000000", help="rows of one Episodes workbook")
    ap.add_argument("--junk-mb", default="75", help="MB of unknown elements after the last child")
    ap.add_argument("--only", default="", help="run only these cases: cin,ssda903,junk,csv,xlsx")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    only = set(filter(None, args.only.split(",")))
    cases: list[tuple[str, str, Path]] = []
    if not only or "cin" in only:
        for n in filter(None, args.sizes.split(",")):
            out = DATA / f"cin-{n}"
            _generate(out, int(n), None)
            cases.append(("cin", f"cin {int(n):,} children", out))
    if not only or "ssda903" in only:
        out = DATA / f"ssda903-{args.ssda903}"
        _generate(out, args.ssda903, 1.0)
        cases.append(("ssda903", f"ssda903 {args.ssda903:,} children", out))
    if not only or "junk" in only:
        for mb in filter(None, args.junk_mb.split(",")):
            path = _cin_junk(DATA / f"cin-junk-{mb}mb.xml", int(mb))
            cases.append(("file", f"cin + {mb} MB unknown", path))
    if not only or "csv" in only:
        for n in filter(None, args.csv_rows.split(",")):
            path = _csv(DATA / f"episodes-{n}" / "episodes.csv", int(n))
            cases.append(("file", f"csv {int(n):,} rows", path))
    if not only or "xlsx" in only:
        for n in filter(None, args.xlsx_rows.split(",")):
            path = _xlsx(DATA / f"episodes-{n}.xlsx", int(n))
            mb = path.stat().st_size / 1024**2
            cases.append(("file", f"xlsx {int(n):,} rows ({mb:.0f} MB)", path))
    print(f"{'case':<30}{'wall s':>9}{'peak MB':>10}{'rows':>12}{'rows/s':>12}{'exit':>6}")
    for kind, name, path in cases:
        r = _run(kind, path)
        print(
            f"{name:<30}{r['wall']:>9.2f}{r['peak_mb']:>10.0f}{r['rows']:>12,.0f}"
            f"{r['rows'] / r['wall']:>12,.0f}{r['exit']:>6.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
