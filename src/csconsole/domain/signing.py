"""Signed staff rows and supervisor decisions: their canonical bytes, Ed25519 signing and
checking, and who may sign what (docs/security.md, "Signatures").

A staff row is signed by an admin (the very first admin of a ledger signs their own row: the
root); a decision by a supervisor or an admin. A row is trusted only through a chain of trusted
admin rows back to the root, so a row changed outside the console (an ``UPDATE`` in a cache or
in the central database) no longer verifies and is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from csconsole.domain.staff import Role

_STAFF_CONTEXT = "csconsole.staff.v1"
_DECISION_CONTEXT = "csconsole.decision.v1"


@dataclass(frozen=True, slots=True)
class SignedStaffRow:
    """The signed part of a staff row, as any database holds it."""

    username: str
    display_name: str
    role: str
    password_hash: str
    active: bool
    public_key: str | None
    sealed_key: str | None
    signed_by: str | None
    signature: str | None

    @property
    def self_signed(self) -> bool:
        return self.signed_by == self.username


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _canonical(context: str, fields: Mapping[str, object]) -> bytes:
    return json.dumps(
        [context, dict(sorted(fields.items()))], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def staff_row_bytes(row: SignedStaffRow) -> bytes:
    """What a staff row's signature covers: everything but the signature itself (and the
    desk-local sign-in counters, which are not replicated)."""
    return _canonical(
        _STAFF_CONTEXT,
        {
            "username": row.username,
            "display_name": row.display_name,
            "role": row.role,
            "password_hash": row.password_hash,
            "active": bool(row.active),
            "public_key": row.public_key,
            "sealed_key": row.sealed_key,
            "signed_by": row.signed_by,
        },
    )


def decision_bytes(kind: str, fields: Mapping[str, object]) -> bytes:
    """What a decision's signature covers: its kind and its fields (plain JSON values)."""
    return _canonical(_DECISION_CONTEXT, {"kind": kind, **fields})


def public_key_text(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return _b64(key.sign(data))


def verify(public_key: str | None, data: bytes, signature: str | None) -> bool:
    """Whether ``signature`` is ``public_key``'s over ``data`` (False for anything malformed)."""
    if not public_key or not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(_unb64(public_key)).verify(_unb64(signature), data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def may_sign_staff(role: str) -> bool:
    """Only an admin signs staff changes."""
    return role == Role.ADMIN.value


def may_sign_decisions(role: str) -> bool:
    """A supervisor or an admin signs supervisor decisions."""
    return role in (Role.SUPERVISOR.value, Role.ADMIN.value)


def root_of(rows: Iterable[SignedStaffRow], pinned: str | None) -> str | None:
    """The public key of the root: ``pinned`` if there is one, else the public key of the
    first self-signed admin row whose own signature verifies (rows in creation order)."""
    if pinned:
        return pinned
    for row in rows:
        if (
            row.self_signed
            and may_sign_staff(row.role)
            and verify(row.public_key, staff_row_bytes(row), row.signature)
        ):
            return row.public_key
    return None


def refusals(rows: Iterable[SignedStaffRow], root_key: str | None) -> dict[str, str]:
    """Check a whole staff list: the user names whose rows are not trusted, each with a
    one-line reason. A row is trusted when it verifies under the key of a trusted, active
    admin row (the root: its own row, self-signed with ``root_key``)."""
    pending = {row.username: row for row in rows}
    trusted: dict[str, SignedStaffRow] = {}
    for name, row in list(pending.items()):
        if (
            root_key
            and row.self_signed
            and row.public_key == root_key
            and may_sign_staff(row.role)
            and verify(root_key, staff_row_bytes(row), row.signature)
        ):
            trusted[name] = pending.pop(name)
    progress = True
    while pending and progress:
        progress = False
        for name, row in list(pending.items()):
            signer = trusted.get(row.signed_by or "")
            if (
                signer is not None
                and signer.active
                and may_sign_staff(signer.role)
                and verify(signer.public_key, staff_row_bytes(row), row.signature)
            ):
                trusted[name] = pending.pop(name)
                progress = True
    out: dict[str, str] = {}
    for name, row in pending.items():
        if not row.signature:
            out[name] = "staff row has no signature (made before signed staff rows)"
        elif row.signed_by not in trusted and row.signed_by not in pending:
            out[name] = "staff row signed by an unknown person"
        elif row.signed_by in trusted and not may_sign_staff(trusted[row.signed_by].role):
            out[name] = f"staff row signed by a {trusted[row.signed_by].role}, not an admin"
        else:
            out[name] = "staff row signature does not verify"
    return out


UNLOCK = "verification_unlock"


def _utc_text(at: datetime) -> str:
    """A time as every database gives it back: UTC, no zone, whole seconds."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.replace(microsecond=0).isoformat()


def unlock_bytes(
    *,
    customer_id: int,
    unlocked_at: datetime,
    effective_at: datetime,
    reason: str,
    lock_origin: str | None,
    lock_id: int | None,
    signed_by: str | None,
) -> bytes:
    """What a verification unlock's signature covers (not the desk-local staff id)."""
    return decision_bytes(
        UNLOCK,
        {
            "customer_id": int(customer_id),
            "unlocked_at": _utc_text(unlocked_at),
            "effective_at": _utc_text(effective_at),
            "reason": reason,
            "lock_origin": lock_origin,
            "lock_id": None if lock_id is None else int(lock_id),
            "signed_by": signed_by,
        },
    )


def decision_refusal(
    data: bytes, signer: SignedStaffRow | None, signature: str | None
) -> str | None:
    """Why a decision is refused (None: accepted). ``signer``: the signer's trusted staff row."""
    if not signature:
        return "decision has no signature"
    if signer is None:
        return "decision signed by an unknown or untrusted person"
    if not signer.active or not may_sign_decisions(signer.role):
        return f"decision signed by a {signer.role}, not a supervisor or admin"
    if not verify(signer.public_key, data, signature):
        return "decision signature does not verify"
    return None
