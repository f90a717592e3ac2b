"""`csconsole search`: find customers headless, audited like the window."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from csconsole.commands.output import echo
from csconsole.commands.sign_in import sign_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands


def cmd_search(args: argparse.Namespace) -> int:
    from csconsole.app.console import Console
    from csconsole.domain.staff import Permission

    console = Console.open()
    try:
        session = sign_in(console)
        console.customers.require(session, Permission.SEARCH, channel="cli")  # refusals audited
        query = console.search.parse(args.text)
        hits = console.search.search(args.text)
        console.customers.record_search(session, query, hits, channel="cli")
    finally:
        console.close()
    if args.json:
        json.dump(
            [
                {
                    "customer_id": h.customer_id,
                    "name": h.name,
                    "email": h.email_masked,
                    "phone": h.phone_masked,
                    "city": h.city,
                    "country": h.country,
                    "matched_on": h.matched_on.label,
                    "score": round(h.score, 1),
                }
                for h in hits
            ],
            sys.stdout,
            ensure_ascii=False,
        )
        echo()
    else:
        for h in hits:
            echo(
                f"{h.customer_id:>9}  {h.name:<32} {h.email_masked:<28} {h.phone_masked:<12} "
                f"{h.city}, {h.country}  [{h.matched_on.label}]"
            )
        echo(f"{len(hits)} result(s)", err=True)
    return 0


def register(sub: Subcommands) -> None:
    search = sub.add_parser("search", help="find customers (results are masked)")
    search.add_argument("text")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)
