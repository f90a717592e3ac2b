"""Applying the central ledger's own Alembic migrations (``ledger_migrations/``), apart from the
cache's: they run on the shop's PostgreSQL, MariaDB or SQLite database."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from csconsole.persistence.ledger.schema import VERSION_TABLE

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    # Config's default stdout is sys.stdout as it was when Alembic was first imported, which a
    # caller may have redirected since: use the current one.
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the ledger to the newest revision; a no-op (one query) when it is there."""
    if is_current(engine):
        return
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")


def is_current(engine: Engine) -> bool:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return set(context.get_current_heads()) == heads


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def check(engine: Engine) -> None:
    """Raise if the ledger schema and the migrations disagree (``alembic check``)."""
    with engine.connect() as conn:
        command.check(alembic_config(conn))
