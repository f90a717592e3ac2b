"""Plain customer data as the services hand it to the UI (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from csconsole.domain.lookup import MatchKind
from csconsole.domain.masking import mask_email, mask_phone


class CustomerRow(NamedTuple):
    """One customer as a lookup returns it; raw values, only inside services."""

    customer_id: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    city: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class CustomerHit:
    """A search result, masked: what a rep may see before verification."""

    customer_id: int
    name: str
    email_masked: str
    phone_masked: str
    city: str
    country: str
    matched_on: MatchKind
    score: float

    @classmethod
    def from_row(cls, row: CustomerRow, matched_on: MatchKind, score: float) -> CustomerHit:
        return cls(
            customer_id=row.customer_id,
            name=f"{row.first_name} {row.last_name}".strip(),
            email_masked=mask_email(row.email),
            phone_masked=mask_phone(row.phone),
            city=row.city or "",
            country=row.country or "",
            matched_on=matched_on,
            score=score,
        )


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """The customer panel before verification: masked contact data and counts only.

    Order numbers, dates, totals and postcodes are verification answers, so none is shown.
    """

    customer_id: int
    name: str
    email_masked: str
    phone_masked: str
    postcode_masked: str
    city: str
    country: str
    customer_since: str
    order_count: int
    email_subscribed: bool
    catalog_subscribed: bool
    flagged_misuse: bool
