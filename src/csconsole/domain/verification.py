"""Caller verification rules: the level a request needs, the level answers reach, the lockout
and the expiry. All thresholds come from the active profile's :class:`VerificationRules`.

How answers are read and compared is in :mod:`csconsole.domain.verification_answers`.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from csconsole.domain.errors import CsConsoleError, Locked
from csconsole.domain.policy import (
    CorrectableField,
    LockoutRule,
    QuestionKind,
    RequestType,
    VerificationLevel,
    VerificationRules,
)

# What the rep reads out; never a stored value.
PROMPTS: dict[QuestionKind, str] = {
    QuestionKind.EMAIL: "What email address is on your account?",
    QuestionKind.PHONE: "What phone number is on your account?",
    QuestionKind.BILLING_POSTCODE: "What is the postcode (ZIP) of your billing address?",
    QuestionKind.LAST_ORDER_NUMBER: "What is the number of your most recent order?",
    QuestionKind.LAST_ORDER_DATE: "On what date did you place your most recent order?",
    QuestionKind.LAST_ORDER_TOTAL: "What was the total of your most recent order?",
    QuestionKind.CARD_LAST4: "What are the last four digits of the card you paid with recently?",
    QuestionKind.ITEMS_BOUGHT: "Can you name something you bought from us?",
}

LABELS: dict[QuestionKind, str] = {
    QuestionKind.EMAIL: "Email",
    QuestionKind.PHONE: "Phone",
    QuestionKind.BILLING_POSTCODE: "Billing postcode",
    QuestionKind.LAST_ORDER_NUMBER: "Last order number",
    QuestionKind.LAST_ORDER_DATE: "Last order date",
    QuestionKind.LAST_ORDER_TOTAL: "Last order total",
    QuestionKind.CARD_LAST4: "Card last 4",
    QuestionKind.ITEMS_BOUGHT: "Items bought",
}


class VerificationError(CsConsoleError):
    """A verification step refused; the message names the reason, never an answer.
    ``code`` is the stable reason recorded in the audit trail."""

    default_code = "refused"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or self.default_code


class VerificationLocked(VerificationError, Locked):
    default_code = "locked"


class VerificationExpired(VerificationError):
    default_code = "expired"


class QuestionNotAllowed(VerificationError, ValueError):
    default_code = "not_allowed"


# ---------------------------------------------------------------------------------------------
# Levels


def required_level(
    rules: VerificationRules, request: RequestType, fields: Iterable[CorrectableField] = ()
) -> VerificationLevel:
    return rules.level_for(request, fields)


def proof_kinds(
    rules: VerificationRules, fields: Iterable[CorrectableField] = ()
) -> tuple[QuestionKind, ...]:
    """Questions that may count while ``fields`` are corrected (the disputed field never does)."""
    return rules.proof_questions(fields)


def level_reached(
    rules: VerificationRules,
    matched: Iterable[QuestionKind],
    proof: Collection[QuestionKind],
    affirmed: bool,
) -> VerificationLevel:
    """The highest level the distinct matching proof questions (and the affirmation) reach.

    A question that is not proof (the field being corrected) never counts, and the same question
    answered twice counts once.
    """
    points = len(set(matched) & set(proof))
    best = VerificationLevel.NONE
    for level in VerificationLevel:
        need = rules.requirement(level)
        reached = points >= need.data_points and (affirmed or not need.affirmation)
        if reached and level.rank > best.rank:
            best = level
    return best


def points_needed(rules: VerificationRules, level: VerificationLevel) -> int:
    return rules.requirement(level).data_points


def can_still_reach(
    rules: VerificationRules, level: VerificationLevel, matched_points: int, questions_left: int
) -> bool:
    """Whether the questions not asked yet could still bring enough matching data points."""
    return matched_points + questions_left >= points_needed(rules, level)


# ---------------------------------------------------------------------------------------------
# Lockout


def failures_in_window(failures: Iterable[datetime], now: datetime, rule: LockoutRule) -> int:
    """Failures in the ``window_hours`` up to ``now``: ``now - window < at <= now``."""
    window = timedelta(hours=rule.window_hours)
    return sum(1 for at in failures if now - window < at <= now)


def should_lock(
    failures_since_unlock: Iterable[datetime], now: datetime, rule: LockoutRule
) -> bool:
    """True once ``max_failures`` wrong answers fall within one window.

    Checked after each wrong answer, with ``now`` its time, so every window that could hold
    ``max_failures`` failures is looked at when its last failure happens. Failures before the last
    supervisor unlock are not passed in: an unlock starts the count afresh.
    """
    return failures_in_window(failures_since_unlock, now, rule) >= rule.max_failures


# Locks and unlocks come from every desk: this console's own and the replicas of the others'
# (after their sync). An unlock lifts every lock on its customer made at or before its
# ``effective_at``, whichever desk made it, and wrong answers up to that time no longer count.
# So only the latest unlock of a customer matters.


def first_lock(
    failures_since_unlock: Iterable[datetime], rule: LockoutRule
) -> tuple[datetime, int] | None:
    """When wrong answers first reached ``max_failures`` within one window, and how many were
    in it then; None if they never did.

    The same test as :func:`should_lock` at each failure, over failures that may have been
    recorded on different desks, so a lockout no desk saw whole (two wrong answers on one desk,
    a third on another before they synced) is found once their records meet.
    """
    ordered = sorted(failures_since_unlock)
    for i, at in enumerate(ordered):
        count = failures_in_window(ordered[: i + 1], at, rule)
        if count >= rule.max_failures:
            return at, count
    return None


def standing_locks(
    locks: Iterable[LockRecord], last_unlock: datetime | None
) -> tuple[LockRecord, ...]:
    """The recorded locks no unlock has lifted (made after the latest unlock), newest first."""
    out = [lock for lock in locks if last_unlock is None or lock.locked_at > last_unlock]
    return tuple(sorted(out, key=lambda lock: lock.sort_key, reverse=True))


def lock_in_force(
    customer_id: int,
    locks: Iterable[LockRecord],
    last_unlock: datetime | None,
    failures: Iterable[datetime],
    rule: LockoutRule,
) -> LockRecord | None:
    """The lock that stops verifying the customer, if any: the newest recorded lock (on any
    desk) made after the latest unlock, else one the wrong answers after that unlock imply
    (``lock_id`` None: no desk has recorded it yet). It never lapses by itself."""
    standing = standing_locks(locks, last_unlock)
    if standing:
        return standing[0]
    counted = [at for at in failures if last_unlock is None or at > last_unlock]
    implied = first_lock(counted, rule)
    if implied is None:
        return None
    at, count = implied
    return LockRecord(None, customer_id, at, count)


def unlock_effective_at(now: datetime, lock: LockRecord) -> datetime:
    """The time an unlock made ``now`` takes effect: the later of ``now`` and the lock the
    supervisor was shown, so a desk whose clock is behind the locking desk's still lifts it."""
    return max(now, lock.locked_at)


