"""`generate`: write a synthetic LA's CIN census and SSDA903 return for one or more years."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from datamonger.returns import GROUND_TRUTH_COLUMNS, label
from datamonger.returns.ssda903 import tables_in_year
from datamonger.synth import cin as cin_xml
from datamonger.synth import errors, ssda903
from datamonger.synth import proportions as P
from datamonger.synth.model import Child
from datamonger.synth.population import looked_after_count, simulate
from datamonger.synth.postcodes import known_las
from datamonger.synth.providers import OFSTED_COLUMNS, ofsted_list

DEFAULT_LA = "330"  # Birmingham: the largest metropolitan district; its postcodes ship in data/
GROUND_TRUTH = "ground_truth.csv"


@dataclass(slots=True)
class YearSummary:
    year: int
    folder: Path
    cin_path: Path
    cin_children: int
    ssda903_paths: dict[str, Path] = field(default_factory=dict)
    ssda903_rows: dict[str, int] = field(default_factory=dict)  # data rows, header excluded


@dataclass(slots=True)
class SynthSummary:
    out_dir: Path
    la: str
    seed: int
    children: int  # children of the CIN census, over all years
    looked_after: int  # children with an episode of care in any year written
    years: dict[int, YearSummary] = field(default_factory=dict)
    ground_truth: Path | None = None
    errors: int = 0
    # Every provider the children may be placed with, as rows of Ofsted's providers list (for the
    # URN rules: `write_provider_list`, then `datamonger validate --providers FILE`).
    providers: list[dict[str, str]] = field(default_factory=list)

    @property
    def rows_written(self) -> int:
        return sum(sum(y.ssda903_rows.values()) + y.cin_children for y in self.years.values())


def folder_name(year: int) -> str:
    """2025 -> '2024-25'."""
    return label(year).replace("/", "-")


def generate(
    out_dir: Path,
    children: int,
    year: int,
    years: int = 1,
    seed: int = 0,
    error_rate: float = 0.0,
    looked_after_share: float | None = None,
    la: str = DEFAULT_LA,
    adjust: Callable[[list[Child]], None] | None = None,
) -> SynthSummary:
    """Write `years` collection years ending with `year` for one consistent population.

    Layout: `out_dir/<YYYY-YY>/cin_census.xml` and `out_dir/<YYYY-YY>/ssda903/<Table>.csv`; with
    `error_rate > 0` also `out_dir/ground_truth.csv`. Same arguments, same bytes.
    """
    if children < 1:
        raise ValueError("children must be at least 1")
    if years < 1:
        raise ValueError("years must be at least 1")
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must be between 0 and 1")
    share = P.looked_after_share(years) if looked_after_share is None else looked_after_share
    if not 0.0 <= share <= 1.0:
        raise ValueError("looked_after_share must be between 0 and 1")
    if la not in known_las():
        raise ValueError(f"{la} is not a DfE LA number of an English children's services authority")
    first = year - years + 1
    population = list(simulate(children, first, year, seed, share, la))
    if adjust is not None:  # e.g. a partnership giving some children the identity of movers
        adjust(population)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = SynthSummary(
        out_dir, la, seed, children, sum(1 for c in population if c.care and c.in_cin_census)
    )
    summary.providers = ofsted_list(la, seed, looked_after_count(children, share))
    truth: list[errors.Truth] = []
    for y in range(first, year + 1):
        folder = out_dir / folder_name(y)
        (folder / "ssda903").mkdir(parents=True, exist_ok=True)
        cin_path = folder / "cin_census.xml"
        rng = random.Random(f"errors:cin:{seed}:{y}")
        n_cin = write_cin(cin_path, population, y, la, error_rate, rng, out_dir, truth)
        ys = YearSummary(y, folder, cin_path, n_cin)
        tables = ssda903.build(population, y, seed)
        for spec in tables_in_year(y):
            rows = tables.rows[spec.name]
            path = folder / "ssda903" / f"{spec.name}.csv"
            made = errors.inject_rows(
                spec.name,
                spec.csv_names,
                rows,
                y,
                error_rate,
                random.Random(f"errors:903:{seed}:{y}:{spec.name}"),
            )
            write_csv(path, spec.csv_names, rows)
            if made:
                line_of = {id(r): k + 2 for k, r in enumerate(rows)}
                rel = path.relative_to(out_dir).as_posix()
                truth.extend(
                    errors.Truth(
                        "ssda903", y, e.rule, e.table, rel, line_of[id(row)], row[0], e.field, value
                    )
                    for row, e, value in made
                )
            ys.ssda903_paths[spec.name] = path
            ys.ssda903_rows[spec.name] = len(rows)
        summary.years[y] = ys
    if error_rate > 0:
        summary.ground_truth = out_dir / GROUND_TRUTH
        write_ground_truth(summary.ground_truth, truth)
    summary.errors = len(truth)
    return summary


def write_provider_list(summary: SynthSummary, path: Path) -> Path:
    """Write the synthetic LA's providers as an Ofsted list CSV that `validate --providers`
    reads. Not written by `generate`: the output folder holds only the returns."""
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, OFSTED_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(summary.providers)
    return Path(path)


def write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        f.writelines(",".join(row) + "\n" for row in rows)


def write_cin(
    path: Path,
    population: list[Child],
    year: int,
    la: str,
    error_rate: float,
    rng: random.Random,
    out_dir: Path,
    truth: list[errors.Truth],
) -> int:
    """Stream the census: one child's nodes at a time, counting lines as they are written."""
    rel = path.relative_to(out_dir).as_posix()
    render = cin_xml.render
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n')
        header = cin_xml.header_nodes(year, la)
        f.write("\n".join(render(node) for node in header) + "\n  <Children>\n")
        line = 3 + len(header)  # the line of <Children>
        for child in population:
            if not cin_xml.in_census(child, year):
                continue
            nodes = cin_xml.child_nodes(child, year)
            if error_rate > 0 and rng.random() < error_rate:
                for node, e in errors.inject_child(nodes, year, rng):
                    at = line + 1 + cin_xml.row_anchor(nodes, _position(nodes, node))
                    truth.append(
                        errors.Truth(
                            "cin",
                            year,
                            e.rule,
                            node.table,
                            rel,
                            at,
                            child.child_id,
                            node.tag,
                            node.value,
                        )
                    )
            f.write("\n".join(map(render, nodes)) + "\n")
            line += len(nodes)
            n += 1
        f.write("  </Children>\n</Message>\n")
    return n


def write_ground_truth(path: Path, truth: list[errors.Truth]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(GROUND_TRUTH_COLUMNS)
        for t in truth:
            w.writerow(
                [t.return_, t.year, t.rule, t.table, t.file, t.line, t.child, t.field, t.value]
            )


def _position(nodes: list[cin_xml.Node], node: cin_xml.Node) -> int:
    return next(k for k, x in enumerate(nodes) if x is node)
