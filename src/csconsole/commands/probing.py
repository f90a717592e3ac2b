"""`csconsole probing`: the search-probing tripwire's stops, for a supervisor (docs/search.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, print_json
from csconsole.commands.parsers import add_command
from csconsole.commands.sign_in import signed_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        stops = console.probing.list_stops(session, include_cleared=args.all)
    if args.json:
        print_json(
            [
                {
                    "stop_id": s.stop_id,
                    "username": s.username,
                    "stopped_at": s.stopped_at,
                    "reason": s.reason,
                    "searches": s.searches,
                    "customer_id": s.customer_id,
                    "lock_id": s.lock_id,
                    "cleared_at": s.cleared_at,
                    "cleared_by": s.cleared_by,
                }
                for s in stops
            ]
        )
        return 0
    for s in stops:
        customer = f"customer {s.customer_id}" if s.customer_id is not None else "no customer"
        state = f"cleared by {s.cleared_by}" if s.cleared_at is not None else "in force"
        echo(
            f"{s.stop_id:>5}  {s.stopped_at:%Y-%m-%d %H:%M}  {s.username:<20} {customer:<18} "
            f"{state}  ({s.reason})"
        )
    if not stops:
        echo("no search stops in force" if not args.all else "no search stops")
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        console.probing.clear(session, args.username)
    echo(
        f"search stop on {args.username} cleared (a customer's verification lock is lifted "
        "apart: csconsole verify unlock)"
    )
    return 0


def register(sub: Subcommands) -> None:
    probing = sub.add_parser("probing", help="searches stopped by the probing tripwire")
    probing_sub = probing.add_subparsers(dest="probing_command", required=True)
    p = add_command(probing_sub, "list", "the stops in force (supervisor)", cmd_list)
    p.add_argument("--all", action="store_true", help="cleared stops too")
    p.add_argument("--json", action="store_true")
    p = add_command(probing_sub, "clear", "let a person search identifiers again", cmd_clear)
    p.add_argument("username")
