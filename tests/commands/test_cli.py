"""The headless commands, in process, against a real encrypted demo cache."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from csconsole.adapters.settings_file import Paths
from csconsole.cli import main


@pytest.fixture
def demo_home(paths: Paths, memory_keyring, capsys, demo_template):  # type: ignore[no-untyped-def]
    """`csconsole demo --json`, its shop file copied from the template; returns the printed
    staff credentials."""
    import shutil

    from csconsole.cli import build_parser
    from csconsole.commands.demo import make_demo

    def copy_template(path: Path, **_: object) -> None:
        shutil.copyfile(demo_template, path)

    args = build_parser().parse_args(["demo", "--customers", "400", "--seed", "7", "--json"])
    assert make_demo(args, copy_template) == 0
    out = json.loads(capsys.readouterr().out)
    return {row["role"]: (row["user"], row["password"]) for row in out["staff"]}


def sign_in_as(monkeypatch: pytest.MonkeyPatch, creds: tuple[str, str]) -> None:
    monkeypatch.setenv("CSCONSOLE_USER", creds[0])
    monkeypatch.setenv("CSCONSOLE_PASSWORD", creds[1])


def test_demo_prints_staff_once_and_stores_only_hashes(demo_home, paths: Paths) -> None:  # type: ignore[no-untyped-def]
    assert set(demo_home) == {"rep", "supervisor", "admin"}
    password = demo_home["rep"][1]
    for path in paths.data_dir.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes()
    assert password not in paths.settings_file.read_text()


def test_search_json_is_masked_and_audited(demo_home, paths: Paths, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shop = sqlite3.connect(paths.demo_shop_file)
    email, first, last = shop.execute(
        "SELECT email, first_name, last_name FROM customers WHERE customer_id = 17"
    ).fetchone()
    shop.close()
    sign_in_as(monkeypatch, demo_home["rep"])
    assert main(["search", email, "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["customer_id"] == 17
    assert hits[0]["matched_on"] == "email"
    assert email not in json.dumps(hits, ensure_ascii=False)
    assert hits[0]["email"].startswith(email[0])
    assert main(["search", f"{first} {last}", "--json"]) == 0
    assert 17 in [h["customer_id"] for h in json.loads(capsys.readouterr().out)]
    assert main(["audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["events"] >= 5  # 3 staff created, sign-ins, 2 searches


def test_wrong_password_exits_non_zero_with_one_line(demo_home, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sign_in_as(monkeypatch, (demo_home["rep"][0], "wrong"))
    assert main(["search", "anything"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "csconsole: Unknown user name or wrong password."


def test_search_without_cache_says_what_to_do(paths: Paths, memory_keyring, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["search", "x"]) == 1
    assert "csconsole demo" in capsys.readouterr().err


def test_demo_refuses_to_replace_without_force(demo_home, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--customers", "10"]) == 1
    assert "--force" in capsys.readouterr().err


def test_bad_customer_count_names_the_field(paths: Paths, memory_keyring, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--customers", "0"]) == 2
    assert "customers" in capsys.readouterr().err
