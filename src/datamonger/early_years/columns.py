"""The three inputs of the early-education monitor, named by their columns.

A file is recognised by its header, never by its name. Only constants and `kind_of` live here, so
the returns loader can recognise (and skip) these files without importing the monitor.
"""

from __future__ import annotations

from collections.abc import Sequence

EY_LIST = "ey_list"
IDENTITIES = "identities"
SETTINGS = "settings"
TRUTH = "early_years_truth"

EY_REQUIRED = (
    "forename", "surname", "date_of_birth", "postcode", "setting_urn", "setting_name",
    "funded_hours", "term", "la",
)  # fmt: skip
EY_OPTIONAL = ("upn", "child_id", "sex", "ethnicity")
IDENTITY_REQUIRED = ("child_id", "forename", "surname", "date_of_birth", "postcode")
IDENTITY_OPTIONAL = ("upn", "preferred_name", "former_surname")
TRUTH_COLUMNS = ("file", "line", "child_id")

# Ofsted's register of early years providers: our synthetic register's names first, then the
# names Ofsted's published management information uses for the same fields.
SETTINGS_ALIASES: dict[str, tuple[str, ...]] = {
    "urn": ("urn", "provider urn"),
    "setting_name": ("setting name", "provider name"),
    "setting_type": ("setting type", "provider type"),
    "local_authority": ("local authority",),
    "overall_effectiveness": (
        "overall effectiveness",
        "most recent full: overall effectiveness",
        "overall experiences and progress of children",
    ),
}
SETTINGS_REQUIRED = ("urn", "setting_type", "local_authority", "overall_effectiveness")

# Fields that identify a child: never written to logs or error messages, only their line.
PERSONAL = frozenset({"forename", "surname", "date_of_birth", "postcode", "preferred_name",
                      "former_surname", "upn"})  # fmt: skip


def clean(names: Sequence[str]) -> list[str]:
    return [n.strip().lstrip("\ufeff").strip().lower() for n in names]


def kind_of(names: Sequence[str]) -> str | None:
    """Which early-years input a header belongs to, or None."""
    cols = set(clean(names))
    if tuple(clean(names)) == TRUTH_COLUMNS:
        return TRUTH
    if {"setting_urn", "funded_hours"} & cols and {"forename", "date_of_birth"} <= cols:
        return EY_LIST
    if {"child_id", "forename", "date_of_birth"} <= cols:
        return IDENTITIES
    if any(a in cols for a in SETTINGS_ALIASES["urn"]) and any(
        a in cols for a in SETTINGS_ALIASES["setting_type"]
    ):
        return SETTINGS
    return None
