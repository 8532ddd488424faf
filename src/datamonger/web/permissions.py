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


ROLE_HELP: dict[Role, str] = {
    Role.administrator: "users, settings, the audit log, briefing subscribers; aggregated figures",
    Role.analyst: "uploads, validation, targets, child-level data and its exports; briefing subscribers",
    Role.manager: "aggregated figures and their exports; never a child's identifier",
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
    ),
    Role.manager: frozenset(EVERYONE),
}

# Resources whose data names children: their views and exports are written to the audit log.
CHILD_LEVEL = {"child"}


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
