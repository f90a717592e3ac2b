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
from csconsole.persistence.ledger.tables import Replicated
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
