"""Signing a command's user in: from ``CSCONSOLE_USER`` / ``CSCONSOLE_PASSWORD``, else asked on
the terminal; never a prompt where nobody can answer it."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csconsole.app.console import Console
    from csconsole.services.auth import Session


def sign_in(console: Console) -> Session:
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


@contextmanager
def signed_in() -> Iterator[tuple[Console, Session]]:
    """(console, session): the console opened from the environment, its user signed in."""
    from csconsole.app.console import Console

    console = Console.open()
    try:
        yield console, sign_in(console)
    finally:
        console.close()
