"""Cases against a real encrypted cache: due dates, queues, roles, the status flow, account misuse
through the outbox, and unmasking by verification level."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from csconsole.domain.cases import CaseStatus, CaseTransitionError
from csconsole.domain.errors import NotFound, PermissionDenied
from csconsole.domain.policy import VerificationLevel
from tests.casework import (
    JANE,
    LAST_CARD,
    LAST_ORDER,
    CaseWorld,
    OpenWorld,
    audit_rows,
)


def test_open_a_case_with_its_due_date_from_the_profile(world: CaseWorld) -> None:
    rep = world.session("rep")
    cases = world.console.cases
    access = cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="What do you hold on me?"
    )
    assert access.status is CaseStatus.OPEN and access.owner == "rep"
    assert access.customer_name == "Jane Smith"
    assert access.due_on == date(2026, 4, 16)  # 2026-03-02 + 45 calendar days
    opt_out = cases.open_case(
        rep, "mailing_opt_out", customer_id=JANE, channel="email", summary="stop the catalogs"
    )
    assert opt_out.due_on == date(2026, 3, 16)  # 10 business days
    opened = [r for r in audit_rows(world.console) if r[0] == "case.opened"]
    assert opened[0][1:3] == (JANE, access.case_id)
    assert opened[0][3]["due_rule"] == "cases.due.access"
    assert all("What do you hold" not in str(r) for r in audit_rows(world.console))


def test_bad_case_input_is_refused_with_a_reason(world: CaseWorld) -> None:
    rep = world.session("rep")
    cases = world.console.cases
    with pytest.raises(ValueError, match="case type"):
        cases.open_case(rep, "refund", customer_id=JANE, channel="phone", summary="x")
    with pytest.raises(ValueError, match="channel"):
        cases.open_case(rep, "access", customer_id=JANE, channel="fax", summary="x")
    with pytest.raises(ValueError, match="needs a customer"):
        cases.open_case(rep, "correction", customer_id=None, channel="phone", summary="x")
    with pytest.raises(ValueError, match="summary"):
        cases.open_case(rep, "access", customer_id=JANE, channel="phone", summary="\u200b  ")
    with pytest.raises(NotFound):
        cases.open_case(rep, "access", customer_id=999, channel="phone", summary="x")
    inquiry = cases.open_case(
        rep, "inquiry", customer_id=None, channel="in_person", summary="\u202eWhat is\x00 this?"
    )
    assert inquiry.summary == "What is this?"
    with pytest.raises(PermissionDenied):
        cases.open_case(
            world.session("admin"), "inquiry", customer_id=None, channel="phone", summary="x"
        )


def test_queues_reps_see_their_own_supervisors_all(world: CaseWorld) -> None:
    rep, sup = world.session("rep"), world.session("supervisor")
    cases = world.console.cases
    mine = cases.open_case(rep, "access", customer_id=JANE, channel="phone", summary="a")
    theirs = cases.open_case(sup, "inquiry", customer_id=None, channel="phone", summary="b")
    assert [c.case_id for c in cases.list_cases(rep)] == [mine.case_id]
    with pytest.raises(PermissionDenied):
        cases.list_cases(rep, scope="all")
    assert {c.case_id for c in cases.list_cases(sup, scope="all")} == {
        mine.case_id,
        theirs.case_id,
    }
    with pytest.raises(PermissionDenied, match="another rep's queue"):
        cases.show(rep, theirs.case_id)
    assert cases.show(sup, mine.case_id).case.case_id == mine.case_id


def test_status_flow_notes_and_closing(world: CaseWorld) -> None:
    rep = world.session("rep")
    cases = world.console.cases
    case = cases.open_case(rep, "access", customer_id=JANE, channel="phone", summary="a")
    note_id = cases.add_note(rep, case.case_id, "Caller will ring back\nafter 5pm")
    cases.change_status(rep, case.case_id, "in_progress")
    with pytest.raises(CaseTransitionError, match="needs a resolution"):
        cases.close(rep, case.case_id, "   ")
    closed = cases.close(rep, case.case_id, "Access report sent by post")
    assert closed.status is CaseStatus.RESOLVED and closed.closed_by == "rep"
    with pytest.raises(CaseTransitionError, match="stays closed"):
        cases.change_status(rep, case.case_id, "in_progress")
    detail = cases.show(rep, case.case_id)
    assert [n.note_id for n in detail.notes] == [note_id]
    assert detail.notes[0].text == "Caller will ring back\nafter 5pm"
    assert detail.next_statuses == ()
    assert cases.list_cases(rep) == []
    assert [c.case_id for c in cases.list_cases(rep, include_closed=True)] == [case.case_id]
    changes = [r[3] for r in audit_rows(world.console) if r[0] == "case.status_changed"]
    assert changes == [
        {"from": "open", "to": "in_progress"},
        {"from": "in_progress", "to": "resolved"},
    ]


def test_overdue_cases(world: CaseWorld) -> None:
    rep = world.session("rep")
    cases = world.console.cases
    case = cases.open_case(rep, "access", customer_id=JANE, channel="phone", summary="a")
    assert not case.overdue(cases.today())
    world.clock.advance(days=45)
    assert not cases.list_cases(rep)[0].overdue(cases.today())  # the due day itself is in time
    world.clock.advance(days=1)
    assert cases.list_cases(rep)[0].overdue(cases.today())
    assert cases.show(rep, case.case_id).overdue


def test_account_misuse_is_a_case_and_flags_the_account_through_the_outbox(
    open_world: OpenWorld,
) -> None:
    ndo_world = open_world(profile="national-diamond-outlet")
    rep = ndo_world.session("rep")
    case = ndo_world.console.cases.open_case(
        rep, "account_misuse", customer_id=JANE, channel="email", summary="orders I never placed"
    )
    assert case.due_on == date(2026, 3, 3)  # next business day
    with ndo_world.console.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, kind, entity, entity_key, changes, case_id, idempotency_key, status"
                " FROM outbox"
            )
        ).all()
    # The case itself also travels to the central ledger (an owned table), in the same commit.
    ledger = [r for r in rows if r[1] == "ledger_record"]
    assert [(r[2], r[3]) for r in ledger] == [("case_record", str(case.case_id))]
    [(outbox_id, kind, entity, key, changes, case_id, idempotency_key, status)] = [
        r for r in rows if r[1] != "ledger_record"
    ]
    assert (kind, entity, key) == ("account_flag", "customer", str(JANE))
    assert json.loads(changes) == {"flagged_misuse": True} and case_id == case.case_id
    assert idempotency_key == f"account_flag:case:{case.case_id}" and status == "pending"
    flagged = [r for r in audit_rows(ndo_world.console) if r[0] == "account.flag_requested"]
    assert flagged[0][1:3] == (JANE, case.case_id)
    assert flagged[0][3] == {"outbox_id": outbox_id, "clause": "account_misuse"}


def _verify(world: CaseWorld, case_id: int, *, high: bool) -> None:
    rep = world.session("rep")
    svc = world.console.verification
    vid = svc.start(rep, case_id, request="data_copy" if high else None).verification_id
    svc.answer(rep, vid, "email", "jane.smith@example.org")
    svc.answer(rep, vid, "billing_postcode", "10001")
    if high:
        svc.answer(rep, vid, "last_order_total", "1899")
        svc.affirm(rep, vid)


def test_unmasking_follows_the_level_and_every_view_is_audited(world: CaseWorld) -> None:
    rep = world.session("rep")
    case = world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="a"
    )
    with pytest.raises(PermissionDenied, match="not verified"):
        world.console.unmask.view(rep, case.case_id)
    _verify(world, case.case_id, high=False)
    standard = world.console.unmask.view(rep, case.case_id)
    assert standard.level is VerificationLevel.STANDARD
    assert standard.email == "Jane.Smith@example.org" and standard.phones == ("(212) 555-4990",)
    assert standard.addresses[0].postcode == "10001"
    assert standard.orders == () and standard.subscriptions == ()
    _verify(world, case.case_id, high=True)
    high = world.console.unmask.view(rep, case.case_id)
    assert high.level is VerificationLevel.HIGH
    assert [o.number for o in high.orders] == [LAST_ORDER, "DN100000002"]
    assert high.orders[0].card_shown.endswith(LAST_CARD) and len(high.orders[0].card_shown) == 9
    assert high.subscriptions
    views = [r for r in audit_rows(world.console) if r[0] == "customer.view_unmasked"]
    assert [v[3]["level"] for v in views] == ["standard", "high"]
    assert views[1][3]["sections"] == "contact,addresses,profile,orders,subscriptions"
    with pytest.raises(PermissionDenied):
        world.console.unmask.view(world.session("supervisor"), case.case_id)
    world.clock.advance(minutes=31)
    with pytest.raises(PermissionDenied):
        world.console.unmask.view(rep, case.case_id)


def test_business_day_deadlines_skip_the_profiles_public_holidays(world: CaseWorld) -> None:
    # Monday 23 November 2026: Thanksgiving (Thursday 26th) is a US federal holiday, so ten
    # business days end on Tuesday 8 December, not on Monday 7 December.
    world.clock.at = world.clock.at.replace(year=2026, month=11, day=23)
    assert world.console.profile.holiday_calendar == "US"
    rep = world.session("rep")
    opt_out = world.console.cases.open_case(
        rep, "mailing_opt_out", customer_id=JANE, channel="phone", summary="no more catalogs"
    )
    assert opt_out.due_on == date(2026, 12, 8)
    # Account misuse is due the next business day: from Wednesday 25th that is Friday 27th.
    world.clock.at = world.clock.at.replace(day=25)
    misuse = world.console.cases.open_case(
        rep, "account_misuse", customer_id=JANE, channel="phone", summary="not my order"
    )
    assert misuse.due_on == date(2026, 11, 27)
