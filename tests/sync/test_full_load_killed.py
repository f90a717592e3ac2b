"""A full load killed with SIGKILL at each of its stages leaves a cache that works: the old
data before the swap, the new data after it, and the next sync finishes the job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from csconsole.app import Console
from tests.conftest import MemoryKeyring
from tests.sync.conftest import MakeConsole
from tests.sync.test_pull_sqlite import ids, one, q, sync

ROOT = Path(__file__).resolve().parents[2]

DRIVER = """
import ast, os, signal, sys
import keyring
from tests.conftest import MemoryKeyring

backend = MemoryKeyring()
backend.store.update(ast.literal_eval(os.environ["CSC_TEST_KEYS"]))
keyring.set_keyring(backend)
from csconsole.app import Console

stage, at = sys.argv[1], int(sys.argv[2])

def progress(name, done, total):
    if name == stage and done >= at:
        os.kill(os.getpid(), signal.SIGKILL)

console = Console.open()
console.sync.run(full=True, push=False, progress=progress)
print("finished without being killed")
"""


def _killed_load(keys: MemoryKeyring, stage: str, at: int) -> None:
    # This checkout's code first (a venv's editable install may point at another one).
    path = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env = dict(os.environ, CSC_TEST_KEYS=repr(keys.store), PYTHONPATH=path)
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, stage, str(at)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("stage", "at", "swapped"),
    [
        ("reading orders", 1, False),
        ("checking references", 0, False),
        ("building indexes", 4, False),  # some live indexes already dropped
        ("switching to the new data", 0, False),
        ("tidying up", 0, True),  # swapped; the old tables not yet dropped
    ],
)
def test_full_load_killed_at_each_stage(
    stage: str,
    at: int,
    swapped: bool,
    make_console: MakeConsole,
    demo_shop: Path,
    memory_keyring: MemoryKeyring,
    paths: object,
) -> None:
    console = make_console(f"sqlite:///{demo_shop}")
    sync(console)
    email = one(console, "SELECT email FROM shop_customer WHERE id = 33")
    before = one(console, "SELECT count(*) FROM shop_customer")
    con = sqlite3.connect(demo_shop)
    con.execute("UPDATE customers SET last_name = 'Kilroy'")
    con.execute(
        "INSERT INTO customers VALUES (100001, 'new@example.com', 'Nia', 'Kilroy', 'en_US',"
        " NULL, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, 0)"
    )
    con.commit()
    con.close()
    console.close()

    _killed_load(memory_keyring, stage, at)

    after = Console.open(console.paths, console.secrets)
    try:
        assert ids(after, email) == [33]  # the cache answers searches whatever the stage
        count = one(after, "SELECT count(*) FROM shop_customer")
        kilroys = one(after, "SELECT count(*) FROM shop_customer WHERE last_name = 'Kilroy'")
        if swapped:
            assert (count, kilroys) == (before + 1, before + 1)
        else:
            assert (count, kilroys) == (before, 0)
        assert q(after, "PRAGMA foreign_key_check") == []
        assert q(after, "PRAGMA integrity_check") == [("ok",)]
        report = sync(after)  # recovers (drops leftovers, rebuilds indexes) and finishes
        assert report.status == "ok"
        assert one(after, "SELECT count(*) FROM shop_customer WHERE last_name = 'Kilroy'") == (
            before + 1
        )
        assert 100001 in ids(after, "Nia Kilroy")
        leftovers = q(
            after,
            "SELECT name FROM sqlite_master WHERE name LIKE '%\\_\\_new' ESCAPE '\\'"
            " OR name LIKE '%\\_\\_old' ESCAPE '\\'",
        )
        assert leftovers == []
        names = {r[0] for r in q(after, "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_shop_customer_email_norm", "ix_shop_order_order_number_norm"} <= names
        from csconsole.persistence.cache import migrate

        migrate.check(after.engine)
    finally:
        after.close()
