"""Validation of the statutory returns against the DfE's rules.

Public entry points: `validate` (engine), `registry.rules_for` and the `Report` it returns. Rule
packs live in `rules/ssda903/` and `rules/cin/`: they declare rules with `rule.rule` over the
shapes in `templates`, and never import the engine.
"""

from __future__ import annotations

from datamonger.validation.engine import validate
from datamonger.validation.report import Issue, Report

__all__ = ["Issue", "Report", "validate"]
