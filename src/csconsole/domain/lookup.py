"""What a search text can mean: email, phone, order number, postcode, name.

A rep types whatever the caller says, so one text may mean several things (``10115`` is a
postcode, a phone ending or part of an order number). The parser lists every reading; the search
service runs each and ranks exact identifiers first.
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
# Typed before the "@": a rep spelling an address letter by letter.
_EMAIL_LOCAL = re.compile(r"^[a-z0-9._%+\-]{3,64}$")


class MatchKind(enum.IntEnum):
    """Why a customer is in the results; a lower value ranks first."""

    EMAIL = 0
    ORDER_NUMBER = 1
    PHONE = 2
    POSTCODE = 3
    PHONE_ENDING = 4
    EMAIL_PREFIX = 5
    ORDER_NUMBER_PREFIX = 6
    NAME = 7
    EMAIL_LOCAL_PREFIX = 8
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
    MatchKind.EMAIL_PREFIX: "email starts with",
    MatchKind.ORDER_NUMBER_PREFIX: "order number starts with",
    MatchKind.NAME: "name",
    MatchKind.EMAIL_LOCAL_PREFIX: "email starts with",
    MatchKind.NAME_FUZZY: "name (similar)",
}


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """Every reading of one search text. Empty fields mean that reading does not apply."""

    text: str
    email: str = ""
    email_local: str = ""
    phone_suffixes: tuple[str, ...] = ()
    phone_full: bool = False
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
    phone_suffixes: tuple[str, ...] = ()
    phone_full = False
    if not email and _PHONE_CHARS.match(text):
        digits = digits_only(text)
        if len(digits) >= 4:
            candidates = [digits]
            if len(digits) >= 7:
                phone_full = True
                national = national_digits(text, default_region)
                if national:
                    candidates.append(national)
                # A national trunk prefix ("0" in most of Europe) is not part of E.164.
                if digits.startswith("0"):
                    candidates.append(digits.lstrip("0"))
            phone_suffixes = tuple(dict.fromkeys(reverse_digits(c) for c in candidates if c))
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
        order_number=order_number,
        postcode=postcode,
        name_tokens=tokens,
    )
