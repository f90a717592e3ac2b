"""`csconsole demo`: the demo shop and a cache loaded from it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, progress_printer

if TYPE_CHECKING:
    from csconsole.app.demo import DemoGenerator
    from csconsole.commands.parsers import Subcommands


def cmd_demo(args: argparse.Namespace) -> int:
    from csconsole.demo.generator import generate_demo_shop

    return make_demo(args, generate_demo_shop)


def make_demo(args: argparse.Namespace, generator: DemoGenerator) -> int:
    """``csconsole demo`` with the shop file written by ``generator`` (tests pass a copier)."""
    from csconsole.app.demo import build_demo

    started = time.perf_counter()
    console, credentials, counts = build_demo(
        customers=args.customers,
        seed=args.seed,
        force=args.force,
        progress=progress_printer(not args.json),
        generator=generator,
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
            "It syncs with its own shop file, which also holds the central ledger: the window "
            "does so in the background (F5: now), `csconsole sync` from here."
        )
        echo("Demo staff (shown once; only password hashes are stored):")
        for row in staff:
            echo(f"  {row['role']:<10} user {row['user']:<11} password {row['password']}")
    return 0


def register(sub: Subcommands) -> None:
    demo = sub.add_parser("demo", help="make the demo shop and load the local cache from it")
    demo.add_argument("--customers", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--force", action="store_true", help="replace an existing cache")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(func=cmd_demo)
