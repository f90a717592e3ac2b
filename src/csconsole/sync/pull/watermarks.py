"""Watermarks: the last change value a pull read, stored as tagged text in the cache.

A change column may be a timestamp (with or without time zone), a date, a number, or, in SQLite,
text. The value is kept with its type so the next pull binds exactly what the shop compares.
The overlap window moves the start back: a row whose transaction began before the last pull
but committed after it carries an older change value, and is read again instead of missed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any


def encode(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return "dt:" + value.isoformat()
    if isinstance(value, date):
        return "d:" + value.isoformat()
    if isinstance(value, bool):
        return "int:" + str(int(value))
    if isinstance(value, int):
        return "int:" + str(value)
    if isinstance(value, Decimal | float):
        return "num:" + str(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return "str:" + str(value)


def decode(text: str | None) -> Any:
    if text is None:
        return None
    tag, _, body = text.partition(":")
    if tag == "dt":
        return datetime.fromisoformat(body)
    if tag == "d":
        return date.fromisoformat(body)
    if tag == "int":
        return int(body)
    if tag == "num":
        return Decimal(body)
    return body


def shift_back(value: Any, seconds: int) -> Any:
    """The watermark moved back by the overlap window, in the column's own type.

    Text timestamps (SQLite) come back as ``YYYY-MM-DD HH:MM:SS``: the space sorts before
    ``T`` and a shorter string before a longer one, so the shifted text never sorts after a
    value it should include. Text that is no timestamp starts the pull from the beginning.
    """
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value - timedelta(seconds=seconds)
    if isinstance(value, int | Decimal | float):
        return value - seconds
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return ""
    return (parsed - timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")
