"""`datamonger synth`: write a synthetic LA's CIN census and SSDA903 returns."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from datamonger.cli.app import app
from datamonger.synth import DEFAULT_LA, generate


@app.command()
def synth(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder to write the returns into.", file_okay=False)
    ],
    children: Annotated[
        int, typer.Option("--children", min=1, help="Children in the CIN census, over all years.")
    ] = 1000,
    year: Annotated[
        int,
        typer.Option(
            "--year", help="Latest collection year, the year in which it ends (2025 = 2024/25)."
        ),
    ] = 2025,
    years: Annotated[
        int,
        typer.Option(
            "--years", min=1, max=10, help="Consecutive collection years ending with --year."
        ),
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    error_rate: Annotated[
        float,
        typer.Option(
            "--error-rate",
            min=0.0,
            max=1.0,
            help="Share of records given a deliberate recording error; writes ground_truth.csv.",
        ),
    ] = 0.0,
    looked_after_share: Annotated[
        float | None,
        typer.Option(
            "--looked-after-share",
            min=0.0,
            max=1.0,
            help="Share of the children who are looked after (default: England's 2024/25 ratio).",
        ),
    ] = None,
    la: Annotated[
        str, typer.Option("--la", help="DfE 3-digit number of the synthetic LA.")
    ] = DEFAULT_LA,
    messy: Annotated[
        float,
        typer.Option(
            "--messy",
            min=0.0,
            max=1.0,
            help="Share of values replaced by random dates and codes afterwards, as in a first "
            "extract before cleaning (for the validation benchmark; no ground truth).",
        ),
    ] = 0.0,
    early_years: Annotated[
        bool,
        typer.Option(
            "--early-years",
            help="Also write early_years/: identities, early-years lists of the LA and two "
            "neighbours, a settings register and early_years_truth.csv (as of 31 March --year).",
        ),
    ] = False,
    ey_list_rows: Annotated[
        int | None,
        typer.Option(
            "--ey-list-rows", min=1, help="Rows of the LA's early-years list (default: 40 per CLA)."
        ),
    ] = None,
    las: Annotated[
        str | None,
        typer.Option(
            "--las",
            help="Several LAs of a partnership (e.g. 330,331,332), one folder each, with some "
            "children who move between them (see docs/pool.md).",
        ),
    ] = None,
) -> None:
    """Generate a synthetic LA: one population, consistent across both returns and the years."""
    started = time.perf_counter()
    if las:
        if early_years or messy > 0 or error_rate > 0:
            raise typer.BadParameter(
                "--las writes a clean partnership; --early-years, --messy and --error-rate are "
                "for one LA"
            )
        _partnership(out_dir, las, children, year, years, seed)
        return
    try:
        summary = generate(out_dir, children, year, years, seed, error_rate, looked_after_share, la)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console = Console()
    for ys in summary.years.values():
        episodes = ys.ssda903_rows.get("Episodes", 0)
        header = ys.ssda903_rows.get("Header", 0)
        console.print(
            f"{ys.folder.name}: CIN census {ys.cin_children} children; "
            f"SSDA903 {header} children, {episodes} episodes, {len(ys.ssda903_paths)} tables"
        )
    if summary.ground_truth is not None:
        console.print(f"{summary.errors} injected errors listed in {summary.ground_truth}")
    if messy > 0:
        from datamonger.synth.messy import messify

        changed = messify(summary.out_dir, messy, seed)
        console.print(f"Messy: {changed:,} values replaced by random dates and codes")
    if early_years:
        from datamonger.synth.early_years import write_for

        ey = write_for(summary, year, years, looked_after_share, ey_list_rows)
        console.print(
            f"Early years: {ey.identities} identities, lists "
            + ", ".join(f"{k} {v:,} rows" for k, v in ey.lists.items())
            + f", {ey.truth_rows} looked-after rows in {ey.folder.name}/early_years_truth.csv"
        )
    console.print(f"Written to {summary.out_dir} in {time.perf_counter() - started:.1f} s")


def _partnership(out_dir: Path, las: str, children: int, year: int, years: int, seed: int) -> None:
    from datamonger.synth.partnership import generate_partnership
    from datamonger.synth.postcodes import known_las

    codes = [x.strip() for x in las.split(",") if x.strip()]
    unknown = [c for c in codes if c not in known_las()]
    if unknown:
        raise typer.BadParameter(f"not DfE LA numbers of English LAs: {', '.join(unknown)}")
    started = time.perf_counter()
    try:
        summary = generate_partnership(out_dir, codes, children, year, years, seed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console = Console()
    for la, s in summary.las.items():
        console.print(
            f"LA {la}: {s.children} children over {len(s.years)} year(s); "
            f"{summary.movers[la]} moved in from the LA before it"
        )
    console.print(f"Written to {summary.out_dir} in {time.perf_counter() - started:.1f} s")
