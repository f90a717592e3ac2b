"""Fixtures of the central ledger tests: shared with the push tests (``tests/push/fixtures.py``;
the databases: ``tests/db_servers.py``, shared by ``tests/conftest.py``)."""

from __future__ import annotations

from tests.ledger.desk_ledger import desk_ledger  # noqa: F401  (fixtures are found by name)
from tests.push.fixtures import (  # noqa: F401  (fixtures are found by name)
    console_factory,
    engines,
)
