"""`csconsole audit acknowledge` and `csconsole audit list`: a supervisor's side of the trail."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, print_json
from csconsole.commands.parsers import add_command
from csconsole.commands.sign_in import signed_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands


def cmd_acknowledge(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        ack = console.audit_trail.acknowledge(session, args.reason)
    if args.json:
        print_json({"bad_seq": ack.bad_seq, "problem": ack.problem, "event_hash": ack.event_hash})
    else:
        echo(f"break at event {ack.bad_seq} acknowledged ({ack.problem}); recording resumes")
    return 0


def _day(text: str | None, what: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time(), UTC)
    except ValueError:
        raise ValueError(f"{what}: a date like 2026-03-01") from None


def cmd_list(args: argparse.Namespace) -> int:
    from csconsole.domain.audit_query import AuditFilter

    until = _day(args.until, "--until")
    audit_filter = AuditFilter(
        actor=args.actor,
        customer_id=args.customer,
        action=args.action,
        since=_day(args.since, "--since"),
        # --until is the last day shown; the last day there is has no day after it to stop at.
        until=until + timedelta(days=1) if until and until.date() < date.max else None,
        limit=args.limit,
    )
    with signed_in() as (console, session):
        events = console.audit_trail.browse(session, audit_filter)
    if args.json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "role": e.role,
                    "workstation": e.workstation,
                    "action": e.action,
                    "customer_id": e.customer_id,
                    "case_id": e.case_id,
                    "details": dict(e.details),
                }
                for e in events
            ]
        )
    else:
        for e in events:
            echo(
                f"{e.seq:>8} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<12} {e.action:<28} "
                f"customer {e.customer_id or '-':<8} case {e.case_id or '-':<6} {e.details_text()}"
            )
        echo(f"{len(events)} event(s)", err=True)
    return 0


def register_subcommands(audit_sub: Subcommands) -> None:
    p = add_command(
        audit_sub,
        "acknowledge",
        "acknowledge a break in the trail so recording can resume (supervisors)",
        cmd_acknowledge,
    )
    p.add_argument("--reason", required=True, help="what was found and who was told")
    p.add_argument("--json", action="store_true")

    p = add_command(audit_sub, "list", "audit events, newest first (supervisors)", cmd_list)
    p.add_argument("--actor", default=None, help="staff user name")
    p.add_argument("--customer", type=int, default=None, help="customer id")
    p.add_argument("--action", default=None, help="an action, or a prefix ending in '.'")
    p.add_argument("--since", default=None, help="first day, YYYY-MM-DD (UTC)")
    p.add_argument("--until", default=None, help="last day, YYYY-MM-DD (UTC)")
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--json", action="store_true")
