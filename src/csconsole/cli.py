"""The ``csconsole`` command: no arguments opens the window; subcommands run headless through
the same services, sign-in and audit as the window."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from csconsole.commands import COMMANDS
from csconsole.commands.output import fail
from csconsole.domain.errors import CsConsoleError

if TYPE_CHECKING:
    from csconsole.ui.console_like import ConsoleLike


# Exit codes besides 0/1/2: a closed pipe (as a shell reports SIGPIPE), anything unexpected
# (EX_SOFTWARE).
EXIT_PIPE = 141
EXIT_UNEXPECTED = 70
_LOOKS_LIKE_OPTION = re.compile(r"-(-|[A-Za-z])")  # "--", "--x", "-x"; not "-5"


class UsageError(Exception):
    """A bad argument; its message is the one line shown."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line (``csconsole: ...``, exit 2), not usage text."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _refuse_option_like_values(argv: Sequence[str]) -> None:
    """``--actor=--`` would silently drop the filter (argparse reads "--" as the end of the
    options): a value that looks like an option is refused, naming the option."""
    for arg in argv:
        if arg == "--":
            return
        name, eq, value = arg.partition("=")
        if arg.startswith("--") and eq and _LOOKS_LIKE_OPTION.match(value):
            raise UsageError(f"{name}: a value may not look like an option ({value[:2]}...)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="csconsole", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point: no traceback reaches a user. Bad arguments are one line (exit 2), a closed
    pipe exits quietly (141), anything unexpected is one line (70) with the details, without any
    value, in the private error log."""
    # Every file and directory the console makes is its owner's only (the window's too).
    os.umask(0o077)
    command = ""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        _refuse_option_like_values(argv)
        args = build_parser().parse_args(argv)
        command = " ".join(
            str(getattr(args, k)) for k in vars(args) if k.endswith("command") and getattr(args, k)
        )
        code = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except UsageError as exc:
        return fail(str(exc), 2)
    except BrokenPipeError:
        # Nothing more can be written; silence the interpreter's own flush at exit too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except SystemExit as exc:  # --help, --version: argparse's own way out
        return exc.code if isinstance(exc.code, int) else 0
    except Exception as exc:  # the last resort: everything else is handled nearer
        return _unexpected(command, exc)


def _unexpected(command: str, exc: Exception) -> int:
    try:
        from csconsole.adapters.error_log import write_error
        from csconsole.adapters.settings_file import Paths

        where = f"; details in {write_error(Paths.from_environment().data_dir, command, exc)}"
    except Exception:  # the log is a help, never a second failure
        where = ""
    if _database_damaged(exc):
        return fail(f"a database could not be read (damaged or changed file){where}", 1)
    return fail(f"unexpected error ({type(exc).__name__}){where}", EXIT_UNEXPECTED)


def _database_damaged(exc: BaseException) -> bool:
    """A DatabaseError from the drivers (sqlite3/SQLCipher, also wrapped by SQLAlchemy): its
    text holds SQL and values, so only the fact is said."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        if kind.__name__ == "DatabaseError" and kind.__module__.split(".")[0] in (
            "sqlite3",
            "sqlcipher3",
            "sqlalchemy",
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def _run(args: argparse.Namespace) -> int:
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
