"""Applying the cache's Alembic migrations at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine_connection: object | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = engine_connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the cache schema to the newest revision of every branch (no-op when current)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "heads")


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (``alembic check``)."""
    with engine.connect() as conn:
        command.check(alembic_config(conn))
