"""`csconsole demo --force` keeps a demo a demo (issue 10, findings 4 and 6): a desk holding
more than a demo is wiped only by a signed-in admin naming the desk; the demo's ledger is its
own SQLCipher file; what the console makes is readable by its owner only."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths, load_settings, save_settings
from csconsole.app.console import Console
from csconsole.app.sync_wiring import open_ledger
from csconsole.cli import build_parser
from csconsole.commands.demo import EXIT_REFUSED, make_demo

NOTE = "Caller says the parcel went to Zyxwvut Lane by mistake"

Demo = Callable[..., dict[str, tuple[str, str]]]


@pytest.fixture
def run_demo(paths: Paths, memory_keyring: Any, capsys: Any, demo_template: Path) -> Demo:
    """Runs `csconsole demo --json [extra]` in process (the shop file copied from the template);
    returns the printed staff, or {} when it was refused."""

    def copy_template(path: Path, **_: object) -> None:
        shutil.copyfile(demo_template, path)

    def run(*extra: str, expect: int = 0) -> dict[str, tuple[str, str]]:
        argv = ["demo", "--customers", "400", "--seed", "7", "--json", *extra]
        assert make_demo(build_parser().parse_args(argv), copy_template) == expect
        if expect:
            return {}
        out = json.loads(capsys.readouterr().out)
        return {row["role"]: (row["user"], row["password"]) for row in out["staff"]}

    return run


@pytest.fixture
def console(paths: Paths, memory_keyring: Any) -> Iterator[Callable[[], Console]]:
    opened: list[Console] = []

    def open_() -> Console:
        made = Console.open(paths, KeyringSecretStore(memory_keyring))
        opened.append(made)
        return made

    yield open_
    for made in opened:
        made.close()


def events(console: Console) -> list[tuple[str, str, dict[str, Any]]]:
    con = console.cache.connect()
    try:
        rows = con.execute("SELECT actor, action, details FROM audit_event ORDER BY seq").fetchall()
    finally:
        con.close()
    return [(actor, action, json.loads(details)) for actor, action, details in rows]


def as_user(monkeypatch: pytest.MonkeyPatch, creds: tuple[str, str]) -> None:
    monkeypatch.setenv("CSCONSOLE_USER", creds[0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", creds[1])


def a_customer(paths: Paths) -> int:
    with sqlite3.connect(paths.demo_shop_file) as db:
        return int(db.execute("SELECT min(customer_id) FROM customers").fetchone()[0])


def open_a_case(console: Console, creds: tuple[str, str], paths: Paths) -> int:
    rep = console.auth.sign_in(*creds)
    case = console.cases.open_case(
        rep, "access", customer_id=a_customer(paths), channel="phone", summary="wants a copy"
    )
    console.cases.add_note(rep, case.case_id, NOTE)
    return case.case_id


def test_a_plain_demo_is_rebuilt_with_force_alone(
    run_demo: Demo, console: Callable[[], Console], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSCONSOLE_USER", raising=False)
    first = run_demo()
    second = run_demo("--force")
    assert first["rep"][1] != second["rep"][1]
    trail = events(console())
    assert [a for _, a, _ in trail][-1] == "demo.rebuilt"
    assert trail[-1][2]["cases"] == 0 and trail[-1][2]["own_events"] == 0


def test_force_is_refused_on_a_desk_with_audit_events_of_its_own(
    run_demo: Demo,
    console: Callable[[], Console],
    paths: Paths,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("CSCONSOLE_USER", raising=False)
    staff = run_demo()
    console().auth.sign_in(*staff["rep"])  # the sign-in is the desk's own event

    run_demo("--force", expect=EXIT_REFUSED)
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "demo --force refused" in err and "audit event(s) of its own" in err
    assert "an admin must sign in" in err
    # Nothing was wiped: the same staff still sign in, and the refusal is in the trail.
    again = console()
    assert again.auth.sign_in(*staff["rep"]).staff.username == staff["rep"][0]
    assert [a for _, a, _ in events(again)].count("demo.rebuild_refused") == 1


def test_force_on_a_desk_with_cases_needs_an_admin_and_the_desk_named(
    run_demo: Demo,
    console: Callable[[], Console],
    paths: Paths,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    staff = run_demo()
    desk = console()
    open_a_case(desk, staff["rep"], paths)
    workstation = desk.workstation

    as_user(monkeypatch, staff["rep"])
    run_demo("--force", "--confirm-wipe", workstation, expect=EXIT_REFUSED)
    assert "is not an admin" in capsys.readouterr().err
    as_user(monkeypatch, staff["admin"])
    run_demo("--force", expect=EXIT_REFUSED)
    err = capsys.readouterr().err
    assert "1 case(s)" in err and f"--confirm-wipe {workstation}" in err
    run_demo("--force", "--confirm-wipe", "some-other-desk", expect=EXIT_REFUSED)
    capsys.readouterr()
    refused = [e for e in events(console()) if e[1] == "demo.rebuild_refused"]
    assert [actor for actor, _, _ in refused] == [staff["rep"][0], *[staff["admin"][0]] * 2]

    fresh = run_demo("--force", "--confirm-wipe", workstation)
    assert fresh["admin"][1] != staff["admin"][1]
    actor, action, details = events(console())[-1]
    assert (actor, action) == (staff["admin"][0], "demo.rebuilt")
    assert details["cases"] == 1 and details["by"] == staff["admin"][0]


def test_force_is_refused_on_a_desk_connected_to_another_shop(
    run_demo: Demo, paths: Paths, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CSCONSOLE_USER", raising=False)
    run_demo()
    real = "postgresql+psycopg://desk@db.example.com/shop"
    save_settings(paths, load_settings(paths).with_changes(shop_url=real))
    run_demo("--force", expect=EXIT_REFUSED)
    assert f"connected to {real}" in capsys.readouterr().err
    assert load_settings(paths).shop_url == real


def test_force_is_refused_on_a_new_desk_connected_elsewhere_before_its_first_sync(
    run_demo: Demo, paths: Paths, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CSCONSOLE_USER", raising=False)
    real = "postgresql+psycopg://desk@db.example.com/shop"
    save_settings(paths, load_settings(paths).with_changes(shop_url=real))
    run_demo("--force", expect=EXIT_REFUSED)
    err = capsys.readouterr().err
    assert f"connected to {real}" in err and "no admin can sign in" in err
    assert not paths.cache_file.exists()


def test_a_demo_whose_cache_key_is_gone_is_rebuilt(
    run_demo: Demo, paths: Paths, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scripts/demo.sh without a desktop keyring: each run has a new, empty keyring."""
    monkeypatch.delenv("CSCONSOLE_USER", raising=False)
    run_demo()
    memory_keyring.store.clear()
    assert run_demo("--force")


