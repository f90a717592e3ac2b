"""The signature checks of replication: the central ledger accepts a pushed staff row, and a
desk a pulled one, only when it verifies under a trusted admin's key back to the root
(``domain.signing.refusals``). A refused row is not written; the caller reports and audits it
(``staff.row_refused``) and ``csconsole sync`` exits 1 naming it.

The root (the first admin, who signed their own row) is the central ledger's: the self-signed
admin row made first there. A desk pins its public key in ``cache_meta`` (``staff_root_key``)
at its first pull from the ledger (before that, at its bootstrap); a different self-signed
admin appearing later is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from csconsole.domain import signing
from csconsole.domain.signing import SignedStaffRow
from csconsole.persistence.ledger.tables import STAFF, Replicated
from csconsole.persistence.models.core_table import core_table
from csconsole.persistence.models.ledger import CacheMeta

ROOT_KEY = "staff_root_key"
_meta = core_table(CacheMeta)


@dataclass(frozen=True, slots=True)
class Refusal:
    table: str
    key: str
    reason: str

    def line(self) -> str:
        return f"{self.table} {self.key!r}: {self.reason}"


def signed_part(row: Mapping[str, Any]) -> SignedStaffRow:
    return SignedStaffRow(
        username=str(row["username"]),
        display_name=str(row["display_name"]),
        role=str(row["role"]),
        password_hash=str(row["password_hash"]),
        active=bool(row["active"]),
        public_key=row.get("public_key"),
        sealed_key=row.get("sealed_key"),
        signed_by=row.get("signed_by"),
        signature=row.get("signature"),
    )


def _in_order(rows: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(rows.values(), key=lambda r: (str(r["created_at"]), int(r.get("id") or 0)))


def _check(
    spec: Replicated,
    held: Mapping[str, Mapping[str, Any]],
    candidates: Mapping[str, Mapping[str, Any]],
    root: str | None,
) -> dict[str, str]:
    overlay = {**held, **candidates}
    reasons = signing.refusals([signed_part(r) for r in _in_order(overlay)], root)
    return {k: reasons[k] for k in candidates if k in reasons}


def staff_push_refusals(
    lc: Connection, spec: Replicated, candidates: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Of the rows about to be written centrally (by user name), those the central ledger
    refuses, with the reason. Checked against the central staff list as it is now with the
    candidates in place; the root is the central one, or, for the very first rows of an empty
    ledger, the first self-signed admin among the candidates."""
    if not candidates:
        return {}
    central = spec.central
    held = {str(r[spec.key]): dict(r) for r in lc.execute(select(central)).mappings()}
    source: Mapping[str, Mapping[str, Any]] = held or candidates
    root = signing.root_of([signed_part(r) for r in _in_order(source)], None)
    return _check(spec, held, candidates, root)


def staff_pull_refusals(
    conn: Connection, spec: Replicated, pulled: Mapping[str, Mapping[str, Any]], first: bool
) -> dict[str, str]:
    """Of the central rows about to replace local ones, those this desk refuses. ``first``:
    the desk's first pull of staff, which pins the ledger's root in place of its own."""
    local = {str(r[spec.key]): dict(r) for r in conn.execute(select(spec.local)).mappings()}
    pinned = conn.execute(select(_meta.c.value).where(_meta.c.key == ROOT_KEY)).scalar()
    root = pinned
    if first or not pinned:
        root = signing.root_of([signed_part(r) for r in _in_order(pulled)], None) or pinned
    if root and root != pinned:
        done = conn.execute(update(_meta).where(_meta.c.key == ROOT_KEY).values(value=root))
        if done.rowcount == 0:
            conn.execute(_meta.insert().values(key=ROOT_KEY, value=root))
    return _check(spec, local, pulled, root)


# --- supervisor decisions (verification unlocks) ----------------------------------------------


def _trusted(held: Mapping[str, Mapping[str, Any]], root: str | None) -> dict[str, SignedStaffRow]:
    rows = [signed_part(r) for r in _in_order(held)]
    refused = signing.refusals(rows, root)
    return {r.username: r for r in rows if r.username not in refused}


def _unlock_reason(row: Mapping[str, Any], trusted: Mapping[str, SignedStaffRow]) -> str | None:
    data = signing.unlock_bytes(
        customer_id=row["customer_id"],
        unlocked_at=row["unlocked_at"],
        effective_at=row["effective_at"],
        reason=row["reason"],
        lock_origin=row["lock_origin"],
        lock_id=row["lock_id"],
        signed_by=row.get("signed_by"),
    )
    return signing.decision_refusal(
        data, trusted.get(str(row.get("signed_by") or "")), row.get("signature")
    )


def decision_push_refusals(
    lc: Connection, spec: Replicated, rows: Mapping[Any, Mapping[str, Any]]
) -> dict[Any, str]:
    """Of the unlocks about to be written centrally (by local id), those the central ledger
    refuses: not signed by a trusted supervisor or admin of its staff list."""
    if spec.name != signing.UNLOCK or not rows:
        return {}
    held = {str(r[STAFF.key]): dict(r) for r in lc.execute(select(STAFF.central)).mappings()}
    root = signing.root_of([signed_part(r) for r in _in_order(held)], None)
    trusted = _trusted(held, root)
    out = {}
    for key, row in rows.items():
        reason = _unlock_reason(row, trusted)
        if reason is not None:
            out[key] = reason
    return out


def decision_pull_refusals(
    conn: Connection, spec: Replicated, rows: list[dict[str, Any]]
) -> list[str | None]:
    """For each pulled unlock, why this desk refuses it (None: accepted), against its own
    trusted staff list (pulled before the owned tables)."""
    if spec.name != signing.UNLOCK or not rows:
        return [None] * len(rows)
    local = {str(r[STAFF.key]): dict(r) for r in conn.execute(select(STAFF.local)).mappings()}
    pinned = conn.execute(select(_meta.c.value).where(_meta.c.key == ROOT_KEY)).scalar()
    root = signing.root_of([signed_part(r) for r in _in_order(local)], pinned)
    trusted = _trusted(local, root)
    return [_unlock_reason(r, trusted) for r in rows]
