"""How one headline figure is written: the value, the counts behind it, and a change.

All suppression goes through `numbers`: a withheld figure is written as such and its counts are not
written at all, so the small count cannot be read from the sentence.
"""

from __future__ import annotations

from datamonger.briefing import numbers
from datamonger.briefing.headlines import Headline, Parts

NO_PARTS = Parts(None, None)


def withheld(h: Headline, value: float | None, parts: Parts) -> bool:
    if h.kind == "count":
        return h.child_counts and numbers.is_small(value)
    return parts.withheld(h.child_counts, based=bool(h.base))


def _part(h: Headline, x: float | None) -> str:
    if x is None:
        return "not published"
    if h.kind == "rate" and x >= 100_000:
        return numbers.big(x)
    if not h.child_counts:
        return f"{x:,.0f}" if x == round(x) else numbers.plain(x, 0 if x > 100 else 1)
    return numbers.count(x)


def value(h: Headline, x: float | None, parts: Parts | None = None) -> str:
    """The figure alone, in its unit ("22.4%", "67 per 10,000", "fewer than 6"). Without `parts`
    the figure is not one area's (a quartile, a fence, a mean of LAs) and no base is checked."""
    if x is None:
        return "not published"
    if h.kind == "count":
        return numbers.count(x, h.child_counts)  # a small count is itself "fewer than 6"
    if parts is not None and withheld(h, x, parts):
        return numbers.WITHHELD
    if h.kind == "percent":
        return numbers.percent(x)
    if h.kind == "rate":
        return f"{numbers.plain(x)} per 10,000"
    if h.kind == "ratio":
        return f"{numbers.plain(x)} per 100"
    if h.kind == "days":
        return f"{numbers.plain(x)} working days"
    return f"{numbers.plain(x)} {h.numerator_words} per social worker"


def counts(h: Headline, parts: Parts) -> str:
    """The counts behind a figure, in brackets, or "" when there are none to give."""
    if h.kind in ("count", "days") or parts.withheld(h.child_counts, based=bool(h.base)):
        return ""
    num, base = parts.numerator, parts.base
    if num is None and base is None:
        return ""
    if h.kind == "percent":
        return f" ({_part(h, num)} {h.numerator_words} of {_part(h, base)} {h.base_words})"
    return f" ({_part(h, num)} {h.numerator_words}; {_part(h, base)} {h.base_words})"


def figure(h: Headline, x: float | None, parts: Parts = NO_PARTS) -> str:
    """The figure with the counts behind it: "22.4% (140,470 re-referrals of 627,180 referrals)"."""
    shown = value(h, x, parts)
    if x is None or shown in (numbers.WITHHELD, numbers.FEWER):
        return shown
    return shown + counts(h, parts)


def based(h: Headline, x: float | None, parts: Parts = NO_PARTS) -> str:
    """The figure with its base only: "22.4% of 627,180 referrals" (for comparators)."""
    shown = value(h, x, parts)
    if x is None or shown == numbers.WITHHELD or h.kind not in ("percent",) or parts.base is None:
        return shown
    return f"{shown} of {_part(h, parts.base)} {h.base_words}"


def change(h: Headline, now: float, before: float) -> float:
    return now - before


def movement(
    h: Headline, now: float | None, before: float | None, withheld_either: bool = False
) -> str | None:
    """ "up 0.9 percentage points", "down 4,530 (0.7%)", "unchanged"; None when not comparable."""
    if now is None or before is None or withheld_either:
        return None
    d = now - before
    if abs(d) < 1e-9:
        return "unchanged"
    word = "up" if d > 0 else "down"
    if h.kind == "percent":
        return f"{word} {numbers.points(d)}"
    if h.kind == "count":
        if h.child_counts and (numbers.is_small(now) or numbers.is_small(before)):
            return None
        pct = f" ({numbers.plain(abs(d) / before * 100)}%)" if before else ""
        return f"{word} {abs(d):,.0f}{pct}"
    return f"{word} {numbers.plain(abs(d))}"
