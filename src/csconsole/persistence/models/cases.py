"""Cases, their notes, and caller verification (sessions, attempts, locks).

``customer_id`` columns carry no foreign key to ``shop_customer``: request records are kept at
least 24 months (CCPA §7101), longer than a customer the shop erases stays in the cache.
A verification attempt records which question was asked and whether it matched, never the answer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from csconsole.persistence.models.base import Base


def _staff_fk() -> ForeignKey:
    """Staff ids are re-pointed by the ledger sync when the central ledger numbers staff
    differently (``persistence.replication.shared._rekey``); checked at commit, so the
    move can happen in any order within its transaction."""
    return ForeignKey("staff.id", deferrable=True, initially="DEFERRED")


class Case(Base):
    # "case" is an SQL keyword.
    __tablename__ = "case_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(Text)
    opened_by_id: Mapped[int] = mapped_column(_staff_fk())
    owner_id: Mapped[int] = mapped_column(_staff_fk())
    opened_at: Mapped[datetime]
    due_on: Mapped[date]
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(_staff_fk())
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index(None, "owner_id", "status"),
        Index(None, "status", "due_on"),
        Index(None, "customer_id"),
    )


class CaseNote(Base):
    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    at: Mapped[datetime]
    author_id: Mapped[int] = mapped_column(_staff_fk())
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index(None, "case_id"),)


class VerificationSession(Base):
    """One verification of a caller, for one case and purpose, by one rep; it expires."""

    __tablename__ = "verification_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    customer_id: Mapped[int]
    staff_id: Mapped[int] = mapped_column(_staff_fk())
    request_type: Mapped[str] = mapped_column(String(32))
    # Comma-separated CorrectableField values; the fields being corrected prove nothing.
    fields: Mapped[str] = mapped_column(String(200))
    required_level: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    affirmed_at: Mapped[datetime | None]
    affirmation_text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "case_id"), Index(None, "customer_id"))


class VerificationAttempt(Base):
    """One answer compared: the question kind and the result (match, no_match, rejected)."""

    __tablename__ = "verification_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("verification_session.id"))
    customer_id: Mapped[int]
    staff_id: Mapped[int] = mapped_column(_staff_fk())
    at: Mapped[datetime]
    question_kind: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index(None, "session_id"), Index(None, "customer_id", "at"))


class VerificationLock(Base):
    """Verification of a customer stopped after too many wrong answers, until a supervisor
    unlocks it (a :class:`VerificationUnlock` on any desk).

    ``unlocked_at``, ``unlocked_by_id`` and ``unlock_reason`` are how a lock was lifted before
    unlocks became their own records (migration 0007): no longer written, still honoured when
    read (here and in the replicas of desks that have not upgraded)."""

    __tablename__ = "verification_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int]
    locked_at: Mapped[datetime]
    failures: Mapped[int]
    session_id: Mapped[int | None] = mapped_column(ForeignKey("verification_session.id"))
    unlocked_at: Mapped[datetime | None]
    unlocked_by_id: Mapped[int | None] = mapped_column(_staff_fk())
    unlock_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "customer_id", "unlocked_at"),)


class VerificationUnlock(Base):
    """A supervisor lifted the verification lockout of a customer, on this desk.

    Replicated like the locks, so it counts on every desk: it lifts every lock on the customer,
    made on any desk, at or before ``effective_at``, and wrong answers up to then no longer
    count. ``effective_at`` is ``unlocked_at``, or the lock the supervisor was shown if that
    desk's clock was ahead. ``lock_origin`` / ``lock_id`` name that lock (for the record: the
    rule goes by time, so locks the supervisor's desk had not synced yet are lifted too)."""

    __tablename__ = "verification_unlock"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int]
    unlocked_at: Mapped[datetime]
    effective_at: Mapped[datetime]
    staff_id: Mapped[int] = mapped_column(_staff_fk())
    reason: Mapped[str] = mapped_column(Text)
    lock_origin: Mapped[str | None] = mapped_column(String(100))
    lock_id: Mapped[int | None]
    # The supervisor's signature (domain/signing.py, ``unlock_bytes``; migration 0008).
    signed_by: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index(None, "customer_id", "effective_at"),)
