"""Staff sign-in (argon2 hashes, lockout) and the role checks every use case makes."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from csconsole.domain.errors import PermissionDenied, SignInError
from csconsole.domain.staff import Permission, Role, SignInPolicy, StaffMember, role_allows
from csconsole.services.audit import record, record_system_event, session_changes
from csconsole.services.ports import Clock, StaffAuditUnitOfWorkFactory

MIN_PASSWORD_CHARS = 12
# The audited reason of a forced sign-out (``AuthService.still_signed_in``).
SIGNED_OUT_BY_SYNC = "account changed by sync"


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in at which workstation; passed to every use case."""

    staff: StaffMember
    workstation: str

    def may(self, permission: Permission) -> bool:
        """Whether this person's role allows ``permission`` (the window asks before offering)."""
        return role_allows(self.staff.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            action = permission.value.replace("_", " ")
            raise PermissionDenied(
                f"{self.staff.role.value} {self.staff.username!r} may not {action}"
            )


def generate_password() -> str:
    """A password a person can read aloud once and type: 4 groups of 5 from a clear alphabet."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


class AuthService:
    def __init__(
        self,
        uow_factory: StaffAuditUnitOfWorkFactory,
        clock: Clock,
        *,
        workstation: str,
        policy: SignInPolicy | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._workstation = workstation
        self._policy = policy or SignInPolicy()
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    def _dummy_verify(self, password: str) -> None:
        """Spend what a real check costs, so an unknown name fails as slowly as a known one."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        with contextlib.suppress(VerificationError, InvalidHashError):
            self._hasher.verify(self._dummy_hash, password)

    def sign_in(self, username: str, password: str) -> Session:
        """Check the password; every attempt, passed or not, is an audit event."""
        username = username.strip()
        with self._uow() as uow:
            record = uow.staff.by_username(username)
            now = self._clock.now()
            if record is None or not record.active:
                self._dummy_verify(password)
                record_system_event(
                    uow.audit,
                    at=now,
                    actor=username[:64] or "?",
                    role="unknown",
                    action="staff.sign_in_failed",
                    details={"reason": "unknown user"},
                )
                uow.commit()
                raise SignInError("Unknown user name or wrong password.")
            if record.last_failure_at is not None:
                until = self._policy.locked_until(record.failed_attempts, record.last_failure_at)
                if until is not None and now < until:
                    record_system_event(
                        uow.audit,
                        at=now,
                        actor=record.username,
                        role=record.role.value,
                        action="staff.sign_in_refused",
                        details={"reason": "locked"},
                    )
                    uow.commit()
                    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
                    raise SignInError(
                        f"Account locked after {record.failed_attempts} failed sign-ins; "
                        f"try again in {minutes} min or ask an admin."
                    )
            try:
                self._hasher.verify(record.password_hash, password)
            except (VerificationError, InvalidHashError):
                uow.staff.record_failure(record.staff_id, now)
                record_system_event(
                    uow.audit,
                    at=now,
                    actor=record.username,
                    role=record.role.value,
                    action="staff.sign_in_failed",
                    details={"reason": "password"},
                )
                uow.commit()
                raise SignInError("Unknown user name or wrong password.") from None
            rehash = (
                self._hasher.hash(password)
                if self._hasher.check_needs_rehash(record.password_hash)
                else None
            )
            uow.staff.record_success(record.staff_id, rehash)
            record_system_event(
                uow.audit,
                at=now,
                actor=record.username,
                role=record.role.value,
                action="staff.sign_in",
                details={"workstation": self._workstation},
            )
            uow.commit()
        member = StaffMember(record.staff_id, record.username, record.display_name, record.role)
        return Session(member, self._workstation)

    def still_signed_in(self, session: Session) -> bool:
        """Whether ``session`` still matches its staff row: same user name, active, same id and
        role. A sync may re-key, deactivate or change a person in the central ledger (shared
        staff replication); a window checks after each sync and signs the person out if not.

        A stale session is the forced sign-out: the answer ``False`` is audited
        (``staff.signed_out``, with what changed, never a password) in the same call.
        """
        staff = session.staff
        with self._uow() as uow:
            changed = session_changes(uow.staff.by_username(staff.username), staff)
            if not changed:
                return True
            # The session is stale by definition here, so the checked path would refuse it.
            record_system_event(
                uow.audit,
                at=self._clock.now(),
                actor=staff.username,
                role=staff.role.value,
                action="staff.signed_out",
                details={
                    "reason": SIGNED_OUT_BY_SYNC,
                    "changed": ",".join(changed),
                    "workstation": session.workstation,
                },
            )
            uow.commit()
        return False

    def bootstrap_staff(self, accounts: list[tuple[str, str, Role]]) -> list[tuple[str, str, Role]]:
        """Create the first accounts of an empty cache with generated passwords.

        Returns (username, password, role); the passwords exist nowhere else afterwards.
        """
        created = []
        with self._uow() as uow:
            if uow.staff.count() > 0:
                raise PermissionDenied("staff accounts exist already; ask an admin")
            for username, display_name, role in accounts:
                password = generate_password()
                uow.staff.add(username, display_name, role, self._hasher.hash(password))
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="system",
                    action="staff.created",
                    details={"username": username, "role": role.value},
                )
                created.append((username, password, role))
            uow.commit()
        return created

    def create_staff(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        *,
        created_by: Session | None,
    ) -> int:
        """Add an account. Only an admin may, except for the very first account (bootstrap)."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise ValueError(f"password: must have at least {MIN_PASSWORD_CHARS} characters")
        username = username.strip()
        if not username or len(username) > 64 or not username.isprintable():
            raise ValueError("username: 1 to 64 printable characters")
        with self._uow() as uow:
            if created_by is None:
                if uow.staff.count() > 0:
                    raise PermissionDenied("only an admin may add staff")
            else:
                created_by.require(Permission.MANAGE_STAFF)
            if uow.staff.by_username(username) is not None:
                raise ValueError(f"username: {username!r} already exists")
            staff_id = uow.staff.add(username, display_name, role, self._hasher.hash(password))
            details = {"username": username, "role": role.value}
            if created_by is None:  # the first account of an empty cache
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="system",
                    action="staff.created",
                    details=details,
                )
            else:
                record(uow, self._clock, created_by, "staff.created", details=details)
            uow.commit()
        return staff_id
