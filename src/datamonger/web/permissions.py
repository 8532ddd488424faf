"""Who may do what: actions on resources, granted to roles, resolved here and nowhere else.

Resources form a hierarchy: the LA (aggregated figures: framework, benchmarks, validation counts)
> a return (uploading files) > a child (anything that names or lists children: issue lists, file
lines, the children behind an indicator, child pages, the validation workbook). Plus the app's own
resources: targets, users, settings, audit, and the briefing's subscribers (names and email
addresses: administrators and analysts manage them; managers read the briefing, an `la` view).

Every route declares the one permission it needs with `Depends(need(action, resource))`; a test
walks the routes and checks that each declares one, and that a manager reaches no child resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    administrator = "administrator"
    analyst = "analyst"
    manager = "manager"
    virtual_school = "virtual_school"


ROLE_HELP: dict[Role, str] = {
    Role.administrator: "users, settings, the audit log, briefing subscribers; aggregated figures",
    Role.analyst: "uploads, validation, targets, child-level data and its exports; briefing subscribers",
    Role.manager: "aggregated figures and their exports; never a child's identifier",
    Role.virtual_school: "the early-education monitor: its children, review queue and list "
    "requests; aggregated figures",
}

RESOURCES = (
    "la",
    "return",
    "child",
    "target",
    "users",
    "settings",
    "audit",
    "account",
    "subscribers",
    "early_years",  # the early-education monitor's children, review queue and list requests
)
ACTIONS = ("view", "export", "upload", "edit")


@dataclass(frozen=True, slots=True)
class Permission:
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.action} {self.resource}"


P = Permission
EVERYONE = {P("view", "account"), P("edit", "account"), P("view", "la"), P("export", "la")}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.administrator: frozenset(
        EVERYONE
        | {P("view", "users"), P("edit", "users"), P("edit", "settings"), P("view", "audit")}
        | {P("view", "subscribers"), P("edit", "subscribers")}
    ),
    Role.analyst: frozenset(
        EVERYONE
        | {
            P("upload", "return"),
            P("view", "child"),
            P("export", "child"),
            P("edit", "target"),
            P("view", "subscribers"),
            P("edit", "subscribers"),
        }
        | {P("view", "early_years"), P("export", "early_years"), P("edit", "early_years")}
    ),
    Role.manager: frozenset(EVERYONE),
    Role.virtual_school: frozenset(
        EVERYONE | {P("view", "early_years"), P("export", "early_years"), P("edit", "early_years")}
    ),
}

# Resources whose data names children: their views and exports are written to the audit log.
CHILD_LEVEL = {"child", "early_years"}


def can(role: str | Role | None, action: str, resource: str) -> bool:
    if role is None:
        return False
    try:
        r = Role(role)
    except ValueError:
        return False
    return Permission(action, resource) in GRANTS[r]


def check_declared(action: str, resource: str) -> None:
    if action not in ACTIONS or resource not in RESOURCES:
        raise ValueError(f"unknown permission {action} {resource}")
