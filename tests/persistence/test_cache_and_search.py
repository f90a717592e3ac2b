"""The search service against a real SQLCipher cache loaded from a hand-made shop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csconsole.adapters.keyring_store import KeyringSecretStore
from csconsole.adapters.settings_file import Paths
from csconsole.app import Console
from csconsole.domain.lookup import MatchKind
from csconsole.persistence.cache import migrate
from csconsole.persistence.cache.reference_loader import load_reference_sqlite
from tests.shop_factory import make_shop


@pytest.fixture
def console(paths: Paths, secret_store: KeyringSecretStore, tmp_path: Path) -> Iterator[Console]:
    shop = make_shop(tmp_path / "shop.sqlite")
    console = Console.open(paths, secret_store, create=True)
    load_reference_sqlite(console.engine, shop, clock=console.clock)
    console.search.forget_vocabulary()
    try:
        yield console
    finally:
        console.close()


def ids(console: Console, text: str) -> list[int]:
    return [h.customer_id for h in console.search.search(text)]


def test_cache_file_is_encrypted(console: Console, paths: Paths) -> None:
    head = paths.cache_file.read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    assert b"jose.alvarez" not in paths.cache_file.read_bytes()


def test_exact_email_in_any_case(console: Console) -> None:
    hits = console.search.search("JANE.SMITH@EXAMPLE.ORG")
    assert hits[0].customer_id == 2
    assert hits[0].matched_on is MatchKind.EMAIL
    assert hits[0].email_masked == "J•••@example.org"


def test_phone_in_other_formats_and_last_four(console: Console) -> None:
    assert ids(console, "+1 212 555 4990")[0] == 2
    assert ids(console, "212.555.4990")[0] == 2
    assert console.search.search("4990")[0].matched_on is MatchKind.PHONE_ENDING
    assert ids(console, "+44 20 7946 0018") == [6]


def test_order_number_and_postcode(console: Console) -> None:
    hits = console.search.search("dn100000003")
    assert [h.customer_id for h in hits] == [2]
    assert hits[0].matched_on is MatchKind.ORDER_NUMBER
    assert ids(console, "sw1a1aa") == [6]
    assert ids(console, "104 31") == [3]


def test_names_accents_scripts_and_cjk(console: Console) -> None:
    assert ids(console, "jose alvarez") == [1]
    assert ids(console, "ÁLVAREZ") == [1]
    assert ids(console, "παπαδοπουλος") == [3]
    assert ids(console, "Петров") == [4]
    assert ids(console, "王伟") == [5]


def test_prefix_while_typing_and_exact_name_first(console: Console) -> None:
    hits = console.search.search("jane smith")
    assert {h.customer_id for h in hits[:2]} == {2, 7}
    assert 6 in {h.customer_id for h in hits}  # "Janet Smithers" by prefix, ranked after
    assert [h.customer_id for h in hits].index(6) == 2
    assert 6 in ids(console, "smi")


def test_typos_in_names_are_tolerated(console: Console) -> None:
    hits = console.search.search("jnae smtih")
    assert 2 in {h.customer_id for h in hits}
    assert all(h.matched_on is MatchKind.NAME_FUZZY for h in hits)
    assert 4 in ids(console, "Петрв")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "x" * 10_000,
        "'; DROP TABLE shop_customer; --",
        '"unbalanced',
        "NEAR(jane smith)",
        "jane OR smith AND NOT x*",
        "smith^ {col}: -x",
        "\x00\x01\x1b[31m",
        "\u202eשלום עולם",
        "🙂💍",
        "@",
        "++++----",
        "0" * 500,
    ],
)
def test_any_text_gives_results_or_nothing(console: Console, text: str) -> None:
    hits = console.search.search(text)
    assert isinstance(hits, list)
    assert ids(console, "jane smith")  # the cache is intact afterwards


def test_summary_is_masked(console: Console) -> None:
    summary = console.search.summary(2)
    assert summary is not None
    shown = " ".join(str(getattr(summary, f)) for f in summary.__slots__)
    assert "Jane.Smith@example.org" not in shown
    assert "555-4990" not in shown and "10001" not in shown
    assert summary.phone_masked == "ending 4990"
    assert summary.order_count == 2
    assert summary.email_subscribed is True


def test_reopening_with_the_same_key_and_alembic_check(
    console: Console, paths: Paths, secret_store: KeyringSecretStore
) -> None:
    console.close()
    again = Console.open(paths, secret_store)
    try:
        assert ids(again, "jose") == [1]
        migrate.check(again.engine)  # models and migrations agree (alembic check)
    finally:
        again.close()


def test_email_by_the_whole_part_before_the_at_sign(console: Console) -> None:
    hits = console.search.search("Sokratis")
    assert [h.customer_id for h in hits] == [3]
    assert hits[0].matched_on is MatchKind.EMAIL_LOCAL
    assert ids(console, "sokrat") == []  # a prefix of it finds nobody
    # The name still finds Jane Smith; the address prefix "jane.smi" adds no one.
    assert all(
        h.matched_on in (MatchKind.NAME, MatchKind.NAME_FUZZY)
        for h in console.search.search("jane.smi")
    )


def test_identifiers_are_found_only_whole(console: Console) -> None:
    # Prefixes of an address, longer phone endings and order-number prefixes find nobody by
    # the identifier ("jane.smith@" still reads as the name Jane Smith).
    names = (MatchKind.NAME, MatchKind.NAME_FUZZY)
    for text in ("jane.smith@example.or", "jane.smith@", "jane.smith@example.orgx", "ane.smith"):
        assert all(h.matched_on in names for h in console.search.search(text)), text
    for text in ("54990", "554990", "5554990", "25554990", "125554990"):
        assert ids(console, text) == [], text
    assert ids(console, "DN10000000") == []
    assert ids(console, "DN1000000031") == []
    assert ids(console, "2125554990") == [2]
    assert ids(console, "12125554990") == [2]


def test_identifiers_are_not_read_as_names(console: Console) -> None:
    query = console.search.parse("SW1A 1AA")
    assert query.name_tokens == ()
    assert query.postcode == "SW1A1AA"
