"""`csconsole ledger`: the shop admin's commands on the central ledger (docs/ledger-desk-roles.md).

- ``ledger migrate --ledger URL``: bring the ledger's schema, privileges and guards to the
  newest revision (run with the owner's URL; a desk's own role cannot change the schema).
- ``ledger grant-desk DESK --ledger URL``: make DESK's own login role (PostgreSQL), which may
  append that desk's rows and nothing else; prints the URL the desk connects with. The password
  is ``CSCONSOLE_NEW_PASSWORD`` or a generated one, printed this once and written nowhere.

These act on the ledger database with the admin's database credentials, not on a desk's cache:
no console sign-in is involved.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, fail

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL

    from csconsole.commands.parsers import Subcommands

PASSWORD_ENV = "CSCONSOLE_NEW_PASSWORD"  # noqa: S105 - the variable's name, not a password


def _engine(text: str) -> tuple[Engine, URL]:
    from csconsole.sync.shop.connection import parse_url, shop_engine

    url = parse_url(text)
    if url.get_backend_name() == "sqlite":
        from sqlalchemy import create_engine

        return create_engine(url), url  # a new SQLite ledger is a new file
    return shop_engine(url), url


def _database_error(error: Exception, url: URL) -> str:
    from csconsole.sync.shop.connection import redact, scrub

    orig = getattr(error, "orig", None) or error
    first = scrub(str(orig).splitlines()[0] if str(orig) else type(orig).__name__, url)
    return f"the ledger at {redact(url)} refused: {first}"


def cmd_migrate(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from csconsole.persistence.ledger import migrate as ledger_migrate
    from csconsole.sync.shop.connection import redact

    engine, url = _engine(args.ledger)
    try:
        if ledger_migrate.is_current(engine):
            echo(f"The ledger at {redact(url)} is at the newest revision already.")
            return 0
        ledger_migrate.upgrade(engine)
    except SQLAlchemyError as error:
        return fail(_database_error(error, url))
    finally:
        engine.dispose()
    echo(f"The ledger at {redact(url)} is now at the newest revision.")
    return 0


def cmd_grant_desk(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from csconsole.persistence.ledger.desk_roles import desk_url, grant_desk, new_password
    from csconsole.sync.shop.connection import redact

    given = os.environ.get(PASSWORD_ENV)
    if given is not None and len(given) < 12:
        return fail(f"{PASSWORD_ENV}: a desk's password needs at least 12 characters", 2)
    password = given or new_password()
    engine, url = _engine(args.ledger)
    try:
        grant = grant_desk(engine, args.desk, password, now=datetime.now(UTC), role=args.role)
    except SQLAlchemyError as error:
        return fail(_database_error(error, url))
    finally:
        engine.dispose()
    full = desk_url(url, grant.role, password)
    made = "Made" if grant.created else "Changed the password of"
    echo(f"{made} desk role {grant.role!r} for workstation {grant.workstation!r}.")
    if grant.renamed_from is not None:
        echo(f"It spoke for workstation {grant.renamed_from!r} before.")
    if given is None:
        echo("Its password is shown only now; it is written nowhere. On the desk, run:")
        echo(f"  csconsole connect --shop ... --mapping ... --ledger '{full}'")
    else:
        echo(f"Its password is the one in {PASSWORD_ENV}. On the desk, run:")
        echo(f"  csconsole connect --shop ... --mapping ... --ledger '{redact(full)}'")
        echo("  (with the password in place of ***)")
    return 0


def register(sub: Subcommands) -> None:
    ledger = sub.add_parser("ledger", help="the shop admin's commands on the central ledger")
    commands = ledger.add_subparsers(dest="ledger_command", required=True)
    migrate = commands.add_parser(
        "migrate", help="bring the central ledger to the newest revision (the owner's URL)"
    )
    migrate.add_argument("--ledger", required=True, metavar="URL", help="the ledger owner's URL")
    migrate.set_defaults(func=cmd_migrate)
    grant = commands.add_parser(
        "grant-desk",
        help="make a desk's own ledger login, which may append its rows and nothing else",
    )
    grant.add_argument("desk", metavar="DESK", help="the desk's workstation name (settings.toml)")
    grant.add_argument(
        "--ledger", required=True, metavar="URL", help="the ledger owner's (admin's) URL"
    )
    grant.add_argument(
        "--role",
        metavar="NAME",
        help="the login role's name (default csc_<database>_<desk>); an existing desk role "
        "given a new DESK follows that desk's rename",
    )
    grant.set_defaults(func=cmd_grant_desk)
