"""The demo shop generator: shape, integrity, realism, reproducibility and refusals.

Most tests read the session's demo shop (`demo_template` in tests/conftest.py: 400 customers,
seed 7) into memory and never change the file.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from email_validator import validate_email

from csconsole.demo.generator import (
    DEMO_AS_OF,
    DemoShopError,
    DemoShopStats,
    generate_demo_shop,
    schema_sql,
)

CUSTOMERS = 400  # tests/conftest.py DEMO_CUSTOMERS
SEED = 7  # tests/conftest.py DEMO_SEED

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
COUNTRY_OF_LOCALE = {
    "en_US": "US",
    "en_GB": "GB",
    "de_DE": "DE",
    "fr_FR": "FR",
    "es_ES": "ES",
    "pl_PL": "PL",
    "el_GR": "GR",
    "ru_RU": "RU",
    "ja_JP": "JP",
    "zh_CN": "CN",
    "ko_KR": "KR",
}
# Written out here rather than imported from the generator, so the check is independent.
POSTCODE = {
    "US": r"\d{5}(-\d{4})?",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "PL": r"\d{2}-\d{3}",
    "GR": r"\d{3} \d{2}",
    "RU": r"\d{6}",
    "JP": r"\d{3}-\d{4}",
    "CN": r"\d{6}",
    "KR": r"\d{5}",
}
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
NOW = DEMO_AS_OF.strftime("%Y-%m-%d %H:%M:%S")

Row = dict[str, Any]


@contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        yield conn


def read_tables(path: Path) -> dict[str, list[Row]]:
    with opened(path) as conn:
        return {
            table: [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]  # noqa: S608
            for table in (*TABLES, "sqlite_master")
        }


def canonical_digest(path: Path) -> str:
    """SHA-256 over the schema and every row of every table, in a fixed order."""
    digest = hashlib.sha256()
    for table, table_rows in read_tables(path).items():
        digest.update(table.encode())
        for row in table_rows:
            digest.update(repr(sorted(row.items())).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def shop(demo_template: Path) -> dict[str, list[Row]]:
    return read_tables(demo_template)


def by_id(table_rows: list[Row], key: str) -> dict[int, Row]:
    return {row[key]: row for row in table_rows}


# -- shape and integrity ----------------------------------------------------------------------


def test_row_counts_are_plausible(shop: dict[str, list[Row]]) -> None:
    customers, addresses, orders = shop["customers"], shop["addresses"], shop["orders"]
    assert len(customers) == CUSTOMERS
    kinds = Counter(a["kind"] for a in addresses)
    assert set(kinds) == {"billing", "shipping"}
    assert kinds["billing"] == len({a["customer_id"] for a in addresses}) == CUSTOMERS
    assert 0.2 * CUSTOMERS <= kinds["shipping"] <= 0.4 * CUSTOMERS
    per_customer = Counter(o["customer_id"] for o in orders)
    assert 1.2 * CUSTOMERS <= len(orders) <= 1.9 * CUSTOMERS
    assert set(per_customer.values()) == {1, 2, 3, 4}
    assert 0.1 * CUSTOMERS <= CUSTOMERS - len(per_customer) <= 0.3 * CUSTOMERS  # no orders
    per_order = Counter(i["order_id"] for i in shop["order_items"])
    assert set(per_order.values()) == {1, 2, 3}
    assert len(shop["payments"]) == len(orders)
    assert 0.02 * len(orders) <= len(shop["gift_recipients"]) <= 0.1 * len(orders)
    called = {r["customer_id"] for r in shop["call_recordings"]}
    assert 0.05 * CUSTOMERS <= len(called) <= 0.18 * CUSTOMERS


def test_every_reference_points_at_a_row(shop: dict[str, list[Row]], demo_template: Path) -> None:
    with opened(demo_template) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    customers = by_id(shop["customers"], "customer_id")
    orders = by_id(shop["orders"], "order_id")
    for table in ("addresses", "orders"):
        assert all(row["customer_id"] in customers for row in shop[table])
    for table in ("order_items", "payments", "gift_recipients"):
        assert all(row["order_id"] in orders for row in shop[table])
    for event in shop["subscription_events"]:
        assert event["customer_id"] is None or event["customer_id"] in customers
    for call in shop["call_recordings"]:
        assert call["customer_id"] in customers
        if call["order_id"] is not None:
            assert orders[call["order_id"]]["customer_id"] == call["customer_id"]
    assert set(orders) == {i["order_id"] for i in shop["order_items"]}  # no order without items
    assert {p["order_id"] for p in shop["payments"]} == set(orders)


def test_order_totals_are_their_items_and_payments(shop: dict[str, list[Row]]) -> None:
    sums: Counter[int] = Counter()
    for item in shop["order_items"]:
        assert item["quantity"] >= 1 and item["price_cents"] > 0 and item["sku"] and item["name"]
        sums[item["order_id"]] += item["quantity"] * item["price_cents"]
    orders = by_id(shop["orders"], "order_id")
    assert {oid: o["total_cents"] for oid, o in orders.items()} == dict(sums)
    assert all(p["amount_cents"] == orders[p["order_id"]]["total_cents"] for p in shop["payments"])
    currency = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "ES": "EUR", "GR": "EUR"}
    currency |= {"PL": "PLN", "RU": "USD", "JP": "USD", "CN": "USD", "KR": "USD"}
    locale = {c["customer_id"]: c["locale"] for c in shop["customers"]}
    for order in orders.values():
        assert order["currency"] == currency[COUNTRY_OF_LOCALE[locale[order["customer_id"]]]]
    numbers = [o["order_number"] for o in orders.values()]
    assert all(re.fullmatch(r"DN\d{9}", n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert {o["status"] for o in orders.values()} >= {"delivered", "cancelled", "returned"}


def test_payments_hold_card_last4_only(shop: dict[str, list[Row]]) -> None:
    methods = Counter(p["method"] for p in shop["payments"])
    assert set(methods) <= {"card", "paypal", "financing", "bank_transfer"}
    assert methods["card"] > len(shop["payments"]) / 2 and len(methods) >= 3
    for payment in shop["payments"]:
        if payment["method"] == "card":
            assert payment["card_brand"] in {"Visa", "Mastercard", "American Express", "Discover"}
            assert re.fullmatch(r"\d{4}", payment["card_last4"])
        else:
            assert payment["card_brand"] is None and payment["card_last4"] is None


def test_no_value_looks_like_a_card_number(shop: dict[str, list[Row]]) -> None:
    """No stored value (nor the schema) holds a run of 13-19 digits, the length of a PAN.

    Checked value by value: in SQLite's record format neighbouring values sit side by side (a
    phone ending in digits, then a timestamp), so a scan of the raw bytes would find runs that
    no value contains.
    """
    long_digits = re.compile(r"\d{13,}")
    values = [v for table_rows in shop.values() for row in table_rows for v in row.values()]
    assert len(values) > 10_000
    assert [v for v in values if long_digits.search(str(v))] == []


# -- realism ----------------------------------------------------------------------------------


def test_emails_are_valid_unique_and_ascii(shop: dict[str, list[Row]]) -> None:
    emails = [c["email"] for c in shop["customers"]]
    assert len({e.lower() for e in emails}) == len(emails)
    for email in emails:
        local, domain = email.split("@")
        assert validate_email(email, check_deliverability=False).domain == domain
        assert local.isascii() and domain in {"example.com", "example.org", "example.net"}
    assert any(e != e.lower() for e in emails), "some emails should be in mixed case"
    guests = [e["address"] for e in shop["subscription_events"] if e["customer_id"] is None]
    assert guests
    for email in guests:
        validate_email(email, check_deliverability=False)


def test_phones_are_valid_for_their_country_in_varied_styles(shop: dict[str, list[Row]]) -> None:
    phones = [(a["phone"], a["country"]) for a in shop["addresses"] if a["phone"]]
    assert len(phones) >= CUSTOMERS
    invalid = [
        (phone, country)
        for phone, country in phones
        if not phonenumbers.is_valid_number_for_region(phonenumbers.parse(phone, country), country)
    ]
    assert invalid == []
    assert len({re.sub(r"\d", "9", phone) for phone, _ in phones}) > 20  # many shapes
    assert {phone[0] for phone, _ in phones} >= {"+", "("}
    assert any(phone.startswith("00") for phone, _ in phones)
    billing = [a["phone"] for a in shop["addresses"] if a["kind"] == "billing"]
    assert None not in billing
    endings = [re.sub(r"\D", "", phone)[-8:] for phone in billing]
    assert len(set(endings)) == len(endings), "customers should not share phone numbers"


def test_addresses_match_the_customers_country(shop: dict[str, list[Row]]) -> None:
    locale = {c["customer_id"]: c["locale"] for c in shop["customers"]}
    for address in shop["addresses"]:
        country = address["country"]
        assert country == COUNTRY_OF_LOCALE[locale[address["customer_id"]]]
        assert re.fullmatch(POSTCODE[country], address["postcode"]), address
        assert address["street"].strip() and address["city"].strip()
    orders = by_id(shop["orders"], "order_id")
    for recipient in shop["gift_recipients"]:
        customer = orders[recipient["order_id"]]["customer_id"]
        assert recipient["country"] == COUNTRY_OF_LOCALE[locale[customer]]
        assert re.fullmatch(POSTCODE[recipient["country"]], recipient["postcode"]), recipient
        assert recipient["name"].strip() and recipient["street"].strip()
    assert {a["country"] for a in shop["addresses"]} == set(COUNTRY_OF_LOCALE.values())
    assert any("\n" in a["street"] for a in shop["addresses"]), "some addresses have 2 lines"


def test_names_come_in_several_scripts(shop: dict[str, list[Row]]) -> None:
    names = " ".join(f"{c['first_name']} {c['last_name']}" for c in shop["customers"])
    scripts = {
        "greek": r"[\u0370-\u03ff]",
        "cyrillic": r"[\u0400-\u04ff]",
        "cjk": r"[\u4e00-\u9fff]",
        "hangul": r"[\uac00-\ud7af]",
    }
    assert {script for script, letters in scripts.items() if re.search(letters, names)} == set(
        scripts
    )
    accented_latin = {
        ch for ch in names if not ch.isascii() and unicodedata.decomposition(ch).startswith("00")
    }
    assert len(accented_latin) >= 3, "expected accented Latin letters (é, ü, ñ...)"


def test_about_one_customer_in_forty_shares_a_name(shop: dict[str, list[Row]]) -> None:
    names = Counter((c["first_name"], c["last_name"]) for c in shop["customers"])
    sharing = sum(n for n in names.values() if n > 1)
    assert 2 <= sharing <= CUSTOMERS // 10


def test_mailing_list_histories(shop: dict[str, list[Row]]) -> None:
    histories: dict[tuple[int, str], list[Row]] = defaultdict(list)
    for event in shop["subscription_events"]:
        if event["customer_id"] is not None:
            histories[event["customer_id"], event["channel"]].append(event)
    email_members = {customer for customer, channel in histories if channel == "email"}
    assert 0.25 * CUSTOMERS <= len(email_members) <= 0.55 * CUSTOMERS
    enrolled = {"registration", "contest_entry", "promo_request"}
    shapes: Counter[tuple[str, int]] = Counter()
    for (_customer, channel), events in histories.items():
        events.sort(key=lambda e: e["occurred_at"])
        kinds = [e["event"] for e in events]
        shapes[channel, len(kinds)] += 1
        if channel == "email":
            assert kinds in (
                ["enrolled"],
                ["enrolled", "unsubscribed"],
                ["enrolled", "unsubscribed", "enrolled"],
            )
            assert events[0]["source"] in enrolled
            if len(events) > 1:
                assert events[1]["source"] in {"customer_request", "list_unsubscribe"}
            if len(events) > 2:  # enrolled again only by a new contest entry or promo request
                assert events[2]["source"] in {"contest_entry", "promo_request"}
        else:
            assert kinds in (["enrolled"], ["enrolled", "unsubscribed"])
            assert [e["source"] for e in events] == ["catalog_request", "customer_request"][
                : len(events)
            ]
    assert shapes["email", 1] > shapes["email", 2] > 0 and shapes["catalog", 1] > 0
    emails = {c["customer_id"]: c["email"] for c in shop["customers"]}
    billing = {a["customer_id"]: a for a in shop["addresses"] if a["kind"] == "billing"}
    for (customer, channel), events in histories.items():
        for event in events:
            if channel == "email":
                assert event["address"] == emails[customer]
            else:
                assert billing[customer]["postcode"] in event["address"]
                assert billing[customer]["city"] in event["address"]
    assert any(e["customer_id"] is None for e in shop["subscription_events"])


def test_timestamps_are_iso_and_in_order(shop: dict[str, list[Row]]) -> None:
    pairs = {
        "customers": ("created_at", "updated_at"),
        "addresses": ("updated_at", "updated_at"),
        "orders": ("placed_at", "updated_at"),
        "order_items": ("updated_at", "updated_at"),
        "payments": ("updated_at", "updated_at"),
        "subscription_events": ("occurred_at", "updated_at"),
        "gift_recipients": ("updated_at", "updated_at"),
        "call_recordings": ("started_at", "updated_at"),
    }
    for table, (first, then) in pairs.items():
        for row in shop[table]:
            assert TIMESTAMP.fullmatch(row[first]) and TIMESTAMP.fullmatch(row[then]), row
            assert row[first] <= row[then] <= NOW, (table, row)
    customers = by_id(shop["customers"], "customer_id")
    orders = by_id(shop["orders"], "order_id")
    three_years_ago = (DEMO_AS_OF - timedelta(days=3 * 366)).strftime("%Y-%m-%d")
    for order in orders.values():
        assert three_years_ago <= order["placed_at"]
        assert customers[order["customer_id"]]["created_at"] <= order["placed_at"]
    for address in shop["addresses"]:
        assert customers[address["customer_id"]]["created_at"] <= address["updated_at"]
    for item in shop["order_items"]:
        assert item["updated_at"] == orders[item["order_id"]]["placed_at"]
    born = [c["date_of_birth"] for c in customers.values() if c["date_of_birth"]]
    assert 0.5 * CUSTOMERS <= len(born) < CUSTOMERS
    for day in born:
        age = (DEMO_AS_OF.date() - date.fromisoformat(day)).days / 365.25
        assert 18 <= age <= 81
    refs = [r["storage_ref"] for r in shop["call_recordings"]]
    assert all(re.fullmatch(r"rec://\d{4}/\d{2}/[0-9a-f]{10}\.wav", ref) for ref in refs)
    assert len(set(refs)) == len(refs)


def test_file_has_the_reference_schema(shop: dict[str, list[Row]], tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "reference.sqlite")) as reference:
        reference.executescript(schema_sql())
        expected = reference.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
        ).fetchall()

    def key(row: tuple[Any, ...]) -> str:
        return str(row[1])

    actual = [(r["type"], r["name"], r["tbl_name"], r["sql"]) for r in shop["sqlite_master"]]
    assert sorted(actual, key=key) == sorted(expected, key=key)
    assert "CREATE TABLE customers" in schema_sql()


# -- reproducibility, progress, the file itself --------------------------------------------------


def test_same_seed_same_shop_other_seed_other_shop(demo_template: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again.sqlite", tmp_path / "other.sqlite"
    stats = generate_demo_shop(again, customers=CUSTOMERS, seed=SEED)
    generate_demo_shop(other, customers=CUSTOMERS, seed=SEED + 1)
    assert canonical_digest(again) == canonical_digest(demo_template)
    assert again.read_bytes() == demo_template.read_bytes()
    assert canonical_digest(other) != canonical_digest(demo_template)
    first, second = read_tables(demo_template), read_tables(other)
    names = [(c["first_name"], c["last_name"]) for c in first["customers"]]
    other_names = [(c["first_name"], c["last_name"]) for c in second["customers"]]
    assert sum(a == b for a, b in zip(names, other_names, strict=True)) < CUSTOMERS // 10
    assert isinstance(stats, DemoShopStats) and stats.elapsed_s > 0
    assert stats.counts() == {table: len(first[table]) for table in TABLES}


def test_progress_goes_through_every_stage(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        calls.append((stage, done, total))

    generate_demo_shop(tmp_path / "shop.sqlite", customers=50, seed=1, progress=progress)
    assert list(dict.fromkeys(stage for stage, _, _ in calls)) == [
        "pools",
        "customers",
        "addresses",
        "orders",
        "order_items",
        "payments",
        "gift_recipients",
        "call_recordings",
        "subscription_events",
        "indexes",
    ]
    assert all(0 <= done <= total for _, done, total in calls)
    last = {stage: (done, total) for stage, done, total in calls}
    assert all(done == total for done, total in last.values())


def test_one_customer_is_enough(tmp_path: Path) -> None:
    stats = generate_demo_shop(tmp_path / "tiny.sqlite", customers=1)
    assert stats.customers == 1 and stats.addresses >= 1 and stats.payments == stats.orders
    tables = read_tables(tmp_path / "tiny.sqlite")
    assert tables["addresses"][0]["kind"] == "billing"


def test_a_cancelled_run_leaves_no_file(tmp_path: Path) -> None:
    def cancel(stage: str, done: int, total: int) -> None:
        if stage == "orders":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_demo_shop(tmp_path / "shop.sqlite", customers=100, progress=cancel)
    assert os.listdir(tmp_path) == []  # neither the shop nor the temporary file


# -- refusals ---------------------------------------------------------------------------------


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "shop.sqlite"
    target.write_text("the shop's own file")
    with pytest.raises(DemoShopError, match="already exists; pass overwrite=True"):
        generate_demo_shop(target, customers=10)
    assert target.read_text() == "the shop's own file"
    stats = generate_demo_shop(target, customers=10, overwrite=True)
    assert stats.customers == len(read_tables(target)["customers"]) == 10
    assert os.listdir(tmp_path) == ["shop.sqlite"]


@pytest.mark.parametrize("customers", [0, -5, 5_000_001])
def test_rejects_a_customer_count_out_of_range(tmp_path: Path, customers: int) -> None:
    with pytest.raises(DemoShopError, match=r"between 1 and 5,000,000"):
        generate_demo_shop(tmp_path / "shop.sqlite", customers=customers)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("customers", [True, 2.5, "100"])
def test_rejects_a_customer_count_that_is_no_whole_number(
    tmp_path: Path, customers: object
) -> None:
    with pytest.raises(DemoShopError, match="whole number"):
        generate_demo_shop(tmp_path / "shop.sqlite", customers=customers)  # type: ignore[arg-type]


def test_errors_are_value_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        generate_demo_shop(tmp_path / "shop.sqlite", customers=0)


def test_rejects_a_directory_that_is_missing_or_no_directory(tmp_path: Path) -> None:
    with pytest.raises(DemoShopError, match="missing does not exist"):
        generate_demo_shop(tmp_path / "missing" / "shop.sqlite", customers=10)
    (tmp_path / "file").write_text("")
    with pytest.raises(DemoShopError, match="file is not a directory"):
        generate_demo_shop(tmp_path / "file" / "shop.sqlite", customers=10)
    with pytest.raises(DemoShopError, match="is a directory"):
        generate_demo_shop(tmp_path, customers=10)


def test_an_unwritable_directory_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the test above checks for other users, root simulated: creating the file fails."""

    def refuse(**_: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(DemoShopError, match=re.escape(f"Cannot write in {tmp_path}: Permission")):
        generate_demo_shop(tmp_path / "shop.sqlite", customers=10)
    assert os.listdir(tmp_path) == []
