"""Registering a command's arguments. Only argparse here: a command module's ``register`` runs
for every ``csconsole`` invocation, so what it imports at the top is paid by all of them."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    # argparse's own name for what ``add_subparsers`` returns.
    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

CommandFunc = Callable[[argparse.Namespace], int]


def add_command(
    sub: Subcommands, name: str, help_text: str, func: CommandFunc
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text)
    parser.set_defaults(func=func)
    return parser
