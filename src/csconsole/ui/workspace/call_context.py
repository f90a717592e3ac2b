"""The call context: the customer on screen, their active case and that case's verification.

Every action of the window acts on this and nothing else. Opening another customer replaces the
whole context; a case or a verification of another customer is refused, never half-applied.
Later capabilities add badges (legal hold, suppressed, erasure pending, ...) with
:meth:`CallContext.set_badge`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from csconsole.domain.cases import CaseRecord
from csconsole.domain.customers import CustomerSummary
from csconsole.services.verification import VerificationStatus


class ContextMismatch(ValueError):
    """A case or verification that is not about the customer (or case) on screen."""


@dataclass(frozen=True, slots=True)
class Badge:
    key: str  # stable id, e.g. "locked", "misuse", "legal_hold"
    text: str  # what the header shows
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class CallState:
    customer: CustomerSummary | None = None
    case: CaseRecord | None = None
    verification: VerificationStatus | None = None
    badges: tuple[Badge, ...] = ()

    @property
    def customer_id(self) -> int | None:
        return self.customer.customer_id if self.customer is not None else None

    @property
    def case_id(self) -> int | None:
        return self.case.case_id if self.case is not None else None

    @property
    def verified(self) -> bool:
        v = self.verification
        return v is not None and v.passed and v.usable

    def all_badges(self) -> tuple[Badge, ...]:
        """The badges the context itself implies, then those capabilities set."""
        implied: list[Badge] = []
        v = self.verification
        if v is not None and v.lock.locked:
            implied.append(
                Badge("locked", "Verification locked", "A supervisor must unlock verification")
            )
        if self.customer is not None and self.customer.flagged_misuse:
            implied.append(Badge("misuse", "Account misuse flagged", "Treat requests with care"))
        return tuple(implied) + self.badges


class CallContext(QObject):
    """Holds one :class:`CallState`; emits ``changed(CallState)`` after every change."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = CallState()

    @property
    def state(self) -> CallState:
        return self._state

    def _set(self, state: CallState) -> None:
        if state != self._state:
            self._state = state
            self.changed.emit(state)

    def clear(self) -> None:
        self._set(CallState())

    def set_customer(self, customer: CustomerSummary | None) -> None:
        """Another customer on screen: the case, verification and badges go with the old one.
        The same customer again (a reload) keeps the case and verification."""
        old = self._state
        if customer is not None and old.customer_id == customer.customer_id:
            self._set(replace(old, customer=customer))
        else:
            self._set(CallState(customer=customer))

    def set_case(self, case: CaseRecord | None) -> None:
        """Make ``case`` the active case; it must be about the customer on screen."""
        old = self._state
        if case is not None:
            # A case without a customer (an inquiry) goes with no customer on screen.
            if case.customer_id != old.customer_id:
                raise ContextMismatch(f"Case {case.case_id} is not about the customer on screen.")
            if old.case_id == case.case_id:
                self._set(replace(old, case=case))
                return
        self._set(replace(old, case=case, verification=None))

    def set_verification(self, status: VerificationStatus | None) -> None:
        old = self._state
        if status is not None and (
            status.case_id != old.case_id or status.customer_id != old.customer_id
        ):
            raise ContextMismatch("This verification is not of the case on screen.")
        self._set(replace(old, verification=status))

    def set_badge(self, badge: Badge) -> None:
        kept = tuple(b for b in self._state.badges if b.key != badge.key)
        self._set(replace(self._state, badges=(*kept, badge)))

    def remove_badge(self, key: str) -> None:
        self._set(replace(self._state, badges=tuple(b for b in self._state.badges if b.key != key)))
