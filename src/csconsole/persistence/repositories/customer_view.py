"""The 360 view's reads (implements ``services.customer_view.CustomerViewReads``): one fixed
query per tab on a driver connection, past SQLAlchemy, like the search (its statement building
would cost more than these indexed reads).

:class:`CustomerViewUnitOfWorkFactory` keeps one connection for the view's units of work (the
staff list, the audit log and these reads): a new connection starts with a cold page cache, and
opening a customer reads the same few pages every tab. The window uses it on its one worker
thread; a lock keeps any other caller to one unit of work at a time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from types import TracebackType
from typing import Any, Self

from csconsole.domain.customers import CustomerSummary
from csconsole.domain.masking import BULLET, mask_email, mask_phone, mask_postcode
from csconsole.persistence.repositories.audit_log import SqlAuditLog
from csconsole.persistence.repositories.staff import SqlStaffRepository
from csconsole.persistence.repositories.statements import DriverStatements
from csconsole.persistence.stored_time import from_sql_time
from csconsole.services.customer_view import (
    ActivityView,
    AddressView,
    CaseView,
    CustomerOverview,
    OrderView,
    SubscriptionView,
)
from csconsole.services.ports import Clock

_PRIMARY_ADDRESS = (
    "(SELECT x.id FROM shop_address x WHERE x.customer_id = c.id"
    " ORDER BY x.kind <> 'billing', x.id LIMIT 1)"
)
_LAST_EVENT = (
    "(SELECT e.event FROM shop_subscription_event e WHERE e.customer_id = c.id"
    " AND e.channel = '{channel}' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)"
)
# Built from the fixed fragments above only (str.format): no user text is ever in a statement.
SQL_OVERVIEW = (  # noqa: S608 - fixed fragments
    "SELECT c.id, c.first_name, c.last_name, c.email, a.phone, a.postcode, a.city, a.country,"
    " c.created_at, c.flagged_misuse,"
    " (SELECT count(*) FROM shop_order o WHERE o.customer_id = c.id), {email}, {catalog},"
    " (SELECT b.region FROM shop_address b WHERE b.customer_id = c.id AND b.kind = 'billing'"
    "  ORDER BY b.id LIMIT 1)"
    " FROM shop_customer c LEFT JOIN shop_address a ON a.id = {primary}"
    " WHERE c.id = ?"
).format(
    email=_LAST_EVENT.format(channel="email"),
    catalog=_LAST_EVENT.format(channel="catalog"),
    primary=_PRIMARY_ADDRESS,
)
SQL_ADDRESSES = (
    "SELECT kind, street, city, region, postcode, country, phone FROM shop_address"
    " WHERE customer_id = ? ORDER BY kind <> 'billing', id"
)
SQL_ORDERS = (
    "SELECT o.status,"
    " (SELECT count(*) FROM shop_order_item i WHERE i.order_id = o.id),"
    " (SELECT p.card_brand FROM shop_payment p WHERE p.order_id = o.id ORDER BY p.id LIMIT 1)"
    " FROM shop_order o WHERE o.customer_id = ? ORDER BY o.placed_at DESC, o.id DESC LIMIT ?"
)
SQL_MAILING = (
    "SELECT channel, event, source, occurred_at FROM shop_subscription_event"
    " WHERE customer_id = ? ORDER BY occurred_at, id"
)
SQL_CASES = (  # noqa: S608 - fixed fragments
    "SELECT '', {columns} FROM case_record WHERE customer_id = ?"
    " UNION ALL SELECT origin, {columns} FROM replica_case_record WHERE customer_id = ?"
    " ORDER BY 6 DESC, 2 DESC"
).format(columns="id, case_type, status, summary, opened_at, due_on, closed_at")
# Each side newest first on its index (audit_event: customer_id, seq), then merged by time.
SQL_ACTIVITY = (  # noqa: S608 - fixed fragments
    "SELECT * FROM (SELECT {columns} FROM audit_event WHERE customer_id = ?"
    " ORDER BY seq DESC LIMIT ?)"
    " UNION ALL SELECT * FROM (SELECT {columns} FROM replica_audit_event"
    " WHERE customer_id = ? ORDER BY at DESC LIMIT ?)"
    " ORDER BY 1 DESC LIMIT ?"
).format(columns="at, actor, role, workstation, action, case_id, details")

# (statement, parameters) of each tab's one query, for the benchmark's raw-SQL baseline.
TAB_QUERIES: dict[str, Callable[[int, int], tuple[str, tuple[Any, ...]]]] = {
    "overview": lambda cid, _n: (SQL_OVERVIEW, (cid,)),
    "addresses": lambda cid, _n: (SQL_ADDRESSES, (cid,)),
    "orders": lambda cid, n: (SQL_ORDERS, (cid, n)),
    "mailing": lambda cid, _n: (SQL_MAILING, (cid,)),
    "cases": lambda cid, _n: (SQL_CASES, (cid, cid)),
    "activity": lambda cid, n: (SQL_ACTIVITY, (cid, n, cid, n, n)),
}

_STREET_MASK = BULLET * 3


def _time(value: Any) -> Any:
    return from_sql_time(value)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _details(text: Any) -> dict[str, Any]:
    try:
        loaded = json.loads(text or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


class SqlCustomerViewReads:
    def __init__(self, connection: Any) -> None:
        self._conn = connection

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def overview(self, customer_id: int) -> CustomerOverview | None:
        rows = self._rows(SQL_OVERVIEW, (customer_id,))
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
            region,
        ) = rows[0]
        summary = CustomerSummary(
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
        return CustomerOverview(summary, region or "")

    def addresses(self, customer_id: int) -> list[AddressView]:
        return [
            AddressView(
                kind=kind,
                street_masked=_STREET_MASK if street else "",
                city=city or "",
                region=region or "",
                postcode_masked=mask_postcode(postcode),
                country=country or "",
                phone_masked=mask_phone(phone),
            )
            for kind, street, city, region, postcode, country, phone in self._rows(
                SQL_ADDRESSES, (customer_id,)
            )
        ]

    def orders(self, customer_id: int, limit: int) -> list[OrderView]:
        return [
            OrderView(position=n, status=status, item_count=int(items), card_brand=brand or "")
            for n, (status, items, brand) in enumerate(
                self._rows(SQL_ORDERS, (customer_id, limit)), start=1
            )
        ]

    def mailing(self, customer_id: int) -> list[SubscriptionView]:
        return [
            SubscriptionView(channel, event, source, _time(at))
            for channel, event, source, at in self._rows(SQL_MAILING, (customer_id,))
        ]

    def cases(self, customer_id: int) -> list[CaseView]:
        return [
            CaseView(
                case_id=cid,
                desk=desk,
                case_type=case_type,
                status=status,
                summary=summary,
                opened_at=_time(opened),
                due_on=_date(due),
                closed_at=_time(closed),
            )
            for desk, cid, case_type, status, summary, opened, due, closed in self._rows(
                SQL_CASES, (customer_id, customer_id)
            )
        ]

    def activity(self, customer_id: int, limit: int) -> list[ActivityView]:
        sql, params = TAB_QUERIES["activity"](customer_id, limit)
        return [
            ActivityView(
                at=_time(at),
                actor=actor,
                role=role,
                workstation=workstation,
                action=action,
                case_id=case_id,
                details=_details(details),
            )
            for at, actor, role, workstation, action, case_id, details in self._rows(sql, params)
        ]


class CustomerViewUnitOfWork:
    """One transaction on the factory's connection (implements
    ``services.customer_view.CustomerViewUnitOfWork``)."""

    def __init__(self, factory: CustomerViewUnitOfWorkFactory) -> None:
        self._factory = factory

    def __enter__(self) -> Self:
        f = self._factory
        f._lock.acquire()
        try:
            conn = f._connection()
        except BaseException:
            f._lock.release()
            raise
        self._conn = conn
        statements = DriverStatements(conn)
        self.staff = SqlStaffRepository(statements, f.clock)
        self.audit = SqlAuditLog(statements, f.workstation, f.clock)
        self.customer_view = SqlCustomerViewReads(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Anything not committed explicitly is rolled back, including on errors.
        try:
            self._conn.rollback()
        finally:
            self._factory._lock.release()

    def commit(self) -> None:
        self._conn.commit()


class CustomerViewUnitOfWorkFactory:
    """``connect``: a keyed DB-API connection of the cache in the driver's default transaction
    mode (``persistence.cache.engine.CacheFile.connect``), made on first use."""

    def __init__(self, connect: Callable[[], Any], workstation: str, clock: Clock) -> None:
        self._connect = connect
        self.workstation = workstation
        self.clock = clock
        self._lock = threading.Lock()
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self._connect()
        return self._conn

    def __call__(self) -> CustomerViewUnitOfWork:
        return CustomerViewUnitOfWork(self)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
