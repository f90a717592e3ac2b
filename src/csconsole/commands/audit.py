"""`csconsole audit ...`: the audit trail."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import fail, sign_in


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from csconsole.app import Console

    console = Console.open()
    try:
        sign_in(console)
        report = console.verify_audit()
    finally:
        console.close()
    if args.json:
        json.dump(
            {
                "ok": report.ok,
                "events": report.events,
                "head": report.head,
                "bad_seq": report.bad_seq,
                "problem": report.problem,
            },
            sys.stdout,
        )
        print()
    if not report.ok:
        return fail(f"audit trail broken at {report.problem}", 3)
    if not args.json:
        print(f"audit trail intact: {report.events} events, head {report.head}")
    return 0


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_audit_verify)
