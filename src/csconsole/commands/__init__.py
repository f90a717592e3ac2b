"""Headless subcommands. Each module has ``register(subparsers)``; list new ones in COMMANDS."""

from __future__ import annotations

COMMANDS = [
    "csconsole.commands.demo",
    "csconsole.commands.search",
    "csconsole.commands.audit",
    "csconsole.commands.case",
    "csconsole.commands.verify",
    "csconsole.commands.connect",
    "csconsole.commands.sync",
    "csconsole.commands.conflicts",
    "csconsole.commands.probing",
    "csconsole.commands.ledger",
]
