"""The verification lockout across desks, through the real central ledger: wrong answers on two
desks add up, a lock made on one desk refuses verification on another once it has synced, a
supervisor on any desk lifts a lock made on any desk, and an unlock never lifts a later lock.

Two demo consoles (two homes, two encrypted caches) share the ledger; their staff are the same
after the first syncs. A missing PostgreSQL server fails these tests, it does not skip them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select

from csconsole import cli
from csconsole.domain.policy import QuestionKind
from csconsole.domain.verification import VerificationLocked
from csconsole.domain.verification_answers import AnswerOutcome
from csconsole.persistence.ledger.tables import VERIFICATION_LOCK, VERIFICATION_UNLOCK
from csconsole.services.verification import NothingToUnlock
from tests.ledger.ledger_sync import sync

CUSTOMER = 1
# Answers no demo customer's data matches, each in a form the question reads.
WRONG = {
    QuestionKind.EMAIL: "nobody-at-all@wrong.invalid",
    QuestionKind.PHONE: "+1 907 555 0199",
    QuestionKind.BILLING_POSTCODE: "00001",
    QuestionKind.LAST_ORDER_NUMBER: "ZZ0000000",
    QuestionKind.LAST_ORDER_DATE: "1990-01-01",
    QuestionKind.LAST_ORDER_TOTAL: "0.01",
    QuestionKind.ITEMS_BOUGHT: "a left-handed teapot",
}


class Desk:
    """One console, its rep and supervisor signed in (the central staff: desk A's passwords)."""

    def __init__(self, console: Any, staff: dict[str, tuple[str, str]]) -> None:
        self.console = console
        self.staff = staff
        self.rep = console.auth.sign_in(*staff["rep"])
        self.supervisor = console.auth.sign_in(*staff["supervisor"])
        self.case_id = console.cases.open_case(
            self.rep, "access", customer_id=CUSTOMER, channel="phone", summary="caller"
        ).case_id

    @property
    def svc(self) -> Any:
        return self.console.verification

    def start(self) -> Any:
        return self.svc.start(self.rep, self.case_id)

    def wrong(self, count: int, verification: Any = None) -> Any:
        """``count`` wrong answers in one verification (a new one unless given)."""
        status = verification if verification is not None else self.start()
        result = None
        for kind in [q.kind for q in status.remaining if q.kind in WRONG][:count]:
            result = self.svc.answer(self.rep, status.verification_id, kind, WRONG[kind])
            assert result.outcome is AnswerOutcome.NO_MATCH
        assert result is not None
        return result.status

    def locked(self) -> bool:
        return bool(self.svc.lock_state(self.rep, CUSTOMER).locked)

    def actions(self) -> list[str]:
        with self.console.engine.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql("SELECT action FROM audit_event")]


@pytest.fixture
def desks(console_factory: Any, engines: list[Engine], pg_url: str) -> Any:
    ledger = create_engine(pg_url)
    engines.append(ledger)
    a, a_staff = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    sync(a, ledger)  # A publishes its staff ...
    sync(b, ledger)  # ... B adopts them (same staff ids, A's passwords)
    return Desk(a, a_staff), Desk(b, a_staff), ledger


def sync_both(a: Desk, b: Desk, ledger: Engine) -> None:
    sync(a.console, ledger)
    sync(b.console, ledger)
    sync(a.console, ledger)


def test_wrong_answers_on_two_desks_add_up_to_a_lock(desks: Any) -> None:
    a, b, ledger = desks
    status = a.wrong(2)
    assert not status.lock.locked and status.lock.failures_in_window == 2
    sync(a.console, ledger)
    sync(b.console, ledger)
    started = b.start()
    assert started.lock.failures_in_window == 2  # A's wrong answers count on B
    status = b.wrong(1, started)
    assert status.lock.locked and status.lock.failures_in_window == 3 and status.ended
    assert status.lock.origin == ""  # recorded on B itself
    assert "verification.locked" in b.actions()
    sync_both(a, b, ledger)
    with pytest.raises(VerificationLocked, match="supervisor must unlock"):
        a.start()
    view = a.svc.lock_state(a.rep, CUSTOMER)
    assert view.locked and view.origin == "desk-b" and view.failures_in_window == 3


def test_wrong_answers_made_before_either_desk_synced_lock_once_they_meet(desks: Any) -> None:
    a, b, ledger = desks
    a.wrong(2)
    b.wrong(1)  # neither desk has seen the other's answers: no lock recorded anywhere
    assert not a.locked() and not b.locked()
    sync_both(a, b, ledger)
    assert a.locked() and b.locked()  # the three, put together, are within the window
    with pytest.raises(VerificationLocked):
        b.start()
    # The desk that found it records the lock (and audits it) before refusing.
    assert b.actions().count("verification.locked") == 1
    sync_both(a, b, ledger)
    with pytest.raises(VerificationLocked):
        a.start()
    b.svc.unlock(b.supervisor, CUSTOMER, "called back on the number on file")
    sync_both(a, b, ledger)
    assert not a.locked() and not b.locked()
    assert a.start().lock.failures_in_window == 0


def test_a_lock_on_one_desk_refuses_verification_on_another_after_it_syncs(desks: Any) -> None:
    a, b, ledger = desks
    open_on_b = b.start()  # a verification already under way on B
    assert a.wrong(3).lock.locked
    sync(a.console, ledger)
    assert not b.locked()  # B has not synced yet: it cannot know
    sync(b.console, ledger)
    assert b.locked()
    with pytest.raises(VerificationLocked):
        b.start()
    kind = open_on_b.remaining[0].kind
    with pytest.raises(VerificationLocked):  # the verification under way stops too
        b.svc.answer(b.rep, open_on_b.verification_id, kind, WRONG[kind])
    assert b.svc.status(b.rep, open_on_b.verification_id).lock.origin == "desk-a"
    # B recorded no lock of its own: A's is the one in force.
    assert b.actions().count("verification.locked") == 0
    assert b.actions().count("verification.refused") == 2


