"""Granting a desk its own login role in the central ledger (PostgreSQL), for ``csconsole ledger
grant-desk``: the role is made (or its password changed), joined to the ledger's group role
(``guards.group_role_name``) and mapped to the desk's workstation in ``csconsole_desk_role``,
all in one transaction run by the shop's admin.

Only a SCRAM verifier of the password reaches the server when the driver can compute one
(psycopg 3), so the password is in no statement a server log could keep.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.engine import URL

from csconsole.domain.errors import CsConsoleError
from csconsole.persistence.ledger import migrate as ledger_migrate
from csconsole.persistence.ledger.guards import (
    bounded_name,
    group_role_name,
    quote_ident,
    quote_literal,
    slug,
)
from csconsole.persistence.ledger.schema import desk_role


class DeskRoleError(CsConsoleError):
    """A desk role cannot be granted as asked; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    workstation: str
    created: bool  # a new login role (else its password was changed)
    renamed_from: str | None  # the workstation it spoke for before, if that changed


def login_role_name(database: str, workstation: str) -> str:
    """The default login of a desk: the ledger's database and the desk's name, so two shops'
    desks on one server never share a role (roles are server-wide)."""
    return bounded_name(f"csc_{slug(database)}_{slug(workstation)}")


def new_password() -> str:
    return secrets.token_urlsafe(24)


def _verifier(conn: Connection, role: str, password: str) -> str:
    """What ``PASSWORD '...'`` is given: the SCRAM verifier when psycopg can compute it."""
    driver: Any = conn.connection.driver_connection
    pgconn = getattr(driver, "pgconn", None)
    if pgconn is not None and hasattr(pgconn, "encrypt_password"):
        raw = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
        return bytes(raw).decode("ascii")
    return password


def _run(conn: Connection, statement: str) -> None:
    # The driver's cursor without parameters: a literal may hold % (no placeholder rewriting).
    cursor = conn.connection.cursor()
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def grant_desk(
    engine: Engine, workstation: str, password: str, *, now: datetime, role: str | None = None
) -> Grant:
    """Make ``role`` (default ``login_role_name``) the login of the desk named ``workstation``:
    a new role, or the same desk's role with a new password, or (``role`` given, already a
    desk role) that desk renamed. Anything else is refused before anything changes."""
    if engine.dialect.name != "postgresql":
        raise DeskRoleError(
            "desk roles need a PostgreSQL ledger; this ledger is "
            f"{engine.dialect.name}, which has no roles to restrict (docs/ledger-desk-roles.md)"
        )
    workstation = workstation.strip()
    if not workstation or len(workstation) > 100:
        raise DeskRoleError("DESK: give the desk's workstation name (1 to 100 characters)")
    if not ledger_migrate.is_current(engine):
        raise DeskRoleError(
            "the ledger is not at the newest revision: run `csconsole ledger migrate` first"
        )
    with engine.begin() as conn:
        database = str(conn.exec_driver_sql("SELECT current_database()").scalar_one())
        name = role or login_role_name(database, workstation)
        if len(name) > 63:
            raise DeskRoleError("--role: a PostgreSQL role name has at most 63 characters")
        mapped = conn.execute(select(desk_role).where(desk_role.c.role_name == name)).first()
        holder = conn.execute(
            select(desk_role.c.role_name).where(desk_role.c.workstation == workstation)
        ).scalar()
        if holder is not None and holder != name:
            raise DeskRoleError(
                f"DESK: workstation {workstation!r} is already granted to role {holder!r}"
            )
        exists = conn.exec_driver_sql(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = "  # noqa: S608 - a quoted literal
            + quote_literal(name)
        ).first()
        if exists is not None and mapped is None:
            # Never turn the admin's or another program's role into a desk (nor demote it).
            raise DeskRoleError(
                f"--role: role {name!r} already exists and is not a desk role of this ledger; "
                "choose another name"
            )
        verifier = quote_literal(_verifier(conn, name, password))
        if exists is None:
            _run(
                conn,
                f"CREATE ROLE {quote_ident(name)} LOGIN INHERIT NOSUPERUSER NOCREATEDB "
                f"NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD {verifier}",
            )
        else:
            _run(conn, f"ALTER ROLE {quote_ident(name)} PASSWORD {verifier}")
        _run(conn, f"GRANT {quote_ident(group_role_name(database))} TO {quote_ident(name)}")
        _run(conn, f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {quote_ident(name)}")
        if mapped is None:
            conn.execute(
                desk_role.insert().values(role_name=name, workstation=workstation, granted_at=now)
            )
            renamed = None
        else:
            renamed = mapped.workstation if mapped.workstation != workstation else None
            conn.execute(
                update(desk_role)
                .where(desk_role.c.role_name == name)
                .values(workstation=workstation, granted_at=now)
            )
    return Grant(name, workstation, exists is None, renamed)


def desk_url(admin: URL, role: str, password: str) -> str:
    """The URL the desk connects with (``csconsole connect --ledger``)."""
    return admin.set(username=role, password=password).render_as_string(hide_password=False)
