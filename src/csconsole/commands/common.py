"""What every command shares: sign-in from the environment, errors, progress."""

from __future__ import annotations

import getpass
import os
import sys
import time
from typing import Any


def fail(message: str, code: int = 1) -> int:
    print(f"csconsole: {message}", file=sys.stderr)
    return code


def sign_in(console: Any) -> Any:
    from csconsole.domain.errors import SignInError

    user = os.environ.get("CSCONSOLE_USER")
    password = os.environ.get("CSCONSOLE_PASSWORD")
    if (not user or password is None) and not sys.stdin.isatty():
        # A script or a CI job: nobody to answer a prompt, so say what is missing.
        missing = "CSCONSOLE_USER" if not user else "CSCONSOLE_PASSWORD"
        raise SignInError(f"sign-in needed: {missing} is not set and there is no terminal to ask")
    user = user or input("User: ")
    if password is None:
        password = getpass.getpass("Password: ")
    return console.auth.sign_in(user, password)


def progress_printer(enabled: bool) -> Any:
    last = [0.0]

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if enabled and (now - last[0] > 0.5 or done >= total):
            last[0] = now
            print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)

    return report
