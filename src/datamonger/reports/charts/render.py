"""Static SVG from a Vega-Lite spec with vl-convert, cached by the spec's hash.

vl-convert runs Vega in an embedded JavaScript engine: the first drawing starts it (about 0.3 s),
later ones take tens of milliseconds. A framework PDF draws one chart per indicator, so the same
specs come back on every export: the cache makes the second export skip the drawing entirely.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from typing import Any

CACHE_SIZE = 512
_cache: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()
_draw_lock = threading.Lock()  # one drawing at a time: the engine is shared
stats = {"hits": 0, "misses": 0}


def spec_hash(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _cached(key: str, draw: Any) -> Any:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            stats["hits"] += 1
            return _cache[key]
    with _draw_lock:
        drawn = draw()
    with _lock:
        stats["misses"] += 1
        _cache[key] = drawn
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return drawn


def svg(spec: dict[str, Any]) -> str:
    """The spec drawn as SVG (the same drawing for the same spec, from the cache after once)."""
    import vl_convert as vlc

    key = spec_hash(spec)
    drawn: str = _cached(
        "svg:" + key, lambda: _own_ids(_ARIA.sub("", vlc.vegalite_to_svg(spec)), key[:8])
    )
    return drawn


def jpeg(spec: dict[str, Any], scale: float = 1.5) -> bytes:
    """The spec drawn as a JPEG, for the PDF: WeasyPrint embeds a JPEG as it is, where it would
    draw an SVG path by path or re-encode a PNG (60 charts: under a second, against about ten)."""
    import vl_convert as vlc

    drawn: bytes = _cached(
        f"jpeg{scale}:" + spec_hash(spec),
        lambda: vlc.vegalite_to_jpeg(spec, scale=scale, quality=90),
    )
    return drawn


def clear() -> None:
    with _lock:
        _cache.clear()


# Vega labels every mark for screen readers; a static drawing is one image with its own name and
# description instead (`accessible_svg`), so the marks' labels would only weigh the page down
_ARIA = re.compile(r' (?:aria-[a-z]+|role)="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')


def _own_ids(drawn: str, prefix: str) -> str:
    """Vega numbers its clip paths and gradients from 1 in every drawing: prefixed with the
    spec's hash, two charts inlined in one page do not share an id."""
    ids = set(_ID.findall(drawn))
    for old in ids:
        new = f"c{prefix}-{old}"
        drawn = drawn.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})")
    return drawn


def accessible_svg(chart: Any) -> str:
    """The chart's static SVG as an image with a name and a description (its text alternative):
    `role="img"`, a `<title>` and a `<desc>`, which pages number apart when inlined."""
    from xml.sax.saxutils import escape

    if not chart.spec:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="560" height="40" viewBox="0 0 560 40" '
            'role="img" aria-labelledby="t d">'
            f'<title id="t">{escape(chart.title)}</title><desc id="d">{escape(chart.alt)}</desc>'
            f'<text x="0" y="24" font-family="Arial, sans-serif" font-size="14">{escape(chart.alt)}'
            "</text></svg>"
        )
    drawn = svg(chart.spec)
    head, sep, rest = drawn.partition(">")
    return (
        head.replace("<svg ", '<svg role="img" aria-labelledby="t d" ', 1)
        + sep
        + f'<title id="t">{escape(chart.title)}</title><desc id="d">{escape(chart.alt)}</desc>'
        + rest
    )
