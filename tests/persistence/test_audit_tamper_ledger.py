"""Tampering with the audit chain in the central PostgreSQL ledger, then the real
`csconsole audit verify --ledger`: it names the workstation and the event that was changed,
deleted, inserted or moved."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from csconsole import cli
from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.domain.audit_chain import AuditEntry, chain_hash
from tests.casework import JANE, open_case_world

# A PostgreSQL server the tests may create databases on (CI starts one; trust auth locally).
SERVER = os.environ.get(
    "CSCONSOLE_TEST_POSTGRES", "postgresql+psycopg://root@127.0.0.1:5432/postgres"
)
TARGET = 6


@pytest.fixture
def ledger_url() -> Iterator[str]:
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    name = f"csc_audit_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        # CI starts PostgreSQL (.ci/run); a missing server is a failure, never a silent skip.
        pytest.fail(f"PostgreSQL at {SERVER} is not reachable: {type(exc).__name__}")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
    paths: Paths,
    secret_store: KeyringSecretStore,
    tmp_path: Path,
    ledger_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    name: str,
    tamper: Callable[[Any, str], None],
    bad_seq: int,
    problem: str,
) -> None:
    world = open_case_world(paths, secret_store, tmp_path, ledger_url=ledger_url)
    rep = world.session("rep")
    for summary in ("first call", "second call", "third call"):
        case = world.console.cases.open_case(
            rep, "access", customer_id=JANE, channel="phone", summary=summary
        )
        world.console.cases.add_note(rep, case.case_id, "rang back")
    ledger: Engine = create_engine(ledger_url)
    try:
        _, replicated = world.console.sync.push(shop=None, ledger=ledger)
        assert replicated is not None and not replicated.error, replicated
        assert replicated.pushed_events > TARGET + 2
        # The ledger numbers staff its own way; the cases follow their staff's new ids.
        mine = world.console.cases.list_cases(world.session("rep"))
        assert len(mine) == 3 and {c.owner for c in mine} == {"rep"}
        world.console.close()
        password = world.passwords["supervisor"]

        code, out, err = _run(
            ["audit", "verify", "--ledger", "--json"], password, monkeypatch, capsys
        )
        assert code == 0, err
        [(workstation, central)] = json.loads(out)["ledger"].items()
        assert central["ok"] and central["events"] == replicated.pushed_events

        with ledger.begin() as conn:
            tamper(conn, workstation)
        code, out, err = _run(
            ["audit", "verify", "--ledger", "--json"], password, monkeypatch, capsys
        )
        report = json.loads(out)
        assert code == 3
        assert report["ok"] is True  # the local cache is untouched
        central = report["ledger"][workstation]
        assert central["ok"] is False and central["bad_seq"] == bad_seq, (name, central)
        assert problem in central["problem"]
        assert f"workstation {workstation}: broken at event {bad_seq}" in err
    finally:
        ledger.dispose()


def test_without_a_ledger_the_check_says_so(
    paths: Paths,
    secret_store: KeyringSecretStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    world = open_case_world(paths, secret_store, tmp_path)
    world.console.close()
    code, _, err = _run(
        ["audit", "verify", "--ledger"], world.passwords["supervisor"], monkeypatch, capsys
    )
    assert code == 1 and "No central ledger is set up" in err
