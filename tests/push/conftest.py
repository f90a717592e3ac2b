"""Fixtures of the outbox push tests: see ``tests/push/fixtures.py`` (the databases:
``tests/db_servers.py``, shared by ``tests/conftest.py``)."""

from __future__ import annotations

from tests.push.fixtures import (  # noqa: F401  (fixtures are found by name)
    console_factory,
    engines,
)
