"""Staff roles and the sign-in lockout rule."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Role(enum.StrEnum):
    REP = "rep"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    """What a use case needs; the services check it, the window asks before offering an action."""

    SEARCH = "search"
    VIEW_CUSTOMER = "view_customer"
    HANDLE_CASES = "handle_cases"
    VERIFY_CALLER = "verify_caller"
    SYNC = "sync"
    REVIEW = "review"
    UNLOCK_VERIFICATION = "unlock_verification"
    VIEW_ALL_CASES = "view_all_cases"
    READ_AUDIT = "read_audit"
    ACKNOWLEDGE_AUDIT_BREAK = "acknowledge_audit_break"
    MANAGE_STAFF = "manage_staff"
    CONFIGURE_SYNC = "configure_sync"
    WORK_QUEUE = "work_queue"  # the supervisor's queue (what waits on a reviewer)


_LOOKUP = frozenset({Permission.SEARCH, Permission.VIEW_CUSTOMER})
_CASEWORK = frozenset({Permission.HANDLE_CASES, Permission.VERIFY_CALLER})
# Everyone may run a sync (the window does it on a timer); only an admin may point the desk at
# another shop database or ledger.
_SYNC = frozenset({Permission.SYNC})
_SUPERVISION = frozenset(
    {
        Permission.REVIEW,
        Permission.UNLOCK_VERIFICATION,
        Permission.VIEW_ALL_CASES,
        Permission.READ_AUDIT,
        Permission.ACKNOWLEDGE_AUDIT_BREAK,
        Permission.WORK_QUEUE,
    }
)
_ADMINISTRATION = frozenset(
    {Permission.MANAGE_STAFF, Permission.REVIEW, Permission.CONFIGURE_SYNC, Permission.WORK_QUEUE}
)
_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.REP: _LOOKUP | _CASEWORK | _SYNC,
    Role.SUPERVISOR: _LOOKUP | _CASEWORK | _SYNC | _SUPERVISION,
    Role.ADMIN: _LOOKUP | _SYNC | _ADMINISTRATION,
}


def role_allows(role: Role, permission: Permission) -> bool:
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
