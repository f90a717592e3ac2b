"""Value conversions for the pull: the cache's column kinds, and the named transforms a mapping
may declare. A mapping names transforms; it never holds code.

A conversion that cannot make a value fit raises ``ValueProblem`` (the row is skipped and the
reason recorded); one that makes it fit by changing it (text in a legacy encoding, a NUL
character) raises ``ValueRepaired`` carrying the value to use (the row is kept, the repair
recorded). Reasons name what was wrong, never the value: values are personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from csconsole.sync.shop.cache_model import Kind

Convert = Callable[[Any], Any]


class ValueProblem(Exception):
    """The value cannot be stored; ``str(self)`` is the reason (no value in it)."""


class ValueRepaired(Exception):
    def __init__(self, value: object, reason: str) -> None:
        super().__init__(reason)
        self.value = value
        self.reason = reason


# --- text ----------------------------------------------------------------------------------


def decode_text(raw: bytes) -> str:
    """Bytes from a driver that did not decode them: UTF-8, else Windows-1252, else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
        reason = "text was not UTF-8; read as Windows-1252"
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        reason = "text was not UTF-8; read as Latin-1"
    raise ValueRepaired(text.replace("\x00", ""), reason)


def _surrogates_out(text: str) -> str:
    """Lone surrogates (undecodable bytes smuggled through ``surrogateescape``) cannot be
    stored as UTF-8; decode the original bytes instead."""
    raw = text.encode("utf-8", "surrogateescape")
    return decode_text(raw)


def to_text(value: Any) -> Any:
    if type(value) is str:
        if "\x00" in value:
            raise ValueRepaired(value.replace("\x00", ""), "NUL characters removed")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _surrogates_out(value)
        return value
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return decode_text(bytes(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise ValueProblem(f"expected text, got {type(value).__name__}")


# --- numbers ---------------------------------------------------------------------------------


def to_int(value: Any) -> Any:
    if type(value) is int or value is None:
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem("expected a whole number, got a non-finite number")
        if value == int(value):
            return int(value)
        raise ValueProblem("expected a whole number, got a fraction")
    if isinstance(value, str | bytes):
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        try:
            return int(text.strip())
        except ValueError:
            raise ValueProblem("expected a whole number, got text") from None
    raise ValueProblem(f"expected a whole number, got {type(value).__name__}")


_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}


def to_bool(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool | int):
        return 1 if value else 0
    if isinstance(value, Decimal | float):
        return 1 if value else 0
    if isinstance(value, bytes) and len(value) == 1:  # MySQL BIT(1)
        return 1 if value != b"\x00" else 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return 1
        if text in _FALSE:
            return 0
    raise ValueProblem(f"expected true/false, got {type(value).__name__}")


# --- dates -----------------------------------------------------------------------------------


def _utc_naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def to_datetime(value: Any) -> Any:
    """As the cache stores it: ``YYYY-MM-DD HH:MM:SS[.ffffff]``, UTC when the shop says so."""
    if type(value) is datetime:
        return (_utc_naive(value) if value.tzinfo else value).isoformat(" ")
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc_naive(value).isoformat(" ")
    if isinstance(value, date):
        return f"{value.isoformat()} 00:00:00"
    if isinstance(value, str | bytes):
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        try:
            return _utc_naive(datetime.fromisoformat(text.strip())).isoformat(" ")
        except ValueError:
            raise ValueProblem("expected a date and time, got text that is not one") from None
    raise ValueProblem(f"expected a date and time, got {type(value).__name__}")


def to_date(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc_naive(value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | bytes):
        text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        try:
            return date.fromisoformat(text.strip()[:10]).isoformat()
        except ValueError:
            raise ValueProblem("expected a date, got text that is not one") from None
    raise ValueProblem(f"expected a date, got {type(value).__name__}")


def iso_timestamp_text(value: Any) -> Any:
    """A timestamp PostgreSQL sent as ISO text (``sync.shop.queries`` asks for text, which skips
    building and formatting a datetime): kept as it is when already in the cache's form."""
    if type(value) is str and len(value) == 19 and value[10] == " ":
        return value
    return to_datetime(value)


def iso_date_text(value: Any) -> Any:
    if type(value) is str and len(value) == 10 and value[4] == "-":
        return value
    return to_date(value)


def bool_from_number(value: Any) -> Any:
    """true/false from a column the database guarantees to be a number."""
    return None if value is None else (1 if value else 0)


KIND_CONVERT: dict[Kind, Convert] = {
    "int": to_int,
    "text": to_text,
    "bool": to_bool,
    "date": to_date,
    "datetime": to_datetime,
}


# --- named transforms ------------------------------------------------------------------------


def _cents(_: Mapping[str, Any]) -> Convert:
    def cents(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueProblem("expected an amount, got true/false")
        try:
            amount = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))
        except InvalidOperation:
            raise ValueProblem("expected an amount, got text that is not one") from None
        if not amount.is_finite():
            raise ValueProblem("expected an amount, got a non-finite number")
        return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    return cents


def _last4(_: Mapping[str, Any]) -> Convert:
    """Never more than the last four digits of a card number (PCI DSS 3.4.1)."""

    def last4(value: Any) -> Any:
        if value is None:
            return None
        digits = "".join(ch for ch in to_text(value) if ch.isdigit())
        return digits[-4:] if len(digits) >= 4 else None

    return last4


def _lines(_: Mapping[str, Any]) -> Convert:
    """Multi-line text (Magento's ``street``): one line per line break, blank lines dropped."""

    def lines(value: Any) -> Any:
        if value is None:
            return None
        text = to_text(value)
        if "\n" not in text and "\r" not in text:
            return text.strip()
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return "\n".join(line.strip() for line in text.split("\n") if line.strip())

    return lines


def _map(options: Mapping[str, Any]) -> Convert:
    table = {str(k): v for k, v in options["values"].items()}
    has_otherwise = "otherwise" in options
    otherwise = options.get("otherwise")

    def mapped(value: Any) -> Any:
        if value is None:
            return None
        key = str(int(value)) if isinstance(value, bool | int | Decimal | float) else value
        key = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key).strip()
        if key in table:
            return table[key]
        if has_otherwise:
            return otherwise
        raise ValueProblem("a code the mapping does not list")

    return mapped


