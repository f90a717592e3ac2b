"""Fixtures' building blocks for the case and verification tests: a hand-made shop whose stored
answers the tests know, a clock the test moves, a real encrypted cache with staff."""

from __future__ import annotations

import socket
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from argon2 import PasswordHasher

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from csconsole.app.demo import DEMO_STAFF
from csconsole.persistence.cache.reference_loader import load_reference_sqlite
from csconsole.services.auth import AuthService
from csconsole.services.signing import SealCost
from tests.shop_factory import make_shop

# Customer 2 of tests/shop_factory.KNOWN is the one verified in these tests.
JANE = 2
JANE_EMAIL = "Jane.Smith@example.org"
JANE_PHONE = "(212) 555-4990"
JANE_POSTCODE = "10001"
LAST_ORDER = "DN100000003"
LAST_ORDER_DAY = "2025-06-14"
LAST_ORDER_TOTAL_CENTS = 189_900
LAST_CARD = "1881"
ITEM = "Solitaire Engagement Ring 1.5ct"
# Every stored answer of JANE that must never reach the rep before the caller says it.
JANE_SECRETS = (
    "Jane.Smith@example.org",
    "jane.smith@example.org",
    "555-4990",
    "2125554990",
    "10001",
    "DN100000003",
    "DN100000002",
    "2025-06-14",
    "1899",
    "1881",
    "4242",
    "Solitaire",
    "Tennis",
)


def make_case_shop(path: Path) -> Path:
    """tests/shop_factory's shop, with a distinct last order for Jane, items and a second card."""
    make_shop(path)
    con = sqlite3.connect(path)
    con.execute(
        "UPDATE orders SET placed_at = '2025-06-14 15:30:00', total_cents = ? "
        "WHERE order_number = ?",
        (LAST_ORDER_TOTAL_CENTS, LAST_ORDER),
    )
    order_ids = dict(con.execute("SELECT order_number, order_id FROM orders").fetchall())
    con.execute(
        "UPDATE payments SET card_last4 = ?, amount_cents = ? WHERE order_id = ?",
        (LAST_CARD, LAST_ORDER_TOTAL_CENTS, order_ids[LAST_ORDER]),
    )
    items = [
        (1, order_ids[LAST_ORDER], "RING-15", ITEM, 1, LAST_ORDER_TOTAL_CENTS),
        (2, order_ids["DN100000002"], "BRAC-01", "Diamond Tennis Bracelet", 1, 12_500),
        (3, order_ids["DN100000001"], "EAR-02", "Pearl Drop Earrings", 1, 12_500),
    ]
    con.executemany("INSERT INTO order_items VALUES (?,?,?,?,?,?,'2025-03-01 10:00:00')", items)
    con.commit()
    con.close()
    return path


@dataclass
class FakeClock:
    """Implements ``services.ports.Clock``; the test moves it."""

    at: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class CaseWorld:
    console: Console
    clock: FakeClock
    passwords: dict[str, str]

    def session(self, role: str) -> Any:
        return self.console.auth.sign_in(role, self.passwords[role])


class OpenWorld(Protocol):
    """The ``open_world`` fixture (tests/conftest.py): :func:`open_case_world` for this test."""

    def __call__(
        self, *, profile: str | None = None, ledger_url: str = "", console_open: bool = True
    ) -> CaseWorld: ...


def open_case_world(
    paths: Paths,
    secret_store: KeyringSecretStore,
    tmp_path: Path,
    *,
    profile: str | None = None,
    ledger_url: str = "",
) -> CaseWorld:
    """A real encrypted cache loaded from :func:`make_case_shop`, with the demo staff."""
    from csconsole.adapters.settings_file import save_settings
    from csconsole.services.settings import Settings

    if profile is not None or ledger_url:
        settings = Settings(ledger_url=ledger_url)
        if profile is not None:
            settings = settings.with_changes(policy_profile=profile)
        save_settings(paths, settings)
    shop = make_case_shop(tmp_path / "case-shop.sqlite")
    clock = FakeClock()
    console = Console.open(paths, secret_store, create=True, clock=clock)
    load_reference_sqlite(console.engine, shop, clock=clock)
    # Cheap password hashes: these tests are about cases, not about argon2's cost.
    console.auth = AuthService(
        console.uow,
        clock,
        workstation=socket.gethostname(),
        hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        seal_cost=SealCost(time_cost=1, memory_kib=1024, parallelism=1),
    )
    created = console.auth.bootstrap_staff(DEMO_STAFF)
    return CaseWorld(console, clock, {user: pw for user, pw, _ in created})


def audit_rows(console: Console) -> list[tuple[str, int | None, int | None, dict[str, Any]]]:
    """(action, customer_id, case_id, details) of every event, oldest first."""
    from csconsole.persistence.repositories.audit_guard import AuditGuard
    from csconsole.persistence.repositories.unit_of_work import SessionStatements, SqlUnitOfWork

    with console.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        rows = list(AuditGuard(SessionStatements(uow.session)).rows())
    return [(e.action, e.customer_id, e.case_id, dict(e.details or {})) for e, _, _ in rows]
