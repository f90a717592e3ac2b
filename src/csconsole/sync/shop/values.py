"""Values between the outbox (JSON: str, int, float, bool, None) and shop columns of any type."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from csconsole.services.ports import DetailValue


def python_type(sa_type: Any) -> type | None:
    try:
        found = sa_type.python_type
    except NotImplementedError:
        return None
    return found if isinstance(found, type) else None


def to_column(value: DetailValue, sa_type: Any) -> object:
    """Convert an outbox value for a column; raises ValueError when it cannot be one."""
    if value is None:
        return None
    kind = python_type(sa_type)
    if kind is bool:
        return bool(value)
    if kind is int:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("not a whole number")
        return int(value)
    if kind is Decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError("not a number") from None
    if kind is float:
        return float(value)
    if kind is datetime:
        parsed = datetime.fromisoformat(str(value))
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    if kind is date:
        return date.fromisoformat(str(value)[:10])
    if kind is str and not isinstance(value, str):
        return str(value)
    return value


def to_json(value: object) -> DetailValue:
    """A shop value as the outbox and conflict records hold it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def same(shop: object, expected: DetailValue) -> bool:
    """Does the shop still hold what the rep saw? Tolerant of representation only (1 and
    True, a date and its ISO text, Decimal and float), never of content."""
    if shop is None or expected is None:
        return shop is None and expected is None
    if isinstance(expected, bool) or isinstance(shop, bool):
        try:
            return bool(int(shop)) == bool(int(expected))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return False
    if isinstance(shop, datetime | date):
        try:
            return to_column(expected, _Typed(type(shop))) == shop
        except ValueError:
            return False
    if isinstance(shop, int | float | Decimal) and isinstance(expected, int | float | str):
        try:
            return Decimal(str(shop)) == Decimal(str(expected))
        except InvalidOperation:
            return False
    if isinstance(shop, bytes | bytearray | memoryview):
        shop = to_json(shop)
    return str(shop) == str(expected) if isinstance(expected, str) else shop == expected


class _Typed:
    def __init__(self, kind: type) -> None:
        self.python_type = kind
