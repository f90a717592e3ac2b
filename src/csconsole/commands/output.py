"""What commands print: one-line errors on standard error, JSON on standard output, progress.

Every line a command prints goes through here, so data in it (a user name, a note, a shop's
value) is shown escaped, never run by the terminal (``domain.text.visible``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime

from csconsole.domain.text import UNSAFE_CHARS, visible


def echo(text: str = "", *, err: bool = False) -> None:
    """Print one line (standard error with ``err``), control and bidi characters escaped."""
    print(visible(text), file=sys.stderr if err else sys.stdout, flush=err)


def fail(message: str, code: int = 1) -> int:
    """A one-line reason on standard error; returns the exit code."""
    echo(f"csconsole: {message}", err=True)
    return code


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def print_json(value: object) -> None:
    """JSON's own values, nested in lists, tuples and mappings; dates and times as ISO 8601."""
    text = json.dumps(_plain(value), ensure_ascii=False)
    # json escapes C0 controls itself; C1 and bidi characters become \u escapes here too.
    print(UNSAFE_CHARS.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def progress_printer(enabled: bool) -> Callable[[str, int, int], None]:
    """``progress(stage, done, total)`` printing to standard error at most twice a second."""
    last = [0.0]

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if enabled and (now - last[0] > 0.5 or done >= total):
            last[0] = now
            echo(f"  {stage}: {done}/{total}", err=True)

    return report
