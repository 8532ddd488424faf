"""Every rule, found by walking the rule packs: a module in `rules/<return>/` with a `RULES` list.

Adding a rule never means editing a shared file: drop a module into the folder. The DfE's list
(`catalogue`) completes each declaration with its message, fields, tables and years.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from datamonger.validation import catalogue
from datamonger.validation.rule import Rule, RuleDecl


class RegistryError(Exception):
    """A rule pack declares something the DfE's list cannot support (fatal: a programming error)."""


def _complete(return_name: str, decl: RuleDecl, module: str) -> Rule:
    entry = catalogue.entries(return_name).get(decl.code)
    if entry is None:
        raise RegistryError(f"{module}: rule {decl.code} is not in the DfE's {return_name} list")
    years = entry.years
    if decl.years is not None:
        years = tuple(y for y in years if y in decl.years)
    severity = decl.severity or entry.severity or "error"
    if severity not in ("error", "query"):
        raise RegistryError(f"{module}: rule {decl.code} has severity {severity!r}")
    return Rule(
        return_=return_name,
        code=decl.code,
        message=entry.message,
        severity=severity,  # type: ignore[arg-type]
        fields=entry.fields,
        tables=entry.tables,
        years=years,
        needs=decl.needs,
        check=decl.check,
        fixture=decl.fixture,
        note=decl.note,
        module=module,
    )


@cache
def all_rules(return_name: str) -> dict[str, Rule]:
    """code -> Rule, for one return, in code order."""
    package = importlib.import_module(f"datamonger.validation.rules.{return_name}")
    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for decl in getattr(module, "RULES", ()):
            if decl.code in found:
                raise RegistryError(
                    f"rule {decl.code} is declared twice ({found[decl.code].module}, "
                    f"{module.__name__})"
                )
            found[decl.code] = _complete(return_name, decl, module.__name__)
    return dict(sorted(found.items(), key=lambda kv: sort_key(kv[0])))


def sort_key(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits and code[0].isdigit() else 10**9, code)


def rules_for(return_name: str, year: int) -> list[Rule]:
    """The implemented rules in force for a collection year."""
    ruleset = catalogue.ruleset_year(return_name, year)
    return [r for r in all_rules(return_name).values() if r.in_force(ruleset)]


def not_implemented(return_name: str, year: int) -> list[str]:
    """Codes in force in the DfE's list for `year` that no rule pack implements yet."""
    have = all_rules(return_name)
    return [e.code for e in catalogue.in_force(return_name, year) if e.code not in have]
