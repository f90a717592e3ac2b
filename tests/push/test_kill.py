"""A real sync process killed with SIGKILL at any point resumes at the next start with no row
lost, duplicated or pushed twice.

Each round queues a fresh load of work (620 shop items in two batches: chained corrections and
opt-outs; a staff change; new audit events), runs the sync process so that it kills itself at
one checkpoint (``CSCONSOLE_KILL_AT``), then runs it again to completion and checks the shop,
the cache and the central ledger: every outbox item applied exactly once (one
``csconsole_applied`` row each, final values as queued, one opt-out row each), nothing left
pending, the central audit chain equal to the local one, the central staff row current.
The checkpoints are counted on a clean round first, so every one of them is hit; then more
rounds are killed from outside at random moments (inside commits, between statements).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text

from csconsole.persistence.ledger.schema import audit_event, staff
from csconsole.services.ports import OutboxItem
from tests.db_servers import mariadb_database, pg_database, sqlite_url
from tests.push.fixtures import make_shop

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 60
CHAIN = 10  # corrections per customer per round, each expecting the one before
OPT_OUTS = 20


class Scenario:
    def __init__(
        self,
        console: Any,
        creds: tuple[str, str],
        shop: Engine,
        shop_url: str,
        ledger_url: str,
        admin: tuple[str, str],
    ) -> None:
        self.console = console
        self.creds = creds
        self.admin = admin  # signs the rep's rename (a signed staff change)
        self.shop = shop
        self.shop_url = shop_url
        self.ledger = create_engine(ledger_url)
        self.ledger_url = ledger_url
        self.names = {n: f"First{n}" for n in range(1, CUSTOMERS + 1)}
        self.shop_items = 0
        self.opt_outs = 0
        self.round = 0
        self.rep_name = "Demo Rep"
        self.whole = False  # True: the whole `csconsole sync` (pull, then push)
        home = console.paths.data_dir.parent
        self.env = {
            **os.environ,
            "CSCONSOLE_HOME": str(home),
            "CSCONSOLE_TEST_KEYRING": str(home / "keyring.json"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        for name in ("CSCONSOLE_KILL_AT", "CSCONSOLE_CHECKPOINT_LOG"):
            self.env.pop(name, None)

    def add_round(self) -> None:
        self.round += 1
        r = self.round
        items = []
        for step in range(CHAIN):
            for n in range(1, CUSTOMERS + 1):
                new = f"R{r}S{step}N{n}"
                items.append(
                    OutboxItem(
                        "correction",
                        "customer",
                        str(n),
                        {"first_name": new},
                        {"first_name": self.names[n]},
                        f"r{r}:s{step}:n{n}",
                    )
                )
                self.names[n] = new
        for k in range(OPT_OUTS):
            items.append(
                OutboxItem(
                    "opt_out",
                    "subscription",
                    "0",
                    {
                        "customer_id": None,
                        "channel": "email",
                        "event": "unsubscribed",
                        "source": "customer_request",
                        "address": f"r{r}k{k}@example.com",
                        "occurred_at": "2026-11-22 10:00:00",
                    },
                    {},
                    f"r{r}:optout:{k}",
                )
            )
        with self.console.uow() as uow:
            for item in items:
                uow.outbox.enqueue(item)
            uow.commit()
        self.rep_name = f"Rep, round {r}"
        self.console.auth.rename(self.console.auth.sign_in(*self.admin), "rep", self.rep_name)
        self.shop_items += len(items)
        self.opt_outs += OPT_OUTS
        self.console.auth.sign_in(*self.creds)  # new audit events to replicate

    def command(self) -> list[str]:
        if self.whole:
            return [sys.executable, "-m", "tests.push.sync_proc", "--sync"]
        return [sys.executable, "-m", "tests.push.sync_proc", self.shop_url, self.ledger_url]

    def check_pulled(self) -> None:
        """After one more clean run, the cache holds the shop's rows: each once, current."""
        self.run_clean()
        with self.console.engine.connect() as conn:
            cached = dict(conn.exec_driver_sql("SELECT id, first_name FROM shop_customer").all())
        assert cached == self.names

    def run(self, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(),
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def run_clean(self) -> dict[str, Any]:
        done = self.run()
        assert done.returncode == 0, done.stderr[-2000:]
        report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
        return report

    def check(self) -> None:
        with self.console.engine.connect() as conn:
            statuses = dict(
                conn.exec_driver_sql(
                    "SELECT status, count(*) FROM outbox WHERE kind <> 'ledger_record'"
                    " GROUP BY status"
                ).all()
            )
            records = dict(
                conn.exec_driver_sql(
                    "SELECT status, count(*) FROM outbox WHERE kind = 'ledger_record'"
                    " GROUP BY status"
                ).all()
            )
            local_chain = conn.exec_driver_sql(
                "SELECT seq, hash FROM audit_event ORDER BY seq"
            ).all()
        assert statuses == {"applied": self.shop_items}
        assert set(records) == {"applied"}
        with self.shop.connect() as conn:
            applied = conn.execute(
                text(
                    "SELECT outcome, count(*), count(DISTINCT idempotency_key)"
                    " FROM csconsole_applied GROUP BY outcome"
                )
            ).all()
            names = dict(conn.execute(text("SELECT customer_id, first_name FROM customers")).all())
            opt_outs = conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT address) FROM subscription_events"
                    " WHERE source = 'customer_request'"
                )
            ).one()
        assert [tuple(r) for r in applied] == [("applied", self.shop_items, self.shop_items)]
        assert names == self.names
        assert tuple(opt_outs) == (self.opt_outs, self.opt_outs)
        with self.ledger.connect() as conn:
            central_chain = conn.execute(
                select(audit_event.c.seq, audit_event.c.hash)
                .where(audit_event.c.workstation == "desk")
                .order_by(audit_event.c.seq)
            ).all()
            rep = conn.execute(
                select(staff.c.display_name, staff.c.version).where(staff.c.username == "rep")
            ).one()
        assert [tuple(r) for r in central_chain] == [tuple(r) for r in local_chain]
        assert rep.display_name == self.rep_name
        assert self.console.audit_trail.verify().ok


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, console_factory, engines: list[Engine], tmp_path: Path
) -> Iterator[Scenario]:  # type: ignore[no-untyped-def]
    console, creds = console_factory("desk")
    backend = request.param
    if backend == "postgresql+pull":
        from csconsole.adapters.settings_file import save_settings

        request.getfixturevalue("postgres_server")
        with pg_database() as shop_url, pg_database() as ledger_url:
            settings = console.settings.with_changes(
                shop_url=shop_url, shop_mapping="reference", ledger_url=ledger_url
            )
            save_settings(console.paths, settings)
            made = Scenario(
                console,
                creds["rep"],
                make_shop(shop_url, engines, CUSTOMERS),
                shop_url,
                ledger_url,
                creds["admin"],
            )
            engines.append(made.ledger)
            made.whole = True
            made.add_round()
            made.run_clean()  # the first sync: a full load, then the push
            made.check()
            yield made
    elif backend == "postgresql":
        request.getfixturevalue("postgres_server")
        with pg_database() as shop_url, pg_database() as ledger_url:
            yield _scenario(console, creds, shop_url, ledger_url, engines)
    elif backend == "mariadb":
        request.getfixturevalue("mariadb_server")
        with mariadb_database() as shop_url, mariadb_database() as ledger_url:
            yield _scenario(console, creds, shop_url, ledger_url, engines)
    else:  # the demo's way: the ledger in the shop's own SQLite file
        url = sqlite_url(tmp_path / "shop.sqlite")
        yield _scenario(console, creds, url, url, engines)


