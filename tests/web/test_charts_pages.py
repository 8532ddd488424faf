"""The chart pages over HTTP: the indicator page's trend, strip and funnel; benchmarks on one
screen with its filters; the national explorer's ratios per 100, search by title and up/down
counts; the vendored Vega scripts and their licences. Figures are checked against the shipped
published data, not hard-coded."""

from __future__ import annotations

import html
import json
import re

import pytest

from datamonger.benchmarks.areas import ENGLAND
from datamonger.benchmarks.published import Published

D3 = "d3_cpps_subsequent_plan:CPP_start"
C4 = "c4_children_in_need_section_47s_and_icpcs:Section47"


@pytest.fixture(scope="module")
def pub() -> Published:
    return Published.open()


def _specs(page: str) -> list[dict]:
    return [json.loads(html.unescape(s)) for s in re.findall(r'data-vega-spec="([^"]*)"', page)]


def _values(spec: dict) -> list[dict]:
    return [r for rows in spec["datasets"].values() for r in rows]


def test_indicator_page_has_trend_strip_and_funnel(wb, as_role, pub) -> None:  # type: ignore[no-untyped-def]
    la = wb.la()
    keys = wb.measure_keys()
    year = max(wb.years())
    results = {r.id: r for r in wb.results(year)}
    # an indicator with a published measure, a numerator and a denominator
    ind = next(
        i
        for i, k in keys.items()
        if i in results
        and results[i].numerator
        and results[i].denominator
        and "%" in (results[i].unit or "")
    )
    page = as_role("manager").get(f"/framework/{ind}").text
    specs = _specs(page)
    kinds = [s["description"].split(".")[0] for s in specs]
    assert len(specs) == 3, kinds  # trend, strip, funnel
    trend, strip, funnel = specs
    key = keys[ind]
    last = pub.years[key][-1]
    england = pub.cells([(key, last)])[(key, last)][ENGLAND].value
    rows = _values(trend)
    assert any(
        r["series"] == "England" and r["year"] == last and r["value"] == england for r in rows
    )
    own = [r for r in rows if r["series"].endswith("(computed here)")]
    assert {r["year"]: r["value"] for r in own} == {
        y: v
        for y, v in ((y, next(r.value for r in wb.results(y) if r.id == ind)) for y in wb.years())
        if v is not None
    }
    dots = [r for r in _values(strip) if "role" in r]
    assert sum(r["role"] == "This LA" for r in dots) == (
        1 if any(r["name"] == la.name for r in dots) else 0
    )
    assert any(r["role"] == "Statistical neighbour" for r in dots)
    points = [r for r in _values(funnel) if "numerator" in r]
    r = results[ind]
    assert any(p["numerator"] == r.numerator and p["denominator"] == r.denominator for p in points)
    # each chart drawn on the server too, with its words and its table one click away
    assert page.count('role="img"') == 3 and page.count("Show the figures as a table") == 3


def test_benchmarks_one_screen_filters(as_role) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    first = c.get("/benchmarks")
    assert first.status_code == 200 and len(first.content) < 100_000
    assert "Economic factors" not in first.text  # outside social care: behind the filter
    everything = c.get("/benchmarks?topic=all&scope=all").text
    assert "Economic factors (free school meals)" in everything
    groups = re.findall(r'<th scope="rowgroup" colspan="9">([^<]+)</th>', everything)
    assert groups[0] == "Referrals and children in need" and len(groups) == len(set(groups))
    flagged = c.get("/benchmarks?topic=all&flagged=true&sort=flags").text
    rows = re.findall(r"<tr( class=\"flagged\")?><th scope=\"row\">", flagged)
    assert rows and all(rows)  # every row shown has a flag
    assert "may reflect local need, thresholds or policy" not in flagged
    worse = c.get("/benchmarks?topic=all&against=worse").text
    assert "better than England" not in worse and "worse than England" in worse
    assert c.get("/benchmarks?sort=nonsense").status_code == 400


def test_explorer_ratio_per_100_search_by_title_and_counts(as_role, pub) -> None:  # type: ignore[no-untyped-def]
    c = as_role("manager")
    year = max(set(pub.years[D3]) & set(pub.years[C4]))
    page = c.get(
        f"/benchmarks/explore?measure={D3}&per={C4}&year={year}&compare_year={year - 1}"
    ).text
    cells = pub.cells([(D3, year), (C4, year)])
    england = cells[(D3, year)][ENGLAND].value / cells[(C4, year)][ENGLAND].value * 100
    assert f"<dt>England</dt><dd>{england:,.1f}</dd>" in page  # per 100, like the briefing
    assert "per 100 " in page and "-0.0" not in page
    assert re.search(r"<dt>Up on \d+</dt><dd>\d+ LA\(s\)</dd>", page)
    assert re.search(r"<dt>Down on \d+</dt><dd>\d+ LA\(s\)</dd>", page)
    (spec,) = _specs(page)
    bars = [r for r in _values(spec) if "position" in r]
    assert len(bars) == len(re.findall(r"<tr><td>\d+</td><th scope=\"row\">", page))
    # a measure picked by its title, as the list offers it
    title = pub.catalogue.get("ReReferral").title
    by_title = c.get("/benchmarks/explore", params={"measure": title})
    assert by_title.status_code == 200 and "<code>ReReferral</code>" in by_title.text
    listed = html.unescape(c.get("/benchmarks/explore").text)
    assert f'<option value="ReReferral" label="{title}' in listed


def test_vendored_scripts_and_licences_served_under_the_csp(client) -> None:  # type: ignore[no-untyped-def]
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "LICENSE-vega"):
        r = client.get(f"/static/vendor/vega/{name}")
        assert r.status_code == 200 and len(r.content) > 1000
    assert "script-src 'self'" in client.get("/login").headers["content-security-policy"]


def test_framework_pdf_draws_each_chart_once(wb) -> None:  # type: ignore[no-untyped-def]
    from datamonger.reports.charts import render
    from datamonger.web.routes.framework import framework_pdf

    year = max(wb.years())
    charted = [
        i
        for i, trend in wb.result_trends().items()
        if i in wb.measure_keys() and any(v is not None for _, v in trend)
    ]
    first = framework_pdf(wb, year)
    assert first.startswith(b"%PDF") and first.count(b"/DCTDecode") == len(charted) > 0
    drawn = render.stats["misses"]
    again = framework_pdf(wb, year)
    assert render.stats["misses"] == drawn  # the second export draws nothing: all cached
    assert again.count(b"/DCTDecode") == len(charted)
