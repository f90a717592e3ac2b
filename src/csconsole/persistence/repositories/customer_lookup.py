"""Search queries over the cache, on one DB-API connection with fixed SQL (statement cache hits).

SQLAlchemy's per-call statement building costs more than the queries themselves here (about
0.15 ms, REFERENCES.md), so this adapter speaks the driver directly (and ``csconsole search``
needs no SQLAlchemy for it).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from csconsole.domain.customers import CustomerRow, CustomerSummary
from csconsole.domain.masking import mask_email, mask_phone, mask_postcode

_HIGH = "\U0010ffff"

# The primary address: billing first, else the oldest.
_ROW = (
    "SELECT c.id, c.first_name, c.last_name, c.email, a.phone, a.city, a.country{extra}"
    " FROM {source} JOIN shop_customer c ON c.id = m.cid"
    " LEFT JOIN shop_address a ON a.id = (SELECT x.id FROM shop_address x"
    " WHERE x.customer_id = c.id ORDER BY x.kind <> 'billing', x.id LIMIT 1)"
)

# Identifiers are found whole (domain/lookup.py): an email or order number by equality, the
# part before the @ as the range of addresses starting with exactly "<local>@".
SQL_EMAIL = _ROW.format(
    extra="",
    source="(SELECT id AS cid FROM shop_customer WHERE email_norm = ? LIMIT ?) m",
)
SQL_EMAIL_LOCAL = _ROW.format(
    extra="",
    source="(SELECT id AS cid FROM shop_customer WHERE email_norm >= ? AND email_norm < ?"
    " ORDER BY email_norm LIMIT ?) m",
)
SQL_ORDER = _ROW.format(
    extra=", m.num",
    source="(SELECT customer_id AS cid, order_number AS num FROM shop_order"
    " WHERE order_number_norm = ? LIMIT ?) m",
)
SQL_PHONE = _ROW.format(
    extra=", m.pk",
    source="(SELECT customer_id AS cid, phone_rev AS pk FROM shop_address"
    " WHERE phone_rev >= ? AND phone_rev < ? ORDER BY phone_rev LIMIT ?) m",
)
SQL_POSTCODE = _ROW.format(
    extra="",
    source="(SELECT DISTINCT customer_id AS cid FROM shop_address WHERE postcode_norm = ?"
    " LIMIT ?) m",
)
SQL_NAME = _ROW.format(
    extra="",
    source="(SELECT rowid AS cid FROM customer_name_fts WHERE customer_name_fts MATCH ? LIMIT ?) m",
)
SQL_IDENTIFIERS = (
    "SELECT c.email, a.phone FROM shop_customer c LEFT JOIN shop_address a"
    " ON a.customer_id = c.id WHERE c.id = ? ORDER BY a.id"
)
SQL_VOCABULARY = "SELECT term FROM customer_name_vocab"
SQL_SUMMARY = (
    "SELECT c.id, c.first_name, c.last_name, c.email, a.phone, a.postcode, a.city, a.country,"
    " c.created_at, c.flagged_misuse,"
    " (SELECT count(*) FROM shop_order o WHERE o.customer_id = c.id),"
    " (SELECT e.event FROM shop_subscription_event e WHERE e.customer_id = c.id"
    "  AND e.channel = 'email' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1),"
    " (SELECT e.event FROM shop_subscription_event e WHERE e.customer_id = c.id"
    "  AND e.channel = 'catalog' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)"
    " FROM shop_customer c LEFT JOIN shop_address a ON a.id = (SELECT x.id FROM shop_address x"
    " WHERE x.customer_id = c.id ORDER BY x.kind <> 'billing', x.id LIMIT 1)"
    " WHERE c.id = ?"
)


def fts_term(token: str) -> str:
    """One prefix term, quoted so no user text is ever FTS5 syntax."""
    return '"' + token.replace('"', '""') + '"*'


def fts_query(groups: Sequence[Sequence[str]]) -> str:
    """AND over groups, OR within a group: ``("ann"* OR "anna"*) AND "smith"*``."""
    parts = []
    for group in groups:
        terms = [fts_term(t) for t in group if t]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    return " AND ".join(parts)


class SqliteCustomerLookup:
    """Implements ``services.ports.CustomerLookup`` on the encrypted cache."""

    def __init__(self, connection: Any) -> None:
        """``connection``: a keyed DB-API connection of the cache, usable from any thread
        (``persistence.cache.engine.CacheFile.connect``); :meth:`close` closes it."""
        self._conn = connection
        # Searches arrive from a worker thread and, in tests, the main thread; one at a time.
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def by_email(self, email: str, limit: int) -> list[CustomerRow]:
        return [CustomerRow(*r) for r in self._rows(SQL_EMAIL, (email, limit))]

    def by_email_local(self, local: str, limit: int) -> list[CustomerRow]:
        start = local + "@"  # "@" ends the local part, so only the whole part matches
        rows = self._rows(SQL_EMAIL_LOCAL, (start, start + _HIGH, limit))
        return [CustomerRow(*r) for r in rows]

    def by_order_number(self, number: str, limit: int) -> list[tuple[CustomerRow, str]]:
        rows = self._rows(SQL_ORDER, (number, limit))
        return [(CustomerRow(*r[:7]), r[7]) for r in rows]

    def by_phone_suffix(self, reversed_digits: str, limit: int) -> list[tuple[CustomerRow, str]]:
        rows = self._rows(SQL_PHONE, (reversed_digits, reversed_digits + _HIGH, limit))
        return [(CustomerRow(*r[:7]), r[7]) for r in rows]

    def by_postcode(self, postcode: str, limit: int) -> list[CustomerRow]:
        return [CustomerRow(*r) for r in self._rows(SQL_POSTCODE, (postcode, limit))]

    def by_name_tokens(self, groups: Sequence[Sequence[str]], limit: int) -> list[CustomerRow]:
        query = fts_query(groups)
        if not query:
            return []
        return [CustomerRow(*r) for r in self._rows(SQL_NAME, (query, limit))]

    def identifiers(self, customer_id: int) -> tuple[str | None, list[str | None]]:
        """The customer's email and phones, raw: only for the search-probing tripwire to match
        a verdict's keyed stem (``services/search_probing.py``), never shown."""
        rows = self._rows(SQL_IDENTIFIERS, (customer_id,))
        return (rows[0][0] if rows else None, [r[1] for r in rows])

    def name_vocabulary(self) -> list[str]:
        return [r[0] for r in self._rows(SQL_VOCABULARY, ())]

    def summary(self, customer_id: int) -> CustomerSummary | None:
        rows = self._rows(SQL_SUMMARY, (customer_id,))
        if not rows:
            return None
        (
            cid,
            first,
            last,
            email,
            phone,
            postcode,
            city,
            country,
            created,
            flagged,
            orders,
            email_state,
            catalog_state,
        ) = rows[0]
        return CustomerSummary(
            customer_id=cid,
            name=f"{first} {last}".strip(),
            email_masked=mask_email(email),
            phone_masked=mask_phone(phone),
            postcode_masked=mask_postcode(postcode),
            city=city or "",
            country=country or "",
            customer_since=str(created)[:7],
            order_count=int(orders),
            email_subscribed=email_state == "enrolled",
            catalog_subscribed=catalog_state == "enrolled",
            flagged_misuse=bool(flagged),
        )
