"""The synthetic local authority: one consistent population written as CIN census and SSDA903 returns.

`generate` is the entry point (used by `datamonger synth`, tests and benchmarks).
"""

from __future__ import annotations

from datamonger.synth.generate import (
    DEFAULT_LA,
    SynthSummary,
    YearSummary,
    generate,
    write_provider_list,
)

__all__ = ["DEFAULT_LA", "SynthSummary", "YearSummary", "generate", "write_provider_list"]