def test_the_demo_ledger_is_its_own_encrypted_file(
    run_demo: Demo, console: Callable[[], Console], paths: Paths
) -> None:
    staff = run_demo()
    desk = console()
    open_a_case(desk, staff["rep"], paths)
    report = desk.sync.run()
    assert report.status == "ok", report
    ledger_file = paths.demo_ledger_file
    assert desk.settings.ledger_url == f"sqlcipher:///{ledger_file.resolve()}"

    plain = sqlite3.connect(ledger_file)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        plain.close()
    for path in (ledger_file, Path(f"{ledger_file}-wal")):
        if path.exists():
            assert b"Zyxwvut" not in path.read_bytes()
    # Through its key the note is there (the sync did replicate it).
    engine = open_ledger(desk.settings.ledger_url, desk.secrets)
    try:
        with engine.connect() as conn:
            tables = [t for t in inspect(conn).get_table_names() if "note" in t]
            rows = [r for t in tables for r in conn.execute(text(f"SELECT * FROM {t}"))]  # noqa: S608
    finally:
        engine.dispose()
    assert any(NOTE in str(tuple(row)) for row in rows)
    # The shop file stands for the shop's own database: no ledger tables in it.
    with sqlite3.connect(paths.demo_shop_file) as shop:
        names = [n for (n,) in shop.execute("SELECT name FROM sqlite_master")]
    assert not [n for n in names if n.startswith("csconsole_")]


def test_what_the_demo_makes_is_readable_by_its_owner_only(run_demo: Demo, paths: Paths) -> None:
    previous = os.umask(0o022)  # the explicit modes, not only the umask, make them private
    try:
        run_demo()
    finally:
        os.umask(previous)
    for directory in (paths.config_dir, paths.data_dir):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    files = [paths.settings_file, paths.cache_file, paths.demo_ledger_file, paths.demo_shop_file]
    files += [p for p in paths.data_dir.iterdir() if p.name.endswith(("-wal", "-shm"))]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_command_line_sets_umask_077(monkeypatch: pytest.MonkeyPatch) -> None:
    from csconsole.cli import main

    previous = os.umask(0o022)
    try:
        main(["--help"])
        assert os.umask(0o022) == 0o077
    finally:
        os.umask(previous)