def test_a_supervisor_on_another_desk_unlocks_and_the_first_desk_verifies_again(
    desks: Any,
) -> None:
    a, b, ledger = desks
    a.wrong(3)
    sync_both(a, b, ledger)
    with pytest.raises(NothingToUnlock):  # B may not unlock what is not locked for a rep ...
        b.svc.unlock(b.supervisor, CUSTOMER + 1, "nothing there")
    view = b.svc.unlock(b.supervisor, CUSTOMER, "called back on the number on file")
    assert not view.locked and view.failures_in_window == 0
    assert b.start().lock.failures_in_window == 0  # ... and B verifies straight away
    assert a.locked()  # A learns of it at its next sync
    sync(b.console, ledger)
    sync(a.console, ledger)
    assert not a.locked()
    status = a.start()
    assert status.usable and status.lock.failures_in_window == 0
    assert a.wrong(1, status).lock.failures_in_window == 1  # the count starts afresh

    # B wrote its own record; A's lock row, which only A writes, is unchanged.
    with ledger.connect() as conn:
        unlocks = conn.execute(
            select(
                VERIFICATION_UNLOCK.central.c.origin,
                VERIFICATION_UNLOCK.central.c.customer_id,
                VERIFICATION_UNLOCK.central.c.lock_origin,
            )
        ).all()
        lock_rows = conn.execute(
            select(VERIFICATION_LOCK.central.c.origin, VERIFICATION_LOCK.central.c.unlocked_at)
        ).all()
    assert [tuple(r) for r in unlocks] == [("desk-b", CUSTOMER, "desk-a")]
    assert [tuple(r) for r in lock_rows] == [("desk-a", None)]
    assert b.actions().count("verification.unlocked") == 1


def test_an_unlock_does_not_lift_a_lock_made_later(desks: Any) -> None:
    a, b, ledger = desks
    a.wrong(3)
    sync_both(a, b, ledger)
    b.svc.unlock(b.supervisor, CUSTOMER, "checked the order number with the shop")
    sync_both(a, b, ledger)
    assert not a.locked() and not b.locked()
    a.wrong(3)  # locked again on A, after the unlock
    sync_both(a, b, ledger)
    assert a.locked() and b.locked()
    with pytest.raises(VerificationLocked):
        b.start()
    view = b.svc.lock_state(b.rep, CUSTOMER)
    assert view.origin == "desk-a" and view.failures_in_window == 3
    b.svc.unlock(b.supervisor, CUSTOMER, "second call back")
    sync_both(a, b, ledger)
    assert not a.locked() and not b.locked()


@contextmanager
def _as_desk(desk: Desk) -> Iterator[tuple[Any, Any]]:
    from csconsole.commands.sign_in import sign_in

    yield desk.console, sign_in(desk.console)


def test_the_unlock_command_lifts_a_lock_made_on_another_desk(
    desks: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    a, b, ledger = desks
    a.wrong(3)
    sync_both(a, b, ledger)
    # `csconsole verify unlock` on desk B, signed in from the environment like a script.
    monkeypatch.setattr("csconsole.commands.verify.signed_in", lambda: _as_desk(b))
    monkeypatch.setenv("CSCONSOLE_USER", b.staff["rep"][0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", b.staff["rep"][1])
    assert cli.main(["verify", "unlock", str(CUSTOMER), "--reason", "x"]) == 1
    assert "may not unlock verification" in capsys.readouterr().err
    monkeypatch.setenv("CSCONSOLE_USER", b.staff["supervisor"][0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", b.staff["supervisor"][1])
    code = cli.main(["verify", "unlock", str(CUSTOMER), "--reason", "called back", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    shown = json.loads(out.out)
    assert shown["unlocked"] is True and shown["lock_origin"] == "desk-a"
    assert shown["failures"] == 3
    assert not b.locked()
    sync_both(a, b, ledger)
    assert not a.locked()


@pytest.fixture
def runner(qtbot: Any) -> Iterator[Any]:
    from PySide6.QtWidgets import QApplication

    from csconsole.ui.tasks import TaskRunner

    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.shutdown(10_000), "a task was still running after 10 s"
    QApplication.processEvents()


def test_a_supervisor_unlocks_in_the_wizard_on_another_desk(
    desks: Any, qtbot: Any, runner: Any
) -> None:
    from PySide6.QtCore import Qt

    from csconsole.ui.verification_panel import VerificationPanel

    a, b, ledger = desks
    a.wrong(3)
    sync_both(a, b, ledger)
    wizard = VerificationPanel(b.svc, b.supervisor, runner, b.case_id)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    wizard.start()
    qtbot.waitUntil(lambda: not wizard.unlock_row.isHidden(), timeout=10_000)
    assert "locked on desk desk-a" in wizard.lock_label.text()
    with qtbot.waitSignal(wizard.unlocked, timeout=10_000):
        qtbot.keyClicks(wizard.unlock_reason, "called back on the number on file")
        qtbot.keyClick(wizard.unlock_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.status is not None and not wizard.is_busy, timeout=10_000)
    assert wizard.status is not None and wizard.status.usable
    sync(b.console, ledger)
    sync(a.console, ledger)
    assert a.start().usable  # desk A verifies again
