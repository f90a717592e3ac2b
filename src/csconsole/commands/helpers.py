"""Small helpers for the case, verify and audit commands: a signed-in console, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from csconsole.commands.common import sign_in


@contextmanager
def signed_in() -> Iterator[tuple[Any, Any]]:
    """(console, session): the console opened from the environment, its user signed in."""
    from csconsole.app import Console

    console = Console.open()
    try:
        yield console, sign_in(console)
    finally:
        console.close()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def print_json(value: Any) -> None:
    json.dump(_plain(value), sys.stdout, ensure_ascii=False)
    print()


def add_command(
    sub: Any, name: str, help_text: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
    parser.set_defaults(func=func)
    return parser
