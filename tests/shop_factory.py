"""A hand-made reference shop with known customers, for tests that assert exact results."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from csconsole.demo import schema_path

TS = "2025-03-01 10:00:00"

# (id, first, last, email, locale, country, postcode, phone, order numbers)
KNOWN = [
    (
        1,
        "José",
        "Álvarez",
        "jose.alvarez@example.com",
        "es_ES",
        "ES",
        "28013",
        "+34 612 345 678",
        ["DN100000001"],
    ),
    (
        2,
        "Jane",
        "Smith",
        "Jane.Smith@example.org",
        "en_US",
        "US",
        "10001",
        "(212) 555-4990",
        ["DN100000002", "DN100000003"],
    ),
    (
        3,
        "Σωκράτης",
        "Παπαδόπουλος",
        "sokratis@example.net",
        "el_GR",
        "GR",
        "104 31",
        "+30 21 0123 4567",
        [],
    ),
    (
        4,
        "Иван",
        "Петров",
        "ivan.petrov@example.com",
        "ru_RU",
        "RU",
        "101000",
        "8 (495) 123-45-67",
        ["DN100000004"],
    ),
    (5, "伟", "王", "wang.wei@example.com", "zh_CN", "CN", "100000", "+86 10 1234 5678", []),
    (
        6,
        "Janet",
        "Smithers",
        "janet@example.com",
        "en_GB",
        "GB",
        "SW1A 1AA",
        "020 7946 0018",
        ["DN100000005"],
    ),
    (7, "Jane", "Smith", "jane.smith2@example.com", "en_US", "US", "94105", "+1 415 555 0199", []),
]


def make_shop(path: Path, rows: list[tuple] = KNOWN) -> Path:  # type: ignore[type-arg]
    con = sqlite3.connect(path)
    con.executescript(schema_path().read_text(encoding="utf-8"))
    order_id = 0
    for cid, first, last, email, locale, country, postcode, phone, orders in rows:
        con.execute(
            "INSERT INTO customers VALUES (?,?,?,?,?,NULL,?,?,1,0)",
            (cid, email, first, last, locale, TS, TS),
        )
        con.execute(
            "INSERT INTO addresses VALUES (?,?,'billing','1 Main St','City',NULL,?,?,?,?)",
            (cid, cid, postcode, country, phone, TS),
        )
        for number in orders:
            order_id += 1
            con.execute(
                "INSERT INTO orders VALUES (?,?,?,?,'complete','USD',12500,?)",
                (order_id, number, cid, TS, TS),
            )
            con.execute(
                "INSERT INTO payments VALUES (?,?,'card','visa','4242',12500,?)",
                (order_id, order_id, TS),
            )
        con.execute(
            "INSERT INTO subscription_events VALUES (?,?,'email','enrolled','contest_entry',?,?,?)",
            (cid, cid, email, TS, TS),
        )
    con.commit()
    con.close()
    return path
