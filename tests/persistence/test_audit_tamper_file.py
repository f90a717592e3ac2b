"""Tampering with the real encrypted cache file, then the real `csconsole audit verify`: it must
name the event that was changed, deleted, inserted or moved; and the console must refuse to
record more until a supervisor acknowledges (`csconsole audit acknowledge`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from csconsole import cli
from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.domain.audit_chain import AuditEntry, chain_hash
from csconsole.persistence.cache.engine import cache_key, connect_raw
from tests.casework import JANE, OpenWorld

Tamper = Callable[[Any], None]
TARGET = 6


def _edit(con: Any) -> None:
    con.execute("UPDATE audit_event SET customer_id = 999 WHERE seq = ?", (TARGET,))


def _edit_time(con: Any) -> None:
    con.execute("UPDATE audit_event SET at = 'yesterday' WHERE seq = ?", (TARGET,))


def _edit_details_to_garbage(con: Any) -> None:
    con.execute("UPDATE audit_event SET details = '{not json' WHERE seq = ?", (TARGET,))


def _delete(con: Any) -> None:
    con.execute("DELETE FROM audit_event WHERE seq = ?", (TARGET,))


def _reorder(con: Any) -> None:
    con.execute("UPDATE audit_event SET seq = -1 WHERE seq = ?", (TARGET,))
    con.execute("UPDATE audit_event SET seq = ? WHERE seq = ?", (TARGET, TARGET + 1))
    con.execute("UPDATE audit_event SET seq = ? WHERE seq = -1", (TARGET + 1,))


def _insert(con: Any) -> None:
    """A well-formed forged event at TARGET, the later ones renumbered after it."""
    con.execute("UPDATE audit_event SET seq = seq + 100000 WHERE seq >= ?", (TARGET,))
    con.execute("UPDATE audit_event SET seq = seq - 99999 WHERE seq >= 100000")
    prev_hash = con.execute("SELECT hash FROM audit_event WHERE seq = ?", (TARGET - 1,)).fetchone()[
        0
    ]
    at = "2026-03-02 09:00:00.000000"
    entry = AuditEntry(
        TARGET, datetime.fromisoformat(at + "+00:00"), "rep", "rep", "ws", "case.viewed", JANE
    )
    con.execute(
        "INSERT INTO audit_event (seq, at, actor, role, workstation, action, customer_id,"
        " case_id, details, prev_hash, hash) VALUES (?, ?, 'rep', 'rep', 'ws', 'case.viewed',"
        " ?, NULL, '{}', ?, ?)",
        (TARGET, at, JANE, prev_hash, chain_hash(prev_hash, entry)),
    )


CASES: list[tuple[str, Tamper, int, str]] = [
    ("edit", _edit, TARGET, "content changed"),
    ("edit time", _edit_time, TARGET, "content changed"),
    ("garbage details", _edit_details_to_garbage, TARGET, "content changed"),
    ("delete", _delete, TARGET + 1, f"expected event {TARGET}, missing before it (deleted)"),
    ("reorder", _reorder, TARGET, f"does not follow event {TARGET - 1}"),
    ("insert", _insert, TARGET + 1, f"does not follow event {TARGET}"),
]


@pytest.fixture
def cache_with_events(paths: Paths, open_world: OpenWorld) -> tuple[Paths, dict[str, str], int]:
    world = open_world()
    rep = world.session("rep")
    for summary in ("first call", "second call", "third call"):
        case = world.console.cases.open_case(
            rep, "access", customer_id=JANE, channel="phone", summary=summary
        )
        world.console.cases.add_note(rep, case.case_id, "rang back")
    events = world.console.audit_trail.verify().events
    world.console.close()  # the tests change the file underneath (closing again is harmless)
    return paths, world.passwords, events


def _raw(paths: Paths, secret_store: KeyringSecretStore) -> Any:
    key = cache_key(secret_store, paths.cache_file, create=False)
    return connect_raw(paths.cache_file, key)


def run_cli(
    args: list[str], user: str, password: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> tuple[int, str, str]:
    monkeypatch.setenv("CSCONSOLE_USER", user)
    monkeypatch.setenv("CSCONSOLE_PASSWORD", password)
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("name", "tamper", "bad_seq", "problem"), CASES, ids=[c[0] for c in CASES])
def test_audit_verify_names_the_tampered_event(
    cache_with_events: tuple[Paths, dict[str, str], int],
    secret_store: KeyringSecretStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    name: str,
    tamper: Tamper,
    bad_seq: int,
    problem: str,
) -> None:
    paths, passwords, events = cache_with_events
    assert events > TARGET + 2
    code, out, _ = run_cli(["audit", "verify"], "rep", passwords["rep"], monkeypatch, capsys)
    assert code == 0 and "audit trail intact" in out
    head_before = paths.cache_file.read_bytes()[:16]
    con = _raw(paths, secret_store)
    tamper(con)
    con.commit()
    con.close()
    assert paths.cache_file.read_bytes()[:16] == head_before  # still encrypted
    code, out, err = run_cli(
        ["audit", "verify", "--json"], "rep", passwords["rep"], monkeypatch, capsys
    )
    report = json.loads(out)
    assert code == 3, err
    assert report["ok"] is False and report["bad_seq"] == bad_seq, (name, report)
    assert problem in report["problem"]
    assert f"broken at event {bad_seq}" in err


def test_deleting_the_newest_event_is_named_too(
    cache_with_events: tuple[Paths, dict[str, str], int],
    secret_store: KeyringSecretStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    paths, passwords, events = cache_with_events
    con = _raw(paths, secret_store)
    con.execute("DELETE FROM audit_event WHERE seq = ?", (events,))
    con.commit()
    con.close()
    code, out, _ = run_cli(
        ["audit", "verify", "--json"], "rep", passwords["rep"], monkeypatch, capsys
    )
    assert code == 3 and json.loads(out)["bad_seq"] == events


def test_a_broken_cache_refuses_work_until_a_supervisor_acknowledges(
    cache_with_events: tuple[Paths, dict[str, str], int],
    secret_store: KeyringSecretStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    paths, passwords, _ = cache_with_events
    con = _raw(paths, secret_store)
    _edit(con)
    con.commit()
    con.close()
    code, _, _ = run_cli(["audit", "verify"], "rep", passwords["rep"], monkeypatch, capsys)
    assert code == 3
    open_case = ["case", "open", "--type", "inquiry", "--summary", "new call"]
    code, _, err = run_cli(open_case, "rep", passwords["rep"], monkeypatch, capsys)
    assert code == 1 and f"broken at event {TARGET}" in err and "acknowledge" in err
    code, _, err = run_cli(
        ["audit", "acknowledge", "--reason", "x"], "rep", passwords["rep"], monkeypatch, capsys
    )
    assert code == 1 and "may not acknowledge audit break" in err
    code, out, _ = run_cli(
        ["audit", "acknowledge", "--reason", "Restored from a hand edit; IT told", "--json"],
        "supervisor",
        passwords["supervisor"],
        monkeypatch,
        capsys,
    )
    assert code == 0 and json.loads(out)["bad_seq"] == TARGET
    code, out, _ = run_cli([*open_case, "--json"], "rep", passwords["rep"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["case_type"] == "inquiry"
    code, out, err = run_cli(
        ["audit", "verify", "--json"], "rep", passwords["rep"], monkeypatch, capsys
    )
    report = json.loads(out)
    assert code == 3 and report["bad_seq"] == TARGET
    assert report["acknowledged"][0]["bad_seq"] == TARGET
    assert "acknowledged by supervisor" in err
