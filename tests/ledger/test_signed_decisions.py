"""Signed supervisor decisions across desks (issue 10, item 2): a verification unlock without a
supervisor's valid signature, written into a desk's cache or directly into the central
PostgreSQL, is refused (by the central ledger, or by the desk that pulls it) and the lock stays;
a supervisor's own signed unlock lifts the lock everywhere (``test_verification_lock_desks``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from csconsole.domain import signing
from csconsole.persistence.ledger.tables import VERIFICATION_UNLOCK
from csconsole.services.signing import unseal
from tests.ledger.ledger_sync import sync
from tests.ledger.test_verification_lock_desks import CUSTOMER, Desk


@pytest.fixture
def desks(console_factory: Any, engines: list[Engine], pg_url: str) -> Any:
    """Desk A publishes its staff, B adopts them (as in ``test_verification_lock_desks``)."""
    ledger = create_engine(pg_url)
    engines.append(ledger)
    a, a_staff = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    sync(a, ledger)
    sync(b, ledger)
    return Desk(a, a_staff), Desk(b, a_staff), ledger


def push(desk: Desk, ledger: Engine) -> Any:
    _, report = desk.console.sync.push(shop=None, ledger=ledger)
    assert report is not None
    return report


def central_unlocks(ledger: Engine) -> int:
    with ledger.connect() as conn:
        return int(
            conn.execute(select(func.count()).select_from(VERIFICATION_UNLOCK.central)).scalar_one()
        )


def locked_on_both(a: Desk, b: Desk, ledger: Engine) -> None:
    assert a.wrong(3).lock.locked
    sync(a.console, ledger)
    sync(b.console, ledger)
    assert b.locked()


def forge_unlock(desk: Desk, *, signer: str | None = None, key: Any = None) -> None:
    """What someone with the desk's cache key could write: an unlock row (captured for the
    ledger like any other), unsigned or signed with a key that may not sign it."""
    now = desk.console.clock.now()
    lock = desk.svc.lock_state(desk.rep, CUSTOMER)
    signature = None
    if key is not None:
        signature = signing.sign(
            key,
            signing.unlock_bytes(
                customer_id=CUSTOMER,
                unlocked_at=now,
                effective_at=now + timedelta(hours=1),
                reason="forged",
                lock_origin=None,
                lock_id=None,
                signed_by=signer,
            ),
        )
    with desk.console.uow() as uow:
        uow.verifications.add_unlock(
            CUSTOMER,
            at=now,
            effective_at=now + timedelta(hours=1),
            staff_id=desk.rep.staff.staff_id,
            reason="forged",
            lock=None,
            signed_by=signer,
            signature=signature,
        )
        uow.commit()
    assert lock.locked


def test_an_unsigned_unlock_in_a_cache_is_refused_by_the_central_ledger(desks: Any) -> None:
    a, b, ledger = desks
    locked_on_both(a, b, ledger)
    forge_unlock(b)

    report = push(b, ledger)

    assert report.error.startswith("refused 1 row(s): verification_unlock 'desk-b/")
    assert report.error.endswith(": decision has no signature")
    assert central_unlocks(ledger) == 0
    sync(a.console, ledger)
    assert a.locked()  # the other desk never saw it
    assert "decision.refused" in b.actions()


def test_an_unlock_signed_by_a_rep_is_refused(desks: Any) -> None:
    a, b, ledger = desks
    locked_on_both(a, b, ledger)
    with b.console.uow() as uow:
        rep = uow.staff.by_username("rep")
    assert rep is not None and rep.sealed_key
    forge_unlock(b, signer="rep", key=unseal(rep.sealed_key, b.staff["rep"][1]))

    report = push(b, ledger)

    assert report.error.endswith(": decision signed by a rep, not a supervisor or admin")
    assert central_unlocks(ledger) == 0


def test_an_unsigned_unlock_written_into_the_central_database_is_refused_by_the_desk(
    desks: Any,
) -> None:
    a, b, ledger = desks
    locked_on_both(a, b, ledger)
    now = a.console.clock.now()
    with ledger.begin() as conn:
        conn.execute(
            VERIFICATION_UNLOCK.central.insert().values(
                origin="desk-x",
                id=1,
                customer_id=CUSTOMER,
                unlocked_at=now,
                effective_at=now + timedelta(hours=1),
                staff_id=a.supervisor.staff.staff_id,
                reason="forged in the central database",
                signed_by="supervisor",
                signature="AAAA",
                rev=10**9,
            )
        )

    report = push(a, ledger)

    assert report.error == (
        "refused 1 row(s): verification_unlock 'desk-x/1': decision signature does not verify"
    )
    assert a.locked()
    with a.console.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM replica_verification_unlock")).scalar() == 0
    assert "decision.refused" in a.actions()
