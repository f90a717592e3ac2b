"""`csconsole sync`: one sync with the shop (pull, then push), or `--check` the mapping.

Exit status 0 when the sync finished; 1 with a one-line reason on standard error when it did
not (offline, wrong password, the mapping does not match the database, the central ledger
refused this desk's records or its audit chain differs from the central copy, ...). Once the desk's
cache has staff, a sync needs a sign-in (``CSCONSOLE_USER`` / ``CSCONSOLE_PASSWORD``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, fail, progress_printer
from csconsole.commands.sign_in import sign_in

if TYPE_CHECKING:
    from csconsole.app.console import Console
    from csconsole.commands.parsers import Subcommands


def _signed_in(console: Console) -> None:
    access = console.sync_access
    access.authorize_sync(sign_in(console) if access.needs_sign_in() else None)


def _check(args: argparse.Namespace) -> int:
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths, load_settings
    from csconsole.app.console import Console
    from csconsole.sync.runner import check_shop

    paths = Paths.from_environment()
    console = Console.open(paths, create=True)
    try:
        _signed_in(console)
    finally:
        console.close()
    settings = load_settings(paths)
    mapping, schema, source = check_shop(
        settings.shop_url, settings.shop_mapping, KeyringSecretStore()
    )
    if args.json:
        json.dump(
            {"source": source, "mapping": mapping.name, "problems": schema.problems}, sys.stdout
        )
        echo()
    else:
        for problem in schema.problems:
            echo(problem)
    if schema.problems:
        return fail(
            f"the shop database {source} lacks {len(schema.problems)} thing(s) the mapping "
            f"{mapping.name!r} expects (listed above)"
        )
    if not args.json:
        echo(f"The shop database {source} has every table and column of {mapping.name!r}.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    if args.check:
        return _check(args)
    from csconsole.app.console import Console

    console = Console.open(create=True)
    try:
        _signed_in(console)
        report = console.sync.run(
            full=args.full,
            progress=progress_printer(not args.json and not args.quiet),
            retries=args.retries,
            push=not args.pull_only,
        )
    finally:
        console.close()
    pull = report.pull
    if args.json:
        json.dump(
            {
                "status": report.status,
                "kind": report.kind,
                "source": report.source,
                "mapping": report.mapping,
                "seconds": round(pull.seconds, 2) if pull else None,
                "tables": {k: vars(v) for k, v in pull.tables.items()} if pull else {},
                "notes": report.notes,
            },
            sys.stdout,
        )
        echo()
        return 0
    if pull is not None:
        for entity, counts in pull.tables.items():
            echo(
                f"{entity:<20} read {counts.read:>9,}  written {counts.written:>9,}  "
                f"deleted {counts.deleted:>7,}  skipped {counts.skipped:>6,}"
            )
        echo(f"{report.kind} sync from {report.source} in {pull.seconds:.1f} s")
    for note in report.notes:
        echo(f"note: {note}")
    return 0


def register(sub: Subcommands) -> None:
    sync = sub.add_parser("sync", help="sync the local cache with the shop database")
    sync.add_argument("--full", action="store_true", help="reload everything from the shop")
    sync.add_argument(
        "--check",
        action="store_true",
        help="only list the tables and columns the mapping expects and the database lacks",
    )
    sync.add_argument(
        "--retries", type=int, default=0, help="retry an unreachable shop this often (backoff)"
    )
    sync.add_argument(
        "--pull-only", action="store_true", help="pull from the shop, push nothing this time"
    )
    sync.add_argument("--quiet", action="store_true", help="no progress on standard error")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(func=cmd_sync)
