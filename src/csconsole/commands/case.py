"""`csconsole case ...`: open, list, show, note, move and close cases; show the customer of a
case unmasked as far as the caller's verification allows."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, print_json
from csconsole.commands.parsers import add_command
from csconsole.commands.sign_in import signed_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands
    from csconsole.domain.cases import CaseRecord


def _case_row(case: CaseRecord, today: date) -> dict[str, object]:
    row = asdict(case)
    row["overdue"] = case.overdue(today)
    return row


def _print_case_line(case: CaseRecord, today: date) -> None:
    flag = "OVERDUE" if case.overdue(today) else ""
    customer = case.customer_name or (f"customer {case.customer_id}" if case.customer_id else "-")
    echo(
        f"{case.case_id:>6}  {case.case_type.value:<16} {case.status.label:<18} "
        f"due {case.due_on.isoformat()} {flag:<8} {case.owner:<12} {customer}"
    )


def cmd_open(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        case = console.cases.open_case(
            session,
            args.type,
            customer_id=args.customer,
            channel=args.channel,
            summary=args.summary,
        )
        today = console.cases.today()
    if args.json:
        print_json(_case_row(case, today))
    else:
        echo(f"case {case.case_id} opened, due {case.due_on.isoformat()}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        cases = console.cases.list_cases(
            session, scope="all" if args.all else "mine", include_closed=args.closed
        )
        today = console.cases.today()
    if args.json:
        print_json([_case_row(c, today) for c in cases])
    else:
        for case in cases:
            _print_case_line(case, today)
        echo(f"{len(cases)} case(s)", err=True)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        detail = console.cases.show(session, args.case_id)
        today = console.cases.today()
    case = detail.case
    if args.json:
        print_json(
            {
                **_case_row(case, today),
                "notes": [asdict(n) for n in detail.notes],
                "next_statuses": [s.value for s in detail.next_statuses],
            }
        )
        return 0
    _print_case_line(case, today)
    echo(f"  channel {case.channel.value}, opened {case.opened_at:%Y-%m-%d %H:%M} UTC")
    echo(f"  by {case.opened_by}")
    echo(f"  summary: {case.summary}")
    if case.resolution:
        echo(f"  resolution: {case.resolution}")
    for note in detail.notes:
        echo(f"  note {note.note_id} ({note.author}, {note.at:%Y-%m-%d %H:%M}): {note.text}")
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        note_id = console.cases.add_note(session, args.case_id, args.text)
    echo(f"note {note_id} added to case {args.case_id}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        case = console.cases.change_status(
            session, args.case_id, args.status, resolution=args.resolution
        )
    echo(f"case {case.case_id} is {case.status.label}")
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    status = "refused" if args.refused else "withdrawn" if args.withdrawn else "resolved"
    with signed_in() as (console, session):
        case = console.cases.close(session, args.case_id, args.resolution, status=status)
    echo(f"case {case.case_id} is {case.status.label}")
    return 0


def cmd_customer(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        view = console.unmask.view(session, args.case_id, channel="cli")
    if args.json:
        data = asdict(view)
        for order, shown in zip(data["orders"], view.orders, strict=True):
            order["card"] = shown.card_shown
            del order["card_last4"]
        print_json(data)
        return 0
    echo(f"{view.name} (customer {view.customer_id}), verified at the {view.level.value} level")
    echo(f"  email: {view.email}")
    for phone in view.phones:
        echo(f"  phone: {phone}")
    for a in view.addresses:
        echo(
            f"  {a.kind} address: {' / '.join(a.street.splitlines())}, {a.city}, "
            f"{a.postcode or ''} {a.country}"
        )
    if view.date_of_birth:
        echo(f"  date of birth: {view.date_of_birth.isoformat()}")
    for o in view.orders:
        items = "; ".join(f"{line.quantity} x {line.name}" for line in o.lines)
        echo(
            f"  order {o.number} {o.placed_at:%Y-%m-%d} {o.total_cents / 100:.2f} {o.currency} "
            f"{o.status} {o.card_shown} {items}"
        )
    for s in view.subscriptions:
        echo(f"  {s.channel} {s.event} ({s.source}) {s.occurred_at:%Y-%m-%d}")
    return 0


def register(sub: Subcommands) -> None:
    case = sub.add_parser("case", help="cases: the work of a call")
    case_sub = case.add_subparsers(dest="case_command", required=True)

    p = add_command(case_sub, "open", "open a case", cmd_open)
    p.add_argument("--type", required=True, help="access, correction, mailing_opt_out, ...")
    p.add_argument("--customer", type=int, default=None, help="customer id")
    p.add_argument("--channel", default="phone", help="phone, email, mail or in_person")
    p.add_argument("--summary", required=True)
    p.add_argument("--json", action="store_true")

    p = add_command(case_sub, "list", "my queue (supervisors: --all)", cmd_list)
    p.add_argument("--all", action="store_true", help="everyone's cases (supervisors)")
    p.add_argument("--closed", action="store_true", help="include closed cases")
    p.add_argument("--json", action="store_true")

    p = add_command(case_sub, "show", "one case with its notes", cmd_show)
    p.add_argument("case_id", type=int)
    p.add_argument("--json", action="store_true")

    p = add_command(case_sub, "note", "add a note", cmd_note)
    p.add_argument("case_id", type=int)
    p.add_argument("text")

    p = add_command(case_sub, "status", "move a case along its status flow", cmd_status)
    p.add_argument("case_id", type=int)
    p.add_argument("status", help="in_progress, awaiting_approval, resolved, refused, withdrawn")
    p.add_argument("--resolution", default=None)

    p = add_command(case_sub, "close", "close a case with its resolution", cmd_close)
    p.add_argument("case_id", type=int)
    p.add_argument("--resolution", required=True)
    how = p.add_mutually_exclusive_group()
    how.add_argument("--refused", action="store_true")
    how.add_argument("--withdrawn", action="store_true")

    p = add_command(
        case_sub, "customer", "the case's customer, unmasked as verified (audited)", cmd_customer
    )
    p.add_argument("case_id", type=int)
    p.add_argument("--json", action="store_true")
