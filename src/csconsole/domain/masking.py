"""How personal data is shown before the caller is verified."""

from __future__ import annotations

from csconsole.domain.text import digits_only

BULLET = "\u2022"


def mask_email(email: str | None) -> str:
    """``jane@example.com`` -> ``j•••@example.com``: enough to tell two records apart."""
    if not email:
        return ""
    local, sep, domain = email.partition("@")
    if not sep:
        return BULLET * 3
    head = local[:1]
    return f"{head}{BULLET * 3}@{domain}"


def mask_phone(phone: str | None) -> str:
    """Only the last four digits: ``phone ending 4990``."""
    digits = digits_only(phone or "")
    if len(digits) < 4:
        return ""
    return f"ending {digits[-4:]}"


def mask_postcode(postcode: str | None) -> str:
    """The first character only; a postcode is a verification answer."""
    if not postcode:
        return ""
    return postcode.strip()[:1] + BULLET * 3


def mask_card(last4: str | None) -> str:
    """Card numbers exist here only as their last four digits (PCI DSS 3.4.1)."""
    if not last4:
        return ""
    return f"{BULLET * 4} {last4[-4:]}"