def _zero_is_null(_: Mapping[str, Any]) -> Convert:
    def zero_is_null(value: Any) -> Any:
        if value is None or value == 0 or value == "0":
            return None
        return value

    return zero_is_null


def _text_op(op: Callable[[str], str]) -> Callable[[Mapping[str, Any]], Convert]:
    def build(_: Mapping[str, Any]) -> Convert:
        def apply(value: Any) -> Any:
            return None if value is None else op(to_text(value))

        return apply

    return build


def _blank_is_null(_: Mapping[str, Any]) -> Convert:
    def blank_is_null(value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    return blank_is_null


@dataclass(frozen=True, slots=True)
class TransformSpec:
    """A named transform: the options it takes (``required`` must be given) and its builder."""

    name: str
    build: Callable[[Mapping[str, Any]], Convert]
    options: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    help: str = ""


TRANSFORMS: dict[str, TransformSpec] = {
    spec.name: spec
    for spec in (
        TransformSpec("cents", _cents, help="an amount (12.34) as whole cents (1234)"),
        TransformSpec("last4", _last4, help="the last four digits of a card field, never more"),
        TransformSpec("lines", _lines, help="multi-line text: line breaks normalised, blanks out"),
        TransformSpec(
            "map",
            _map,
            frozenset({"values", "otherwise"}),
            frozenset({"values"}),
            help="a code looked up in `values`; unknown codes skip the row unless `otherwise`",
        ),
        TransformSpec("zero_is_null", _zero_is_null, help="0 means none (Magento's guest id)"),
        TransformSpec("blank_is_null", _blank_is_null, help="empty or blank text means none"),
        TransformSpec("upper", _text_op(str.upper), help="upper case"),
        TransformSpec("lower", _text_op(str.lower), help="lower case"),
        TransformSpec("strip", _text_op(str.strip), help="surrounding white space removed"),
    )
}

# Options every column rule may carry, whatever its transforms.
COLUMN_OPTIONS = frozenset({"column", "value", "transform", "default", "equals", "then", "else"})


def build_chain(names: tuple[str, ...], options: Mapping[str, Any]) -> tuple[Convert, ...]:
    return tuple(TRANSFORMS[name].build(options) for name in names)
