"""`csconsole search` refused once the probing tripwire stopped the person; `csconsole probing`
for a supervisor."""

from __future__ import annotations

import json
import sqlite3

import pytest

from csconsole.adapters.settings_file import Paths
from csconsole.cli import main
from tests.commands.test_cli import demo_home, sign_in_as

__all__ = ["demo_home"]  # the fixture, shared with test_cli


def test_stopped_search_exits_non_zero_with_one_line_and_a_supervisor_clears_it(
    demo_home: dict[str, tuple[str, str]],
    paths: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shop = sqlite3.connect(paths.demo_shop_file)
    email, *shop_name = shop.execute(
        "SELECT email, first_name, last_name FROM customers WHERE customer_id = 17"
    ).fetchone()
    shop.close()
    rep_user = demo_home["rep"][0]
    sign_in_as(monkeypatch, demo_home["rep"])
    first, last = shop_name
    assert main(["search", f"{first} {last}"]) == 0  # the customer, named as a caller would
    local, _, domain = email.partition("@")
    codes = [main(["search", f"{local}@{domain[:-1]}{c}"]) for c in "bcdefgh"]
    assert codes[:5] == [0] * 5
    assert codes[-1] == 1  # the sixth near miss tripped the wire: the seventh is refused
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"csconsole: Identifier searches are stopped for {rep_user}")
    assert email not in err
    assert main(["search", email]) == 1  # even the whole address, until cleared
    capsys.readouterr()
    assert main(["probing", "list"]) == 1  # a rep may not
    assert "csconsole:" in capsys.readouterr().err

    sign_in_as(monkeypatch, demo_home["supervisor"])
    assert main(["probing", "list", "--json"]) == 0
    stops = json.loads(capsys.readouterr().out)
    assert [(s["username"], s["customer_id"]) for s in stops] == [(rep_user, 17)]
    assert stops[0]["lock_id"] is not None  # customer 17's verification is locked
    assert main(["probing", "clear", rep_user]) == 0
    assert "cleared" in capsys.readouterr().out
    assert main(["probing", "clear", rep_user]) == 1
    assert capsys.readouterr().err.strip() == f"csconsole: No search stop stands on {rep_user!r}."
    assert main(["audit", "list", "--action", "search.probing_stopped", "--json"]) == 0
    assert "search.probing_stopped" in capsys.readouterr().out

    sign_in_as(monkeypatch, demo_home["rep"])
    assert main(["search", email, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["customer_id"] == 17
