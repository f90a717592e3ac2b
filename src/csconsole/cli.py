"""The ``csconsole`` command: no arguments opens the window; subcommands run headless through
the same services, sign-in and audit as the window."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from csconsole.domain.errors import CsConsoleError


def _fail(message: str, code: int = 1) -> int:
    print(f"csconsole: {message}", file=sys.stderr)
    return code


def _sign_in(console: Any) -> Any:
    user = os.environ.get("CSCONSOLE_USER") or input("User: ")
    password = os.environ.get("CSCONSOLE_PASSWORD")
    if password is None:
        password = getpass.getpass("Password: ")
    return console.auth.sign_in(user, password)


def _progress_printer(enabled: bool) -> Any:
    last = [0.0]

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if enabled and (now - last[0] > 0.5 or done >= total):
            last[0] = now
            print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)

    return report


def cmd_demo(args: argparse.Namespace) -> int:
    from csconsole.app import build_demo

    started = time.perf_counter()
    console, credentials, counts = build_demo(
        customers=args.customers,
        seed=args.seed,
        force=args.force,
        progress=_progress_printer(not args.json),
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
        print()
    else:
        print(
            f"Demo shop with {counts.get('shop_customer', 0):,} customers ready in "
            f"{elapsed:.1f} s ({console.paths.data_dir})."
        )
        print("Demo staff (shown once; only password hashes are stored):")
        for row in staff:
            print(f"  {row['role']:<10} user {row['user']:<11} password {row['password']}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from csconsole.app import Console
    from csconsole.services.search import audit_search

    console = Console.open()
    try:
        session = _sign_in(console)
        session.require("search")
        query = console.search.parse(args.text)
        hits = console.search.search(args.text)
        audit_search(console.uow, console.clock, session, query, hits, channel="cli")
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
        print()
    else:
        for h in hits:
            print(
                f"{h.customer_id:>9}  {h.name:<32} {h.email_masked:<28} {h.phone_masked:<12} "
                f"{h.city}, {h.country}  [{h.matched_on.label}]"
            )
        print(f"{len(hits)} result(s)", file=sys.stderr)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from csconsole.app import Console

    console = Console.open()
    try:
        _sign_in(console)
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
        return _fail(f"audit trail broken at {report.problem}", 3)
    if not args.json:
        print(f"audit trail intact: {report.events} events, head {report.head}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csconsole", description=__doc__)
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="make the demo shop and load the local cache from it")
    demo.add_argument("--customers", type=int, default=5000)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--force", action="store_true", help="replace an existing cache")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(func=cmd_demo)

    search = sub.add_parser("search", help="find customers (results are masked)")
    search.add_argument("text")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=cmd_search)

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from csconsole.app import run_gui

        return run_gui()
    try:
        return int(args.func(args))
    except CsConsoleError as exc:
        return _fail(str(exc))
    except ValueError as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
