"""Which DfE rules are implemented: registry sanity, the gap per return and year, the catalogue."""

from __future__ import annotations

from pathlib import Path

from datamonger.validation import catalogue, registry
from datamonger.validation.catalogue_doc import render

REQUIRE_ALL = True  # every rule in the DfE lists is declared (411 as never checkable, with why)
ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_is_in_the_dfe_list_with_its_message_verbatim() -> None:
    for name in catalogue.RETURNS:
        for code, r in registry.all_rules(name).items():
            entry = catalogue.entries(name)[code]
            assert r.message == entry.message
            assert r.fields == entry.fields
            assert r.years and set(r.years) <= set(entry.years)


def test_gap_per_return_and_year() -> None:
    gaps = {}
    for name in catalogue.RETURNS:
        for year in catalogue.known_years(name):
            missing = registry.not_implemented(name, year)
            gaps[(name, year)] = missing
            print(f"{name} {year}: {len(missing)} not implemented: {' '.join(missing)}")
    if REQUIRE_ALL:
        assert not any(gaps.values()), {k: v for k, v in gaps.items() if v}


def test_rules_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m datamonger.validation.catalogue_doc"


def test_code_sets_change_by_year() -> None:
    rules = registry.all_rules("ssda903")
    from datamonger.validation.rule import Context

    sex_2024 = rules["101"].check.sql(Context(2024))
    sex_2025 = rules["101"].check.sql(Context(2025))
    assert "'1', '2'" in sex_2024 and "'M', 'F', 'U'" in sex_2025
    place_2025 = rules["146"].check.sql(Context(2025))
    place_2026 = rules["146"].check.sql(Context(2026))
    assert "'Z1'" in place_2025 and "'Z11'" not in place_2025
    assert "'Z11'" in place_2026 and "'H5'" not in place_2026 and "'K3'" in place_2025


def test_dolo_rules_only_from_2026_27() -> None:
    codes_2026 = {r.code for r in registry.rules_for("ssda903", 2026)}
    codes_2027 = {r.code for r in registry.rules_for("ssda903", 2027)}
    assert "700" not in codes_2026 and "700" in codes_2027
