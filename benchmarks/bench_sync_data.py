"""A reference-schema shop of N customers in PostgreSQL, built by the server in SQL.

Per customer: one billing address, a shipping address for every second one (1.5 addresses),
and two orders. Names are drawn from Faker's name lists (English, German, Spanish, so the name
index sees accents) by a hash of the id, so the same N gives the same data. Built in SQL
(``generate_series``), because a million rows through Python would take longer than the
benchmark itself.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from csconsole.demo import schema_path

SERVER = "host=127.0.0.1 port=5432 user=postgres"


def _names() -> tuple[list[str], list[str]]:
    import faker.providers.person.de_DE as de
    import faker.providers.person.en_US as en
    import faker.providers.person.es_ES as es

    firsts = list(
        dict.fromkeys(
            [
                *en.Provider.first_names,
                *list(de.Provider.first_names)[:600],
                *list(es.Provider.first_names)[:400],
            ]
        )
    )
    lasts = list(
        dict.fromkeys(
            [*en.Provider.last_names, *de.Provider.last_names, *list(es.Provider.last_names)[:400]]
        )
    )
    return firsts, lasts


def dsn(database: str) -> str:
    return f"{SERVER} dbname={database}"


def sqlalchemy_url(database: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"


def existing_size(database: str) -> int | None:
    """Customers in the database if it exists and is complete, else None."""
    try:
        with psycopg.connect(dsn(database), connect_timeout=5) as conn:
            row = conn.execute("SELECT value FROM bench_meta WHERE key = 'customers'").fetchone()
            return int(row[0]) if row else None
    except psycopg.Error:
        return None


def build(database: str, customers: int, log: Any) -> float:
    """Drop and build the database; returns the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f"CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8'")
    firsts, lasts = _names()
    n = customers
    with psycopg.connect(dsn(database)) as conn:
        conn.execute(Path(schema_path()).read_text(encoding="utf-8"))
        conn.execute("CREATE TEMP TABLE firsts (i integer PRIMARY KEY, name text)")
        conn.execute("CREATE TEMP TABLE lasts (i integer PRIMARY KEY, name text)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO firsts VALUES (%s, %s)", list(enumerate(firsts)))
            cur.executemany("INSERT INTO lasts VALUES (%s, %s)", list(enumerate(lasts)))
        log(f"  customers ({n:,}) ...")
        conn.execute(
            """
            INSERT INTO customers
            SELECT g, lower(translate(f.name, ' ''', '')) || '.' || g || '@example.com',
                   f.name, l.name, 'en_US', date '1950-01-01' + (g %% 18000),
                   timestamp '2020-01-01' + g * interval '7 second',
                   timestamp '2024-01-01' + g * interval '3 second', 1, 0
            FROM generate_series(1, %(n)s) g
            JOIN firsts f ON f.i = (hashint4(g) & 2147483647) %% %(nf)s
            JOIN lasts l ON l.i = (hashint4(g + 7) & 2147483647) %% %(nl)s
            """,
            {"n": n, "nf": len(firsts), "nl": len(lasts)},
        )
        log(f"  addresses ({n + n // 2:,}) ...")
        conn.execute(
            """
            INSERT INTO addresses
            SELECT g, CASE WHEN g <= %(n)s THEN g ELSE 2 * (g - %(n)s) END,
                   CASE WHEN g <= %(n)s THEN 'billing' ELSE 'shipping' END,
                   (g %% 997 + 1) || ' Main Street', 'Springfield', 'IL',
                   lpad(((hashint4(g) & 2147483647) %% 99999)::text, 5, '0'), 'US',
                   '+1 (' || (200 + (hashint4(g + 1) & 2147483647) %% 700) || ') 555-'
                   || lpad(((hashint4(g + 2) & 2147483647) %% 10000)::text, 4, '0'),
                   timestamp '2024-01-01' + g * interval '3 second'
            FROM generate_series(1, %(total)s) g
            """,
            {"n": n, "total": n + n // 2},
        )
        log(f"  orders ({2 * n:,}) ...")
        conn.execute(
            """
            INSERT INTO orders
            SELECT g, 'DN' || (100000000 + g), 1 + (g - 1) %% %(n)s,
                   timestamp '2021-01-01' + g * interval '11 second', 'delivered', 'USD',
                   1000 + (hashint4(g) & 2147483647) %% 500000,
                   timestamp '2024-01-01' + g * interval '2 second'
            FROM generate_series(1, %(total)s) g
            """,
            {"n": n, "total": 2 * n},
        )
        conn.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        conn.execute("INSERT INTO bench_meta VALUES ('customers', %s)", (str(n),))
    with psycopg.connect(dsn(database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def change_customers(
    database: str, count: int, seed: int, *, emails: bool = True
) -> tuple[list[int], Any]:
    """Give ``count`` random customers a new last name (and email); returns their ids and the
    change time given them: an hour after the newest change so far, so that each round's
    changed rows are exactly its own (earlier rounds stay outside the overlap window)."""
    email = "email = 'changed.' || email," if emails else ""
    with psycopg.connect(dsn(database)) as conn:
        query = "SELECT max(customer_id), max(updated_at) FROM customers"
        n, newest = conn.execute(query).fetchone()
        stamp = newest + timedelta(hours=1)
        conn.execute("SELECT setseed(%s)", (seed / 1000 % 1,))
        rows = conn.execute(
            f"""
            UPDATE customers SET last_name = last_name || 'son', {email} updated_at = %s
            WHERE customer_id IN (
                SELECT DISTINCT 1 + floor(random() * %s)::int FROM generate_series(1, %s)
                LIMIT %s)
            RETURNING customer_id
            """,
            (stamp, int(n), count * 2, count),
        ).fetchall()
    return [r[0] for r in rows], stamp
