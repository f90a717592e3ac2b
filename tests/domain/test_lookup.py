from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from csconsole.domain.lookup import MatchKind, parse_query, phone_key, reverse_digits


def test_email_reading_is_folded_and_exclusive() -> None:
    q = parse_query("  Jane.Doe@Example.COM ")
    assert q.email == "jane.doe@example.com"
    assert q.name_tokens == () and q.phone_suffixes == () and q.kind == "email"


def test_phone_in_any_format_gives_the_national_number_suffix() -> None:
    for text in ("+1 (212) 555-0143", "212.555.0143", "001 212 555 0143"):
        q = parse_query(text, default_region="US")
        assert reverse_digits("2125550143") in q.phone_suffixes, text
        assert q.phone_full


def test_trunk_prefix_is_dropped_for_european_numbers() -> None:
    q = parse_query("030 1234567", default_region="DE")
    assert reverse_digits("301234567") in q.phone_suffixes


def test_last_four_digits_are_a_phone_ending_and_maybe_a_postcode() -> None:
    q = parse_query("4990")
    assert q.phone_suffixes == ("0994",)
    assert not q.phone_full
    assert q.postcode == "4990"
    assert q.order_number == ""


def test_order_number_and_postcode_are_normalised() -> None:
    assert parse_query("dn 100000123").order_number == "DN100000123"
    assert parse_query("sw1a 1aa").postcode == "SW1A1AA"


def test_names_are_accent_and_case_insensitive() -> None:
    assert parse_query("José  ÁLVAREZ").name_tokens == ("jose", "alvarez")
    assert parse_query("Σωκράτης").name_tokens == ("σωκρατησ",)


def test_match_kinds_rank_exact_identifiers_before_names() -> None:
    exact = [MatchKind.EMAIL, MatchKind.ORDER_NUMBER, MatchKind.PHONE, MatchKind.POSTCODE]
    assert max(exact) < MatchKind.NAME < MatchKind.NAME_FUZZY


def test_phone_key_reverses_digits_and_ignores_short_values() -> None:
    assert phone_key("+1 212-555-0143") == "34105552121"
    assert phone_key("12") is None
    assert phone_key(None) is None


@given(st.text(max_size=400))
def test_any_text_parses_without_error(text: str) -> None:
    q = parse_query(text)
    assert len(q.text) <= 200
    assert all(tok for tok in q.name_tokens)
    assert all(s.isdigit() for s in q.phone_suffixes)


def test_control_and_bidi_characters_are_removed() -> None:
    q = parse_query("\u202eAnna\x00 Smith\u200b")
    assert q.name_tokens == ("anna", "smith")


def test_five_or_six_digits_are_no_phone_reading() -> None:
    for text in ("54990", "554990"):
        q = parse_query(text)
        assert q.phone_suffixes == () and not q.phone_full, text


def test_whole_number_forms_are_kept_for_the_comparison() -> None:
    q = parse_query("+1 (212) 555-0143", default_region="US")
    assert "2125550143" in q.phone_whole and "12125550143" in q.phone_whole


def test_half_an_address_is_no_email_reading() -> None:
    assert parse_query("jane@").email == ""
    assert parse_query("@example.org").email == ""
    assert parse_query("jane@example.org").is_identifier
    assert not parse_query("jane smith").is_identifier


def test_email_local_part_reading_only_for_plain_words() -> None:
    assert parse_query("jane.sm").email_local == "jane.sm"
    assert parse_query("jane smith").email_local == ""
    assert parse_query("2125550143").email_local == ""
    assert parse_query("dn100000123").name_tokens == ()
