"""`csconsole audit ...`: the audit trail."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from csconsole.commands.audit_supervision import register_subcommands
from csconsole.commands.output import echo, fail
from csconsole.commands.sign_in import sign_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands
    from csconsole.domain.audit_integrity import IntegrityReport
    from csconsole.persistence.replication.audit_check import LedgerCheck


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


def ledger_dict(check: LedgerCheck) -> dict[str, object]:
    diff = check.difference
    return {
        "ledger": {
            desk: {
                **report_dict(chain.report),
                "workstation": chain.workstation,
                "this_desk": desk == check.desk,
                "head_seq": chain.head_seq,
            }
            for desk, chain in check.chains.items()
        },
        "compared": {
            "desk": check.desk,
            "ok": diff is None,
            "bad_seq": diff.seq if diff else None,
            "side": diff.side if diff else None,
            "problem": diff.problem if diff else "",
        },
    }


def _checked(workstation: str, check: LedgerCheck | None) -> list[str]:
    """Which chains the check read, as it says them."""
    said = [f"the local chain of this desk ({workstation})"]
    if check is not None:
        said += [
            f"the central copy of desk {c.workstation}"
            + (" (this desk, compared event by event)" if desk == check.desk else "")
            for desk, c in check.chains.items()
        ]
        if check.desk not in check.chains:
            said.append("the central copy of this desk (none yet)")
    return said


def _problems(report: IntegrityReport, check: LedgerCheck | None) -> list[str]:
    broken = [] if report.ok else [f"audit trail broken at {report.problem}"]
    if check is None:
        return broken
    broken += [
        f"central ledger, workstation {c.workstation}: broken at {c.report.problem}"
        for c in check.chains.values()
        if not c.report.ok
    ]
    if check.difference is not None:
        broken.append(
            f"this desk's trail and its central copy differ at {check.difference.problem}"
        )
    return broken


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from csconsole.app.console import Console

    console = Console.open()
    check: LedgerCheck | None = None
    try:
        sign_in(console)
        report = console.audit_trail.verify()
        # Whenever a ledger is set, its copy is checked too (--ledger: a ledger must be set).
        if args.ledger or console.ledger_audit.configured:
            check = console.ledger_audit.verify()
        workstation = console.workstation
    finally:
        console.close()
    checked = _checked(workstation, check)
    if args.json:
        data = {**report_dict(report), "checked": checked}
        if check is not None:
            data.update(ledger_dict(check))
        json.dump(data, sys.stdout)
        echo()
    broken = _problems(report, check)
    if broken:
        return fail("; ".join(broken), 3)
    if not args.json:
        echo("checked: " + "; ".join(checked))
        echo(f"audit trail intact: {report.events} events, head {report.head}")
        for c in (check.chains if check else {}).values():
            echo(
                f"central ledger, workstation {c.workstation}: intact, {c.report.events} "
                f"events, head {c.report.head}"
            )
        if check is not None:
            echo("this desk's trail and its central copy agree, event by event")
    return 0


def register(sub: Subcommands) -> None:
    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain")
    verify.add_argument(
        "--ledger",
        action="store_true",
        help="require the central ledger's check (it runs whenever ledger_url is set)",
    )
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_audit_verify)
    register_subcommands(audit_sub)
