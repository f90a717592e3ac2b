"""Python functions registered on cache connections, so bulk loads derive lookup keys in SQL
with exactly the code the search uses."""

from __future__ import annotations

from typing import Any

from csconsole.domain.lookup import phone_key
from csconsole.domain.text import fold, name_index_text, normalise_postcode


def _postcode(value: str | None) -> str | None:
    return normalise_postcode(value) or None if value else None


def _name_index(first: str | None, last: str | None) -> str:
    return name_index_text(first or "", last or "")


def register(dbapi_connection: Any) -> None:
    dbapi_connection.create_function(
        "csc_fold", 1, lambda v: fold(v) if v else v, deterministic=True
    )
    dbapi_connection.create_function("csc_postcode", 1, _postcode, deterministic=True)
    dbapi_connection.create_function("csc_phone_key", 1, phone_key, deterministic=True)
    dbapi_connection.create_function(
        "csc_name_index",
        2,
        lambda first, last: name_index_text(first or "", last or ""),
        deterministic=True,
    )
