"""Staff roles and the sign-in lockout rule."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Role(enum.StrEnum):
    REP = "rep"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# What each role may do; the services check this, the UI only hides what would be refused.
_CASEWORK = frozenset({"handle_cases", "verify_caller"})
# Everyone may run a sync (the window does it on a timer); only an admin may point the desk at
# another shop database or ledger.
_SYNC = frozenset({"sync"})
_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.REP: frozenset({"search", "view_customer"}) | _CASEWORK | _SYNC,
    Role.SUPERVISOR: frozenset(
        {
            "search",
            "view_customer",
            "review",
            "unlock_verification",
            "view_all_cases",
            "read_audit",
            "acknowledge_audit_break",
        }
    )
    | _CASEWORK
    | _SYNC,
    Role.ADMIN: frozenset({"search", "view_customer", "manage_staff", "review", "configure_sync"})
    | _SYNC,
}


def role_allows(role: Role, permission: str) -> bool:
    return permission in _PERMISSIONS[role]


@dataclass(frozen=True, slots=True)
class SignInPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)

    def locked_until(self, failures: int, last_failure: datetime) -> datetime | None:
        """After ``max_failures`` wrong passwords in a row the account waits ``lockout``."""
        if failures < self.max_failures:
            return None
        return last_failure + self.lockout


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A signed-in person, as the services and the UI see them."""

    staff_id: int
    username: str
    display_name: str
    role: Role
