"""A caller's answer to a verification question, compared with the data on file.

Two steps, kept apart on purpose:

1. :func:`parse_answer` reads the caller's answer alone. It either normalises it or rejects it
   with a reason about its *form* ("type a date like 2025-03-01"). It never sees the data on file,
   so a rejection cannot tell the rep anything about a stored answer, and a rejected answer is not
   a wrong answer (it does not count towards the lockout).
2. :func:`answer_matches` compares a parsed answer with the :class:`FactsOnFile` and returns only
   True or False.

``FactsOnFile`` and ``ParsedAnswer`` hide their values from ``repr`` so neither can reach a log
line, an assertion message or a traceback with locals.

Pure: no I/O.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from rapidfuzz import fuzz

from csconsole.domain.policy import QuestionKind, Tolerances
from csconsole.domain.text import digits_only, name_tokens, normalise_postcode, strip_controls

MAX_ANSWER_CHARS = 200
# Card questions look at the orders a caller is likely to remember paying for.
RECENT_CARD_ORDERS = 3
# Item names: words of 3+ characters with a letter count; the fuzzy tolerance and the bound on
# an answer's words are the profile's (Tolerances.item_*).
ITEM_MIN_WORD = 3
ITEM_MIN_HITS = 2
# An answer to "something you bought" is one item's name: longer text is a description or a list.
MAX_ITEM_ANSWER_CHARS = 100
# Words a caller adds around an item's name that say nothing about which item it was.
ITEM_FILLER_WORDS = frozenset({"the", "and", "with", "one", "pair", "some", "carat", "carats"})
# Dates are written month first in these regions (03/01/2025 is March 1).
MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "BZ"})


class AnswerOutcome(enum.StrEnum):
    MATCH = "match"
    NO_MATCH = "no_match"
    REJECTED = "rejected"
    # A wrong answer after the needed level was reached: recorded, but the caller is verified
    # already, so it does not count towards the lockout.
    NO_MATCH_LATE = "no_match_late"

    @property
    def label(self) -> str:
        return {
            "match": "Match",
            "no_match": "No match",
            "rejected": "Not understood",
            "no_match_late": "No match (after verification; not counted towards a lockout)",
        }[self.value]


# ---------------------------------------------------------------------------------------------
# Data on file (only ever inside the verification service)


@dataclass(frozen=True, slots=True, repr=False)
class StoredPhone:
    number: str
    region: str  # the country of the address it belongs to, for numbers without a country code


@dataclass(frozen=True, slots=True, repr=False)
class OrderFacts:
    number: str
    placed_on: date
    total_cents: int
    card_last4: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, repr=False)
class FactsOnFile:
    """The stored answers for one customer. ``orders`` newest first."""

    customer_id: int
    email: str | None = None
    phones: tuple[StoredPhone, ...] = ()
    billing_postcodes: tuple[str, ...] = ()
    orders: tuple[OrderFacts, ...] = ()

    def __repr__(self) -> str:
        return f"FactsOnFile(customer_id={self.customer_id}, <answers withheld>)"

    @property
    def last_order(self) -> OrderFacts | None:
        return self.orders[0] if self.orders else None

    def card_last4s(self) -> set[str]:
        return {c for o in self.orders[:RECENT_CARD_ORDERS] for c in o.card_last4 if c}

    def has_data_for(self, kind: QuestionKind) -> bool:
        """Whether a question of ``kind`` can be asked: something to compare the answer with."""
        last = self.last_order
        checks = {
            QuestionKind.EMAIL: bool(self.email),
            QuestionKind.PHONE: bool(self.phones),
            QuestionKind.BILLING_POSTCODE: any(
                normalise_postcode(p) for p in self.billing_postcodes
            ),
            QuestionKind.LAST_ORDER_NUMBER: last is not None and bool(last.number),
            QuestionKind.LAST_ORDER_DATE: last is not None,
            QuestionKind.LAST_ORDER_TOTAL: last is not None,
            QuestionKind.CARD_LAST4: bool(self.card_last4s()),
            QuestionKind.ITEMS_BOUGHT: any(o.items for o in self.orders),
        }
        return checks[kind]

    def askable(self, kinds: Iterable[QuestionKind]) -> tuple[QuestionKind, ...]:
        return tuple(kind for kind in kinds if self.has_data_for(kind))


# ---------------------------------------------------------------------------------------------
# Step 1: the caller's answer alone


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why an answer could not be read. ``code`` is stable (audit details); ``reason`` is for
    the rep. Both depend on the answer's form only."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True, repr=False)
class ParsedAnswer:
    kind: QuestionKind
    text: str = ""
    number: int = 0
    day: date | None = None
    words: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"ParsedAnswer(kind={self.kind.value}, <answer withheld>)"


def clean_answer(text: str) -> str:
    """NFKC (full-width digits and ``＠`` become ASCII), no control or bidi characters, trimmed."""
    return strip_controls(unicodedata.normalize("NFKC", text)).strip()


def parse_answer(
    kind: QuestionKind, text: str, *, day_first: bool = False
) -> ParsedAnswer | Rejection:
    """Read the caller's answer to a question of ``kind``. Never raises."""
    if not isinstance(text, str):
        return Rejection("empty", "Type the caller's answer.")
    cleaned = clean_answer(text)
    if not cleaned:
        return Rejection("empty", "Type the caller's answer.")
    if len(cleaned) > MAX_ANSWER_CHARS:
        return Rejection("too_long", f"An answer has at most {MAX_ANSWER_CHARS} characters.")
    parser = _PARSERS[kind]
    try:
        return parser(kind, cleaned, day_first)
    except (ValueError, OverflowError, ArithmeticError):
        # Only the answer's own text was involved, so its form is the reason.
        return Rejection("unreadable", _FORMAT_HINTS[kind])


