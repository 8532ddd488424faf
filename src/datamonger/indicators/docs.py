"""The catalogue page, generated from the declarations (docs/indicator_catalogue.md).

Regenerate with `python -m datamonger.indicators.docs > docs/indicator_catalogue.md`; a test fails
when the page and the declarations differ.
"""

from __future__ import annotations

from datamonger.indicators.catalogue import all_indicators
from datamonger.indicators.model import Indicator, Settings


def _entry(ind: Indicator) -> list[str]:
    lines = [
        f"#### {ind.title}",
        "",
        f"`{ind.id}` · {ind.category.value} · {ind.polarity.value} · {ind.unit_label} · "
        f"{ind.template.value} · {'CIN census' if ind.return_ == 'cin' else 'SSDA903'}",
        "",
        ind.description,
        "",
        f"- **Numerator**: {ind.numerator}",
        f"- **Denominator**: {ind.denominator}",
    ]
    if ind.exclusions:
        lines.append(f"- **Exclusions**: {ind.exclusions}")
    if ind.choice:
        lines.append(f"- **Reading chosen**: {ind.choice}")
    if ind.settings:
        lines.append(f"- **Settings**: {', '.join(f'`{s}`' for s in ind.settings)}")
    if ind.years > 1 or ind.lookback_years:
        lines.append(
            f"- **Years of returns**: {ind.years} needed"
            + (f", {ind.lookback_years} more read if loaded" if ind.lookback_years else "")
        )
    bench = []
    if ind.benchmark_key:
        bench.append(f"`{ind.benchmark_key}` (`datamonger benchmark --measures` key)")
    if ind.lait and ind.lait != ind.benchmark_key:
        bench.append(f"LAIT `{ind.lait}`")
    if ind.ees:
        bench.append(f"source: EES `{ind.ees}`")
    lines.append(f"- **Benchmark**: {'; '.join(bench) if bench else 'none published'}")
    lines.append("")
    return lines


def catalogue_markdown() -> str:
    inds = all_indicators()
    out = [
        "# Indicator catalogue",
        "",
        "Generated from the declarations in `src/datamonger/indicators/catalogue/` by "
        "`python -m datamonger.indicators.docs`; do not edit by hand.",
        "",
        f"{len(inds)} indicators. Settings (`--setting NAME=VALUE`) and their defaults: "
        + ", ".join(f"`{k}={v}`" for k, v in Settings().as_dict().items())
        + ".",
        "",
    ]
    for return_, heading in (("cin", "Children in need"), ("ssda903", "Children looked after")):
        out += [f"## {heading}", ""]
        group = None
        for ind in inds:
            if ind.return_ != return_:
                continue
            if ind.group != group:
                group = ind.group
                out += [f"### {group}", ""]
            out += _entry(ind)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
