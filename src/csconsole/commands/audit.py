"""`csconsole audit ...`: the audit trail."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from csconsole.commands.audit_supervision import register_subcommands
from csconsole.commands.output import fail
from csconsole.commands.sign_in import sign_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands
    from csconsole.domain.audit_integrity import IntegrityReport


def report_dict(report: IntegrityReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "events": report.events,
        "head": report.head,
        "bad_seq": report.bad_seq,
        "problem": report.problem,
        "acknowledged": [
            {"seq": a.seq, "bad_seq": a.bad_seq, "by": a.actor, "problem": a.problem}
            for a in report.acknowledged
        ],
    }


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from csconsole.app.console import Console

    console = Console.open()
    try:
        sign_in(console)
        report = console.audit_trail.verify()
        central = console.ledger_audit.verify() if args.ledger else {}
    finally:
        console.close()
    if args.json:
        data = report_dict(report)
        if args.ledger:
            data["ledger"] = {ws: report_dict(r) for ws, r in central.items()}
        json.dump(data, sys.stdout)
        print()
    broken = [] if report.ok else [f"audit trail broken at {report.problem}"]
    broken += [
        f"central ledger, workstation {ws}: broken at {r.problem}"
        for ws, r in central.items()
        if not r.ok
    ]
    if broken:
        return fail("; ".join(broken), 3)
    if not args.json:
        print(f"audit trail intact: {report.events} events, head {report.head}")
        for ws, r in central.items():
            print(f"central ledger, workstation {ws}: intact, {r.events} events, head {r.head}")
    return 0


def register(sub: Subcommands) -> None:
    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain")
    verify.add_argument(
        "--ledger", action="store_true", help="also check every chain in the central ledger"
    )
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_audit_verify)
    register_subcommands(audit_sub)
