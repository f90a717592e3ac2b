"""The ``csconsole`` command: no arguments opens the window; subcommands run headless through
the same services, sign-in and audit as the window."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from csconsole.commands import COMMANDS
from csconsole.commands.output import fail
from csconsole.domain.errors import CsConsoleError

if TYPE_CHECKING:
    from csconsole.ui.console_like import ConsoleLike


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="csconsole", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Every file and directory the console makes is its owner's only (the window's too).
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    if args.command is None:
        # Qt first: the sign-in window shows while the app's heavier imports and the cache
        # opening run on the UI's worker thread.
        from csconsole.ui.main import run

        def open_console() -> ConsoleLike:  # mypy checks that Console is what the window uses
            from csconsole.app.console import Console

            return Console.open(preload=True)

        return run(open_console)
    try:
        return int(args.func(args))
    except CsConsoleError as exc:
        return fail(str(exc))
    except ValueError as exc:
        return fail(str(exc), 2)
    except KeyboardInterrupt:
        return fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
