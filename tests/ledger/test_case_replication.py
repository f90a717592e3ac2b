"""Cases are owned ledger tables: a case a rep opens on one desk reaches the central ledger and,
after both desks sync, is in the supervisor's list of all cases on another desk (read-only,
marked with the desk it came from)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, select

from csconsole.domain.cases import CaseStatus
from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.tables import CASE, CASE_NOTE, VERIFICATION_SESSION
from tests.ledger.ledger_sync import sync

BACKENDS = ["postgresql", "mariadb", "sqlite"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_case_opened_on_one_desk_is_listed_for_the_supervisor_on_another(
    console_factory, database_url: str, engines: list[Engine]
) -> None:  # type: ignore[no-untyped-def]
    ledger = create_engine(database_url)
    engines.append(ledger)
    a, a_staff = console_factory("a", "desk-a")
    b, _ = console_factory("b", "desk-b")
    sync(a, ledger)  # A publishes its staff ...
    sync(b, ledger)  # ... B adopts them (same staff ids on both desks)

    rep = a.auth.sign_in(*a_staff["rep"])
    opened = a.cases.open_case(
        rep, "inquiry", customer_id=None, channel="phone", summary="Asks what we keep"
    )
    a.cases.add_note(rep, opened.case_id, "Called back, sent the summary")
    mine = a.cases.open_case(
        rep, "inquiry", customer_id=None, channel="email", summary="Second question"
    )
    a.cases.close(rep, mine.case_id, "Answered by e-mail")
    access = a.cases.open_case(rep, "access", customer_id=1, channel="phone", summary="Copy")
    verification = a.verification.start(rep, access.case_id).verification_id
    assert sync(a, ledger).pushed_records >= 3  # two cases, one note
    sync(b, ledger)

    with ledger.connect() as conn:
        central = {
            (r.origin, r.id): r.status
            for r in conn.execute(
                select(CASE.central.c.origin, CASE.central.c.id, CASE.central.c.status)
            )
        }
        notes = conn.execute(select(CASE_NOTE.central.c.origin, CASE_NOTE.central.c.case_id)).all()
    assert central == {
        ("desk-a", opened.case_id): CaseStatus.OPEN.value,
        ("desk-a", mine.case_id): CaseStatus.RESOLVED.value,
        ("desk-a", access.case_id): CaseStatus.OPEN.value,
    }
    assert [tuple(n) for n in notes] == [("desk-a", opened.case_id)]
    replica = VERIFICATION_SESSION.replica
    assert replica is not None
    with b.engine.connect() as conn:  # verification records replicate the same way
        sessions = conn.execute(select(replica.c.origin, replica.c.case_id)).all()
    assert [tuple(r) for r in sessions] == [("desk-a", access.case_id)]
    assert verification

    supervisor = b.auth.sign_in(*a_staff["supervisor"])  # central staff: A's passwords
    listed = b.cases.list_cases(supervisor, scope="all")
    theirs = [c for c in listed if c.origin == "desk-a"]
    assert sorted((c.case_id, c.summary, c.owner) for c in theirs) == [
        (opened.case_id, "Asks what we keep", "rep"),
        (access.case_id, "Copy", "rep"),
    ]
    everything = b.cases.list_cases(supervisor, scope="all", include_closed=True)
    assert {(c.origin, c.case_id) for c in everything if c.origin} == {
        ("desk-a", opened.case_id),
        ("desk-a", mine.case_id),
        ("desk-a", access.case_id),
    }
    # Only "all" shows other desks' cases; a rep's own queue is this desk's.
    b_rep = b.auth.sign_in(*a_staff["rep"])
    assert all(c.origin == "" for c in b.cases.list_cases(b_rep, scope="mine"))
    # A does not get its own cases back as copies.
    own = a.cases.list_cases(a.auth.sign_in(*a_staff["supervisor"]), scope="all")
    assert all(c.origin == "" for c in own)
    assert ledger_migrate.is_current(ledger)
