"""Whether ``csconsole demo --force`` may wipe this desk, and the audit events of the answer.

A desk that holds only a demo (connected to nothing but its own demo files, no cases, no audit
events beyond what the demo build wrote) is rebuilt on ``--force`` alone. Anything else is
refused unless an admin signs in and names the desk (``--confirm-wipe DESK``): the wipe loses
the desk's cases and audit trail, so it must be someone's deliberate, recorded decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from csconsole.domain.errors import PermissionDenied
from csconsole.domain.staff import Permission
from csconsole.services.audit import RecordingUnitOfWork, record, record_system_event
from csconsole.services.ports import Clock, DetailValue

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from csconsole.services.auth import Session

REBUILD_REFUSED = "demo.rebuild_refused"
REBUILT = "demo.rebuilt"
BUILT = "demo.built"
# The events a demo build writes: its staff, then its marker. Events after the last marker are
# the desk's own.
BUILD_ACTIONS = frozenset({"staff.created", BUILT, REBUILT})
# Who a refusal or rebuild is recorded as when nobody signed in.
DEMO_ACTOR = "demo"


class WipeUnitOfWork(RecordingUnitOfWork, Protocol):
    def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class DeskSurvey:
    """What a desk holds, as far as a rebuild cares (``app.demo.survey_desk`` reads it)."""

    workstation: str
    # A shop or ledger URL (without password) that is not this desk's demo, else None.
    connected_to: str | None = None
    cases: int = 0
    # Audit events not written by the demo build.
    own_events: int = 0
    # False when there is no cache, or its key is gone from the keyring: nothing to read.
    readable: bool = True

    def reasons(self) -> list[str]:
        """Why this desk holds more than a demo (empty: only a demo)."""
        found: list[str] = []
        if self.connected_to:
            found.append(f"it is connected to {self.connected_to}")
        if self.cases:
            found.append(f"it holds {self.cases} case(s)")
        if self.own_events:
            found.append(f"it holds {self.own_events} audit event(s) of its own")
        return found


class DemoRebuildService:
    def __init__(
        self,
        uow_factory: Callable[[], AbstractContextManager[WipeUnitOfWork]] | None,
        clock: Clock,
    ) -> None:
        # None: the desk's cache cannot be opened, so a refusal is not recorded there.
        self._uow = uow_factory
        self._clock = clock

    def authorize(
        self, survey: DeskSurvey, *, session: Session | None, confirm: str | None
    ) -> dict[str, DetailValue]:
        """Allow the wipe or raise ``PermissionDenied`` with a one-line reason (the refusal
        recorded first). Returns the details the rebuilt demo records about what it replaced."""
        reasons = survey.reasons()
        details: dict[str, DetailValue] = {
            "workstation": survey.workstation,
            "cases": survey.cases,
            "own_events": survey.own_events,
            "connected_to": survey.connected_to or "",
        }
        if not reasons:
            return details
        problem = None
        if not survey.readable:
            problem = "no cache here opens (missing, or its key gone), so no admin can sign in"
        elif session is None:
            problem = "an admin must sign in (CSCONSOLE_USER / CSCONSOLE_PASSWORD)"
        elif not session.may(Permission.MANAGE_STAFF):
            problem = f"{session.staff.username} is not an admin"
        elif confirm != survey.workstation:
            problem = f"pass --confirm-wipe {survey.workstation} to name the desk being wiped"
        if problem is None:
            assert session is not None
            details["by"] = session.staff.username
            return details
        self._record_refusal(session, reasons, problem)
        raise PermissionDenied(
            f"demo --force refused: this desk holds more than a demo ({'; '.join(reasons)}); "
            f"{problem}."
        )

    def _record_refusal(self, session: Session | None, reasons: list[str], problem: str) -> None:
        if self._uow is None:
            return
        details: dict[str, DetailValue] = {"reasons": "; ".join(reasons), "problem": problem}
        with self._uow() as uow:
            if session is None:
                record_system_event(
                    uow.audit,
                    at=self._clock.now(),
                    actor=DEMO_ACTOR,
                    action=REBUILD_REFUSED,
                    details=details,
                )
            else:
                record(uow, self._clock, session, REBUILD_REFUSED, details=details)
            uow.commit()

    def record_built(self, *, replaced: dict[str, DetailValue] | None) -> None:
        """The new demo's marker: events up to it are the build's. ``replaced``: what a forced
        rebuild wiped (and who allowed it), recorded as ``demo.rebuilt``."""
        assert self._uow is not None
        details: dict[str, DetailValue] = dict(replaced or {})
        actor = str(details.get("by") or DEMO_ACTOR)
        with self._uow() as uow:
            record_system_event(
                uow.audit,
                at=self._clock.now(),
                actor=actor,
                action=REBUILT if replaced is not None else BUILT,
                details=details,
            )
            uow.commit()