def _scenario(
    console: Any,
    creds: dict[str, tuple[str, str]],
    shop_url: str,
    ledger_url: str,
    engines: list[Engine],
) -> Scenario:
    shop = make_shop(shop_url, engines, customers=CUSTOMERS)
    made = Scenario(console, creds["rep"], shop, shop_url, ledger_url, creds["admin"])
    engines.append(made.ledger)
    made.add_round()
    made.run_clean()  # the first sync publishes the staff and the chain so far
    made.check()
    return made


def checkpoints_of_a_round(scenario: Scenario, log: Path) -> list[str]:
    scenario.add_round()
    done = scenario.run(CSCONSOLE_CHECKPOINT_LOG=str(log))
    assert done.returncode == 0, done.stderr[-2000:]
    scenario.check()
    return log.read_text().split()


@pytest.mark.parametrize("scenario", ["postgresql", "sqlite"], indirect=True)
def test_killed_at_every_checkpoint_the_next_run_finishes_the_work(
    scenario: Scenario, tmp_path: Path
) -> None:
    points = checkpoints_of_a_round(scenario, tmp_path / "checkpoints.log")
    # Two shop batches, each: shop commit, then cache commit; then the ledger's steps.
    assert len(points) == 20
    assert points.count("push.after_shop_commit") == 2
    assert {
        "push.before_shop_commit",
        "outbox.before_cache_commit",
        "outbox.after_cache_commit",
        "ledger.chain.before_central_commit",
        "ledger.chain.after_central_commit",
        "ledger.chain.after_cache_commit",
        "ledger.shared.before_central_commit",
        "ledger.shared.after_central_commit",
        "ledger.shared.before_cache_commit",
        "ledger.shared.before_pull_commit",
        "ledger.chain.before_pull_commit",
    } <= set(points)
    assert points[-1] == "ledger.chain.after_pull_commit"

    for nth, point in enumerate(points, start=1):
        scenario.add_round()
        killed = scenario.run(CSCONSOLE_KILL_AT=str(nth))
        assert killed.returncode == -signal.SIGKILL, f"not killed at {nth} ({point})"
        scenario.run_clean()
        scenario.check()


