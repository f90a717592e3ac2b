"""The supervisor's queue: a verification lockout waits until it is unlocked, a later
capability's items plug in as a source, each kind only for those who may act on it, and a look
at the list is audited (the count is not)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from csconsole.domain.errors import PermissionDenied
from csconsole.domain.staff import Permission
from csconsole.services.outbox import Resolution
from csconsole.services.supervision import QueueItem
from csconsole.services.supervision.queue import CONFLICT_KIND, LOCK_KIND, SupervisionUnitOfWork
from tests.casework import JANE, CaseWorld, audit_rows
from tests.db_servers import sqlite_url
from tests.push.conflict_world import make_conflicts
from tests.push.fixtures import console_factory, engines, make_shop  # noqa: F401


def lock_jane(world: CaseWorld) -> None:
    rep = world.session("rep")
    case = world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="a"
    )
    vid = world.console.verification.start(rep, case.case_id).verification_id
    wrong_answers = [("email", "a@example.com"), ("phone", "2125550000"), ("card_last4", "0000")]
    for kind, wrong in wrong_answers:
        world.console.verification.answer(rep, vid, kind, wrong)


class Approvals:
    kind = "approval"
    permission = Permission.REVIEW

    def waiting(self, uow: SupervisionUnitOfWork, now: datetime) -> Sequence[QueueItem]:
        return [QueueItem("approval", "7", "Correction to approve", "Case 7", now, case_id=7)]


def test_a_lockout_waits_until_unlocked(world: CaseWorld) -> None:
    sup = world.session("supervisor")
    queue = world.console.supervision
    assert queue.count(sup) == 0
    lock_jane(world)
    assert queue.count(sup) == 1
    waiting = queue.waiting(sup)
    [item] = waiting.of_kind(LOCK_KIND)
    assert item.customer_id == JANE and item.title == "Verification locked"
    assert "3 wrong answers" in item.detail
    rows = [r for r in audit_rows(world.console) if r[0] == "supervision.queue_viewed"]
    assert len(rows) == 1  # the count was not audited, the look was
    world.console.verification.unlock(sup, JANE, "called back, confirmed by letter")
    assert queue.count(sup) == 0


def test_later_sources_plug_in_and_permissions_narrow(world: CaseWorld) -> None:
    queue = world.console.supervision
    queue.register(Approvals())
    lock_jane(world)
    sup, admin, rep = (world.session(r) for r in ("supervisor", "admin", "rep"))
    assert {i.kind for i in queue.waiting(sup).items} == {LOCK_KIND, "approval"}
    # An admin reviews (conflicts, approvals) but does not unlock verification.
    assert {i.kind for i in queue.waiting(admin).items} == {"approval"}
    with pytest.raises(PermissionDenied):
        queue.count(rep)


def test_open_conflicts_wait_until_settled(
    console_factory: Callable[..., Any],  # noqa: F811
    engines: list[Engine],  # noqa: F811
    tmp_path: Path,
) -> None:
    console, staff = console_factory("desk")
    console.settings = console.settings.with_changes(shop_url="")
    shop = make_shop(sqlite_url(tmp_path / "shop.sqlite"), engines)
    ids = make_conflicts(console, shop)
    sup = console.auth.sign_in(*staff["supervisor"])
    waiting = console.supervision.waiting(sup).of_kind(CONFLICT_KIND)
    assert sorted(int(i.key) for i in waiting) == sorted(ids.values())
    assert all(i.title == "Sync conflict" and "customer" in i.detail for i in waiting)
    console.conflicts.settle(sup, ids["9999"], Resolution.KEEP_SHOP)
    assert [int(i.key) for i in console.supervision.waiting(sup).of_kind(CONFLICT_KIND)] == [
        ids["7"]
    ]
