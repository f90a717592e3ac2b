"""`csconsole connect` and `csconsole sync` as an administrator or a script uses them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from csconsole.adapters.settings_file import Paths, load_settings
from csconsole.cli import main
from csconsole.sync.shop.connection import secret_name
from csconsole.sync.shop.mapping import mapping_path
from tests.conftest import MemoryKeyring
from tests.sync.shop_databases import copy_as_magento, execute


def test_connect_keeps_the_password_out_of_the_settings(
    paths: Paths, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "connect",
            "--shop",
            "postgresql+psycopg://shopreader:Tr0ub4dor@db.example.com:5432/shop",
            "--mapping",
            "magento2",
            "--ledger",
            "postgresql+psycopg://ledger:c0rrect-h0rse@db.example.com/ledger",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Tr0ub4dor" not in out and "c0rrect-h0rse" not in out
    assert "shopreader:***@db.example.com" not in out  # saved without password: nothing to mask
    saved = paths.settings_file.read_text(encoding="utf-8")
    assert "Tr0ub4dor" not in saved and "c0rrect-h0rse" not in saved
    settings = load_settings(paths)
    assert settings.shop_url == "postgresql+psycopg://shopreader@db.example.com:5432/shop"
    assert settings.shop_mapping == "magento2"
    assert settings.ledger_url == "postgresql+psycopg://ledger@db.example.com/ledger"
    from sqlalchemy.engine import make_url

    store = memory_keyring.store
    assert store[("csconsole", secret_name(make_url(settings.shop_url)))] == "Tr0ub4dor"
    assert store[("csconsole", secret_name(make_url(settings.ledger_url)))] == "c0rrect-h0rse"


def test_connect_refuses_a_malformed_mapping(
    paths: Paths,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "myshop.toml"
    text = mapping_path("reference").read_text(encoding="utf-8")
    bad.write_text(text.replace('transform = "lines"', 'transform = "linez"', 1), "utf-8")
    code = main(["connect", "--shop", "sqlite:///x.db", "--mapping", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert (
        "myshop.toml: tables.addresses.columns.street.transform: unknown transform 'linez'" in err
    )
    assert not paths.settings_file.exists()


def test_sync_from_the_command_line(
    paths: Paths,
    memory_keyring: MemoryKeyring,
    demo_shop: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["connect", "--shop", f"sqlite:///{demo_shop}", "--mapping", "reference"]) == 0
    assert main(["sync", "--check"]) == 0
    assert "has every table and column of 'reference'" in capsys.readouterr().out
    assert main(["sync", "--json", "--pull-only"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["kind"] == "full" and first["status"] == "ok"
    assert first["tables"]["customers"]["written"] == 400
    assert main(["sync", "--quiet"]) == 0  # with the push step wired by the app
    out = capsys.readouterr().out
    assert "incremental sync from sqlite:///" in out
    assert main(["sync", "--full", "--json", "--pull-only"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "full"


def test_sync_check_lists_what_is_missing(
    paths: Paths,
    memory_keyring: MemoryKeyring,
    pg_url: str,
    demo_shop: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy_as_magento(demo_shop, pg_url).dispose()
    execute(pg_url, "ALTER TABLE sales_order DROP COLUMN increment_id")
    assert main(["connect", "--shop", pg_url, "--mapping", "magento2"]) == 0
    capsys.readouterr()
    assert main(["sync", "--check"]) == 1
    captured = capsys.readouterr()
    assert "missing column sales_order.increment_id (tables.orders)" in captured.out
    assert "lacks 1 thing(s) the mapping 'magento2' expects" in captured.err
    assert main(["sync", "--quiet"]) == 1
    assert "does not match the mapping 'magento2'" in capsys.readouterr().err


def test_sync_offline_exits_non_zero_with_the_reason(
    paths: Paths, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "mysql+pymysql://shop:hunter22@127.0.0.1:1/shop"
    assert main(["connect", "--shop", url, "--mapping", "magento2"]) == 0
    capsys.readouterr()
    assert main(["sync", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Cannot reach the shop database mysql+pymysql://shop:***@127.0.0.1:1/shop" in err
    assert "hunter22" not in err
    assert "keeps working from the local cache" in err


def test_once_staff_exist_connect_needs_an_admin_and_sync_a_sign_in(
    demo: Any,
    paths: Paths,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    console, staff = demo
    settings = load_settings(paths)
    # The demo syncs with its own shop file and keeps its ledger in its own encrypted file.
    assert settings.shop_url == f"sqlite:///{paths.demo_shop_file.resolve()}"
    assert settings.shop_mapping == "reference"
    assert settings.ledger_url == f"sqlcipher:///{paths.demo_ledger_file.resolve()}"
    monkeypatch.delenv("CSCONSOLE_USER", raising=False)
    monkeypatch.delenv("CSCONSOLE_PASSWORD", raising=False)

    assert main(["sync", "--quiet"]) == 1
    assert "sign-in needed: CSCONSOLE_USER is not set" in capsys.readouterr().err

    monkeypatch.setenv("CSCONSOLE_USER", staff["rep"][0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", staff["rep"][1])
    assert main(["sync", "--json", "--pull-only"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "ok" and report["tables"]["customers"]["read"] == 400
    other = "sqlite:////nowhere/else.sqlite"
    assert main(["connect", "--shop", other, "--mapping", "reference"]) == 1
    assert "rep 'rep' may not configure sync" in capsys.readouterr().err
    assert load_settings(paths).shop_url == settings.shop_url  # unchanged

    monkeypatch.setenv("CSCONSOLE_USER", staff["admin"][0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", staff["admin"][1])
    assert main(["connect", "--shop", other, "--mapping", "reference", "--ledger", ""]) == 0
    assert load_settings(paths).shop_url == other
    from sqlalchemy import text

    with console.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT actor, role, action, details FROM audit_event "
                "WHERE action LIKE 'sync.%' ORDER BY seq"
            )
        ).all()
    assert [(r.actor, r.role, r.action) for r in rows] == [
        ("admin", "admin", "sync.connection_changed")
    ]
    details = json.loads(rows[0].details)
    assert details == {"shop": other, "mapping": "reference", "ledger": ""}