def _parse_email(kind: QuestionKind, text: str, _day_first: bool) -> ParsedAnswer | Rejection:
    address = normalise_email(text)
    local, sep, domain = address.rpartition("@")
    if not sep or not local or not domain or "@" in local or "." not in domain.strip("."):
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, text=address)


def _parse_phone(kind: QuestionKind, text: str, _day_first: bool) -> ParsedAnswer | Rejection:
    digits = digits_only(text)
    if not 6 <= len(digits) <= 17:
        return Rejection("format", _FORMAT_HINTS[kind])
    if re.search(r"[^\d\s()+\-./]", text):
        return Rejection("format", _FORMAT_HINTS[kind])
    # phonenumbers reads ASCII digits; other scripts' digits were mapped by digits_only.
    plus = "+" if text.lstrip().startswith(("+", "00")) else ""
    if text.lstrip().startswith("00"):
        digits = digits[2:]
    return ParsedAnswer(kind, text=plus + digits)


def _parse_postcode(kind: QuestionKind, text: str, _day_first: bool) -> ParsedAnswer | Rejection:
    code = normalise_postcode(text)
    if not 2 <= len(code) <= 12:
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, text=code)


def _parse_order_number(
    kind: QuestionKind, text: str, _day_first: bool
) -> ParsedAnswer | Rejection:
    number = normalise_postcode(text)  # same key as the cache's order_number_norm
    if not 3 <= len(number) <= 32:
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, text=number)


def _parse_date(kind: QuestionKind, text: str, day_first: bool) -> ParsedAnswer | Rejection:
    day = parse_date(text, day_first=day_first)
    if day is None:
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, day=day)


def _parse_total(kind: QuestionKind, text: str, _day_first: bool) -> ParsedAnswer | Rejection:
    cents = parse_money_cents(text)
    if cents is None:
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, number=cents)


def _parse_card(kind: QuestionKind, text: str, _day_first: bool) -> ParsedAnswer | Rejection:
    digits = digits_only(text)
    if len(digits) > 4:
        # PCI DSS 3.4.1: a full card number is never taken, not even to compare its end.
        return Rejection(
            "too_many_digits",
            "Ask for the last four digits only; a full card number must never be taken.",
        )
    if len(digits) != 4:
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, text=digits)


def _parse_items(kind: QuestionKind, text: str, _day_first: bool) -> ParsedAnswer | Rejection:
    if len(text) > MAX_ITEM_ANSWER_CHARS:
        return Rejection(
            "too_long", f"Name one item, in at most {MAX_ITEM_ANSWER_CHARS} characters."
        )
    words = significant_words(text)
    if not words:
        return Rejection("format", _FORMAT_HINTS[kind])
    return ParsedAnswer(kind, words=words)


_PARSERS = {
    QuestionKind.EMAIL: _parse_email,
    QuestionKind.PHONE: _parse_phone,
    QuestionKind.BILLING_POSTCODE: _parse_postcode,
    QuestionKind.LAST_ORDER_NUMBER: _parse_order_number,
    QuestionKind.LAST_ORDER_DATE: _parse_date,
    QuestionKind.LAST_ORDER_TOTAL: _parse_total,
    QuestionKind.CARD_LAST4: _parse_card,
    QuestionKind.ITEMS_BOUGHT: _parse_items,
}