@pytest.mark.parametrize("scenario", ["postgresql", "mariadb", "sqlite"], indirect=True)
def test_killed_from_outside_at_random_moments(scenario: Scenario) -> None:
    scenario.add_round()
    started = time.monotonic()
    scenario.run_clean()
    clean = time.monotonic() - started
    rng = random.Random(20261122)
    kills = rounds = 0
    # Kill until six runs died mid-way; on a loaded machine a run may finish before its kill
    # comes, which proves nothing, so such rounds do not count (but are checked all the same).
    while kills < 6 and rounds < 30:
        rounds += 1
        scenario.add_round()
        process = subprocess.Popen(
            scenario.command(),
            cwd=ROOT,
            env=scenario.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(clean * rng.uniform(0.2, 0.9))  # within a clean run's length
        process.send_signal(signal.SIGKILL)
        kills += process.wait(timeout=60) == -signal.SIGKILL
        scenario.run_clean()
        scenario.check()
    assert kills == 6, f"only {kills} of {rounds} runs died mid-way"


@pytest.mark.parametrize("scenario", ["postgresql+pull"], indirect=True)
def test_the_whole_sync_killed_from_outside_mid_pull_and_mid_push(scenario: Scenario) -> None:
    scenario.add_round()
    started = time.monotonic()
    scenario.run_clean()
    clean = time.monotonic() - started
    scenario.check()
    scenario.check_pulled()
    rng = random.Random(3)
    kills = 0
    for _ in range(6):
        scenario.add_round()
        with scenario.shop.begin() as conn:  # shop-side changes for the pull to bring in
            conn.execute(text("UPDATE addresses SET city = :c"), {"c": f"City{scenario.round}"})
        process = subprocess.Popen(
            scenario.command(),
            cwd=ROOT,
            env=scenario.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(clean * rng.uniform(0.2, 0.9))  # within a clean run's length
        process.send_signal(signal.SIGKILL)
        kills += process.wait(timeout=60) == -signal.SIGKILL
        scenario.run_clean()
        scenario.check()
        scenario.check_pulled()
        with scenario.console.engine.connect() as conn:
            cities = conn.exec_driver_sql("SELECT DISTINCT city FROM shop_address").all()
        assert [tuple(r) for r in cities] == [(f"City{scenario.round}",)]
    assert kills >= 3
