"""The audit log's checkpoint: the newest event it verified, and a break found since."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csconsole.persistence.models.base import Base


class AuditCheckpoint(Base):
    """One row (``id`` 1: ``repositories.audit_guard.CHECKPOINT_ID``, which reads and writes
    it). ``broken_seq`` is set when a check found a break; the supervisor's acknowledgement
    clears it and moves the checkpoint to the acknowledgement event."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime]
    broken_seq: Mapped[int | None]
    problem: Mapped[str | None] = mapped_column(Text)