_FORMAT_HINTS = {
    QuestionKind.EMAIL: "An email address looks like name@example.com.",
    QuestionKind.PHONE: "A phone number has 6 to 17 digits, in any format.",
    QuestionKind.BILLING_POSTCODE: "A postcode has 2 to 12 letters or digits.",
    QuestionKind.LAST_ORDER_NUMBER: "An order number has 3 to 32 letters or digits.",
    QuestionKind.LAST_ORDER_DATE: "Type the date like 2025-03-01, 03/01/2025 or 1 March 2025.",
    QuestionKind.LAST_ORDER_TOTAL: "Type an amount like 125, 125.50 or $1,250.00.",
    QuestionKind.CARD_LAST4: "Type the last four digits of the card.",
    QuestionKind.ITEMS_BOUGHT: "Name one item the caller bought, e.g. 'tennis bracelet'.",
}


def format_hint(kind: QuestionKind) -> str:
    """The form an answer to ``kind`` takes (for the rep; says nothing about the data on file)."""
    return _FORMAT_HINTS[kind]


# ---------------------------------------------------------------------------------------------
# Normalisation helpers


def normalise_email(text: str) -> str:
    """Case-insensitive, without spaces; the whole address is compared casefolded."""
    return "".join(clean_answer(text).split()).casefold()


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")


def _year(value: str) -> int:
    year = int(value)
    if len(value) == 2:
        return 2000 + year if year < 70 else 1900 + year
    if len(value) != 4:
        raise ValueError("year")
    return year


def parse_date(text: str, *, day_first: bool) -> date | None:
    """A date in ISO, numeric (day or month first) or English month-name form, or None."""
    cleaned = clean_answer(text).casefold()
    parts = [p for p in re.split(r"[\s,/.\-]+", cleaned) if p]
    if len(parts) != 3:
        return None
    try:
        if all(p.isdigit() for p in parts):
            a, b, c = parts
            if len(a) == 4:
                return date(int(a), int(b), int(c))
            day_s, month_s = (a, b) if day_first else (b, a)
            return date(_year(c), int(month_s), int(day_s))
        words = [_ORDINAL.sub(r"\1", p) for p in parts]
        months = [i for i, w in enumerate(words) if w in _MONTHS]
        if len(months) != 1:
            return None
        month = _MONTHS[words[months[0]]]
        rest = [w for i, w in enumerate(words) if i != months[0]]
        if not all(w.isdigit() for w in rest):
            return None
        if len(rest[0]) == 4:  # 2025 March 1
            return date(int(rest[0]), month, int(rest[1]))
        return date(_year(rest[1]), month, int(rest[0]))
    except ValueError:
        return None


_CURRENCY = re.compile(r"(?i)[$€£¥]|\b(?:usd|eur|gbp|cad|aud|dollars?|bucks|euros?|pounds?)\b")
_SPACES = re.compile(r"[\s'\u00a0\u2009\u202f]")


def parse_money_cents(text: str) -> int | None:
    """An amount in cents: ``125``, ``$1,250.99``, ``1.250,99 €``, ``125 dollars``; else None.

    The last ``.`` or ``,`` is the decimal point when one or two digits follow it; any other is a
    thousands separator.
    """
    cleaned = _SPACES.sub("", _CURRENCY.sub("", clean_answer(text)))
    if not cleaned or not re.fullmatch(r"[\d.,]*\d[\d.,]*", cleaned):
        return None
    last = max(cleaned.rfind("."), cleaned.rfind(","))
    whole, cents_part = cleaned, ""
    if last >= 0 and 1 <= len(cleaned) - last - 1 <= 2:
        whole, cents_part = cleaned[:last], cleaned[last + 1 :]
    whole_digits = whole.replace(".", "").replace(",", "")
    if not whole_digits.isdigit() and whole_digits != "":
        return None
    if len(whole_digits) > 10:
        return None
    return int(whole_digits or "0") * 100 + int(cents_part.ljust(2, "0") or "0")


def significant_words(text: str) -> tuple[str, ...]:
    """Folded words of an item name that can identify it: 3+ characters, at least one letter."""
    return tuple(
        word
        for word in name_tokens(clean_answer(text))
        if len(word) >= ITEM_MIN_WORD and any(ch.isalpha() for ch in word)
    )


# ---------------------------------------------------------------------------------------------
# Step 2: compared with the data on file


