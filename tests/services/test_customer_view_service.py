"""The 360 view's reads on a real encrypted cache: one query per tab, masked, permission-checked,
each look audited; the indexes of migration 0010 are there and used."""

from __future__ import annotations

import re

import pytest

from csconsole.domain.errors import PermissionDenied
from csconsole.persistence.cache import migrate
from csconsole.persistence.repositories.customer_view import TAB_QUERIES
from csconsole.services.customer_view import TABS, action_label
from tests.casework import JANE, JANE_SECRETS, CaseWorld, audit_rows


def test_every_tab_is_masked_and_audited(world: CaseWorld) -> None:
    rep = world.session("rep")
    case = world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="a copy of my data"
    )
    view = world.console.customer_view
    overview = view.overview(rep, JANE)
    assert overview is not None
    assert overview.summary.name == "Jane Smith"
    assert overview.summary.email_masked == "J•••@example.org"
    addresses = view.addresses(rep, JANE)
    assert [a.kind for a in addresses] == ["billing"]
    assert addresses[0].postcode_masked == "1•••" and addresses[0].street_masked == "•••"
    orders = view.orders(rep, JANE)
    assert [o.position for o in orders] == [1, 2]
    assert orders[0].item_count == 1 and orders[0].card_brand == "visa"
    mailing = view.mailing(rep, JANE)
    assert mailing and mailing[0].channel == "email"
    cases = view.cases(rep, JANE)
    assert [(c.case_id, c.desk, c.case_type, c.status) for c in cases] == [
        (case.case_id, "", "access", "open")
    ]
    assert cases[0].summary == "a copy of my data" and cases[0].due_on == case.due_on
    activity = view.activity(rep, JANE)
    assert activity[0].action == "customer.view_masked"  # newest first: the last tab's look
    assert "case.opened" in [a.action for a in activity]
    assert activity[0].actor == "rep" and activity[0].details["tab"] == "cases"
    shown = repr((overview, addresses, orders, mailing))
    for secret in JANE_SECRETS:
        assert secret not in shown, secret
    looks = [r for r in audit_rows(world.console) if r[0] == "customer.view_masked"]
    assert [r[3]["tab"] for r in looks] == list(TABS)
    assert {r[1] for r in looks} == {JANE}


def test_a_removed_customer_shows_nothing(world: CaseWorld) -> None:
    rep = world.session("rep")
    assert world.console.customer_view.overview(rep, 999_999) is None
    assert world.console.customer_view.addresses(rep, 999_999) == []
    # The empty list was a look, so it is in the customer id's activity.
    [look] = world.console.customer_view.activity(rep, 999_999)
    assert look.label == "Viewed the customer (masked)" and look.details["tab"] == "addresses"
    looks = [r for r in audit_rows(world.console) if r[0] == "customer.view_masked"]
    assert [r[3]["tab"] for r in looks] == ["addresses", "activity"]  # empty lists are looks too


def test_cases_need_casework_and_refusals_record_nothing(world: CaseWorld) -> None:
    admin = world.session("admin")
    with pytest.raises(PermissionDenied):
        world.console.customer_view.cases(admin, JANE)
    assert not [r for r in audit_rows(world.console) if r[0] == "customer.view_masked"]


def test_actions_read_in_words() -> None:
    assert action_label("customer.view_unmasked") == "Viewed unmasked data"
    assert action_label("thing.made_up") == "Thing: made up"


def test_the_indexes_are_migrated_and_used(world: CaseWorld) -> None:
    migrate.check(world.console.engine)  # alembic check: models and migrations agree
    conn = world.console.cache.connect()
    try:
        indexes = {r[1] for r in conn.execute("SELECT type, name FROM sqlite_master")}
        assert "ix_audit_event_customer_id_seq" in indexes
        assert "ix_replica_case_record_customer_id" in indexes
        for tab in TABS:
            sql, params = TAB_QUERIES[tab](JANE, 10)
            plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            # Every table is reached by an index or its key, never scanned whole.
            assert not re.search(r"SCAN (?!\(subquery|CONSTANT ROW)", plan), (tab, plan)
    finally:
        conn.close()


def test_reading_every_tab_at_once_is_one_look(world: CaseWorld) -> None:
    rep = world.session("rep")
    tabs = world.console.customer_view.read(rep, JANE, ("activity", "overview", "orders"))
    assert tabs.overview is not None and tabs.orders is not None and tabs.activity is not None
    assert tabs.addresses is None and tabs.cases is None  # not asked for
    looks = [r for r in audit_rows(world.console) if r[0] == "customer.view_masked"]
    assert [r[3]["tab"] for r in looks] == ["overview,orders,activity"]
    with pytest.raises(ValueError, match="tabs: one or more of overview"):
        world.console.customer_view.read(rep, JANE, ("secrets",))
