"""The head of the audit chain is anchored in the central ledger (issue 10, finding 3): a desk's
trail is compared with its central copy event by event, the ledger keeps each desk's newest
head, and a ledger error fails the sync. Each case runs the real commands against a real
encrypted cache and a central ledger in SQLite and in PostgreSQL."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select

from csconsole import cli
from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, load_settings, save_settings
from csconsole.app.console import Console
from csconsole.domain.audit_chain import chain_hash
from csconsole.persistence.cache.engine import cache_key, connect_raw
from csconsole.persistence.cache.sync_log import read_sync_status
from csconsole.persistence.ledger.schema import audit_event, desk_head
from csconsole.persistence.repositories.audit_guard import entry_from_row
from tests.casework import JANE, CaseWorld, OpenWorld

BACKENDS = ["sqlite", "postgresql"]
TARGET = 6
_COLUMNS = (
    "seq, at, actor, role, workstation, action, customer_id, case_id, details, prev_hash, hash"
)


def add_cases(world: CaseWorld, n: int = 3) -> None:
    rep = world.session("rep")
    for k in range(n):
        case = world.console.cases.open_case(
            rep, "access", customer_id=JANE, channel="phone", summary=f"call {k}"
        )
        world.console.cases.add_note(rep, case.case_id, "rang back")


def push(console: Console, ledger: Engine) -> Any:
    _, replicated = console.sync.push(shop=None, ledger=ledger)
    assert replicated is not None
    return replicated


def rewrite_and_rehash(con: Any, seq: int) -> None:
    """Change event ``seq`` and re-hash every later one, and the checkpoint with them: the
    trail is intact on its own."""
    con.execute("UPDATE audit_event SET customer_id = 999 WHERE seq = ?", (seq,))
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM audit_event WHERE seq >= ? ORDER BY seq",  # noqa: S608
        (seq,),
    ).fetchall()
    prev = con.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq - 1,)).fetchone()[0]
    for row in rows:
        entry, _, _ = entry_from_row(row)
        digest = chain_hash(prev, entry)
        con.execute(
            "UPDATE audit_event SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0])
        )
        prev = digest
    con.execute("UPDATE audit_checkpoint SET seq = ?, hash = ?", (rows[-1][0], prev))
    con.commit()


@dataclass
class Desk:
    """A desk whose events are all in the central ledger, and the ways the tests touch it."""

    world: CaseWorld
    ledger: Engine
    pushed: int  # events in the central ledger
    paths: Paths
    secrets: KeyringSecretStore
    monkeypatch: pytest.MonkeyPatch
    capsys: Any

    def run(self, args: list[str]) -> tuple[int, str, str]:
        """A real command, signed in as the supervisor."""
        self.monkeypatch.setenv("CSCONSOLE_USER", "supervisor")
        self.monkeypatch.setenv("CSCONSOLE_PASSWORD", self.world.passwords["supervisor"])
        code = cli.main(args)
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def verify(self, *extra: str) -> tuple[int, Any, str]:
        """`csconsole audit verify --json` (without --ledger the set ledger is checked too)."""
        code, out, err = self.run(["audit", "verify", "--json", *extra])
        return code, json.loads(out), err

    def raw(self) -> Any:
        key = cache_key(self.secrets, self.paths.cache_file, create=False)
        return connect_raw(self.paths.cache_file, key)

    def sign_ins_pushed(self, times: int) -> Any:
        """New events (sign-ins) on a console opened anew, then its push; the ledger report."""
        console = Console.open(self.paths, self.secrets)
        try:
            for _ in range(times):
                console.auth.sign_in("rep", self.world.passwords["rep"])
            return push(console, self.ledger)
        finally:
            console.close()


@pytest.fixture
def desk(
    open_world: OpenWorld,
    database_url: str,
    paths: Paths,
    secret_store: KeyringSecretStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> Iterator[Desk]:
    world = open_world(ledger_url=database_url)
    ledger = create_engine(database_url)
    try:
        add_cases(world)
        report = push(world.console, ledger)
        assert not report.error, report.error
        assert report.pushed_events > TARGET + 2
        world.console.close()  # the commands open their own; the tests change the file
        yield Desk(world, ledger, report.pushed_events, paths, secret_store, monkeypatch, capsys)
    finally:
        ledger.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_verify_says_which_chains_it_checked(desk: Desk) -> None:
    code, report, err = desk.verify()
    assert code == 0, err
    [central] = report["ledger"].values()
    assert central["ok"] and central["this_desk"] and central["head_seq"] == desk.pushed
    assert report["compared"]["ok"] is True
    assert report["checked"][0].startswith("the local chain of this desk")
    assert any("central copy of desk" in c and "this desk" in c for c in report["checked"][1:])

    code, out, _ = desk.run(["audit", "verify"])
    assert code == 0
    assert "checked: the local chain of this desk" in out
    assert "its central copy agree, event by event" in out


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize(
    "thorough", [False, True], ids=["tail+checkpoint", "tail+checkpoint+state"]
)
def test_a_deleted_tail_is_found_and_named(desk: Desk, thorough: bool) -> None:
    keep = desk.pushed - 3
    con = desk.raw()
    con.execute("DELETE FROM audit_event WHERE seq > ?", (keep,))
    con.execute("DELETE FROM audit_checkpoint")
    if thorough:  # the sync's note of how far it pushed goes too
        con.execute("DELETE FROM ledger_replica_state WHERE table_name = 'audit_event'")
    con.commit()
    con.close()

    code, report, err = desk.verify()

    assert code == 3, err
    # The comparison names the first deleted event (the sign-in of this check took its
    # number here, so the two copies differ right there).
    assert report["compared"]["ok"] is False
    assert report["compared"]["bad_seq"] == keep + 1, report["compared"]
    assert f"differ at event {keep + 1}" in err
    # The local trail notices on its own too, from what the desk itself kept.
    assert report["ok"] is False
    if thorough:  # after this check's own sign-in (event keep + 1), nothing vouches for more
        assert report["bad_seq"] == keep + 2
        assert "last verified event is missing" in report["problem"]
    else:
        assert report["bad_seq"] == desk.pushed
        assert "sent to the central ledger, missing here" in report["problem"]
    [central] = report["ledger"].values()
    assert central["ok"] is True  # the central copy itself is whole


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_restored_older_cache_is_found_against_the_longer_central_copy(
    desk: Desk, tmp_path: Path
) -> None:
    """500 events here, 545 centrally: the cache restored from an older copy is intact on its
    own (its checkpoint and its sync note are as old as it), so only the central copy shows."""
    backup = tmp_path / "cache-backup.db"
    shutil.copyfile(desk.paths.cache_file, backup)
    more = desk.sign_ins_pushed(2)
    assert not more.error and more.pushed_events >= 2
    shutil.copyfile(backup, desk.paths.cache_file)

    code, report, err = desk.verify()

    assert code == 3, err
    assert report["ok"] is True  # nothing to see from the cache alone
    assert report["compared"]["bad_seq"] == desk.pushed + 1, report["compared"]
    assert "this desk's trail and its central copy differ" in err


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_rewritten_event_is_named_not_a_later_one(desk: Desk) -> None:
    con = desk.raw()
    rewrite_and_rehash(con, TARGET)
    con.close()

    code, report, err = desk.verify()
    assert code == 3, err
    assert report["ok"] is True  # re-hashed: intact on its own
    assert report["compared"]["bad_seq"] == TARGET
    assert report["compared"]["side"] == "both"
    assert f"differ at event {TARGET}: its content differs" in err

    # The sync refuses to push the rewritten chain, naming the same event; the central copy
    # stays as it was (no event linked to the rewritten ones).
    refused = desk.sign_ins_pushed(1)
    assert f"differs from its central copy at event {TARGET}" in refused.error
    code, report, _ = desk.verify()
    [central] = report["ledger"].values()
    assert central["ok"] is True


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_central_tail_deleted_is_found_by_the_head_the_desk_pushed(desk: Desk) -> None:
    with desk.ledger.begin() as conn:
        conn.execute(audit_event.delete().where(audit_event.c.seq > desk.pushed - 2))
        heads = conn.execute(select(desk_head.c.seq)).scalars().all()
    assert max(heads) == desk.pushed

    code, report, err = desk.verify()

    assert code == 3, err
    [central] = report["ledger"].values()
    assert central["ok"] is False and central["bad_seq"] == desk.pushed - 1
    assert f"the desk pushed events up to {desk.pushed}" in central["problem"]
    assert report["compared"]["bad_seq"] == desk.pushed - 1
    assert report["compared"]["side"] == "central"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_fork_makes_the_sync_exit_non_zero_with_the_reason(desk: Desk, tmp_path: Path) -> None:
    shop = tmp_path / "case-shop.sqlite"
    settings = load_settings(desk.paths)
    save_settings(
        desk.paths, settings.with_changes(shop_url=f"sqlite:///{shop}", shop_mapping="reference")
    )
    code, _, err = desk.run(["sync", "--quiet"])
    assert code == 0, err
    con = desk.raw()
    rewrite_and_rehash(con, TARGET)
    con.close()

    code, out, err = desk.run(["sync", "--quiet"])

    assert code == 1
    assert "ok" not in out.split()
    [line] = err.strip().splitlines()
    assert "ledger sync stopped" in line
    assert f"differs from its central copy at event {TARGET}" in line
    # The window's status bar reads the run log: the run is an error there.
    console = Console.open(desk.paths, desk.secrets)
    try:
        status = read_sync_status(console.engine)
    finally:
        console.close()
    assert status.last_outcome == "failed"
    assert status.last_message is not None and f"event {TARGET}" in status.last_message
    assert status.summary().startswith("Last sync failed")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_renamed_workstation_keeps_its_chain(desk: Desk) -> None:
    settings = load_settings(desk.paths)
    save_settings(desk.paths, settings.with_changes(workstation="front-desk-2"))
    more = desk.sign_ins_pushed(1)
    assert not more.error, more.error
    with desk.ledger.connect() as conn:
        names = set(conn.execute(select(audit_event.c.workstation).distinct()).scalars())
        desks = set(conn.execute(select(audit_event.c.desk).distinct()).scalars())
    assert "front-desk-2" in names and len(names) == 2
    assert len(desks) == 1  # one chain, under one desk id

    code, report, err = desk.verify("--ledger")

    assert code == 0, err
    [central] = report["ledger"].values()
    assert central["ok"] and central["workstation"] == "front-desk-2"
    assert central["events"] > desk.pushed


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_chain_pushed_before_desk_ids_stays_this_desks_chain(desk: Desk) -> None:
    """A ledger from before revision l0005: its rows carry no desk id and no head was kept; the
    desk's id becomes the name its chain has there, and the chain goes on as one."""
    with desk.ledger.begin() as conn:
        [name] = conn.execute(select(audit_event.c.workstation).distinct()).scalars().all()
        conn.execute(audit_event.update().values(desk=None))
        conn.execute(desk_head.delete())
    con = desk.raw()
    con.execute("DELETE FROM cache_meta WHERE key = 'ledger_desk'")
    con.commit()
    con.close()

    more = desk.sign_ins_pushed(1)

    assert not more.error, more.error
    with desk.ledger.connect() as conn:
        desks = set(conn.execute(select(audit_event.c.desk).distinct()).scalars())
    assert desks == {None, name}
    code, report, err = desk.verify()
    assert code == 0, err
    [(desk_id, central)] = report["ledger"].items()
    assert desk_id == name and central["ok"] and central["this_desk"]
    assert report["compared"]["ok"] is True
