"""Applying the cache's Alembic migrations at start.

Alembic (and the models its environment loads) is imported only when the cache is not at the
newest revisions already: every start checks, and importing Alembic costs more than the rest
of a headless command. The check itself (:func:`upgrade_cache`) runs on a driver connection,
so a current cache is opened without SQLAlchemy.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

    from csconsole.persistence.cache.engine import CacheFile

MIGRATIONS = Path(__file__).with_name("migrations")
# The assignments every migration script starts with (Alembic's template, script.py.mako).
_REVISION = re.compile(r"^revision(?:: str)? = (.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:: [^=]+)? = (.+)$", re.MULTILINE)


def alembic_config(engine_connection: object | None = None) -> Config:
    from alembic.config import Config

    # Config's default stdout is sys.stdout as it was when Alembic was first imported (which
    # is late now, possibly while a caller has redirected it): use the current one.
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = engine_connection
    return cfg


def script_heads(versions: Path = MIGRATIONS / "versions") -> frozenset[str]:
    """The newest revision of every branch, read from the scripts' own assignments (what
    ``alembic heads`` says; ``tests/persistence`` compares the two)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise ValueError(f"{script.name} has no revision / down_revision assignment")
        revisions.add(str(ast.literal_eval(revision.group(1))))
        down_value = ast.literal_eval(down.group(1))
        if isinstance(down_value, str):
            parents.add(down_value)
        elif down_value is not None:
            parents.update(str(d) for d in down_value)
    return frozenset(revisions - parents)


_SQL_APPLIED = "SELECT version_num FROM alembic_version"


def applied_heads(conn: Connection) -> frozenset[str]:
    """The revisions the cache says it is at (empty for a new cache)."""
    from sqlalchemy import exc

    try:
        rows = conn.exec_driver_sql(_SQL_APPLIED).all()
    except exc.OperationalError:  # no version table yet
        return frozenset()
    return frozenset(str(r[0]) for r in rows)


def is_current(cache: CacheFile) -> bool:
    """Whether the cache is at the newest revision of every branch, read on a driver
    connection."""
    con = cache.connect()
    try:
        rows = con.execute(_SQL_APPLIED).fetchall()
    except sqlcipher3.dbapi2.OperationalError:  # no version table yet
        rows = []
    finally:
        con.close()
    return frozenset(str(r[0]) for r in rows) == script_heads()


def upgrade_cache(cache: CacheFile) -> None:
    """:func:`upgrade` when the cache is behind; a current one is only checked, without
    SQLAlchemy or Alembic."""
    if is_current(cache):
        return
    engine = cache.engine()
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def upgrade(engine: Engine) -> None:
    """Bring the cache schema to the newest revision of every branch (no-op when current)."""
    with engine.begin() as conn:
        if applied_heads(conn) == script_heads():
            return
        from alembic import command

        command.upgrade(alembic_config(conn), "heads")


def check(engine: Engine) -> None:
    """Raise if the models and the migrations disagree (``alembic check``)."""
    from alembic import command

    with engine.connect() as conn:
        command.check(alembic_config(conn))
