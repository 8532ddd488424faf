"""Charts as Vega-Lite specs written with Altair: one spec drawn two ways.

- on the server, `render.svg(spec)` draws it to static SVG with vl-convert (the PDF framework
  export, the briefing, pages read without scripts); drawings are cached by the spec's hash;
- in the browser, `static/charts.js` hands the same spec to the vendored vega-embed, which adds
  tooltips, hover and click-through.

Every `Chart` carries its text alternative (`alt`, also the spec's `description`, which Vega
writes as the SVG's aria-label) and its table of figures (`columns`, `rows`), shown one click away.
"""

from datamonger.reports.charts.model import Chart, Series
from datamonger.reports.charts.render import svg
from datamonger.reports.charts.specs import funnel, ranked, sparkline_points, strip, trend

__all__ = ["Chart", "Series", "funnel", "ranked", "sparkline_points", "strip", "svg", "trend"]
