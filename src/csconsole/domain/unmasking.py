"""What a rep may see of a customer once the caller is verified, by level.

- standard: contact data (name, email, phones) and postal addresses;
- high: everything the cache holds: also date of birth, orders with items and the card's last
  four digits (never more: PCI DSS 3.4.1), and the mailing-list history.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from csconsole.domain.errors import PermissionDenied
from csconsole.domain.masking import mask_card
from csconsole.domain.policy import VerificationLevel


@dataclass(frozen=True, slots=True)
class AddressDetails:
    kind: str
    street: str
    city: str
    region: str | None
    postcode: str | None
    country: str
    phone: str | None


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    price_cents: int


@dataclass(frozen=True, slots=True)
class OrderDetails:
    number: str
    placed_at: datetime
    status: str
    currency: str
    total_cents: int
    payment_method: str
    card_brand: str | None
    card_last4: str | None
    lines: tuple[OrderLine, ...] = ()

    @property
    def card_shown(self) -> str:
        return mask_card(self.card_last4)


@dataclass(frozen=True, slots=True)
class SubscriptionDetails:
    channel: str
    event: str
    source: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """Everything the cache holds about one customer (raw; only inside services)."""

    customer_id: int
    first_name: str
    last_name: str
    email: str
    locale: str
    date_of_birth: date | None
    created_at: datetime
    flagged_misuse: bool
    addresses: tuple[AddressDetails, ...] = ()
    orders: tuple[OrderDetails, ...] = ()
    subscriptions: tuple[SubscriptionDetails, ...] = ()


SECTIONS_STANDARD = ("contact", "addresses")
SECTIONS_HIGH = ("contact", "addresses", "profile", "orders", "subscriptions")


@dataclass(frozen=True, slots=True)
class UnmaskedCustomer:
    """The customer panel after verification; empty sections were not allowed at this level."""

    customer_id: int
    level: VerificationLevel
    name: str
    email: str
    phones: tuple[str, ...]
    addresses: tuple[AddressDetails, ...]
    date_of_birth: date | None
    orders: tuple[OrderDetails, ...]
    subscriptions: tuple[SubscriptionDetails, ...]
    flagged_misuse: bool
    sections: tuple[str, ...]


def unmasked_view(details: CustomerDetails, level: VerificationLevel) -> UnmaskedCustomer:
    """The data ``level`` allows; raises :class:`PermissionDenied` below standard."""
    if not level.satisfies(VerificationLevel.STANDARD):
        raise PermissionDenied("The caller is not verified, so the customer's data stays masked.")
    high = level.satisfies(VerificationLevel.HIGH)
    phones = tuple(dict.fromkeys(a.phone for a in details.addresses if a.phone))
    return UnmaskedCustomer(
        customer_id=details.customer_id,
        level=level,
        name=f"{details.first_name} {details.last_name}".strip(),
        email=details.email,
        phones=phones,
        addresses=details.addresses,
        date_of_birth=details.date_of_birth if high else None,
        orders=details.orders if high else (),
        subscriptions=details.subscriptions if high else (),
        flagged_misuse=details.flagged_misuse,
        sections=SECTIONS_HIGH if high else SECTIONS_STANDARD,
    )
