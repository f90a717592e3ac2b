"""What a search text can mean: email, phone, order number, postcode, name.

A rep types whatever the caller says, so one text may mean several things (``1011`` is a
postcode or a phone's last four digits). The parser lists every reading; the search service runs
each and ranks exact identifiers first.

Identifiers are found only whole (docs/search.md): an email by the whole address or the whole
part before the @, a phone by its last four digits or the whole number, an order number and a
postcode by equality. A prefix or a longer ending finds nothing, so search never answers "is
this the next character?" about what verification asks.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

import phonenumbers

from csconsole.domain.text import digits_only, fold, name_tokens, normalise_postcode, strip_controls

MAX_QUERY_CHARS = 200
MAX_NAME_TOKENS = 6
_PHONE_CHARS = re.compile(r"^[\d\s+().\-/]+$")
_ORDER_NUMBER = re.compile(r"^[A-Z]{0,4}\d{5,}$")
_POSTCODE = re.compile(r"^(?=.*\d)[A-Z0-9]{3,10}$")
# The whole part before the "@", as a caller says it ("it's jane.smith at ...").
_EMAIL_LOCAL = re.compile(r"^[a-z0-9._%+\-]{3,64}$")


class MatchKind(enum.IntEnum):
    """Why a customer is in the results; a lower value ranks first."""

    EMAIL = 0
    ORDER_NUMBER = 1
    PHONE = 2
    POSTCODE = 3
    PHONE_ENDING = 4
    EMAIL_LOCAL = 5
    NAME = 7
    NAME_FUZZY = 9

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    MatchKind.EMAIL: "email",
    MatchKind.ORDER_NUMBER: "order number",
    MatchKind.PHONE: "phone",
    MatchKind.POSTCODE: "postcode",
    MatchKind.PHONE_ENDING: "phone ending",
    MatchKind.EMAIL_LOCAL: "email before @",
    MatchKind.NAME: "name",
    MatchKind.NAME_FUZZY: "name (similar)",
}


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """Every reading of one search text. Empty fields mean that reading does not apply."""

    text: str
    email: str = ""
    email_local: str = ""
    # Reversed digits: the last four (``phone_full`` False) or the whole number's readings.
    phone_suffixes: tuple[str, ...] = ()
    phone_full: bool = False
    # The whole number's forms (national numbers, the digits as typed): a stored phone is
    # found only if one of its own whole forms equals one of these.
    phone_whole: tuple[str, ...] = ()
    order_number: str = ""
    postcode: str = ""
    name_tokens: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.email
            or self.email_local
            or self.phone_suffixes
            or self.order_number
            or self.postcode
            or self.name_tokens
        )

    @property
    def kind(self) -> str:
        """A coarse label for the audit trail (never the text itself, which is personal data)."""
        if self.email:
            return "email"
        if self.phone_suffixes and not self.name_tokens:
            return "phone" if self.phone_full else "digits"
        if self.order_number and not self.name_tokens:
            return "order_number"
        if self.postcode and not self.name_tokens:
            return "postcode"
        return "name" if self.name_tokens else "empty"

    @property
    def is_identifier(self) -> bool:
        """Some reading is an identifier (what the search-probing tripwire watches)."""
        return bool(
            self.email or self.email_local or self.phone_suffixes or self.order_number
        ) or bool(self.postcode)


def reverse_digits(digits: str) -> str:
    """Phones are indexed reversed so 'ends with' becomes a b-tree prefix range."""
    return digits[::-1]


def national_digits(raw: str, region: str) -> str:
    """The national significant number of a phone written in any format, or ''.

    Stored phones keep the customer's own format, so they are matched by suffix: the national
    number is a suffix of every way of writing it (with country code, trunk 0 or neither).
    """
    raw = raw.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]  # the international prefix of most of the world
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return str(number.national_number)


def whole_phone_forms(raw: str, region: str) -> tuple[str, ...]:
    """Every whole number a phone as written may be: its national number parsed in ``region``,
    its digits as written, and those without a trunk 0 (``020 7946 0018`` typed on a US desk).
    Empty below seven digits. A stored phone and a typed one match when these meet."""
    digits = digits_only(raw)
    if len(digits) < 7:
        return ()
    out = [national_digits(raw, region), digits, digits.lstrip("0")]
    return tuple(dict.fromkeys(n for n in out if len(n) >= 7))


def phone_key(raw: str | None) -> str | None:
    """The index key of a stored phone: its digits reversed, or None if it has too few."""
    digits = digits_only(raw or "")
    return reverse_digits(digits) if len(digits) >= 4 else None


def parse_query(raw: str, *, default_region: str = "US") -> ParsedQuery:
    """Read a search text every way it can be meant. Never raises."""
    text = strip_controls(raw).strip()[:MAX_QUERY_CHARS]
    if not text:
        return ParsedQuery(text="")
    email = ""
    if "@" in text:
        email = fold(text).replace(" ", "")
        local, _, domain = email.partition("@")
        if not local or not domain:
            email = ""  # "jane@" or "@example.org" is no whole address
    phone_suffixes: tuple[str, ...] = ()
    phone_full = False
    whole: tuple[str, ...] = ()
    if not email and _PHONE_CHARS.match(text):
        digits = digits_only(text)
        if len(digits) == 4:
            phone_suffixes = (reverse_digits(digits),)
        elif len(digits) >= 7:
            # Five or six digits are no phone reading: a growing ending would be an oracle.
            whole = whole_phone_forms(text, default_region)
            if whole:
                phone_full = True
                phone_suffixes = tuple(reverse_digits(n) for n in whole)
    compact = normalise_postcode(text)
    order_number = compact if _ORDER_NUMBER.match(compact) and not email else ""
    postcode = compact if _POSTCODE.match(compact) and not email else ""
    tokens: tuple[str, ...] = ()
    if not email and any(ch.isalpha() for ch in text):
        # Names hold no digits; "SW1A" or "DN1000" are identifiers, read as such above.
        tokens = tuple(tok for tok in name_tokens(text) if not any(ch.isdigit() for ch in tok))[
            :MAX_NAME_TOKENS
        ]
    email_local = ""
    if not email and not phone_suffixes:
        folded = fold(text)
        if _EMAIL_LOCAL.match(folded) and not folded.isdigit():
            email_local = folded
    return ParsedQuery(
        text=text,
        email=email,
        email_local=email_local,
        phone_suffixes=phone_suffixes,
        phone_full=phone_full,
        phone_whole=whole,
        order_number=order_number,
        postcode=postcode,
        name_tokens=tokens,
    )
