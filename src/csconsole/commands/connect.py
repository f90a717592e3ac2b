"""`csconsole connect`: which shop database (and central ledger) this desk syncs with.

The URLs are saved in the settings without their passwords; a password given in a URL goes
to the keyring. Nothing is read from the databases here (``csconsole sync --check`` does).
Once the desk's cache has staff, only a signed-in admin may change the connection; the change
is an audit event.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from csconsole.commands.output import echo
from csconsole.commands.sign_in import sign_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands


def cmd_connect(args: argparse.Namespace) -> int:
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths, load_settings, save_settings
    from csconsole.app.console import Console
    from csconsole.sync.shop.connection import redact, store_url
    from csconsole.sync.shop.mapping import load_mapping, mapping_path

    mapping = load_mapping(args.mapping)  # a malformed mapping fails here, naming the key
    mapping_name = args.mapping
    if mapping_name.endswith(".toml") or "/" in mapping_name:
        mapping_name = str(mapping_path(mapping_name))
    secrets = KeyringSecretStore()
    paths = Paths.from_environment()
    console = Console.open(paths, secrets, create=True)
    try:
        access = console.sync_access
        session = sign_in(console) if access.needs_sign_in() else None
        access.authorize_connection(session)
        settings = load_settings(paths)
        shop = store_url(args.shop, secrets)
        changes: dict[str, str] = {"shop_url": shop, "shop_mapping": mapping_name}
        if args.ledger is not None:
            changes["ledger_url"] = store_url(args.ledger, secrets) if args.ledger else ""
        save_settings(paths, settings.with_changes(**changes))
        access.record_connection(
            session,
            shop=redact(shop),
            mapping=mapping.name,
            ledger=redact(changes["ledger_url"]) if changes.get("ledger_url") else args.ledger,
        )
    finally:
        console.close()
    echo(f"Shop database: {redact(shop)} (mapping {mapping.name!r}).")
    if args.ledger:
        echo(f"Central ledger: {redact(changes['ledger_url'])}.")
    echo("Passwords are in the keyring. Next: `csconsole sync --check`, then `csconsole sync`.")
    return 0


def register(sub: Subcommands) -> None:
    connect = sub.add_parser(
        "connect", help="set the shop database (and central ledger) this desk syncs with"
    )
    connect.add_argument(
        "--shop",
        required=True,
        metavar="URL",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user:password@host/shop",
    )
    connect.add_argument(
        "--mapping",
        required=True,
        metavar="NAME_OR_FILE",
        help="a shipped mapping (reference, magento2) or the path of a .toml mapping",
    )
    connect.add_argument(
        "--ledger", metavar="URL", help="the central privacy ledger's URL ('' to remove it)"
    )
    connect.set_defaults(func=cmd_connect)
