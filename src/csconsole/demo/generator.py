# ruff: noqa: S608 - the SQL is assembled from this module's own constants, never from input
"""The demo shop: a SQLite file in the reference schema, filled with synthetic customers.

Faker runs only to build small pools (`demo_pools`); the millions of rows are assembled in SQL,
each statement over a chunk of ids. A row's random choices come from a hash of (its id, the
seed, a salt) computed in SQL, so the same size and seed give the same file, and no statement
reads back what an earlier one chose at random: order ids follow from a walk over the customers,
and an order's total and its items come from the same formulas.

Sizes (per customer, on average): 1.3 addresses, 1.53 orders, 1.3 items per order, 0.6 mailing
list events, 0.08 gift recipients, 0.12 call recordings.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from csconsole.demo import pools as demo_pools
from csconsole.demo.pools import CITIES_PER_LOCALE as CITIES
from csconsole.demo.pools import PHONE_ENDING, PHONE_PREFIXES, PHONE_VARIANTS
from csconsole.demo.pools import STREETS_PER_LOCALE as STREETS
from csconsole.services.ports import ProgressReport

MAX_CUSTOMERS = 5_000_000
DEMO_AS_OF = datetime(2026, 11, 1, tzinfo=UTC)  # the demo's "now", fixed for reproducibility
ORDER_PREFIX = "DN"
CHUNK = 100_000  # ids of the driving table per statement (one progress step)
SLOTS = 1000  # customer ids are dealt to locales in blocks of this many
TABLES = (
    "customers",
    "addresses",
    "orders",
    "order_items",
    "payments",
    "subscription_events",
    "gift_recipients",
    "call_recordings",
)

_P = 2_147_483_647  # the prime modulus of the SQL hash
_DAY = 86_400
_YEAR = 31_557_600
_ORDER_COUNTS = "0" * 20 + "1" * 35 + "2" * 25 + "3" * 12 + "4" * 8  # per percent: 1.53 mean


class DemoShopError(ValueError):
    """The demo shop cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class DemoShopStats:
    customers: int
    addresses: int
    orders: int
    order_items: int
    payments: int
    subscription_events: int
    gift_recipients: int
    call_recordings: int
    elapsed_s: float

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "elapsed_s"}


def schema_sql() -> str:
    """The reference shop DDL (schema.sql)."""
    return resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")


def generate_demo_shop(
    path: Path,
    *,
    customers: int,
    seed: int = 0,
    overwrite: bool = False,
    progress: ProgressReport | None = None,
    as_of: datetime = DEMO_AS_OF,
) -> DemoShopStats:
    """Write a demo shop with `customers` synthetic customers to the SQLite file `path`.

    The same `customers` and `seed` give the same file. It is built in a temporary file next to
    `path` and moved there only when complete. `progress(stage, done, total)` is called after
    each chunk; an exception raised from it cancels the run. `as_of` is the demo's "now".
    """
    started = time.perf_counter()
    path = Path(path)
    _check_arguments(path, customers, seed, overwrite, as_of)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise DemoShopError(f"Cannot write in {path.parent}: {exc.strerror}.") from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            counts = _build(tmp, customers, seed, as_of, progress)
        except sqlite3.OperationalError as exc:  # a full disk, most likely
            raise DemoShopError(f"Cannot write the demo shop {path}: {exc}.") from exc
        _publish(tmp, path, overwrite)
    finally:
        tmp.unlink(missing_ok=True)
    return DemoShopStats(**counts, elapsed_s=time.perf_counter() - started)