# ---------------------------------------------------------------------------------------------
# Expiry


def expires_at(started_at: datetime, rules: VerificationRules) -> datetime:
    return started_at + timedelta(minutes=rules.expiry_minutes)


def is_expired(expiry: datetime, now: datetime) -> bool:
    return now >= expiry


# ---------------------------------------------------------------------------------------------
# One verification, as stored


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One compared answer: which question, and whether it matched. Never the answer itself."""

    kind: QuestionKind
    matched: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    """A verification of one caller on one case, by one rep."""

    verification_id: int
    case_id: int
    customer_id: int
    staff_id: int
    request: RequestType
    fields: tuple[CorrectableField, ...]
    required: VerificationLevel
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    affirmed_at: datetime | None
    answers: tuple[AnswerRecord, ...] = ()

    @property
    def affirmed(self) -> bool:
        return self.affirmed_at is not None

    def asked(self) -> tuple[QuestionKind, ...]:
        return tuple(dict.fromkeys(a.kind for a in self.answers))

    def matched(self) -> tuple[QuestionKind, ...]:
        return tuple(dict.fromkeys(a.kind for a in self.answers if a.matched))

    def proof(self, rules: VerificationRules) -> tuple[QuestionKind, ...]:
        return proof_kinds(rules, self.fields)

    def level(self, rules: VerificationRules) -> VerificationLevel:
        return level_reached(rules, self.matched(), self.proof(rules), self.affirmed)

    def passed(self, rules: VerificationRules) -> bool:
        return self.level(rules).satisfies(self.required)

    def in_force(self, now: datetime) -> bool:
        return self.ended_at is None and not is_expired(self.expires_at, now)

    def remaining(
        self, askable: Sequence[QuestionKind], rules: VerificationRules
    ) -> tuple[QuestionKind, ...]:
        """Proof questions with data on file that were not asked yet, in profile order."""
        proof = set(self.proof(rules))
        asked = set(self.asked())
        return tuple(k for k in askable if k in proof and k not in asked)

    def check_can_answer(self, kind: QuestionKind, now: datetime, rules: VerificationRules) -> None:
        """Raise unless a question of ``kind`` may be put to the caller now."""
        if self.ended_at is not None:
            raise VerificationError("This verification has ended; start a new one.", "ended")
        if is_expired(self.expires_at, now):
            raise VerificationExpired(
                f"This verification expired after {rules.expiry_minutes} minutes; start a new one."
            )
        if kind not in self.proof(rules):
            if kind in rules.question_kinds:
                raise QuestionNotAllowed(
                    f"{LABELS[kind]} is being corrected, so it cannot prove who the caller is.",
                    "not_proof",
                )
            raise QuestionNotAllowed(f"The policy profile does not use {LABELS[kind]} questions.")
        if kind in self.asked():
            # Asking again would let a caller guess until a value fits.
            raise QuestionNotAllowed(
                f"{LABELS[kind]} was asked already in this verification.", "asked_already"
            )


@dataclass(frozen=True, slots=True)
class LockRecord:
    """Verification of a customer locked after too many wrong answers, until unlocked.

    ``origin`` is the desk that recorded it ("" for this one); ``lock_id`` its id there, None
    for a lock implied by wrong answers recorded on several desks that no desk recorded yet."""

    lock_id: int | None
    customer_id: int
    locked_at: datetime
    failures: int
    origin: str = ""

    @property
    def sort_key(self) -> tuple[datetime, str, int]:
        return (self.locked_at, self.origin, self.lock_id or 0)
