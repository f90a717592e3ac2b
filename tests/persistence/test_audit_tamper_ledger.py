"""Tampering with the audit chain in the central PostgreSQL ledger, then the real
`csconsole audit verify --ledger`: it names the workstation and the event that was changed,
deleted, inserted or moved."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from csconsole import cli
from csconsole.domain.audit_chain import AuditEntry, chain_hash
from tests.casework import JANE, OpenWorld

TARGET = 6


def _edit(ledger: Any, ws: str) -> None:
    ledger.execute(
        text(
            "UPDATE csconsole_audit_event SET details = '{\"chars\": 1}'"
            " WHERE workstation = :ws AND seq = :s"
        ),
        {"ws": ws, "s": TARGET},
    )


def _delete(ledger: Any, ws: str) -> None:
    ledger.execute(
        text("DELETE FROM csconsole_audit_event WHERE workstation = :ws AND seq = :s"),
        {"ws": ws, "s": TARGET},
    )


def _reorder(ledger: Any, ws: str) -> None:
    for old, new in ((TARGET, -1), (TARGET + 1, TARGET), (-1, TARGET + 1)):
        ledger.execute(
            text(
                "UPDATE csconsole_audit_event SET seq = :new WHERE workstation = :ws AND seq = :old"
            ),
            {"ws": ws, "old": old, "new": new},
        )


def _insert(ledger: Any, ws: str) -> None:
    for shift in (100_000, -99_999):
        ledger.execute(
            text(
                "UPDATE csconsole_audit_event SET seq = seq + :d"
                " WHERE workstation = :ws AND seq >= :s"
            ),
            {"ws": ws, "d": shift, "s": TARGET if shift > 0 else 100_000},
        )
    prev = ledger.execute(
        text("SELECT hash, rev FROM csconsole_audit_event WHERE workstation = :ws AND seq = :s"),
        {"ws": ws, "s": TARGET - 1},
    ).one()
    at = datetime.fromisoformat("2026-03-02 09:00:00+00:00")
    entry = AuditEntry(TARGET, at, "rep", "rep", ws, "case.viewed", JANE)
    ledger.execute(
        text(
            "INSERT INTO csconsole_audit_event (workstation, seq, at, actor, role, action,"
            " customer_id, case_id, details, prev_hash, hash, rev)"
            " VALUES (:ws, :s, :at, 'rep', 'rep', 'case.viewed', :c, NULL, '{}',"
            " :prev, :hash, :rev)"
        ),
        {
            "ws": ws,
            "s": TARGET,
            "at": at.replace(tzinfo=None),
            "c": JANE,
            "prev": prev.hash,
            "hash": chain_hash(prev.hash, entry),
            "rev": prev.rev,
        },
    )


CASES: list[tuple[str, Callable[[Any, str], None], int, str]] = [
    ("edit", _edit, TARGET, "content changed"),
    ("delete", _delete, TARGET + 1, "missing before it (deleted)"),
    ("reorder", _reorder, TARGET, f"does not follow event {TARGET - 1}"),
    ("insert", _insert, TARGET + 1, f"does not follow event {TARGET}"),
]


def _run(args: list[str], password: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    monkeypatch.setenv("CSCONSOLE_USER", "supervisor")
    monkeypatch.setenv("CSCONSOLE_PASSWORD", password)
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("name", "tamper", "bad_seq", "problem"), CASES, ids=[c[0] for c in CASES])
def test_audit_verify_names_the_event_tampered_in_the_central_ledger(
    open_world: OpenWorld,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    name: str,
    tamper: Callable[[Any, str], None],
    bad_seq: int,
    problem: str,
) -> None:
    world = open_world(ledger_url=pg_url)
    rep = world.session("rep")
    for summary in ("first call", "second call", "third call"):
        case = world.console.cases.open_case(
            rep, "access", customer_id=JANE, channel="phone", summary=summary
        )
        world.console.cases.add_note(rep, case.case_id, "rang back")
    ledger: Engine = create_engine(pg_url)
    try:
        _, replicated = world.console.sync.push(shop=None, ledger=ledger)
        assert replicated is not None and not replicated.error, replicated
        assert replicated.pushed_events > TARGET + 2
        # The ledger numbers staff its own way; the cases follow their staff's new ids.
        mine = world.console.cases.list_cases(world.session("rep"))
        assert len(mine) == 3 and {c.owner for c in mine} == {"rep"}
        world.console.close()  # the commands open their own (closing again is harmless)
        password = world.passwords["supervisor"]

        code, out, err = _run(
            ["audit", "verify", "--ledger", "--json"], password, monkeypatch, capsys
        )
        assert code == 0, err
        [central] = json.loads(out)["ledger"].values()
        workstation = central["workstation"]
        assert central["ok"] and central["events"] == replicated.pushed_events

        with ledger.begin() as conn:
            tamper(conn, workstation)
        code, out, err = _run(
            ["audit", "verify", "--ledger", "--json"], password, monkeypatch, capsys
        )
        report = json.loads(out)
        assert code == 3
        assert report["ok"] is True  # the local cache is untouched
        [central] = report["ledger"].values()
        assert central["ok"] is False and central["bad_seq"] == bad_seq, (name, central)
        assert problem in central["problem"]
        assert f"workstation {workstation}: broken at event {bad_seq}" in err
    finally:
        ledger.dispose()


def test_without_a_ledger_the_check_says_so(
    open_world: OpenWorld, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    world = open_world(console_open=False)  # the command opens its own
    code, _, err = _run(
        ["audit", "verify", "--ledger"], world.passwords["supervisor"], monkeypatch, capsys
    )
    assert code == 1 and "No central ledger is set up" in err