def _check_arguments(
    path: Path, customers: int, seed: int, overwrite: bool, as_of: datetime
) -> None:
    if isinstance(customers, bool) or not isinstance(customers, int):
        raise DemoShopError(f"The number of customers must be a whole number, not {customers!r}.")
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise DemoShopError(
            f"The number of customers must be between 1 and {MAX_CUSTOMERS:,}; got {customers:,}."
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise DemoShopError(f"The seed must be a whole number, not {seed!r}.")
    if as_of.tzinfo is None:
        raise DemoShopError("as_of must be a timezone-aware datetime.")
    if path.is_dir():
        raise DemoShopError(f"{path} is a directory; give the path of the demo shop file.")
    if path.exists() and not overwrite:
        raise DemoShopError(f"{path} already exists; pass overwrite=True to replace it.")
    if not path.parent.is_dir():
        what = "is not a directory" if path.parent.exists() else "does not exist"
        raise DemoShopError(f"Cannot write {path}: {path.parent} {what}.")


def _publish(tmp: Path, path: Path, overwrite: bool) -> None:
    """Move the finished file into place; without overwrite, never replace a file."""
    if overwrite:
        os.replace(tmp, path)
        return
    exists = DemoShopError(f"{path} already exists; pass overwrite=True to replace it.")
    try:
        os.link(tmp, path)  # unlike a rename, fails if the path exists
    except FileExistsError:
        raise exists from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise exists from None
        os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# The build


def _build(
    path: Path, customers: int, seed: int, as_of: datetime, progress: ProgressReport | None
) -> dict[str, int]:
    report: ProgressReport = progress or (lambda stage, done, total: None)
    report("pools", 0, 1)
    pools = demo_pools.build_pools(seed)
    report("pools", 1, 1)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for pragma in (
            "journal_mode = OFF",  # a fresh file, thrown away on failure
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "temp_store = MEMORY",  # the pools are TEMP tables: never in the file
            "cache_size = -262144",  # 256 MiB
        ):
            conn.execute(f"PRAGMA {pragma}")
        return _Builder(conn, customers, seed, as_of, pools, report).build()


def _indexes(conn: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    """The schema's CREATE INDEX statements for `tables`, in schema order."""
    schema = sqlite3.connect(":memory:")
    with closing(schema):
        schema.executescript(schema_sql())
        return [
            sql
            for sql, table in schema.execute(
                "SELECT sql, tbl_name FROM sqlite_master WHERE type = 'index'"
                " AND sql IS NOT NULL ORDER BY rowid"
            )
            if table in tables
        ]


# ---------------------------------------------------------------------------------------------
# SQL building blocks. Hash inputs stay below 2**32, so no product reaches 2**63.


def _r(h: str, k: int) -> str:
    """The k-th random number derived from row hash `h` (one Lehmer step: cheap)."""
    return f"(({h}) * {pow(48271, k, _P)} % {_P})"


def _pick(r: str, weighted: list[tuple[str, int]]) -> str:
    """A CASE choosing a SQL value by percentage weights, from random number `r`."""
    parts, edge = [], 0
    for value, weight in weighted[:-1]:
        edge += weight
        parts.append(f"WHEN {r} % 100 < {edge} THEN {value}")
    return f"CASE {' '.join(parts)} ELSE {weighted[-1][0]} END"


def _dt(epoch: str) -> str:
    return f"datetime({epoch}, 'unixepoch')"


def _by_locale(locale: str, values: list[str]) -> str:
    """A CASE on a locale code: the i-th value for the i-th of demo_pools.LOCALES."""
    whens = " ".join(
        f"WHEN '{spec.code}' THEN {value}"
        for spec, value in zip(demo_pools.LOCALES, values, strict=True)
    )
    return f"CASE {locale} {whens} END"


def _locale_index(locale: str) -> str:
    return _by_locale(locale, [str(i) for i in range(len(demo_pools.LOCALES))])


def _country(locale: str) -> str:
    return f"substr({locale}, 4, 2)"  # every demo locale is language_COUNTRY


class _Builder:
    """The SQL of every stage, and running it chunk by chunk on one connection."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        customers: int,
        seed: int,
        as_of: datetime,
        pools: demo_pools.Pools,
        report: ProgressReport,
    ) -> None:
        self.conn = conn
        self.n = customers
        self.seed = seed
        self.now = int(as_of.timestamp())
        self.pools = pools
        self.n_products, self.n_agents = len(pools.products), len(pools.agents)
        self.report = report
        self.counts: Counter[str] = Counter()

    # -- hashes, times, row sources ------------------------------------------------------------

    def _constants(self, salt: str) -> list[int]:
        digest = hashlib.blake2b(f"{self.seed}:{salt}".encode(), digest_size=16).digest()
        return [int.from_bytes(digest[i : i + 4], "big") % (_P - 1) + 1 for i in range(0, 16, 4)]

    def _spread(self, x: str, salt: str) -> str:
        """A cheap hash of (x, seed, salt): an affine step and one squaring mod P. Runs of
        consecutive x show structure, so it only picks rows or offsets."""
        a, s1, s2, _ = self._constants(salt)
        y1 = f"((({x}) * {a % (1 << 30)} + {s1}) % {_P})"
        return f"(({y1} * {y1} + {s2}) % {_P})"

    def _h(self, x: str, salt: str) -> str:
        """The row hash of (x, seed, salt) in [0, P): a second squaring after `_spread`."""
        s3 = self._constants(salt)[3]
        y2 = self._spread(x, salt)
        return f"(({y2} * {y2} + {s3}) % {_P})"

    def _chance(self, x: str, salt: str, percent: float) -> str:
        """True for `percent`% of the values of x."""
        return f"({self._spread(x, salt)} % 10000 < {round(percent * 100)})"

    def _created(self, n: str) -> str:
        """Epoch of customer n's sign-up: rising with the id over five years, with jitter."""
        start = self.now - 5 * _YEAR
        span = self.now - 30 * _DAY - start
        step = max(1, span // self.n)
        return f"({start} + (({n}) - 1) * {span} / {self.n} + (({n}) * 40503 % {_P}) % {step})"

    def _between(self, low: str, r: str, high: str | None = None) -> str:
        """An epoch from 5% to 90% of the way from `low` to `high` (default: now)."""
        return f"({low} + ({high or self.now} - {low}) * (50 + {r} % 850) / 1000)"

    def _customers_source(self, salt: str, columns: str = "", where: str = "1") -> str:
        """CTE s: customers :lo..:hi as (n, [columns,] h), each hash computed once."""
        return (
            f"s AS MATERIALIZED (SELECT customer_id AS n, {columns}"
            f" {self._h('customer_id', salt)} AS h"
            f" FROM customers WHERE customer_id BETWEEN :lo AND :hi AND {where})"
        )

    def _orders_source(self, salt: str, where: str = "1") -> str:
        """CTE s: orders :lo..:hi as (n, customer_id, placed_at, total_cents, h)."""
        return (
            f"s AS MATERIALIZED (SELECT order_id AS n, customer_id, placed_at, total_cents,"
            f" {self._h('order_id', salt)} AS h"
            f" FROM orders WHERE order_id BETWEEN :lo AND :hi AND {where})"
        )

    # -- the build -----------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        conn = self.conn
        conn.executescript(schema_sql())
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall():
            conn.execute(f'DROP INDEX "{name}"')  # loading first and indexing after is faster
        demo_pools.load_pools(conn, self.pools, self.n, SLOTS, self.seed)
        conn.execute("BEGIN")
        self._customers()
        self._addresses()
        early = _indexes(conn, ("addresses",))  # the catalog events look up billing addresses
        for sql in early:
            conn.execute(sql)
        self._orders()
        orders = self.counts["orders"]
        self._chunks("payments", self._payments_sql(), orders)
        self._chunks("gift_recipients", self._gifts_sql(), orders)
        self._recordings(orders)
        self._subscriptions()
        indexes = [sql for sql in _indexes(conn, TABLES) if sql not in early]
        for i, sql in enumerate(indexes):
            self.report("indexes", i, len(indexes))
            conn.execute(sql)
        self.report("indexes", len(indexes), len(indexes))
        conn.execute("COMMIT")
        return dict(self.counts)

    def _chunks(
        self,
        stage: str,
        sql: str,
        total: int,
        *,
        table: str | None = None,
        done: int = 0,
        of: int = 0,
    ) -> None:
        """Run `sql` over ids 1..total in chunks; progress counts from `done` up to `of`."""
        for lo in range(1, total + 1, CHUNK):
            hi = min(lo + CHUNK - 1, total)
            self.counts[table or stage] += self.conn.execute(sql, {"lo": lo, "hi": hi}).rowcount
            self.report(stage, done + hi, of or total)

    # -- customers -----------------------------------------------------------------------------

    def _customers(self) -> None:
        """Customers. Ids are dealt to locales by slot (p_slot); the k-th customer of a locale
        gets the k-th name pair of a permutation (p_gender), so names repeat only where a
        customer copies an earlier one's (1 in 100: about 1 in 40 customers share a name)."""

        def r(k: int) -> str:
            return _r("e.h", k)

        digits = f"printf('%02d', {r(3)} % 100)"

        def local(a: str, b: str) -> str:
            return (
                f"CASE {r(1)} % 8 WHEN 2 THEN {a} || {b} WHEN 3 THEN substr({a}, 1, 1) || {b}"
                f" WHEN 4 THEN {a} || '_' || {b} WHEN 5 THEN {a} || '.' || {b} || {digits}"
                f" WHEN 6 THEN {b} || '.' || {a}"
                f" WHEN 7 THEN {a} || substr({b}, 1, 1) || {digits} ELSE {a} || '.' || {b} END"
            )

        email = (
            f"CASE WHEN fi.al = '' OR la.al = '' THEN 'user' || e.n"
            f" WHEN {r(2)} % 25 = 0 THEN {local('fi.ac', 'la.ac')}"
            f" ELSE {local('fi.al', 'la.al')} END"
            f" || '@example.' || CASE {r(4)} % 3 WHEN 0 THEN 'com' WHEN 1 THEN 'org' ELSE 'net' END"
        )
        birth = f"date({self.now - 80 * _YEAR} + {r(6)} % {62 * _YEAR}, 'unixepoch')"
        updated = _dt(self._between(self._created("e.n"), r(8)))
        sql = f"""
            INSERT INTO customers (customer_id, email, first_name, last_name, locale,
                                   date_of_birth, created_at, updated_at, is_active,
                                   flagged_misuse)
            WITH RECURSIVE s(n, h, ts) AS (
                SELECT :lo, {self._h(":lo", "customer")}, {_dt(self._created(":lo"))}
                UNION ALL
                SELECT n + 1, {self._h("n + 1", "customer")}, {_dt(self._created("n + 1"))}
                FROM s WHERE n < :hi),
            c AS (SELECT n, h, ts, {self._source_customer("n", "h")} AS src FROM s),
            d AS (SELECT c.n AS n, c.h AS h, c.ts AS ts, z.l AS l, z.code AS code,
                         ((c.src - 1) / {SLOTS}) * z.cnt + z.rank AS k
                  FROM c JOIN p_slot z ON z.slot = {self._slot("c.src")}),
            e AS (SELECT d.n AS n, d.h AS h, d.ts AS ts, d.code AS code, g.key AS gk, g.f AS f,
                         (d.k / 2 * g.a + g.b) % g.c AS p
                  FROM d JOIN p_gender g ON g.key = d.l * 2 + d.k % 2)
            SELECT e.n, {email}, fi.name, la.name, e.code,
                   CASE WHEN {r(5)} % 10 < 7 THEN {birth} END,
                   e.ts, CASE WHEN {r(7)} % 10 < 6 THEN e.ts ELSE {updated} END,
                   {r(9)} % 50 <> 0, {r(10)} % 997 = 0
            FROM e JOIN p_first fi ON fi.key = (e.gk << 16) + e.p % e.f
                   JOIN p_last la ON la.key = (e.gk << 16) + e.p / e.f
        """
        self._chunks("customers", sql, self.n)
        self._dedupe_emails()

    def _dedupe_emails(self) -> None:
        """Make emails unique (ignoring case): later copies get "_<customer id>" appended.

        Shared names, or names romanised alike, give some address twice. No generated local
        part ends in "_<digits>", so the new ones are unique too. Copies share their domain, so
        large shops are checked one domain at a time, holding a third of the addresses.
        """
        fixes = []
        domains = (".com", ".org", ".net") if self.n > 1_000_000 else ("",)
        for domain in domains:
            seen: set[str] = set()
            for customer_id, email, folded in self.conn.execute(
                "SELECT customer_id, email, lower(email) FROM customers"
                " WHERE substr(email, -length(?)) = ? OR ? = ''",
                (domain, domain, domain),
            ):
                if folded in seen:
                    local, _, host = email.partition("@")
                    fixes.append((f"{local}_{customer_id}@{host}", customer_id))
                else:
                    seen.add(folded)
        self.conn.executemany("UPDATE customers SET email = ? WHERE customer_id = ?", fixes)

    def _addresses(self) -> None:
        """A billing address for every customer, and a shipping address for 30% of them.

        Phone: a prefix from the country's pool and a 5-digit ending that is a bijection of the
        id's last 5 digits; the prefix index shifts with the rest of the id, so two customers
        of one country get the same number only beyond 15 million customers.
        """
        mod = 10**PHONE_ENDING
        ending = f"(customer_id % {mod} * 7919 + {self.seed % mod + mod}) % {mod}"
        prefix = f"(s.n / {mod} + s.n % {mod} * 7) % {PHONE_PREFIXES}"
        variant = f"{_r('s.h', 10)} % {PHONE_VARIANTS}"
        phone = "printf(ph.fmt, s.e / ph.d1, s.e / ph.d2 % ph.m2, s.e % ph.d2)"
        updated = _dt(self._between(self._created("s.n"), _r("s.h", 12)))
        shipping = self._chance("customer_id", "shipping", 30)
        for kind, where, phone_sql in (
            ("billing", "1", phone),
            ("shipping", shipping, f"CASE WHEN {_r('s.h', 9)} % 2 = 0 THEN {phone} END"),
        ):
            columns = f"locale, {_locale_index('locale')} AS l, created_at, {ending} AS e,"
            source = self._customers_source(kind, columns, where)
            sql = f"""
                INSERT INTO addresses (customer_id, kind, street, city, region, postcode,
                                       country, phone, updated_at)
                WITH {source}
                SELECT s.n, '{kind}', st.line, ci.city, ci.region, ci.postcode,
                       {_country("s.locale")},
                       {phone_sql},
                       CASE WHEN {_r("s.h", 11)} % 4 = 0 THEN {updated} ELSE s.created_at END
                FROM s JOIN p_street st ON st.key = (s.l << 16) + {_r("s.h", 1)} % {STREETS}
                       JOIN p_city ci ON ci.key = (s.l << 16) + {_r("s.h", 2)} % {CITIES}
                       JOIN p_phone ph
                         ON ph.key = ((s.l * {PHONE_VARIANTS} + {variant}) << 16) + {prefix}
            """
            done = 0 if kind == "billing" else self.n
            self._chunks("addresses", sql, self.n, done=done, of=2 * self.n)

    # -- orders and items ----------------------------------------------------------------------

    def _order_walk(self) -> str:
        """CTE s(n, hc, base, low) over customers :lo..:hi: the customer's hash, the number of
        orders before it (counting from :base) and its earliest order time. Order j (a p_k row)
        of customer n is order base + j; its random number is hc times p_k's multiplier for j."""
        count = self._order_count("hc")
        low = f"max({self._created('(x)')}, {self.now - 3 * _YEAR})"
        return (
            f"s(n, hc, base, low) AS ("
            f" SELECT :lo, {self._h(':lo', 'order_count')}, :base, {low.replace('(x)', ':lo')}"
            f" UNION ALL SELECT n + 1, {self._h('n + 1', 'order_count')}, base + {count},"
            f" {low.replace('(x)', '(n + 1)')} FROM s WHERE n < :hi)"
        )

    @staticmethod
    def _source_customer(n: str, hl: str) -> str:
        """The customer whose locale and name customer n takes: itself, or for 1 in 100 an
        earlier one (`hl` is n's hash with salt "customer")."""
        return (
            f"(CASE WHEN {hl} % 100 = 0 AND {n} > 1"
            f" THEN {n} - 1 - ({hl} / 100) % min({n} - 1, 64) ELSE {n} END)"
        )

    def _slot(self, src: str) -> str:
        """The p_slot of customer `src`: ids go to locales by blocks of SLOTS slots, shuffled
        per block (337 is prime to SLOTS)."""
        block = self._spread(f"({src} - 1) / {SLOTS}", "block")
        return f"(((({src}) - 1) % {SLOTS}) * 337 + {block}) % {SLOTS}"

    @staticmethod
    def _order_count(hc: str) -> str:
        return f"CAST(substr('{_ORDER_COUNTS}', {hc} % 100 + 1, 1) AS INTEGER)"

    def _order_parts(self, q: str) -> dict[str, str]:
        """An order's time, item count, and item k's product and quantity, from its random q."""
        return {
            "placed": self._between("s.low", _r(q, 2)),
            "items": f"(1 + ({_r(q, 4)} % 20 >= 15) + ({_r(q, 4)} % 20 >= 19))",  # 75/20/5%
            **{f"product{k}": self._product(q, k) for k in (1, 2, 3)},
            **{f"qty{k}": f"(1 + ({_r(q, 20 + k)} % 100 < 6))" for k in (1, 2, 3)},
        }

    def _product(self, q: str, k: int) -> str:
        """Item k's product: the lower of two draws, so cheaper products sell more often."""
        return f"min({_r(q, 10 + k)} % {self.n_products}, {_r(q, 13 + k)} % {self.n_products})"

    def _orders(self) -> None:
        """Orders (0-4 per customer), then their items (1-3 per order), walking the customers
        twice: an order's total is the sum of the items the same formulas give."""
        q = f"(s.hc * j.m % {_P})"
        o = self._order_parts(q)
        placed = o["placed"]
        price = [f"{o[f'qty{k}']} * {demo_pools.price_sql(o[f'product{k}'])}" for k in (1, 2, 3)]
        total = (
            f"{price[0]} + CASE {o['items']} WHEN 1 THEN 0 WHEN 2 THEN {price[1]}"
            f" ELSE {price[1]} + {price[2]} END"
        )
        closed = [("'cancelled'", 3), ("'returned'", 3), ("'refunded'", 2), ("'delivered'", 92)]
        recent = f"{placed} > {self.now - 10 * _DAY}"  # orders are at least 3 days old
        status = (
            f"CASE WHEN {recent} THEN CASE {_r(q, 3)} % 3 WHEN 0 THEN 'pending'"
            f" WHEN 1 THEN 'processing' ELSE 'shipped' END ELSE {_pick(_r(q, 3), closed)} END"
        )
        updated = f"{placed} + CASE WHEN {recent} THEN 3600 ELSE {_DAY} * (2 + {_r(q, 5)} % 9) END"
        number = f"'{ORDER_PREFIX}' || (100000000 + (s.base + j.v) * 7 + {_r(q, 1)} % 7)"
        currency = _by_locale("c.locale", [f"'{spec.currency}'" for spec in demo_pools.LOCALES])
        orders_sql = f"""
            INSERT INTO orders (order_id, order_number, customer_id, placed_at, status, currency,
                                total_cents, updated_at)
            WITH RECURSIVE {self._order_walk()}
            SELECT s.base + j.v, {number}, s.n, {_dt(placed)}, {status}, {currency},
                   {total}, {_dt(updated)}
            FROM s CROSS JOIN customers c ON c.customer_id = s.n
                   CROSS JOIN p_k j ON j.v BETWEEN 1 AND {self._order_count("s.hc")}
        """

        def item(key: str) -> str:
            first, second, third = (o[f"{key}{k}"] for k in (1, 2, 3))
            return f"CASE k.v WHEN 1 THEN {first} WHEN 2 THEN {second} ELSE {third} END"

        items_sql = f"""
            INSERT INTO order_items (order_id, sku, name, quantity, price_cents, updated_at)
            WITH RECURSIVE {self._order_walk()}
            SELECT s.base + j.v, pr.sku, pr.name, {item("qty")}, pr.price, {_dt(placed)}
            FROM s CROSS JOIN p_k j ON j.v BETWEEN 1 AND {self._order_count("s.hc")}
                   CROSS JOIN p_k k ON k.v BETWEEN 1 AND {o["items"]}
                   JOIN p_product pr ON pr.i = {item("product")}
        """
        chunks = [(lo, min(lo + CHUNK - 1, self.n)) for lo in range(1, self.n + 1, CHUNK)]
        bases = []
        for lo, hi in chunks:
            bases.append(self.counts["orders"])
            params = {"lo": lo, "hi": hi, "base": bases[-1]}
            self.counts["orders"] += self.conn.execute(orders_sql, params).rowcount
            self.report("orders", hi, self.n)
        for (lo, hi), base in zip(chunks, bases, strict=True):
            params = {"lo": lo, "hi": hi, "base": base}
            self.counts["order_items"] += self.conn.execute(items_sql, params).rowcount
            self.report("order_items", hi, self.n)

    def _payments_sql(self) -> str:
        """One payment per order: 82% card (brand and last 4 digits only), or no card data."""
        methods = [("'card'", 82), ("'paypal'", 11), ("'financing'", 5), ("'bank_transfer'", 2)]
        brands = [("'Visa'", 50), ("'Mastercard'", 30), ("'American Express'", 15)]
        brands.append(("'Discover'", 5))
        card = f"{_r('s.h', 30)} % 100 < 82"
        return f"""
            INSERT INTO payments (payment_id, order_id, method, card_brand, card_last4,
                                  amount_cents, updated_at)
            WITH {self._orders_source("payment")}
            SELECT s.n, s.n, {_pick(_r("s.h", 30), methods)},
                   CASE WHEN {card} THEN {_pick(_r("s.h", 31), brands)} END,
                   CASE WHEN {card} THEN printf('%04d', {_r("s.h", 32)} % 10000) END,
                   s.total_cents, s.placed_at
            FROM s
        """

    def _gifts_sql(self) -> str:
        """A gift recipient on 5% of orders, from the customer's locale."""
        h = "s.h"
        picked = self._chance("order_id", "gift", 5)
        return f"""
            INSERT INTO gift_recipients (order_id, name, street, city, postcode, country,
                                         message, updated_at)
            WITH {self._orders_source("gift", picked)}
            SELECT s.n,
                   CASE WHEN c.locale IN ('zh_CN', 'ko_KR') THEN la.name || fi.name
                        WHEN c.locale = 'ja_JP' THEN la.name || ' ' || fi.name
                        ELSE fi.name || ' ' || la.name END,
                   st.line, ci.city, ci.postcode, {_country("c.locale")},
                   CASE WHEN {_r(h, 44)} % 10 < 6
                        THEN (SELECT text FROM p_message WHERE i = {_r(h, 47)} % 8) END,
                   s.placed_at
            FROM s CROSS JOIN customers c ON c.customer_id = s.customer_id
                   JOIN p_gender g ON g.key = {_locale_index("c.locale")} * 2 + {_r(h, 41)} % 2
                   JOIN p_first fi ON fi.key = (g.key << 16) + {_r(h, 42)} % g.f
                   JOIN p_last la ON la.key = (g.key << 16) + {_r(h, 43)} % (g.c / g.f)
                   JOIN p_street st ON st.key = (g.key / 2 << 16) + {_r(h, 45)} % {STREETS}
                   JOIN p_city ci ON ci.key = (g.key / 2 << 16) + {_r(h, 46)} % {CITIES}
        """

    # -- calls and mailing lists ---------------------------------------------------------------

    def _recording(self, started: str, key: str) -> str:
        """started_at, duration_s, direction, agent, storage_ref, updated_at."""
        duration = f"(45 + {_r('s.h', 53)} % 1500)"
        ref = (  # the key times an odd number mod 2**40: distinct keys, distinct names
            f"'rec://' || strftime('%Y/%m', {started}, 'unixepoch') || '/'"
            f" || printf('%010x', ({key}) * 2654435761 % 1099511627776) || '.wav'"
        )
        direction = f"CASE WHEN {_r('s.h', 54)} % 5 = 0 THEN 'outbound' ELSE 'inbound' END"
        agent = f"(SELECT name FROM p_agent WHERE i = {_r('s.h', 51)} % {self.n_agents})"
        columns = [_dt(started), duration, direction, agent, ref, _dt(f"{started} + {duration}")]
        return ", ".join(columns)

    def _recordings(self, orders: int) -> None:
        """Calls about an order (1 in 16 orders), and other calls (1 in 40 customers)."""
        columns = (
            "customer_id, order_id, started_at, duration_s, direction, agent, storage_ref,"
            " updated_at"
        )
        placed = "CAST(strftime('%s', s.placed_at) AS INTEGER)"
        last = str(self.now - 3600)
        about_order = self._recording(self._between(placed, _r("s.h", 52), last), "s.n * 2")
        created = self._created("s.n")
        other = self._recording(self._between(created, _r("s.h", 52), last), "s.n * 2 + 1")
        picked_orders = self._orders_source("call", self._chance("order_id", "call", 6.25))
        self._chunks(
            "call_recordings",
            f"INSERT INTO call_recordings ({columns}) WITH {picked_orders}"
            f" SELECT s.customer_id, s.n, {about_order} FROM s",
            orders,
            of=orders + self.n,
        )
        chance = self._chance("customer_id", "call", 2.5)
        picked_customers = self._customers_source("call", where=chance)
        self._chunks(
            "call_recordings",
            f"INSERT INTO call_recordings ({columns}) WITH {picked_customers}"
            f" SELECT s.n, NULL, {other} FROM s",
            self.n,
            done=orders,
            of=orders + self.n,
        )

    def _subscriptions(self) -> None:
        """Mailing-list histories, as events (k = 0..4 per customer):
        email: 40% enrolled (registration, contest entry or promo request), 15% of them
        unsubscribed later, 35% of those enrolled again by a new contest entry or promo request;
        catalog: 10% enrolled (catalog request, the billing address), 12% of them removed.
        Then guests: list members without an account (customer_id NULL)."""
        h = "s.h"
        created = self._created("s.n")
        email_list = self._chance("customer_id", "email_list", 40)
        catalog = self._chance("customer_id", "catalog", 10)
        sources = [("'registration'", 40), ("'contest_entry'", 35), ("'promo_request'", 25)]
        later = self._between(created, _r(h, 11))
        t0 = f"(CASE WHEN {_r(h, 6)} % 100 < 40 THEN {created} ELSE {later} END)"
        t1 = self._between(t0, _r(h, 12))
        t2 = self._between(t1, _r(h, 13))
        t3 = self._between(created, _r(h, 14))
        t4 = self._between(t3, _r(h, 15))
        occurred = _dt(
            f"CASE k.v WHEN 0 THEN {t0} WHEN 1 THEN {t1} WHEN 2 THEN {t2} WHEN 3 THEN {t3}"
            f" ELSE {t4} END"
        )
        unsubscribed = f"s.email_list AND {_r(h, 2)} % 100 < 15"
        wanted = (
            f"(k.v = 0 AND s.email_list) OR (k.v = 1 AND {unsubscribed})"
            f" OR (k.v = 2 AND {unsubscribed} AND {_r(h, 3)} % 100 < 35)"
            f" OR (k.v = 3 AND s.catalog) OR (k.v = 4 AND s.catalog AND {_r(h, 5)} % 100 < 12)"
        )
        how_unsubscribed = (
            f"CASE WHEN {_r(h, 7)} % 100 < 45 THEN 'customer_request' ELSE 'list_unsubscribe' END"
        )
        source = (
            f"CASE k.v WHEN 0 THEN {_pick(_r(h, 6), sources)} WHEN 1 THEN {how_unsubscribed}"
            f" WHEN 2 THEN CASE {_r(h, 8)} % 2 WHEN 0 THEN 'contest_entry' ELSE 'promo_request' END"
            f" WHEN 3 THEN 'catalog_request' ELSE 'customer_request' END"
        )
        postal = (
            "replace(a.street, char(10), ', ') || ', ' || coalesce(a.postcode || ' ', '')"
            " || a.city || ', ' || a.country"
        )
        columns = "customer_id, channel, event, source, address, occurred_at, updated_at"
        members = self._customers_source(
            "mail",
            f"email, {email_list} AS email_list, {catalog} AS catalog,",
            f"({email_list} OR {catalog})",
        )
        guests = max(3, self.n // 200)
        self._chunks(
            "subscription_events",
            f"""INSERT INTO subscription_events ({columns})
                WITH {members}
                SELECT s.n, CASE WHEN k.v < 3 THEN 'email' ELSE 'catalog' END,
                       CASE WHEN k.v IN (1, 4) THEN 'unsubscribed' ELSE 'enrolled' END, {source},
                       CASE WHEN k.v < 3 THEN s.email ELSE {postal} END, {occurred}, {occurred}
                FROM s CROSS JOIN p_k k
                       LEFT JOIN addresses a
                         ON k.v >= 3 AND a.customer_id = s.n AND a.kind = 'billing'
                WHERE {wanted}""",
            self.n,
            of=self.n + guests,
        )
        g0 = self._between(str(self.now - 3 * _YEAR), _r(h, 11))
        g1 = self._between(g0, _r(h, 12))
        occurred = _dt(f"CASE k.v WHEN 0 THEN {g0} ELSE {g1} END")
        self._chunks(
            "subscription_events",
            f"""INSERT INTO subscription_events ({columns})
                WITH RECURSIVE s(n, h) AS (
                    SELECT :lo, {self._h(":lo", "guest")}
                    UNION ALL SELECT n + 1, {self._h("n + 1", "guest")} FROM s WHERE n < :hi)
                SELECT NULL, 'email', CASE k.v WHEN 0 THEN 'enrolled' ELSE 'unsubscribed' END,
                       CASE WHEN k.v = 1 THEN 'list_unsubscribe'
                            WHEN {_r(h, 6)} % 2 = 0 THEN 'contest_entry' ELSE 'promo_request' END,
                       fi.al || '.' || la.al || '.' || s.n || '@example.org',
                       {occurred}, {occurred}
                FROM s CROSS JOIN p_k k ON k.v < 2
                       JOIN p_gender g ON g.key = {_r(h, 1)} % 4  -- en_US and en_GB names
                       JOIN p_first fi ON fi.key = (g.key << 16) + {_r(h, 2)} % g.f
                       JOIN p_last la ON la.key = (g.key << 16) + {_r(h, 3)} % (g.c / g.f)
                WHERE k.v = 0 OR {_r(h, 4)} % 100 < 20""",
            guests,
            table="subscription_events",
            done=self.n,
            of=self.n + guests,
        )
