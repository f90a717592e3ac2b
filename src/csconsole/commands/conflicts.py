"""`csconsole conflicts list` and `csconsole conflicts settle`: a supervisor settles the changes
the shop refused because it held another value than the one the rep saw (or no longer had the
row). Never automatic: keep the shop's value, or send the change again, checked against the
shop's value now (docs/ledger-and-outbox.md, "Settling conflicts")."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from csconsole.commands.output import echo, print_json
from csconsole.commands.parsers import add_command
from csconsole.commands.sign_in import signed_in

if TYPE_CHECKING:
    from csconsole.commands.parsers import Subcommands
    from csconsole.services.outbox import ConflictView
    from csconsole.services.ports import DetailValue

GONE = "(the row is gone from the shop)"


def _problem(conflict: ConflictView) -> str:
    return "missing" if conflict.outcome.value == "missing" else "conflict"


def _fields(conflict: ConflictView) -> list[str]:
    """The fields of the change, in the order the rep changed them."""
    names = list(conflict.changes)
    names += [name for name in conflict.expected if name not in conflict.changes]
    return names


def _shop_value(conflict: ConflictView, name: str) -> DetailValue:
    return None if _problem(conflict) == "missing" else conflict.shop_values.get(name)


def _text(value: DetailValue) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _row(conflict: ConflictView) -> dict[str, object]:
    return {
        "conflict_id": conflict.conflict_id,
        "outbox_id": conflict.outbox_id,
        "kind": conflict.kind,
        "entity": conflict.entity,
        "entity_key": conflict.entity_key,
        "problem": _problem(conflict),
        "detected_at": conflict.detected_at,
        "case_id": conflict.case_id,
        "fields": [
            {
                "field": name,
                "you_saw": conflict.expected.get(name),
                "shop_has_now": _shop_value(conflict, name),
                "you_wanted": conflict.changes.get(name),
            }
            for name in _fields(conflict)
        ],
    }


def _print_conflict(conflict: ConflictView) -> None:
    what = (
        "no longer in the shop"
        if _problem(conflict) == "missing"
        else "changed in the shop since the rep saw it"
    )
    case = f"case {conflict.case_id}" if conflict.case_id is not None else "no case"
    echo(
        f"conflict {conflict.conflict_id}: {conflict.entity} {conflict.entity_key} {what}"
        f" ({conflict.kind}, {case}, detected {conflict.detected_at:%Y-%m-%d %H:%M} UTC)"
    )
    changes = conflict.changes
    for name in _fields(conflict):
        shop = GONE if _problem(conflict) == "missing" else _text(_shop_value(conflict, name))
        echo(f"  {name}")
        echo(f"    you saw:       {_text(conflict.expected.get(name))}")
        echo(f"    shop has now:  {shop}")
        echo(f"    you wanted:    {_text(changes.get(name))}")


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in() as (console, session):
        conflicts = console.conflicts.open(session)
    if args.json:
        print_json([_row(c) for c in conflicts])
        return 0
    for conflict in conflicts:
        _print_conflict(conflict)
    count = len(conflicts)
    echo(f"{count} open conflict{'s' if count != 1 else ''}", err=True)
    if count:
        echo(
            "settle one with: csconsole conflicts settle ID --keep-shop | --send-mine",
            err=True,
        )
    return 0


def cmd_settle(args: argparse.Namespace) -> int:
    from csconsole.services.outbox import Resolution

    resolution = Resolution.KEEP_SHOP if args.keep_shop else Resolution.APPLY_MINE
    with signed_in() as (console, session):
        new_id = console.conflicts.settle(session, args.conflict_id, resolution)
    if args.json:
        print_json(
            {
                "conflict_id": args.conflict_id,
                "resolution": resolution.value,
                "new_outbox_id": new_id,
            }
        )
    elif new_id is None:
        echo(f"conflict {args.conflict_id} settled: the shop's value is kept")
    else:
        echo(
            f"conflict {args.conflict_id} settled: the change is queued again (outbox item "
            f"{new_id}); the next sync sends it, checked against the shop's value now"
        )
    return 0


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "conflicts", help="changes the shop refused, for a supervisor to settle"
    )
    conflicts_sub = parser.add_subparsers(dest="conflicts_command", required=True)

    p = add_command(
        conflicts_sub,
        "list",
        "open conflicts: what the rep saw, what the shop has now, what the rep wanted "
        "(supervisors; audited)",
        cmd_list,
    )
    p.add_argument("--json", action="store_true")

    p = add_command(
        conflicts_sub,
        "settle",
        "settle a conflict: keep the shop's value, or send the change again (supervisors)",
        cmd_settle,
    )
    p.add_argument("conflict_id", type=int, metavar="ID", help="the conflict's id (from list)")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument(
        "--keep-shop", action="store_true", help="drop the change; the shop keeps its value"
    )
    choice.add_argument(
        "--send-mine",
        action="store_true",
        help="queue the change again, checked against the shop's value now",
    )
    p.add_argument("--json", action="store_true")