def within_days(a: date, b: date, tolerance_days: int) -> bool:
    return abs((a - b).days) <= tolerance_days


def within_cents(a: int, b: int, tolerance_cents: int) -> bool:
    return abs(a - b) <= tolerance_cents


def same_phone(answer: str, stored: StoredPhone, default_region: str) -> bool:
    """The same number however written: with or without country code, trunk 0, punctuation.

    A number without a country code is read in the stored number's country first (the caller
    gives their own number the way they write it at home), then in ``default_region``.
    """
    try:
        on_file = phonenumbers.parse(stored.number, stored.region or default_region)
    except phonenumbers.NumberParseException:
        return False
    for region in dict.fromkeys((stored.region or default_region, default_region)):
        try:
            given = phonenumbers.parse(answer, region)
        except phonenumbers.NumberParseException:
            continue
        if (
            given.country_code == on_file.country_code
            and given.national_number == on_file.national_number
        ):
            return True
    return False


def same_postcode(answer: str, stored: str) -> bool:
    """Normalised equality; a US ZIP+4 matches its 5-digit ZIP either way round."""
    on_file = normalise_postcode(stored)
    if not on_file:
        return False
    if answer == on_file:
        return True
    short, long_ = sorted((answer, on_file), key=len)
    return (
        short.isdigit()
        and long_.isdigit()
        and len(short) == 5
        and len(long_) == 9
        and (long_.startswith(short))
    )


def same_order_number(answer: str, stored: str) -> bool:
    """Normalised equality, or the digits alone when the caller leaves out the shop's prefix."""
    on_file = normalise_postcode(stored)
    if answer == on_file:
        return True
    digits = digits_only(on_file)
    return answer.isdigit() and len(answer) >= 5 and answer == digits


def item_matches(words: Sequence[str], item_name: str, tolerances: Tolerances) -> bool:
    """The caller named this one item: a bounded answer whose words are (nearly) all words of
    the item's name, covering its whole name or at least half of its words and two at the least
    ("ring" alone does not prove a jewellery purchase, and a list of keywords names no item).

    Words compare by rapidfuzz ratio at ``tolerances.item_word_score``, so a typo still counts.
    """
    answer = [word for word in words if word not in ITEM_FILLER_WORDS]
    if not answer or len(words) > tolerances.item_answer_words:
        return False
    item_words = [word for word in significant_words(item_name) if word not in ITEM_FILLER_WORDS]
    if not item_words:
        return False
    score = tolerances.item_word_score
    # One answer word stands for at most one word of the item, so "gold gold" is one hit.
    unused = list(answer)
    hits = 0
    for item_word in item_words:
        found = next((w for w in unused if fuzz.ratio(w, item_word) >= score), None)
        if found is not None:
            unused.remove(found)
            hits += 1
    extra = sum(1 for w in unused if not any(fuzz.ratio(w, i) >= score for i in item_words))
    if extra > tolerances.item_extra_words:
        return False
    if fuzz.token_sort_ratio(" ".join(answer), " ".join(item_words)) >= score:
        return True
    return hits >= ITEM_MIN_HITS and hits * 2 >= len(item_words)


def answer_matches(
    answer: ParsedAnswer, facts: FactsOnFile, tolerances: Tolerances, default_region: str
) -> bool:
    """True when the parsed answer agrees with the data on file, within the tolerances."""
    kind = answer.kind
    last = facts.last_order
    if kind is QuestionKind.EMAIL:
        return bool(facts.email) and normalise_email(facts.email or "") == answer.text
    if kind is QuestionKind.PHONE:
        return any(same_phone(answer.text, p, default_region) for p in facts.phones)
    if kind is QuestionKind.BILLING_POSTCODE:
        return any(same_postcode(answer.text, p) for p in facts.billing_postcodes)
    if last is None:
        return False
    if kind is QuestionKind.LAST_ORDER_NUMBER:
        return same_order_number(answer.text, last.number)
    if kind is QuestionKind.LAST_ORDER_DATE:
        return answer.day is not None and within_days(
            answer.day, last.placed_on, tolerances.order_date_days
        )
    if kind is QuestionKind.LAST_ORDER_TOTAL:
        return within_cents(answer.number, last.total_cents, tolerances.order_total_cents)
    if kind is QuestionKind.CARD_LAST4:
        return answer.text in facts.card_last4s()
    if kind is QuestionKind.ITEMS_BOUGHT:
        return any(
            item_matches(answer.words, item, tolerances) for o in facts.orders for item in o.items
        )
    return False
