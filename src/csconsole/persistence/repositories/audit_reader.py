"""Reading the audit trail back for ``audit verify``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC

from sqlalchemy import Engine

from csconsole.domain.audit_chain import AuditEntry


def iter_chain(engine: Engine) -> Iterator[tuple[AuditEntry, str, str]]:
    """(entry, prev_hash, stored hash) in sequence order."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT seq, at, actor, role, workstation, action, customer_id, case_id, details,"
            " prev_hash, hash FROM audit_event ORDER BY seq"
        )
        for r in rows:
            at = r[1]
            if isinstance(at, str):
                from datetime import datetime

                at = datetime.fromisoformat(at)
            entry = AuditEntry(
                seq=r[0],
                at=at.replace(tzinfo=UTC),
                actor=r[2],
                role=r[3],
                workstation=r[4],
                action=r[5],
                customer_id=r[6],
                case_id=r[7],
                details=json.loads(r[8]),
            )
            yield entry, r[9], r[10]
