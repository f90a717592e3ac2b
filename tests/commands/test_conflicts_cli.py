"""`csconsole conflicts list` and `csconsole conflicts settle`, through `cli.main`, signed in
from the environment, over real conflicts pushed into a real shop: SQLite, PostgreSQL and
MariaDB (an absent server fails the test, never skips it)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import Engine

from csconsole import cli
from tests.push.conflict_world import (
    PERSONAL,
    SAW,
    SHOP,
    WANTED,
    audit_events,
    make_conflicts,
    push,
    shop_email,
)
from tests.push.file_keyring import FileKeyring
from tests.push.fixtures import (  # noqa: F401  (fixtures are found by name)
    console_factory,
    engines,
    make_shop,
)

BACKENDS = ["sqlite", "postgresql", "mariadb"]


def waiting(console: Any) -> tuple[int, int]:
    """(shop changes waiting to be sent, conflicts to settle), as the status bar counts them."""
    backlog = console.sync.backlog()
    return backlog.shop_changes, backlog.conflicts


class Desk:
    """A demo console with real conflicts, and the command run on its home."""

    def __init__(
        self, console: Any, staff: dict[str, tuple[str, str]], shop: Engine, mp: Any, capsys: Any
    ) -> None:
        self.console, self.staff, self.shop, self.mp, self.capsys = console, staff, shop, mp, capsys

    def __call__(self, *args: str, role: str = "supervisor") -> tuple[int, str, str]:
        user, password = self.staff[role]
        self.mp.setenv("CSCONSOLE_USER", user)
        self.mp.setenv("CSCONSOLE_PASSWORD", password)
        code = cli.main(["conflicts", *args])
        out = self.capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture
def desk(
    console_factory: Callable[..., Any],  # noqa: F811  (tests/push/fixtures.py)
    database_url: str,
    engines: list[Engine],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> Iterator[Desk]:
    console, staff = console_factory("desk")
    shop = make_shop(database_url, engines)
    monkeypatch.setenv("CSCONSOLE_HOME", str(tmp_path / "desk"))  # the factory's home for it
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring(str(tmp_path / "desk" / "keyring.json")))
    try:
        yield Desk(console, staff, shop, monkeypatch, capsys)
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_supervisor_lists_and_settles_conflicts(desk: Desk) -> None:
    ids = make_conflicts(desk.console, desk.shop)

    code, out, err = desk("list", "--json")
    assert code == 0, err
    listed = {row["entity_key"]: row for row in json.loads(out)}
    assert set(listed) == {"7", "9999"}
    seven = listed["7"]
    assert (seven["conflict_id"], seven["entity"], seven["problem"]) == (
        ids["7"],
        "customer",
        "conflict",
    )
    assert seven["fields"] == [
        {"field": "email", "you_saw": SAW, "shop_has_now": SHOP, "you_wanted": WANTED}
    ]
    assert seven["detected_at"] and seven["case_id"] is None
    assert listed["9999"]["problem"] == "missing"
    assert listed["9999"]["fields"][0]["shop_has_now"] is None

    code, out, err = desk("list")
    assert code == 0, err
    assert f"conflict {ids['7']}: customer 7 changed in the shop" in out
    assert f"you saw:       {SAW}" in out
    assert f"shop has now:  {SHOP}" in out
    assert f"you wanted:    {WANTED}" in out
    assert "customer 9999 no longer in the shop" in out
    assert "(the row is gone from the shop)" in out
    assert "2 open conflicts" in err

    code, out, err = desk("settle", str(ids["7"]), "--send-mine", "--json")
    assert code == 0, err
    settled = json.loads(out)
    assert settled["conflict_id"] == ids["7"] and settled["resolution"] == "apply_mine"
    assert isinstance(settled["new_outbox_id"], int)
    code, out, err = desk("settle", str(ids["9999"]), "--keep-shop")
    assert (code, out) == (0, f"conflict {ids['9999']} settled: the shop's value is kept\n")
    assert desk("list", "--json")[1] == "[]\n"
    assert (desk.console.sync.backlog().shop_changes, desk.console.sync.backlog().conflicts) == (
        1,
        0,
    )

    # The next push sends the change again, checked against what the shop has now.
    assert shop_email(desk.shop) == SHOP
    assert push(desk.console, desk.shop).applied == 1
    assert shop_email(desk.shop) == WANTED
    assert (desk.console.sync.backlog().shop_changes, desk.console.sync.backlog().conflicts) == (
        0,
        0,
    )

    supervisor = desk.staff["supervisor"][0]
    viewed = audit_events(desk.console, "sync.conflicts_viewed")
    assert viewed[0] == (
        supervisor,
        {"count": 2, "conflict_ids": f"{ids['7']},{ids['9999']}"},
    )
    assert viewed[-1] == (supervisor, {"count": 0, "conflict_ids": ""})
    settled_events = audit_events(desk.console, "sync.conflict_settled")
    assert [(a, d["conflict_id"], d["resolution"]) for a, d in settled_events] == [
        (supervisor, ids["7"], "apply_mine"),
        (supervisor, ids["9999"], "keep_shop"),
    ]
    recorded = json.dumps(viewed + settled_events)
    assert not any(value in recorded for value in PERSONAL)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_refusals_and_unknown_ids(desk: Desk) -> None:
    ids = make_conflicts(desk.console, desk.shop)

    for args in (("list",), ("settle", str(ids["7"]), "--keep-shop")):
        code, out, err = desk(*args, role="rep")
        assert (code, out) == (1, "")
        assert err.startswith("csconsole: ") and "may not review" in err
        assert len(err.splitlines()) == 1
        assert not any(value in err for value in PERSONAL)
    assert (desk.console.sync.backlog().shop_changes, desk.console.sync.backlog().conflicts) == (
        0,
        2,
    )

    code, _, err = desk("settle", "424242", "--send-mine")
    assert (code, err) == (1, "csconsole: There is no sync conflict 424242.\n")
    assert desk("settle", str(ids["7"]), "--keep-shop")[0] == 0
    code, _, err = desk("settle", str(ids["7"]), "--send-mine")
    assert (code, err) == (1, f"csconsole: Sync conflict {ids['7']} is already settled.\n")
    assert (desk.console.sync.backlog().shop_changes, desk.console.sync.backlog().conflicts) == (
        0,
        1,
    )

    # One of --keep-shop / --send-mine is required: a one-line refusal, exit 2.
    code, _, err = desk("settle", str(ids["9999"]))
    assert code == 2 and len(err.splitlines()) == 1 and "--keep-shop" in err
    assert not audit_events(desk.console, "sync.conflicts_viewed")  # the refusals showed nothing
