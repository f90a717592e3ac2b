"""`csconsole demo`: the demo shop and a cache loaded from it."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, fail, progress_printer
from csconsole.commands.sign_in import sign_in

if TYPE_CHECKING:
    from csconsole.app.demo import DemoGenerator
    from csconsole.commands.parsers import Subcommands
    from csconsole.services.ports import DetailValue

# A refused rebuild: scripts/demo.sh then opens the existing demo instead.
EXIT_REFUSED = 3


def cmd_demo(args: argparse.Namespace) -> int:
    from csconsole.demo.generator import generate_demo_shop

    return make_demo(args, generate_demo_shop)


def authorize_rebuild(args: argparse.Namespace) -> dict[str, DetailValue] | None:
    """Before ``--force`` wipes anything: what the desk holds, and whether that may go
    (``services.demo_rebuild``). None: there is nothing to replace."""
    from csconsole.adapters.keyring_store import KeyringSecretStore
    from csconsole.adapters.settings_file import Paths
    from csconsole.app.console import Console
    from csconsole.app.demo import survey_desk
    from csconsole.services.clock import SystemClock
    from csconsole.services.demo_rebuild import DemoRebuildService

    paths = Paths.from_environment()
    if not any(p.exists() for p in (paths.cache_file, paths.demo_shop_file, paths.settings_file)):
        return None
    secrets = KeyringSecretStore()
    survey = survey_desk(paths, secrets)
    if not survey.readable:
        return DemoRebuildService(None, SystemClock()).authorize(
            survey, session=None, confirm=args.confirm_wipe
        )
    console = Console.open(paths, secrets)
    try:
        session = None
        # Only a desk holding more than a demo needs an admin; ask only where one can answer.
        if survey.reasons() and (os.environ.get("CSCONSOLE_USER") or sys.stdin.isatty()):
            session = sign_in(console)
        service = DemoRebuildService(console.staff_audit_uow, console.clock)
        return service.authorize(survey, session=session, confirm=args.confirm_wipe)
    finally:
        console.close()


def make_demo(args: argparse.Namespace, generator: DemoGenerator) -> int:
    """``csconsole demo`` with the shop file written by ``generator`` (tests pass a copier)."""
    from csconsole.app.demo import build_demo
    from csconsole.domain.errors import PermissionDenied

    replaced = None
    if args.force:
        try:
            replaced = authorize_rebuild(args)
        except PermissionDenied as exc:
            return fail(str(exc), EXIT_REFUSED)
    started = time.perf_counter()
    console, credentials, counts = build_demo(
        customers=args.customers,
        seed=args.seed,
        force=args.force,
        progress=progress_printer(not args.json),
        generator=generator,
        replaced=replaced,
    )
    elapsed = time.perf_counter() - started
    console.close()
    staff = [{"user": u, "password": p, "role": r.value} for u, p, r in credentials]
    if args.json:
        json.dump(
            {
                "staff": staff,
                "customers": counts.get("shop_customer", 0),
                "cache": str(console.paths.cache_file),
                "seconds": round(elapsed, 1),
            },
            sys.stdout,
        )
        echo()
    else:
        echo(
            f"Demo shop with {counts.get('shop_customer', 0):,} customers ready in "
            f"{elapsed:.1f} s ({console.paths.data_dir})."
        )
        echo(
            "It syncs with its own shop file and keeps its central ledger in an encrypted file "
            "beside it: the window syncs in the background (F5: now), `csconsole sync` from here."
        )
        echo("Demo staff (shown once; only password hashes are stored):")
        for row in staff:
            echo(f"  {row['role']:<10} user {row['user']:<11} password {row['password']}")
    return 0


def register(sub: Subcommands) -> None:
    demo = sub.add_parser("demo", help="make the demo shop and load the local cache from it")
    demo.add_argument("--customers", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument(
        "--force",
        action="store_true",
        help="replace an existing demo (a desk holding more needs an admin and --confirm-wipe)",
    )
    demo.add_argument(
        "--confirm-wipe",
        metavar="DESK",
        help="with --force on a desk holding more than a demo: this desk's workstation id",
    )
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(func=cmd_demo)
