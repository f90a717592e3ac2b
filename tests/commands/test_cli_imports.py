"""Registering the commands imports no service, database or Qt module: every ``csconsole``
invocation pays for what registration imports, so each command imports what it runs. And
``csconsole search`` as a whole runs without the ORM, the models or Qt (docs/benchmarks.md,
start-up), so a later capability cannot add them to its start unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from csconsole.domain.audit_query import AuditFilter

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "keyring", "argon2", "PySide6", "csconsole.services")


def test_building_the_parser_imports_nothing_heavy() -> None:
    code = (
        "import json, sys\n"
        "from csconsole.cli import build_parser\n"
        "build_parser().parse_args(['search', 'x'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    path = [str(ROOT / "src"), str(ROOT)]
    env = {"PYTHONPATH": ":".join(path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stdout)
    assert "csconsole.commands.search" in loaded  # the check saw the registration
    assert [m for m in loaded if m.startswith(HEAVY)] == []


# What ``csconsole search`` must run without: SQLAlchemy and the models (about 0.65 s of a
# start, docs/benchmarks.md), Alembic, Qt, and the capabilities a search does not use.
NOT_FOR_SEARCH = (
    "sqlalchemy",
    "alembic",
    "PySide6",
    "csconsole.persistence.models",
    "csconsole.persistence.ledger",
    "csconsole.persistence.repositories.unit_of_work",
    "csconsole.domain.policy",
    "csconsole.sync",
    "csconsole.ui",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)

# The child: the test's keyring handed over in the environment, then the real command.
SEARCH_CHILD = """
import ast, json, os, sys

import keyring
from keyring.backend import KeyringBackend


class HandedOver(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.data = ast.literal_eval(os.environ["TEST_KEYRING"])

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        self.data.pop((service, username), None)


keyring.set_keyring(HandedOver())
from csconsole.cli import main

code = main(["search", "--json", sys.argv[1]])
print("MODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_search_signs_in_searches_and_audits_without_the_orm(
    demo: Any, memory_keyring: Any
) -> None:
    """The whole command in a fresh process (sign-in, the search, its audit event): none of
    ``NOT_FOR_SEARCH`` is imported, and the event it recorded chains onto the trail."""
    console, staff = demo
    with console.engine.connect() as conn:
        first, last = conn.exec_driver_sql(
            "SELECT first_name, last_name FROM shop_customer ORDER BY id LIMIT 1"
        ).one()
    user, password = staff["rep"]
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        TEST_KEYRING=repr(memory_keyring.store),
        CSCONSOLE_USER=user,
        CSCONSOLE_PASSWORD=password,
    )
    out = subprocess.run(
        [sys.executable, "-c", SEARCH_CHILD, f"{first} {last}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    [hits_line, modules_line] = out.stdout.splitlines()[-2:]
    result = json.loads(modules_line.removeprefix("MODULES "))
    assert result["code"] == 0, out.stderr[-2000:]
    assert f"{first} {last}" in {hit["name"] for hit in json.loads(hits_line)}
    loaded = result["modules"]
    assert "csconsole.services.auth" in loaded  # the check saw the whole command
    assert "csconsole.persistence.repositories.driver_unit_of_work" in loaded
    assert [m for m in loaded if m.startswith(NOT_FOR_SEARCH)] == []
    with console.uow() as uow:
        assert uow.audit_integrity.full_report().chain.ok
        found = uow.audit.search(AuditFilter(action="customer.search", limit=1))
    assert [(e.actor, e.details["channel"]) for e in found] == [(user, "cli")]
