"""`csconsole verify ...`: verify a caller on a case, headless, through the same service as the
window. The caller's answer comes from ``--answer``, or else one line from standard input (a
prompt that does not echo when standard input is a terminal). The output is match / no match /
not understood, the level reached and the lock state, never a stored answer."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, print_json
from csconsole.commands.parsers import add_command
from csconsole.commands.sign_in import signed_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands
    from csconsole.services.verification import VerificationStatus


def status_dict(status: VerificationStatus) -> dict[str, object]:
    return {
        "verification_id": status.verification_id,
        "case_id": status.case_id,
        "customer_id": status.customer_id,
        "request": status.request.value,
        "fields": [f.value for f in status.fields],
        "required": status.required.value,
        "level": status.level.value,
        "passed": status.passed,
        "matched": status.matched,
        "needed": status.needed,
        "affirmation_needed": status.affirmation_needed,
        "affirmed": status.affirmed,
        "asked": [{"question": k.value, "matched": m} for k, m in status.asked],
        "remaining": [
            {"question": q.kind.value, "prompt": q.prompt, "hint": q.hint} for q in status.remaining
        ],
        "can_still_pass": status.can_still_pass,
        "expires_at": status.expires_at.isoformat(),
        "expired": status.expired,
        "ended": status.ended,
        "locked": status.lock.locked,
        "locked_at": status.lock.locked_at.isoformat() if status.lock.locked_at else None,
        "lock_origin": status.lock.origin or None,
        "failures_in_window": status.lock.failures_in_window,
        "max_failures": status.lock.max_failures,
    }


def print_status(status: VerificationStatus) -> None:
    state = "PASSED" if status.passed else "not yet"
    echo(
        f"verification {status.verification_id} (case {status.case_id}): level "
        f"{status.level.value}, needs {status.required.value} ({status.matched}/{status.needed} "
        f"data points{', affirmation' if status.affirmation_needed else ''}) {state}"
    )
    if status.lock.locked:
        where = f" (locked on desk {status.lock.origin})" if status.lock.origin else ""
        echo(f"  LOCKED{where}: a supervisor must unlock verification of this customer")
    elif status.expired:
        echo("  expired: start a new verification")
    elif status.ended:
        echo("  ended")
    else:
        echo(
            f"  wrong answers in the last {status.lock.window_hours} h: "
            f"{status.lock.failures_in_window} of {status.lock.max_failures}; "
            f"expires {status.expires_at:%H:%M} UTC"
        )
    if status.affirmation_needed and not status.affirmed:
        echo(f"  affirmation to read: {status.affirmation_text}")
    for kind, matched in status.asked:
        echo(f"  asked {kind.value}: {'match' if matched else 'no match'}")
    for q in status.remaining:
        echo(f"  may ask {q.kind.value}: {q.prompt}  [{q.hint}]")
    if not status.can_still_pass and not status.passed:
        echo("  the questions left cannot reach the level needed")


def cmd_start(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        status = console.verification.start(
            session, args.case_id, fields=args.field or (), request=args.request
        )
    if args.json:
        print_json(status_dict(status))
    else:
        print_status(status)
    return 0


def _read_answer(args: argparse.Namespace) -> str:
    if args.answer is not None:
        return str(args.answer)
    if sys.stdin.isatty():
        return getpass.getpass("Caller's answer: ")
    return sys.stdin.readline().rstrip("\n")


def cmd_answer(args: argparse.Namespace) -> int:
    answer = _read_answer(args)
    with signed_in() as (console, session):
        result = console.verification.answer(session, args.verification_id, args.question, answer)
    if args.json:
        print_json(
            {
                "question": result.kind.value,
                "outcome": result.outcome.value,
                "reason": result.reason,
                **status_dict(result.status),
            }
        )
    else:
        line = result.outcome.label
        if result.reason:
            line += f": {result.reason}"
        echo(line)
        print_status(result.status)
    return 2 if result.reason else 0


def cmd_affirm(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        status = console.verification.affirm(session, args.verification_id)
    if args.json:
        print_json(status_dict(status))
    else:
        print_status(status)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        status = console.verification.status(session, args.verification_id)
    if args.json:
        print_json(status_dict(status))
    else:
        print_status(status)
    return 0


def cmd_end(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        status = console.verification.end(session, args.verification_id)
    print_status(status)
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    """Lifts the customer's lock whichever desk recorded it (this one, or another whose records
    this desk has pulled at its last sync); the unlock reaches the other desks at their sync."""
    from csconsole.domain.staff import Permission

    with signed_in() as (console, session):
        session.require(Permission.UNLOCK_VERIFICATION)
        lock = console.verification.lock_state(session, args.customer_id)
        console.verification.unlock(session, args.customer_id, args.reason)
    where = f"desk {lock.origin}" if lock.origin else "this desk"
    if args.json:
        print_json(
            {
                "customer_id": args.customer_id,
                "unlocked": True,
                "lock_origin": lock.origin or None,
                "lock_id": lock.lock_id,
                "locked_at": lock.locked_at,
                "failures": lock.failures_in_window,
            }
        )
    else:
        echo(f"verification of customer {args.customer_id} unlocked (locked on {where})")
    return 0


def register(sub: Subcommands) -> None:
    verify = sub.add_parser("verify", help="verify a caller on a case")
    verify_sub = verify.add_subparsers(dest="verify_command", required=True)

    p = add_command(verify_sub, "start", "start verifying the caller of a case", cmd_start)
    p.add_argument("case_id", type=int)
    p.add_argument(
        "--field",
        action="append",
        help="a field to be corrected (repeat): it cannot prove identity",
    )
    p.add_argument("--request", default=None, help="access, data_copy, correction, erasure, ...")
    p.add_argument("--json", action="store_true")

    p = add_command(verify_sub, "answer", "compare the caller's answer to one question", cmd_answer)
    p.add_argument("verification_id", type=int)
    p.add_argument("question", help="email, phone, billing_postcode, last_order_number, ...")
    p.add_argument("--answer", default=None, help="else read from standard input")
    p.add_argument("--json", action="store_true")

    p = add_command(
        verify_sub, "affirm", "record the caller's affirmation (high level)", cmd_affirm
    )
    p.add_argument("verification_id", type=int)
    p.add_argument("--json", action="store_true")

    p = add_command(verify_sub, "status", "where a verification stands", cmd_status)
    p.add_argument("verification_id", type=int)
    p.add_argument("--json", action="store_true")

    p = add_command(verify_sub, "end", "end a verification", cmd_end)
    p.add_argument("verification_id", type=int)

    p = add_command(verify_sub, "unlock", "lift a verification lockout (supervisors)", cmd_unlock)
    p.add_argument("customer_id", type=int)
    p.add_argument("--reason", required=True)
    p.add_argument("--json", action="store_true")
