"""Reading the audit trail back for ``audit verify``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine

from csconsole.domain.audit_chain import AuditEntry
from csconsole.persistence.stored_time import aware_utc


def iter_chain(engine: Engine) -> Iterator[tuple[AuditEntry, str, str]]:
    """(entry, prev_hash, stored hash) in sequence order."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT seq, at, actor, role, workstation, action, customer_id, case_id, details,"
            " prev_hash, hash FROM audit_event ORDER BY seq"
        )
        for r in rows:
            at = r[1] if isinstance(r[1], datetime) else datetime.fromisoformat(r[1])
            entry = AuditEntry(
                seq=r[0],
                at=aware_utc(at),
                actor=r[2],
                role=r[3],
                workstation=r[4],
                action=r[5],
                customer_id=r[6],
                case_id=r[7],
                details=json.loads(r[8]),
            )
            yield entry, r[9], r[10]
