"""Staff sign-in (argon2 hashes, lockout) and the role checks every use case makes."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from csconsole.domain import signing
from csconsole.domain.errors import PermissionDenied, SignInError
from csconsole.domain.staff import Permission, Role, SignInPolicy, StaffMember, role_allows
from csconsole.services.audit import record, record_system_event, session_changes
from csconsole.services.ports import (
    Clock,
    StaffAuditUnitOfWork,
    StaffAuditUnitOfWorkFactory,
    StaffRecord,
)
from csconsole.services.signing import SealCost, new_key, seal, signed_row, unseal

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

MIN_PASSWORD_CHARS = 12
# The audited reason of a forced sign-out (``AuthService.still_signed_in``).
SIGNED_OUT_BY_SYNC = "account changed by sync"
UNSIGNED_ACCOUNT = (
    "This account's staff row carries no valid signature (made before signed staff rows, or "
    "changed outside the console), so it cannot sign in; an admin must re-save it "
    "(docs/security.md, Signatures)."
)
SIGNED_OUT_BY_PERSON = "signed out"


@dataclass(frozen=True, slots=True)
class Session:
    """Who is signed in at which workstation; passed to every use case."""

    staff: StaffMember
    workstation: str
    # The person's unsealed signing key, for admins and supervisors (services/signing.py).
    signing_key: Ed25519PrivateKey | None = field(default=None, repr=False, compare=False)

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
        seal_cost: SealCost | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._workstation = workstation
        self._policy = policy or SignInPolicy()
        self._hasher = hasher or PasswordHasher()
        self._seal_cost = seal_cost or SealCost()
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
            rows = uow.staff.signed_rows()
            root = signing.root_of(rows, uow.staff.root_key())
            refused = signing.refusals(rows, root).get(record.username)
            if refused is not None:
                record_system_event(
                    uow.audit,
                    at=now,
                    actor=record.username,
                    role=record.role.value,
                    action="staff.sign_in_refused",
                    details={"reason": "signature", "problem": refused},
                )
                uow.commit()
                raise SignInError(UNSIGNED_ACCOUNT)
            key = None
            if record.sealed_key and record.role in (Role.ADMIN, Role.SUPERVISOR):
                key = unseal(record.sealed_key, password)
            # No rehash of a signed row here: a new hash would break its signature (a password
            # change through change_password re-signs).
            uow.staff.record_success(record.staff_id, None)
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
        return Session(member, self._workstation, key)

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

    def sign_out(self, session: Session) -> None:
        """The person signs out on purpose (the window stays for the next one): audited as
        ``staff.signed_out`` with the reason ``signed out``, on the checked path: a session a
        sync made stale raises ``SessionEnded`` (its forced sign-out is recorded by
        :meth:`still_signed_in`), and nothing is recorded under a stale id or role."""
        with self._uow() as uow:
            record(
                uow,
                self._clock,
                session,
                "staff.signed_out",
                details={"reason": SIGNED_OUT_BY_PERSON, "workstation": session.workstation},
            )
            uow.commit()

    def bootstrap_staff(self, accounts: list[tuple[str, str, Role]]) -> list[tuple[str, str, Role]]:
        """Create the first accounts of an empty cache with generated passwords, signed: the
        first admin among them signs their own row (the root) and everyone else's.

        Returns (username, password, role); the passwords exist nowhere else afterwards.
        """
        admins = [a for a in accounts if a[2] is Role.ADMIN]
        if not admins:
            raise PermissionDenied("bootstrap: the first accounts must include an admin")
        root_name = admins[0][0]
        passwords = {username: generate_password() for username, _, _ in accounts}
        keys = {username: new_key() for username, _, _ in accounts}
        created = []
        with self._uow() as uow:
            if uow.staff.count() > 0:
                raise PermissionDenied("staff accounts exist already; ask an admin")
            for username, display_name, role in accounts:
                row = self._new_row(
                    username, display_name, role, passwords[username], keys[username]
                )
                uow.staff.add_signed(signed_row(row, root_name, keys[root_name]))
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="system" if username == root_name else root_name,
                    action="staff.created",
                    details={"username": username, "role": role.value, "signed_by": root_name},
                )
                created.append((username, passwords[username], role))
            uow.staff.set_root_key(signing.public_key_text(keys[root_name]))
            uow.commit()
        return created

    def _new_row(
        self, username: str, display_name: str, role: Role, password: str, key: Ed25519PrivateKey
    ) -> signing.SignedStaffRow:
        return signing.SignedStaffRow(
            username=username,
            display_name=display_name,
            role=role.value,
            password_hash=self._hasher.hash(password),
            active=True,
            public_key=signing.public_key_text(key),
            sealed_key=seal(key, password, self._seal_cost),
            signed_by=None,
            signature=None,
        )

    def create_staff(
        self,
        username: str,
        display_name: str,
        role: Role,
        password: str,
        *,
        created_by: Session | None,
    ) -> int:
        """``add_staff``; without a session only the very first account, an admin (bootstrap)."""
        return self.add_staff(created_by, username, display_name, role, password)

    def add_staff(
        self,
        session: Session | None,
        username: str,
        display_name: str,
        role: Role,
        password: str,
    ) -> int:
        """Add an account, signed by the signed-in admin. Without a session: the very first
        account of an empty cache, which must be an admin and signs its own row (the root)."""
        _check_password(password)
        username = username.strip()
        if not username or len(username) > 64 or not username.isprintable():
            raise ValueError("username: 1 to 64 printable characters")
        key = new_key()
        with self._uow() as uow:
            if session is None:
                if uow.staff.count() > 0:
                    raise PermissionDenied("only an admin may add staff")
                if role is not Role.ADMIN:
                    raise PermissionDenied("role: the first account must be an admin")
                signer, signer_key = username, key
            else:
                signer, signer_key = self._signer(session)
            if uow.staff.by_username(username) is not None:
                raise ValueError(f"username: {username!r} already exists")
            row = self._new_row(username, display_name, role, password, key)
            staff_id = uow.staff.add_signed(signed_row(row, signer, signer_key))
            details = {"username": username, "role": role.value, "signed_by": signer}
            if session is None:  # the first account of an empty cache
                uow.staff.set_root_key(signing.public_key_text(key))
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor="system",
                    action="staff.created",
                    details=details,
                )
            else:
                record(uow, self._clock, session, "staff.created", details=details)
            uow.commit()
        return staff_id

    def set_role(self, session: Session, username: str, role: Role) -> None:
        """Give ``username`` another role, signed by the signed-in admin."""
        self._change(session, username, "staff.role_changed", {"role": role.value}, role=role.value)

    def set_active(self, session: Session, username: str, active: bool) -> None:
        """Disable or enable an account, signed by the signed-in admin."""
        action = "staff.enabled" if active else "staff.disabled"
        self._change(session, username, action, {}, active=active)

    def rename(self, session: Session, username: str, display_name: str) -> None:
        """Change the display name (the user name is the account's key), signed."""
        if not display_name.strip() or len(display_name) > 200:
            raise ValueError("display name: 1 to 200 characters")
        self._change(session, username, "staff.renamed", {}, display_name=display_name.strip())

    def change_password(
        self, session: Session, username: str, new_password: str, *, old_password: str = ""
    ) -> None:
        """An admin's own password change (``old_password`` unseals and re-seals the same key)
        or an admin's reset of someone else's (a new key pair, sealed under the new one)."""
        _check_password(new_password)
        with self._uow() as uow:
            current = self._current(uow, username)
            if username == session.staff.username:
                if not current.sealed_key:
                    raise PermissionDenied("signing key: this account has none; ask an admin")
                key = unseal(current.sealed_key, old_password)
                action = "staff.password_changed"
            else:
                key = new_key()
                action = "staff.password_reset"
        self._change(
            session,
            username,
            action,
            {},
            password_hash=self._hasher.hash(new_password),
            public_key=signing.public_key_text(key),
            sealed_key=seal(key, new_password, self._seal_cost),
        )

    def _signer(self, session: Session) -> tuple[str, Ed25519PrivateKey]:
        session.require(Permission.MANAGE_STAFF)
        if session.signing_key is None:
            raise PermissionDenied("signing key: sign in again to sign staff changes")
        return session.staff.username, session.signing_key

    def _current(self, uow: StaffAuditUnitOfWork, username: str) -> StaffRecord:
        current = uow.staff.by_username(username)
        if current is None:
            raise ValueError(f"username: {username!r} does not exist")
        return current

    def _change(
        self,
        session: Session,
        username: str,
        action: str,
        details: dict[str, str],
        **changes: object,
    ) -> None:
        signer, key = self._signer(session)
        with self._uow() as uow:
            current = self._current(uow, username)
            rows = uow.staff.signed_rows()
            root = signing.root_of(rows, uow.staff.root_key())
            # Everyone's trust leads back to the root's key: it stays an active admin with it.
            if current.public_key == root and (
                changes.get("role", Role.ADMIN.value) != Role.ADMIN.value
                or changes.get("active", True) is not True
                or changes.get("public_key", root) != root
            ):
                raise PermissionDenied(
                    "the first admin (the root of every signature) cannot be demoted, disabled or"
                    " re-keyed"
                )
            row = replace(current.signed(), **changes)  # type: ignore[arg-type]
            uow.staff.save_signed(signed_row(row, signer, key))
            record(
                uow,
                self._clock,
                session,
                action,
                details={"username": username, "signed_by": signer, **details},
            )
            uow.commit()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"password: must have at least {MIN_PASSWORD_CHARS} characters")
