"""What commands print: one-line errors on standard error, JSON on standard output, progress."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime


def fail(message: str, code: int = 1) -> int:
    print(f"csconsole: {message}", file=sys.stderr)
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
    json.dump(_plain(value), sys.stdout, ensure_ascii=False)
    print()


def progress_printer(enabled: bool) -> Callable[[str, int, int], None]:
    """``progress(stage, done, total)`` printing to standard error at most twice a second."""
    last = [0.0]

    def report(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if enabled and (now - last[0] > 0.5 or done >= total):
            last[0] = now
            print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)

    return report
