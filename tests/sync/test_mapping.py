"""Mapping files: the shipped ones load, malformed ones fail naming the key, transforms."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from csconsole.sync.pull.row_convert import RowConverter, RowProblem
from csconsole.sync.shop.mapping import (
    MappingError,
    SourceRef,
    available_mappings,
    load_mapping,
    mapping_path,
    parse_mapping,
)
from csconsole.sync.shop.transforms import TRANSFORMS, ValueProblem, ValueRepaired, to_text


def _reference() -> dict[str, Any]:
    return tomllib.loads(mapping_path("reference").read_text(encoding="utf-8"))


def _magento() -> dict[str, Any]:
    return tomllib.loads(mapping_path("magento2").read_text(encoding="utf-8"))


def test_shipped_mappings_load() -> None:
    assert {"reference", "magento2"} <= set(available_mappings())
    reference = load_mapping("reference")
    assert [t.entity for t in reference.tables] == [
        "customers",
        "addresses",
        "orders",
        "order_items",
        "payments",
        "subscription_events",
        "gift_recipients",
        "call_recordings",
    ]
    assert all(t.change.column == "updated_at" for t in reference.tables)
    magento = load_mapping("magento2")
    by_entity = {t.entity: t for t in magento.tables}
    assert by_entity["customers"].table == "customer_entity"
    assert by_entity["subscription_events"].change.column == "change_status_at"
    assert by_entity["order_items"].change.row_hash
    assert by_entity["payments"].change.row_hash
    assert by_entity["orders"].where_not_null == ("customer_id",)
    kind = by_entity["addresses"].rule("kind")
    assert kind is not None and kind.equals == SourceRef("default_billing", "owner")


def test_mapping_by_path_and_digest_changes_with_content(tmp_path: Path) -> None:
    text = mapping_path("reference").read_text(encoding="utf-8")
    mine = tmp_path / "myshop.toml"
    mine.write_text(text.replace("overlap_seconds = 300", "overlap_seconds = 60"), "utf-8")
    assert load_mapping(str(mine)).digest != load_mapping("reference").digest
    with pytest.raises(MappingError, match="no shipped mapping named 'nope'"):
        load_mapping("nope")
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping(str(tmp_path / "missing.toml"))
    (tmp_path / "bad.toml").write_text("[mapping\nname=", "utf-8")
    with pytest.raises(MappingError, match=r"bad\.toml: not valid TOML"):
        load_mapping(str(tmp_path / "bad.toml"))


def _broken(change: Any) -> str:
    data = _reference()
    change(data)
    with pytest.raises(MappingError) as info:
        parse_mapping(data, "shop.toml")
    return str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["tables"].pop("customers"), "shop.toml: tables.customers: missing"),
        (
            lambda d: d["tables"].update(clients=d["tables"]["customers"]),
            "shop.toml: tables.clients: not an entity of the cache",
        ),
        (
            lambda d: d["tables"]["addresses"].pop("key"),
            "shop.toml: tables.addresses.key: missing",
        ),
        (
            lambda d: d["tables"]["addresses"].update(colour="red"),
            "shop.toml: tables.addresses.colour: unknown key",
        ),
        (
            lambda d: d["tables"]["orders"]["columns"].update(totl_cents="total_cents"),
            "shop.toml: tables.orders.columns.totl_cents: not a column of the cache's orders",
        ),
        (
            lambda d: d["tables"]["addresses"]["columns"].update(
                street={"column": "street", "transform": "line"}
            ),
            "shop.toml: tables.addresses.columns.street.transform: unknown transform 'line'",
        ),
        (
            lambda d: d["tables"]["subscription_events"]["columns"].update(
                event={"column": "event", "transform": "map"}
            ),
            "tables.subscription_events.columns.event.values: required by the transform 'map'",
        ),
        (
            lambda d: d["tables"]["customers"]["columns"].pop("email"),
            "shop.toml: tables.customers.columns.email: missing (the cache requires a value)",
        ),
        (
            lambda d: d["tables"]["customers"].update(change={"column": "x", "row_hash": True}),
            "shop.toml: tables.customers.change: give either `column`",
        ),
        (
            lambda d: d["tables"]["customers"].update(
                change={"column": "updated_at", "overlap_seconds": -5}
            ),
            "tables.customers.change.overlap_seconds: must be a whole number of seconds",
        ),
        (
            lambda d: d["tables"]["customers"]["columns"].update(email="owner.email"),
            "tables.customers.columns.email: 'owner.email' names the join 'owner'",
        ),
        (
            lambda d: d["tables"]["customers"].update(table="customers; drop table x"),
            "tables.customers.table: 'customers; drop table x' is not a plain table",
        ),
        (
            lambda d: d["tables"]["customers"]["columns"].update(
                email={"column": "email", "value": "x"}
            ),
            "tables.customers.columns.email: give either `column`",
        ),
        (
            lambda d: d["tables"]["customers"]["columns"].update(
                email={"column": "email", "colour": "x"}
            ),
            "tables.customers.columns.email.colour: unknown key",
        ),
        (lambda d: d["mapping"].pop("name"), "shop.toml: mapping.name: must be a non-empty"),
        (lambda d: d["mapping"].update(format=2), "mapping.format: this console reads format 1"),
    ],
)
def test_malformed_mapping_names_the_key(change: Any, expected: str) -> None:
    assert expected in _broken(change)


def test_magento_status_codes_become_events() -> None:
    rule = load_mapping("magento2").table("subscription_events")
    assert rule is not None
    from csconsole.sync.shop.queries import ShopQueries

    refs = ShopQueries(rule).refs
    conv = RowConverter(rule, refs, pulled_at="2026-01-01 00:00:00")
    position = {r.column: i for i, r in enumerate(refs)}

    def row(status: Any, customer: int = 7, changed: Any = "2025-05-01 10:00:00") -> list[Any]:
        values = {
            "subscriber_id": 1,
            "change_status_at": changed,
            "customer_id": customer,
            "subscriber_status": status,
            "subscriber_email": "a@example.com",
        }
        return [values[r.column] for r in refs]

    layout = conv.layout
    events = {code: conv.convert(row(code))[layout.index("event")] for code in (1, 2, 3, 4)}
    assert events == {1: "enrolled", 2: "inactive", 3: "unsubscribed", 4: "unconfirmed"}
    guest = conv.convert(row(1, customer=0))
    assert guest[layout.index("customer_id")] is None
    assert guest[layout.index("channel")] == "email"
    never = conv.convert(row(3, changed=None))
    assert never[layout.index("occurred_at")] == "1970-01-01 00:00:00"
    with pytest.raises(RowProblem) as info:
        conv.convert(row(9))
    assert info.value.source == "subscriber_status"
    assert "code the mapping does not list" in info.value.reason
    assert "subscriber_status" in position


def test_magento_street_lines_and_billing_kind() -> None:
    rule = load_mapping("magento2").table("addresses")
    assert rule is not None
    from csconsole.sync.shop.queries import ShopQueries

    refs = ShopQueries(rule).refs
    conv = RowConverter(rule, refs, pulled_at="2026-01-01 00:00:00")
    base = {
        "entity_id": 5,
        "updated_at": "2025-01-01 00:00:00",
        "parent_id": 9,
        "default_billing": 5,
        "street": "12 High St\r\n\r\n  Flat 3 ",
        "city": "Leeds",
        "region": "  ",
        "postcode": "LS1 4AP",
        "country_id": "gb",
        "telephone": "",
    }
    out = conv.convert([base[r.column] for r in refs])
    get = dict(zip(conv.layout, out, strict=True))
    assert get["street"] == "12 High St\nFlat 3"
    assert get["kind"] == "billing"
    assert get["region"] is None and get["phone"] is None and get["phone_rev"] is None
    assert get["country"] == "GB"
    assert get["postcode_norm"] == "LS14AP"
    other = conv.convert([{**base, "default_billing": 6}[r.column] for r in refs])
    assert dict(zip(conv.layout, other, strict=True))["kind"] == "shipping"


def test_transforms() -> None:
    cents = TRANSFORMS["cents"].build({})
    assert cents(Decimal("12.345")) == 1235
    assert cents(12) == 1200
    assert cents("0.1") == 10
    assert cents(None) is None
    with pytest.raises(ValueProblem):
        cents("abc")
    last4 = TRANSFORMS["last4"].build({})
    assert last4("4111 1111 1111 1234") == "1234"
    assert last4("12") is None
    mapped = TRANSFORMS["map"].build({"values": {"1": "a"}, "otherwise": "z"})
    assert mapped(1) == "a" and mapped("7") == "z"
    with pytest.raises(ValueRepaired) as repaired:
        to_text("caf\xe9".encode("latin-1"))
    assert repaired.value.value == "café"
    assert "not UTF-8" in repaired.value.reason
    with pytest.raises(ValueRepaired):
        to_text("a\x00b")


def test_write_targets_for_the_push() -> None:
    targets = load_mapping("magento2").write_targets()
    assert targets["customer"].table == "customer_entity"
    assert targets["customer"].columns["email"] == "email"
    assert targets["customer"].columns["first_name"] == "firstname"
    assert targets["customer"].change_column == "updated_at"
    reference = load_mapping("reference").write_targets()
    assert reference["subscription"].insert_only
    assert not targets["subscription"].insert_only


def test_mapping_data_is_not_mutated() -> None:
    data = _magento()
    before = copy.deepcopy(data)
    parse_mapping(data, "magento2.toml")
    assert data == before


@pytest.mark.parametrize(
    ("follows", "problem"),
    [
        ("orders", "'orders' is not an entity mapped before 'addresses'"),
        ("nobody", "'nobody' is not an entity mapped before 'addresses'"),
    ],
)
def test_a_join_follows_only_an_entity_pulled_before_it(follows: str, problem: str) -> None:
    data = tomllib.loads(mapping_path("magento2").read_text(encoding="utf-8"))
    assert data["tables"]["addresses"]["joins"]["owner"]["follows"] == "customers"
    assert load_mapping("magento2").table("addresses").joins[0].follows == "customers"  # type: ignore[union-attr]
    data["tables"]["addresses"]["joins"]["owner"]["follows"] = follows
    with pytest.raises(MappingError, match=f"tables.addresses.joins.owner.follows: {problem}"):
        parse_mapping(data, "m2.toml")
    data["tables"]["addresses"]["joins"]["owner"]["follows"] = "customers"
    data["tables"]["addresses"]["joins"]["owner"]["table"] = "sales_order"
    with pytest.raises(MappingError, match="must read 'customer_entity' by its key 'entity_id'"):
        parse_mapping(data, "m2.toml")
