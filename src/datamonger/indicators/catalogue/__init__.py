"""The indicator catalogue: every indicator declared once, as data, in `cin.py` and `cla.py`.

A third party adds indicators the same way: build `Indicator` objects and `register` them.
"""

from __future__ import annotations

from datamonger.indicators.model import Category, Indicator, Polarity, Template

# Short names the declarations read well with
HOW_MUCH, HOW_WELL, BETTER_OFF = Category.how_much, Category.how_well, Category.better_off
HIGH, LOW, NEITHER = Polarity.high, Polarity.low, Polarity.neither
COUNT, RATE, SHARE, MEAN = Template.count, Template.rate, Template.share, Template.mean

REGISTRY: dict[str, Indicator] = {}


def register(*indicators: Indicator) -> None:
    for ind in indicators:
        if ind.id in REGISTRY:
            raise ValueError(f"indicator {ind.id} declared twice")
        REGISTRY[ind.id] = ind


def all_indicators() -> list[Indicator]:
    _load()
    return list(REGISTRY.values())


def get(indicator_id: str) -> Indicator | None:
    _load()
    return REGISTRY.get(indicator_id)


def _load() -> None:
    from datamonger.indicators.catalogue import (  # noqa: F401  (registers on import)
        cin,
        cla,
        early_years,
    )
