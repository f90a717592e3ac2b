"""Fixtures of the outbox push tests: see ``tests/push/fixtures.py``."""

from __future__ import annotations

from tests.push.fixtures import (  # noqa: F401  (fixtures are found by name)
    console_factory,
    database_url,
    engines,
    mariadb_url,
    pg_run_database,
    pg_url,
)
