"""A sync killed with SIGKILL leaves its ``sync_run`` row "running"; the next sync closes it as
"interrupted" (issue 10, finding 8), and no sync starts while another one runs on the cache."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from csconsole.adapters.settings_file import save_settings
from csconsole.persistence.cache.store.run_log import SyncLock
from csconsole.sync.errors import SyncError
from csconsole.sync.status import SyncStatus
from tests.db_servers import sqlite_url
from tests.push.fixtures import make_shop

ROOT = Path(__file__).resolve().parents[2]


def runs(console: Any) -> list[tuple[str, str | None, bool]]:
    """(status, message, finished) of every run, oldest first."""
    with console.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT status, message, finished_at IS NOT NULL FROM sync_run ORDER BY id"
        ).all()
    return [(str(s), m, bool(f)) for s, m, f in rows]


@pytest.fixture
def desk(console_factory, engines: list[Engine], tmp_path: Path) -> tuple[Any, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A desk connected to a SQLite shop that also holds the ledger (the demo's way), and the
    environment of a sync process of its own (``tests/push/sync_proc.py``)."""
    console, _ = console_factory("desk")
    url = sqlite_url(tmp_path / "shop.sqlite")
    make_shop(url, engines, customers=20)
    settings = console.settings.with_changes(shop_url=url, shop_mapping="reference", ledger_url=url)
    save_settings(console.paths, settings)
    home = console.paths.data_dir.parent
    env = {
        **os.environ,
        "CSCONSOLE_HOME": str(home),
        "CSCONSOLE_TEST_KEYRING": str(home / "keyring.json"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("CSCONSOLE_CHECKPOINT_LOG", None)
    return console, env


def sync_process(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.push.sync_proc", "--sync"],
        cwd=ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_killed_syncs_run_row_is_closed_at_the_next_start(desk: tuple[Any, Any]) -> None:
    console, env = desk
    env.pop("CSCONSOLE_KILL_AT", None)
    killed = sync_process(env, CSCONSOLE_KILL_AT="ledger.after_queue_changed")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert runs(console) == [("running", None, False)]

    done = sync_process(env)

    assert done.returncode == 0, done.stderr[-2000:]
    [(status, message, finished), last] = runs(console)
    assert (status, finished) == ("interrupted", True)
    assert message is not None and "killed" in message
    assert last == ("ok", None, True)
    assert SyncStatus(last_outcome="interrupted").summary().startswith("Last sync was interrupted")


def test_no_sync_starts_while_another_holds_the_cache(desk: tuple[Any, Any]) -> None:
    console, _ = desk
    other = SyncLock(Path(f"{console.paths.cache_file}.sync-lock"))
    assert other.acquire()  # as a sync running in another process would
    try:
        with pytest.raises(SyncError, match="Another sync is running on this desk"):
            console.sync.run(push=False)
        assert runs(console) == []  # the running one's row (none here) is left alone
    finally:
        other.release()
    report = console.sync.run(push=False)
    assert report.status == "ok"
    assert [r[0] for r in runs(console)] == ["ok"]
