"""Which database errors are worth retrying, how long to wait, and how to name an error without
quoting it (driver messages can carry row values and server addresses)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from sqlalchemy import exc


class RaceDetected(Exception):
    """A write touched fewer rows than were read and locked: retry the whole batch."""


def is_transient(error: BaseException) -> bool:
    """Connection loss, lock timeouts, deadlocks, serialisation failures, a busy SQLite file,
    a concurrent push of the same key: the same batch may well succeed a moment later."""
    if isinstance(error, RaceDetected | exc.TimeoutError):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        return isinstance(error, exc.OperationalError | exc.InterfaceError)
    return isinstance(error, ConnectionError | TimeoutError)


def describe(error: BaseException) -> str:
    """A one-line name of the error: its kind and the driver's code, never its message."""
    orig = getattr(error, "orig", None) or error
    code = (
        getattr(orig, "sqlstate", None)
        or getattr(orig, "sqlite_errorname", None)
        or (orig.args[0] if orig.args and isinstance(orig.args[0], int) else None)
    )
    name = type(orig).__name__
    return f"{name} ({code})" if code else name


def delays(attempts: int, base: float = 0.25, cap: float = 8.0) -> Iterator[float]:
    """Exponential backoff with full jitter: ``attempts - 1`` waits between attempts."""
    for n in range(max(0, attempts - 1)):
        yield random.uniform(0, min(cap, base * 2**n))
