"""Every stored answer of the demo shop's customers (many locales and phone formats), said back
the way a caller would say it, matches; said wrongly, it does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import phonenumbers

from csconsole.domain.policy import QuestionKind
from csconsole.domain.verification_answers import (
    FactsOnFile,
    ParsedAnswer,
    Rejection,
    answer_matches,
    parse_answer,
    significant_words,
)
from csconsole.persistence.repositories.unit_of_work import SqlUnitOfWork


def spoken(kind: QuestionKind, facts: FactsOnFile) -> str:
    """How a caller might give the stored answer: other case, other format, within tolerance."""
    last = facts.last_order
    if kind is QuestionKind.EMAIL:
        return f"  {(facts.email or '').upper()} "
    if kind is QuestionKind.PHONE:
        phone = facts.phones[0]
        number = phonenumbers.parse(phone.number, phone.region)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if kind is QuestionKind.BILLING_POSTCODE:
        return facts.billing_postcodes[0].lower().replace(" ", "")
    assert last is not None
    if kind is QuestionKind.LAST_ORDER_NUMBER:
        return last.number.lower()
    if kind is QuestionKind.LAST_ORDER_DATE:
        return (last.placed_on - timedelta(days=2)).strftime("%d %B %Y")
    if kind is QuestionKind.LAST_ORDER_TOTAL:
        cents = last.total_cents + 60
        return f"${cents // 100:,}.{cents % 100:02d}"
    if kind is QuestionKind.CARD_LAST4:
        return "ending " + sorted(facts.card_last4s())[0]
    return next(item for o in facts.orders for item in o.items).upper()


def test_demo_customers_answers_match_however_said(demo: Any) -> None:
    console, _staff = demo
    tolerances = console.profile.verification.tolerances
    checked: dict[QuestionKind, int] = dict.fromkeys(QuestionKind, 0)
    refused = 0
    with console.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        previous: FactsOnFile | None = None
        for customer_id in range(1, 120):
            facts = uow.customer_records.facts_on_file(customer_id)
            if facts is None:
                continue
            for kind in facts.askable(QuestionKind):
                answer = spoken(kind, facts)
                parsed = parse_answer(kind, answer, day_first=False)
                assert not isinstance(parsed, Rejection), (customer_id, kind, parsed)
                assert answer_matches(parsed, facts, tolerances, "US"), (customer_id, kind)
                checked[kind] += 1
                # Someone else's email, phone or order number proves nothing.
                unique = (QuestionKind.EMAIL, QuestionKind.PHONE, QuestionKind.LAST_ORDER_NUMBER)
                if previous is not None and kind in unique and previous.has_data_for(kind):
                    theirs = parse_answer(kind, spoken(kind, previous), day_first=False)
                    assert not isinstance(theirs, Rejection)
                    assert not answer_matches(theirs, facts, tolerances, "US"), (customer_id, kind)
                    refused += 1
            previous = facts
    assert all(count >= 10 for count in checked.values()), checked
    assert refused >= 30


def _keyword_answer(limit: int) -> str:
    """The demo's jewellery words, most common first, as one answer of at most ``limit``
    characters: what an impostor would say to "something you bought" to fit anyone."""
    from collections import Counter

    from csconsole.demo.pools import products

    counts = Counter(word for _sku, name, _price in products() for word in significant_words(name))
    answer = ""
    for word, _count in counts.most_common():
        if len(answer) + len(word) + 1 > limit:
            continue
        answer = f"{answer} {word}".strip()
    return answer


def test_a_list_of_jewellery_words_names_nobodys_purchase(demo: Any) -> None:
    console, _staff = demo
    tolerances = console.profile.verification.tolerances
    kind = QuestionKind.ITEMS_BOUGHT
    long_list = _keyword_answer(155)
    assert len(long_list) >= 150
    short_list = _keyword_answer(100)  # fits the answer's length, still a list
    rejected = parse_answer(kind, long_list)
    assert isinstance(rejected, Rejection) and rejected.code == "too_long"
    # Compared anyway (as if the parser let it through), neither list names a purchase.
    as_words = [parse_answer(kind, short_list)]
    as_words.append(ParsedAnswer(kind, words=significant_words(long_list)))
    buyers = genuine = 0
    matched = [0, 0]
    with console.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        for customer_id in range(1, 401):
            facts = uow.customer_records.facts_on_file(customer_id)
            if facts is None or not facts.has_data_for(kind):
                continue
            buyers += 1
            for i, answer in enumerate(as_words):
                assert isinstance(answer, ParsedAnswer)
                matched[i] += answer_matches(answer, facts, tolerances, "US")
            # A genuine item name still matches, said as a caller would: its style and stone.
            item = next(item for o in facts.orders for item in o.items)
            said = parse_answer(kind, f"the {item.split(',')[0]}, {item.split(',')[-1]}".lower())
            assert isinstance(said, ParsedAnswer)
            genuine += answer_matches(said, facts, tolerances, "US")
    assert buyers >= 200
    assert matched == [0, 0], (matched, buyers)
    assert genuine >= buyers * 0.9, (genuine, buyers)
