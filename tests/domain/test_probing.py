"""The search-probing rule, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csconsole.domain.customers import CustomerHit, CustomerRow
from csconsole.domain.lookup import MatchKind, parse_query
from csconsole.domain.probing import (
    ProbingThresholds,
    TraceEntry,
    continues,
    probing_verdict,
    stems_of,
    trace_of,
)

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SALT = b"k" * 32
RULE = ProbingThresholds()
JANE = CustomerRow(2, "Jane", "Smith", "jane.smith@example.org", "+1 212 555 4990", "NY", "US")


def hit(kind: MatchKind, row: CustomerRow = JANE) -> CustomerHit:
    return CustomerHit.from_row(row, kind, 100.0)


def traced(text: str, hits: list[CustomerHit], minute: float = 0) -> TraceEntry:
    entry = trace_of(parse_query(text), hits, T0 + timedelta(minutes=minute), SALT)
    assert entry is not None, text
    return entry


def test_a_growing_ending_or_prefix_keeps_its_stem() -> None:
    digits = {stems_of(parse_query(t)) for t in ("4990", "54990", "554990", "2125554990")}
    assert len(digits) == 1
    emails = {
        stems_of(parse_query(t)) for t in ("jane.s7", "jane.smith@ex", "jane.smith@example.or")
    }
    assert len(emails) == 1


def test_names_are_not_traced_and_plain_words_are_no_near_miss() -> None:
    assert trace_of(parse_query("jane smith"), [], T0, SALT) is None
    named = trace_of(parse_query("jane smith"), [hit(MatchKind.NAME)], T0, SALT)
    assert named is not None and named.hits == (2,) and not named.near_miss and not named.stems
    assert not traced("jane", [hit(MatchKind.NAME)]).near_miss
    assert traced("jane.smith7", [hit(MatchKind.NAME)]).near_miss
    assert not traced("jane.smith@example.org", [hit(MatchKind.EMAIL)]).near_miss


def test_trace_keeps_no_text() -> None:
    entry = traced("jane.smith@example.or", [])
    kept = repr(entry)
    assert "jane" not in kept and "example" not in kept


def test_near_misses_on_one_stem_trip_and_name_the_customer_circled() -> None:
    entries = [traced("4990", [hit(MatchKind.PHONE_ENDING)])]
    entries += [traced(f"{d}4990", [], minute=1) for d in range(5)]
    assert probing_verdict(entries, T0 + timedelta(minutes=2), RULE) is None  # 5 < 6
    entries.append(traced("2125554999", [], minute=2))  # another stem: no count
    assert probing_verdict(entries, T0 + timedelta(minutes=2), RULE) is None
    entries.append(traced("55554990", [], minute=2))
    verdict = probing_verdict(entries, T0 + timedelta(minutes=3), RULE)
    assert verdict is not None
    assert verdict.customer_id == 2
    assert "near-miss" in verdict.reason and "4990" not in verdict.reason


def test_misses_outside_the_window_do_not_count() -> None:
    entries = [traced(f"jane.smith@example.o{c}", [], minute=0) for c in "abcdefgh"]
    late = T0 + timedelta(minutes=RULE.window_minutes + 1)
    assert probing_verdict(entries, late, RULE) is None
    assert probing_verdict(entries, T0 + timedelta(minutes=1), RULE) is not None


def test_many_misses_on_different_stems_trip() -> None:
    entries = [traced(f"{1000 + 7 * i}", [], minute=i / 10) for i in range(RULE.near_misses)]
    verdict = probing_verdict(entries, T0 + timedelta(minutes=5), RULE)
    assert verdict is not None and verdict.customer_id is None


def test_many_different_identifiers_of_one_customer_trip() -> None:
    kinds = ["4990", "jane.smith@example.org", "jane.smith", "+1 212 555 4990", "10001"]
    entries = [traced(t, [hit(MatchKind.POSTCODE)]) for t in kinds]
    verdict = probing_verdict(entries, T0 + timedelta(minutes=1), RULE)
    assert verdict is not None and verdict.customer_id == 2


def test_a_rep_on_calls_does_not_trip() -> None:
    # Three calls about one customer: the email, a mistyped email, the last four each time.
    entries = []
    for call in range(30):
        entries.append(traced("jane.smith@example.org", [hit(MatchKind.EMAIL)], call))
        entries.append(traced("jane.smith@exmaple.org", [], call))
        entries.append(traced("4990", [hit(MatchKind.PHONE_ENDING)], call))
    # One near miss per call stays under the threshold.
    assert probing_verdict(entries[:9], T0 + timedelta(minutes=3), RULE) is None


def test_typing_on_continues_the_previous_search_but_alternatives_do_not() -> None:
    first = traced("jane.smith@ex", [])
    assert continues(parse_query("jane.smith@example.org"), first.text_key, SALT)
    assert continues(parse_query("JANE.SMITH@EXA"), first.text_key, SALT)  # folded
    assert not continues(parse_query("jane.smith@ex"), first.text_key, SALT)  # the same text
    assert not continues(parse_query("jane.smith@ey"), first.text_key, SALT)
