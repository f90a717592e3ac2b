"""A broken audit trail stops the console from recording until a supervisor acknowledges it;
supervisors browse the trail by person, customer, action and period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from csconsole.domain.audit_integrity import ACK_ACTION, AuditChainBroken
from csconsole.domain.audit_query import AuditFilter
from csconsole.domain.errors import PermissionDenied
from csconsole.persistence.cache import migrate
from csconsole.services.audit_trail import NothingToAcknowledge
from tests.casework import JANE, CaseWorld, audit_rows


def tamper(world: CaseWorld, sql: str) -> None:
    with world.console.engine.begin() as conn:
        conn.execute(text(sql))


def open_access_case(world: CaseWorld, session: object) -> int:
    case = world.console.cases.open_case(
        session, "access", customer_id=JANE, channel="phone", summary="a"
    )
    return case.case_id


def test_schema_matches_the_models(world: CaseWorld) -> None:
    migrate.check(world.console.engine)  # alembic check: models and migrations agree


def test_an_old_edit_found_by_verify_stops_recording_until_acknowledged(world: CaseWorld) -> None:
    rep, sup = world.session("rep"), world.session("supervisor")
    open_access_case(world, rep)
    assert world.console.audit_trail.verify().ok
    tamper(world, "UPDATE audit_event SET actor = 'nobody' WHERE seq = 2")
    # The head is still intact, so recording goes on until a full check finds the edit ...
    open_access_case(world, rep)
    report = world.console.audit_trail.verify()
    assert not report.ok and report.bad_seq == 2 and "content changed" in report.problem
    # ... and from then on every action is refused, naming the event.
    with pytest.raises(AuditChainBroken, match="at event 2") as refused:
        open_access_case(world, rep)
    assert "supervisor acknowledges" in str(refused.value)
    cases_before = len(world.console.cases.list_cases(sup, scope="all"))
    # Signing in is still recorded, so the supervisor can come and look.
    sup = world.session("supervisor")
    with pytest.raises(PermissionDenied):
        world.console.audit_trail.acknowledge(world.session("rep"), "looks fine to me")
    with pytest.raises(ValueError, match="reason"):
        world.console.audit_trail.acknowledge(sup, " \u200b ")
    ack = world.console.audit_trail.acknowledge(sup, "Edited by hand on 2026-03-02; IT informed")
    assert ack.bad_seq == 2
    open_access_case(world, rep)
    assert len(world.console.cases.list_cases(sup, scope="all")) == cases_before + 1
    after = world.console.audit_trail.verify()
    assert not after.needs_acknowledgement and not after.ok  # the break stays on the record
    assert after.bad_seq == 2 and "acknowledged by supervisor" in after.problem
    [event] = [r for r in audit_rows(world.console) if r[0] == ACK_ACTION]
    assert event[3]["bad_seq"] == 2 and event[3]["reason"].startswith("Edited by hand")
    with pytest.raises(NothingToAcknowledge):
        world.console.audit_trail.acknowledge(sup, "again")


def test_an_edit_of_the_newest_event_is_refused_at_once(world: CaseWorld) -> None:
    rep = world.session("rep")
    open_access_case(world, rep)
    head = audit_rows(world.console)[-1]
    assert head[0] == "case.opened"
    tamper(
        world,
        "UPDATE audit_event SET details = '{}' WHERE seq = (SELECT max(seq) FROM audit_event)",
    )
    with pytest.raises(AuditChainBroken, match="content changed"):
        open_access_case(world, rep)
    assert world.console.audit_trail.status().needs_acknowledgement


def test_deleting_the_newest_events_is_found_by_the_checkpoint(world: CaseWorld) -> None:
    rep = world.session("rep")
    open_access_case(world, rep)
    last = len(audit_rows(world.console))
    with world.console.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": last})
    with pytest.raises(AuditChainBroken, match=f"event {last}"):
        open_access_case(world, rep)
    report = world.console.audit_trail.verify()
    assert report.bad_seq == last and "deleted after it was verified" in report.problem


def test_supervisors_browse_the_trail_with_filters(world: CaseWorld) -> None:
    rep, sup = world.session("rep"), world.session("supervisor")
    case_id = open_access_case(world, rep)
    svc = world.console.verification
    vid = svc.start(rep, case_id).verification_id
    svc.answer(rep, vid, "email", "nobody@example.com")
    world.clock.advance(days=2)
    world.console.cases.open_case(sup, "inquiry", customer_id=None, channel="phone", summary="b")
    browse = world.console.audit_trail.browse
    with pytest.raises(PermissionDenied):
        browse(rep, AuditFilter())
    by_rep = browse(sup, AuditFilter(actor="rep"))
    assert by_rep and {e.actor for e in by_rep} == {"rep"}
    assert [e.seq for e in by_rep] == sorted((e.seq for e in by_rep), reverse=True)
    about_jane = browse(sup, AuditFilter(customer_id=JANE))
    assert {e.customer_id for e in about_jane} == {JANE}
    verification = browse(sup, AuditFilter(action="verification."))
    assert [e.action for e in verification] == ["verification.answer", "verification.started"]
    assert verification[0].details == {
        "question": "email",
        "result": "no_match",
        "verification_id": vid,
    }
    now = world.clock.now()
    recent = browse(
        sup, AuditFilter(since=now - timedelta(hours=1), until=now + timedelta(hours=1))
    )
    assert {e.action for e in recent} >= {"case.opened"}
    assert all(e.at >= now - timedelta(hours=1) for e in recent)
    looked = [r for r in audit_rows(world.console) if r[0] == "audit.browsed"]
    assert len(looked) == 4 and looked[0][3]["actor"] == "rep"
    with pytest.raises(ValueError, match="end must be after"):
        AuditFilter(since=now, until=now)
